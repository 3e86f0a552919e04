//! The dashboard page: data per benchmark metric, flagged points, escaping, no other
//! hosts, and the `dashboard` command from files and from the history branch. The page
//! itself is opened in headless Chromium by scripts/dashboard-check.sh (run by .ci/run).

mod common;

use bench_bot::config::Config;
use bench_bot::model::{Benchmark, Direction, Measurement, Metric, Run, RunMeta};
use common::{bench_bot, repo as repo_file};
use serde_json::Value;

fn run(i: usize, benches: &[(&str, f64)]) -> Run {
    Run {
        meta: RunMeta {
            commit: Some(format!("{:040x}", i + 1)),
            timestamp: Some(format!("2026-01-{:02}T00:00:00Z", i + 1)),
            tool: "test".into(),
            ..RunMeta::default()
        },
        benchmarks: benches
            .iter()
            .map(|(id, v)| Benchmark {
                id: (*id).to_string(),
                group: Some("grp".into()),
                measurements: vec![Measurement::new(
                    Metric::Time,
                    Direction::LowerIsBetter,
                    "ns",
                    *v,
                )],
            })
            .collect(),
    }
}

fn page_data(html: &str) -> Value {
    let start = html
        .find(r#"<script id="data" type="application/json">"#)
        .expect("data")
        + 42;
    let end = start + html[start..].find("</script>").expect("end");
    serde_json::from_str(&html[start..end]).expect("json")
}

#[test]
fn a_step_is_flagged_and_the_band_follows_the_window() {
    let hostile = "x</script><script>alert(1)</script>";
    let runs: Vec<Run> = (0..12)
        .map(|i| {
            let v = if i < 10 {
                100.0 + (i % 3) as f64
            } else {
                150.0
            };
            run(i, &[("steady", 50.0 + (i % 2) as f64), (hostile, v)])
        })
        .collect();
    let html = bench_bot::dashboard::render(
        &runs,
        &Config::default(),
        Some("https://github.com/o/r".into()),
        "T <b>",
    )
    .expect("renders");
    assert!(html.contains("<title>T &lt;b&gt;</title>"));
    assert_eq!(
        html.matches("</script>").count(),
        3,
        "a name cannot close the data script"
    );
    assert!(
        !html.contains("<script src") && !html.contains("<link "),
        "no request to any other host"
    );
    let data = page_data(&html);
    assert_eq!(data["runs"].as_array().expect("runs").len(), 12);
    let series = data["series"].as_array().expect("series");
    assert_eq!(series.len(), 2);
    let step = series
        .iter()
        .find(|s| s["id"] == hostile)
        .expect("hostile series");
    let tiers: Vec<u64> = step["tier"]
        .as_array()
        .expect("tier")
        .iter()
        .map(|t| t.as_u64().expect("u"))
        .collect();
    assert_eq!(&tiers[..10], &[0; 10]);
    assert_eq!(tiers[10], 3, "the first slow run is critical");
    assert!(
        step["lo"][4].is_null() && step["lo"][5].is_number(),
        "a band once min_history runs exist"
    );
    let (lo, hi) = (
        step["lo"][9].as_f64().expect("lo"),
        step["hi"][9].as_f64().expect("hi"),
    );
    assert!(lo < 100.0 && hi > 102.0 && hi < 110.0, "{lo} {hi}");
    // Both slow runs are flagged, and listed once, from the first.
    assert_eq!(tiers[11], 3, "the second slow run is critical too");
    let regressions = data["regressions"].as_array().expect("regressions");
    assert_eq!(regressions.len(), 1, "{regressions:?}");
    assert_eq!(regressions[0]["tier"], "critical");
    assert_eq!(regressions[0]["run"], 10);
    assert_eq!(regressions[0]["points"], 2);
    assert_eq!(regressions[0]["last_run"], 11);
    assert_eq!(data["repo_url"], "https://github.com/o/r");
}

#[test]
fn each_run_of_flagged_points_is_one_entry() {
    // Two slow episodes of one benchmark, three runs at 150 and, after the level came
    // back, two at 200: two entries, newest first, each from its first flagged run.
    let level = |i: usize| match i {
        12..=14 => 150.0,
        26..=27 => 200.0,
        _ => 100.0 + (i % 3) as f64,
    };
    let runs: Vec<Run> = (0..30).map(|i| run(i, &[("b", level(i))])).collect();
    let html = bench_bot::dashboard::render(&runs, &Config::default(), None, "T").expect("renders");
    let data = page_data(&html);
    let entries: Vec<(u64, u64, u64)> = data["regressions"]
        .as_array()
        .expect("regressions")
        .iter()
        .map(|f| {
            let n = |k: &str| f[k].as_u64().expect("a number");
            (n("run"), n("points"), n("last_run"))
        })
        .collect();
    assert_eq!(entries, [(26, 2, 27), (12, 3, 14)]);
}

#[test]
fn after_a_level_change_points_are_judged_from_it() {
    // +50 % from run 30: the runs at the new level are flagged until the change point
    // has its three runs, then judged against the new level (as a pull request's report
    // is); before, every run until the window's median crossed over (run 45) was.
    let level = |i: usize| 100.0 + (i % 3) as f64;
    let runs: Vec<Run> = (0..50)
        .map(|i| run(i, &[("b", level(i) * if i >= 30 { 1.5 } else { 1.0 })]))
        .collect();
    let html = bench_bot::dashboard::render(&runs, &Config::default(), None, "T").expect("renders");
    let data = page_data(&html);
    let b = &data["series"][0];
    let tiers: Vec<u64> = b["tier"]
        .as_array()
        .expect("tier")
        .iter()
        .map(|t| t.as_u64().expect("u"))
        .collect();
    assert_eq!(&tiers[28..34], [0, 0, 3, 3, 3, 0]);
    assert!(tiers[33..].iter().all(|t| *t == 0), "{tiers:?}");
    // The band is the new level's, with the noise of the whole window.
    for i in [33, 40] {
        let (lo, hi) = (
            b["lo"][i].as_f64().expect("lo"),
            b["hi"][i].as_f64().expect("hi"),
        );
        assert!(
            lo > 140.0 && lo < 150.0 && hi > 153.0 && hi < 165.0,
            "{i}: {lo} {hi}"
        );
    }
    let regressions = data["regressions"].as_array().expect("regressions");
    assert_eq!(regressions.len(), 1, "{regressions:?}");
    assert_eq!(
        (&regressions[0]["run"], &regressions[0]["points"]),
        (&Value::from(30), &Value::from(3))
    );
}

#[test]
fn the_command_writes_a_page_from_files() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("site");
    bench_bot(tmp.path())
        .args(["dashboard", "--out"])
        .arg(&out)
        .arg(repo_file("fixtures/pytest/baseline.json"))
        .arg(repo_file("fixtures/pytest/candidate.json"))
        .assert()
        .success();
    let html = std::fs::read_to_string(out.join("index.html")).expect("page");
    let data = page_data(&html);
    assert_eq!(data["series"].as_array().expect("series").len(), 10);
    bench_bot(tmp.path())
        .args(["dashboard", "--out", "x"])
        .assert()
        .code(2);
}

