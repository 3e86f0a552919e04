//! How well `bench-bot changes` finds change points: recall, precision, delay and false
//! change points on simulated series and on real benchmark histories, side by side with
//! Apache Otava's and MongoDB's E-divisive detectors run on the same series.
//!
//! ```text
//! cargo run --release --example changes_evaluation -- \
//!     [--trials N] [--own-trials N] [--data DIR] [--otava PYTHON] [--mongo PYTHON]
//!     [--window N] [--p-value P] [--min-change PCT]
//! ```
//!
//! `--otava` and `--mongo` name Python interpreters with `apache-otava` and
//! `signal-processing-algorithms` installed (scripts/changes-evaluation.sh makes them);
//! without them only bench-bot's columns are filled. `--own-trials N` (default 1,000;
//! 0 leaves it out) adds a table of bench-bot and the reference alone on N series per
//! cell, with intervals, and one of bench-bot on N series per cell whose two levels
//! differ in spread. Prints the markdown tables of docs/statistics.md.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use bench_bot::analysis::changes::{Detector, MIN_AFTER, find_changes, settings};
use bench_bot::config::Config;
use bench_bot::model::{Benchmark, Direction, Measurement, Metric, Run, RunMeta};
use rand::{RngExt, SeedableRng, rngs::StdRng};
use rand_distr::{Distribution, LogNormal};
use serde_json::{Value, json};

const LEN: usize = 200;
const STEPS: [f64; 4] = [0.0, 5.0, 10.0, 25.0];
const CVS: [f64; 5] = [0.01, 0.02, 0.05, 0.10, 0.20];
const OUTLIER_RATE: f64 = 0.02;
/// A change point within this many runs of the true step finds it.
const TOLERANCE: usize = 3;
/// Prefixes scanned for the delay: the step plus 1 ..= this many runs.
const MAX_DELAY: usize = 15;

const METHODS: [&str; 3] = [
    "bench-bot",
    "Otava (defaults)",
    "MongoDB e_divisive (defaults)",
];

/// One series with its true step, if any.
struct Case {
    values: Vec<f64>,
    step_at: Option<usize>,
}

/// Change points found by each method: full series, and per prefix length.
#[derive(Default, Clone)]
struct Found {
    full: Vec<usize>,
    prefixes: Vec<Vec<usize>>,
}

fn lognormal(cv: f64) -> LogNormal<f64> {
    let sigma = (1.0 + cv * cv).ln().sqrt();
    LogNormal::new(-sigma * sigma / 2.0, sigma).expect("valid")
}

fn prefix_lengths(case: &Case) -> Vec<usize> {
    match case.step_at {
        Some(t) => (1..=MAX_DELAY)
            .map(|k| t + k)
            .filter(|n| *n <= case.values.len())
            .collect(),
        None => Vec::new(),
    }
}

fn bench_bot(cases: &[Case], config: &Config) -> Vec<Found> {
    let mut detector = Detector::new(settings(config));
    cases
        .iter()
        .map(|c| {
            let logs: Vec<f64> = c.values.iter().map(|v| v.ln()).collect();
            let split_at = |d: bench_bot::analysis::changes::Detection| {
                d.splits.iter().map(|s| s.index).collect::<Vec<_>>()
            };
            Found {
                full: split_at(detector.detect(&logs)),
                prefixes: prefix_lengths(c)
                    .into_iter()
                    .map(|n| split_at(detector.detect(&logs[..n])))
                    .collect(),
            }
        })
        .collect()
}

/// Runs a peer through examples/changes_peers.py; `None` without its interpreter.
fn peer(python: Option<&Path>, which: &str, cases: &[Case]) -> Option<Vec<Found>> {
    let python = python?;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/changes_peers.py");
    // MongoDB's permutation test takes ~0.1 s a series: its delay (15 prefixes per
    // series) is left out.
    let prefixes: Vec<Vec<usize>> = cases
        .iter()
        .map(|c| {
            if which == "otava" {
                prefix_lengths(c)
            } else {
                Vec::new()
            }
        })
        .collect();
    let request = json!({
        "series": cases.iter().map(|c| c.values.clone()).collect::<Vec<_>>(),
        "prefixes": prefixes,
    });
    let mut child = Command::new(python)
        .arg(&script)
        .arg(which)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the peer's python starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(request.to_string().as_bytes())
        .expect("request written");
    let out = child.wait_with_output().expect("the peer runs");
    assert!(out.status.success(), "{which} failed");
    let answer: Value = serde_json::from_slice(&out.stdout).expect("peer answer");
    let list = |v: &Value| -> Vec<usize> {
        v.as_array()
            .expect("list")
            .iter()
            .map(|x| x.as_u64().expect("index") as usize)
            .collect()
    };
    let full = answer["full"].as_array().expect("full");
    let prefixes = answer["prefixes"].as_array().expect("prefixes");
    Some(
        full.iter()
            .zip(prefixes)
            .map(|(f, p)| Found {
                full: list(f),
                prefixes: p.as_array().expect("list").iter().map(list).collect(),
            })
            .collect(),
    )
}

