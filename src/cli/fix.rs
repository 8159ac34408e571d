//! `kubectl irsa fix TARGET`: plan the fix of what the doctor finds broken (proven in memory),
//! show it, ask (or `--yes`), apply it live with every step journaled, and diagnose again.
//! `--dry-run`, `--offline` and `--demo` only print the plan. Exit codes (README): 0 applied,
//! nothing to do or printed; 2 bad usage (or a write refused without a terminal or with
//! `--read-only`); 4 no safe automatic fix; 5 conflict, nothing written; 6 failed part-way.

use std::io::{BufRead, IsTerminal, Write};

use clap::{Args, ValueEnum};

use super::render_plan::{self, Outcome};
use super::source_args::{ActionArgs, SourceArgs, TargetArgs};
use crate::app::{self, Source};
use crate::diagnose::Selection;
use crate::model::plan::{Plan, PlanResult};
use crate::plan::fix::FixOutcome;
use crate::writers::journal::Journal;

pub mod exit {
    pub use crate::model::report::exit::{OK, USAGE};
    pub const NO_SAFE_FIX: i32 = 4;
    pub const CONFLICT: i32 = 5;
    pub const FAILED_PART_WAY: i32 = 6;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanOutput {
    Text,
    Json,
    /// The plan's commands as a script to review and run by hand (prints; applies nothing).
    Shell,
    /// The plan as resources of the aws and kubernetes providers, existing objects as
    /// `import` blocks (prints; applies nothing).
    Terraform,
}

impl PlanOutput {
    /// Shell and Terraform hand the plan to the user's own tools: they only print it.
    pub fn prints_only(self) -> bool {
        matches!(self, PlanOutput::Shell | PlanOutput::Terraform)
    }
}

#[derive(Debug, Args)]
pub struct FixArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    #[command(flatten)]
    pub needs: ActionArgs,
    /// Pick choice N of an ambiguous fix (the plan lists them).
    #[arg(long, value_name = "N")]
    pub choice: Option<usize>,
    /// Print the plan and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Apply without asking.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Output format: the plan as text, JSON (with the result and the diagnosis after), a
    /// shell script of its commands, or Terraform (shell and terraform only print the plan).
    #[arg(short = 'o', long, value_enum, default_value_t = PlanOutput::Text)]
    pub output: PlanOutput,
    #[command(flatten)]
    pub source: SourceArgs,
}

pub fn say(message: &str) {
    let mut err = anstream::stderr();
    let _ = writeln!(err, "{}", crate::terminal_text::document(message));
}

/// Prints `outcome` as asked. Text is `extra` after the plan, or `extra` alone when the plan
/// was shown already (before asking).
pub fn print(output: PlanOutput, plan: &Plan, outcome: &Outcome, extra: &str, shown: bool) {
    let mut out = anstream::stdout();
    let _ = match output {
        PlanOutput::Json => crate::terminal_text::json_pretty(outcome)
            .map_err(std::io::Error::other)
            .and_then(|s| writeln!(out, "{s}")),
        PlanOutput::Shell => write!(out, "{}", render_plan::shell(plan)),
        PlanOutput::Terraform => write!(out, "{}", crate::plan::terraform::render(plan)),
        PlanOutput::Text if shown || (plan.steps.is_empty() && plan.recreate.is_empty()) => {
            write!(out, "{extra}")
        }
        PlanOutput::Text => write!(out, "{}{extra}", render_plan::text(plan)),
    };
}

/// Asks on the terminal; `None` when there is no terminal to ask on.
pub fn confirm(question: &str) -> Option<bool> {
    if !std::io::stdin().is_terminal() {
        return None;
    }
    let mut err = anstream::stderr();
    let _ = write!(err, "{question} [y/N] ");
    let _ = err.flush();
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer).ok()?;
    Some(matches!(answer.trim(), "y" | "Y" | "yes" | "Yes" | "YES"))
}

/// Applies `plan` (already shown) live and prints the outcome; returns the exit code.
pub fn apply_and_report(
    opts: &crate::sources::live::LiveOptions,
    plan: &Plan,
    selection: &Selection,
    output: PlanOutput,
    yes: bool,
    read_only: bool,
    undoes: Option<String>,
) -> i32 {
    let printer = |plan: &Plan, outcome: Outcome, extra: &str, shown: bool| {
        print(output, plan, &outcome, extra, shown)
    };
    apply_and_report_with(
        &Applying {
            opts,
            plan,
            selection,
            yes,
            read_only,
            undoes,
            hint: "",
        },
        &printer,
    )
}

