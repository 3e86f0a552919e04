//! `bench-bot analyze` end to end on the fixtures made by the real tools.

mod common;

use common::{analyze_json, bench_bot, repo, row};

fn p(rel: &str) -> String {
    repo(rel).display().to_string()
}

/// A config in `dir` that turns the assumed run-to-run noise off (the samples-only
/// test); returns its path.
fn samples_only(dir: &std::path::Path) -> String {
    let config = dir.join("samples-only.toml");
    std::fs::write(&config, "run_noise_pct = 0\n").expect("config");
    config.display().to_string()
}

/// The fixtures' suites make one benchmark ~30 % slower and one faster.
fn assert_slowed_and_sped_up(report: &serde_json::Value, slowed: &str, sped_up: &str) {
    let r = row(report, slowed);
    assert_eq!(r["status"], "regression", "{r}");
    assert_eq!(r["tier"], "critical", "{r}");
    assert!(r["change_pct"].as_f64().expect("change") > 20.0, "{r}");
    let i = row(report, sped_up);
    assert_eq!(i["status"], "improvement", "{i}");
    assert!(i["change_pct"].as_f64().expect("change") < -5.0, "{i}");
    assert_eq!(report["schema"], "bench-bot/report/v1");
    assert_eq!(report["verdict"], "critical");
    assert_eq!(report["blocked"], true);
}

#[test]
fn pytest_benchmark_json_fixtures() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (code, report, _) = analyze_json(
        tmp.path(),
        &[
            "--baseline",
            &p("fixtures/pytest/baseline.json"),
            &p("fixtures/pytest/candidate.json"),
        ],
    );
    assert_eq!(code, 1);
    assert_slowed_and_sped_up(
        &report,
        "test_fixture_suite.py::test_sort_slowed",
        "test_fixture_suite.py::test_sum_sped_up",
    );
    let r = row(&report, "test_fixture_suite.py::test_sort_slowed");
    assert_eq!(r["method"], "run_noise");
    assert_eq!(r["estimator"], "min");
    assert!(r["p_value"].as_f64().expect("p") < 0.00135);
    assert!(r["p_adjusted"].as_f64().expect("p") >= r["p_value"].as_f64().expect("p"));
}

#[test]
fn pytest_saved_files_with_and_without_data() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = "fixtures/pytest/saved/Linux-CPython-3.11-64bit";
    // These two runs' sort moved +25 %: past the critical tier, but within what 5 %
    // run-to-run noise allows for one baseline run (`noisy`). On the samples alone
    // (`run_noise_pct = 0`) it is critical.
    let (code, report, _) = analyze_json(
        tmp.path(),
        &[
            "--baseline",
            &p(&format!("{dir}/0001_baseline.json")),
            &p(&format!("{dir}/0002_candidate.json")),
        ],
    );
    // (`test_format`, unchanged code, really did run 54 % slower in the second run: the
    // fixtures are what the tool wrote, noise included.)
    assert_eq!(code, 1);
    let r = row(&report, "test_fixture_suite.py::test_sort_slowed");
    assert_eq!(r["status"], "noisy", "{r}");
    assert!(
        r["reason"].as_str().expect("reason").contains("rerun"),
        "{r}"
    );
    let config = samples_only(tmp.path());
    let (code, report, _) = analyze_json(
        tmp.path(),
        &[
            "--config",
            &config,
            "--baseline",
            &p(&format!("{dir}/0001_baseline.json")),
            &p(&format!("{dir}/0002_candidate.json")),
        ],
    );
    assert_eq!(code, 1);
    assert_slowed_and_sped_up(
        &report,
        "test_fixture_suite.py::test_sort_slowed",
        "test_fixture_suite.py::test_sum_sped_up",
    );
}

#[test]
fn criterion_directory_fixtures() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (code, report, _) = analyze_json(
        tmp.path(),
        &[
            "--baseline",
            &p("fixtures/criterion/baseline"),
            &p("fixtures/criterion/candidate"),
        ],
    );
    assert_eq!(code, 1);
    assert_slowed_and_sped_up(&report, "sort/slowed", "sum/sped_up");
    // Throughput that criterion computes from the time is shown on the time's row
    // and judged with it: one benchmark, one verdict.
    let rows: Vec<&serde_json::Value> = report["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter(|r| r["id"] == "parse/digits/4096")
        .collect();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["metric"], "time");
    let thr = &rows[0]["paired"][0];
    assert_eq!(thr["metric"], "throughput");
    assert_eq!(thr["unit"], "B/s");
    let (t, q) = (
        rows[0]["value_change_pct"].as_f64().expect("time change"),
        thr["value_change_pct"].as_f64().expect("throughput change"),
    );
    // Throughput is the inverse of time: (1 + t)(1 + q) = 1.
    assert!(
        ((1.0 + t / 100.0) * (1.0 + q / 100.0) - 1.0).abs() < 1e-9,
        "{t} {q}"
    );
    assert_eq!(report["summary"]["compared"], 5);
}

