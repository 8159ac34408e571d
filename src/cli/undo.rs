//! `kubectl irsa undo [ID | --last]`, `kubectl irsa history` and `kubectl irsa apply
//! PLAN_FILE`: the journal's side of fixes. Undo builds the inverse plan of an applied one
//! (`plan::undo`), refusing an object changed since (exit 5), and applies it as `fix` does;
//! apply takes a plan saved by `fix --dry-run -o json` and refuses (exit 5, nothing written)
//! when anything it touches changed since it was made.

use std::io::{Read, Write};
use std::path::PathBuf;

use clap::Args;
use serde::Deserialize;

use super::fix::{PlanOutput, apply_and_report, exit, print, say};
use super::render_plan::Outcome;
use super::source_args::SourceArgs;
use crate::app::fix::UndoPlanned;
use crate::app::{self, Source};
use crate::diagnose::Selection;
use crate::model::plan::{PLAN_SCHEMA_VERSION, Plan, PlanResult, Step};
use crate::writers::journal::Journal;

#[derive(Debug, Args)]
pub struct UndoArgs {
    /// The journal id of the plan to revert (`kubectl irsa history` lists them).
    #[arg(
        value_name = "ID",
        required_unless_present = "last",
        conflicts_with = "last"
    )]
    pub id: Option<String>,
    /// Revert the newest applied plan not reverted yet.
    #[arg(long)]
    pub last: bool,
    /// Print the undo plan and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Apply without asking.
    #[arg(long, short = 'y')]
    pub yes: bool,
    #[arg(short = 'o', long, value_enum, default_value_t = PlanOutput::Text)]
    pub output: PlanOutput,
    #[command(flatten)]
    pub source: SourceArgs,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value_t = PlanOutput::Text)]
    pub output: PlanOutput,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// A plan saved from `kubectl irsa fix --dry-run -o json` (`-` reads standard input).
    #[arg(value_name = "PLAN_FILE")]
    pub file: PathBuf,
    /// Apply without asking.
    #[arg(long, short = 'y')]
    pub yes: bool,
    #[arg(short = 'o', long, value_enum, default_value_t = PlanOutput::Text)]
    pub output: PlanOutput,
    #[command(flatten)]
    pub source: SourceArgs,
}

fn journal() -> Result<Journal, i32> {
    Journal::default_location().map_err(|e| {
        say(&format!("error: {e}"));
        exit::USAGE
    })
}

pub fn undo(args: &UndoArgs, read_only: bool) -> i32 {
    let journal = match journal() {
        Ok(j) => j,
        Err(code) => return code,
    };
    let Source::Live(opts) = args.source.source() else {
        say(
            "error: undo writes to a live cluster and account; --offline and --demo cannot be undone",
        );
        return exit::USAGE;
    };
    let selection = Selection {
        namespace: args.source.namespace_filter(),
        ..Selection::default()
    };
    let planned =
        match app::fix::plan_undo(&Source::Live(opts.clone()), &journal, args.id.as_deref()) {
            Ok(p) => p,
            Err(e) => {
                say(&format!("error: {e}"));
                return match e {
                    app::fix::FixError::App(a) => a.exit_code(),
                    _ => exit::USAGE,
                };
            }
        };
    let (plan, undoes) = match planned {
        UndoPlanned::Ready { plan, undoes } => (plan, undoes),
        UndoPlanned::NothingToUndo { undoes } => {
            say(&format!(
                "nothing to undo: plan {undoes} made no change that is still there"
            ));
            return exit::OK;
        }
        UndoPlanned::NotFound(message) => {
            say(&format!("error: {message}"));
            return exit::USAGE;
        }
        UndoPlanned::Changed(message) => {
            say(&format!("error: {message}; nothing written"));
            return exit::CONFLICT;
        }
        UndoPlanned::Impossible(message) => {
            say(&format!("error: {message}"));
            return exit::NO_SAFE_FIX;
        }
    };
    if args.dry_run || args.output.prints_only() {
        print(
            args.output,
            &plan,
            &Outcome::of(&plan, PlanResult::Planned),
            "\n--dry-run: nothing written\n",
            false,
        );
        return exit::OK;
    }
    if args.output == PlanOutput::Text {
        let mut out = anstream::stdout();
        let _ = write!(out, "{}", super::render_plan::text(&plan));
    }
    // Read (and diagnose again) where the plan's objects are, not only the context's namespace.
    let opts = app::fix::options_for_plan(&opts, &plan);
    let selection = Selection {
        namespace: opts.namespace.clone().filter(|_| !opts.all_namespaces),
        ..selection
    };
    apply_and_report(
        &opts,
        &plan,
        &selection,
        args.output,
        args.yes,
        read_only,
        Some(undoes),
    )
}