/// What [`apply_and_report_with`] applies, and how.
pub struct Applying<'a> {
    pub opts: &'a crate::sources::live::LiveOptions,
    pub plan: &'a Plan,
    pub selection: &'a Selection,
    pub yes: bool,
    pub read_only: bool,
    /// The journal id of the plan this one undoes.
    pub undoes: Option<String>,
    /// Words after "`kubectl irsa undo ID` reverts it" (another way back).
    pub hint: &'a str,
}

/// [`apply_and_report`] printing through `printer` (a command whose output carries more than
/// the plan, as `migrate`'s pre-flight checks).
pub fn apply_and_report_with(a: &Applying, printer: &dyn Fn(&Plan, Outcome, &str, bool)) -> i32 {
    let Applying {
        opts,
        plan,
        selection,
        yes,
        read_only,
        ref undoes,
        hint,
    } = *a;
    if read_only {
        say(
            "error: --read-only: nothing is written (drop --read-only, or use --dry-run to see the plan)",
        );
        return exit::USAGE;
    }
    if !yes {
        let question = format!(
            "Apply {} to the cluster and the AWS account?",
            crate::model::words::count(plan.steps.len(), "step", "steps")
        );
        match confirm(&question) {
            None => {
                say("error: not applying without a terminal to ask on: pass --yes (or --dry-run)");
                return exit::USAGE;
            }
            Some(false) => {
                printer(
                    plan,
                    Outcome {
                        reason: Some("declined".into()),
                        ..Outcome::of(plan, PlanResult::Declined)
                    },
                    "\ndeclined: nothing written\n",
                    true,
                );
                return exit::OK;
            }
            Some(true) => {}
        }
    }
    let journal = match Journal::default_location() {
        Ok(j) => j,
        Err(e) => {
            say(&format!("error: {e}"));
            return exit::USAGE;
        }
    };
    match app::fix::apply(opts, plan, selection, &journal, undoes.clone()) {
        Err(e) => {
            say(&format!("error: {e}"));
            exit::FAILED_PART_WAY
        }
        Ok(applied) => {
            let result = applied.result();
            let (reason, after, code, words) = match &applied {
                app::fix::Applied::Done { after } => (
                    None,
                    Some(after.as_ref()),
                    exit::OK,
                    // The Jobs to re-create are repeated: the diagnosis after shows their old
                    // pods until they are.
                    format!(
                        "\napplied {} (journal {}; `kubectl irsa undo {}` reverts it{hint})\n{}{}",
                        crate::model::words::count(plan.steps.len(), "step", "steps"),
                        plan.id,
                        plan.id,
                        render_plan::recreate_text(plan),
                        super::render_text::render(after, false)
                    ),
                ),
                app::fix::Applied::Conflict { reason, .. } => (
                    Some(reason.clone()),
                    None,
                    exit::CONFLICT,
                    format!("\nconflict, nothing written: {reason}\n"),
                ),
                app::fix::Applied::Failed { step, reason } => (
                    Some(format!("step {} failed: {reason}", step + 1)),
                    None,
                    exit::FAILED_PART_WAY,
                    format!(
                        "\nstep {} failed: {reason}\n{} applied before it; `kubectl irsa undo {}` reverts them\n",
                        step + 1,
                        crate::model::words::count(*step, "step was", "steps were"),
                        plan.id
                    ),
                ),
            };
            printer(
                plan,
                Outcome {
                    reason,
                    diagnosis: after,
                    ..Outcome::of(plan, result)
                },
                &words,
                true,
            );
            code
        }
    }
}

/// The plan printed when there is nothing to apply: nothing to do, no safe automatic fix
/// (`manual`), or a choice to make.
fn no_steps(
    target: &str,
    choices: Vec<crate::model::plan::Choice>,
    manual: Option<String>,
) -> Plan {
    Plan {
        schema_version: crate::model::plan::PLAN_SCHEMA_VERSION,
        id: String::new(),
        target: target.to_string(),
        steps: Vec::new(),
        choices,
        manual,
        recreate: Vec::new(),
    }
}