#[test]
fn cargo_criterion_fixtures() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (code, report, _) = analyze_json(
        tmp.path(),
        &[
            "--baseline",
            &p("fixtures/criterion/baseline.cargo-criterion.json"),
            &p("fixtures/criterion/candidate.cargo-criterion.json"),
        ],
    );
    assert_eq!(code, 1);
    assert_slowed_and_sped_up(&report, "sort/slowed", "sum/sped_up");
}

#[test]
fn bencher_text_fixtures_are_judged_against_the_run_noise_or_by_percentage() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (code, report, _) = analyze_json(
        tmp.path(),
        &[
            "--baseline",
            &p("fixtures/criterion/baseline.bencher.txt"),
            &p("fixtures/criterion/candidate.bencher.txt"),
        ],
    );
    assert_eq!(code, 1);
    assert_slowed_and_sped_up(&report, "sort/slowed", "sum/sped_up");
    let r = row(&report, "sort/slowed");
    assert_eq!(r["method"], "run_noise");
    assert_eq!(r["estimator"], "median");
    // Without the assumed run-to-run noise, a format with no sample count is judged by
    // its percentage alone, and says so.
    let config = samples_only(tmp.path());
    let (code, report, _) = analyze_json(
        tmp.path(),
        &[
            "--config",
            &config,
            "--baseline",
            &p("fixtures/criterion/baseline.bencher.txt"),
            &p("fixtures/criterion/candidate.bencher.txt"),
        ],
    );
    assert_eq!(code, 1);
    let r = row(&report, "sort/slowed");
    assert_eq!(r["method"], "percentage");
    assert!(
        r["reason"]
            .as_str()
            .expect("reason")
            .contains("significance not tested")
    );
}

#[test]
fn fail_on_overrides_the_tier_actions() {
    let tmp = tempfile::tempdir().expect("tmp");
    let args = |level: &'static str| {
        vec![
            "--fail-on".to_string(),
            level.to_string(),
            "--baseline".to_string(),
            p("fixtures/pytest/baseline.json"),
            p("fixtures/pytest/candidate.json"),
        ]
    };
    let run = |level| {
        let a = args(level);
        let refs: Vec<&str> = a.iter().map(String::as_str).collect();
        analyze_json(tmp.path(), &refs)
    };
    let (code, report, _) = run("never");
    assert_eq!((code, &report["blocked"]), (0, &serde_json::json!(false)));
    let (code, _, _) = run("critical");
    assert_eq!(code, 1);
}

#[test]
fn same_run_against_itself_passes() {
    let tmp = tempfile::tempdir().expect("tmp");
    let f = p("fixtures/pytest/baseline.json");
    let (code, report, _) = analyze_json(tmp.path(), &["--baseline", &f, &f]);
    assert_eq!(code, 0);
    assert_eq!(report["verdict"], "pass");
    // Benchmarks, not metrics: 8 benchmarks, two of them with a custom metric too.
    assert_eq!(report["summary"]["compared"], 8);
    assert!(
        report["results"]
            .as_array()
            .expect("rows")
            .iter()
            .all(|r| r["status"] == "unchanged")
    );
}

#[test]
fn shards_merge_into_one_run() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (code, report, _) = analyze_json(
        tmp.path(),
        &[
            "--baseline",
            &p("fixtures/criterion/baseline.bencher.txt"),
            &p("fixtures/pytest/candidate.json"),
            &p("fixtures/criterion/candidate.bencher.txt"),
        ],
    );
    assert_eq!(code, 1);
    assert_eq!(report["summary"]["compared"], 5);
    assert_eq!(report["summary"]["new"], 8);
    assert_eq!(
        report["current"]["sources"]
            .as_array()
            .expect("sources")
            .len(),
        2
    );
}

#[test]
fn no_baseline_says_so_first() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (code, report, stderr) = analyze_json(tmp.path(), &[&p("fixtures/pytest/candidate.json")]);
    assert_eq!(code, 0);
    assert!(
        report["notes"][0]
            .as_str()
            .expect("note")
            .starts_with("No baseline")
    );
    assert_eq!(report["summary"]["new"], 8);
    assert_eq!(report["verdict"], "unknown");
    assert!(stderr.contains("verdict unknown: No baseline"), "{stderr}");
}

