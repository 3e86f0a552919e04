//! Choosing a baseline window from the history branch: the runs recorded for the base
//! branch at the merge base and its first-parent ancestors, or, without the repository's
//! history (a shallow clone), the newest runs by time.

use std::collections::HashMap;

use super::naming::component;
use super::repo::{Entry, HistoryRepo};
use crate::error::HistoryError;
use crate::model::Run;

/// How far back the first-parent walk goes.
const MAX_ANCESTRY: usize = 20_000;

/// What to select.
#[derive(Debug, Clone)]
pub struct WindowRequest {
    /// The branch whose recorded runs form the baseline (e.g. `main`).
    pub base_branch: String,
    /// The commit under test (`HEAD` when `None`); the window starts at its merge base
    /// with the base branch.
    pub head: Option<String>,
    /// Only runs of this suite, when set.
    pub suite: Option<String>,
    /// How many runs at most.
    pub window: usize,
}

/// The selected runs.
#[derive(Debug, Clone, Default)]
pub struct Window {
    /// Runs, oldest first.
    pub runs: Vec<Run>,
    /// How they were chosen, for the report.
    pub description: String,
    /// Run files that could not be read, each named.
    pub warnings: Vec<String>,
    /// Set when the history branch exists neither here nor on the remote: the
    /// branches that do hold bench-bot runs, so a typo can be told from a first run.
    pub missing_branch: Option<Vec<String>>,
}

impl HistoryRepo {
    /// Selects a baseline window; fetches the branch from the remote first.
    pub fn window(&self, request: &WindowRequest) -> Result<Window, HistoryError> {
        // A default CI checkout has no history branch: fetch it. A fetch failure
        // (offline, no access) falls back to what is here.
        let mut warnings = Vec::new();
        if let Err(e) = self.fetch() {
            warnings.push(format!(
                "could not fetch the history branch: {e}; using the local copy"
            ));
        }
        let Some(tip) = self.read_tip() else {
            return Ok(Window {
                runs: Vec::new(),
                description: format!("no history yet: branch `{}` does not exist", self.branch),
                warnings,
                missing_branch: Some(self.branches_with_runs()),
            });
        };
        let folder = component(&request.base_branch);
        let suite = request.suite.as_deref().map(component);
        let mut entries: Vec<Entry> = self
            .list(tip)?
            .into_iter()
            .filter(|e| e.source_branch == folder && suite.as_ref().is_none_or(|s| *s == e.suite))
            .collect();
        entries.sort_by(|a, b| b.order().cmp(&a.order()));
        let (chosen, description) = match self.ancestry(request) {
            Some((start, order)) => {
                let mut matched: Vec<(usize, Entry)> = entries
                    .iter()
                    .filter_map(|e| order.get(e.sha12.as_str()).map(|pos| (*pos, e.clone())))
                    .collect();
                if matched.is_empty() && !entries.is_empty() {
                    let n = entries.len().min(request.window);
                    (
                        entries.into_iter().take(n).collect::<Vec<_>>(),
                        format!(
                            "the newest {n} runs recorded for `{}` by time: none was recorded on the \
                             first-parent ancestry of {}",
                            request.base_branch,
                            &start[..start.len().min(12)]
                        ),
                    )
                } else {
                    // Newest ancestor first; several runs of one commit newest first.
                    matched.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.order().cmp(&a.1.order())));
                    let n = matched.len().min(request.window);
                    (
                        matched.into_iter().take(n).map(|(_, e)| e).collect(),
                        format!(
                            "{n} runs recorded for `{}` at the merge base {} and its first-parent ancestors",
                            request.base_branch,
                            &start[..start.len().min(12)]
                        ),
                    )
                }
            }
            None => {
                let n = entries.len().min(request.window);
                (
                    entries.into_iter().take(n).collect(),
                    format!(
                        "the newest {n} runs recorded for `{}` by time: the checkout has no history to \
                         follow (a shallow clone? `fetch-depth: 0` gives ancestry)",
                        request.base_branch
                    ),
                )
            }
        };
        let mut runs = Vec::with_capacity(chosen.len());
        for entry in chosen.iter().rev() {
            match self.read(entry) {
                Ok(stored) => runs.push(stored.run),
                Err(e) => warnings.push(format!(
                    "history branch `{}`: {} is unreadable and was skipped: {e}",
                    self.branch, entry.path
                )),
            }
        }
        Ok(Window {
            runs,
            description: format!("{description} (history branch `{}`)", self.branch),
            warnings,
            missing_branch: None,
        })
    }

    /// Every run recorded for `source_branch`, oldest first (for the dashboard), with
    /// a warning for each unreadable file; the branch is fetched first.
    pub fn all_runs(&self, source_branch: &str) -> Result<(Vec<Run>, Vec<String>), HistoryError> {
        let fetched = self
            .fetch()
            .err()
            .map(|e| format!("could not fetch the history branch: {e}; using the local copy"));
        let (runs, warnings) = self.runs_of(source_branch)?;
        Ok((runs, fetched.into_iter().chain(warnings).collect()))
    }

    /// Every run recorded for `source_branch` in the branch as it is here (no fetch),
    /// oldest first, with a warning for each unreadable file.
    pub fn runs_of(&self, source_branch: &str) -> Result<(Vec<Run>, Vec<String>), HistoryError> {
        let mut warnings = Vec::new();
        let Some(tip) = self.read_tip() else {
            return Ok((Vec::new(), warnings));
        };
        let folder = component(source_branch);
        let mut entries: Vec<Entry> = self
            .list(tip)?
            .into_iter()
            .filter(|e| e.source_branch == folder)
            .collect();
        entries.sort_by(|a, b| a.order().cmp(&b.order()).then(a.path.cmp(&b.path)));
        let mut runs = Vec::with_capacity(entries.len());
        for entry in &entries {
            match self.read(entry) {
                Ok(stored) => runs.push(stored.run),
                Err(e) => {
                    warnings.push(format!("{} is unreadable and was skipped: {e}", entry.path))
                }
            }
        }
        Ok((runs, warnings))
    }

    /// The source-branch folders the history branch holds runs of, sorted (for the
    /// message of a command that found none of the branch it was asked for).
    pub fn source_branches(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .read_tip()
            .and_then(|tip| self.list(tip).ok())
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.source_branch)
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// The merge base of the head and the base branch, and the position of each of its
    /// first-parent ancestors by 12-digit prefix. `None` without usable history.
    fn ancestry(&self, request: &WindowRequest) -> Option<(String, HashMap<String, usize>)> {
        let repo = &self.repo;
        if repo.is_shallow() {
            return None;
        }
        let head = match &request.head {
            Some(h) => repo.revparse_single(h).ok()?.peel_to_commit().ok()?.id(),
            None => repo.head().ok()?.peel_to_commit().ok()?.id(),
        };
        let base_tip = self
            .remote
            .as_ref()
            .and_then(|r| {
                repo.refname_to_id(&format!("refs/remotes/{r}/{}", request.base_branch))
                    .ok()
            })
            .or_else(|| {
                repo.refname_to_id(&format!("refs/heads/{}", request.base_branch))
                    .ok()
            });
        let start = match base_tip {
            Some(tip) => repo.merge_base(head, tip).ok()?,
            None => head,
        };
        let mut walk = repo.revwalk().ok()?;
        walk.push(start).ok()?;
        walk.simplify_first_parent().ok()?;
        let order = walk
            .take(MAX_ANCESTRY)
            .filter_map(Result::ok)
            .enumerate()
            .map(|(i, oid)| (oid.to_string()[..12].to_string(), i))
            .collect();
        Some((start.to_string(), order))
    }
}
