//! Paths in the action's workspace: inputs relative to it, globs expanded below it, and
//! nothing that resolves outside it.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// `p` as given when absolute, else below the workspace.
pub fn resolve(workspace: &Path, p: &str) -> PathBuf {
    let p = Path::new(p);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        workspace.join(p)
    }
}

/// `path` relative to the workspace when it is inside it, for messages and outputs.
pub fn relative<'a>(workspace: &Path, path: &'a Path) -> &'a Path {
    path.strip_prefix(workspace).unwrap_or(path)
}

/// Expands the `results` entries: plain paths as given, `*`/`?`/`[` patterns against the
/// files below the workspace. A pattern that matches nothing is an error.
pub fn expand(workspace: &Path, entries: &[String]) -> Result<Vec<PathBuf>> {
    let out = expand_unchecked(workspace, entries)?;
    // Inputs come from files a pull request can change: a link must not lead the
    // action to read (and report on) files outside the workspace.
    let root = workspace
        .canonicalize()
        .unwrap_or_else(|_| workspace.to_path_buf());
    for p in &out {
        if let Ok(real) = p.canonicalize() {
            if !real.starts_with(&root) {
                return Err(Error::input(
                    p,
                    None,
                    format!("resolves to {}, outside the workspace", real.display()),
                ));
            }
        }
    }
    Ok(out)
}

fn expand_unchecked(workspace: &Path, entries: &[String]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in entries {
        if !entry.contains(['*', '?', '[']) {
            out.push(resolve(workspace, entry));
            continue;
        }
        let glob = globset::Glob::new(entry)
            .map_err(|e| {
                Error::Usage(format!(
                    "input `results`: `{entry}` is not a valid glob: {e}"
                ))
            })?
            .compile_matcher();
        let mut found = Vec::new();
        walk(workspace, workspace, &glob, &mut found, 0);
        if found.is_empty() {
            return Err(Error::Usage(format!(
                "input `results`: `{entry}` matches no file"
            )));
        }
        found.sort();
        out.extend(found);
    }
    Ok(out)
}

fn walk(
    root: &Path,
    dir: &Path,
    glob: &globset::GlobMatcher,
    found: &mut Vec<PathBuf>,
    depth: usize,
) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let rel = path.strip_prefix(root).unwrap_or(&path);
        if glob.is_match(rel) {
            found.push(path.clone());
        } else if kind.is_dir() && depth < 16 && entry.file_name() != ".git" {
            walk(root, &path, glob, found, depth + 1);
        }
    }
}
