//! Bad input: one clear message on stderr naming the file and the problem, exit
//! code 2, and no output file.

mod common;

use std::path::Path;

use common::{bench_bot, repo};

/// Runs `analyze --output report.json --baseline <baseline> <current>` in `dir` and
/// returns stderr after checking the exit code is 2 and no report was written.
fn fails(dir: &Path, baseline: &Path, current: &Path, extra: &[&str]) -> String {
    let out = bench_bot(dir)
        .args(["analyze", "--format", "json", "--output", "report.json"])
        .args(extra)
        .arg("--baseline")
        .arg(baseline)
        .arg(current)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    assert!(
        !dir.join("report.json").exists(),
        "a report was written despite the error"
    );
    assert_eq!(stderr.lines().count(), 1, "one message: {stderr}");
    assert!(stderr.starts_with("bench-bot: failed to"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

fn setup(name: &str, content: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join(name);
    std::fs::write(&path, content).expect("write");
    (tmp, path)
}

fn good() -> std::path::PathBuf {
    repo("fixtures/pytest/baseline.json")
}

fn assert_has(stderr: &str, parts: &[&str]) {
    for p in parts {
        assert!(stderr.contains(p), "missing `{p}` in: {stderr}");
    }
}

#[test]
fn malformed_json() {
    let (tmp, f) = setup(
        "bad.json",
        br#"{"machine_info": {}, "benchmarks": [ {"name": 1,, }"#,
    );
    let e = fails(tmp.path(), &good(), &f, &[]);
    assert_has(&e, &["bad.json", "as pytest-benchmark"]);
}

#[test]
fn truncated_json() {
    let whole = std::fs::read(good()).expect("fixture");
    let (tmp, f) = setup("cut.json", &whole[..whole.len() / 3]);
    let e = fails(tmp.path(), &good(), &f, &[]);
    assert_has(&e, &["cut.json", "truncated"]);
}

#[test]
fn unknown_format_lists_the_formats() {
    let (tmp, f) = setup("notes.txt", b"hello, these are not benchmark results\n");
    let e = fails(tmp.path(), &good(), &f, &[]);
    assert_has(&e, &["notes.txt", "unknown format", "--format-in"]);
}

#[test]
fn forced_format_that_does_not_fit() {
    let (tmp, f) = setup("r.json", b"[1, 2, 3]");
    let e = fails(
        tmp.path(),
        &good(),
        &f,
        &["--format-in", "pytest-benchmark"],
    );
    assert_has(&e, &["r.json", "as pytest-benchmark"]);
}

#[test]
fn empty_file_and_empty_results() {
    let (tmp, f) = setup("empty.json", b"  \n");
    assert_has(
        &fails(tmp.path(), &good(), &f, &[]),
        &["empty.json", "empty"],
    );
    let (tmp, f) = setup("none.json", br#"{"machine_info": {}, "benchmarks": []}"#);
    assert_has(
        &fails(tmp.path(), &good(), &f, &[]),
        &["none.json", "`benchmarks` is empty"],
    );
    let (tmp, f) = setup("none.json", b"[]");
    assert_has(
        &fails(tmp.path(), &good(), &f, &[]),
        &["none.json", "empty"],
    );
}

#[test]
fn pytest_file_without_benchmarks_names_the_command() {
    let (tmp, f) = setup(
        "meta.json",
        br#"{"machine_info": {"node": "x"}, "commit_info": {}}"#,
    );
    assert_has(
        &fails(tmp.path(), &good(), &f, &[]),
        &["meta.json", "--benchmark-json"],
    );
}

#[test]
fn criterion_folder_without_new_estimates_names_the_command() {
    let tmp = tempfile::tempdir().expect("tmp");
    let bench = tmp.path().join("criterion/sort/base");
    std::fs::create_dir_all(&bench).expect("mkdir");
    std::fs::write(bench.join("benchmark.json"), "{}").expect("write");
    let e = fails(
        tmp.path(),
        &repo("fixtures/criterion/baseline"),
        &tmp.path().join("criterion"),
        &[],
    );
    assert_has(&e, &["sort", "new/estimates.json", "cargo bench"]);
}

#[test]
fn nan_infinite_and_negative_values() {
    for (value, what) in [
        ("NaN", "NaN"),
        ("Infinity", "NaN"),
        ("-Infinity", "NaN"),
        ("-0.5", "negative"),
    ] {
        let doc = format!(
            r#"{{"machine_info": {{}}, "benchmarks": [{{"name": "t", "fullname": "f.py::t",
                "stats": {{"mean": {value}, "stddev": 0.1, "rounds": 5}}}}]}}"#
        );
        let (tmp, f) = setup("nan.json", doc.as_bytes());
        assert_has(
            &fails(tmp.path(), &good(), &f, &[]),
            &["nan.json", "`f.py::t`", "stats.mean", what],
        );
    }
    let (tmp, f) = setup(
        "c.json",
        br#"[{"name": "a", "value": -Infinity, "unit": "ns"}]"#,
    );
    assert_has(&fails(tmp.path(), &good(), &f, &[]), &["c.json", "`a`"]);
    let (tmp, f) = setup("b.txt", b"test a ... bench: -5 ns/iter (+/- 1)\n");
    assert_has(
        &fails(tmp.path(), &good(), &f, &[]),
        &["b.txt", "line 1", "non-negative"],
    );
}