#[test]
fn output_is_written_atomically_and_formats_render() {
    let tmp = tempfile::tempdir().expect("tmp");
    for (format, probe) in [
        ("json", "\"schema\""),
        ("markdown", "### Regressions"),
        ("text", "verdict: critical"),
    ] {
        let out = tmp.path().join(format!("report.{format}"));
        bench_bot(tmp.path())
            .args(["analyze", "--format", format, "--output"])
            .arg(&out)
            .args([
                "--baseline",
                &p("fixtures/pytest/baseline.json"),
                &p("fixtures/pytest/candidate.json"),
            ])
            .assert()
            .code(1)
            .stdout("");
        let text = std::fs::read_to_string(&out).expect("written");
        assert!(text.contains(probe), "{format}: {text}");
    }
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
        .expect("dir")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn help_and_version() {
    let tmp = tempfile::tempdir().expect("tmp");
    bench_bot(tmp.path())
        .arg("--version")
        .assert()
        .success()
        .stdout(format!("bench-bot {}\n", env!("CARGO_PKG_VERSION")));
    let out = bench_bot(tmp.path()).arg("--help").output().expect("runs");
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("analyze"));
    bench_bot(tmp.path()).arg("analyze").assert().code(2);
}

#[test]
fn real_pytest_benchmark_files_from_2_5_to_5_2() {
    let data = repo("../shared/data/real-results/pytest-benchmark");
    if !data.exists() {
        eprintln!("skipped: {} is not here", data.display());
        return;
    }
    let tmp = tempfile::tempdir().expect("tmp");
    for (base, cur) in [
        (
            "pytest-benchmark-2.5/0001_b87b9aae14ff14a7887a6bbaa9731b9a8760555d_20150814_190343_uncommitted-changes.json",
            "pytest-benchmark-2.5/0003_5b78858eb718649a31fb93d8dc96ca2cee41a4cd_20150815_030157_uncommitted-changes.json",
        ),
        (
            "lagom/Linux-CPython-3.8-64bit_0001_baseline@2021-11-06_0a102eb3.json",
            "lagom/Linux-CPython-3.8-64bit_0001_baseline@2022-10-01_8462f077.json",
        ),
        (
            "cachew/Linux-CPython-3.14-64bit/0007_baseline.json",
            "cachew/Linux-CPython-3.14-64bit/0009_sqlite-multivalue.json",
        ),
    ] {
        let b = data.join(base).display().to_string();
        let c = data.join(cur).display().to_string();
        let (code, report, stderr) = analyze_json(tmp.path(), &["--baseline", &b, &c]);
        assert!(code == 0 || code == 1, "{base}: {stderr}");
        assert!(
            report["summary"]["compared"].as_u64().expect("compared") > 0,
            "{base}"
        );
    }
}

#[test]
fn text_is_plain_when_piped_and_coloured_on_request() {
    let tmp = tempfile::tempdir().expect("tmp");
    let args = [
        "--baseline",
        &p("fixtures/pytest/baseline.json"),
        &p("fixtures/pytest/candidate.json"),
    ];
    let plain = bench_bot(tmp.path())
        .arg("analyze")
        .args(args)
        .output()
        .expect("runs");
    let text = String::from_utf8(plain.stdout).expect("utf8");
    assert!(
        !text.contains('\x1b') && text.contains("critical"),
        "{text}"
    );
    let coloured = bench_bot(tmp.path())
        .args(["analyze", "--color", "always"])
        .args(args)
        .output()
        .expect("runs");
    let text = String::from_utf8(coloured.stdout).expect("utf8");
    assert!(text.contains("\x1b[1;31mcritical"), "{text}");
    // Columns stay aligned: every table line has the same display width.
    let widths: std::collections::BTreeSet<usize> = text
        .lines()
        .filter(|l| l.starts_with('│') || l.starts_with('┌'))
        .map(|l| {
            let visible = l
                .split('\x1b')
                .enumerate()
                .map(|(i, part)| {
                    if i == 0 {
                        part
                    } else {
                        part.split_once('m').map_or("", |x| x.1)
                    }
                })
                .collect::<String>();
            visible.chars().count()
        })
        .collect();
    assert_eq!(widths.len(), 1, "{text}");
}

