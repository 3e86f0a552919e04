//! Rendering the pull-request comment for a 2,000-benchmark report, cut to GitHub's
//! 65,536-character limit.
//!
//! `cargo bench --bench render`

#[path = "support/allocator.rs"]
mod allocator;

use std::hint::black_box;

use bench_bot::analysis::analyze;
use bench_bot::config::Config;
use bench_bot::report::{GITHUB_COMMENT_LIMIT, RenderContext, Renderer, TemplateKind};
use criterion::{Criterion, criterion_group, criterion_main};

#[path = "support/generate.rs"]
#[expect(dead_code, reason = "shared with other benches and examples")]
mod generate;

fn render(c: &mut Criterion) {
    let base = generate::run(2000, &generate::sha(0), 1);
    let mut cur = generate::run(2000, &generate::sha(1), 2);
    // Some real changes among the noise.
    for (i, b) in cur.benchmarks.iter_mut().enumerate() {
        match i % 10 {
            0 => b.measurements[0].value *= 1.3,
            1 => b.measurements[0].value *= 0.7,
            _ => {}
        }
    }
    let report = analyze(&cur, &[base], &Config::default());
    let renderer = Renderer::new();
    let ctx = RenderContext {
        suite: Some("bench".into()),
        marker: true,
        full_report: "see the job summary".into(),
        ..RenderContext::default()
    };
    let mut group = c.benchmark_group("render");
    group.bench_function("comment_2000_benchmarks_cut_to_65536", |b| {
        b.iter(|| {
            renderer
                .render(
                    TemplateKind::Comment,
                    black_box(&report),
                    &ctx,
                    Some(GITHUB_COMMENT_LIMIT),
                )
                .expect("renders")
        })
    });
    group.bench_function("summary_2000_benchmarks_full", |b| {
        b.iter(|| {
            renderer
                .render(TemplateKind::Summary, black_box(&report), &ctx, None)
                .expect("renders")
        })
    });
    group.finish();
}

criterion_group!(benches, render);
criterion_main!(benches);