/// Counts over a cell of cases for one method.
#[derive(Default)]
struct Tally {
    steps: usize,
    found: usize,
    true_points: usize,
    all_points: usize,
    runs: usize,
    delays: Vec<usize>,
}

impl Tally {
    fn add(&mut self, case: &Case, found: &Found) {
        self.runs += case.values.len();
        self.all_points += found.full.len();
        let Some(t) = case.step_at else { return };
        self.steps += 1;
        let near = |p: &usize| p.abs_diff(t) <= TOLERANCE;
        if found.full.iter().any(near) {
            self.found += 1;
        }
        self.true_points += usize::from(found.full.iter().any(near));
        if !found.prefixes.is_empty() {
            let delay = found
                .prefixes
                .iter()
                .position(|p| p.iter().any(near))
                .map_or(MAX_DELAY + 1, |k| k + 1);
            self.delays.push(delay);
        }
    }

    fn recall(&self) -> String {
        pct(self.found, self.steps)
    }

    fn precision(&self) -> String {
        pct(self.true_points, self.all_points)
    }

    fn false_per_1000(&self) -> String {
        if self.runs == 0 {
            return "–".into();
        }
        format!("{:.2}", self.all_points as f64 * 1000.0 / self.runs as f64)
    }

    fn median_delay(&self) -> String {
        if self.delays.is_empty() {
            return "–".into();
        }
        let mut d = self.delays.clone();
        d.sort_unstable();
        let m = d[d.len() / 2];
        if m > MAX_DELAY {
            format!("> {MAX_DELAY}")
        } else {
            m.to_string()
        }
    }
}

fn pct(count: usize, of: usize) -> String {
    if of == 0 {
        return "–".into();
    }
    format!("{:.0} %", count as f64 / of as f64 * 100.0)
}

struct Family {
    name: String,
    cv: f64,
    bimodal: bool,
}

/// The simulated families: lognormal noise at each CV, and the bimodal one.
fn families() -> Vec<Family> {
    let mut families: Vec<Family> = CVS
        .iter()
        .map(|cv| Family {
            name: format!("CV {:.0} %", cv * 100.0),
            cv: *cv,
            bimodal: false,
        })
        .collect();
    families.push(Family {
        name: "bimodal".into(),
        cv: 0.02,
        bimodal: true,
    });
    families
}

fn simulate(family: &Family, step: f64, trials: usize, rng: &mut StdRng) -> Vec<Case> {
    let noise = lognormal(family.cv);
    series_of(step, trials, rng, |rng| {
        let v = 100.0 * noise.sample(rng);
        if family.bimodal && rng.random::<f64>() < 0.3 {
            v * 1.2
        } else {
            v
        }
    })
}

/// `trials` series of `LEN` runs, each run's value drawn by `run`, with the slow
/// outliers of every family, and with a step of +`step` % from a random run when `step`
/// is not 0.
fn series_of(
    step: f64,
    trials: usize,
    rng: &mut StdRng,
    mut run: impl FnMut(&mut StdRng) -> f64,
) -> Vec<Case> {
    (0..trials)
        .map(|_| {
            let step_at = (step > 0.0).then(|| rng.random_range(60..LEN - 20));
            let values = (0..LEN)
                .map(|i| {
                    let mut v = run(rng);
                    if rng.random::<f64>() < OUTLIER_RATE {
                        v *= rng.random_range(1.3..2.0);
                    }
                    if step_at.is_some_and(|t| i >= t) {
                        v *= 1.0 + step / 100.0;
                    }
                    v
                })
                .collect();
            Case { values, step_at }
        })
        .collect()
}

fn evaluate(
    cases: &[Case],
    config: &Config,
    otava: Option<&Path>,
    mongo: Option<&Path>,
) -> Vec<Option<Tally>> {
    let results = [
        Some(bench_bot(cases, config)),
        peer(otava, "otava", cases),
        peer(mongo, "mongo", cases),
    ];
    results
        .iter()
        .map(|r| {
            r.as_ref().map(|found| {
                let mut t = Tally::default();
                for (c, f) in cases.iter().zip(found) {
                    t.add(c, f);
                }
                t
            })
        })
        .collect()
}