/// The A/A pairs of docs/statistics.md (scripts/aa-experiment.sh, real pytest-benchmark
/// runs of the fixture suite): unchanged code, quiet or under a CPU hog, never blocks;
/// the sort given 1.5× the data stays critical.
#[test]
fn one_baseline_ab_pairs_block_the_real_slowdown_and_not_the_busy_machine() {
    let tmp = tempfile::tempdir().expect("tmp");
    let judge = |name: &str| {
        analyze_json(
            tmp.path(),
            &[
                "--baseline",
                &p(&format!("fixtures/aa/{name}-1-a.json")),
                &p(&format!("fixtures/aa/{name}-1-b.json")),
            ],
        )
    };
    for name in ["quiet", "hog", "loaded"] {
        let (code, report, _) = judge(name);
        assert_eq!(code, 0, "{name}: {report}");
        assert_eq!(report["summary"]["critical"], 0, "{name}");
        assert!(!report["blocked"].as_bool().expect("blocked"), "{name}");
    }
    // Both runs quiet, or both under the hog: not even a warning.
    for name in ["quiet", "loaded"] {
        let (_, report, _) = judge(name);
        assert_eq!(report["summary"]["warning"], 0, "{name}: {report}");
    }
    // The quiet pair's unchanged benchmarks scatter by about 10 % per run: that, not the
    // assumed 5 %, is the noise its changes are judged against, and the report says so.
    let (_, report, _) = judge("quiet");
    let noise = &report["baseline"]["run_noise"];
    assert_eq!(noise["source"], "suite", "{noise}");
    assert_eq!(noise["benchmarks"], 8);
    let pct = noise["pct"].as_f64().expect("pct");
    assert!(pct > 8.0 && pct < 12.0, "{noise}");
    assert_eq!(
        noise["suite_pct"].as_f64().map(|x| (x * 10.0).round()),
        Some((pct * 10.0).round())
    );
    assert!(
        report["notes"][0]
            .as_str()
            .expect("note")
            .contains("scatter by 10 % per run")
    );
    let noisy = report["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["status"] == "noisy")
        .expect("a noisy row");
    assert!(
        noisy["reason"]
            .as_str()
            .expect("reason")
            .contains("the spread of this suite's changes"),
        "{noisy}"
    );
    // `suite_noise = false`: the assumed 5 % alone.
    let config = tmp.path().join("assumed.toml");
    std::fs::write(&config, "suite_noise = false\n").expect("config");
    let (_, report, _) = analyze_json(
        tmp.path(),
        &[
            "--config",
            config.to_str().expect("utf-8"),
            "--baseline",
            &p("fixtures/aa/quiet-1-a.json"),
            &p("fixtures/aa/quiet-1-b.json"),
        ],
    );
    assert_eq!(report["baseline"]["run_noise"]["source"], "assumed");
    assert_eq!(report["baseline"]["run_noise"]["pct"], 5.0);
    // Under the hog the whole suite moved together: said once, and capped, not blocked.
    let (_, report, _) = judge("hog");
    assert!(
        report["notes"][0]
            .as_str()
            .expect("note")
            .contains("benchmarks moved +"),
        "{report}"
    );
    assert!(
        row(&report, "test_fixture_suite.py::test_sort_slowed")["reason"]
            .as_str()
            .expect("reason")
            .contains("the whole suite moved")
    );
    let (code, report, _) = judge("slow");
    assert_eq!(code, 1);
    let r = row(&report, "test_fixture_suite.py::test_sort_slowed");
    assert_eq!(
        (&r["status"], &r["tier"]),
        (&"regression".into(), &"critical".into()),
        "{r}"
    );
}

#[test]
fn hyperfine_exports_are_compared_and_failed_commands_reported() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (code, report, _) = analyze_json(
        tmp.path(),
        &[
            "--baseline",
            &p("fixtures/hyperfine/baseline.json"),
            &p("fixtures/hyperfine/candidate.json"),
        ],
    );
    assert!(code <= 1, "{report}");
    // Two counts and the sort at both values of the scan; `fail` is not compared.
    assert_eq!(report["summary"]["compared"], 4, "{report}");
    let r = row(&report, "sh work.sh sort [n=200000]");
    assert_eq!(r["estimator"], "median");
    assert!(r["value_change_pct"].as_f64().expect("change") > 0.0, "{r}");
    let warnings = report["warnings"].as_array().expect("warnings");
    assert_eq!(
        warnings
            .iter()
            .filter(|w| w.as_str().is_some_and(|w| w.contains("reported as failed")))
            .count(),
        4,
        "{warnings:?}"
    );
}

