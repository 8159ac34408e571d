//! `kubectl irsa migrate [TARGET | -n NS | -A] [--finalize | --rollback]`: plan a stage of the
//! move from IRSA to EKS Pod Identity (`plan::migrate`), show the pre-flight checks, the plan
//! and why its order never leaves a pod without credentials, ask (or `--yes`), apply it like a
//! fix (journaled, undoable) and diagnose again. `--dry-run`, `-o shell|terraform`, `--offline`
//! and `--demo` only print. Exit codes as `fix`: 0 applied, nothing to do or printed; 2 bad
//! usage (or no terminal without `--yes`, or `--read-only`); 4 no safe automatic plan (a
//! pre-flight check blocks, a stage not reached); 5 conflict; 6 failed part-way.
//!
//! `-o json` is `fix`'s outcome (`render_plan::Outcome`) plus `preflight` and `notes`.

use std::io::Write;

use clap::Args;
use serde::Serialize;

use super::fix::{PlanOutput, exit, say};
use super::render_plan::{self, Outcome};
use super::source_args::{SourceArgs, TargetArgs};
use crate::app::{self, Source};
use crate::diagnose::Selection;
use crate::model::plan::{PLAN_SCHEMA_VERSION, Plan, PlanResult};
use crate::plan::fix::FixOutcome;
use crate::plan::migrate::{MigrateOutcome, Stage};
use crate::plan::migrate_preflight::{Check, CheckStatus};
use crate::terminal_text::{document, line};

#[derive(Debug, Args)]
pub struct MigrateArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// Stage 2, once stage 1 is proven: remove the role-arn annotation and this service
    /// account's subject from this cluster's OIDC trust statement, then restart.
    #[arg(long, conflicts_with = "rollback")]
    pub finalize: bool,
    /// Back to IRSA from any stage: delete the association and the Pod Identity statement,
    /// restore the annotation and the OIDC subject, restart.
    #[arg(long)]
    pub rollback: bool,
    /// Print the plan and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Apply without asking.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Output format: text, JSON (the plan, pre-flight checks, result and the diagnosis after),
    /// a shell script of its commands, or Terraform (shell and terraform only print).
    #[arg(short = 'o', long, value_enum, default_value_t = PlanOutput::Text)]
    pub output: PlanOutput,
    #[command(flatten)]
    pub source: SourceArgs,
}

/// `-o json`: fix's outcome plus the pre-flight checks and the notes.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MigrateJson<'a> {
    #[serde(flatten)]
    outcome: Outcome<'a>,
    preflight: &'a [Check],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    notes: &'a [String],
}

struct Shown<'a> {
    output: PlanOutput,
    preflight: &'a [Check],
    notes: &'a [String],
}

impl Shown<'_> {
    /// The pre-flight results, as text.
    fn checks(&self) -> String {
        if self.preflight.is_empty() {
            return String::new();
        }
        let mut out = String::from("pre-flight:\n");
        for c in self.preflight {
            let mark = match c.status {
                CheckStatus::Ok => "ok     ",
                CheckStatus::Warning => "warning",
                CheckStatus::Blocked => "BLOCKED",
            };
            out.push_str(&format!("  {mark} {}: {}\n", c.check, line(&c.message)));
        }
        out.push('\n');
        out
    }

    fn notes(&self) -> String {
        self.notes
            .iter()
            .map(|n| format!("note: {}\n", document(n)))
            .collect()
    }

    /// Prints `outcome` as asked; text is `extra` after the checks and the plan (or alone when
    /// they were shown already, before asking).
    fn print(&self, plan: &Plan, outcome: Outcome, extra: &str, shown: bool) {
        let mut out = anstream::stdout();
        let _ = match self.output {
            PlanOutput::Json => crate::terminal_text::json_pretty(&MigrateJson {
                outcome,
                preflight: self.preflight,
                notes: self.notes,
            })
            .map_err(std::io::Error::other)
            .and_then(|s| writeln!(out, "{s}")),
            PlanOutput::Shell => write!(out, "{}", render_plan::shell(plan)),
            PlanOutput::Terraform => write!(out, "{}", crate::plan::terraform::render(plan)),
            PlanOutput::Text if shown => write!(out, "{extra}"),
            PlanOutput::Text if plan.steps.is_empty() => {
                write!(out, "{}{extra}", self.checks())
            }
            PlanOutput::Text => write!(
                out,
                "{}{}\n{}{extra}",
                self.checks(),
                render_plan::text(plan),
                self.notes()
            ),
        };
    }
}

