//! What every parser target does with a run it accepted: compare it with itself and with
//! a scaled copy, and render the comment, so that numbers the parser let through cannot
//! crash the analysis or the templates either.

use bench_bot::analysis::analyze;
use bench_bot::config::Config;
use bench_bot::model::Run;
use bench_bot::report::{GITHUB_COMMENT_LIMIT, RenderContext, Renderer, TemplateKind};

pub fn exercise(run: &Run) {
    let mut slower = run.clone();
    for b in &mut slower.benchmarks {
        for m in &mut b.measurements {
            m.value *= 1.5;
        }
    }
    let config = Config::default();
    let report = analyze(&slower, std::slice::from_ref(run), &config);
    // Every number in the report is finite (a name may well contain the text "NaN").
    for r in &report.results {
        let numbers = [r.change_pct, r.value_change_pct, r.z, r.p_value, r.p_adjusted, r.detectable_pct];
        assert!(numbers.iter().flatten().all(|x| x.is_finite()), "{r:?}");
        assert!(r.p_value.is_none_or(|p| (0.0..=1.0).contains(&p)), "{r:?}");
    }
    let json = serde_json::to_string(&report).expect("a report always serialises");
    let _: serde_json::Value = serde_json::from_str(&json).expect("and reads back as strict JSON");
    let text = Renderer::new()
        .render(TemplateKind::Comment, &report, &RenderContext::default(), Some(GITHUB_COMMENT_LIMIT))
        .expect("built-in templates render every report");
    assert!(text.chars().count() <= GITHUB_COMMENT_LIMIT);
}