#[test]
fn google_benchmark_repetitions_are_compared_and_errors_reported() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (code, report, _) = analyze_json(
        tmp.path(),
        &[
            "--baseline",
            &p("fixtures/google-benchmark/baseline.json"),
            &p("fixtures/google-benchmark/candidate.json"),
        ],
    );
    // BM_Sort sorts 1.5× the elements in the candidate: critical at both sizes.
    assert_eq!(code, 1, "{report}");
    for id in ["BM_Sort/1024", "BM_Sort/16384"] {
        let r = row(&report, id);
        assert_eq!(
            (&r["status"], &r["tier"]),
            (&"regression".into(), &"critical".into()),
            "{r}"
        );
        assert_eq!(r["paired"][0]["metric"], "throughput", "{r}");
    }
    assert!(
        report["warnings"]
            .as_array()
            .expect("warnings")
            .iter()
            .any(|w| w.as_str().is_some_and(|w| w.contains("`BM_Fails` failed"))),
        "{report}"
    );
}

#[test]
fn go_benchmarks_text_and_json_are_compared() {
    let tmp = tempfile::tempdir().expect("tmp");
    // The candidate sorts 1.5x the data: 1.5x the bytes allocated, every run alike.
    for baseline in ["fixtures/go/baseline.txt", "fixtures/go/baseline.json"] {
        let (code, report, stderr) = analyze_json(
            tmp.path(),
            &["--baseline", &p(baseline), &p("fixtures/go/candidate.txt")],
        );
        assert_eq!(code, 1, "{stderr}");
        let memory = report["results"]
            .as_array()
            .expect("results")
            .iter()
            .find(|r| {
                r["id"] == "example.com/benchsuite/sorting/BenchmarkSort/n=1000-2"
                    && r["metric"] == "memory"
            })
            .expect("memory row");
        assert_eq!(
            (&memory["status"], &memory["tier"]),
            (&"regression".into(), &"critical".into())
        );
        assert!((memory["value_change_pct"].as_f64().expect("change") - 50.0).abs() < 1.0);
        // MB/s is the time seen the other way: one row, the throughput beside it.
        let fnv = row(&report, "example.com/benchsuite/hashing/BenchmarkFNV-2");
        assert_eq!(fnv["paired"][0]["metric"], "throughput", "{fnv}");
        assert_eq!(fnv["estimator"], "median");
        assert_eq!(fnv["baseline"]["n"], 5);
    }
    // Another format forced as Go: exit 2 naming the file and what to run.
    let (code, _, stderr) = analyze_json(
        tmp.path(),
        &["--format-in", "go", &p("fixtures/pytest/baseline.json")],
    );
    assert_eq!(code, 2);
    assert!(
        stderr.contains("fixtures/pytest/baseline.json as go") && stderr.contains("go test"),
        "{stderr}"
    );
}

#[test]
fn jmh_results_are_compared_by_mode() {
    let tmp = tempfile::tempdir().expect("tmp");
    // Two real runs of casbin/jcasbin's JMH suite before and after a refactoring: the
    // uncached `enforce` on small data lost most of its throughput.
    let (code, report, stderr) = analyze_json(
        tmp.path(),
        &[
            "--baseline",
            &p("fixtures/jmh/baseline.json"),
            &p("fixtures/jmh/candidate.json"),
        ],
    );
    assert_eq!(code, 1, "{stderr}");
    let r = common::metric_row(
        &report,
        "org.casbin.jcasbin.main.benchmark.BenchmarkEnforce.enforce \
         [dataScale=small, modelType=rbac, useCache=false]",
        "throughput",
    );
    assert_eq!(r["metric"], "throughput");
    assert_eq!(r["direction"], "higher_is_better");
    assert_eq!(
        (&r["status"], &r["tier"]),
        (&"regression".into(), &"critical".into()),
        "{r}"
    );
    assert!(
        r["value_change_pct"].as_f64().expect("change") < -90.0,
        "{r}"
    );
    assert_eq!(r["baseline"]["n"], 3);
    assert_eq!(
        report["summary"]["compared"], 37,
        "the benchmarks both runs have"
    );
    // A single-shot benchmark is a time, lower is better.
    let ss = report["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| {
            r["id"]
                .as_str()
                .is_some_and(|id| id.contains("measureMemory"))
        })
        .expect("single-shot row");
    assert_eq!(
        (&ss["metric"], &ss["unit"]),
        (&"time".into(), &"ns".into()),
        "{ss}"
    );
}

