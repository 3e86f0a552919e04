//! Writing to the history branch: `record` builds one commit with the new run files on
//! the branch's tip, prunes each source branch's folder to `max_runs`, and pushes it,
//! rebuilding it on the new tip when another writer moved the remote (`push.rs` sends
//! it, `dedupe.rs` leaves out runs the branch already holds).

use git2::{Oid, Signature};

use super::file::StoredRun;
use super::naming;
use super::push::{PushError, backoff};
use super::repo::HistoryRepo;
use crate::error::HistoryError;
use crate::model::Run;

/// Where and how to record.
#[derive(Debug, Clone)]
pub struct RecordOptions {
    /// Keep at most this many runs per source branch; older ones are pruned.
    pub max_runs: usize,
    /// Give up after this many attempts against a moving remote tip.
    pub max_attempts: u32,
}

impl Default for RecordOptions {
    fn default() -> Self {
        RecordOptions {
            max_runs: 1000,
            max_attempts: 12,
        }
    }
}

/// What `record` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordOutcome {
    /// The history commit that holds the runs.
    pub commit: String,
    /// The files written.
    pub paths: Vec<String>,
    /// Run files pruned by retention.
    pub pruned: usize,
    /// Attempts it took (more than 1 when the remote moved).
    pub attempts: u32,
    /// Whether the commit reached the remote (false without a remote).
    pub pushed: bool,
    /// Runs left out because the history already held them (same commit, suite, tool,
    /// source branch and timestamp); when every run was, nothing is committed.
    pub already_recorded: usize,
}

impl HistoryRepo {
    /// Appends runs (each with the source branch it measured) and any extra files in one
    /// commit on the history branch, prunes each source branch to `max_runs`, and pushes.
    /// When the remote tip moved, the commit is rebuilt on the new tip and pushed again.
    pub fn record(
        &self,
        runs: &[(Run, String)],
        extra_files: &[(String, Vec<u8>)],
        options: &RecordOptions,
    ) -> Result<RecordOutcome, HistoryError> {
        let files: Vec<(String, Vec<u8>)> = runs
            .iter()
            .map(|(run, source_branch)| {
                Ok((
                    naming::run_path(run, source_branch),
                    StoredRun::compact(run).to_bytes()?,
                ))
            })
            .collect::<Result<_, HistoryError>>()?;
        let message = match runs {
            [(run, branch)] => format!(
                "Record {} run of {} on {branch}",
                run.meta.tool,
                run.meta
                    .commit
                    .as_deref()
                    .map(|c| &c[..c.len().min(12)])
                    .unwrap_or("an unknown commit")
            ),
            many => format!("Record {} runs", many.len()),
        };
        let mut attempt = 0;
        loop {
            attempt += 1;
            // A fetch can fail while other writers update the remote: try again.
            let remote_tip = match self.fetch() {
                Ok(tip) => tip,
                // A refusal is retried once (a token can be fresh by then), never more.
                Err(e) if attempt < options.max_attempts && !(e.is_denied() && attempt >= 2) => {
                    backoff(attempt);
                    continue;
                }
                Err(e) => return Err(e),
            };
            let base = match (&self.remote, remote_tip) {
                (_, Some(tip)) => Some(tip),
                (Some(_), None) => None,
                (None, None) => self.ref_tip(&self.local_ref()),
            };
            let paths: Vec<String> = files.iter().map(|(p, _)| p.clone()).collect();
            let known = self.already_recorded(base.or(self.read_tip()), runs, &paths)?;
            let already_recorded = known.iter().filter(|k| **k).count();
            let fresh: Vec<(String, Vec<u8>)> = files
                .iter()
                .zip(&known)
                .filter(|(_, k)| !**k)
                .map(|(f, _)| f.clone())
                .collect();
            // Runs committed here but never pushed (`record --no-push`) travel with this
            // commit instead of being left behind on a local branch it replaces.
            let local_only = if self.remote.is_some() {
                self.local_only_runs(remote_tip)?
            } else {
                Vec::new()
            };
            if fresh.is_empty()
                && local_only.is_empty()
                && extra_files.is_empty()
                && !runs.is_empty()
            {
                return Ok(RecordOutcome {
                    commit: base.map(|b| b.to_string()).unwrap_or_default(),
                    paths: Vec::new(),
                    pruned: 0,
                    attempts: attempt,
                    pushed: false,
                    already_recorded,
                });
            }
            let mut written = fresh.clone();
            written.extend(local_only.into_iter().filter(|(p, _)| !paths.contains(p)));
            let (commit, pruned) =
                self.commit_on(base, &written, extra_files, options.max_runs, &message)?;
            let pushed = match &self.remote {
                Some(remote) => match self.push(remote, commit, remote_tip) {
                    Ok(()) => true,
                    Err(PushError::Moved) if attempt < options.max_attempts => {
                        backoff(attempt);
                        continue;
                    }
                    Err(PushError::Moved) => {
                        return Err(HistoryError::Contention { attempts: attempt });
                    }
                    Err(PushError::Git(e)) => return Err(e),
                },
                None => false,
            };
            self.set_ref(&self.local_ref(), commit)?;
            if let (true, Some(tracking)) = (pushed, self.tracking_ref()) {
                self.set_ref(&tracking, commit)?;
            }
            return Ok(RecordOutcome {
                commit: commit.to_string(),
                paths: fresh.iter().map(|(p, _)| p.clone()).collect(),
                pruned,
                attempts: attempt,
                pushed,
                already_recorded,
            });
        }
    }

