//! Command-line front end: argument parsing (clap) and dispatch. Follows kubectl plugin
//! conventions: kubectl passes every argument after `irsa` through unchanged, so `--context`,
//! `-n`, `-A`, `-l`, `-o` are parsed here. Each subcommand lives in its own file. Without a
//! subcommand the terminal UI opens (`tui.rs`).

pub mod action_args;
pub mod doctor;
pub mod dump;
pub mod explain;
pub mod fix;
pub mod migrate;
pub mod policy_eval;
pub mod render_plan;
pub mod render_text;
pub mod setup;
pub mod source_args;
pub mod tui;
pub mod undo;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "kubectl-irsa",
    bin_name = "kubectl irsa",
    version,
    about = "Diagnose IRSA and EKS Pod Identity: walks pod -> service account -> annotation/association -> injection -> role -> OIDC provider/agent -> trust -> permissions and shows the first broken link",
    long_about = "Diagnose IRSA and EKS Pod Identity: walks pod -> service account -> annotation/association -> injection -> role -> OIDC provider/agent -> trust -> permissions and shows the first broken link.\n\nWithout a subcommand, opens the terminal UI on the current context (or --offline DIR, or --demo); `kubectl irsa tui TARGET` opens it on one workload. `kubectl irsa demo` opens it on the embedded demo cluster.",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Where facts come from, for the terminal UI.
    #[command(flatten)]
    pub source: source_args::SourceArgs,
    #[command(flatten)]
    pub tui: tui::TuiArgs,
    /// Refuse every write (fix, apply, undo print their plans and write nothing).
    #[arg(long, global = true)]
    pub read_only: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the terminal UI on the demo cluster embedded in the binary (no cluster needed).
    Demo(tui::DemoArgs),
    /// Open the terminal UI, as without a subcommand, optionally on one target.
    Tui(tui::TuiCommandArgs),
    /// Diagnose workloads and print the chain, the first broken link and its fix.
    Doctor(doctor::DoctorArgs),
    /// Write what doctor reads as an offline bundle directory (kubectl and AWS CLI outputs).
    Dump(dump::DumpArgs),
    /// Explain a finding code (what it means, the errors you see, how to fix it by hand); without
    /// a code, list them all.
    Explain(explain::ExplainArgs),
    /// Plan the fix of a workload's broken links, show it, and apply it (journaled, undoable).
    Fix(fix::FixArgs),
    /// Set a workload's AWS access up: service account, role, permissions, association or
    /// annotation, restart (a plan, shown and applied like a fix).
    Setup(setup::SetupArgs),
    /// Move service accounts from IRSA to EKS Pod Identity in stages: stage 1 (Pod Identity
    /// alongside IRSA), `--finalize` (IRSA removed), `--rollback` (back to IRSA); each stage is
    /// a plan applied like fix's (journaled, undoable).
    Migrate(migrate::MigrateArgs),
    /// Apply a plan saved with `fix --dry-run -o json`, if nothing it touches changed since.
    Apply(undo::ApplyArgs),
    /// Revert an applied plan from the journal.
    Undo(undo::UndoArgs),
    /// List the journal of applied plans.
    History(undo::HistoryArgs),
    /// IAM policy tools.
    Policy {
        #[command(subcommand)]
        command: PolicyCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Evaluate IAM policies offline against a request (JSON in, decision out).
    Eval(policy_eval::PolicyEvalArgs),
}

/// Parses the process arguments and runs; returns the exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                crate::model::report::exit::USAGE
            } else {
                0
            };
            let _ = e.print();
            return code;
        }
    };
    match cli.command {
        None => tui::run(&cli.source, &cli.tui, cli.read_only),
        Some(Command::Demo(args)) => tui::run_demo(&args),
        Some(Command::Tui(args)) => tui::run_command(&args, cli.read_only),
        Some(Command::Doctor(args)) => doctor::run(&args),
        Some(Command::Dump(args)) => dump::run(&args),
        Some(Command::Explain(args)) => explain::run(&args),
        Some(Command::Fix(args)) => fix::run(&args, cli.read_only),
        Some(Command::Setup(args)) => setup::run(&args, cli.read_only),
        Some(Command::Migrate(args)) => migrate::run(&args, cli.read_only),
        Some(Command::Apply(args)) => undo::apply(&args, cli.read_only),
        Some(Command::Undo(args)) => undo::undo(&args, cli.read_only),
        Some(Command::History(args)) => undo::history(&args),
        Some(Command::Policy {
            command: PolicyCommand::Eval(args),
        }) => policy_eval::run(&args),
    }
}
