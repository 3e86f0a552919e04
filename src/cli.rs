//! The command line, as clap derive types only; `run` turns them into work.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::config::FailOn;
use crate::ingest::Format;

/// bench-bot: catches performance regressions before they merge.
#[derive(Debug, Parser)]
#[command(name = "bench-bot", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compare a run with a baseline and report regressions (exit 1 when blocked).
    Analyze(AnalyzeArgs),
}

/// Output formats of `analyze`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// A table for people (the default on a terminal).
    Text,
    /// The JSON report, schema `bench-bot/report/v1`.
    Json,
    /// The markdown of the pull-request comment.
    Markdown,
}

/// When to colour text output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    /// On a terminal, unless NO_COLOR is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// `bench-bot analyze`.
#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// Result files or directories of the run under test (merged into one run).
    #[arg(required = true, value_name = "CURRENT")]
    pub current: Vec<PathBuf>,
    /// A baseline run; repeat for a history window, oldest first.
    #[arg(long, value_name = "PATH")]
    pub baseline: Vec<PathBuf>,
    /// The config file (default: .github/bench-bot.toml, then bench-bot.toml).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Output format (default: text on a terminal, text when piped too).
    #[arg(long, value_enum)]
    pub format: Option<OutputFormat>,
    /// Write the output to this file (atomically) instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Which regressions make the exit code 1, overriding the tiers' actions.
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub fail_on: Option<FailOn>,
    /// Read inputs as this format instead of detecting it.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format_in: Option<Format>,
    /// Colour for text output.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorArg,
}
