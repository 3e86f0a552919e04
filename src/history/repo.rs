//! The git side of the history: fetching the branch, committing run files on its tip,
//! and pushing without ever dropping another writer's run.

use std::path::{Path, PathBuf};
use std::time::Duration;

use git2::{FetchOptions, Oid, PushOptions, RemoteCallbacks, Repository, Signature};

use super::HistoryError;
use super::file::StoredRun;
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
}

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
    /// The blob.
    pub blob: Oid,
}

/// A repository whose history branch bench-bot reads and writes.
pub struct HistoryRepo {
    pub(super) repo: Repository,
    pub(super) branch: String,
    pub(super) remote: Option<String>,
    token: Option<String>,
}

/// The runner mounts the workspace owned by another user than the container's root,
/// which libgit2 refuses as "dubious ownership"; bench-bot only reads and appends to
/// its own branch, so the check is turned off for this process.
fn relax_owner_validation() {
    #[expect(
        unsafe_code,
        reason = "git2 marks this global option unsafe: it must not race other libgit2 calls"
    )]
    // SAFETY: called before any repository is opened by this process's history code,
    // and bench-bot does not use libgit2 from several threads.
    unsafe {
        let _ = git2::opts::set_verify_owner_validation(false);
    }
}

/// Makes a name safe as one path component.
pub(super) fn component(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let s = s.trim_start_matches('.').to_string();
    if s.is_empty() { "_".to_string() } else { s }
}

fn callbacks(token: Option<&str>) -> RemoteCallbacks<'_> {
    let mut cb = RemoteCallbacks::new();
    cb.credentials(move |url, username, _allowed| {
        // GitHub accepts the workflow token as the password of any user name.
        match token {
            Some(token) if url.starts_with("https://") && !token.is_empty() => {
                git2::Cred::userpass_plaintext(username.unwrap_or("x-access-token"), token)
            }
            _ => Err(git2::Error::from_str(
                "no credentials: set GITHUB_TOKEN for https remotes",
            )),
        }
    });
    cb
}

fn backoff(attempt: u32) {
    let base = 50u64.saturating_mul(1 << attempt.min(6)).min(2000);
    let jitter = u64::from(std::process::id() % 97)
        + u64::from(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos() % 50_000_000)
                .unwrap_or(0)
                / 1_000_000,
        );
    std::thread::sleep(Duration::from_millis(base + jitter));
}

fn nonce() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!(
        "{:08x}",
        (nanos as u64 ^ (u64::from(std::process::id()) << 32)) & 0xffff_ffff
    )
}

/// A sortable UTC timestamp for a run: its own time when it has one, else now.
fn sortable_time(run: &Run) -> String {
    let t = run
        .meta
        .timestamp
        .as_deref()
        .and_then(|t| humantime::parse_rfc3339_weak(t.get(..19).unwrap_or(t)).ok())
        .unwrap_or_else(std::time::SystemTime::now);
    humantime::format_rfc3339_seconds(t)
        .to_string()
        .replace(['-', ':'], "")
}

impl HistoryRepo {
    /// Opens the repository containing `path`, for the history branch `branch`, with
    /// `remote` when the repository has it.
    pub fn open(path: &Path, branch: &str, remote: &str) -> Result<HistoryRepo, HistoryError> {
        relax_owner_validation();
        let repo = Repository::discover(path).map_err(|e| HistoryError::Open {
            path: path.display().to_string(),
            message: e.message().to_string(),
        })?;
        let remote = repo.find_remote(remote).ok().map(|_| remote.to_string());
        Ok(HistoryRepo {
            repo,
            branch: branch.to_string(),
            remote,
            token: std::env::var("GITHUB_TOKEN").ok().filter(|t| !t.is_empty()),
        })
    }

    /// Authenticates https fetches and pushes with `token` (default: `$GITHUB_TOKEN`).
    pub fn with_token(mut self, token: Option<String>) -> HistoryRepo {
        if token.is_some() {
            self.token = token;
        }
        self
    }

    /// The underlying repository.
    pub fn git(&self) -> &Repository {
        &self.repo
    }

    fn local_ref(&self) -> String {
        format!("refs/heads/{}", self.branch)
    }

    fn tracking_ref(&self) -> Option<String> {
        self.remote
            .as_ref()
            .map(|r| format!("refs/remotes/{r}/{}", self.branch))
    }