#[test]
fn duplicate_ids_in_one_file_and_across_shards() {
    let (tmp, f) = setup(
        "dup.txt",
        b"test a ... bench: 5 ns/iter (+/- 1)\ntest a ... bench: 6 ns/iter (+/- 1)\n",
    );
    assert_has(
        &fails(tmp.path(), &good(), &f, &[]),
        &["dup.txt", "duplicate benchmark id `a`"],
    );
    let out = bench_bot(tmp.path())
        .args(["analyze", "--baseline"])
        .arg(good())
        .arg(good())
        .arg(repo("fixtures/pytest/candidate.json"))
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert_has(
        &stderr,
        &[
            "candidate.json",
            "also in",
            "pass the older one with --baseline",
            "baseline.json",
            "duplicate benchmark id",
        ],
    );
}

#[test]
fn missing_baseline_and_missing_input() {
    let tmp = tempfile::tempdir().expect("tmp");
    let e = fails(tmp.path(), &tmp.path().join("nope.json"), &good(), &[]);
    assert_has(&e, &["nope.json", "no such file"]);
    let e = fails(tmp.path(), &good(), &tmp.path().join("gone.json"), &[]);
    assert_has(&e, &["gone.json", "no such file"]);
}

#[test]
fn files_over_max_input_size_are_refused() {
    let (tmp, cfg) = setup("bench-bot.toml", b"max_input_size = 1000\n");
    let e = fails(
        tmp.path(),
        &good(),
        &repo("fixtures/pytest/candidate.json"),
        &["--config", cfg.to_str().expect("utf8")],
    );
    assert_has(
        &e,
        &[
            "candidate.json",
            "over the limit of 1000 bytes",
            "max_input_size",
        ],
    );
}

#[test]
fn invalid_utf8_in_text_input() {
    let (tmp, f) = setup("b.txt", b"test \xff\xfe ... bench: 5 ns/iter (+/- 1)\n");
    assert_has(&fails(tmp.path(), &good(), &f, &[]), &["b.txt", "UTF-8"]);
}

#[test]
fn broken_config_names_file_key_and_line() {
    let (tmp, cfg) = setup(
        "bench-bot.toml",
        b"window = 10\n[tiers.critical]\nsigma = -3\n",
    );
    let e = fails(
        tmp.path(),
        &good(),
        &good(),
        &["--config", cfg.to_str().expect("utf8")],
    );
    assert_has(&e, &["bench-bot.toml", "tiers.critical.sigma", "line 3"]);
    std::fs::write(&cfg, b"[tiers\n").expect("write");
    let e = fails(
        tmp.path(),
        &good(),
        &good(),
        &["--config", cfg.to_str().expect("utf8")],
    );
    assert_has(&e, &["bench-bot.toml", "line 1"]);
    // A config found by discovery is read too.
    std::fs::write(&cfg, b"windw = 3\n").expect("write");
    let e = fails(tmp.path(), &good(), &good(), &[]);
    assert_has(&e, &["bench-bot.toml", "windw"]);
}

