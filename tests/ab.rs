//! `bench-bot ab` end to end, in real temporary git repositories. The suite here is a
//! shell script whose "timings" are the work factor in the commit times a drift that
//! both sides of a round share (a machine that slows down and speeds up), so the
//! verdicts are exact; a real pytest-benchmark suite is run by `.ci/run`.

mod common;

use std::path::Path;
use std::process::Command;

use common::{bench_bot, row};

/// Writes custom JSON: `sort` at 100 ns × $FACTOR × drift, `sum` at 50 ns × drift, the
/// drift changing from round to round (the same for both sides of a round).
const SUITE: &str = r#"#!/bin/sh
factor=$(cat factor.txt)
drift=$(( (BENCH_BOT_ROUND * 37) % 11 + 10 ))
awk -v f="$factor" -v d="$drift" 'BEGIN {
  printf "[{\"name\": \"sort\", \"value\": %.4f, \"unit\": \"ns\"}, {\"name\": \"sum\", \"value\": %.4f, \"unit\": \"ns\"}]\n", 10 * f * d, 5 * d
}' > "$1"
"#;

fn git(dir: &Path, args: &[&str]) -> String {
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
fn repository(
    head_factor: &str,
    head_files: &[(&str, &str)],
) -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    git(d, &["config", "user.email", "ab@example.com"]);
    git(d, &["config", "user.name", "ab"]);
    std::fs::write(d.join("bench.sh"), SUITE).expect("write");
    std::fs::write(d.join("factor.txt"), "1.0\n").expect("write");
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

fn ab(dir: &Path, args: &[&str]) -> (i32, serde_json::Value, String) {
    let out = bench_bot(dir)
        .arg("ab")
        .args(["--format", "json", "--run", "sh bench.sh {out}"])
        .args(args)
        .output()
        .expect("runs");
    let report = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (
        out.status.code().unwrap_or(-1),
        report,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Only the main worktree is left, and no folder of bench-bot's.
fn assert_no_worktree_left(dir: &Path) {
    let list = git(dir, &["worktree", "list", "--porcelain"]);
    let trees = list.lines().filter(|l| l.starts_with("worktree ")).count();
    assert_eq!(trees, 1, "{list}");
}

#[test]
fn an_injected_slowdown_is_caught_and_unchanged_code_passes() {
    let (repo, base, _) = repository("1.3", &[]);
    let d = repo.path();
    let (code, report, stderr) = ab(d, &["--base", &base, "--rounds", "12"]);
    assert_eq!(code, 1, "{stderr}\n{report}");
    let sort = row(&report, "sort");
    assert_eq!(
        (&sort["status"], &sort["tier"]),
        (&"regression".into(), &"critical".into())
    );
    assert_eq!(sort["method"], "paired");
    assert_eq!(sort["rounds"], 12);
    let change = sort["value_change_pct"].as_f64().expect("change");
    assert!((change - 30.0).abs() < 0.01, "{sort}");
    assert_eq!(row(&report, "sum")["status"], "unchanged");
    assert!(
        report["baseline"]["description"]
            .as_str()
            .expect("description")
            .starts_with("same-runner A/B, 12 rounds in ABBA order (base ")
    );
    // The order alternates, and every round says how far along it is.
    assert!(
        stderr.contains("round 1/12 (AB)") && stderr.contains("round 2/12 (BA)"),
        "{stderr}"
    );
    assert!(stderr.contains("round 12/12 (BA)"), "{stderr}");
    assert_no_worktree_left(d);
    // Base and head the same commit: nothing moves, nothing blocks.
    let (code, report, stderr) = ab(d, &["--base", "HEAD", "--rounds", "3"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(report["verdict"], "pass", "{report}");
    assert_eq!(report["summary"]["compared"], 2);
}

#[test]
fn the_default_base_is_the_merge_base_with_the_base_branch() {
    let (repo, base, head) = repository("1.3", &[]);
    let d = repo.path();
    // main moves on after the branch point; the merge-base stays the branch point.
    git(d, &["checkout", "-q", "main"]);
    std::fs::write(d.join("other.txt"), "later\n").expect("write");
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "later on main"]);
    git(d, &["checkout", "-q", "feature"]);
    let (code, report, stderr) = ab(d, &["--rounds", "2"]);
    assert!(code == 0 || code == 1, "{stderr}");
    assert_eq!(
        report["baseline"]["refs"][0]["commit"],
        base[..7],
        "{report}"
    );
    assert_eq!(report["current"]["commit"], head[..7]);
    // No such base branch: exit 2, saying what to pass.
    let (code, _, stderr) = ab(d, &["--rounds", "2", "--base-branch", "nope"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("`nope` exists neither") && stderr.contains("--base REV"),
        "{stderr}"
    );
}

#[test]
fn a_failing_build_or_run_names_its_side_and_round_and_leaves_no_worktree() {
    // The head side lacks what its build needs.
    let build = "test -f needs.txt || { echo 'missing dependency: libfoo' >&2; exit 3; }";
    let (repo, base, _) = repository("1.0", &[]);
    let d = repo.path();
    std::fs::write(d.join("needs.txt"), "").expect("write");
    let (code, report, stderr) = ab(d, &["--base", &base, "--rounds", "2", "--build", build]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(report, serde_json::Value::Null, "no report on failure");
    assert!(
        stderr.contains("the build of the base side failed"),
        "{stderr}"
    );
    assert!(stderr.contains("missing dependency: libfoo"), "{stderr}");
    assert_no_worktree_left(d);
    // A run that fails on the head side only, in its first round.
    let (repo, base, _) = repository(
        "1.0",
        &[("bench.sh", "echo 'ImportError: no module x' >&2; exit 1\n")],
    );
    let d = repo.path();
    let (code, _, stderr) = ab(d, &["--base", &base, "--rounds", "2"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("round 1, head side failed"), "{stderr}");
    assert!(stderr.contains("ImportError: no module x"), "{stderr}");
    assert_no_worktree_left(d);
    // A run that exits 0 but writes nothing.
    let (repo, base, _) = repository("1.0", &[("bench.sh", "echo done\n")]);
    let d = repo.path();
    let (code, _, stderr) = ab(d, &["--base", &base, "--rounds", "2"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("round 1, head side: `sh bench.sh") && stderr.contains("wrote no results"),
        "{stderr}"
    );
    // Two sides with no benchmark in common.
    let other = SUITE
        .replace("\\\"sort\\\"", "\\\"other\\\"")
        .replace("\\\"sum\\\"", "\\\"more\\\"");
    let (repo, base, _) = repository("1.0", &[("bench.sh", &other)]);
    let (code, _, stderr) = ab(repo.path(), &["--base", &base, "--rounds", "2"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("no benchmark in common"), "{stderr}");
}

#[test]
fn ctrl_c_stops_the_run_and_leaves_no_worktree() {
    let (repo, base, _) = repository("1.0", &[]);
    let d = repo.path();
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("bench-bot"));
    cmd.current_dir(d)
        .args(["ab", "--base", &base, "--rounds", "3", "--run", "sleep 30"])
        .stderr(std::process::Stdio::piped());
    let running = cmd.spawn().expect("starts");
    // Wait until both worktrees exist and a round is under way.
    let started = std::time::Instant::now();
    loop {
        let list = git(d, &["worktree", "list", "--porcelain"]);
        if list.lines().filter(|l| l.starts_with("worktree ")).count() == 3 {
            break;
        }
        assert!(
            started.elapsed().as_secs() < 30,
            "the worktrees never appeared"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    let kill = Command::new("kill")
        .args(["-INT", &running.id().to_string()])
        .status()
        .expect("kill");
    assert!(kill.success());
    let out = running.wait_with_output().expect("ends");
    assert_eq!(
        out.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("interrupted: during round 1"));
    assert!(
        started.elapsed().as_secs() < 20,
        "it waited for the benchmark instead of stopping it"
    );
    assert_no_worktree_left(d);
}
