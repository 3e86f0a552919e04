//! Leaves the workspace as the action found it: the container runs as root on a
//! workspace the runner's user owns, so every file bench-bot creates or changes there
//! (`bench-bot-report/`, and in the checkout's `.git` the fetched objects, the history
//! ref, `FETCH_HEAD`) would otherwise belong to root, and a later step's `git fetch` or
//! `rm -rf` fails with "Permission denied". Each such file is given back to the owner
//! of the workspace root.

use std::path::Path;

/// Gives every entry below `workspace/.git` and `workspace/bench-bot-report` that is
/// not owned by the workspace root's owner to that owner (and group). Symbolic links
/// are changed themselves, never followed. Returns how many entries changed. Only root
/// can give files away: run as the workspace's own user, nothing differs, and a
/// refusal (`EPERM`) just ends the walk.
#[cfg(unix)]
pub fn restore(workspace: &Path) -> std::io::Result<usize> {
    use std::os::unix::fs::MetadataExt;
    let root = std::fs::metadata(workspace)?;
    let mut changed = 0;
    for dir in [".git", "bench-bot-report"] {
        let path = workspace.join(dir);
        if std::fs::symlink_metadata(&path).is_err() {
            continue;
        }
        match give_back(&path, root.uid(), root.gid(), &mut changed) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => break,
            Err(e) => return Err(e),
        }
    }
    Ok(changed)
}

#[cfg(not(unix))]
pub fn restore(_workspace: &Path) -> std::io::Result<usize> {
    Ok(0)
}

#[cfg(unix)]
fn give_back(path: &Path, uid: u32, gid: u32, changed: &mut usize) -> std::io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::symlink_metadata(path)?;
    if meta.uid() != uid || meta.gid() != gid {
        std::os::unix::fs::lchown(path, Some(uid), Some(gid))?;
        *changed += 1;
    }
    if meta.is_dir() {
        for entry in std::fs::read_dir(path)? {
            give_back(&entry?.path(), uid, gid, changed)?;
        }
    }
    Ok(())
}
