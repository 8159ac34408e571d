//! The one key registry: every key the TUI understands, where it works, and what it is called.
//! The footer shows the bindings that do something in the current place; the help screen lists
//! them all; the update function looks keys up here. Nothing else maps keys.
//!
//! To add a key, add an [`Action`], one [`Binding`] in [`BINDINGS`] (keys of a dialog's own
//! place: in `keys_dialog`), and its arm in `update::act`. Taken letters: a b e f g h j k l m
//! p q r s u v w y, and G and M. In the setup wizard letters are text: only keys that cannot be
//! text act there.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Where the user is; bindings are looked up per place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    List,
    /// Typing a filter in the list.
    Filter,
    Chain,
    Detail,
    Help,
    Commands,
    /// A text overlay: a finding's explanation (`e`) or the screen's cut texts whole (`v`).
    Reading,
    /// The dialog confirming a fix or an undo (`f`, `u`).
    Confirm,
    /// The setup wizard (`w`, `kubectl irsa setup`): its fields take letters as text.
    Wizard,
    /// The choices of an ambiguous fix (`f`), one to pick before its plan is made.
    Choose,
}

impl Place {
    pub fn label(self) -> &'static str {
        match self {
            Place::List => "workload list",
            Place::Filter => "filter",
            Place::Chain => "chain",
            Place::Detail => "detail pane",
            Place::Help => "help",
            Place::Commands => "commands",
            Place::Reading => "explanation and whole text",
            Place::Confirm => "fix or undo dialog",
            Place::Wizard => "setup wizard",
            Place::Choose => "choices of an ambiguous fix",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Open,
    SwitchPane,
    Back,
    Quit,
    Filter,
    Sort,
    BrokenFirst,
    Scope,
    Refresh,
    Prove,
    Copy,
    Explain,
    Whole,
    /// Plan the fix of the workload and open it to confirm.
    Fix,
    /// Plan the undo of the last applied fix and open it to confirm.
    Undo,
    /// Plan the next stage of the workload's move from IRSA to Pod Identity (stage 1, or
    /// `--finalize` once stage 1 is done) and open it to confirm.
    Migrate,
    /// Plan the migration's rollback to IRSA and open it to confirm.
    Rollback,
    /// In the fix dialog: apply the plan.
    Apply,
    /// Open the setup wizard on the workload.
    Setup,
    /// In the wizard: choose the focused option (in a text field, a space).
    Toggle,
    /// In the choices: select one by its number (`update` reads the digit from the key).
    Pick,
    Help,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Char(char),
    Code(KeyCode),
    Ctrl(char),
}

impl Key {
    /// How the key is written in the help.
    pub fn label(self) -> String {
        match self {
            Key::Char(' ') => "Space".into(),
            Key::Char(c) => c.to_string(),
            Key::Ctrl(c) => format!("^{c}"),
            Key::Code(code) => match code {
                KeyCode::Up => "↑".into(),
                KeyCode::Down => "↓".into(),
                KeyCode::Left => "←".into(),
                KeyCode::Right => "→".into(),
                KeyCode::Enter => "Enter".into(),
                KeyCode::Esc => "Esc".into(),
                KeyCode::Tab => "Tab".into(),
                KeyCode::BackTab => "S-Tab".into(),
                KeyCode::PageUp => "PgUp".into(),
                KeyCode::PageDown => "PgDn".into(),
                KeyCode::Home => "Home".into(),
                KeyCode::End => "End".into(),
                other => format!("{other:?}"),
            },
        }
    }

