//! The TUI's whole state. The update function is the only writer; rendering only reads it.
//! Nothing here does I/O or holds a handle to a source.

use std::collections::BTreeMap;

use super::dialog::{About, Progress};
use super::keys::Place;
use super::list_model::{ListModel, workload_ref};
use super::message::Scope;
use super::theme::Theme;
use crate::app::watched::{Stage, StageState};
use crate::model::plan::{Choice, Plan};
use crate::model::report::WorkloadReport;
use crate::model::workload::WorkloadRef;
use crate::model::{LinkName, Report, Status};

/// How long a toast stays, in ticks.
pub const TOAST_TICKS: u64 = 40;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Load {
    /// Gathering: each source's progress, in the order they started.
    Loading {
        stages: Vec<(Stage, StageState)>,
    },
    Ready,
    /// The last load failed; an older report may still be on screen.
    Failed(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Chain,
    Detail,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkloadView {
    pub workload: WorkloadRef,
    /// Index of the selected link in the workload's chain.
    pub link: usize,
    pub focus: Pane,
    /// First line of the detail pane on screen.
    pub scroll: u16,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    List,
    Workload(WorkloadView),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    Help {
        scroll: u16,
    },
    Commands {
        title: String,
        commands: Vec<CommandRow>,
        scroll: u16,
    },
    /// `e`: the explanation of `codes[index]`, one of the selected link's finding codes (in
    /// the detail pane's order); Tab shows the next.
    Explain {
        codes: Vec<&'static str>,
        index: usize,
        scroll: u16,
    },
    /// `v`: what the screen cut, whole, as it was when the key was pressed.
    Whole {
        lines: Vec<(Tone, String)>,
        scroll: u16,
    },
    /// `f`, `u`: a plan to confirm (Enter applies it, Esc drops it). `workload` is the one a
    /// fix was planned for; `undoes`, the journal id an undo plan reverts.
    Fix {
        plan: Box<Plan>,
        workload: Option<WorkloadRef>,
        undoes: Option<String>,
        scroll: u16,
        /// The choice the fix was planned with, if any.
        about: About,
        /// Once Enter was pressed: each step's progress, then the reload.
        progress: Option<Progress>,
    },
    /// `f` on an ambiguous fix: its choices, one selected; Enter plans the fix with it.
    Choose {
        workload: WorkloadRef,
        choices: Vec<Choice>,
        selected: usize,
        scroll: u16,
    },
}

impl Overlay {
    /// The first line of the overlay on screen.
    pub fn scroll_mut(&mut self) -> &mut u16 {
        match self {
            Overlay::Help { scroll }
            | Overlay::Commands { scroll, .. }
            | Overlay::Explain { scroll, .. }
            | Overlay::Whole { scroll, .. }
            | Overlay::Fix { scroll, .. }
            | Overlay::Choose { scroll, .. } => scroll,
        }
    }

    /// An explanation moves on to the link's next code (Tab), from its top.
    pub fn next_code(&mut self) {
        if let Overlay::Explain {
            codes,
            index,
            scroll,
        } = self
            && !codes.is_empty()
        {
            *index = (*index + 1) % codes.len();
            *scroll = 0;
        }
    }
}

/// How a line of a text overlay is drawn; the view wraps every kind but keeps the indentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Title,
    Heading,
    Text,
    /// An error text: AWS's, a failed source's, a proof's refusal.
    Error,
    /// A quoted message people see (in an explanation).
    Quote,
    /// A command or a document line: drawn as it is, continued on the next row when too long.
    Literal,
    Dim,
    Blank,
}

/// One line of the `y` box, as copied; what it is decides how it is drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandRow {
    /// A `# ` comment: where the commands come from, a fix's words.
    Comment(String),
    /// The `# writes: ...` comment before a command that changes something, so a copied
    /// script says which of its lines write before anyone runs it.
    Writes(String),
    /// A command line, quoted for the shell.
    Command(String),
}