fn simulated(trials: usize, config: &Config, otava: Option<&Path>, mongo: Option<&Path>) {
    println!("### Simulated series\n");
    println!(
        "{trials} series of {LEN} runs per cell: lognormal noise at the CV shown, {:.0} % of \
         runs slow outliers (×1.3 to ×2); \"bimodal\": CV 2 % and 30 % of runs in a second \
         mode 20 % slower. A step of +N % starts at a random run from 60 to {}. Found: a \
         change point within {TOLERANCE} runs of the step. Precision: such points among all \
         points reported. Delay: runs of the new level until it is first reported (the \
         median; scanned up to {MAX_DELAY}; not for MongoDB's, whose permutation test is \
         too slow to rerun on every prefix). A/A: change points per 1,000 runs without a \
         step.\n",
        OUTLIER_RATE * 100.0,
        LEN - 21
    );
    println!(
        "| series | method | A/A per 1,000 runs | +5 % recall | +10 % recall / precision | +25 % recall / precision | +25 % median delay |"
    );
    println!("|---|---|---|---|---|---|---|");
    let mut rng = StdRng::seed_from_u64(16);
    let families = families();
    for family in &families {
        let mut reference = Vec::new();
        let cells: Vec<Vec<Option<Tally>>> = STEPS
            .iter()
            .map(|step| {
                let cases = simulate(family, *step, trials, &mut rng);
                reference.push(one_step_recall(&cases));
                evaluate(&cases, config, otava, mongo)
            })
            .collect();
        for (m, method) in METHODS.iter().enumerate() {
            let Some(aa) = &cells[0][m] else { continue };
            let t = |s: usize| cells[s][m].as_ref().expect("same methods");
            println!(
                "| {} | {method} | {} | {} | {} / {} | {} / {} | {} |",
                family.name,
                aa.false_per_1000(),
                t(1).recall(),
                t(2).recall(),
                t(2).precision(),
                t(3).recall(),
                t(3).precision(),
                t(3).median_delay()
            );
        }
        println!(
            "| {} | reference: the least-squares split, told there is one step | – | {} | {} / – | {} / – | – |",
            family.name, reference[1], reference[2], reference[3]
        );
    }
    println!();
}

/// How often the split that best divides the whole series into two levels (the
/// largest √(mn/(m+n))·|ȳ₁ − ȳ₂| of its log values, the maximum-likelihood split for one
/// step in normal noise) lies within TOLERANCE runs of the step: what the noise leaves
/// of the step's location to a method told that there is exactly one step and shown
/// the whole series. Not a strict bound (the outliers are not normal noise), a
/// reference.
fn one_step_recall(cases: &[Case]) -> String {
    let (found, steps) = one_step_found(cases);
    pct(found, steps)
}

/// The reference's count: steps whose best single split lies within TOLERANCE runs,
/// and steps.
fn one_step_found(cases: &[Case]) -> (usize, usize) {
    let mut found = 0;
    let mut steps = 0;
    for case in cases {
        let Some(at) = case.step_at else { continue };
        steps += 1;
        let logs: Vec<f64> = case.values.iter().map(|v| v.ln()).collect();
        let n = logs.len() as f64;
        let total: f64 = logs.iter().sum();
        let mut left = 0.0;
        let mut best = (0, f64::NEG_INFINITY);
        for k in 1..logs.len() {
            left += logs[k - 1];
            let m = k as f64;
            let score = (m * (n - m) / n).sqrt() * (left / m - (total - left) / (n - m)).abs();
            if score > best.1 {
                best = (k, score);
            }
        }
        found += usize::from(best.0.abs_diff(at) <= TOLERANCE);
    }
    (found, steps)
}

/// A proportion with its Wilson 95 % interval: "96 % (95–97 %)".
fn pct_interval(count: usize, of: usize) -> String {
    if of == 0 {
        return "–".into();
    }
    let (n, p, z) = (of as f64, count as f64 / of as f64, 1.96f64);
    let centre = (p + z * z / (2.0 * n)) / (1.0 + z * z / n);
    let half = z / (1.0 + z * z / n) * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt();
    format!(
        "{:.0} % ({:.0}–{:.0} %)",
        p * 100.0,
        (centre - half).max(0.0) * 100.0,
        (centre + half).min(1.0) * 100.0
    )
}

/// bench-bot and the reference alone, on `trials` series per cell (the peers are too
/// slow for that many): recall with its 95 % interval, so that a target near 95 % is
/// judged on more than 100 series.
fn precise(trials: usize, config: &Config) {
    println!("### Simulated series, {trials} per cell: bench-bot and the reference\n");
    println!(
        "The same families as above, new series (another seed), {trials} per cell, without \
         the peers. Recall with its Wilson 95 % interval; the reference as above.\n"
    );
    println!(
        "| series | A/A per 1,000 runs | +10 % recall | +25 % recall | +25 % median delay | reference, +25 % |"
    );
    println!("|---|---|---|---|---|---|");
    let mut rng = StdRng::seed_from_u64(1016);
    let families = families();
    for family in &families {
        let mut tallies = Vec::new();
        let mut reference = (0, 0);
        for step in [0.0, 10.0, 25.0] {
            let cases = simulate(family, step, trials, &mut rng);
            if step == 25.0 {
                reference = one_step_found(&cases);
            }
            tallies.push(own(&cases, config));
        }
        println!(
            "| {} | {} | {} |",
            family.name,
            own_cells(&tallies),
            pct_interval(reference.0, reference.1)
        );
    }
    println!();
}

/// bench-bot's tally alone: `evaluate` without the peers' interpreters.
fn own(cases: &[Case], config: &Config) -> Tally {
    let mut tally = evaluate(cases, config, None, None);
    tally.swap_remove(0).expect("bench-bot is always evaluated")
}

