//! The wizard's background work, run by the TUI's worker on its runtime through the service
//! layer only ([`crate::app::setup`]): reading a namespace's facts, and planning the setup.
//! Each answer is a [`Msg::Wizard`] with the id it was asked with.

use std::sync::mpsc::Sender;

use crate::app::Source;
use crate::app::background::Background;
use crate::app::setup;
use crate::plan::fix::FixOutcome;
use crate::tui::message::{Msg, Planned, WizardNews, WizardWork};

pub fn spawn(background: &Background, source: Source, work: WizardWork, tx: Sender<Msg>) {
    match work {
        WizardWork::Facts { id, namespace } => {
            tracing::info!(id, %namespace, "wizard facts");
            let read = async move {
                setup::facts_async(&source, &namespace)
                    .await
                    .map_err(|e| e.to_string())
            };
            let done = move |r: Result<Result<setup::SetupFacts, String>, String>| {
                let news = WizardNews::Facts(r.and_then(|r| r));
                let _ = tx.send(Msg::Wizard { id, news });
            };
            // Not kept for cancelling: only read, and a stale answer is dropped by its id.
            let _ = background.spawn("reading the wizard's choices", read, done);
        }
        WizardWork::Plan { id, request } => {
            let label = format!("setup {}/{}", request.namespace, request.service_account);
            tracing::info!(id, %label, "wizard plan");
            let plan = async move {
                let planned = setup::plan_async(&source, &request, &label)
                    .await
                    .map_err(|e| e.to_string())?;
                Ok(match planned.outcome {
                    FixOutcome::NothingToDo => Planned::Nothing(format!(
                        "nothing to do: {}/{} is set up this way already",
                        request.namespace, request.service_account
                    )),
                    FixOutcome::Ready { plan, .. } => Planned::Ready {
                        plan: Box::new(plan),
                        undoes: None,
                    },
                    FixOutcome::Manual { reasons } => Planned::Manual(reasons),
                    FixOutcome::NeedsChoice { choices } => Planned::Manual(
                        choices
                            .iter()
                            .map(|c| format!("{}. {}", c.number, c.meaning))
                            .collect(),
                    ),
                })
            };
            let done = move |r: Result<Result<Planned, String>, String>| {
                let news = WizardNews::Planned(r.and_then(|r| r));
                let _ = tx.send(Msg::Wizard { id, news });
            };
            let _ = background.spawn("planning the setup", plan, done);
        }
    }
}