impl CommandRow {
    /// The line as it is copied.
    pub fn text(&self) -> &str {
        match self {
            CommandRow::Comment(t) | CommandRow::Writes(t) | CommandRow::Command(t) => t,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToastLevel {
    Info,
    /// Something the user should act on that did not fail the action (AWS not read).
    Warning,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toast {
    pub text: String,
    pub level: ToastLevel,
    /// The tick after which it disappears.
    pub until: u64,
}

/// The fix or undo in the background (one at a time): planning (its answer opens the dialog),
/// or applying a confirmed plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fixing {
    Planning {
        id: u64,
        workload: Option<WorkloadRef>,
        /// The choice a fix is planned with (picked in [`Overlay::Choose`]).
        choice: Option<Choice>,
    },
    /// `plan_id` is the journal id it is applied under; `undoes`, the plan an undo reverts.
    Applying {
        id: u64,
        plan_id: String,
        steps: usize,
        undoes: Option<String>,
    },
}

impl Fixing {
    pub fn id(&self) -> u64 {
        match self {
            Fixing::Planning { id, .. } | Fixing::Applying { id, .. } => *id,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProofState {
    Running {
        id: u64,
    },
    /// STS answered; the text says how (assumed as ..., or its error).
    Done {
        text: String,
        ok: bool,
    },
    Failed(String),
}

#[derive(Debug, Clone)]
pub struct App {
    /// "embedded demo", the bundle directories, or "live".
    pub source_label: String,
    /// Whether the source is a live cluster (proofs are possible).
    pub live: bool,
    pub scope: Scope,
    /// The label selector (`-l`) the list is narrowed by, as the user wrote it.
    pub selector: Option<String>,
    /// The namespace a live run settled on, once known.
    pub resolved_namespace: Option<String>,
    /// Id of the newest load; results of older ones are dropped.
    pub generation: u64,
    /// Id of the newest proof request.
    pub proof_id: u64,
    pub load: Load,
    pub report: Option<Report>,
    /// The report is from the Kubernetes side only; AWS is still loading.
    pub partial: bool,
    /// A whole load has finished once: a later failure is a refresh's, not the first load's.
    pub loaded_once: bool,
    /// `--read-only`: plans are shown, never applied.
    pub read_only: bool,
    pub list: ListModel,
    /// Typing into the filter.
    pub filtering: bool,
    pub screen: Screen,
    pub overlay: Option<Overlay>,
    pub toast: Option<Toast>,
    pub proofs: BTreeMap<WorkloadRef, ProofState>,
    /// Id of the newest fix or undo request; answers to older ones are dropped.
    pub fix_id: u64,
    pub fixing: Option<Fixing>,
    pub tick: u64,
    pub width: u16,
    pub height: u16,
    pub theme: Theme,
    pub log_path: Option<String>,
    /// The setup wizard, drawn over the screen while open (`w`, `kubectl irsa setup`).
    pub wizard: Option<super::wizard::Wizard>,
    pub quit: bool,
}

impl App {
    pub fn new(source_label: impl Into<String>, live: bool, scope: Scope, theme: Theme) -> App {
        App {
            source_label: source_label.into(),
            live,
            scope,
            selector: None,
            resolved_namespace: None,
            generation: 0,
            proof_id: 0,
            load: Load::Loading { stages: Vec::new() },
            report: None,
            partial: false,
            loaded_once: false,
            read_only: false,
            list: ListModel::default(),
            filtering: false,
            screen: Screen::List,
            overlay: None,
            toast: None,
            proofs: BTreeMap::new(),
            fix_id: 0,
            fixing: None,
            tick: 0,
            width: 80,
            height: 24,
            theme,
            log_path: None,
            wizard: None,
            quit: false,
        }
    }

    pub fn loading(&self) -> bool {
        matches!(self.load, Load::Loading { .. })
    }

    /// Where keys are read now.
    pub fn place(&self) -> Place {
        if self.wizard.is_some() && self.overlay.is_none() {
            return Place::Wizard;
        }
        match (&self.overlay, &self.screen) {
            (Some(Overlay::Help { .. }), _) => Place::Help,
            (Some(Overlay::Commands { .. }), _) => Place::Commands,
            (Some(Overlay::Explain { .. } | Overlay::Whole { .. }), _) => Place::Reading,
            (Some(Overlay::Fix { .. }), _) => Place::Confirm,
            (Some(Overlay::Choose { .. }), _) => Place::Choose,
            (None, Screen::List) if self.filtering => Place::Filter,
            (None, Screen::List) => Place::List,
            (None, Screen::Workload(v)) if v.focus == Pane::Detail => Place::Detail,
            (None, Screen::Workload(_)) => Place::Chain,
        }
    }

    pub fn selected_workload(&self) -> Option<&WorkloadReport> {
        let report = self.report.as_ref()?;
        self.list
            .selected_index()
            .and_then(|i| report.workloads.get(i))
    }

    pub fn find_workload(&self, r: &WorkloadRef) -> Option<&WorkloadReport> {
        self.report.as_ref()?.workloads.iter().find(|w| w.is(r))
    }

    /// The workload the user is looking at: the open one, or the list's selection.
    pub fn current_workload(&self) -> Option<&WorkloadReport> {
        match &self.screen {
            Screen::Workload(v) => self.find_workload(&v.workload),
            Screen::List => self.selected_workload(),
        }
    }

    pub fn current_ref(&self) -> Option<WorkloadRef> {
        match &self.screen {
            Screen::Workload(v) => Some(v.workload.clone()),
            Screen::List => self.selected_workload().map(workload_ref),
        }
    }

    /// The link the chain cursor is on, in the open workload.
    pub fn current_link(&self) -> Option<LinkName> {
        let Screen::Workload(v) = &self.screen else {
            return None;
        };
        self.find_workload(&v.workload)?
            .links
            .get(v.link)
            .map(|l| l.link)
    }

    /// Whether a link shown as `unknown` may just not have arrived yet.
    pub fn awaiting(&self, status: Status) -> bool {
        status == Status::Unknown && self.loading()
    }

    pub fn scope_label(&self) -> String {
        let place = match &self.scope {
            Scope::All => "all namespaces".into(),
            Scope::Namespace(ns) => format!("namespace {ns}"),
            Scope::ContextNamespace => match &self.resolved_namespace {
                Some(ns) => format!("namespace {ns}"),
                None => "the context's namespace".into(),
            },
        };
        match &self.selector {
            Some(s) => format!("{place} with labels {s}"),
            None => place,
        }
    }
}

/// The chain position to open a workload at: the first broken link, else the first that is not
/// fine, else the start.
pub fn first_interesting_link(w: &WorkloadReport) -> usize {
    let find = |pred: &dyn Fn(Status) -> bool| w.links.iter().position(|l| pred(l.status));
    find(&|s| s == Status::Broken)
        .or_else(|| find(&|s| matches!(s, Status::Warning | Status::Unknown)))
        .unwrap_or(0)
}
