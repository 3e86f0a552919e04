//! The two trees of `bench-bot ab`: git worktrees of the base and head commits in a
//! temporary folder outside the checkout, removed when the command ends, however it
//! ends (an error, Ctrl-C). The checkout itself is never touched.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::{Error, Result};

/// A side of the comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The base commit, "A".
    Base,
    /// The head commit, "B".
    Head,
}

impl Side {
    /// `base` or `head`.
    pub fn name(self) -> &'static str {
        match self {
            Side::Base => "base",
            Side::Head => "head",
        }
    }

    /// `A` or `B`, as the order is logged.
    pub fn letter(self) -> char {
        match self {
            Side::Base => 'A',
            Side::Head => 'B',
        }
    }
}

/// The worktrees, removed on drop.
#[derive(Debug)]
pub struct Trees {
    repo: PathBuf,
    root: tempfile::TempDir,
    added: Vec<PathBuf>,
    /// `CARGO_TARGET_DIR` as the environment set it (see [`Trees::env`]).
    cargo_target: Option<PathBuf>,
}

impl Trees {
    /// Adds detached worktrees of `base` and `head` (full commit ids) of the repository
    /// whose work tree is `repo`.
    pub fn add(repo: &Path, base: &str, head: &str) -> Result<Trees> {
        let root = tempfile::Builder::new()
            .prefix("bench-bot-ab-")
            .tempdir()
            .map_err(|e| Error::Ab(format!("failed to create a temporary folder: {e}")))?;
        let mut trees = Trees {
            repo: repo.to_path_buf(),
            root,
            added: Vec::new(),
            cargo_target: None,
        };
        for (side, commit) in [(Side::Base, base), (Side::Head, head)] {
            let path = trees.path(side);
            let out = git(repo)
                .args(["worktree", "add", "--detach", "--quiet"])
                .arg(&path)
                .arg(commit)
                .output()
                .map_err(|e| {
                    Error::Ab(format!(
                        "failed to run git (bench-bot ab needs git on PATH): {e}"
                    ))
                })?;
            if !out.status.success() {
                return Err(Error::Ab(format!(
                    "failed to check out the {} side ({commit}) as a worktree: {}",
                    side.name(),
                    String::from_utf8_lossy(&out.stderr).trim()
                )));
            }
            trees.added.push(path);
        }
        Ok(trees)
    }

    /// The tree of a side.
    pub fn path(&self, side: Side) -> PathBuf {
        self.root.path().join(side.name())
    }

    /// Builds with cargo in a folder of each side's own under `shared`, the
    /// `CARGO_TARGET_DIR` of the environment (see [`Trees::env`]).
    pub fn share_cargo_target(&mut self, shared: PathBuf) {
        self.cargo_target = Some(shared);
    }

    /// Where a side's cargo builds when `CARGO_TARGET_DIR` is set.
    pub fn cargo_target(&self, side: Side) -> Option<PathBuf> {
        let shared = self.cargo_target.as_ref()?;
        Some(shared.join("bench-bot-ab").join(side.name()))
    }

    /// The environment of a side's commands, beyond bench-bot's own variables. Without
    /// it each tree builds in its own `target/`; with `CARGO_TARGET_DIR` set, both trees
    /// would build into the one folder it names, cargo would take the first tree's build
    /// as fresh for the second, and both sides would run the same binary (a sort given
    /// 1.3x the data in the head commit measured +1 %). Each side gets its own folder
    /// under it instead, kept between runs for the dependencies' builds.
    pub fn env(&self, side: Side) -> Vec<(&'static str, String)> {
        self.cargo_target(side)
            .map(|dir| ("CARGO_TARGET_DIR", dir.display().to_string()))
            .into_iter()
            .collect()
    }

    /// A folder for results, outside both trees.
    pub fn results(&self) -> PathBuf {
        self.root.path().join("results")
    }
}

impl Drop for Trees {
    fn drop(&mut self) {
        for path in self.added.drain(..) {
            let _ = git(&self.repo)
                .args(["worktree", "remove", "--force"])
                .arg(&path)
                .output();
        }
        let _ = git(&self.repo).args(["worktree", "prune"]).output();
    }
}

fn git(repo: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.arg("-C").arg(repo);
    cmd
}