#[test]
fn benchmarkdotnet_exports_are_compared_with_their_allocations() {
    let tmp = tempfile::tempdir().expect("tmp");
    // Two CI runs of ncosentino/needlr's HostBuild benchmarks, two weeks apart.
    let (code, report, stderr) = analyze_json(
        tmp.path(),
        &[
            "--baseline",
            &p("fixtures/benchmarkdotnet/baseline.json"),
            &p("fixtures/benchmarkdotnet/candidate.json"),
        ],
    );
    assert!(code <= 1, "{stderr}");
    assert_eq!(report["summary"]["compared"], 4);
    let id = "NexusLabs.Needlr.Benchmarks.Benchmarks.HostBuildBenchmarks.ManualDI_BuildHost";
    let time = row(&report, id);
    assert_eq!(
        (&time["metric"], &time["estimator"]),
        (&"time".into(), &"median".into())
    );
    assert_eq!(time["baseline"]["n"], 5);
    let memory = common::metric_row(&report, id, "memory");
    // 325,664 → 334,680 bytes per operation: a deterministic count, so +2.8 % is past
    // the warning's 2 % without any test of significance.
    assert!(
        (memory["value_change_pct"].as_f64().expect("change") - 2.77).abs() < 0.01,
        "{memory}"
    );
    assert_eq!(memory["deterministic"], true);
    assert_eq!(
        (&memory["status"], &memory["tier"]),
        (&"regression".into(), &"warning".into()),
        "{memory}"
    );
    // A failed benchmark is named in the warnings, not compared.
    let (code, report, _) = analyze_json(
        tmp.path(),
        &[
            "--baseline",
            &p("fixtures/benchmarkdotnet/failed.json"),
            &p("fixtures/benchmarkdotnet/failed.json"),
        ],
    );
    assert_eq!(code, 0);
    assert!(
        report["warnings"]
            .as_array()
            .expect("warnings")
            .iter()
            .any(|w| w
                .as_str()
                .is_some_and(|w| w.contains("Needlr_Reflection_GetService` failed"))),
        "{report}"
    );
}

#[test]
fn catch2_xml_and_console_are_compared() {
    let tmp = tempfile::tempdir().expect("tmp");
    // The candidate sorts 1.5x the data in `sort 4096`: critical through both reporters.
    for ext in ["xml", "txt"] {
        let (code, report, stderr) = analyze_json(
            tmp.path(),
            &[
                "--baseline",
                &p(&format!("fixtures/catch2/baseline.{ext}")),
                &p(&format!("fixtures/catch2/candidate.{ext}")),
            ],
        );
        assert_eq!(code, 1, "{ext}: {stderr}");
        let r = row(&report, "sort 4096");
        assert_eq!(
            (&r["status"], &r["tier"]),
            (&"regression".into(), &"critical".into()),
            "{r}"
        );
        assert_eq!(r["estimator"], "mean");
        assert_eq!(r["baseline"]["n"], 100);
        assert_eq!(report["summary"]["compared"], 5);
    }
}

#[test]
fn benchmarkjs_lines_are_compared_as_throughput() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (code, report, stderr) = analyze_json(
        tmp.path(),
        &[
            "--baseline",
            &p("fixtures/benchmarkjs/baseline.txt"),
            &p("fixtures/benchmarkjs/candidate.txt"),
        ],
    );
    // The candidate sorts 1.5x the data in `sort 2048`: fewer operations per second.
    assert_eq!(code, 1, "{stderr}");
    let r = common::metric_row(&report, "sort 2048", "throughput");
    assert_eq!(
        (&r["metric"], &r["direction"]),
        (&"throughput".into(), &"higher_is_better".into())
    );
    assert_eq!(
        (&r["status"], &r["tier"]),
        (&"regression".into(), &"critical".into()),
        "{r}"
    );
    assert!(
        r["value_change_pct"].as_f64().expect("change") < -30.0,
        "{r}"
    );
    assert_eq!(report["summary"]["compared"], 4);
}

