//! Same-runner A/B: base and head measured in alternating rounds on one machine, each
//! round a pair. The machine's drift moves both sides of a round alike, so the change
//! is read from the per-round ratios head / base, never from one side against the other
//! side's spread.
//!
//! Per benchmark and metric: d = ln(head / base) per round; the change is their
//! Hodges–Lehmann centre (the median of the Walsh averages: robust to a round that one
//! side lost to a hiccup, and efficient) with its exact 95 % interval; significance is
//! the exact Wilcoxon signed-rank test or the exact sign test, the smaller p-value
//! doubled, one-sided in the direction of the change;
//! p-values are adjusted across the report (Benjamini–Hochberg) and the tiers apply as
//! in every report. docs/statistics.md says why these.
//!
//! (Past 400 lines with its tests, which build drifting rounds: one rule, read top to
//! bottom.)

use std::collections::BTreeMap;

use rustc_hash::FxHashMap as HashMap;

use super::{rows, summary, tiers};
use crate::config::{Config, TierName};
use crate::model::{Benchmark, Measurement, Run};
use crate::report::{
    BaselineInfo, BaselineSide, CurrentSide, Method, Report, ResultRow, RunRef, SCHEMA, Status,
};
use crate::stats::{self, MAD_TO_SIGMA};

/// What the rounds compared, for the report's words.
#[derive(Debug, Clone)]
pub struct AbInfo {
    /// The base side (commit or ref).
    pub base: String,
    /// The head side.
    pub head: String,
}

/// One benchmark metric's rounds: (base, head) estimates of the rounds that have both.
struct Series<'r> {
    benchmark: &'r Benchmark,
    measurement: &'r Measurement,
    pairs: Vec<(f64, f64)>,
}

