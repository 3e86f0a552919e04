//! `bench-bot changes` through the binary: over result files given oldest first, over a
//! real imported history branch, `--since`, several suites, and bad input.

mod common;

use std::path::Path;

use common::{bench_bot, repo as repo_file};
use serde_json::Value;

/// Writes `n` custom-JSON result files, oldest first, with `level(i, k)` for
/// benchmark `k`; returns their paths.
fn files(dir: &Path, n: usize, names: &[&str], level: impl Fn(usize, usize) -> f64) -> Vec<String> {
    (0..n)
        .map(|i| {
            let rows: Vec<Value> = names
                .iter()
                .enumerate()
                .map(|(k, name)| {
                    let wobble = 1.0 + 0.015 * ((i as f64) * 1.7 + k as f64).sin();
                    serde_json::json!({"name": name, "value": level(i, k) * wobble, "unit": "ns"})
                })
                .collect();
            let path = dir.join(format!("run-{i:03}.json"));
            std::fs::write(&path, serde_json::to_vec(&rows).expect("json")).expect("write");
            path.display().to_string()
        })
        .collect()
}

/// Runs a command that must succeed (its stderr is the failure's message).
fn succeeds(cmd: &mut assert_cmd::Command) {
    let out = cmd.output().expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn changes(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = bench_bot(dir)
        .arg("changes")
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.code().expect("exit code"),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_step_in_result_files_is_found_at_its_run() {
    let tmp = tempfile::tempdir().expect("tmp");
    let hostile = "<img src=x onerror=alert(1)>|**bold**";
    let paths = files(tmp.path(), 45, &["steady", hostile], |i, k| {
        if k == 1 && i >= 30 { 150.0 } else { 100.0 }
    });
    let mut args = vec!["--format", "json"];
    args.extend(paths.iter().map(String::as_str));
    let (code, stdout, stderr) = changes(tmp.path(), &args);
    assert_eq!(code, 0, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(report["schema"], "bench-bot/changes/v1");
    assert_eq!(report["runs"], 45);
    assert_eq!(report["summary"]["series"], 2);
    assert_eq!(report["summary"]["regressions"], 1);
    let b = &report["benchmarks"][0];
    assert_eq!(b["id"], hostile);
    let c = &b["changes"][0];
    assert_eq!(c["kind"], "regression");
    assert_eq!(c["tier"], "critical");
    assert_eq!(c["first_after"]["index"], 30);
    assert_eq!(c["last_before"]["index"], 29);
    assert_eq!(c["before"]["runs"], 30);
    assert_eq!(c["after"]["runs"], 15);
    let pct = c["change_pct"].as_f64().expect("pct");
    assert!((pct - 50.0).abs() < 3.0, "{pct}");
    assert!(c["p_value"].as_f64().expect("p") <= 0.001);

    // The markdown keeps the name inert; the text names the runs.
    let mut args = vec!["--format", "markdown"];
    args.extend(paths.iter().map(String::as_str));
    let (_, md, _) = changes(tmp.path(), &args);
    // Inside a code span, HTML and markdown stay literal text.
    assert!(
        md.contains("| `<img src=x onerror=alert(1)>\\|**bold**` |"),
        "{md}"
    );
    assert!(md.contains("regression"), "{md}");
    let (_, text, _) = changes(
        tmp.path(),
        &paths.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    assert!(text.contains("run 30 → 31"), "{text}");
    assert!(text.contains("1 regression, 0 improvements"), "{text}");

    // --output writes the same report atomically.
    let out = tmp.path().join("changes.json");
    let mut args = vec!["--format", "json", "--output", out.to_str().expect("utf-8")];
    args.extend(paths.iter().map(String::as_str));
    assert_eq!(changes(tmp.path(), &args).0, 0);
    let written: Value =
        serde_json::from_slice(&std::fs::read(&out).expect("written")).expect("json");
    assert_eq!(written["benchmarks"], report["benchmarks"]);
}

#[test]
fn a_bimodal_benchmark_is_named_with_its_two_levels() {
    let tmp = tempfile::tempdir().expect("tmp");
    // Three runs in ten at 150 ns, the others at 100 ns; "steady" stays at 100 ns.
    let paths = files(tmp.path(), 40, &["steady", "two levels"], |i, k| {
        if k == 1 && matches!(i % 10, 0 | 3 | 6) {
            150.0
        } else {
            100.0
        }
    });
    let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
    let (code, text, stderr) = changes(tmp.path(), &paths);
    assert_eq!(code, 0, "{stderr}");
    let line = text
        .lines()
        .find(|l| l.starts_with("bimodal: "))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        line.starts_with("bimodal: two levels (time) alternates between 10"),
        "{line}"
    );
    assert!(line.contains(" and 15"), "{line}");
    assert!(!text.contains("steady"), "{text}");
    assert!(text.contains("0 regressions"), "{text}");
    let mut args = vec!["--format", "markdown"];
    args.extend(&paths);
    let (_, md, _) = changes(tmp.path(), &args);
    assert!(
        md.contains("- **Bimodal:** `two levels` (time) alternates between"),
        "{md}"
    );
}

#[test]
fn the_whole_suite_stepping_is_one_runner_shift() {
    let tmp = tempfile::tempdir().expect("tmp");
    let names = ["a", "b", "c", "d", "e", "f"];
    let paths = files(tmp.path(), 50, &names, |i, k| {
        (100.0 + 10.0 * k as f64) * if i >= 35 { 1.2 } else { 1.0 }
    });
    let mut args = vec!["--format", "json"];
    args.extend(paths.iter().map(String::as_str));
    let (code, stdout, stderr) = changes(tmp.path(), &args);
    assert_eq!(code, 0, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(report["summary"]["runner_shifts"], 1, "{report:#}");
    assert_eq!(report["summary"]["regressions"], 0);
    let shift = &report["runner_shifts"][0];
    assert_eq!(shift["benchmarks"], 6);
    assert_eq!(shift["of"], 6);
    assert_eq!(shift["first_after"]["index"], 35);
    let (_, text, _) = changes(
        tmp.path(),
        &paths.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    assert!(
        text.contains("the runner moved at run 35 → 36: 6 of 6 benchmarks +20"),
        "{text}"
    );
}

#[test]
fn bad_input_is_an_error_naming_it() {
    let tmp = tempfile::tempdir().expect("tmp");
    let paths = files(tmp.path(), 5, &["a"], |_, _| 100.0);
    let mut args: Vec<&str> = paths.iter().map(String::as_str).collect();
    // --since that names nothing.
    args.extend(["--since", "not-a-date"]);
    let (code, _, stderr) = changes(tmp.path(), &args);
    assert_eq!(code, 2);
    assert!(stderr.contains("--since not-a-date"), "{stderr}");
    // A truncated file among the runs.
    std::fs::write(tmp.path().join("run-002.json"), "[{\"name\": \"a\", \"val").expect("write");
    let args: Vec<&str> = paths.iter().map(String::as_str).collect();
    let (code, stdout, stderr) = changes(tmp.path(), &args);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(stderr.contains("run-002.json"), "{stderr}");
    // A broken [changes] section.
    std::fs::write(tmp.path().join("bench-bot.toml"), "[changes]\nwindow = 1\n").expect("write");
    let (code, _, stderr) = changes(tmp.path(), &[paths[0].as_str()]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("changes.window") && stderr.contains("line 2"),
        "{stderr}"
    );
}

/// A real github-action-benchmark history, imported into a history branch: change
/// points carry their commits, `--since` lists only the newer ones, and a history with
/// two suites asks for one.
#[test]
fn changes_over_an_imported_real_history() {
    let data = repo_file("../shared/data/real-histories/rune.data.js");
    assert!(
        data.exists(),
        "the real histories are beside the repository"
    );
    let tmp = tempfile::tempdir().expect("tmp");
    let work = tmp.path();
    let git = |args: &[&str]| common::ab_repo::git(work, args);
    git(&["init", "-q", "-b", "main", "."]);
    git(&[
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@example.com",
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "init",
    ]);
    succeeds(bench_bot(work).arg("import").arg(&data));

    let (code, stdout, stderr) = changes(work, &["--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(report["runs"], 411);
    assert!(
        report["source"]
            .as_str()
            .expect("s")
            .contains("bench-bot-data")
    );
    let points: Vec<&Value> = report["benchmarks"]
        .as_array()
        .expect("benchmarks")
        .iter()
        .flat_map(|b| b["changes"].as_array().expect("changes"))
        .collect();
    assert!(report["summary"]["regressions"].as_u64().expect("n") > 0);
    for c in &points {
        let commit = c["first_after"]["commit"].as_str().expect("commit");
        assert_eq!(commit.len(), 40);
        assert!(c["last_before"]["index"].as_u64() < c["first_after"]["index"].as_u64());
        assert!(c["before"]["runs"].as_u64().expect("runs") >= 3);
        assert!(c["after"]["runs"].as_u64().expect("runs") >= 3);
    }
    for s in report["runner_shifts"].as_array().expect("shifts") {
        assert!(s["benchmarks"].as_u64().expect("n") * 2 > s["of"].as_u64().expect("of"));
    }
    // --since the newest change point's commit: only change points from there on.
    let newest = points
        .iter()
        .max_by_key(|c| c["first_after"]["index"].as_u64())
        .expect("a change point");
    let since = &newest["first_after"]["commit"].as_str().expect("c")[..10];
    let (code, stdout, stderr) = changes(work, &["--format", "json", "--since", since]);
    assert_eq!(code, 0, "{stderr}");
    let newer: Value = serde_json::from_str(&stdout).expect("json");
    let at = newest["first_after"]["index"].as_u64();
    assert_eq!(newer["since"]["index"].as_u64(), at);
    let listed: Vec<u64> = newer["benchmarks"]
        .as_array()
        .expect("b")
        .iter()
        .flat_map(|b| b["changes"].as_array().expect("c"))
        .map(|c| c["first_after"]["index"].as_u64().expect("i"))
        .collect();
    assert!(
        !listed.is_empty() && listed.iter().all(|i| Some(*i) >= at),
        "{listed:?}"
    );
    // The same run's time written in another zone names the same run.
    let utc = newest["first_after"]["timestamp"].as_str().expect("a time");
    let two_hours_east = humantime::parse_rfc3339_weak(utc.trim_end_matches('Z')).expect("reads")
        + std::time::Duration::from_secs(7200);
    let local = humantime::format_rfc3339_millis(two_hours_east).to_string();
    let local = format!("{}+02:00", local.trim_end_matches('Z'));
    let (code, stdout, stderr) = changes(work, &["--format", "json", "--since", &local]);
    assert_eq!(code, 0, "{stderr}");
    let newer: Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(
        newer["since"]["index"].as_u64(),
        at,
        "--since {local} ({utc})"
    );

    // A second suite in the same branch: `changes` asks which one.
    succeeds(
        bench_bot(work)
            .args([
                "record",
                "--no-push",
                "--branch",
                "main",
                "--suite",
                "other",
            ])
            .arg(repo_file("fixtures/pytest/baseline.json")),
    );
    let (code, _, stderr) = changes(work, &[]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("several suites (Benchmark, other)"),
        "{stderr}"
    );
    let (code, _, stderr) = changes(work, &["--suite", "Benchmark"]);
    assert_eq!(code, 0, "{stderr}");
    // A typo in the history branch is an error, not an empty report.
    let (code, _, stderr) = changes(work, &["--history", "no-such-branch"]);
    assert_eq!(code, 2, "{stderr}");
    // A source branch with no runs: the error names the one that has them.
    let (code, _, stderr) = changes(work, &["--branch", "master"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("has no runs of `master` (it has runs of `main`: pass --branch main)"),
        "{stderr}"
    );
}

/// A runner shift inside the baseline window: `analyze` compares with the runs since
/// and says why, instead of judging a run on the new machine against both levels.
#[test]
fn analyze_compares_with_the_runs_since_a_runner_shift() {
    let tmp = tempfile::tempdir().expect("tmp");
    let names = ["a", "b", "c", "d", "e"];
    // 30 baseline runs, the machine 25 % faster from run 18; then the run under test.
    let paths = files(tmp.path(), 31, &names, |i, k| {
        (100.0 + 10.0 * k as f64) * if i >= 18 { 0.8 } else { 1.0 }
    });
    let mut args = vec!["analyze", "--format", "json"];
    for p in &paths[..30] {
        args.extend(["--baseline", p.as_str()]);
    }
    args.push(paths[30].as_str());
    let out = bench_bot(tmp.path()).args(&args).output().expect("runs");
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(report["baseline"]["runs"], 12, "{report:#}");
    let notes = report["notes"].to_string();
    assert!(
        notes.contains(
            "The runner moved between baseline run 18 and baseline run 19: 5 of 5 benchmarks −"
        ) && notes.contains("% together"),
        "{notes}"
    );
    assert!(notes.contains("compared with the 12 runs since"), "{notes}");
    assert_eq!(report["summary"]["improvements"], 0, "{report:#}");
    assert_eq!(report["verdict"], "pass");
}

/// A history of one branch other than `main` (`git init` may name it `master`): without
/// --branch, `changes` and `dashboard` read it and say so; --branch main is still an
/// error that names it.
#[test]
fn a_history_of_one_other_branch_is_read_without_branch() {
    let tmp = tempfile::tempdir().expect("tmp");
    let work = tmp.path();
    common::ab_repo::git(work, &["init", "-q", "-b", "trunk", "."]);
    for file in [
        "fixtures/pytest/baseline.json",
        "fixtures/pytest/candidate.json",
    ] {
        succeeds(
            bench_bot(work)
                .args(["record", "--no-push", "--branch", "trunk"])
                .arg(repo_file(file)),
        );
    }
    let (code, stdout, stderr) = changes(work, &["--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("has no runs of `main`: reading those of `trunk`"),
        "{stderr}"
    );
    let report: Value = serde_json::from_str(&stdout).expect("json");
    // The text report on a terminal lists the warning itself: said once, not also on
    // stderr.
    let (code, text, text_stderr) = changes(work, &[]);
    assert_eq!(code, 0, "{text_stderr}");
    let said = "has no runs of `main`: reading those of `trunk`";
    assert_eq!(
        (
            text.matches(said).count(),
            text_stderr.matches(said).count()
        ),
        (1, 0),
        "{text}{text_stderr}"
    );
    assert_eq!(report["runs"], 2);
    assert!(
        report["source"]
            .as_str()
            .expect("s")
            .contains("runs of `trunk`"),
        "{}",
        report["source"]
    );
    succeeds(bench_bot(work).args(["dashboard", "--out", "page"]));
    let html = std::fs::read_to_string(work.join("page/index.html")).expect("page");
    assert!(html.contains("Benchmarks on trunk"));
    let (code, _, stderr) = changes(work, &["--branch", "main"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("(it has runs of `trunk`: pass --branch trunk)"),
        "{stderr}"
    );
}

#[test]
fn the_help_names_the_changes_schema_not_the_report_s() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = bench_bot(tmp.path())
        .args(["changes", "--help"])
        .output()
        .expect("runs");
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(help.contains("`bench-bot/changes/v1`"), "{help}");
    assert!(
        !help.contains("report/v1") && !help.contains("pull-request comment"),
        "{help}"
    );
}

/// Runs of a Python version matrix (real pytest-benchmark files, three commits under
/// CPython 3.10, 3.12 and 3.13): the report warns that the history interleaves the
/// entries, naming the version.
#[test]
fn a_matrix_in_one_history_is_warned_about() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut args = vec!["--format".to_string(), "json".to_string()];
    for commit in 1..=3 {
        for py in ["3.10", "3.12", "3.13"] {
            let file = repo_file(&format!(
                "fixtures/pytest/matrix/commit{commit}-py{py}.json"
            ));
            args.push(file.display().to_string());
        }
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, stdout, stderr) = changes(tmp.path(), &args);
    assert_eq!(code, 0, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).expect("json");
    let warning = "The 9 runs measured 3 commits, 3 runs a commit, and the runs of a commit \
                   differ in `python_version` (3.10.13, 3.12.1, 3.13.0): the entries of a CI \
                   matrix recording into one history. Each benchmark's history interleaves \
                   their levels; give each entry its own suite";
    assert!(
        report["warnings"][0]
            .as_str()
            .is_some_and(|w| w.starts_with(warning)),
        "{report:#}"
    );
    // On stderr too, where a JSON report on stdout does not show it.
    assert!(stderr.contains(warning), "{stderr}");
}