#[test]
fn luau_runner_output_is_read_from_its_table() {
    let tmp = tempfile::tempdir().expect("tmp");
    // One real output file: against itself every test is unchanged.
    let (code, report, stderr) = analyze_json(
        tmp.path(),
        &[
            "--baseline",
            &p("fixtures/luau/output.txt"),
            &p("fixtures/luau/output.txt"),
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(report["summary"]["compared"], 3);
    let chess = row(&report, "chess");
    assert_eq!(
        (&chess["estimator"], &chess["status"]),
        (&"min".into(), &"unchanged".into())
    );
    assert!((chess["baseline"]["value"].as_f64().expect("value") - 69.106e6).abs() < 1.0);
}

#[test]
fn github_action_benchmark_custom_directions_are_forced_by_name() {
    let tmp = tempfile::tempdir().expect("tmp");
    let file = p("fixtures/custom/bigger-is-better.json");
    let (code, report, stderr) = analyze_json(
        tmp.path(),
        &[
            "--format-in",
            "customBiggerIsBetter",
            "--baseline",
            &file,
            &file,
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let free = common::metric_row(
        &report,
        "My Custom Bigger Is Better Benchmark - Free Memory",
        "Megabytes",
    );
    assert_eq!(free["direction"], "higher_is_better");
    assert_eq!(
        report["warnings"],
        serde_json::json!([]),
        "the direction is said"
    );
    // Read as plain custom JSON, an unknown unit is lower-is-better, with a warning.
    let (_, report, stderr) = analyze_json(tmp.path(), &["--baseline", &file, &file]);
    let free = common::metric_row(
        &report,
        "My Custom Bigger Is Better Benchmark - Free Memory",
        "Megabytes",
    );
    assert_eq!(free["direction"], "lower_is_better");
    let warned = report["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .any(|w| {
            w.as_str()
                .is_some_and(|w| w.contains("unit `Megabytes` is not known"))
        });
    assert!(warned, "{report} {stderr}");
}

#[test]
fn vitest_output_json_is_compared() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (code, report, stderr) = analyze_json(
        tmp.path(),
        &[
            "--baseline",
            &p("fixtures/vitest/baseline.json"),
            &p("fixtures/vitest/candidate.json"),
        ],
    );
    // The candidate sorts 1.5x the data in `sort 2048`.
    assert_eq!(code, 1, "{stderr}");
    let r = row(&report, "sort.bench.js > sorting > sort 2048");
    assert_eq!(
        (&r["status"], &r["tier"]),
        (&"regression".into(), &"critical".into()),
        "{r}"
    );
    assert_eq!(r["estimator"], "median");
    assert_eq!(report["summary"]["compared"], 3);
}

#[test]
fn ruby_benchmark_reports_are_compared_on_real_time() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (code, report, stderr) = analyze_json(
        tmp.path(),
        &[
            "--baseline",
            &p("fixtures/ruby/baseline.txt"),
            &p("fixtures/ruby/candidate.txt"),
        ],
    );
    // The candidate sorts 1.5x the data.
    assert_eq!(code, 1, "{stderr}");
    let r = row(&report, "sort");
    assert_eq!(
        (&r["status"], &r["tier"]),
        (&"regression".into(), &"critical".into()),
        "{r}"
    );
    assert_eq!(r["estimator"], "value");
    assert_eq!(report["summary"]["compared"], 3);
}

#[test]
fn google_benchmark_console_tables_are_compared() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (code, report, stderr) = analyze_json(
        tmp.path(),
        &[
            "--baseline",
            &p("fixtures/google-benchmark/baseline.console.txt"),
            &p("fixtures/google-benchmark/candidate.console.txt"),
        ],
    );
    // BM_Sort sorts 1.5x the elements in the candidate: past the warning at least.
    assert!(code <= 1, "{stderr}");
    assert!(["warning", "critical"].contains(&report["verdict"].as_str().expect("verdict")));
    let r = row(&report, "BM_Sort/16384");
    assert_eq!(r["status"], "regression", "{r}");
    assert_eq!(r["paired"][0]["metric"], "throughput", "{r}");
    assert_eq!(report["summary"]["compared"], 3);
}

#[test]
fn asv_results_of_both_layouts_are_compared_per_parameter_combination() {
    for layout in ["v1", "v2"] {
        let tmp = tempfile::tempdir().expect("tmp");
        let (code, report, stderr) = analyze_json(
            tmp.path(),
            &[
                "--baseline",
                &p(&format!("fixtures/asv/{layout}/baseline.json")),
                &p(&format!("fixtures/asv/{layout}/candidate.json")),
            ],
        );
        // The candidate sorts the longest reversed list eight times over and returns a
        // list 10 % longer from mem_list.
        assert_eq!(code, 1, "{layout}: {stderr}");
        let sort = row(&report, "bench_sort.Sort.time_sort(1000, 'reversed')");
        assert_eq!(
            (&sort["status"], &sort["tier"]),
            (&"regression".into(), &"critical".into()),
            "{layout}: {sort}"
        );
        let mem = common::metric_row(&report, "bench_sort.mem_list", "memory");
        assert_eq!(
            (&mem["tier"], &mem["deterministic"], &mem["method"]),
            (&"critical".into(), &true.into(), &"percentage".into()),
            "{layout}: {mem}"
        );
        assert_eq!(report["summary"]["compared"], 9, "{layout}");
        let warnings = report["warnings"].to_string();
        assert!(
            warnings.contains("`bench_sort.time_fails` failed or was skipped"),
            "{warnings}"
        );
    }
}