#[test]
fn output_into_a_missing_directory() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = bench_bot(tmp.path())
        .args([
            "analyze",
            "--output",
            "no/such/dir/report.json",
            "--baseline",
        ])
        .arg(good())
        .arg(good())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_has(
        &stderr,
        &[
            "failed to write",
            "no/such/dir/report.json",
            "the folder no/such/dir does not exist",
        ],
    );
    assert!(
        !stderr.contains(".tmp"),
        "names the temporary file: {stderr}"
    );
}

#[test]
fn zero_variance_gives_a_finite_report() {
    let tmp = tempfile::tempdir().expect("tmp");
    let doc = |mean: f64| {
        format!(
            r#"{{"machine_info": {{}}, "benchmarks": [{{"name": "t", "fullname": "f.py::t",
                "stats": {{"mean": {mean}, "stddev": 0, "rounds": 10}}}}]}}"#
        )
    };
    std::fs::write(tmp.path().join("a.json"), doc(1.0)).expect("write");
    std::fs::write(tmp.path().join("b.json"), doc(1.5)).expect("write");
    let (code, report, _) = common::analyze_json(tmp.path(), &["--baseline", "a.json", "b.json"]);
    assert_eq!(code, 1);
    let r = &report["results"][0];
    assert_eq!(
        (r["status"].as_str(), r["tier"].as_str()),
        (Some("regression"), Some("critical"))
    );
    // Zero spread within the runs: the assumed run-to-run noise still gives a finite z.
    assert!(r["z"].as_f64().is_some_and(f64::is_finite), "{r}");
    // Without it, zero variance on both sides makes any change certain.
    std::fs::write(tmp.path().join("off.toml"), "run_noise_pct = 0\n").expect("config");
    let (code, report, _) = common::analyze_json(
        tmp.path(),
        &["--config", "off.toml", "--baseline", "a.json", "b.json"],
    );
    assert_eq!(code, 1);
    let r = &report["results"][0];
    assert!(r["z"].is_null() && r["p_value"] == 0.0, "{r}");
    let (code, report, _) = common::analyze_json(tmp.path(), &["--baseline", "a.json", "a.json"]);
    assert_eq!((code, report["verdict"].as_str()), (0, Some("pass")));
}

