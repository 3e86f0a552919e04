//! The markdown templates on real fixtures, a 2,000-benchmark report, hostile names, and
//! user templates. Rendered text is pinned with insta snapshots.

use bench_bot::analysis::analyze;
use bench_bot::config::Config;
use bench_bot::ingest::{LoadOptions, load};
use bench_bot::model::{Benchmark, Direction, Measurement, Metric, Run, RunMeta};
use bench_bot::report::{GITHUB_COMMENT_LIMIT, RenderContext, Renderer, Report, TemplateKind};

fn fixture_report() -> Report {
    // Relative paths keep the snapshots independent of the checkout's location.
    let options = LoadOptions::default();
    let base = load(
        std::path::Path::new("fixtures/pytest/baseline.json"),
        &options,
    )
    .expect("baseline");
    let cur = load(
        std::path::Path::new("fixtures/pytest/candidate.json"),
        &options,
    )
    .expect("candidate");
    analyze(&cur.run, &[base.run], &Config::default())
}

fn ctx() -> RenderContext {
    RenderContext {
        suite: Some("unit".into()),
        marker: true,
        repository: Some("octo/widgets".into()),
        pr_number: Some(42),
        sha: Some("0123456789abcdef0123456789abcdef01234567".into()),
        run_url: Some("https://github.com/octo/widgets/actions/runs/7".into()),
        server_url: Some("https://github.com".into()),
        full_report: "see the job summary and the bench-bot-report artifact".into(),
    }
}

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.add_filter(r"bench-bot \d+\.\d+\.\d+", "bench-bot [VERSION]");
    s
}

#[test]
fn comment_summary_and_commit_on_the_pytest_fixtures() {
    let report = fixture_report();
    let r = Renderer::new();
    let _guard = settings().bind_to_scope();
    for kind in [
        TemplateKind::Comment,
        TemplateKind::Summary,
        TemplateKind::Commit,
    ] {
        let text = r.render(kind, &report, &ctx(), None).expect("renders");
        insta::assert_snapshot!(kind.name(), text);
    }
}

fn time(v: f64) -> Measurement {
    Measurement::new(Metric::Time, Direction::LowerIsBetter, "ns", v)
}

fn run_of(benches: Vec<(String, f64)>) -> Run {
    Run {
        meta: RunMeta {
            tool: "test".into(),
            ..RunMeta::default()
        },
        benchmarks: benches
            .into_iter()
            .map(|(id, v)| Benchmark {
                id,
                group: None,
                measurements: vec![time(v)],
            })
            .collect(),
    }
}

#[test]
fn a_history_regression_gets_a_trend_chart() {
    let hist: Vec<Run> = [100.0, 101.0, 99.0, 100.5, 99.5, 100.0]
        .iter()
        .map(|v| {
            run_of(vec![
                ("parse/json \"fast\"".into(), *v * 1000.0),
                ("other".into(), 50.0),
            ])
        })
        .collect();
    let cur = run_of(vec![
        ("parse/json \"fast\"".into(), 140_000.0),
        ("other".into(), 50.0),
    ]);
    let report = analyze(&cur, &hist, &Config::default());
    let text = Renderer::new()
        .render(TemplateKind::Comment, &report, &ctx(), None)
        .expect("renders");
    let _guard = settings().bind_to_scope();
    insta::assert_snapshot!(text);
}

fn big_report(n: usize) -> Report {
    let base = run_of(
        (0..n)
            .map(|i| (format!("tests/test_big.py::test_case[{i:04}]"), 1000.0))
            .collect(),
    );
    let cur = run_of(
        (0..n)
            .map(|i| {
                let v = match i % 10 {
                    0 => 1300.0,
                    1 => 1120.0,
                    2 => 700.0,
                    _ => 1000.0 + (i % 7) as f64,
                };
                (format!("tests/test_big.py::test_case[{i:04}]"), v)
            })
            .collect(),
    );
    analyze(&cur, &[base], &Config::default())
}

