//! Command-line front end: argument parsing (clap) and dispatch. Follows kubectl plugin
//! conventions: kubectl passes every argument after `irsa` through unchanged, so `--context`,
//! `-n`, `-A`, `-o` are parsed here. Each subcommand lives in its own file.

pub mod doctor;
pub mod dump;
pub mod policy_eval;
pub mod render_text;
pub mod source_args;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "kubectl-irsa",
    bin_name = "kubectl irsa",
    version,
    about = "Diagnose IRSA and EKS Pod Identity: walks pod -> service account -> annotation/association -> injection -> role -> OIDC provider/agent -> trust -> permissions and shows the first broken link",
    arg_required_else_help = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Diagnose workloads and print the chain, the first broken link and its fix.
    Doctor(doctor::DoctorArgs),
    /// Write what doctor reads as an offline bundle directory (kubectl and AWS CLI outputs).
    Dump(dump::DumpArgs),
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
        Command::Doctor(args) => doctor::run(&args),
        Command::Dump(args) => dump::run(&args),
        Command::Policy {
            command: PolicyCommand::Eval(args),
        } => policy_eval::run(&args),
    }
}