#[test]
fn hostile_names_are_escaped_in_markdown() {
    let tmp = tempfile::tempdir().expect("tmp");
    let name = "x|y `z` <script>alert(1)</script> @org/team ![i](http://evil.example/i.png)";
    let doc = |v: u32| {
        serde_json::json!([{"name": name, "value": v, "unit": "ns", "range": "± 1"}]).to_string()
    };
    std::fs::write(tmp.path().join("a.json"), doc(100)).expect("write");
    std::fs::write(tmp.path().join("b.json"), doc(200)).expect("write");
    let out = bench_bot(tmp.path())
        .args([
            "analyze",
            "--format",
            "markdown",
            "--baseline",
            "a.json",
            "b.json",
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let md = String::from_utf8(out.stdout).expect("utf8");
    // The name is an inline code span: markdown, HTML and mentions are literal there.
    let row = md
        .lines()
        .find(|l| l.starts_with("| 🔴"))
        .expect("regression row");
    let want = "``x\\|y `z` <script>alert(1)</script> @org/team ![i](http://evil.example/i.png)``";
    assert!(row.contains(want), "{row}");
    assert_eq!(
        row.matches(" | ").count(),
        7,
        "the pipe in the name does not split the row: {row}"
    );
}

#[test]
fn an_override_metric_that_no_benchmark_has_is_a_config_error() {
    let (tmp, config) = setup(
        "bench-bot.toml",
        b"[[override]]\nmatch = \"*\"\nmetric = \"thruput\"\nignore = true\n",
    );
    let e = fails(
        tmp.path(),
        &good(),
        &repo("fixtures/pytest/candidate.json"),
        &["--config", config.to_str().expect("utf-8")],
    );
    assert_has(
        &e,
        &[
            "bench-bot.toml",
            "`override[0].metric` = \"thruput\" (line 2)",
            "`time`",
            "`payload_bytes`",
        ],
    );
}

#[cfg(unix)]
#[test]
fn a_full_disk_on_stdout_is_an_error_and_a_closed_pipe_is_not() {
    let tmp = tempfile::tempdir().expect("tmp");
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("bench-bot"))
        .current_dir(tmp.path())
        .args(["analyze", "--baseline"])
        .arg(good())
        .arg(repo("fixtures/pytest/candidate.json"))
        .stdout(full)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("failed to write standard output"),
        "{stderr}"
    );
    // A reader that stops early (`| head`) leaves the verdict's exit code alone.
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("bench-bot"))
        .current_dir(tmp.path())
        .args(["analyze", "--format", "json", "--baseline"])
        .arg(good())
        .arg(repo("fixtures/pytest/candidate.json"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawns");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("waits");
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every JSON format: its own real file cut short, an empty file, and another format's
/// file forced through it with `--format-in` are each refused naming the file and the
/// format, with nothing written.
#[test]
fn every_json_format_refuses_truncated_empty_and_foreign_files() {
    let cases = [
        ("pytest-benchmark", "fixtures/pytest/baseline.json"),
        ("hyperfine", "fixtures/hyperfine/baseline.json"),
        (
            "google-benchmark",
            "fixtures/google-benchmark/baseline.json",
        ),
        ("jmh", "fixtures/jmh/candidate.json"),
        ("benchmarkdotnet", "fixtures/benchmarkdotnet/baseline.json"),
        ("vitest", "fixtures/vitest/baseline.json"),
        ("asv", "fixtures/asv/v2/baseline.json"),
        ("asv", "fixtures/asv/v1/baseline.json"),
        ("julia", "fixtures/julia/julia_output.json"),
        ("bmf", "fixtures/bmf/latency.json"),
        ("gungraun", "fixtures/gungraun/baseline.json"),
    ];
    for (format, fixture) in cases {
        let whole = std::fs::read(repo(fixture)).expect("fixture");
        let forced = ["--format-in", format];
        let (tmp, f) = setup("cut.json", &whole[..whole.len() / 3]);
        let e = fails(tmp.path(), &repo(fixture), &f, &forced);
        assert_has(&e, &["cut.json", &format!("as {format}"), "truncated"]);
        let (tmp, f) = setup("empty.json", b"");
        let e = fails(tmp.path(), &repo(fixture), &f, &forced);
        assert_has(&e, &["empty.json"]);
        let other = if format == "jmh" {
            "fixtures/hyperfine/baseline.json"
        } else {
            "fixtures/jmh/candidate.json"
        };
        let e = fails(tmp.path(), &repo(fixture), &repo(other), &forced);
        assert_has(&e, &[other, &format!("as {format}")]);
    }
}

/// Every text format: an empty file, and another format's file forced through it with
/// `--format-in`, are refused naming the file and the format, with nothing written.
#[test]
fn every_text_format_refuses_empty_and_foreign_files() {
    let cases = [
        ("go", "fixtures/go/baseline.txt"),
        ("bencher-text", "fixtures/criterion/baseline.bencher.txt"),
        ("catch2", "fixtures/catch2/baseline.txt"),
        ("benchmarkjs", "fixtures/benchmarkjs/baseline.txt"),
        ("benchmarkluau", "fixtures/luau/output.txt"),
        ("ruby", "fixtures/ruby/baseline.txt"),
        ("dart", "fixtures/dart/baseline.txt"),
        ("gungraun", "fixtures/gungraun/baseline.txt"),
        (
            "google-benchmark",
            "fixtures/google-benchmark/baseline.console.txt",
        ),
    ];
    for (format, fixture) in cases {
        let forced = ["--format-in", format];
        let (tmp, f) = setup("empty.txt", b"");
        let e = fails(tmp.path(), &repo(fixture), &f, &forced);
        assert_has(&e, &["empty.txt"]);
        // Another tool's text output, and a JSON file.
        let other = if format == "ruby" {
            "fixtures/dart/baseline.txt"
        } else {
            "fixtures/ruby/baseline.txt"
        };
        for foreign in [other, "fixtures/jmh/candidate.json"] {
            let e = fails(tmp.path(), &repo(fixture), &repo(foreign), &forced);
            assert_has(&e, &[foreign, &format!("as {format}")]);
        }
    }
}
