//! A fix plan for people and scripts: text (each step with its object, a `diff -u` of its
//! state before and after, the command and the command that undoes it), JSON (the plan, the
//! result and the diagnosis after), and a reviewed shell script of the same commands.
//! Everything read from a cluster or an account goes through `terminal_text`.

use serde::Serialize;

use crate::model::Report;
use crate::model::plan::{PLAN_SCHEMA_VERSION, Plan, PlanResult, Step};
use crate::terminal_text::{document, line};

/// What `fix`, `apply` and `undo` print as JSON.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Outcome<'a> {
    pub schema_version: u32,
    pub id: &'a str,
    pub target: &'a str,
    pub steps: &'a [Step],
    /// The ways to fix an ambiguous link (`--choice N`).
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub choices: &'a [crate::model::plan::Choice],
    /// Jobs and CronJobs to re-create by hand: no step restarts them.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub recreate: &'a [crate::model::plan::Recreate],
    pub result: PlanResult,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The diagnosis gathered afresh after applying.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diagnosis: Option<&'a Report>,
}

impl<'a> Outcome<'a> {
    pub fn of(plan: &'a Plan, result: PlanResult) -> Outcome<'a> {
        Outcome {
            schema_version: PLAN_SCHEMA_VERSION,
            id: &plan.id,
            target: &plan.target,
            steps: &plan.steps,
            choices: &plan.choices,
            recreate: &plan.recreate,
            result,
            reason: None,
            diagnosis: None,
        }
    }
}

/// The plan as text: a numbered step each, its diff and commands.
pub fn text(plan: &Plan) -> String {
    let mut out = format!(
        "plan {} for {}: {}\n",
        line(&plan.id),
        line(&plan.target),
        crate::model::words::count(plan.steps.len(), "step", "steps")
    );
    for (i, step) in plan.steps.iter().enumerate() {
        out.push_str(&format!(
            "\n{}. {} {} {}\n",
            i + 1,
            step.system_label(),
            line(&step.action),
            line(&crate::app::fix::describe(step))
        ));
        for l in crate::plan::diff::lines(step) {
            out.push_str(&format!("     {}\n", document(&l)));
        }
        out.push_str(&format!("   $ {}\n", line(&step.command.render())));
        if let Some(inv) = &step.inverse {
            out.push_str(&format!("   undo: $ {}\n", line(&inv.render())));
        }
    }
    out.push_str(&recreate_text(plan));
    out
}

/// The workloads the plan names for re-creation by hand, after its steps.
pub fn recreate_text(plan: &Plan) -> String {
    if plan.recreate.is_empty() {
        return String::new();
    }
    let mut out = String::from("\nthen re-create by hand (no step restarts these):\n");
    for r in &plan.recreate {
        out.push_str(&format!(
            "  {} {}/{}: {}\n   $ {}\n",
            line(&r.kind),
            line(&r.namespace),
            line(&r.name),
            line(&r.how),
            line(&r.command.render())
        ));
    }
    out
}

/// The plan as a shell script to review and run by hand.
pub fn shell(plan: &Plan) -> String {
    let mut out = format!(
        "#!/bin/sh\n# kubectl-irsa plan {} for {}: review each command before running it.\nset -eu\n",
        line(&plan.id),
        line(&plan.target)
    );
    for (i, step) in plan.steps.iter().enumerate() {
        out.push_str(&format!(
            "\n# {}. {} {}\n{}\n",
            i + 1,
            line(&step.action),
            line(&crate::app::fix::describe(step)),
            step.command.render()
        ));
    }
    for r in &plan.recreate {
        // Left commented: re-creating a Job needs its manifest, and a CronJob's run is the
        // user's call.
        out.push_str(&format!(
            "\n# then re-create {} {}/{}: {}\n# {}\n",
            line(&r.kind),
            line(&r.namespace),
            line(&r.name),
            line(&r.how),
            line(&r.command.render())
        ));
    }
    out
}

trait SystemLabel {
    fn system_label(&self) -> &'static str;
}

impl SystemLabel for Step {
    fn system_label(&self) -> &'static str {
        match self.system {
            crate::model::plan::System::Kubernetes => "kubernetes",
            crate::model::plan::System::Iam => "iam",
            crate::model::plan::System::Eks => "eks",
        }
    }
}