pub fn history(args: &HistoryArgs) -> i32 {
    let journal = match journal() {
        Ok(j) => j,
        Err(code) => return code,
    };
    let entries = match journal.list() {
        Ok(e) => e,
        Err(e) => {
            say(&format!("error: {e}"));
            return exit::USAGE;
        }
    };
    let mut out = anstream::stdout();
    let _ = match args.output {
        PlanOutput::Json => crate::terminal_text::json_pretty(&entries)
            .map_err(std::io::Error::other)
            .and_then(|s| writeln!(out, "{s}")),
        _ if entries.is_empty() => {
            writeln!(out, "no plans applied yet ({})", journal.dir().display())
        }
        _ => {
            let mut text = String::new();
            for e in &entries {
                let result = e
                    .result
                    .map(|r| format!("{r:?}").to_lowercase())
                    .unwrap_or_else(|| "interrupted".into());
                text.push_str(&format!(
                    "{}  {}  {}  {}  {}{}\n",
                    crate::terminal_text::line(&e.plan.id),
                    crate::terminal_text::line(&e.started_at),
                    result,
                    crate::model::words::count(e.plan.steps.len(), "step", "steps"),
                    crate::terminal_text::line(&e.plan.target),
                    e.undoes
                        .as_ref()
                        .map(|u| format!(" (undoes {})", crate::terminal_text::line(u)))
                        .unwrap_or_default()
                ));
            }
            write!(out, "{text}")
        }
    };
    exit::OK
}

/// The part of `fix --dry-run -o json` a plan file needs.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PlanFile {
    schema_version: u32,
    id: String,
    target: String,
    steps: Vec<Step>,
    #[serde(default)]
    recreate: Vec<crate::model::plan::Recreate>,
}

pub fn apply(args: &ApplyArgs, read_only: bool) -> i32 {
    let mut text = String::new();
    let read = if args.file.as_os_str() == "-" {
        std::io::stdin().read_to_string(&mut text).map(drop)
    } else {
        std::fs::read_to_string(&args.file).map(|t| text = t)
    };
    if let Err(e) = read {
        say(&format!("error: cannot read {}: {e}", args.file.display()));
        return exit::USAGE;
    }
    let file: PlanFile = match serde_json::from_str(&text) {
        Ok(f) => f,
        Err(e) => {
            say(&format!(
                "error: {} is not a plan saved by `kubectl irsa fix --dry-run -o json`: {e}",
                args.file.display()
            ));
            return exit::USAGE;
        }
    };
    if file.schema_version != PLAN_SCHEMA_VERSION {
        say(&format!(
            "error: the plan file has schemaVersion {}; this kubectl-irsa reads {PLAN_SCHEMA_VERSION}",
            file.schema_version
        ));
        return exit::USAGE;
    }
    if file.steps.is_empty() {
        say("nothing to apply: the plan has no steps");
        return exit::OK;
    }
    let plan = Plan {
        schema_version: file.schema_version,
        id: file.id,
        target: file.target,
        steps: file.steps,
        choices: Vec::new(),
        manual: None,
        recreate: file.recreate,
    };
    if args.output.prints_only() {
        print(
            args.output,
            &plan,
            &Outcome::of(&plan, PlanResult::Planned),
            "",
            false,
        );
        return exit::OK;
    }
    let Source::Live(opts) = args.source.source() else {
        say(
            "error: apply writes to a live cluster and account; it cannot apply to --offline or --demo",
        );
        return exit::USAGE;
    };
    if args.output == PlanOutput::Text {
        let mut out = anstream::stdout();
        let _ = write!(out, "{}", super::render_plan::text(&plan));
    }
    // Read (and diagnose again) where the plan's objects are.
    let opts = app::fix::options_for_plan(&opts, &plan);
    let selection = Selection {
        namespace: opts
            .namespace
            .clone()
            .filter(|_| !opts.all_namespaces)
            .or_else(|| args.source.namespace_filter()),
        ..Selection::default()
    };
    apply_and_report(
        &opts,
        &plan,
        &selection,
        args.output,
        args.yes,
        read_only,
        None,
    )
}