    fn ref_tip(&self, name: &str) -> Option<Oid> {
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
        let mut fo = FetchOptions::new();
        fo.remote_callbacks(callbacks(self.token.as_deref()));
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
                let Some(stem) = name.strip_suffix(".json") else {
                    continue;
                };
                let mut parts = stem.splitn(4, '_');
                let (Some(ts), Some(sha12), Some(_nonce), Some(suite)) =
                    (parts.next(), parts.next(), parts.next(), parts.next())
                else {
                    continue;
                };
                out.push(Entry {
                    path: format!("runs/{source_branch}/{name}"),
                    source_branch: source_branch.clone(),
                    timestamp: ts.to_string(),
                    sha12: sha12.to_string(),
                    suite: suite.to_string(),
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
                let sha12: String = run
                    .meta
                    .commit
                    .as_deref()
                    .unwrap_or("000000000000")
                    .chars()
                    .filter(char::is_ascii_hexdigit)
                    .take(12)
                    .collect();
                let suite = component(run.meta.suite.as_deref().unwrap_or("default"));
                let path = format!(
                    "runs/{}/{}_{:0<12}_{}_{suite}.json",
                    component(source_branch),
                    sortable_time(run),
                    sha12,
                    nonce()
                );
                (path, StoredRun::compact(run).to_bytes())
            })
            .collect();
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
                Err(_) if attempt < options.max_attempts => {
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
            let (commit, pruned) =
                self.commit_on(base, &files, extra_files, options.max_runs, &message)?;
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
                paths: files.iter().map(|(p, _)| p.clone()).collect(),
                pruned,
                attempts: attempt,
                pushed,
            });
        }
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
                names.sort();
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

    /// Pushes `commit` to the remote's history branch, expecting its tip at `expected`.
    fn push(&self, remote: &str, commit: Oid, expected: Option<Oid>) -> Result<(), PushError> {
        let mut r = self.repo.find_remote(remote).map_err(|e| {
            PushError::Git(HistoryError::git(format!("find remote `{remote}`"), &e))
        })?;
        let url = r.url().unwrap_or_default().to_string();
        if let Some(path) = local_path(&url) {
            return self.push_local(&path, commit, expected);
        }
        let staging = "refs/bench-bot/push";
        self.repo
            .reference(staging, commit, true, "bench-bot: push")
            .map_err(|e| PushError::Git(HistoryError::git("stage the push", &e)))?;
        let result = self.push_remote(&mut r, staging);
        if let Ok(mut staged) = self.repo.find_reference(staging) {
            let _ = staged.delete();
        }
        result
    }

    fn push_remote(&self, r: &mut git2::Remote<'_>, staging: &str) -> Result<(), PushError> {
        let mut rejected: Option<String> = None;
        {
            let mut cb = callbacks(self.token.as_deref());
            cb.push_update_reference(|_name, status| {
                if let Some(msg) = status {
                    rejected = Some(msg.to_string());
                }
                Ok(())
            });
            let mut po = PushOptions::new();
            po.remote_callbacks(cb);
            let spec = format!("{staging}:refs/heads/{}", self.branch);
            match r.push(&[spec.as_str()], Some(&mut po)) {
                Ok(()) => {}
                Err(e) if e.code() == git2::ErrorCode::NotFastForward => {
                    return Err(PushError::Moved);
                }
                Err(e) => {
                    return Err(PushError::Git(HistoryError::git(
                        "push the history branch",
                        &e,
                    )));
                }
            }
        }
        match rejected {
            // The server refused the update: the tip moved under us.
            Some(_) => Err(PushError::Moved),
            None => Ok(()),
        }
    }

    /// libgit2's local transport writes the remote ref without checking its old value,
    /// so two writers could overwrite each other. For a remote on this machine the new
    /// objects are copied into its object database, and the branch moves by
    /// compare-and-swap.
    fn push_local(&self, path: &Path, commit: Oid, expected: Option<Oid>) -> Result<(), PushError> {
        let target = Repository::open(path).map_err(|e| {
            PushError::Git(HistoryError::git(
                format!("open the remote at {}", path.display()),
                &e,
            ))
        })?;
        self.copy_objects(&target, commit)
            .map_err(|e| PushError::Git(HistoryError::git("copy objects to the remote", &e)))?;
        let branch = format!("refs/heads/{}", self.branch);
        let moved = match expected {
            Some(old) => target.reference_matching(&branch, commit, true, old, "bench-bot: record"),
            None => target.reference(&branch, commit, false, "bench-bot: record"),
        };
        match moved {
            Ok(_) => Ok(()),
            Err(e)
                if matches!(
                    e.code(),
                    git2::ErrorCode::Modified | git2::ErrorCode::Exists | git2::ErrorCode::Locked
                ) =>
            {
                Err(PushError::Moved)
            }
            Err(e) => Err(PushError::Git(HistoryError::git(
                "update the remote history branch",
                &e,
            ))),
        }
    }

    /// Copies a commit and the trees and blobs it adds into `target`'s object database;
    /// what `target` already has (the parent's objects) is not walked.
    fn copy_objects(&self, target: &Repository, commit: Oid) -> Result<(), git2::Error> {
        let src = self.repo.odb()?;
        let dst = target.odb()?;
        let copy = |oid: Oid| -> Result<(), git2::Error> {
            let obj = src.read(oid)?;
            dst.write(obj.kind(), obj.data())?;
            Ok(())
        };
        fn walk(
            repo: &Repository,
            dst: &git2::Odb<'_>,
            tree: Oid,
            copy: &dyn Fn(Oid) -> Result<(), git2::Error>,
        ) -> Result<(), git2::Error> {
            if dst.exists(tree) {
                return Ok(());
            }
            for entry in repo.find_tree(tree)?.iter() {
                match entry.kind() {
                    Some(git2::ObjectType::Tree) => walk(repo, dst, entry.id(), copy)?,
                    _ if !dst.exists(entry.id()) => copy(entry.id())?,
                    _ => {}
                }
            }
            copy(tree)
        }
        let c = self.repo.find_commit(commit)?;
        walk(&self.repo, &dst, c.tree_id(), &copy)?;
        copy(commit)
    }
}

enum PushError {
    Moved,
    Git(HistoryError),
}

/// The path of a remote on this machine (`file://…` or a plain path), if it is one.
fn local_path(url: &str) -> Option<PathBuf> {
    if let Some(rest) = url.strip_prefix("file://") {
        return Some(PathBuf::from(rest));
    }
    (!url.contains("://") && Path::new(url).exists()).then(|| PathBuf::from(url))
}
