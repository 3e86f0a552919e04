//! A temporary git repository with a base and a head commit of a tiny "suite" (a shell
//! script writing custom JSON), for `bench-bot ab` and the action that publishes its
//! report.

use std::path::Path;
use std::process::Command;

/// Writes custom JSON: `sort` at 100 ns × $FACTOR × drift, `sum` at 50 ns × drift, the
/// drift changing from round to round (the same for both sides of a round).
pub const SUITE: &str = r#"#!/bin/sh
factor=$(cat factor.txt)
drift=$(( (BENCH_BOT_ROUND * 37) % 11 + 10 ))
awk -v f="$factor" -v d="$drift" 'BEGIN {
  printf "[{\"name\": \"sort\", \"value\": %.4f, \"unit\": \"ns\"}, {\"name\": \"sum\", \"value\": %.4f, \"unit\": \"ns\"}]\n", 10 * f * d, 5 * d
}' > "$1"
"#;

pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A repository with two commits: `base` (factor 1.0) and `head` (factor `head_factor`,
/// and `head_files` added); returns (dir, base sha, head sha).
pub fn repository(
    head_factor: &str,
    head_files: &[(&str, &str)],
) -> (tempfile::TempDir, String, String) {
    repository_of(SUITE, "1.0", head_factor, head_files)
}

/// The same with another suite script and base factor (`factor.txt` holds any word the
/// script reads).
pub fn repository_of(
    suite: &str,
    base_factor: &str,
    head_factor: &str,
    head_files: &[(&str, &str)],
) -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    git(d, &["config", "user.email", "ab@example.com"]);
    git(d, &["config", "user.name", "ab"]);
    std::fs::write(d.join("bench.sh"), suite).expect("write");
    std::fs::write(d.join("factor.txt"), format!("{base_factor}\n")).expect("write");
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "base"]);
    let base = git(d, &["rev-parse", "HEAD"]);
    git(d, &["checkout", "-q", "-b", "feature"]);
    std::fs::write(d.join("factor.txt"), format!("{head_factor}\n")).expect("write");
    for (name, text) in head_files {
        std::fs::write(d.join(name), text).expect("write");
    }
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "--allow-empty", "-m", "head"]);
    let head = git(d, &["rev-parse", "HEAD"]);
    (dir, base, head)
}
