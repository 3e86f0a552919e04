//! Pushing the history branch: to a remote over the network with libgit2, or to a
//! repository on this machine by compare-and-swap, with backoff between attempts.

use std::path::{Path, PathBuf};
use std::time::Duration;

use git2::{Oid, PushOptions, RemoteCallbacks, Repository};

use super::repo::HistoryRepo;
use crate::error::HistoryError;

/// Why a push did not land.
pub(super) enum PushError {
    /// The remote's tip is not the one the commit was built on.
    Moved,
    /// Anything else.
    Git(HistoryError),
}

/// The path of a remote on this machine (`file://…` or a plain path), if it is one.
fn local_path(url: &str) -> Option<PathBuf> {
    if let Some(rest) = url.strip_prefix("file://") {
        return Some(PathBuf::from(rest));
    }
    (!url.contains("://") && Path::new(url).exists()).then(|| PathBuf::from(url))
}

/// Turns off libgit2's "dubious ownership" check for this process. The Actions runner
/// mounts the workspace owned by another user than the container's root, which libgit2
/// refuses; bench-bot only reads and appends to its own branch. Only the action calls
/// this, before it opens any repository.
pub fn relax_owner_validation() {
    #[expect(
        unsafe_code,
        reason = "git2 marks this global option unsafe: it must not race other libgit2 calls"
    )]
    // SAFETY: called before any repository is opened by this process,
    // and bench-bot does not use libgit2 from several threads.
    unsafe {
        let _ = git2::opts::set_verify_owner_validation(false);
    }
}

/// Whether a push status from the server says the branch moved (retry on the new tip),
/// as git's receive-pack words it.
fn moved_under_us(status: &str) -> bool {
    [
        "non-fast-forward",
        "fetch first",
        "stale info",
        "failed to lock",
        "cannot lock",
    ]
    .iter()
    .any(|s| status.contains(s))
}

/// Waits before the next attempt against a moving remote tip.
pub(super) fn backoff(attempt: u32) {
    let mut seed = [0u8; 8];
    let random = match getrandom::fill(&mut seed) {
        Ok(()) => u64::from_ne_bytes(seed),
        Err(_) => u64::from(std::process::id()).wrapping_mul(0x9E37_79B9_7F4A_7C15),
    };
    std::thread::sleep(backoff_delay(attempt, random));
}

/// The wait before attempt `attempt + 1`: 100 ms doubling to 2 s, drawn between half
/// and one and a half times that. Writers that collided (matrix jobs finishing
/// together) then spread over a whole second or more instead of trying again within
/// the same few milliseconds and colliding again.
fn backoff_delay(attempt: u32, random: u64) -> Duration {
    let base = 50u64.saturating_mul(1 << attempt.min(6)).min(2000);
    Duration::from_millis(base / 2 + random % (base + 1))
}

impl HistoryRepo {
    /// Pushes `commit` to the remote's history branch, expecting its tip at `expected`.
    pub(super) fn push(
        &self,
        remote: &str,
        commit: Oid,
        expected: Option<Oid>,
    ) -> Result<(), PushError> {
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
        let result = super::transport::use_token(self.token.as_deref())
            .map_err(PushError::Git)
            .and_then(|()| self.push_remote(&mut r, staging));
        if let Ok(mut staged) = self.repo.find_reference(staging) {
            let _ = staged.delete();
        }
        result
    }

    fn push_remote(&self, r: &mut git2::Remote<'_>, staging: &str) -> Result<(), PushError> {
        let mut rejected: Option<String> = None;
        // What the server's hooks print ("remote: …"), to name a refusal by its words.
        let said = std::cell::RefCell::new(String::new());
        {
            let mut cb = RemoteCallbacks::new();
            cb.push_update_reference(|_name, status| {
                if let Some(msg) = status {
                    rejected = Some(msg.to_string());
                }
                Ok(())
            });
            cb.sideband_progress(|data| {
                said.borrow_mut().push_str(&String::from_utf8_lossy(data));
                true
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
                    let said = said.borrow();
                    let said = said.trim();
                    // When libgit2 cannot read the status report, what the server's
                    // hooks printed still says what happened.
                    if !said.is_empty() && !moved_under_us(said) {
                        return Err(PushError::Git(self.rejected(said)));
                    }
                    return Err(PushError::Git(HistoryError::git(
                        "push the history branch",
                        &e,
                    )));
                }
            }
        }
        match rejected {
            None => Ok(()),
            // The tip moved under us: rebuild on the new one.
            Some(msg) if moved_under_us(&msg) => Err(PushError::Moved),
            // A protected branch or a pre-receive hook said no: retrying cannot help.
            Some(msg) => {
                let said = said.borrow();
                let why = if said.trim().is_empty() {
                    msg
                } else {
                    format!("{msg}: {}", said.trim())
                };
                Err(PushError::Git(self.rejected(&why)))
            }
        }
    }

    /// A push a protected branch or a hook declined.
    fn rejected(&self, why: &str) -> HistoryError {
        HistoryError::Denied {
            action: "push the history branch".into(),
            reason: format!(
                "the remote rejected the update ({}): a protected branch or a rejecting \
                 hook; allow bench-bot to push `{}` (not retried)",
                why.split_whitespace().collect::<Vec<_>>().join(" "),
                self.branch
            ),
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
        // A branch that must not exist yet is expected at the zero id: libgit2 checks the
        // old value under the ref's lock, where `force = false` checks before taking it
        // (two first writers could both create the branch, the second over the first).
        let old = expected.unwrap_or(Oid::ZERO_SHA1);
        let moved = target.reference_matching(&branch, commit, true, old, "bench-bot: record");
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_two_seconds_and_spreads_over_its_whole_range() {
        for (attempt, base) in [(1, 100), (2, 200), (5, 1600), (6, 2000), (12, 2000)] {
            let delays: Vec<u64> = [0, 1, base / 2, base, base + 1, u64::MAX]
                .iter()
                .map(|r| backoff_delay(attempt, *r).as_millis() as u64)
                .collect();
            assert_eq!(delays[0], base / 2, "attempt {attempt}");
            assert_eq!(delays[3], base / 2 + base, "attempt {attempt}");
            assert_eq!(delays[4], base / 2, "attempt {attempt}: wraps");
            assert!(
                delays
                    .iter()
                    .all(|d| (base / 2..=base / 2 + base).contains(d))
            );
        }
    }
}
