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
    /// Append a run to the history branch and push it (run on pushes to main).
    Record(RecordArgs),
    /// Migrate a github-action-benchmark history (data.js or JSON) into the history branch.
    Import(ImportArgs),
    /// The GitHub Action entrypoint: reads GITHUB_* and INPUT_* and does the right thing.
    Action,
    /// Write a self-contained chart page from the history branch (or from runs as files).
    Dashboard(DashboardArgs),
    /// Post or update the pull-request comment from a saved report (`--format json`).
    Comment(CommentArgs),
    /// Measure base and head on this machine in alternating rounds and compare them
    /// round by round (exit 1 when blocked).
    Ab(AbArgs),
    /// Find the runs where each benchmark's level changed, over the history branch or
    /// result files given oldest first.
    Changes(ChangesArgs),
}

/// `bench-bot changes`.
#[derive(Debug, Args)]
#[command(override_usage = "bench-bot changes [OPTIONS] [RUN]...")]
pub struct ChangesArgs {
    /// Runs as result files, oldest first (instead of the history branch).
    #[arg(value_name = "RUN", conflicts_with = "history")]
    pub runs: Vec<PathBuf>,
    /// Read the runs from this history branch (the default without RUN files:
    /// `bench-bot-data`, like `record`).
    #[arg(long, value_name = "BRANCH")]
    pub history: Option<String>,
    /// With --history: the branch whose runs to examine (default: main, or the one
    /// branch the history holds runs of when it has none of main).
    #[arg(long, value_name = "NAME")]
    pub branch: Option<String>,
    /// Only runs of this suite (needed when the history holds several).
    #[arg(long, value_name = "NAME")]
    pub suite: Option<String>,
    /// List only change points from this run on: a date (`2026-11-01`, RFC 3339) or a
    /// commit (hex prefix) that has a run; older runs still give the levels.
    #[arg(long, value_name = "DATE|COMMIT")]
    pub since: Option<String>,
    /// Output format: `text` (a table for people, the default), `json` (schema
    /// `bench-bot/changes/v1`) or `markdown` (the table for an issue or a job summary).
    #[arg(long, value_enum, hide_possible_values = true)]
    pub format: Option<OutputFormat>,
    /// Write the output to this file (atomically) instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The config file (`[changes]`, tiers, overrides).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Read RUN files as this format instead of detecting it.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format_in: Option<Format>,
    /// With --history: where the repository is.
    #[command(flatten)]
    pub repo: RepoArgs,
}

/// `bench-bot ab`. The usage line is fixed, as for `analyze`.
#[derive(Debug, Args)]
#[command(override_usage = "bench-bot ab [OPTIONS] --run <CMD>")]
pub struct AbArgs {
    /// The benchmark command, run through `sh -c` in each side's tree once per round;
    /// `{out}` (and $BENCH_BOT_OUT) is the result file or folder it must write, e.g.
    /// `pytest --benchmark-only --benchmark-json={out} -k '{filter}'`; `{filter}` is
    /// empty (everything) until extra rounds select the undecided benchmarks in the
    /// tool's syntax (pytest `-k`, a regex for criterion and Google Benchmark).
    #[arg(long, value_name = "CMD")]
    pub run: String,
    /// Run once in each side's tree before the rounds, e.g. `cargo bench --no-run`
    /// (not an editable `pip install -e .`: both sides would then import the tree
    /// installed last). A $CARGO_TARGET_DIR becomes one folder per side under it.
    #[arg(long, value_name = "CMD")]
    pub build: Option<String>,
    /// The base side (default: the merge-base of --head and the base branch).
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,
    /// The head side.
    #[arg(long, value_name = "REV", default_value = "HEAD")]
    pub head: String,
    /// The branch whose merge-base with --head is the default base (default:
    /// $GITHUB_BASE_REF, else the remote's default branch, else main).
    #[arg(long, value_name = "NAME")]
    pub base_branch: Option<String>,
    /// Exactly this many rounds (each runs both sides once); without it, as many as
    /// fit in two thirds of --time-budget (at least 3, at most 30), then more rounds of
    /// the undecided benchmarks while the budget lasts, up to 100 rounds in all (only
    /// them when --run has `{filter}`).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(2..=200))]
    pub rounds: Option<u32>,
    /// Time for the rounds (builds not counted), e.g. `10m`, `90s`.
    #[arg(long, value_name = "DURATION", default_value = "10m", value_parser = humantime::parse_duration)]
    pub time_budget: std::time::Duration,
    /// Read the results as this format instead of detecting it.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format_in: Option<Format>,
    /// The repository (any folder inside it).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub repo: PathBuf,
    /// The config file, the output and the gate.
    #[command(flatten)]
    pub report: ReportArgs,
}

/// The options of a command that writes a report: `analyze` and `ab`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The config file (default: .github/bench-bot.toml, then bench-bot.toml).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Output format (default: text).
    #[arg(long, value_enum)]
    pub format: Option<OutputFormat>,
    /// Write the output to this file (atomically) instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Which regressions make the exit code 1, overriding the tiers' actions.
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub fail_on: Option<FailOn>,
    /// Colour for text output.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorArg,
}

