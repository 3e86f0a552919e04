//! `bench-bot record`: appends a run to the history branch and pushes it.

use super::analyze::load_options;
use super::{Environment, Outcome, warn};
use crate::cli::RecordArgs;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::history::{HistoryRepo, RecordOptions};
use crate::ingest;

/// How runs are recorded under `config`.
pub fn record_options(config: &Config) -> RecordOptions {
    RecordOptions {
        max_runs: config.max_runs,
        ..RecordOptions::default()
    }
}

/// `bench-bot record`.
pub fn command(args: &RecordArgs, env: &Environment) -> Result<Outcome> {
    let config = Config::discover(args.config.as_deref())?;
    let options = load_options(&config, args.format_in);
    let loaded = ingest::load_all(&args.current, &options)?;
    for w in &loaded.warnings {
        warn(w);
    }
    let mut repo =
        HistoryRepo::open_named(&args.repo.repo, &args.history, args.repo.remote.as_deref())?
            .with_token(env.github.token.clone());
    // Checked before anything is written: a run that silently stays on this machine
    // is a run the next pull request never sees.
    if args.no_push {
        repo = repo.without_remote();
    } else if !repo.has_remote() {
        return Err(Error::Usage(format!(
            "cannot push the history branch `{}`: the repository has no remote `{}`; pass \
             --remote NAME, or --no-push to record on this machine only",
            args.history,
            args.repo.remote.as_deref().unwrap_or("origin")
        )));
    }
    let mut run = loaded.run;
    let head = repo.git().head().ok();
    if let Some(commit) = &args.commit {
        run.meta.commit = Some(commit.clone());
    } else if run.meta.commit.is_none() {
        run.meta.commit = head
            .as_ref()
            .and_then(|h| h.target())
            .map(|o| o.to_string());
    }
    if args.suite.is_some() {
        run.meta.suite = args.suite.clone();
    }
    let branch = args
        .branch
        .clone()
        .or_else(|| env.github.ref_name.clone())
        .or_else(|| {
            head.as_ref()
                .filter(|h| h.is_branch())
                .and_then(|h| h.shorthand().ok().map(str::to_string))
        })
        .or_else(|| run.meta.branch.clone())
        .ok_or_else(|| {
            Error::Usage("cannot tell which branch the run measured: pass --branch".into())
        })?;
    run.meta.branch = Some(branch.clone());
    let outcome = repo.record(&[(run, branch)], &[], &record_options(&config))?;
    if outcome.paths.is_empty() {
        eprintln!(
            "bench-bot: already recorded: `{}` holds this run (same commit, suite, tool, \
             branch and timestamp); nothing written",
            args.history
        );
        return Ok(Outcome::Pass);
    }
    eprintln!(
        "bench-bot: recorded {} in `{}` at {}{}",
        outcome.paths.join(", "),
        args.history,
        &outcome.commit[..12],
        if outcome.pushed {
            ", pushed"
        } else {
            " (--no-push: not pushed)"
        }
    );
    Ok(Outcome::Pass)
}
