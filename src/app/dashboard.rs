//! `bench-bot dashboard`: writes the chart page from the history branch or from files.

use super::runs::{RunsRequest, load_runs};
use super::{Environment, Outcome, warn};
use crate::cli::DashboardArgs;
use crate::config::Config;
use crate::error::{Error, Result};

/// `bench-bot dashboard`.
pub fn command(args: &DashboardArgs, env: &Environment) -> Result<Outcome> {
    let config = Config::discover(args.config.as_deref())?;
    let request = RunsRequest {
        files: &args.runs,
        history: args.history.as_deref(),
        branch: args.branch.as_deref(),
        repo: &args.repo,
        format_in: None,
        verb: "chart",
    };
    let (runs, warnings, origin) = load_runs(&request, &config, env)?;
    for w in warnings {
        warn(&w);
    }
    let title = match origin {
        Some(o) => format!("Benchmarks on {}", o.branch),
        None => "Benchmarks".to_string(),
    };
    if runs.is_empty() {
        return Err(Error::Usage(
            "no runs to chart: pass result files or --history BRANCH".into(),
        ));
    }
    let html = crate::dashboard::render(&runs, &config, args.repo_url.clone(), &title)?;
    crate::dashboard::write(&args.out, &html)?;
    eprintln!(
        "bench-bot: wrote {} ({} runs)",
        args.out.join("index.html").display(),
        runs.len()
    );
    Ok(Outcome::Pass)
}