/// The report of `rounds` (base run, head run) pairs, in the order they ran.
pub fn analyze_paired(rounds: &[(Run, Run)], config: &Config, info: &AbInfo) -> Report {
    let mut series: BTreeMap<(String, String), Series<'_>> = BTreeMap::new();
    let mut head_only: Vec<(&Benchmark, &Measurement)> = Vec::new();
    let mut base_only: Vec<(&Benchmark, &Measurement)> = Vec::new();
    for (base, head) in rounds {
        let index: HashMap<&str, &Benchmark> =
            base.benchmarks.iter().map(|b| (b.id.as_str(), b)).collect();
        for hb in &head.benchmarks {
            for hm in &hb.measurements {
                let bm = index
                    .get(hb.id.as_str())
                    .and_then(|bb| bb.measurements.iter().find(|m| m.metric == hm.metric));
                let key = (hb.id.clone(), hm.metric.to_string());
                let entry = series.entry(key).or_insert_with(|| Series {
                    benchmark: hb,
                    measurement: hm,
                    pairs: Vec::new(),
                });
                if let Some(bm) = bm {
                    entry.pairs.push((bm.value, hm.value));
                }
            }
        }
    }
    if let Some((base, head)) = rounds.last() {
        let heads: HashMap<&str, &Benchmark> =
            head.benchmarks.iter().map(|b| (b.id.as_str(), b)).collect();
        for bb in &base.benchmarks {
            for bm in &bb.measurements {
                let in_head = heads
                    .get(bb.id.as_str())
                    .is_some_and(|hb| hb.measurements.iter().any(|m| m.metric == bm.metric));
                if !in_head && !config.ignored(&bb.id, &bm.metric) {
                    base_only.push((bb, bm));
                }
            }
        }
    }
    let mut pending = Vec::new();
    let mut ignored = 0;
    for s in series.values() {
        let (b, m) = (s.benchmark, s.measurement);
        if config.ignored(&b.id, &m.metric) {
            ignored += 1;
            continue;
        }
        if s.pairs.is_empty() {
            head_only.push((b, m));
            continue;
        }
        let direction = config
            .direction_for(&b.id, &m.metric)
            .unwrap_or(m.direction);
        let tiers = config.tiers_for(&b.id, &m.metric);
        let row = paired_row(
            &s.pairs,
            rows::empty_row(b, m, direction),
            tiers.critical.sigma,
        );
        pending.push(rows::Pending {
            row,
            metric: m.metric.clone(),
            tiers,
            noisy_cv: None,
            derived: m.derived,
        });
    }
    let one_sided = head_only
        .into_iter()
        .map(|(b, m)| (b, m, Status::New))
        .chain(base_only.into_iter().map(|(b, m)| (b, m, Status::Missing)));
    for (b, m, status) in one_sided {
        let direction = config
            .direction_for(&b.id, &m.metric)
            .unwrap_or(m.direction);
        let mut row = ResultRow {
            status,
            ..rows::empty_row(b, m, direction)
        };
        if status == Status::New {
            row.current = Some(CurrentSide {
                value: m.value,
                stddev: None,
                n: None,
            });
            row.reason = "new benchmark: only the head side has it".to_string();
        } else {
            row.baseline = Some(BaselineSide {
                value: m.value,
                stddev: None,
                n: None,
                runs: 1,
                history: Vec::new(),
                since_change: None,
            });
            row.reason = "missing: the base side has it, the head side does not".to_string();
        }
        pending.push(rows::Pending {
            row,
            metric: m.metric.clone(),
            tiers: &config.tiers,
            noisy_cv: None,
            derived: m.derived,
        });
    }
    let mut pending = rows::pair_derived(pending);
    rows::adjust(&mut pending, config.multiple_comparisons);
    let judging = tiers::Judging {
        noise_cv: config.noise_cv,
        run_noise_pct: 0.0,
        run_noise_from_suite: false,
    };
    let mut results = Vec::with_capacity(pending.len());
    let mut actions = Vec::new();
    for mut p in pending {
        if p.row.baseline.is_some() && p.row.current.is_some() {
            tiers::classify(&mut p.row, &p.metric, p.tiers, None, judging);
            if p.row.status == Status::Noisy {
                p.row.reason.push_str(&needs_rounds(&p.row, p.tiers));
            }
        }
        actions.push(tiers::action_of(&p.row, p.tiers));
        results.push(p.row);
    }
    summary::sort_results(&mut results);
    let summary = summary::summarize(&results, ignored);
    let mut verdict = summary::verdict_of(&summary);
    let blocked = tiers::blocks(&actions, config.fail_on, &results);
    let n = rounds.len();
    let mut notes = Vec::new();
    // A change past a tier that the rounds could not decide is no pass: the verdict says
    // more rounds are needed, unless something blocks already.
    let undecided = summary.noisy;
    if undecided > 0 && !blocked {
        verdict = crate::report::Verdict::Unknown;
        notes.push(format!(
            "Needs more rounds: {undecided} benchmark(s) moved past a tier's percentage, but \
             {n} rounds cannot tell that from noise. Rerun with more rounds (`--rounds`, \
             `--time-budget`)."
        ));
    }
    if summary.compared == 0 && n > 0 {
        notes.push(
            "Nothing was compared: no benchmark is in the results of both sides.".to_string(),
        );
    }
    let refs = |side: &str| RunRef {
        commit: Some(side.to_string()),
        branch: None,
        timestamp: None,
        sources: Vec::new(),
    };
    Report {
        schema: SCHEMA.to_string(),
        verdict,
        blocked,
        summary,
        results,
        current: RunRef {
            sources: rounds
                .last()
                .map(|(_, h)| h.meta.sources.clone())
                .unwrap_or_default(),
            ..refs(&info.head)
        },
        baseline: BaselineInfo {
            runs: n,
            description: format!(
                "same-runner A/B, {n} rounds in ABBA order (base {} against head {})",
                info.base, info.head
            ),
            refs: vec![refs(&info.base)],
            run_noise: None,
        },
        notes,
        warnings: Vec::new(),
        settings: summary::settings(config),
        version: env!("CARGO_PKG_VERSION").to_string(),
    }
}