/// A branch may be called `{{DATA}}` (a legal ref name): the page's placeholders are
/// filled once, so the title cannot swallow the data.
#[test]
fn a_placeholder_in_the_title_stays_text() {
    let runs: Vec<_> = (0..3).map(|i| run(i, &[("steady", 50.0)])).collect();
    let html = bench_bot::dashboard::render(
        &runs,
        &Config::default(),
        None,
        "Benchmarks on {{DATA}} /*{{APP}}*/",
    )
    .expect("renders");
    assert!(html.contains("<title>Benchmarks on {{DATA}} /*{{APP}}*/</title>"));
    assert_eq!(page_data(&html)["runs"].as_array().expect("runs").len(), 3);
}

#[test]
fn change_points_and_runner_shifts_are_in_the_page_data() {
    // Four benchmarks; `slow` steps +40 % at run 20, the whole suite +25 % at run 40.
    let runs: Vec<Run> = (0..60)
        .map(|i| {
            let wobble = |k: f64| 1.0 + 0.01 * ((i as f64) * 1.3 + k).sin();
            let suite = if i >= 40 { 1.25 } else { 1.0 };
            let slow = if i >= 20 { 1.4 } else { 1.0 };
            run(
                i,
                &[
                    ("slow", 100.0 * slow * suite * wobble(0.0)),
                    ("b", 200.0 * suite * wobble(1.0)),
                    ("c", 300.0 * suite * wobble(2.0)),
                    ("d", 400.0 * suite * wobble(3.0)),
                ],
            )
        })
        .collect();
    let html = bench_bot::dashboard::render(&runs, &Config::default(), None, "T").expect("page");
    let data = page_data(&html);
    let shifts = data["shifts"].as_array().expect("shifts");
    assert_eq!(shifts.len(), 1, "{shifts:?}");
    assert_eq!(shifts[0]["run"], 40);
    assert_eq!(shifts[0]["benchmarks"], 4);
    let changes = data["changes"].as_array().expect("changes");
    let own: Vec<&Value> = changes
        .iter()
        .filter(|c| c["kind"] == "regression")
        .collect();
    assert_eq!(own.len(), 1, "{changes:?}");
    assert_eq!(own[0]["run"], 20);
    assert_eq!(own[0]["before_run"], 19);
    assert_eq!(own[0]["tier"], "critical");
    let series = &data["series"][own[0]["series"].as_u64().expect("i") as usize];
    assert_eq!(series["id"], "slow");
    let before = own[0]["before"].as_f64().expect("level");
    assert!((before - 100.0).abs() < 2.0, "{before}");
    assert_eq!(
        changes
            .iter()
            .filter(|c| c["kind"] == "runner-shift")
            .count(),
        4
    );
}

#[test]
fn a_bimodal_history_carries_its_two_levels() {
    // `modes` runs at 150 three runs in ten, at 100 otherwise; `steady` at 100.
    let runs: Vec<Run> = (0..40)
        .map(|i| {
            let wobble = 1.0 + 0.01 * ((i as f64) * 1.3).sin();
            let modes = if matches!(i % 10, 0 | 3 | 6) {
                150.0
            } else {
                100.0
            };
            run(i, &[("modes", modes * wobble), ("steady", 100.0 * wobble)])
        })
        .collect();
    let html = bench_bot::dashboard::render(&runs, &Config::default(), None, "T").expect("page");
    let data = page_data(&html);
    let series = data["series"].as_array().expect("series");
    let of = |id: &str| {
        series
            .iter()
            .find(|s| s["id"] == id)
            .unwrap_or_else(|| panic!("{id}"))
    };
    let levels = of("modes")["bimodal"]
        .as_array()
        .expect("two levels")
        .clone();
    assert_eq!(levels.len(), 2);
    let (low, high) = (
        levels[0].as_f64().expect("low"),
        levels[1].as_f64().expect("high"),
    );
    assert!(
        (low - 100.0).abs() < 2.0 && (high - 150.0).abs() < 3.0,
        "{levels:?}"
    );
    assert!(of("steady").get("bimodal").is_none());
}
