//! `bench-bot dashboard`: writes the chart page from the history branch or from files.

use super::analyze::load_options;
use super::{Environment, Outcome, warn};
use crate::cli::DashboardArgs;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::history::HistoryRepo;
use crate::ingest;

/// `bench-bot dashboard`.
pub fn command(args: &DashboardArgs, env: &Environment) -> Result<Outcome> {
    let config = Config::discover(args.config.as_deref())?;
    let history = match (&args.history, args.runs.is_empty()) {
        (Some(branch), _) => Some(branch.as_str()),
        (None, true) => Some(crate::history::DEFAULT_BRANCH),
        (None, false) => None,
    };
    let (runs, title) = match history {
        Some(branch) => {
            let repo =
                HistoryRepo::open_named(&args.repo.repo, branch, args.repo.remote.as_deref())?
                    .with_token(env.github.token.clone());
            let (runs, warnings) = repo.all_runs(&args.branch)?;
            if runs.is_empty() {
                return Err(Error::Usage(format!(
                    "no runs to chart: the history branch `{branch}` has no runs of `{}` \
                     (pass --branch NAME, or result files)",
                    args.branch
                )));
            }
            for w in warnings {
                warn(&w);
            }
            (runs, format!("Benchmarks on {}", args.branch))
        }
        None => {
            let (runs, warnings) = ingest::load_each(&args.runs, &load_options(&config, None))?;
            for w in warnings {
                warn(&w);
            }
            (runs, "Benchmarks".to_string())
        }
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