/// The numbers of one benchmark metric's rounds, filled into its empty row.
fn paired_row(pairs: &[(f64, f64)], empty: ResultRow, gate_sigma: f64) -> ResultRow {
    let direction = empty.direction;
    let base: Vec<f64> = pairs.iter().map(|p| p.0).collect();
    let head: Vec<f64> = pairs.iter().map(|p| p.1).collect();
    let centre = stats::median(&base);
    let spread = |v: &[f64]| MAD_TO_SIGMA * stats::mad(v, stats::median(v));
    let logs: Vec<f64> = pairs
        .iter()
        .filter(|(a, b)| *a > 0.0 && *b > 0.0)
        .map(|(a, b)| (b / a).ln())
        .collect();
    let n = pairs.len();
    let worse = direction.worse_sign();
    let mut row = ResultRow {
        baseline: Some(BaselineSide {
            value: centre,
            stddev: Some(spread(&base)),
            n: Some(n as u64),
            runs: n,
            history: Vec::new(),
            since_change: None,
        }),
        current: Some(CurrentSide {
            value: stats::median(&head),
            stddev: Some(spread(&head)),
            n: Some(n as u64),
        }),
        method: Method::Paired,
        rounds: Some(n),
        ..empty
    };
    if logs.len() < 2 {
        return row;
    }
    let Some((estimate, interval)) = stats::hodges_lehmann(&logs, 0.95) else {
        return row;
    };
    let pct = |x: f64| (x.exp() - 1.0) * 100.0;
    row.value_change_pct = Some(pct(estimate));
    row.change_pct = Some(worse * pct(estimate));
    row.interval_pct = interval.map(|(lo, hi)| [pct(lo), pct(hi)]);
    match (stats::signed_rank(&logs), stats::sign_test(&logs)) {
        (Some(test), Some((sign_greater, sign_less))) => {
            let (rank, sign) = if estimate >= 0.0 {
                (test.p_greater, sign_greater)
            } else {
                (test.p_less, sign_less)
            };
            // Two tests, the smaller p-value doubled (Bonferroni): the signed-rank test
            // is the stronger on rounds whose noise is spread evenly; the sign test when
            // a benchmark runs in two modes a process lands in at random, so that a
            // round whose sides landed in different modes has a large ratio either way.
            // Those rounds take the largest ranks and outweigh the rounds that measured
            // the change; to the sign test each is one vote. docs/statistics.md.
            let p = (2.0 * rank.min(sign)).min(1.0);
            row.p_value = Some(p);
            row.p_adjusted = Some(p);
            row.z = Some(worse * test.z);
        }
        _ => {
            // Every round identical on both sides: no change, and no noise either.
            row.p_value = Some(1.0);
            row.p_adjusted = Some(1.0);
        }
    }
    row.detectable_pct = detectable(&logs, gate_sigma);
    row
}

/// The smallest one-sided p-value `n` rounds can give: every round on one side, 2⁻ⁿ for
/// either test, doubled for taking the smaller of the two.
fn min_p(n: usize) -> f64 {
    2.0 * stats::signed_rank_min_p(n)
}

/// The smallest worsening this many rounds could show at the gate's sigma, in percent:
/// the rounds' own noise (1.4826 × MAD of the log ratios) over √n, widened by √(π/3)
/// for the signed-rank test's efficiency, at the gate halved for the doubled p-value;
/// `None` when even a change in every round could not reach the gate.
fn detectable(logs: &[f64], gate_sigma: f64) -> Option<f64> {
    let n = logs.len();
    let gate = stats::normal_upper_tail(gate_sigma);
    if min_p(n) > gate {
        return None;
    }
    let noise = MAD_TO_SIGMA * stats::mad(logs, stats::median(logs));
    let z = stats::normal_quantile_upper(gate / 2.0);
    let shift = z * noise * (std::f64::consts::PI / 3.0 / n as f64).sqrt();
    Some((shift.exp() - 1.0) * 100.0)
}