/// `bench-bot comment`.
#[derive(Debug, Args)]
pub struct CommentArgs {
    /// The saved report (schema bench-bot/report/v1).
    #[arg(long, value_name = "FILE")]
    pub report: PathBuf,
    /// The pull request to comment on.
    #[arg(long, value_name = "NUMBER")]
    pub pr: u64,
    /// The repository (default: $GITHUB_REPOSITORY).
    #[arg(long, value_name = "OWNER/NAME")]
    pub repository: Option<String>,
    /// The API (default: $GITHUB_API_URL, else `https://api.github.com`).
    #[arg(long, value_name = "URL")]
    pub api_url: Option<String>,
    /// The suite name, so that several suites keep one comment each.
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// The account whose comment is updated.
    #[arg(long, value_name = "LOGIN", default_value = "github-actions[bot]")]
    pub author: String,
    /// A minijinja template instead of the built-in comment.
    #[arg(long, value_name = "FILE")]
    pub template: Option<PathBuf>,
}

/// Where the history branch lives.
#[derive(Debug, Args)]
pub struct RepoArgs {
    /// The repository (any folder inside it).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub repo: PathBuf,
    /// The remote that holds the history branch (default: `origin` when the repository
    /// has it; a remote named here must exist).
    #[arg(long, value_name = "NAME")]
    pub remote: Option<String>,
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
    /// Always, even into a file or a pipe.
    Always,
    /// Never.
    Never,
}

/// `bench-bot analyze`. The usage line is fixed: clap's own would list the options
/// given on the failing command line as if they were required.
#[derive(Debug, Args)]
#[command(override_usage = "bench-bot analyze [OPTIONS] <CURRENT>...")]
pub struct AnalyzeArgs {
    /// Result files or directories of the run under test (merged into one run).
    #[arg(required = true, value_name = "CURRENT")]
    pub current: Vec<PathBuf>,
    /// A baseline run; repeat for a history window, oldest first.
    #[arg(long, value_name = "PATH", conflicts_with = "history")]
    pub baseline: Vec<PathBuf>,
    /// Take the baseline window from this git history branch instead.
    #[arg(long, value_name = "BRANCH")]
    pub history: Option<String>,
    /// With --history: the branch whose recorded runs are the baseline
    /// (default: $GITHUB_BASE_REF, else the remote's default branch, else main).
    #[arg(long, value_name = "NAME", requires = "history")]
    pub base_branch: Option<String>,
    /// With --history: only runs of this suite.
    #[arg(long, value_name = "NAME")]
    pub suite: Option<String>,
    /// With --history: where the repository is.
    #[command(flatten)]
    pub repo: RepoArgs,
    /// The config file, the output and the gate.
    #[command(flatten)]
    pub report: ReportArgs,
    /// Read inputs as this format instead of detecting it.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format_in: Option<Format>,
    /// A minijinja template for `--format markdown` instead of the built-in comment
    /// (context: docs/templates.md).
    #[arg(long, value_name = "FILE")]
    pub template: Option<PathBuf>,
}

/// `bench-bot record`.
#[derive(Debug, Args)]
#[command(override_usage = "bench-bot record [OPTIONS] <CURRENT>...")]
pub struct RecordArgs {
    /// Result files or directories of the run to record (merged into one run).
    #[arg(required = true, value_name = "CURRENT")]
    pub current: Vec<PathBuf>,
    /// The history branch.
    #[arg(long, value_name = "BRANCH", default_value = crate::history::DEFAULT_BRANCH)]
    pub history: String,
    /// The branch the run measured (default: $GITHUB_REF_NAME, else the checked-out branch).
    #[arg(long, value_name = "NAME")]
    pub branch: Option<String>,
    /// The commit the run measured (default: the run's own, else HEAD).
    #[arg(long, value_name = "SHA")]
    pub commit: Option<String>,
    /// A suite name, when several suites are recorded separately (each entry of a
    /// matrix of Python versions or systems, say).
    #[arg(long, value_name = "NAME")]
    pub suite: Option<String>,
    /// The config file (for `max_runs` and `max_input_size`).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Read inputs as this format instead of detecting it.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format_in: Option<Format>,
    /// Commit to the local history branch only; without it, a repository with no
    /// remote to push to is an error.
    #[arg(long)]
    pub no_push: bool,
    /// Where the repository is.
    #[command(flatten)]
    pub repo: RepoArgs,
}

/// `bench-bot import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// A github-action-benchmark `data.js` (or its JSON).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The history branch.
    #[arg(long, value_name = "BRANCH", default_value = crate::history::DEFAULT_BRANCH)]
    pub history: String,
    /// The branch the imported runs measured.
    #[arg(long, value_name = "NAME", default_value = "main")]
    pub branch: String,
    /// The config file (for `max_runs`).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Where the repository is.
    #[command(flatten)]
    pub repo: RepoArgs,
}

/// `bench-bot dashboard`.
#[derive(Debug, Args)]
#[command(override_usage = "bench-bot dashboard [OPTIONS] --out <DIR> [RUN]...")]
pub struct DashboardArgs {
    /// Runs as result files, oldest first (instead of the history branch).
    #[arg(value_name = "RUN", conflicts_with = "history")]
    pub runs: Vec<PathBuf>,
    /// The directory to write `index.html` into.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Read the runs from this history branch (the default without RUN files:
    /// `bench-bot-data`, like `record`).
    #[arg(long, value_name = "BRANCH")]
    pub history: Option<String>,
    /// With --history: the branch whose runs to chart (default: main, or the one
    /// branch the history holds runs of when it has none of main).
    #[arg(long, value_name = "NAME")]
    pub branch: Option<String>,
    /// Link commits to this repository URL (e.g. `https://github.com/owner/name`).
    #[arg(long, value_name = "URL")]
    pub repo_url: Option<String>,
    /// The config file (tiers and windows for the flagged points).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// With --history: where the repository is.
    #[command(flatten)]
    pub repo: RepoArgs,
}