    /// The run files of the local history branch that the remote's tip lacks, when the
    /// local branch has commits the remote does not.
    fn local_only_runs(
        &self,
        remote_tip: Option<Oid>,
    ) -> Result<Vec<(String, Vec<u8>)>, HistoryError> {
        let Some(local) = self.ref_tip(&self.local_ref()) else {
            return Ok(Vec::new());
        };
        if let Some(remote) = remote_tip {
            let contained = remote == local
                || self
                    .repo
                    .graph_descendant_of(remote, local)
                    .map_err(|e| HistoryError::git("compare the local and remote history", &e))?;
            if contained {
                return Ok(Vec::new());
            }
        }
        let on_remote: std::collections::HashSet<String> = match remote_tip {
            Some(tip) => self.list(tip)?.into_iter().map(|e| e.path).collect(),
            None => Default::default(),
        };
        let mut out = Vec::new();
        for entry in self.list(local)? {
            if on_remote.contains(&entry.path) {
                continue;
            }
            let blob = self
                .repo
                .find_blob(entry.blob)
                .map_err(|e| HistoryError::git(format!("read {}", entry.path), &e))?;
            out.push((entry.path, blob.content().to_vec()));
        }
        Ok(out)
    }

    fn set_ref(&self, name: &str, to: Oid) -> Result<(), HistoryError> {
        self.repo
            .reference(name, to, true, "bench-bot: record")
            .map(|_| ())
            .map_err(|e| HistoryError::git(format!("update {name}"), &e))
    }

    /// Builds a commit on `base` with the files added and each touched folder pruned.
    fn commit_on(
        &self,
        base: Option<Oid>,
        files: &[(String, Vec<u8>)],
        extra: &[(String, Vec<u8>)],
        max_runs: usize,
        message: &str,
    ) -> Result<(Oid, usize), HistoryError> {
        let err = |what: &'static str| move |e: git2::Error| HistoryError::git(what, &e);
        let parent = match base {
            Some(oid) => Some(
                self.repo
                    .find_commit(oid)
                    .map_err(err("read the history tip"))?,
            ),
            None => None,
        };
        let mut tree = match &parent {
            Some(c) => Some(c.tree().map_err(err("read the history tree"))?),
            None => None,
        };
        let mut pruned = 0;
        for (path, bytes) in files.iter().chain(extra) {
            let blob = self.repo.blob(bytes).map_err(err("write a run file"))?;
            let parts: Vec<&str> = path.split('/').collect();
            let prune = if path.starts_with("runs/") {
                max_runs
            } else {
                usize::MAX
            };
            let (oid, n) = self.insert(tree.as_ref(), &parts, blob, prune)?;
            pruned += n;
            tree = Some(self.repo.find_tree(oid).map_err(err("read the new tree"))?);
        }
        let Some(tree) = tree else {
            return Err(HistoryError::Git {
                action: "record".into(),
                message: "nothing to record".into(),
            });
        };
        let sig = Signature::now("bench-bot", "bench-bot@users.noreply.github.com")
            .map_err(err("make a signature"))?;
        let message = if pruned > 0 {
            format!("{message}\n\nPruned {pruned} old run(s) beyond max_runs = {max_runs}.")
        } else {
            message.to_string()
        };
        let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
        let oid = self
            .repo
            .commit(None, &sig, &sig, &message, &tree, &parents)
            .map_err(err("commit to the history branch"))?;
        Ok((oid, pruned))
    }

    /// Inserts `blob` at `parts` below `tree`; in the file's folder, keeps the newest
    /// `prune` `.json` files. Returns the new tree and how many files were pruned.
    fn insert(
        &self,
        tree: Option<&git2::Tree<'_>>,
        parts: &[&str],
        blob: Oid,
        prune: usize,
    ) -> Result<(Oid, usize), HistoryError> {
        let err = |e: git2::Error| HistoryError::git("build the history tree", &e);
        let mut builder = self.repo.treebuilder(tree).map_err(err)?;
        let mut pruned = 0;
        match parts {
            [] => {
                return Err(HistoryError::Git {
                    action: "build the history tree".into(),
                    message: "empty path".into(),
                });
            }
            [file] => {
                builder.insert(file, blob, 0o100644).map_err(err)?;
                let mut names: Vec<String> = Vec::new();
                builder
                    .filter(|e| {
                        if let Some(n) = e.name().ok().filter(|n| n.ends_with(".json")) {
                            names.push(n.to_string());
                        }
                        true
                    })
                    .map_err(err)?;
                // Oldest first, in the history's order; other files first of all.
                let mut named: Vec<_> = names
                    .into_iter()
                    .map(|n| (naming::parse_file_name(&n), n))
                    .collect();
                named.sort_by(|(a, an), (b, bn)| {
                    let (a, b) = (a.as_ref().map(|f| f.order()), b.as_ref().map(|f| f.order()));
                    a.cmp(&b).then(an.cmp(bn))
                });
                let names: Vec<String> = named.into_iter().map(|(_, n)| n).collect();
                if names.len() > prune {
                    for old in &names[..names.len() - prune] {
                        builder.remove(old).map_err(err)?;
                        pruned += 1;
                    }
                }
            }
            [dir, rest @ ..] => {
                let sub = match tree.and_then(|t| t.get_name(dir)) {
                    Some(entry) => Some(self.repo.find_tree(entry.id()).map_err(err)?),
                    None => None,
                };
                let (oid, n) = self.insert(sub.as_ref(), rest, blob, prune)?;
                pruned = n;
                builder.insert(dir, oid, 0o040000).map_err(err)?;
            }
        }
        Ok((builder.write().map_err(err)?, pruned))
    }
}