/// The cells of bench-bot's row from its tallies without a step, at +10 % and at
/// +25 %: false change points per 1,000 runs, the two recalls with their intervals, and
/// the median delay at +25 %.
fn own_cells(tallies: &[Tally]) -> String {
    format!(
        "{} | {} | {} | {}",
        tallies[0].false_per_1000(),
        pct_interval(tallies[1].found, tallies[1].steps),
        pct_interval(tallies[2].found, tallies[2].steps),
        tallies[2].median_delay()
    )
}

/// A family of [`unequal_levels`]: one level at `cv`, and `share` of the runs at a
/// second one.
struct Unequal {
    name: &'static str,
    cv: f64,
    share: f64,
    second: Second,
}

/// Where the second level of an [`Unequal`] family lies.
enum Second {
    /// `ratio` times the first, lognormal at `cv`.
    Level { ratio: f64, cv: f64 },
    /// Uniformly from `low` to `high` times the first (a tail of slow runs).
    Tail { low: f64, high: f64 },
}

/// bench-bot alone on histories whose two levels differ in spread, `trials` series per
/// cell: a matrix with one steady and one noisy version, and tails of slow runs that
/// must not read as a level.
fn unequal_levels(trials: usize, config: &Config) {
    println!(
        "#### Two levels of unequal spread
"
    );
    println!(
        "{trials} series of {LEN} runs per cell, bench-bot alone, {:.0} % of runs slow \
         outliers (×1.3 to ×2) as above; steps as above. Recall with its Wilson 95 % \
         interval.\n",
        OUTLIER_RATE * 100.0
    );
    println!("| series | A/A per 1,000 runs | +10 % recall | +25 % recall | +25 % median delay |");
    println!("|---|---|---|---|---|");
    let families = [
        Unequal {
            name: "a narrow and a wide level: CV 2 %, 40 % of runs 40 % slower at CV 8 %",
            cv: 0.02,
            share: 0.4,
            second: Second::Level {
                ratio: 1.4,
                cv: 0.08,
            },
        },
        Unequal {
            name: "wide modes: CV 7 %, 30 % of runs 55 % slower at CV 13 %",
            cv: 0.07,
            share: 0.3,
            second: Second::Level {
                ratio: 1.55,
                cv: 0.13,
            },
        },
        Unequal {
            name: "a heavy tail: CV 2 %, 20 % of runs ×1.3 to ×2",
            cv: 0.02,
            share: 0.2,
            second: Second::Tail {
                low: 1.3,
                high: 2.0,
            },
        },
        Unequal {
            name: "a heavy tail: CV 5 %, 20 % of runs ×1.3 to ×2",
            cv: 0.05,
            share: 0.2,
            second: Second::Tail {
                low: 1.3,
                high: 2.0,
            },
        },
    ];
    let mut rng = StdRng::seed_from_u64(1017);
    for family in &families {
        let first = lognormal(family.cv);
        let second = match family.second {
            Second::Level { cv, .. } => lognormal(cv),
            Second::Tail { .. } => first,
        };
        let mut tallies = Vec::new();
        for step in [0.0, 10.0, 25.0] {
            let cases = series_of(step, trials, &mut rng, |rng| match family.second {
                _ if rng.random::<f64>() >= family.share => 100.0 * first.sample(rng),
                Second::Level { ratio, .. } => 100.0 * ratio * second.sample(rng),
                Second::Tail { low, high } => {
                    100.0 * first.sample(rng) * rng.random_range(low..high)
                }
            });
            tallies.push(own(&cases, config));
        }
        println!("| {} | {} |", family.name, own_cells(&tallies));
    }
    println!();
}

