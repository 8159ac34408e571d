//! What the confirmation dialog ([`super::state::Overlay::Fix`]) holds beyond its plan: what
//! the plan is about (a fix, the fix with the choice the user picked on an ambiguous one).
//! State only, like `state`: the update function writes it, the view reads it.
//!
//! To show something new in the dialog: a variant or field here, set where the dialog opens
//! (`fixing`), drawn in `view::fix`.

use crate::model::plan::Choice;

/// What the plan in the dialog is about, beyond its steps.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum About {
    /// A fix (`f`) or an undo (`u`: the overlay's `undoes` names the plan it reverts).
    #[default]
    Plain,
    /// The fix of an ambiguous link with the choice the user picked (`f`, then a choice).
    Choice(Choice),
}

impl About {
    /// The command that prints the dialog's plan without writing (what to run where Enter
    /// cannot apply it): `kubectl irsa fix deploy/x -n ns --choice 2 --dry-run`.
    pub fn dry_run(&self, target: &str, namespace: Option<&str>) -> String {
        let namespace = namespace.map(|ns| format!(" -n {ns}")).unwrap_or_default();
        let choice = match self {
            About::Choice(c) => format!(" --choice {}", c.number),
            About::Plain => String::new(),
        };
        format!("kubectl irsa fix {target}{namespace}{choice} --dry-run")
    }

    /// What the dialog's title calls the plan: `fix`, `fix with choice 2`.
    pub fn name(&self) -> String {
        match self {
            About::Plain => "fix".to_string(),
            About::Choice(c) => format!("fix with choice {}", c.number),
        }
    }
}