    fn matches(self, ev: &KeyEvent) -> bool {
        let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
        match self {
            Key::Char(c) => !ctrl && ev.code == KeyCode::Char(c),
            Key::Code(code) => !ctrl && ev.code == code,
            Key::Ctrl(c) => ctrl && ev.code == KeyCode::Char(c),
        }
    }
}

pub struct Binding {
    pub action: Action,
    pub keys: &'static [Key],
    /// How the keys are written in the footer (the help lists every key).
    pub key_label: &'static str,
    /// The footer's word for it; `None` keeps it out of the footer (help only).
    pub footer: Option<&'static str>,
    pub help: &'static str,
    pub places: &'static [Place],
}

use Place::*;

const BROWSE: &[Place] = &[List, Chain, Detail];
const WORKLOAD: &[Place] = &[List, Chain, Detail];

pub const BINDINGS: &[Binding] = &[
    Binding {
        action: Action::Up,
        keys: &[Key::Code(KeyCode::Up), Key::Char('k')],
        key_label: "↑↓",
        footer: Some("move"),
        help: "move up (in the detail pane: scroll)",
        places: &[List, Chain, Detail, Help, Commands, Reading, Confirm],
    },
    Binding {
        action: Action::Down,
        keys: &[Key::Code(KeyCode::Down), Key::Char('j')],
        key_label: "↓/j",
        footer: None,
        help: "move down (in the detail pane: scroll)",
        places: &[List, Chain, Detail, Help, Commands, Reading, Confirm],
    },
    Binding {
        action: Action::PageUp,
        keys: &[Key::Code(KeyCode::PageUp), Key::Ctrl('u')],
        key_label: "PgUp/^u",
        footer: None,
        help: "a page up (on the chain: scroll the detail pane)",
        places: &[List, Chain, Detail, Help, Reading, Confirm],
    },
    Binding {
        action: Action::PageDown,
        keys: &[Key::Code(KeyCode::PageDown), Key::Ctrl('d')],
        key_label: "PgDn/^d",
        footer: None,
        help: "a page down (on the chain: scroll the detail pane)",
        places: &[List, Chain, Detail, Help, Reading, Confirm],
    },
    Binding {
        action: Action::Top,
        keys: &[Key::Code(KeyCode::Home), Key::Char('g')],
        key_label: "Home/g",
        footer: None,
        help: "to the first row",
        places: &[List, Chain, Detail, Reading, Confirm],
    },
    Binding {
        action: Action::Bottom,
        keys: &[Key::Code(KeyCode::End), Key::Char('G')],
        key_label: "End/G",
        footer: None,
        help: "to the last row",
        places: &[List, Chain, Detail, Reading, Confirm],
    },
    Binding {
        action: Action::Open,
        keys: &[
            Key::Code(KeyCode::Enter),
            Key::Code(KeyCode::Right),
            Key::Char('l'),
        ],
        key_label: "Enter",
        footer: Some("open"),
        help: "open the workload's chain; on a link, focus its details",
        places: &[List, Chain],
    },
    Binding {
        action: Action::SwitchPane,
        keys: &[Key::Code(KeyCode::Tab), Key::Code(KeyCode::BackTab)],
        key_label: "Tab",
        footer: Some("pane"),
        help: "switch between the chain and the detail pane",
        places: &[Chain, Detail],
    },
    Binding {
        action: Action::SwitchPane,
        keys: &[Key::Code(KeyCode::Tab), Key::Code(KeyCode::BackTab)],
        key_label: "Tab",
        footer: Some("next finding"),
        help: "explain the link's next finding (when it has several)",
        places: &[Reading],
    },
    Binding {
        action: Action::Back,
        keys: &[
            Key::Code(KeyCode::Esc),
            Key::Char('q'),
            Key::Code(KeyCode::Left),
            Key::Char('h'),
        ],
        key_label: "Esc",
        footer: Some("back"),
        help: "back",
        places: &[Chain, Detail, Help, Commands, Reading],
    },
    Binding {
        action: Action::Back,
        keys: &[Key::Code(KeyCode::Esc), Key::Char('q')],
        key_label: "q",
        footer: Some("quit"),
        help: "clear the filter, or quit",
        places: &[List],
    },
    // While typing a filter, letters are text: only keys that cannot be text act.
    Binding {
        action: Action::Up,
        keys: &[Key::Code(KeyCode::Up)],
        key_label: "↑↓",
        footer: Some("move"),
        help: "move in the filtered list",
        places: &[Filter],
    },
    Binding {
        action: Action::Down,
        keys: &[Key::Code(KeyCode::Down)],
        key_label: "↓",
        footer: None,
        help: "move down in the filtered list",
        places: &[Filter],
    },
    Binding {
        action: Action::Open,
        keys: &[Key::Code(KeyCode::Enter)],
        key_label: "Enter",
        footer: Some("keep filter"),
        help: "stop typing and keep the filter",
        places: &[Filter],
    },
    Binding {
        action: Action::Back,
        keys: &[Key::Code(KeyCode::Esc)],
        key_label: "Esc",
        footer: Some("clear filter"),
        help: "clear the filter",
        places: &[Filter],
    },
    Binding {
        action: Action::Quit,
        keys: &[Key::Ctrl('c')],
        key_label: "^c",
        footer: None,
        help: "quit from anywhere",
        places: &[
            List, Filter, Chain, Detail, Help, Commands, Reading, Confirm, Wizard,
        ],
    },
    Binding {
        action: Action::Filter,
        keys: &[Key::Char('/')],
        key_label: "/",
        footer: Some("filter"),
        help: "filter the list: every word must appear (namespace, name, service account, mechanism, status, link)",
        places: &[List],
    },
    Binding {
        action: Action::Prove,
        keys: &[Key::Char('p')],
        key_label: "p",
        footer: Some("prove"),
        help: "prove it: a short-lived token for the service account, exchanged with STS or EKS Auth for credentials (live clusters)",
        places: WORKLOAD,
    },
    Binding {
        action: Action::Fix,
        keys: &[Key::Char('f')],
        key_label: "f",
        footer: Some("fix"),
        help: "plan the fix of the workload (proven in memory) and show it to confirm: each step's object, before and after, and command",
        places: WORKLOAD,
    },
    Binding {
        action: Action::Undo,
        keys: &[Key::Char('u')],
        key_label: "u",
        footer: Some("undo"),
        help: "plan the undo of the last applied fix (from the journal) and show it to confirm (live clusters)",
        places: &[List, Chain, Detail],
    },
    Binding {
        action: Action::Migrate,
        keys: &[Key::Char('m')],
        key_label: "m",
        // Help only: the footer's room goes to the keys used on every visit.
        footer: None,
        help: "move the workload's service account from IRSA to EKS Pod Identity: plan stage 1 (a scoped Pod Identity trust statement, the association, a restart; IRSA stays as the fallback), or once stage 1 is done, --finalize (the annotation and the OIDC subject go); shows the pre-flight checks, the plan and its notes to confirm",
        places: WORKLOAD,
    },
    Binding {
        action: Action::Rollback,
        keys: &[Key::Char('M')],
        key_label: "M",
        footer: None,
        help: "plan the migration's rollback to IRSA from any stage (the association and the Pod Identity statement go, the annotation and the OIDC subject come back) and show it to confirm",
        places: WORKLOAD,
    },
    Binding {
        action: Action::Apply,
        keys: &[Key::Code(KeyCode::Enter)],
        key_label: "Enter",
        footer: Some("apply"),
        help: "apply the plan: each step journaled before it is made, stopping at the first failure, its progress shown step by step; then the chain is gathered again (live clusters)",
        places: &[Confirm],
    },
    Binding {
        action: Action::Back,
        keys: &[Key::Code(KeyCode::Esc), Key::Char('q')],
        key_label: "Esc",
        footer: Some("cancel"),
        help: "cancel: nothing is written (while applying: hide the progress; applying goes on)",
        places: &[Confirm],
    },
    // The setup wizard: letters are text, so only keys that cannot be text act.
    Binding {
        action: Action::Down,
        keys: &[Key::Code(KeyCode::Down), Key::Code(KeyCode::Tab)],
        key_label: "↑↓",
        footer: Some("move"),
        help: "the next field or option (on the review: scroll)",
        places: &[Wizard],
    },
    Binding {
        action: Action::Up,
        keys: &[Key::Code(KeyCode::Up), Key::Code(KeyCode::BackTab)],
        key_label: "↑",
        footer: None,
        help: "the field or option before",
        places: &[Wizard],
    },
    Binding {
        action: Action::Toggle,
        keys: &[Key::Char(' ')],
        key_label: "Space",
        footer: Some("choose"),
        help: "choose the option (tick a box, cycle S3 access); in a text field, a space",
        places: &[Wizard],
    },
    Binding {
        action: Action::Open,
        keys: &[Key::Code(KeyCode::Enter)],
        key_label: "Enter",
        footer: Some("next"),
        help: "check this screen and go on (on a choice: choose it and go on); on the review: apply the plan",
        places: &[Wizard],
    },
    Binding {
        action: Action::Back,
        keys: &[Key::Code(KeyCode::Esc)],
        key_label: "Esc",
        footer: Some("back"),
        help: "the screen before, keeping what was typed; on the first screen: close the wizard",
        places: &[Wizard],
    },
    Binding {
        action: Action::PageUp,
        keys: &[Key::Code(KeyCode::PageUp)],
        key_label: "PgUp",
        footer: None,
        help: "scroll the review a page up",
        places: &[Wizard],
    },
    Binding {
        action: Action::PageDown,
        keys: &[Key::Code(KeyCode::PageDown)],
        key_label: "PgDn",
        footer: None,
        help: "scroll the review a page down",
        places: &[Wizard],
    },
    Binding {
        action: Action::Copy,
        keys: &[Key::Char('y')],
        key_label: "y",
        footer: Some("cmds"),
        help: "show the equivalent kubectl/aws commands and copy them to the clipboard",
        places: WORKLOAD,
    },
    Binding {
        action: Action::Explain,
        keys: &[Key::Char('e')],
        key_label: "e",
        footer: Some("explain"),
        help: "explain the finding at the top of the detail pane: what it means, the errors you see, how to fix it by hand (as `kubectl irsa explain CODE`)",
        places: &[Chain, Detail],
    },
    Binding {
        action: Action::Sort,
        keys: &[Key::Char('s')],
        key_label: "s",
        footer: Some("sort"),
        help: "sort by the next column",
        places: &[List],
    },
    Binding {
        action: Action::BrokenFirst,
        keys: &[Key::Char('b')],
        key_label: "b",
        footer: None,
        help: "group broken workloads first (on/off)",
        places: &[List],
    },
    Binding {
        action: Action::Scope,
        keys: &[Key::Char('a')],
        key_label: "a",
        footer: Some("namespaces"),
        help: "switch between all namespaces and the selected workload's namespace",
        places: &[List],
    },
    Binding {
        action: Action::Refresh,
        keys: &[Key::Char('r')],
        key_label: "r",
        footer: Some("refresh"),
        help: "gather and diagnose again",
        places: BROWSE,
    },
    Binding {
        action: Action::Whole,
        keys: &[Key::Char('v')],
        key_label: "v",
        footer: Some("whole"),
        help: "view whole what the screen cuts: the selected link's findings and documents, a proof's answer, the last message, a failed load's error",
        places: &[List, Chain, Detail],
    },
    Binding {
        action: Action::Setup,
        keys: &[Key::Char('w')],
        key_label: "w",
        footer: Some("setup"),
        help: "set the workload's AWS access up in a wizard: mechanism, role, permissions, region; then review the plan, apply, restart and prove",
        places: WORKLOAD,
    },
    Binding {
        action: Action::Help,
        keys: &[Key::Char('?')],
        key_label: "?",
        footer: Some("help"),
        help: "this help",
        places: &[List, Chain, Detail],
    },
];

/// Whether `action` can do anything yet: before the first report only the ways out, help and
/// refresh can (update ignores the rest, the footer hides them).
pub fn usable(have_report: bool, action: Action) -> bool {
    have_report
        || matches!(
            action,
            Action::Refresh | Action::Back | Action::Quit | Action::Help | Action::Whole
        )
}

/// Every binding: [`BINDINGS`], then the dialogs' ([`super::keys_dialog::DIALOG_BINDINGS`]).
fn registry() -> impl Iterator<Item = &'static Binding> {
    BINDINGS.iter().chain(super::keys_dialog::DIALOG_BINDINGS)
}

