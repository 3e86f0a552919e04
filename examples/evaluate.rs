//! How well the detection engine works: false alarms and detection rates of bench-bot's
//! tiers next to the rules other tools use, on simulated CI noise and on real
//! benchmark histories.
//!
//! `cargo run --release --example evaluate [-- --trials N] [--data DIR]`
//!
//! Prints markdown tables (the ones in docs/statistics.md).

use std::path::{Path, PathBuf};

use bench_bot::analysis::analyze;
use bench_bot::config::{Config, NoiseEstimator, Prediction};
use bench_bot::model::{Benchmark, Direction, Measurement, Metric, Run, RunMeta};
use bench_bot::report::{Status, TierLabel};
use rand::{RngExt, SeedableRng, rngs::StdRng};
use rand_distr::{Distribution, LogNormal};

/// The rules compared, in table order.
const RULES: [&str; 9] = [
    "bench-bot critical",
    "bench-bot warning or worse",
    "bench-bot notice or worse",
    "critical, noise = \"mad\", prediction = \"normal\"",
    "critical, noise = \"sd\", prediction = \"normal\"",
    "ratio ≥ 1.5× previous run",
    "ratio ≥ 2× previous run",
    "mean +5 % vs previous run",
    "ceiling: critical with the true centre and σ",
];
const N_RULES: usize = RULES.len();
const STEPS: [f64; 4] = [5.0, 10.0, 25.0, 50.0];
const CVS: [f64; 6] = [0.01, 0.02, 0.05, 0.10, 0.15, 0.20];
const HISTORY: usize = 10;
/// A longer history, the default window, for the default engine.
const LONG_HISTORY: usize = 30;
/// Share of history runs that are outliers (a slow runner), and their factor range.
const OUTLIER_RATE: f64 = 0.02;

fn run_of(value: f64, direction: Direction) -> Run {
    let metric = match direction {
        Direction::LowerIsBetter => Metric::Time,
        Direction::HigherIsBetter => Metric::Throughput,
    };
    let unit = if metric == Metric::Time {
        "ns"
    } else {
        "ops/s"
    };
    Run {
        meta: RunMeta {
            tool: "evaluate".into(),
            ..RunMeta::default()
        },
        benchmarks: vec![Benchmark {
            id: "b".into(),
            group: None,
            measurements: vec![Measurement::new(metric, direction, unit, value)],
        }],
    }
}

/// The engine's tier for `current` against `history` (oldest first).
fn tier(history: &[f64], current: f64, direction: Direction, config: &Config) -> TierLabel {
    let baselines: Vec<Run> = history.iter().map(|v| run_of(*v, direction)).collect();
    let report = analyze(&run_of(current, direction), &baselines, config);
    let row = &report.results[0];
    if row.status == Status::Regression {
        row.tier
    } else {
        TierLabel::None
    }
}

/// The engine's configurations: the default, then the variants.
fn configs() -> [Config; 3] {
    let default = Config::default();
    let mad_normal = Config {
        noise: NoiseEstimator::Mad,
        prediction: Prediction::Normal,
        ..Config::default()
    };
    let sd_normal = Config {
        prediction: Prediction::Normal,
        ..Config::default()
    };
    [default, mad_normal, sd_normal]
}

/// Which rules fire for `current` against `history` (oldest first). `truth` is the
/// noise's true (centre, σ) when known, for the ceiling row.
fn fired(
    history: &[f64],
    current: f64,
    direction: Direction,
    configs: &[Config; 3],
    truth: Option<(f64, f64)>,
) -> [bool; N_RULES] {
    let tier = |c: &Config| tier(history, current, direction, c);
    let main = tier(&configs[0]);
    let prev = history[history.len() - 1];
    // Worse-is-bigger ratio against the previous run, as the other tools compute it.
    let ratio = match direction {
        Direction::LowerIsBetter => current / prev,
        Direction::HigherIsBetter => prev / current,
    };
    let ceiling =
        truth.is_some_and(|(mu, sigma)| current > 1.2 * mu && (current - mu) / sigma > 3.0);
    [
        main == TierLabel::Critical,
        matches!(main, TierLabel::Critical | TierLabel::Warning),
        main != TierLabel::None,
        tier(&configs[1]) == TierLabel::Critical,
        tier(&configs[2]) == TierLabel::Critical,
        ratio >= 1.5,
        ratio >= 2.0,
        ratio > 1.05,
        ceiling,
    ]
}

fn lognormal(cv: f64) -> LogNormal<f64> {
    let sigma = (1.0 + cv * cv).ln().sqrt();
    LogNormal::new(-sigma * sigma / 2.0, sigma).expect("valid")
}

