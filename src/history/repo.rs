//! The git side of the history: opening the repository, fetching the branch, listing
//! and reading run files (`record.rs` commits new ones, `push.rs` sends them,
//! `naming.rs` owns the file names).

use std::path::Path;

use git2::{FetchOptions, Oid, Repository};

use super::file::StoredRun;
use super::naming;
use crate::error::HistoryError;

/// A run file listed in the history branch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Path in the branch.
    pub path: String,
    /// Source branch folder.
    pub source_branch: String,
    /// Sortable UTC timestamp (`20261124T061000Z`).
    pub timestamp: String,
    /// First 12 hex digits of the measured commit.
    pub sha12: String,
    /// Suite name.
    pub suite: String,
    /// The name's nonce, which orders the runs of one second.
    pub nonce: String,
    /// The blob.
    pub blob: Oid,
}

impl Entry {
    /// The order of runs in the history: by time, to the microsecond when the run's
    /// timestamp has it (see [`naming::FileName::order`]).
    pub fn order(&self) -> (&str, &str) {
        (&self.timestamp, &self.nonce)
    }
}

/// A repository whose history branch bench-bot reads and writes.
pub struct HistoryRepo {
    pub(super) repo: Repository,
    pub(super) branch: String,
    pub(super) remote: Option<String>,
    pub(super) token: Option<String>,
}

impl HistoryRepo {
    /// Opens the repository containing `path`, for the history branch `branch`, with
    /// `remote` when the repository has it.
    pub fn open(path: &Path, branch: &str, remote: &str) -> Result<HistoryRepo, HistoryError> {
        let repo = Repository::discover(path).map_err(|e| HistoryError::Open {
            path: path.display().to_string(),
            message: e.message().to_string(),
        })?;
        let remote = repo.find_remote(remote).ok().map(|_| remote.to_string());
        Ok(HistoryRepo {
            repo,
            branch: branch.to_string(),
            remote,
            token: None,
        })
    }

    /// Like [`HistoryRepo::open`], but `remote`, when given, must exist: a typo is an
    /// error naming the remotes there are, never a silent "no remote". Without it,
    /// `origin` is used when the repository has one.
    pub fn open_named(
        path: &Path,
        branch: &str,
        remote: Option<&str>,
    ) -> Result<HistoryRepo, HistoryError> {
        let repo = Self::open(path, branch, remote.unwrap_or("origin"))?;
        let Some(name) = remote.filter(|_| !repo.has_remote()) else {
            return Ok(repo);
        };
        let known: Vec<String> = repo
            .repo
            .remotes()
            .map(|r| {
                r.iter()
                    .filter_map(|n| n.ok().flatten())
                    .map(|n| format!("`{n}`"))
                    .collect()
            })
            .unwrap_or_default();
        Err(HistoryError::NoSuchRemote {
            name: name.to_string(),
            known: if known.is_empty() {
                "none".to_string()
            } else {
                known.join(", ")
            },
        })
    }

    /// Works on the local branch only: no fetch, no push.
    pub fn without_remote(mut self) -> HistoryRepo {
        self.remote = None;
        self
    }

    /// Whether there is a remote to fetch from and push to.
    pub fn has_remote(&self) -> bool {
        self.remote.is_some()
    }

    /// The remote fetched from and pushed to, when there is one.
    pub fn remote_name(&self) -> Option<&str> {
        self.remote.as_deref()
    }

    /// The history branch's name.
    pub fn branch(&self) -> &str {
        &self.branch
    }

    /// Authenticates https fetches and pushes with `token`.
    pub fn with_token(mut self, token: Option<String>) -> HistoryRepo {
        self.token = token.filter(|t| !t.is_empty());
        self
    }

    /// The underlying repository.
    pub fn git(&self) -> &Repository {
        &self.repo
    }

    pub(super) fn local_ref(&self) -> String {
        format!("refs/heads/{}", self.branch)
    }

    pub(super) fn tracking_ref(&self) -> Option<String> {
        self.remote
            .as_ref()
            .map(|r| format!("refs/remotes/{r}/{}", self.branch))
    }

    pub(super) fn ref_tip(&self, name: &str) -> Option<Oid> {
        self.repo.refname_to_id(name).ok()
    }