#[test]
fn julia_benchmarktools_results_are_read_with_their_counts() {
    let tmp = tempfile::tempdir().expect("tmp");
    // One real file (a TrialEstimate per benchmark), compared with itself.
    let file = p("fixtures/julia/julia_output.json");
    let (code, report, stderr) = analyze_json(tmp.path(), &["--baseline", &file, &file]);
    assert_eq!(code, 0, "{stderr}");
    let time = row(&report, "fib/10");
    assert_eq!(
        (&time["status"], &time["estimator"]),
        (&"unchanged".into(), &"value".into())
    );
    let allocs = common::metric_row(&report, "fib/20", "allocs");
    assert_eq!(allocs["deterministic"], true);
    assert_eq!(
        allocs["reason"], "0 allocs in both (a deterministic count)",
        "{allocs}"
    );
    // Two benchmarks, each with time, gctime, memory and allocs.
    assert_eq!(report["summary"]["compared"], 2);
    assert_eq!(report["results"].as_array().map(Vec::len), Some(8));
}

#[test]
fn dart_benchmark_harness_runs_are_compared() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (code, report, stderr) = analyze_json(
        tmp.path(),
        &[
            "--baseline",
            &p("fixtures/dart/baseline.txt"),
            &p("fixtures/dart/candidate.txt"),
        ],
    );
    // Two real runs six weeks apart: +1.4 % and −4.0 %, inside the notice tier.
    assert_eq!(code, 0, "{stderr}");
    let quote = row(&report, "QuoteBuffer");
    let change = quote["change_pct"].as_f64().expect("change");
    assert!((change - (10.750438575314245 / 11.203545920510882 - 1.0) * 100.0).abs() < 1e-9);
    assert_eq!(quote["status"], "unchanged");
    assert_eq!(quote["estimator"], "mean");
    assert_eq!(report["summary"]["compared"], 2);
}

#[test]
fn bencher_metric_format_is_compared_per_measure() {
    let tmp = tempfile::tempdir().expect("tmp");
    let latency = p("fixtures/bmf/latency.json");
    let (code, report, stderr) = analyze_json(tmp.path(), &["--baseline", &latency, &latency]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(report["summary"]["compared"], 3);
    assert_eq!(row(&report, "tests::benchmark_b")["status"], "unchanged");
    // DHAT's counts are deterministic: judged by percentage alone.
    let dhat = p("fixtures/bmf/dhat.json");
    let (code, report, stderr) = analyze_json(tmp.path(), &["--baseline", &dhat, &dhat]);
    assert_eq!(code, 0, "{stderr}");
    let total = common::metric_row(&report, "bench_play_game", "Total Bytes");
    assert_eq!(
        (&total["deterministic"], &total["unit"]),
        (&true.into(), &"B".into())
    );
}

#[test]
fn gungraun_instruction_counts_are_judged_as_deterministic() {
    let tmp = tempfile::tempdir().expect("tmp");
    // A text baseline against the candidate's JSON: the same ids and metric names.
    let (code, report, stderr) = analyze_json(
        tmp.path(),
        &[
            "--baseline",
            &p("fixtures/gungraun/baseline.txt"),
            &p("fixtures/gungraun/candidate.json"),
        ],
    );
    // The candidate sorts 520 numbers instead of 500: +4.6 % instructions, past the
    // deterministic warning (2 %), short of critical (5 %).
    assert_eq!(code, 0, "{stderr}");
    let ir = common::metric_row(&report, "fib::fib_group::bench_sort", "Instructions");
    assert_eq!(
        (&ir["status"], &ir["tier"], &ir["deterministic"]),
        (&"regression".into(), &"warning".into(), &true.into()),
        "{ir}"
    );
    let fib = common::metric_row(
        &report,
        "fib::fib_group::bench_fib long:(20)",
        "Instructions",
    );
    assert_eq!(fib["status"], "unchanged");
    assert_eq!(report["summary"]["compared"], 3);
    assert_eq!(report["verdict"], "warning");
}