fn run_of(values: &[(String, f64)]) -> Run {
    Run {
        meta: RunMeta {
            tool: "evaluation".into(),
            ..RunMeta::default()
        },
        benchmarks: values
            .iter()
            .map(|(id, v)| Benchmark {
                id: id.clone(),
                group: None,
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

fn suite_shifts(trials: usize, config: &Config) {
    println!("### Suite-wide shifts\n");
    println!(
        "{trials} suites of 20 benchmarks (CV 1 to 10 %, {:.0} % outliers), 100 runs; every \
         benchmark steps by the size shown at one random run from 40 to 79. Reported as one \
         runner shift: exactly one runner-shift event within one run of the step and no \
         regression or improvement within {TOLERANCE} runs of it.\n",
        OUTLIER_RATE * 100.0
    );
    println!("| shift | one runner shift | regressions reported instead (per trial) |");
    println!("|---|---|---|");
    let mut rng = StdRng::seed_from_u64(61);
    for shift in [10.0, 25.0] {
        let mut ok = 0;
        let mut leaked = 0;
        for _ in 0..trials {
            let cvs: Vec<f64> = (0..20).map(|_| rng.random_range(0.01..0.10)).collect();
            let at = rng.random_range(40..80);
            let runs: Vec<Run> = (0..100)
                .map(|i| {
                    let values: Vec<(String, f64)> = cvs
                        .iter()
                        .enumerate()
                        .map(|(k, cv)| {
                            let mut v = 100.0 * (k + 1) as f64 * lognormal(*cv).sample(&mut rng);
                            if rng.random::<f64>() < OUTLIER_RATE {
                                v *= rng.random_range(1.3..2.0);
                            }
                            if i >= at {
                                v *= 1.0 + shift / 100.0;
                            }
                            (format!("b{k}"), v)
                        })
                        .collect();
                    run_of(&values)
                })
                .collect();
            let report = find_changes(&runs, config, None, "simulation".into());
            let near = |i: usize, d: usize| i.abs_diff(at) <= d;
            let shifts = report
                .runner_shifts
                .iter()
                .filter(|s| near(s.first_after.index, 1))
                .count();
            let others = report
                .newest_first()
                .iter()
                .filter(|(_, c)| c.runner_shift.is_none() && near(c.first_after.index, TOLERANCE))
                .count();
            leaked += others;
            if shifts == 1 && report.runner_shifts.len() == 1 && others == 0 {
                ok += 1;
            }
        }
        println!(
            "| +{shift:.0} % | {} | {:.2} |",
            pct(ok, trials),
            leaked as f64 / trials as f64
        );
    }
    println!();
}

/// One history file's series: (file name, each series' direction and values).
type History = (String, Vec<(Direction, Vec<f64>)>);

/// The real histories' runs, by file name, in the order of their names.
fn real_histories(data: &Path) -> Vec<(String, Vec<Run>)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(data)
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "js"));
    files.sort();
    files
        .into_iter()
        .map(|file| {
            let bytes = std::fs::read(&file).expect("read");
            let (runs, _) = bench_bot::ingest::parse_history(&file, &bytes).expect("parses");
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (name, runs)
        })
        .collect()
}

/// The real histories' series with at least 60 runs, by file.
fn real_series(data: &Path) -> Vec<History> {
    real_histories(data)
        .into_iter()
        .map(|(name, runs)| {
            let mut series: BTreeMap<(String, String), (Direction, Vec<f64>)> = BTreeMap::new();
            for run in &runs {
                for b in &run.benchmarks {
                    for m in &b.measurements {
                        if m.value.is_finite() && m.value > 0.0 && !m.derived {
                            series
                                .entry((b.id.clone(), m.metric.to_string()))
                                .or_insert((m.direction, Vec::new()))
                                .1
                                .push(m.value);
                        }
                    }
                }
            }
            (
                name,
                series
                    .into_values()
                    .filter(|(_, v)| v.len() >= 60)
                    .collect(),
            )
        })
        .collect()
}

/// The series with its steps and drifts taken out: log values minus their centred
/// rolling median of 31 runs. Keeps the run-to-run noise (and its outliers).
fn residual(values: &[f64]) -> Vec<f64> {
    let logs: Vec<f64> = values.iter().map(|v| v.ln()).collect();
    (0..logs.len())
        .map(|i| {
            let lo = i.saturating_sub(15);
            let hi = (i + 16).min(logs.len());
            let mut w = logs[lo..hi].to_vec();
            w.sort_unstable_by(f64::total_cmp);
            (100f64.ln() + logs[i] - w[w.len() / 2]).exp()
        })
        .collect()
}

fn real(data: &Path, config: &Config, otava: Option<&Path>, mongo: Option<&Path>) {
    println!("### Real histories\n");
    println!(
        "The series of ../shared/data/real-histories with at least 60 runs. As recorded: \
         change points per 1,000 runs, real steps included (an upper bound of the false \
         ones). Steps removed: the same series with a centred rolling median of 31 runs \
         divided out, so that only their run-to-run noise is left; every change point there \
         is false. +10 % / +25 %: each series made that much slower from a random run (10 \
         per series, at least 30 runs from either end); recall within {TOLERANCE} runs, and \
         precision against the points the unmodified series already has.\n"
    );
    println!(
        "| history | series / runs | method | as recorded per 1,000 | steps removed per 1,000 | +10 % recall / precision | +25 % recall / precision |"
    );
    println!("|---|---|---|---|---|---|---|");
    let mut rng = StdRng::seed_from_u64(1000);
    for (name, series) in real_series(data) {
        let runs: usize = series.iter().map(|(_, v)| v.len()).sum();
        let plain: Vec<Case> = series
            .iter()
            .map(|(_, v)| Case {
                values: v.clone(),
                step_at: None,
            })
            .collect();
        let flat: Vec<Case> = series
            .iter()
            .map(|(_, v)| Case {
                values: residual(v),
                step_at: None,
            })
            .collect();
        let mut injected: Vec<Vec<(usize, Case)>> = Vec::new();
        for step in [10.0, 25.0] {
            let mut cases = Vec::new();
            for (k, (direction, v)) in series.iter().enumerate() {
                for _ in 0..10 {
                    let at = rng.random_range(30..v.len() - 30);
                    let factor = 1.0 + step / 100.0;
                    let values = v
                        .iter()
                        .enumerate()
                        .map(|(i, x)| match (i >= at, direction) {
                            (false, _) => *x,
                            (true, Direction::LowerIsBetter) => x * factor,
                            (true, Direction::HigherIsBetter) => x / factor,
                        })
                        .collect();
                    cases.push((
                        k,
                        Case {
                            values,
                            step_at: Some(at),
                        },
                    ));
                }
            }
            injected.push(cases);
        }
        let methods = |cases: &[Case]| -> [Option<Vec<Found>>; 3] {
            [
                Some(bench_bot(cases, config)),
                peer(otava, "otava", cases),
                peer(mongo, "mongo", cases),
            ]
        };
        let base = methods(&plain);
        let noise = methods(&flat);
        let steps: Vec<[Option<Vec<Found>>; 3]> = injected
            .iter()
            .map(|cases| {
                let plain: Vec<Case> = cases
                    .iter()
                    .map(|(_, c)| Case {
                        values: c.values.clone(),
                        step_at: None,
                    })
                    .collect();
                methods(&plain)
            })
            .collect();
        for (m, method) in METHODS.iter().enumerate() {
            let (Some(base_m), Some(noise_m)) = (&base[m], &noise[m]) else {
                continue;
            };
            let per_1000 = |f: &[Found]| {
                format!(
                    "{:.1}",
                    f.iter().map(|x| x.full.len()).sum::<usize>() as f64 * 1000.0 / runs as f64
                )
            };
            let mut cells = Vec::new();
            for (s, cases) in injected.iter().enumerate() {
                let found = steps[s][m].as_ref().expect("same methods");
                let (mut hit, mut true_points, mut new_points) = (0, 0, 0);
                for ((k, case), f) in cases.iter().zip(found) {
                    let at = case.step_at.expect("a step");
                    let near = |p: &usize, q: usize| p.abs_diff(q) <= TOLERANCE;
                    let known = &base_m[*k].full;
                    for p in &f.full {
                        if near(p, at) {
                            true_points += 1;
                        } else if !known.iter().any(|q| near(p, *q)) {
                            new_points += 1;
                        }
                    }
                    hit += usize::from(f.full.iter().any(|p| near(p, at)));
                }
                cells.push(format!(
                    "{} / {}",
                    pct(hit, cases.len()),
                    pct(true_points, true_points + new_points)
                ));
            }
            println!(
                "| {name} | {} / {runs} | {method} | {} | {} | {} | {} |",
                series.len(),
                per_1000(base_m),
                per_1000(noise_m),
                cells[0],
                cells[1]
            );
        }
    }
    println!();
}

/// Change points a scan over a growing series ever shows, one run at a time as CI runs
/// it: each distinct point (positions within `TOLERANCE` runs are one) and the number
/// of prefixes that showed it.
fn shown_one_run_at_a_time(detector: &mut Detector, logs: &[f64]) -> Vec<(usize, usize)> {
    let mut shown: BTreeMap<usize, usize> = BTreeMap::new();
    let mut previous = bench_bot::analysis::changes::Detection::default();
    for n in 1..=logs.len() {
        let d = detector.update(&logs[..n], &previous);
        for s in &d.splits {
            *shown.entry(s.index).or_default() += 1;
        }
        previous = d;
    }
    let mut points: Vec<(usize, usize)> = Vec::new();
    for (index, times) in shown {
        match points.last_mut() {
            Some((last, most)) if index - *last <= TOLERANCE => {
                *last = index;
                *most = (*most).max(times);
            }
            _ => points.push((index, times)),
        }
    }
    points
}

/// The regression change points of a changes report, by series and first run after.
fn regressions(report: &bench_bot::report::ChangesReport) -> Vec<(String, usize)> {
    report
        .newest_first()
        .into_iter()
        .filter(|(_, c)| c.kind == bench_bot::report::ChangeKind::Regression)
        .map(point)
        .collect()
}

/// A change point as its series and its first run after.
fn point(
    (s, c): (
        &bench_bot::report::SeriesChanges,
        &bench_bot::report::ChangePoint,
    ),
) -> (String, usize) {
    (format!("{}|{}", s.id, s.metric), c.first_after.index)
}

/// The regression change points the action announces over a history recorded one run
/// at a time, with the run that announces each: at once (new in the scan with the
/// newest run: `github::alert::unconfirmed`), once the run after still shows it (what
/// the action does: `github::alert::confirmed`), or once the two runs after do.
fn announced(runs: &[Run], config: &Config) -> [Vec<(usize, (String, usize))>; 3] {
    use bench_bot::github::alert::{EPISODE_RUNS, confirmed, unconfirmed};
    let reports: Vec<bench_bot::report::ChangesReport> = (0..=runs.len())
        .map(|n| find_changes(&runs[..n], config, None, String::new()))
        .collect();
    let scans: Vec<Vec<(String, usize)>> = reports.iter().map(regressions).collect();
    let has = |list: &[(String, usize)], p: &(String, usize)| {
        list.iter()
            .any(|q| q.0 == p.0 && q.1.abs_diff(p.1) <= EPISODE_RUNS)
    };
    let mut out = [Vec::new(), Vec::new(), Vec::new()];
    for n in 2..=runs.len() {
        let (now, previous) = (&reports[n], &reports[n - 1]);
        out[0].extend(
            unconfirmed(now, previous)
                .into_iter()
                .map(|x| (n, point(x))),
        );
        out[1].extend(
            confirmed(now, previous, &reports[n - 2])
                .into_iter()
                .map(|x| (n, point(x))),
        );
        // Shown by the two runs before too, and not by the one before them.
        if n >= 3 {
            for p in &scans[n] {
                if has(&scans[n - 1], p) && has(&scans[n - 2], p) && !has(&scans[n - 3], p) {
                    out[2].push((n, p.clone()));
                }
            }
        }
    }
    out
}

fn one_run_at_a_time(trials: usize, config: &Config, data: &Path) {
    println!(
        "### One run at a time
"
    );
    println!(
        "In CI the scan runs after every recorded run, and the end of a history is tested \
         with as few as {MIN_AFTER} runs after a candidate: a point shown there can be gone \
         from the scan a run later. Shown: distinct change points (within {TOLERANCE} runs) \
         that any prefix of the series showed, per 1,000 runs, against those of the whole \
         series (the A/A column above); {trials} series of {LEN} runs per family, no step.\n"
    );
    println!(
        "| series | whole series per 1,000 runs | shown at some prefix | shown at two prefixes or more |"
    );
    println!("|---|---|---|---|");
    let mut rng = StdRng::seed_from_u64(2024);
    let mut detector = Detector::new(settings(config));
    for family in &families() {
        let cases = simulate(family, 0.0, trials, &mut rng);
        let (mut whole, mut shown, mut twice, mut runs) = (0, 0, 0, 0);
        for c in &cases {
            let logs: Vec<f64> = c.values.iter().map(|v| v.ln()).collect();
            whole += detector.detect(&logs).splits.len();
            let points = shown_one_run_at_a_time(&mut detector, &logs);
            shown += points.len();
            twice += points.iter().filter(|(_, times)| *times >= 2).count();
            runs += logs.len();
        }
        let per = |x: usize| format!("{:.2}", x as f64 * 1000.0 / runs as f64);
        println!(
            "| {} | {} | {} | {} |",
            family.name,
            per(whole),
            per(shown),
            per(twice)
        );
    }
    println!();
    println!(
        "Alerts: the regression change points the action announces after each recorded run, \
         at once (new in the scan with the newest run), confirmed (the run after still \
         shows them; what the action does) or confirmed twice (the two runs after do). \
         Simulated: {} suites of 20 benchmarks (CV 2, 5 and 10 %, {:.0} % outliers; \
         \"bimodal\": CV 2 % and 30 % of runs in a second mode 20 % slower), {LEN} runs, \
         one benchmark +25 % from run 120: the \
         other alerts per 1,000 runs per benchmark (all false), and the step's alert with \
         its median delay in runs. Real histories as recorded: the alerts, and how many of \
         them the scan of the whole history does not have (gone a few runs later).\n",
        trials / 5,
        OUTLIER_RATE * 100.0
    );
    println!(
        "| history | alerts | other alerts per 1,000 runs per benchmark, or alerts not in the whole history's scan | +25 % step: alerted, median delay |"
    );
    println!("|---|---|---|---|");
    const HOW: [&str; 3] = ["at once", "confirmed", "confirmed twice"];
    let suites = trials / 5;
    for bimodal in [false, true] {
        let mut other = [0usize; 3];
        let mut step: [Vec<usize>; 3] = [Vec::new(), Vec::new(), Vec::new()];
        for _ in 0..suites {
            let runs: Vec<Run> = (0..LEN)
                .map(|i| {
                    let values: Vec<(String, f64)> = (0..20)
                        .map(|k| {
                            let cv = if bimodal {
                                0.02
                            } else {
                                [0.02, 0.05, 0.10][k % 3]
                            };
                            let mut v = 100.0 * lognormal(cv).sample(&mut rng);
                            if bimodal && rng.random::<f64>() < 0.3 {
                                v *= 1.2;
                            }
                            if rng.random::<f64>() < OUTLIER_RATE {
                                v *= rng.random_range(1.3..2.0);
                            }
                            if k == 2 && i >= 120 {
                                v *= 1.25;
                            }
                            (format!("b{k}"), v)
                        })
                        .collect();
                    run_of(&values)
                })
                .collect();
            for (k, alerts) in announced(&runs, config).iter().enumerate() {
                let mut first: Option<usize> = None;
                for (n, (series, at)) in alerts {
                    if series.starts_with("b2|") && at.abs_diff(120) <= TOLERANCE {
                        first = Some(first.map_or(*n, |f| f.min(*n)));
                    } else {
                        other[k] += 1;
                    }
                }
                step[k].extend(first.map(|n| n - 120));
            }
        }
        for (k, how) in HOW.iter().enumerate() {
            let mut delays = step[k].clone();
            delays.sort_unstable();
            println!(
                "| simulated{} | {how} | {:.2} | {}, {} runs |",
                if bimodal { ", bimodal" } else { "" },
                other[k] as f64 * 1000.0 / (suites * LEN * 20) as f64,
                pct(delays.len(), suites),
                delays
                    .get(delays.len() / 2)
                    .map_or("–".into(), |d| d.to_string())
            );
        }
    }
    for (name, runs) in real_histories(data) {
        let whole = regressions(&find_changes(&runs, config, None, String::new()));
        for (k, alerts) in announced(&runs, config).iter().enumerate() {
            let gone = alerts
                .iter()
                .filter(|(_, p)| {
                    !whole
                        .iter()
                        .any(|q| q.0 == p.0 && q.1.abs_diff(p.1) <= TOLERANCE)
                })
                .count();
            println!(
                "| {name} | {} | {} of {} not in the whole history's scan | – |",
                HOW[k],
                gone,
                alerts.len()
            );
        }
    }
    println!();
}

/// How often a history is taken for one that alternates between two levels
/// (`stats::two_levels`, which decides `bimodal_levels` and the pull-request rule's
/// nearest level), by family and length.
fn two_levels_seen(trials: usize) {
    const LENGTHS: [usize; 6] = [12, 15, 20, 30, 60, 200];
    println!("### Bimodal histories\n");
    println!(
        "Histories taken for bimodal (`stats::two_levels`), of {trials} per cell: \
         lognormal noise, and {:.0} % of runs slow outliers (×1.3 to ×2) unless said.\n",
        OUTLIER_RATE * 100.0
    );
    // Name, CV, share of runs in the second level, its factor, outlier rate, a +25 %
    // step halfway.
    let families: [(&str, f64, f64, f64, f64, bool); 7] = [
        ("one level, CV 2 %", 0.02, 0.0, 1.0, OUTLIER_RATE, false),
        ("one level, CV 10 %", 0.10, 0.0, 1.0, OUTLIER_RATE, false),
        (
            "a +25 % step halfway, CV 2 %",
            0.02,
            0.0,
            1.0,
            OUTLIER_RATE,
            true,
        ),
        (
            "a heavy tail: CV 5 %, 20 % of runs ×1.3 to ×2",
            0.05,
            0.0,
            1.0,
            0.2,
            false,
        ),
        (
            "bimodal: CV 2 %, 30 % of runs 20 % slower",
            0.02,
            0.3,
            1.2,
            OUTLIER_RATE,
            false,
        ),
        (
            "bimodal: CV 2 %, 15 % of runs 20 % slower",
            0.02,
            0.15,
            1.2,
            OUTLIER_RATE,
            false,
        ),
        (
            "bimodal: CV 5 %, 30 % of runs 40 % slower",
            0.05,
            0.3,
            1.4,
            OUTLIER_RATE,
            false,
        ),
    ];
    let header: Vec<String> = LENGTHS.iter().map(|n| format!("{n} runs")).collect();
    println!("| history | {} |", header.join(" | "));
    println!("|---|{}", "---|".repeat(LENGTHS.len()));
    let mut rng = StdRng::seed_from_u64(7);
    for (name, cv, share, factor, outliers, step) in families {
        let noise = lognormal(cv);
        let cells: Vec<String> = LENGTHS
            .iter()
            .map(|&n| {
                let seen = (0..trials)
                    .filter(|_| {
                        let values: Vec<f64> = (0..n)
                            .map(|i| {
                                let mut v = 100.0 * noise.sample(&mut rng);
                                if rng.random::<f64>() < share {
                                    v *= factor;
                                }
                                if rng.random::<f64>() < outliers {
                                    v *= rng.random_range(1.3..2.0);
                                }
                                if step && i >= n / 2 {
                                    v *= 1.25;
                                }
                                v
                            })
                            .collect();
                        bench_bot::stats::two_levels(&values).is_some()
                    })
                    .count();
                pct(seen, trials)
            })
            .collect();
        println!("| {name} | {} |", cells.join(" | "));
    }
    println!();
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut trials = 100;
    let mut own_trials = 1000;
    let mut data = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/data/real-histories"
    ));
    let (mut otava, mut mongo) = (None, None);
    let mut config = Config::default();
    while let Some(a) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| panic!("{a} needs a value"));
        match a.as_str() {
            "--trials" => trials = value().parse().expect("--trials N"),
            "--own-trials" => own_trials = value().parse().expect("--own-trials N"),
            "--data" => data = PathBuf::from(value()),
            "--otava" => otava = Some(PathBuf::from(value())),
            "--mongo" => mongo = Some(PathBuf::from(value())),
            "--window" => config.changes.window = value().parse().expect("--window N"),
            "--p-value" => config.changes.p_value = value().parse().expect("--p-value P"),
            "--min-change" => {
                config.changes.min_change_pct = value().parse().expect("--min-change PCT")
            }
            other => panic!("unknown argument {other}"),
        }
    }
    println!(
        "Settings: window {}, p_value {}, min_change_pct {}.\n",
        config.changes.window, config.changes.p_value, config.changes.min_change_pct
    );
    simulated(trials, &config, otava.as_deref(), mongo.as_deref());
    if own_trials > 0 {
        precise(own_trials, &config);
        unequal_levels(own_trials, &config);
    }
    suite_shifts(trials, &config);
    two_levels_seen(trials * 4);
    if data.is_dir() {
        real(&data, &config, otava.as_deref(), mongo.as_deref());
        one_run_at_a_time(trials, &config, &data);
    } else {
        println!("(no real histories at {})", data.display());
    }
}