/// The action `ev` means at `place`, if any.
pub fn lookup(place: Place, ev: &KeyEvent) -> Option<Action> {
    registry()
        .filter(|b| b.places.contains(&place))
        .find(|b| b.keys.iter().any(|k| k.matches(ev)))
        .map(|b| b.action)
}

/// All keys of a binding, as the help shows them.
pub fn keys_label(b: &Binding) -> String {
    b.keys
        .iter()
        .map(|k| k.label())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The bindings of `place`, in registry order (which is also the footer's priority: when
/// the footer is too narrow, the last ones go first).
pub fn at(place: Place) -> impl Iterator<Item = &'static Binding> {
    registry().filter(move |b| b.places.contains(&place))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    #[test]
    fn no_key_means_two_things_in_one_place() {
        for place in [
            List, Filter, Chain, Detail, Help, Commands, Reading, Confirm, Wizard,
        ] {
            let mut seen: Vec<(Key, Action)> = Vec::new();
            for b in at(place) {
                for k in b.keys {
                    if let Some((_, other)) = seen.iter().find(|(s, _)| s == k) {
                        assert_eq!(*other, b.action, "{k:?} is bound twice in {place:?}");
                    }
                    seen.push((*k, b.action));
                }
            }
        }
    }

    #[test]
    fn ctrl_c_quits_everywhere_and_plain_c_does_not() {
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        for place in [
            List, Filter, Chain, Detail, Help, Commands, Reading, Confirm, Wizard,
        ] {
            assert_eq!(lookup(place, &ctrl_c), Some(Action::Quit));
        }
        assert_eq!(lookup(List, &key('c')), None);
    }

    #[test]
    fn letters_are_text_while_filtering() {
        for c in [
            'j', 'k', 'q', 'h', 'l', 'r', 'p', 'y', 'e', 'v', 'f', 'u', '/', '?',
        ] {
            assert_eq!(lookup(Filter, &key(c)), None, "{c}");
        }
    }

    #[test]
    fn letters_are_text_in_the_wizard() {
        for c in 'a'..='z' {
            assert_eq!(lookup(Wizard, &key(c)), None, "{c}");
        }
        for c in ['-', '.', '/', ':', '*', '?', ','] {
            assert_eq!(lookup(Wizard, &key(c)), None, "{c}");
        }
        assert_eq!(lookup(Wizard, &key(' ')), Some(Action::Toggle));
        assert_eq!(lookup(List, &key('w')), Some(Action::Setup));
    }

    #[test]
    fn m_migrates_and_shift_m_rolls_back_on_a_workload() {
        for place in [List, Chain, Detail] {
            assert_eq!(lookup(place, &key('m')), Some(Action::Migrate));
            assert_eq!(lookup(place, &key('M')), Some(Action::Rollback));
        }
        assert_eq!(lookup(Filter, &key('m')), None);
        assert_eq!(lookup(Confirm, &key('m')), None);
    }

    #[test]
    fn the_list_and_the_chain_read_keys_differently() {
        assert_eq!(lookup(List, &key('/')), Some(Action::Filter));
        assert_eq!(lookup(Chain, &key('/')), None);
        assert_eq!(lookup(Chain, &key('h')), Some(Action::Back));
        assert_eq!(lookup(List, &key('h')), None);
    }
}
