//! `bench-bot import`: migrates a github-action-benchmark history into the history branch.

use super::record::record_options;
use super::{Environment, Outcome, warn};
use crate::cli::ImportArgs;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::history::HistoryRepo;
use crate::ingest;
use crate::model::Run;

/// `bench-bot import`.
pub fn command(args: &ImportArgs, env: &Environment) -> Result<Outcome> {
    let config = Config::discover(args.config.as_deref())?;
    let bytes = ingest::read_input(&args.file, config.max_input_size)?;
    let (runs, warnings) = ingest::parse_history(&args.file, &bytes)?;
    for w in &warnings {
        warn(w);
    }
    if runs.is_empty() {
        return Err(Error::input(
            &args.file,
            Some("github-action-benchmark"),
            "no runs in `entries`",
        ));
    }
    let repo =
        HistoryRepo::open_named(&args.repo.repo, &args.history, args.repo.remote.as_deref())?
            .with_token(env.github.token.clone());
    let runs: Vec<(Run, String)> = runs
        .into_iter()
        .map(|mut r| {
            r.meta.branch = Some(args.branch.clone());
            (r, args.branch.clone())
        })
        .collect();
    let outcome = repo.record(&runs, &[], &record_options(&config))?;
    let known = match outcome.already_recorded {
        0 => String::new(),
        n => format!(" ({n} already there, left as they were)"),
    };
    if outcome.paths.is_empty() {
        eprintln!(
            "bench-bot: nothing imported: `{}` already holds all {} runs",
            args.history, outcome.already_recorded
        );
        return Ok(Outcome::Pass);
    }
    eprintln!(
        "bench-bot: imported {} runs into `{}` at {}{known}{}{}",
        outcome.paths.len(),
        args.history,
        &outcome.commit[..12],
        if outcome.pruned > 0 {
            format!(" ({} pruned by max_runs)", outcome.pruned)
        } else {
            String::new()
        },
        if outcome.pushed { ", pushed" } else { "" }
    );
    Ok(Outcome::Pass)
}