/// Why a change past a tier is undecided, in rounds.
fn needs_rounds(row: &ResultRow, tiers: &crate::config::Tiers) -> String {
    let gate = stats::normal_upper_tail(tiers.get(TierName::Notice).sigma);
    let least = (1..=64).find(|n| min_p(*n) <= gate).unwrap_or(64);
    match row.rounds {
        Some(n) if n < least => {
            format!(" (the tests need at least {least} rounds to reach the gate at all)")
        }
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::time_run as run;

    fn info() -> AbInfo {
        AbInfo {
            base: "aaa".into(),
            head: "bbb".into(),
        }
    }

    /// Rounds whose machine drifts by ±40 % while `slow` is 30 % slower on the head side
    /// and `same` is unchanged: the drift cancels in each round's ratio.
    fn drifting(rounds: usize, slow: f64) -> Vec<(Run, Run)> {
        (0..rounds)
            .map(|r| {
                let drift = 1.0 + 0.4 * ((r as f64) * 1.7).sin();
                let wobble = |k: f64| 1.0 + 0.01 * ((r as f64) * k).cos();
                (
                    run(&[
                        ("slow", 100.0 * drift),
                        ("same", 50.0 * drift * wobble(2.3)),
                    ]),
                    run(&[
                        ("slow", 100.0 * slow * drift * wobble(3.1)),
                        ("same", 50.0 * drift * wobble(1.1)),
                    ]),
                )
            })
            .collect()
    }

    #[test]
    fn a_slowdown_under_drift_is_caught_and_the_unchanged_benchmark_is_not() {
        let report = analyze_paired(&drifting(14, 1.3), &Config::default(), &info());
        let row = |id: &str| report.results.iter().find(|r| r.id == id).expect("row");
        let slow = row("slow");
        assert_eq!(slow.method, Method::Paired);
        assert_eq!(slow.rounds, Some(14));
        assert_eq!(slow.status, Status::Regression, "{slow:?}");
        assert_eq!(slow.tier, crate::report::TierLabel::Critical);
        let change = slow.value_change_pct.expect("change");
        assert!((change - 30.0).abs() < 2.0, "{change}");
        let [lo, hi] = slow.interval_pct.expect("interval");
        assert!(lo <= change && change <= hi && lo > 25.0, "{lo} {hi}");
        assert!(slow.reason.contains("14 rounds"), "{}", slow.reason);
        assert!(report.blocked);
        let same = row("same");
        assert_eq!(same.status, Status::Unchanged, "{same:?}");
        assert!(same.detectable_pct.expect("detectable") < 5.0);
        assert!(
            report
                .baseline
                .description
                .contains("same-runner A/B, 14 rounds in ABBA order")
        );
    }

    #[test]
    fn a_benchmark_whose_own_tiers_do_not_block_does_not_block() {
        let config =
            Config::parse("[[override]]\nmatch = \"slow\"\ntiers.critical.action = \"review\"\n")
                .expect("config");
        let report = analyze_paired(&drifting(14, 1.3), &config, &info());
        let slow = report.results.iter().find(|r| r.id == "slow").expect("row");
        assert_eq!(slow.tier, crate::report::TierLabel::Critical);
        assert!(!report.blocked);
    }

    /// Rounds of a benchmark 10 % slower on the head side that runs in one of two modes
    /// 42 % apart, the mode drawn per process: half the rounds have both sides in one
    /// mode, a quarter the head alone in the slow one, a quarter the base alone.
    fn two_modes(rounds: usize) -> Vec<(Run, Run)> {
        (0..rounds)
            .map(|r| {
                let wobble = |k: f64| 1.0 + 0.01 * ((r as f64) * k).cos();
                let (base_mode, head_mode) = match r % 4 {
                    0 | 2 => (1.0, 1.0),
                    1 => (1.0, 1.42),
                    _ => (1.42, 1.0),
                };
                (
                    run(&[("bimodal", 100.0 * base_mode * wobble(2.3))]),
                    run(&[("bimodal", 110.0 * head_mode * wobble(3.1))]),
                )
            })
            .collect()
    }

    #[test]
    fn a_change_in_a_benchmark_whose_rounds_land_in_two_modes_is_decided() {
        let rounds = two_modes(60);
        let logs: Vec<f64> = rounds
            .iter()
            .map(|(b, h)| {
                (h.benchmarks[0].measurements[0].value / b.benchmarks[0].measurements[0].value).ln()
            })
            .collect();
        let gate = stats::normal_upper_tail(3.0);
        // The rounds with the sides in different modes take the largest ranks, and half
        // of them point the other way: the signed-rank test alone stays above the gate.
        let rank = stats::signed_rank(&logs).expect("test").p_greater;
        assert!(rank > gate, "{rank}");
        let report = analyze_paired(&rounds, &Config::default(), &info());
        let row = &report.results[0];
        assert_eq!(row.status, Status::Regression, "{row:?}");
        assert!(row.p_adjusted.expect("p") <= gate, "{row:?}");
        let change = row.value_change_pct.expect("change");
        assert!((change - 10.0).abs() < 1.0, "{change}");
    }

    #[test]
    fn too_few_rounds_for_a_change_past_a_tier_is_unknown_not_a_pass() {
        let report = analyze_paired(&drifting(4, 1.3), &Config::default(), &info());
        assert_eq!(report.verdict, crate::report::Verdict::Unknown);
        assert!(!report.blocked);
        assert!(
            report.notes[0].starts_with("Needs more rounds"),
            "{:?}",
            report.notes
        );
        let slow = report.results.iter().find(|r| r.id == "slow").expect("row");
        assert_eq!(slow.status, Status::Noisy);
        assert_eq!(slow.detectable_pct, None);
        assert!(
            slow.reason.contains("need at least 11 rounds"),
            "{}",
            slow.reason
        );
        // Unchanged code over the same few rounds passes.
        let same = analyze_paired(&drifting(4, 1.0), &Config::default(), &info());
        assert_eq!(
            same.verdict,
            crate::report::Verdict::Pass,
            "{:?}",
            same.results
        );
    }

    #[test]
    fn benchmarks_on_one_side_only_are_new_or_missing() {
        let rounds = vec![(
            run(&[("kept", 1.0), ("gone", 1.0)]),
            run(&[("kept", 1.0), ("added", 1.0)]),
        )];
        let report = analyze_paired(&rounds, &Config::default(), &info());
        let status = |id: &str| report.results.iter().find(|r| r.id == id).map(|r| r.status);
        assert_eq!(status("added"), Some(Status::New));
        assert_eq!(status("gone"), Some(Status::Missing));
        assert_eq!(status("kept"), Some(Status::Unchanged));
    }
}
