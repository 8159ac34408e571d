//! The keys of the dialogs that have a place of their own: the choices of an ambiguous fix
//! ([`super::keys::Place::Choose`]). Part of the one key registry (`keys` reads this table after its own):
//! the footer, the help and the update function see these bindings as any other.
//!
//! To add a dialog's key: one [`Binding`] here with its place, its arm where the dialog reads
//! keys (`choosing::on_choose_key` for the choices).

use ratatui::crossterm::event::KeyCode;

use super::keys::Place::Choose;
use super::keys::{Action, Binding, Key};

/// Among the choices: select one, then Enter plans the fix with it.
pub const DIALOG_BINDINGS: &[Binding] = &[
    Binding {
        action: Action::Up,
        keys: &[Key::Code(KeyCode::Up), Key::Char('k')],
        key_label: "↑↓",
        footer: Some("select"),
        help: "select the choice above",
        places: &[Choose],
    },
    Binding {
        action: Action::Down,
        keys: &[Key::Code(KeyCode::Down), Key::Char('j')],
        key_label: "↓/j",
        footer: None,
        help: "select the choice below",
        places: &[Choose],
    },
    Binding {
        action: Action::Pick,
        keys: &[
            Key::Char('1'),
            Key::Char('2'),
            Key::Char('3'),
            Key::Char('4'),
            Key::Char('5'),
            Key::Char('6'),
            Key::Char('7'),
            Key::Char('8'),
            Key::Char('9'),
        ],
        key_label: "1-9",
        footer: None,
        help: "select the choice with that number",
        places: &[Choose],
    },
    Binding {
        action: Action::Open,
        keys: &[Key::Code(KeyCode::Enter)],
        key_label: "Enter",
        footer: Some("plan it"),
        help: "plan the fix with the selected choice and show it to confirm (nothing is written yet)",
        places: &[Choose],
    },
    Binding {
        action: Action::Back,
        keys: &[Key::Code(KeyCode::Esc), Key::Char('q')],
        key_label: "Esc",
        footer: Some("cancel"),
        help: "cancel: nothing is planned or written",
        places: &[Choose],
    },
    Binding {
        action: Action::Quit,
        keys: &[Key::Ctrl('c')],
        key_label: "^c",
        footer: None,
        help: "quit",
        places: &[Choose],
    },
];

#[cfg(test)]
mod tests {
    use ratatui::crossterm::event::{KeyEvent, KeyModifiers};

    use super::*;
    use crate::tui::keys::{at, lookup};

    fn key(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    #[test]
    fn the_choices_take_arrows_digits_enter_and_esc() {
        let down = KeyEvent::new(KeyCode::Down, KeyModifiers::NONE);
        assert_eq!(lookup(Choose, &down), Some(Action::Down));
        assert_eq!(lookup(Choose, &key('k')), Some(Action::Up));
        for c in '1'..='9' {
            assert_eq!(lookup(Choose, &key(c)), Some(Action::Pick), "{c}");
        }
        assert_eq!(lookup(Choose, &key('0')), None);
        let enter = KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE);
        assert_eq!(lookup(Choose, &enter), Some(Action::Open));
        assert_eq!(lookup(Choose, &key('q')), Some(Action::Back));
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(lookup(Choose, &ctrl_c), Some(Action::Quit));
        // Nothing else: a stray letter neither applies nor plans anything else.
        assert_eq!(lookup(Choose, &key('f')), None);
        assert_eq!(lookup(Choose, &key('m')), None);
        assert_eq!(lookup(Choose, &key('y')), None);
        let mut seen: Vec<(Key, Action)> = Vec::new();
        for b in at(Choose) {
            for k in b.keys {
                if let Some((_, other)) = seen.iter().find(|(s, _)| s == k) {
                    assert_eq!(*other, b.action, "{k:?} is bound twice");
                }
                seen.push((*k, b.action));
            }
        }
    }
}