fn simulate(trials: usize, configs: &[Config; 3], history_len: usize, rows: &[usize]) {
    println!("### Simulation: lognormal CI noise, {history_len}-run history\n");
    println!(
        "{trials} comparisons per cell. A/A = no change (false alarms per comparison); \
         +N % = the current run is N % slower (detection rate). History runs are outliers \
         (×1.3 to ×2) with probability {:.0} %.\n",
        OUTLIER_RATE * 100.0
    );
    println!("| CV | rule | A/A false alarms | +5 % | +10 % | +25 % | +50 % |");
    println!("|---|---|---|---|---|---|---|");
    let mut rng = StdRng::seed_from_u64(7);
    for cv in CVS {
        let noise = lognormal(cv);
        let mut counts = [[0usize; 5]; N_RULES];
        for (col, step) in std::iter::once(0.0).chain(STEPS).enumerate() {
            for _ in 0..trials {
                let history: Vec<f64> = (0..history_len)
                    .map(|_| {
                        let v = 100.0 * noise.sample(&mut rng);
                        if rng.random::<f64>() < OUTLIER_RATE {
                            v * rng.random_range(1.3..2.0)
                        } else {
                            v
                        }
                    })
                    .collect();
                let current = 100.0 * noise.sample(&mut rng) * (1.0 + step / 100.0);
                let truth = Some((100.0, 100.0 * cv));
                let hits = fired(&history, current, Direction::LowerIsBetter, configs, truth);
                for (r, hit) in hits.iter().enumerate() {
                    counts[r][col] += usize::from(*hit);
                }
            }
        }
        for &r in rows {
            let cells: Vec<String> = counts[r].iter().map(|c| pct(*c, trials)).collect();
            println!(
                "| {:.0} % | {} | {} |",
                cv * 100.0,
                RULES[r],
                cells.join(" | ")
            );
        }
    }
    println!();
}

fn pct(count: usize, of: usize) -> String {
    if of == 0 {
        return "–".into();
    }
    let p = count as f64 / of as f64 * 100.0;
    if p == 0.0 {
        "0".into()
    } else if p < 0.1 {
        format!("{p:.3} %")
    } else {
        format!("{p:.1} %")
    }
}

fn real(data: &Path, configs: &[Config; 3]) {
    let config = &configs[0];
    println!("### Real histories (github-action-benchmark data from other projects' CI)\n");
    println!(
        "Each point is compared with up to {} runs before it (at least {HISTORY}). \
         \"As recorded\" counts alarms on the real points, real regressions included, \
         so it bounds false alarms from above; +10 % and +25 % make the point that much \
         slower.\n",
        config.window
    );
    println!("| history | points | rule | alarms as recorded | +10 % | +25 % |");
    println!("|---|---|---|---|---|---|");
    let mut files: Vec<PathBuf> = std::fs::read_dir(data)
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "js"));
    files.sort();
    for file in files {
        let bytes = std::fs::read(&file).expect("read");
        let (runs, _) = bench_bot::ingest::parse_history(&file, &bytes).expect("parses");
        let mut series: std::collections::BTreeMap<(String, String), (Direction, Vec<f64>)> =
            Default::default();
        for run in &runs {
            for b in &run.benchmarks {
                for m in &b.measurements {
                    series
                        .entry((b.id.clone(), m.metric.to_string()))
                        .or_insert((m.direction, Vec::new()))
                        .1
                        .push(m.value);
                }
            }
        }
        let mut counts = [[0usize; 3]; N_RULES];
        let mut points = 0;
        for (direction, values) in series.values() {
            for i in HISTORY..values.len() {
                let history = &values[i.saturating_sub(config.window)..i];
                points += 1;
                for (col, step) in [0.0, 10.0, 25.0].into_iter().enumerate() {
                    let factor = 1.0 + step / 100.0;
                    let current = match direction {
                        Direction::LowerIsBetter => values[i] * factor,
                        Direction::HigherIsBetter => values[i] / factor,
                    };
                    for (r, hit) in fired(history, current, *direction, configs, None)
                        .iter()
                        .enumerate()
                    {
                        counts[r][col] += usize::from(*hit);
                    }
                }
            }
        }
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        for (r, rule) in RULES.iter().enumerate().take(N_RULES - 1) {
            let cells: Vec<String> = counts[r].iter().map(|c| pct(*c, points)).collect();
            println!("| {name} | {points} | {rule} | {} |", cells.join(" | "));
        }
    }
    println!();
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut trials = 20_000;
    let mut data = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/data/real-histories"
    ));
    while let Some(a) = args.next() {
        match a.as_str() {
            "--trials" => {
                trials = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .expect("--trials N")
            }
            "--data" => data = PathBuf::from(args.next().expect("--data DIR")),
            other => panic!("unknown argument {other}"),
        }
    }
    let configs = configs();
    let all: Vec<usize> = (0..N_RULES).collect();
    simulate(trials, &configs, HISTORY, &all);
    simulate(trials, &configs, LONG_HISTORY, &[0, 1, 2, N_RULES - 1]);
    if data.is_dir() {
        real(&data, &configs);
    } else {
        println!("(no real histories at {})", data.display());
    }
}
