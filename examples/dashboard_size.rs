//! Generates the dashboard for a large history, to measure generation and page-open
//! time: `cargo run --release --example dashboard_size [-- BENCHMARKS RUNS OUT_DIR]`
//! (default 1000 × 500 into target/dashboard-large). Open time: scripts/dashboard-speed.sh.

use bench_bot::config::Config;

#[path = "../benches/support/generate.rs"]
#[expect(dead_code, reason = "shared with the benches")]
mod generate;

fn main() {
    let mut args = std::env::args().skip(1);
    let benchmarks: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let runs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(500);
    let out = std::path::PathBuf::from(
        args.next()
            .unwrap_or_else(|| "target/dashboard-large".into()),
    );
    let mut history: Vec<_> = (0..runs)
        .map(|i| generate::run(benchmarks, &generate::sha(i), i as u64))
        .collect();
    // A few real steps, so that the page has regressions to show.
    for run in history.iter_mut().skip(runs * 4 / 5) {
        for b in run.benchmarks.iter_mut().step_by(97) {
            b.measurements[0].value *= 1.4;
        }
    }
    let start = std::time::Instant::now();
    let html = bench_bot::dashboard::render(&history, &Config::default(), None, "Large history")
        .expect("renders");
    let took = start.elapsed();
    bench_bot::dashboard::write(&out, &html).expect("write");
    println!(
        "{benchmarks} benchmarks x {runs} runs: generated in {:.2} s, index.html {:.1} MB at {}",
        took.as_secs_f64(),
        html.len() as f64 / 1e6,
        out.join("index.html").display()
    );
}
