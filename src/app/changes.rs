//! `bench-bot changes`: the change points of every benchmark over the history branch or
//! over result files given oldest first.

use super::runs::{RunsRequest, load_runs};
use super::{Environment, Outcome, warn};
use crate::analysis::changes::find_changes;
use crate::analysis::matrix;
use crate::cli::{ChangesArgs, OutputFormat};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::fs::{print_stdout, write_atomic};
use crate::model::{Run, parse_time};
use crate::report::{ChangesReport, changes_markdown, changes_text};

/// `bench-bot changes`.
pub fn command(args: &ChangesArgs, env: &Environment) -> Result<Outcome> {
    let config = Config::discover(args.config.as_deref())?;
    let request = RunsRequest {
        files: &args.runs,
        history: args.history.as_deref(),
        branch: args.branch.as_deref(),
        repo: &args.repo,
        format_in: args.format_in,
        verb: "examine",
    };
    let (runs, warnings, origin) = load_runs(&request, &config, env)?;
    let source = match origin {
        Some(o) => format!(
            "runs of `{}` in the history branch `{}`",
            o.branch, o.history
        ),
        None => format!("{} result files", args.runs.len()),
    };
    let runs = one_suite(runs, args.suite.as_deref())?;
    // A matrix's entries recording into one suite interleave their levels.
    let mut warnings = warnings;
    warnings.extend(matrix::note(&runs, matrix::Runs::History));
    let since = match &args.since {
        Some(s) => Some(since_index(&runs, s)?),
        None => None,
    };
    // The text report on stdout lists its warnings itself.
    let text_on_stdout =
        args.output.is_none() && args.format.unwrap_or(OutputFormat::Text) == OutputFormat::Text;
    for w in warnings.iter().filter(|_| !text_on_stdout) {
        warn(w);
    }
    let source = match &args.suite {
        Some(s) => format!("{source}, suite `{s}`"),
        None => source,
    };
    let mut report = find_changes(&runs, &config, since, source);
    report.warnings = warnings;
    write(&report, args)?;
    Ok(Outcome::Pass)
}

/// The runs of one suite: `--suite`'s, or all when the history holds only one.
fn one_suite(runs: Vec<Run>, suite: Option<&str>) -> Result<Vec<Run>> {
    let name = |r: &Run| r.meta.suite.clone().unwrap_or_else(|| "default".into());
    let runs: Vec<Run> = match suite {
        Some(s) => runs.into_iter().filter(|r| name(r) == s).collect(),
        None => {
            let mut suites: Vec<String> = runs.iter().map(name).collect();
            suites.sort();
            suites.dedup();
            if suites.len() > 1 {
                return Err(Error::Usage(format!(
                    "the runs hold several suites ({}): pass --suite NAME, one at a time",
                    suites.join(", ")
                )));
            }
            runs
        }
    };
    if runs.is_empty() {
        return Err(Error::Usage(format!(
            "no runs of suite `{}` to examine",
            suite.unwrap_or("default")
        )));
    }
    Ok(runs)
}

/// The index of the first run `--since` names: a commit with a run (hex prefix of at
/// least 4 digits), else a date or RFC 3339 time.
fn since_index(runs: &[Run], since: &str) -> Result<usize> {
    let hex = since.len() >= 4 && since.chars().all(|c| c.is_ascii_hexdigit());
    if hex {
        let wanted = since.to_ascii_lowercase();
        if let Some(i) = runs.iter().position(|r| {
            r.meta
                .commit
                .as_deref()
                .is_some_and(|c| c.to_ascii_lowercase().starts_with(&wanted))
        }) {
            return Ok(i);
        }
    }
    let time = if since.len() == 10 {
        format!("{since}T00:00:00")
    } else {
        since.to_string()
    };
    let Some(at) = parse_time(&time) else {
        return Err(Error::Usage(format!(
            "--since {since}: neither a commit that has a run nor a date (YYYY-MM-DD or RFC 3339)"
        )));
    };
    runs.iter()
        .position(|r| r.meta.time().is_some_and(|t| t >= at))
        .ok_or_else(|| Error::Usage(format!("--since {since}: no run is that new")))
}

fn write(report: &ChangesReport, args: &ChangesArgs) -> Result<()> {
    let text = match args.format.unwrap_or(OutputFormat::Text) {
        OutputFormat::Text => changes_text(report),
        OutputFormat::Markdown => changes_markdown(report),
        OutputFormat::Json => {
            let mut s = serde_json::to_string_pretty(report)
                .map_err(|e| Error::Internal(format!("encoding the report: {e}")))?;
            s.push('\n');
            s
        }
    };
    match &args.output {
        Some(path) => write_atomic(path, text.as_bytes()),
        None => print_stdout(&text),
    }
}
