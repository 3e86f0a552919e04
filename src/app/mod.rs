//! The commands, one file each, on top of the library: each turns its parsed arguments
//! and the settled [`Environment`] into work and an [`Outcome`]. Only this layer reads
//! the environment and decides what is printed where.

mod ab;
pub mod action;
pub mod analyze;
mod changes;
mod comment;
mod dashboard;
pub mod env;
mod import;
mod record;
mod runs;

pub use env::Environment;

use crate::cli::{Cli, Command};
use crate::error::{Result, exit_code};

/// How a successful command ended, for the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing blocks.
    Pass,
    /// A regression blocks the merge.
    Blocked,
    /// Nothing was compared and `require_baseline = true`: the report is written, and
    /// the exit code is the error's.
    NothingCompared,
}

impl Outcome {
    /// The exit code of this outcome.
    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Pass => exit_code::PASS,
            Outcome::Blocked => exit_code::BLOCKED,
            Outcome::NothingCompared => exit_code::ERROR,
        }
    }

    /// `Blocked` when the report blocks the merge.
    pub fn of(blocked: bool) -> Outcome {
        if blocked {
            Outcome::Blocked
        } else {
            Outcome::Pass
        }
    }

    /// The outcome of a finished report: blocked, passed, or nothing compared when the
    /// config requires a baseline. Says on stderr why nothing was compared.
    pub fn of_report(report: &crate::report::Report, require_baseline: bool) -> Outcome {
        if report.verdict != crate::report::Verdict::Unknown {
            return Outcome::of(report.blocked);
        }
        let why = report
            .notes
            .first()
            .map_or("nothing was compared", String::as_str);
        if require_baseline {
            eprintln!("bench-bot: error: {why} (`require_baseline = true`)");
            Outcome::NothingCompared
        } else {
            warn(&format!("verdict unknown: {why}"));
            Outcome::Pass
        }
    }
}

/// Runs the command.
pub fn run(cli: Cli, env: &Environment) -> Result<Outcome> {
    match cli.command {
        Command::Analyze(args) => analyze::command(&args, env),
        Command::Record(args) => record::command(&args, env),
        Command::Import(args) => import::command(&args, env),
        Command::Action => action::run(env),
        Command::Dashboard(args) => dashboard::command(&args, env),
        Command::Comment(args) => comment::command(&args, env),
        Command::Ab(args) => ab::command(&args, env),
        Command::Changes(args) => changes::command(&args, env),
    }
}

/// Prints a warning on standard error.
pub(crate) fn warn(message: &str) {
    eprintln!("bench-bot: warning: {message}");
}
