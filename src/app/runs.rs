//! The runs a command over a whole history reads (`dashboard`, `changes`): every run
//! recorded for a source branch in the history branch, or result files given oldest
//! first.

use std::path::PathBuf;

use super::Environment;
use super::analyze::load_options;
use crate::cli::RepoArgs;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::history::HistoryRepo;
use crate::ingest::{self, Format};
use crate::model::Run;

/// Where the runs come from, as the command's arguments say.
pub(super) struct RunsRequest<'a> {
    /// Result files, oldest first (used when `history` is `None` and there are some).
    pub files: &'a [PathBuf],
    /// `--history`: the history branch.
    pub history: Option<&'a str>,
    /// `--branch`: the source branch whose recorded runs are read; `None`: `main`, or
    /// the only branch the history holds runs of when it has none of `main`.
    pub branch: Option<&'a str>,
    /// Where the repository is.
    pub repo: &'a RepoArgs,
    /// `--format-in` for the files.
    pub format_in: Option<Format>,
    /// What the command does with them, for the error ("chart", "examine").
    pub verb: &'a str,
}

/// Where loaded runs came from: the history branch and the source branch whose runs
/// they are (`None` for result files).
pub(super) struct Origin {
    pub history: String,
    pub branch: String,
}

/// The runs, with the warnings of the way, and where in the history they came from
/// (`None` for files). Without files or `--history`, the default history branch.
pub(super) fn load_runs(
    request: &RunsRequest<'_>,
    config: &Config,
    env: &Environment,
) -> Result<(Vec<Run>, Vec<String>, Option<Origin>)> {
    let history = match (request.history, request.files.is_empty()) {
        (Some(branch), _) => Some(branch),
        (None, true) => Some(crate::history::DEFAULT_BRANCH),
        (None, false) => None,
    };
    let Some(history) = history else {
        let (runs, warnings) =
            ingest::load_each(request.files, &load_options(config, request.format_in))?;
        return Ok((runs, warnings, None));
    };
    let repo =
        HistoryRepo::open_named(&request.repo.repo, history, request.repo.remote.as_deref())?
            .with_token(env.github.token.clone());
    let branch = request.branch.unwrap_or(DEFAULT_SOURCE);
    let (mut runs, mut warnings) = repo.all_runs(branch)?;
    let mut branch = branch.to_string();
    if runs.is_empty() {
        // The source branches the history does hold: read, or named in the error.
        let held = repo.source_branches();
        // `main` was only the default: a history of one other branch (`master`,
        // `trunk`) is read as that branch's (`all_runs` fetched it already).
        if let (None, [only]) = (request.branch, held.as_slice()) {
            let (more, notes) = repo.runs_of(only)?;
            if !more.is_empty() {
                warnings.extend(notes);
                warnings.push(format!(
                    "the history branch `{history}` has no runs of `{DEFAULT_SOURCE}`: \
                     reading those of `{only}`, the only branch it has runs of"
                ));
                (runs, branch) = (more, only.clone());
            }
        }
        if runs.is_empty() {
            let hint = match held.as_slice() {
                [] => "pass result files, or record runs first".to_string(),
                [one] => format!("it has runs of `{one}`: pass --branch {one}"),
                many => format!(
                    "it has runs of {}: pass --branch NAME",
                    many.iter()
                        .map(|b| format!("`{b}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            return Err(Error::Usage(format!(
                "no runs to {}: the history branch `{history}` has no runs of `{branch}` \
                 ({hint})",
                request.verb
            )));
        }
    }
    let origin = Origin {
        history: history.to_string(),
        branch,
    };
    Ok((runs, warnings, Some(origin)))
}

/// The source branch read when `--branch` is not given.
const DEFAULT_SOURCE: &str = "main";