    /// Fetches the history branch from the remote; returns the remote's tip, `None`
    /// when the remote does not have the branch (or there is no remote).
    pub fn fetch(&self) -> Result<Option<Oid>, HistoryError> {
        let (Some(remote), Some(tracking)) = (&self.remote, self.tracking_ref()) else {
            return Ok(None);
        };
        let mut r = self
            .repo
            .find_remote(remote)
            .map_err(|e| HistoryError::git(format!("find remote `{remote}`"), &e))?;
        super::transport::use_token(self.token.as_deref())?;
        let mut fo = FetchOptions::new();
        let spec = format!("+refs/heads/{b}:refs/remotes/{remote}/{b}", b = self.branch);
        r.fetch(&[spec.as_str()], Some(&mut fo), None)
            .map_err(|e| {
                HistoryError::git(format!("fetch `{}` from `{remote}`", self.branch), &e)
            })?;
        // The remote may have lost the branch; a stale tracking ref is not its tip.
        let advertised = r
            .list()
            .map(|heads| {
                heads
                    .iter()
                    .any(|h| h.name() == format!("refs/heads/{}", self.branch))
            })
            .unwrap_or(true);
        Ok(if advertised {
            self.ref_tip(&tracking)
        } else {
            None
        })
    }

    /// The branches of this repository, local and remote-tracking, whose tip holds
    /// bench-bot runs (a `runs/` folder of run files), by short name, sorted.
    pub fn branches_with_runs(&self) -> Vec<String> {
        let mut names = Vec::new();
        let Ok(branches) = self.repo.branches(None) else {
            return names;
        };
        for (branch, kind) in branches.flatten() {
            let Ok(Some(name)) = branch.name().map(|n| n.map(str::to_string)) else {
                continue;
            };
            let short = match kind {
                git2::BranchType::Local => name,
                // `origin/bench-bot-data` names the same history as the local branch.
                git2::BranchType::Remote => match name.split_once('/') {
                    Some((_, rest)) if rest != "HEAD" => rest.to_string(),
                    _ => continue,
                },
            };
            let holds_runs = branch
                .get()
                .peel_to_commit()
                .ok()
                .is_some_and(|c| self.list(c.id()).is_ok_and(|e| !e.is_empty()));
            if holds_runs {
                names.push(short);
            }
        }
        names.sort();
        names.dedup();
        names
    }

    /// The tip to read from: the remote-tracking branch when it exists, else the local one.
    pub fn read_tip(&self) -> Option<Oid> {
        self.tracking_ref()
            .and_then(|t| self.ref_tip(&t))
            .or_else(|| self.ref_tip(&self.local_ref()))
    }

    /// Lists the run files at `tip`.
    pub fn list(&self, tip: Oid) -> Result<Vec<Entry>, HistoryError> {
        let commit = self
            .repo
            .find_commit(tip)
            .map_err(|e| HistoryError::git("read the history tip", &e))?;
        let tree = commit
            .tree()
            .map_err(|e| HistoryError::git("read the history tree", &e))?;
        let mut out = Vec::new();
        let Some(runs) = tree.get_name("runs") else {
            return Ok(out);
        };
        let runs = self
            .repo
            .find_tree(runs.id())
            .map_err(|e| HistoryError::git("read runs/", &e))?;
        for folder in runs.iter() {
            let Ok(source_branch) = folder.name().map(str::to_string) else {
                continue;
            };
            let Ok(sub) = self.repo.find_tree(folder.id()) else {
                continue;
            };
            for file in sub.iter() {
                let Ok(name) = file.name() else { continue };
                let Some(parsed) = naming::parse_file_name(name) else {
                    continue;
                };
                out.push(Entry {
                    path: format!("runs/{source_branch}/{name}"),
                    source_branch: source_branch.clone(),
                    timestamp: parsed.timestamp,
                    sha12: parsed.sha12,
                    suite: parsed.suite,
                    nonce: parsed.nonce,
                    blob: file.id(),
                });
            }
        }
        Ok(out)
    }

    /// Reads one run file.
    pub fn read(&self, entry: &Entry) -> Result<StoredRun, String> {
        let blob = self
            .repo
            .find_blob(entry.blob)
            .map_err(|e| e.message().to_string())?;
        StoredRun::from_bytes(blob.content())
    }
}
