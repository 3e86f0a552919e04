//! `bench-bot ab` end to end, in real temporary git repositories. The suite here is a
//! shell script whose "timings" are the work factor in the commit times a drift that
//! both sides of a round share (a machine that slows down and speeds up), so the
//! verdicts are exact; the real pytest-benchmark and criterion suites are run by `.ci/run`.

mod common;

use std::path::Path;
use std::process::Command;

use common::ab_repo::{SUITE, git, repository, repository_of};
use common::{bench_bot, row};

/// `bench-bot ab` with the test suite's `--run` and `args`.
fn run_ab(dir: &Path, args: &[&str]) -> std::process::Output {
    bench_bot(dir)
        .args(["ab", "--run", "sh bench.sh {out}"])
        .args(args)
        .output()
        .expect("runs")
}

fn ab(dir: &Path, args: &[&str]) -> (i32, serde_json::Value, String) {
    let out = run_ab(dir, &[&["--format", "json"], args].concat());
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
fn the_comment_and_the_table_give_each_change_its_interval_and_rounds() {
    let (repo, base, _) = repository("1.3", &[]);
    let d = repo.path();
    let out = run_ab(
        d,
        &["--format", "markdown", "--base", &base, "--rounds", "12"],
    );
    let comment = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{comment}");
    // The regression's row: the change, then its interval, rounds and detectable change.
    let sort = comment
        .lines()
        .find(|l| l.contains("`sort`"))
        .unwrap_or_else(|| panic!("{comment}"));
    assert!(
        sort.contains("+30.0 %<br><sub>95 %: +30.0 % to +30.0 % · 12 rounds · detectable: "),
        "{sort}"
    );
    assert!(
        comment.contains("same-runner A/B, 12 rounds in ABBA order"),
        "{comment}"
    );
    // The terminal's table: the interval and the rounds under the change.
    let out = run_ab(d, &["--color", "never", "--base", &base, "--rounds", "12"]);
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains(" sort "))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(lines[at].contains("+30.0 %"), "{text}");
    assert!(lines[at + 1].contains("+30.0 % to +30.0 %"), "{text}");
    assert!(lines[at + 2].contains("12 rounds"), "{text}");
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
    // An output folder that does not exist is refused before any round runs.
    let (code, _, stderr) = ab(
        d,
        &[
            "--base",
            &base,
            "--rounds",
            "2",
            "--output",
            "no/such/report.json",
        ],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("the folder no/such does not exist (checked before the rounds)"),
        "{stderr}"
    );
    assert!(!stderr.contains("round 1"), "{stderr}");
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

/// A bencher-text suite of eleven benchmarks where `sort` is 30 % slower on the head
/// side: too few rounds for Benjamini–Hochberg across eleven, so the extra rounds run
/// `sort` alone through `{filter}` (a regex for bencher text) until it is decided. A
/// full run takes a quarter second; a filtered one is instant.
const FILTERED_SUITE: &str = r#"#!/bin/sh
factor=$(cat factor.txt)
[ -z "$2" ] && sleep 0.25
{
  awk -v f="$factor" 'BEGIN { printf "test sort ... bench: %d ns/iter (+/- 1)\n", 100000 * f }'
  for i in 1 2 3 4 5 6 7 8 9 10; do echo "test other$i ... bench: $((50000 + i)) ns/iter (+/- 1)"; done
} | grep -E "^test ${2:-.*} " > "$1"
"#;

#[test]
fn extra_rounds_rerun_only_the_undecided_benchmarks_through_the_filter() {
    let filtered = FILTERED_SUITE.replace(
        "${2:-.*}",
        "($(echo \"${2:-.*}\" | sed 's/^\\^(//; s/)\\$$//'))",
    );
    let (repo, base, _) = repository("1.3", &[("bench.sh", &filtered)]);
    let d = repo.path();
    std::fs::write(d.join("bench.sh"), &filtered).expect("write");
    let out = bench_bot(d)
        .args([
            "ab",
            "--base",
            &base,
            "--time-budget",
            "3s",
            "--format",
            "json",
        ])
        .args(["--run", "sh bench.sh {out} '{filter}'"])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    assert_eq!(out.status.code(), Some(1), "{stderr}\n{report}");
    assert!(
        stderr.contains("one more round of them only ({filter} = ^(sort)$)"),
        "{stderr}"
    );
    let sort = row(&report, "sort");
    let other = row(&report, "other1");
    assert_eq!(
        (&sort["status"], &sort["tier"]),
        (&"regression".into(), &"critical".into())
    );
    assert!(
        sort["rounds"].as_u64() > other["rounds"].as_u64(),
        "{sort}\n{other}"
    );
    assert_no_worktree_left(d);
}

/// The head's `sort` is 50 % slower in odd rounds and 5 % faster in even ones: after the
/// 30 planned rounds the signed-rank test cannot yet tell (p ≈ 0.01), so the budget buys
/// more rounds, past the 30 the budget plans, until it can.
const ALTERNATING_SUITE: &str = r#"#!/bin/sh
v=100
if [ "$(cat factor.txt)" = alternating ]; then
  if [ $((BENCH_BOT_ROUND % 2)) = 1 ]; then v=150; else v=95; fi
fi
printf '[{"name": "sort", "value": %s, "unit": "ns"}]\n' "$v" > "$1"
"#;

#[test]
fn undecided_benchmarks_get_rounds_beyond_the_planned_thirty_while_the_budget_lasts() {
    let (repo, base, _) = repository_of(ALTERNATING_SUITE, "steady", "alternating", &[]);
    let d = repo.path();
    let (_, report, stderr) = ab(d, &["--base", &base, "--time-budget", "60s"]);
    assert!(stderr.contains("round 30/30"), "{stderr}");
    assert!(stderr.contains("1 undecided: one more round"), "{stderr}");
    // Past the plan, a round says how much of the budget is left, not "about 0s".
    assert!(
        stderr.contains("round 31, an extra one (AB): ")
            && stderr.contains(" of the 1m 00s budget left"),
        "{stderr}"
    );
    let sort = row(&report, "sort");
    let rounds = sort["rounds"].as_u64().unwrap_or_default();
    assert!((31..=100).contains(&rounds), "{sort}");
    assert_eq!(sort["status"], "regression", "{sort}\n{stderr}");
    assert_no_worktree_left(d);
}

#[test]
fn a_shared_cargo_target_dir_becomes_one_folder_per_side() {
    // With CARGO_TARGET_DIR set, both trees would build into one folder and cargo would
    // run one tree's binary for both sides: each side's build and rounds get their own.
    let (repo, base, _) = repository("1.0", &[]);
    let d = repo.path();
    let seen = tempfile::tempdir().expect("tempdir");
    let log = seen.path().join("targets");
    let record = format!(
        "echo \"$BENCH_BOT_SIDE=$CARGO_TARGET_DIR\" >> {}",
        log.display()
    );
    let build = format!("echo \"build=$CARGO_TARGET_DIR\" >> {}", log.display());
    let run = format!("sh bench.sh {{out}} && {record}");
    let out = bench_bot(d)
        .env("CARGO_TARGET_DIR", "/cache/target")
        .args(["ab", "--format", "json", "--base", &base, "--rounds", "2"])
        .args(["--run", &run, "--build", &build])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains(
            "CARGO_TARGET_DIR is set: the base side builds in /cache/target/bench-bot-ab/base, \
             the head side in /cache/target/bench-bot-ab/head"
        ),
        "{stderr}"
    );
    let lines = std::fs::read_to_string(&log).expect("log");
    let lines: Vec<&str> = lines.lines().collect();
    assert_eq!(
        lines,
        [
            "build=/cache/target/bench-bot-ab/base",
            "build=/cache/target/bench-bot-ab/head",
            "base=/cache/target/bench-bot-ab/base",
            "head=/cache/target/bench-bot-ab/head",
            "head=/cache/target/bench-bot-ab/head",
            "base=/cache/target/bench-bot-ab/base",
        ]
    );
    // Unset, it stays unset: each tree's own `target/`.
    std::fs::remove_file(&log).expect("remove");
    let out = bench_bot(d)
        .args(["ab", "--base", &base, "--rounds", "2", "--run", &run])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("CARGO_TARGET_DIR"), "{stderr}");
    let lines = std::fs::read_to_string(&log).expect("log");
    assert_eq!(lines, "base=\nhead=\nhead=\nbase=\n");
}