pub fn run(args: &FixArgs, read_only: bool) -> i32 {
    let actions = match args.needs.requested() {
        Ok(a) => a,
        Err(e) => {
            say(&format!("error: {e}"));
            return exit::USAGE;
        }
    };
    let target = match args.target.target() {
        Ok(Some(t)) => t,
        Ok(None) => {
            say(
                "error: fix needs a TARGET (deploy/NAME, sa/NAME, ...): a plan changes one workload's chain at a time",
            );
            return exit::USAGE;
        }
        Err(e) => {
            say(&format!("error: {e}"));
            return exit::USAGE;
        }
    };
    let source = args.source.source();
    let selection = Selection {
        namespace: args.source.namespace_filter(),
        target: Some(target),
        selector: args.source.scope.selector.clone(),
        actions,
    };
    let label = args.target.target.join(" ");
    let outcome = match app::fix::plan_with_choice(&source, &selection, &label, args.choice) {
        Ok(o) => o,
        Err(e) => {
            say(&format!("error: {e}"));
            return match e {
                app::fix::FixError::App(a) => a.exit_code(),
                _ => exit::USAGE,
            };
        }
    };
    present(
        outcome,
        &Presented {
            label: &label,
            source: &source,
            selection: &selection,
            output: args.output,
            dry_run: args.dry_run,
            yes: args.yes,
            choice: args.choice,
            read_only,
        },
    )
}

/// How a planned outcome is shown and applied: the options `fix`, `setup` and `migrate` share.
pub struct Presented<'a> {
    /// The target as the user wrote it (the plan's `target`).
    pub label: &'a str,
    pub source: &'a Source,
    /// What to diagnose again after applying.
    pub selection: &'a Selection,
    pub output: PlanOutput,
    pub dry_run: bool,
    pub yes: bool,
    pub choice: Option<usize>,
    pub read_only: bool,
}

/// Prints a planner's outcome and, live and without `--dry-run`, asks and applies it; returns
/// the exit code (README "Exit codes").
pub fn present(outcome: FixOutcome, p: &Presented) -> i32 {
    let label = p.label;
    let plan = match outcome {
        FixOutcome::NothingToDo => {
            let empty = no_steps(label, Vec::new(), None);
            print(
                p.output,
                &empty,
                &Outcome::of(&empty, PlanResult::NothingToDo),
                "nothing to do: no link is broken\n",
                false,
            );
            return exit::OK;
        }
        FixOutcome::Manual { reasons } => {
            let empty = no_steps(label, Vec::new(), Some(reasons.join("; ")));
            let reason = format!("no safe automatic fix: {}", reasons.join("; "));
            print(
                p.output,
                &empty,
                &Outcome {
                    reason: Some(reason.clone()),
                    ..Outcome::of(&empty, PlanResult::Planned)
                },
                &format!("{reason}\nnothing written\n"),
                false,
            );
            return exit::NO_SAFE_FIX;
        }
        FixOutcome::NeedsChoice { choices } => {
            let listed: Vec<String> = choices
                .iter()
                .map(|c| format!("  {}. {}", c.number, c.meaning))
                .collect();
            let empty = no_steps(label, choices, None);
            let reason = match p.choice {
                Some(n) => format!("--choice {n} is not one of the choices listed"),
                None => "the right fix is ambiguous: pick one with --choice N".to_string(),
            };
            print(
                p.output,
                &empty,
                &Outcome {
                    reason: Some(reason.clone()),
                    choices: &empty.choices,
                    ..Outcome::of(&empty, PlanResult::Planned)
                },
                &format!("{reason}\n{}\nnothing written\n", listed.join("\n")),
                false,
            );
            return if p.choice.is_some() {
                exit::USAGE
            } else {
                exit::NO_SAFE_FIX
            };
        }
        FixOutcome::Ready { plan, .. } => plan,
    };
    if plan.steps.is_empty() {
        // Only Jobs to re-create by hand (the identity is already right): nothing to write.
        print(
            p.output,
            &plan,
            &Outcome::of(&plan, PlanResult::Planned),
            "\nnothing to write: re-create the workloads above by hand\n",
            false,
        );
        return exit::OK;
    }
    match (p.source, p.dry_run || p.output.prints_only()) {
        (Source::Live(opts), false) => {
            // Text: the plan is shown before asking; the outcome follows it.
            if p.output == PlanOutput::Text {
                let mut out = anstream::stdout();
                let _ = write!(out, "{}", render_plan::text(&plan));
            }
            apply_and_report(opts, &plan, p.selection, p.output, p.yes, p.read_only, None)
        }
        _ => {
            print(
                p.output,
                &plan,
                &Outcome::of(&plan, PlanResult::Planned),
                if matches!(p.source, Source::Live(_)) {
                    "\n--dry-run: nothing written\n"
                } else {
                    "\nplanned on a bundle: run the same command on the live cluster to apply it (or save -o json and `kubectl irsa apply` it there)\n"
                },
                false,
            );
            exit::OK
        }
    }
}