fn empty(target: &str, manual: Option<String>) -> Plan {
    Plan {
        schema_version: PLAN_SCHEMA_VERSION,
        id: String::new(),
        target: target.to_string(),
        steps: Vec::new(),
        choices: Vec::new(),
        manual,
        recreate: Vec::new(),
    }
}

pub fn run(args: &MigrateArgs, read_only: bool) -> i32 {
    let target = match args.target.target() {
        Ok(t) => t,
        Err(e) => {
            say(&format!("error: {e}"));
            return exit::USAGE;
        }
    };
    let stage = match (args.finalize, args.rollback) {
        (true, _) => Stage::Finalize,
        (_, true) => Stage::Rollback,
        _ => Stage::Start,
    };
    let source = args.source.source();
    let selection = Selection {
        namespace: args.source.namespace_filter(),
        target,
        selector: args.source.scope.selector.clone(),
        actions: Vec::new(),
    };
    let scope = match (
        args.target.target.is_empty(),
        args.source.scope.all_namespaces,
    ) {
        (false, _) => args.target.target.join(" "),
        (true, true) => "-A".to_string(),
        (true, false) => match &args.source.scope.namespace {
            Some(ns) => format!("-n {ns}"),
            None => "the current namespace".to_string(),
        },
    };
    let label = format!("migrate{} {scope}", stage.flag());
    let MigrateOutcome {
        outcome,
        preflight,
        notes,
    } = match app::migrate::plan(&source, &selection, stage, &label) {
        Ok(o) => o,
        Err(e) => {
            say(&format!("error: {e}"));
            return match e {
                app::fix::FixError::App(a) => a.exit_code(),
                _ => exit::USAGE,
            };
        }
    };
    let shown = Shown {
        output: args.output,
        preflight: &preflight,
        notes: &notes,
    };
    let plan = match outcome {
        FixOutcome::NothingToDo => {
            let plan = empty(&label, None);
            shown.print(
                &plan,
                Outcome::of(&plan, PlanResult::NothingToDo),
                "nothing to do: this stage of the migration is done already\n",
                false,
            );
            return exit::OK;
        }
        FixOutcome::Manual { reasons } => {
            let plan = empty(&label, Some(reasons.join("; ")));
            let reason = format!("no safe automatic plan: {}", reasons.join("; "));
            shown.print(
                &plan,
                Outcome {
                    reason: Some(reason.clone()),
                    ..Outcome::of(&plan, PlanResult::Planned)
                },
                &format!("{reason}\nnothing written\n"),
                false,
            );
            return exit::NO_SAFE_FIX;
        }
        FixOutcome::NeedsChoice { .. } => {
            say("error: the migration planner asked for a choice, which it never offers");
            return exit::NO_SAFE_FIX;
        }
        FixOutcome::Ready { plan, .. } => plan,
    };
    match (&source, args.dry_run || args.output.prints_only()) {
        (Source::Live(opts), false) => {
            if args.output == PlanOutput::Text {
                shown.print(&plan, Outcome::of(&plan, PlanResult::Planned), "", false);
            }
            apply(&shown, opts, &plan, &selection, args.yes, read_only)
        }
        _ => {
            shown.print(
                &plan,
                Outcome::of(&plan, PlanResult::Planned),
                if matches!(source, Source::Live(_)) {
                    "\n--dry-run: nothing written\n"
                } else {
                    "\nplanned on a bundle: run `kubectl irsa migrate` on the live cluster to apply it\n"
                },
                false,
            );
            exit::OK
        }
    }
}

/// Asks (or `--yes`), applies `plan` live through the journal, and prints the outcome, as
/// `fix` does, with the pre-flight checks and notes kept in the output.
fn apply(
    shown: &Shown,
    opts: &crate::sources::live::LiveOptions,
    plan: &Plan,
    selection: &Selection,
    yes: bool,
    read_only: bool,
) -> i32 {
    let printer = |plan: &Plan, outcome: Outcome, extra: &str, done: bool| {
        shown.print(plan, outcome, extra, done)
    };
    super::fix::apply_and_report_with(
        &super::fix::Applying {
            opts,
            plan,
            selection,
            yes,
            read_only,
            undoes: None,
            hint: ", `kubectl irsa migrate --rollback` goes back to IRSA",
        },
        &printer,
    )
}