#[test]
fn a_2000_benchmark_comment_is_cut_to_githubs_limit() {
    let report = big_report(2000);
    let r = Renderer::new();
    let full = r
        .render(TemplateKind::Comment, &report, &ctx(), None)
        .expect("renders");
    assert!(
        full.chars().count() > GITHUB_COMMENT_LIMIT,
        "the test needs a report over the limit"
    );
    let cut = r
        .render(
            TemplateKind::Comment,
            &report,
            &ctx(),
            Some(GITHUB_COMMENT_LIMIT),
        )
        .expect("renders");
    assert!(cut.chars().count() <= GITHUB_COMMENT_LIMIT);
    assert!(cut.starts_with("<!-- bench-bot:unit -->"));
    assert!(cut.contains("more result(s) left out to fit; see the job summary"));
    // Regressions are kept before unchanged rows, in the report's order.
    assert!(cut.contains("test_case[0000]") && cut.contains("test_case[1990]"));
    assert!(cut.trim_end().ends_with("</sub>"), "the footer survives");
    let _guard = settings().bind_to_scope();
    let head: String = cut.lines().take(12).collect::<Vec<_>>().join("\n");
    let omitted = cut
        .lines()
        .find(|l| l.contains("left out"))
        .unwrap_or_default()
        .to_string();
    insta::assert_snapshot!(format!("{head}\n…\n{omitted}"));
}

#[test]
fn hostile_names_render_inert() {
    let names = [
        "x|y",
        "tick`s",
        "<script>alert(1)</script>",
        "@org/team",
        "![x](http://evil.example/i.png)",
        "[link](http://evil.example)",
        "line\nbreak",
    ];
    let base = run_of(names.iter().map(|n| ((*n).to_string(), 100.0)).collect());
    let cur = run_of(names.iter().map(|n| ((*n).to_string(), 200.0)).collect());
    let mut report = analyze(&cur, &[base], &Config::default());
    report
        .notes
        .push("note with <b>html</b> and @someone".into());
    let text = Renderer::new()
        .render(TemplateKind::Comment, &report, &ctx(), None)
        .expect("renders");
    for line in text.lines().filter(|l| l.starts_with("| ")) {
        assert_eq!(
            line.matches(" | ").count() + 2,
            line.matches('|').count() - line.matches("\\|").count(),
            "{line}"
        );
    }
    assert!(
        !text.contains("<b>") && !text.contains("@someone"),
        "{text}"
    );
    let _guard = settings().bind_to_scope();
    insta::assert_snapshot!(text);
}

#[test]
fn a_user_template_overrides_and_can_import_the_macros() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("mine.md.j2");
    std::fs::write(
        &path,
        "{% import \"macros.md.j2\" as m %}{% include \"part.j2\" %} {{ verdict }} {{ pr_number }} {{ m.counts() }}",
    )
    .expect("write");
    std::fs::write(dir.path().join("part.j2"), "Custom:").expect("write");
    let text = Renderer::with_template(&path)
        .expect("loads")
        .render(TemplateKind::Comment, &fixture_report(), &ctx(), None)
        .expect("renders");
    assert!(
        text.starts_with("Custom: critical 42 **1** critical"),
        "{text}"
    );
}

#[test]
fn a_broken_user_template_names_line_and_column() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("broken.md.j2");
    std::fs::write(&path, "ok\n{{ verdict }}\n  {% if %}\n").expect("write");
    let e = Renderer::with_template(&path)
        .err()
        .expect("fails")
        .to_string();
    assert!(
        e.contains("broken.md.j2") && e.contains("line 3, column"),
        "{e}"
    );
    std::fs::write(&path, "{{ no_such_variable }}").expect("write");
    let e = Renderer::with_template(&path)
        .expect("compiles")
        .render(TemplateKind::Comment, &fixture_report(), &ctx(), None)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("line 1, column 4") && e.contains("undefined"),
        "{e}"
    );
}

#[test]
fn templates_cannot_read_outside_their_directory() {
    let dir = tempfile::tempdir().expect("tmp");
    let inner = dir.path().join("tpl");
    std::fs::create_dir(&inner).expect("mkdir");
    std::fs::write(dir.path().join("secret.txt"), "SECRET").expect("write");
    for include in ["../secret.txt", "/etc/passwd", "link.txt"] {
        let path = inner.join("t.md.j2");
        std::fs::write(&path, format!("{{% include \"{include}\" %}}")).expect("write");
        #[cfg(unix)]
        let _ = std::os::unix::fs::symlink(dir.path().join("secret.txt"), inner.join("link.txt"));
        let result = Renderer::with_template(&path).expect("compiles").render(
            TemplateKind::Comment,
            &fixture_report(),
            &ctx(),
            None,
        );
        let e = result.expect_err(include).to_string();
        assert!(
            e.contains("outside the template's directory"),
            "{include}: {e}"
        );
    }
}
