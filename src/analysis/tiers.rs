//! Tiers: which tier a comparison fires, its status, and the sentence that says why.

use crate::config::{Action, FailOn, TierName, Tiers};
use crate::model::Metric;
use crate::report::{Bimodal, Method, ResultRow, Status, TierLabel};
use crate::stats::normal_upper_tail;
use crate::units::fmt_pct;

/// What the tiers decide for one comparison, before it is put in words.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Decision {
    /// The tier that fired (after the noisy cap).
    pub tier: Option<TierName>,
    /// The status.
    pub status: Status,
    /// The history's CV, when it capped the tier or made the result noisy.
    pub noisy_cv: Option<f64>,
    /// Whether the noisy cap lowered a blocking tier.
    pub capped: bool,
}

/// Decides the tier and status.
///
/// A tier fires when the oriented change exceeds its percentage for the metric and,
/// unless `require_significance = false`, the adjusted p-value is at most the normal
/// tail at its sigma (3 σ ≙ 0.00135). A benchmark whose history is noisier than
/// `noise_cv` cannot block on its own: its tier is capped at warning. A significant
/// change in the good direction beyond the notice percentage is an improvement; a change
/// beyond it either way that is not significant is noisy; anything smaller is unchanged
/// (on a noisy history too: the reason says so). A deterministic count has no noise to
/// test against: its tiers' `deterministic` percentages alone decide.
pub fn decide(
    change: f64,
    p_adjusted: Option<f64>,
    metric: &Metric,
    deterministic: bool,
    tiers: &Tiers,
    noisy_cv: Option<f64>,
    noise_cv: f64,
) -> Decision {
    let significant = |sigma: f64| match p_adjusted {
        Some(_) if deterministic => true,
        Some(p) => p <= normal_upper_tail(sigma),
        None => true,
    };
    let noisy = noisy_cv.filter(|cv| *cv > noise_cv && !deterministic);
    let fired = TierName::ALL.into_iter().find(|&name| {
        let tier = tiers.get(name);
        change > tier.pct_for(metric, deterministic)
            && (!tier.require_significance || significant(tier.sigma))
    });
    if let Some(mut name) = fired {
        let capped = noisy.is_some() && tiers.get(name).action == Action::Block;
        if capped {
            name = TierName::Warning;
        }
        return Decision {
            tier: Some(name),
            status: Status::Regression,
            noisy_cv: noisy,
            capped,
        };
    }
    let notice = &tiers.notice;
    let notice_pct = notice.pct_for(metric, deterministic);
    let status = if change < -notice_pct && significant(notice.sigma) {
        Status::Improvement
    } else if change.abs() > notice_pct {
        Status::Noisy
    } else {
        Status::Unchanged
    };
    Decision {
        tier: None,
        status,
        noisy_cv: noisy,
        capped: false,
    }
}

/// What classifying a row needs besides its tiers.
#[derive(Debug, Clone, Copy)]
pub struct Judging {
    /// The history's CV above which a benchmark is noisy.
    pub noise_cv: f64,
    /// The run-to-run noise of two-run comparisons, in percent.
    pub run_noise_pct: f64,
    /// Whether that noise was read from the suite's spread rather than assumed.
    pub run_noise_from_suite: bool,
}

/// Sets the row's tier, status and reason (`action_of` reads the action from the row).
///
/// A two-run comparison where only one run's samples had two modes cannot block: which
/// mode a run lands in is not the code's doing, so its tier is capped at warning.
pub fn classify(
    row: &mut ResultRow,
    metric: &Metric,
    tiers: &Tiers,
    noisy_cv: Option<f64>,
    judging: Judging,
) {
    let Some(change) = row.change_pct else {
        zero_baseline(row, metric, tiers);
        return;
    };
    let mut d = decide(
        change,
        row.p_adjusted,
        metric,
        row.deterministic,
        tiers,
        noisy_cv,
        judging.noise_cv,
    );
    let one_side_bimodal = matches!(row.bimodal, Some(Bimodal::Baseline | Bimodal::Current));
    let mode_capped = one_side_bimodal
        && d.tier
            .is_some_and(|name| tiers.get(name).action == Action::Block)
        && !d.capped;
    if mode_capped {
        d.tier = Some(TierName::Warning);
    }
    let against = against(row);
    let shown = fmt_pct(row.value_change_pct.unwrap_or(change));
    let evidence = evidence(row, judging);
    let modes = match row.bimodal {
        Some(Bimodal::Both) => " (both runs have two modes: compared mode to mode)",
        Some(Bimodal::Baseline) => " (the baseline run has two modes: its larger one compared)",
        Some(Bimodal::Current) => " (this run has two modes: its larger one compared)",
        Some(Bimodal::History) => {
            " (the history alternates between two levels: compared with the nearest)"
        }
        None => "",
    };
    row.status = d.status;
    row.reason = match (d.tier, d.status, d.noisy_cv) {
        (Some(name), _, cv) => {
            row.tier = name.into();
            let capped = match (d.capped, cv) {
                (true, Some(cv)) => format!(
                    " (capped: the history is too noisy to block on its own, CV {:.0} %)",
                    cv * 100.0
                ),
                _ if mode_capped => {
                    " (capped: only one run has two modes, so a mode switch cannot block)"
                        .to_string()
                }
                _ => String::new(),
            };
            format!(
                "{shown} {against}{modes}{evidence}: {}{capped}",
                name.as_str()
            )
        }
        (None, Status::Improvement, _) => {
            format!("{shown} {against}{modes}{evidence}: improvement")
        }
        (None, Status::Noisy, _) => format!(
            "{shown} {against}{modes}{evidence}, not significant{}: rerun or add repetitions",
            why_not_significant(row, tiers)
        ),
        (None, _, Some(cv)) => format!(
            "{shown} {against}{modes}: unchanged (noisy history, CV {:.0} %)",
            cv * 100.0
        ),
        _ => format!(
            "{shown} {against}{modes}, within the notice threshold ({} %)",
            tiers.notice.pct_for(metric, row.deterministic)
        ),
    };
}

/// A baseline of 0, where a percentage change is undefined. A deterministic count that
/// was 0 and is not any more (a function that did not allocate and now does) is past
/// every percentage: the most severe tier whose deterministic threshold is set fires.
/// Anything else is left unjudged, and the reason says why.
fn zero_baseline(row: &mut ResultRow, metric: &Metric, tiers: &Tiers) {
    let from = row.baseline.as_ref().map(|b| b.value);
    let to = row.current.as_ref().map_or(0.0, |c| c.value);
    row.status = Status::Unchanged;
    if !(row.deterministic && from == Some(0.0)) {
        row.reason = "the baseline is 0, so a percentage change is undefined".to_string();
        return;
    }
    let shown = |v: f64| crate::units::human(v, &row.unit);
    let worse = row.direction.worse_sign() * to;
    if worse > 0.0 {
        let d = decide(f64::INFINITY, None, metric, true, tiers, None, 0.0);
        row.status = d.status;
        if let Some(name) = d.tier {
            row.tier = name.into();
        }
        row.reason = format!(
            "{} → {} {}: a deterministic count that was 0 is not any more{}",
            shown(0.0),
            shown(to),
            against(row),
            d.tier
                .map_or(String::new(), |n| format!(": {}", n.as_str()))
        );
    } else if worse < 0.0 {
        row.status = Status::Improvement;
        row.reason = format!(
            "{} → {} {}: improvement",
            shown(0.0),
            shown(to),
            against(row)
        );
    } else {
        row.reason = format!("{} in both (a deterministic count)", shown(0.0));
    }
}

/// Why a change past a percentage is not significant, in the gate's own terms: the
/// p-value against the tier's, and Benjamini–Hochberg when it is what lifted it.
fn why_not_significant(row: &ResultRow, tiers: &Tiers) -> String {
    let (Some(raw), Some(adjusted)) = (row.p_value, row.p_adjusted) else {
        return String::new();
    };
    let gate = normal_upper_tail(tiers.notice.sigma);
    let sigma = tiers.notice.sigma;
    if raw <= gate && adjusted > gate {
        format!(
            " (p = {} after Benjamini–Hochberg across the report, p = {} alone; the gate \
             needs p ≤ {} ({sigma} σ))",
            short_p(adjusted),
            short_p(raw),
            short_p(gate)
        )
    } else {
        format!(
            " (p = {}; the gate needs p ≤ {} ({sigma} σ))",
            short_p(adjusted),
            short_p(gate)
        )
    }
}

fn against(row: &ResultRow) -> String {
    match (row.method, row.baseline.as_ref()) {
        (Method::Paired, _) => "head against base, round by round".to_string(),
        (Method::History, Some(b)) => format!("against the median of {} runs", b.runs),
        _ => "against the baseline run".to_string(),
    }
}

fn evidence(row: &ResultRow, judging: Judging) -> String {
    match row.method {
        Method::History => match row.z {
            Some(z) => format!(", {:.1} \u{3c3} from run-to-run noise", z.abs()),
            None => ", beyond a history with no noise".to_string(),
        },
        Method::RunNoise => match row.z {
            Some(t) if judging.run_noise_from_suite => format!(
                ", {:.1} \u{3c3} against {:.0} % run-to-run noise (the spread of this \
                 suite's changes)",
                t.abs(),
                judging.run_noise_pct
            ),
            Some(t) => format!(
                ", {:.1} \u{3c3} against {} % assumed run-to-run noise (one baseline run \
                 cannot show its own)",
                t.abs(),
                judging.run_noise_pct
            ),
            None => ", beyond zero variance on both sides".to_string(),
        },
        Method::Welch => match (row.z, row.p_adjusted) {
            (Some(t), Some(p)) => format!(", t = {:.1}, p = {}", t.abs(), short_p(p)),
            _ => ", beyond zero variance on both sides".to_string(),
        },
        Method::Paired => {
            let rounds = row.rounds.unwrap_or(0);
            let interval = row.interval_pct.map_or_else(
                || " (too few rounds for a 95 % interval)".to_string(),
                |[lo, hi]| format!(", 95 % interval {} to {}", fmt_pct(lo), fmt_pct(hi)),
            );
            let p = row
                .p_adjusted
                .map_or_else(String::new, |p| format!(", p = {}", short_p(p)));
            format!(", {rounds} rounds{interval}{p}")
        }
        Method::Percentage if row.deterministic => {
            " (a deterministic count: judged by percentage alone)".to_string()
        }
        Method::Percentage => {
            " (significance not tested: no spread or sample count in the input)".to_string()
        }
        Method::None => String::new(),
    }
}

/// A p-value with two significant digits below 0.01, so that a p-value and the gate it
/// missed never print as the same number (0.0012 against 0.0013, not 0.001 and 0.001).
fn short_p(p: f64) -> String {
    if p < 0.001 {
        format!("{p:.1e}")
    } else if p < 0.01 {
        format!("{p:.4}")
    } else {
        format!("{p:.3}")
    }
}

/// The action of the tier a regression fired (its benchmark's own tiers), if any.
pub fn action_of(row: &ResultRow, tiers: &Tiers) -> Option<Action> {
    (row.status == Status::Regression)
        .then(|| row.tier.name().map(|t| tiers.get(t).action))
        .flatten()
}

/// Whether a report blocks: a regression whose tier's action is `block`, or, with
/// `--fail-on`, any regression at that level or above.
pub fn blocks(actions: &[Option<Action>], fail_on: Option<FailOn>, results: &[ResultRow]) -> bool {
    match fail_on {
        None => actions.contains(&Some(Action::Block)),
        Some(level) => fails(level, results),
    }
}

/// Whether any regression reaches the `--fail-on` level.
pub fn fails(level: FailOn, results: &[ResultRow]) -> bool {
    let limit = match level {
        FailOn::Critical => TierLabel::Critical,
        FailOn::Warning => TierLabel::Warning,
        FailOn::Notice => TierLabel::Notice,
        FailOn::Never => return false,
    };
    results
        .iter()
        .any(|r| r.status == Status::Regression && r.tier != TierLabel::None && r.tier <= limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_p_value_just_past_the_gate_does_not_print_as_the_gate() {
        let gate = normal_upper_tail(3.0);
        assert_eq!(
            (short_p(0.00122), short_p(gate)),
            ("0.0012".into(), "0.0013".into())
        );
        assert_eq!(short_p(0.00244), "0.0024");
        assert_eq!(short_p(0.1018), "0.102");
        assert_eq!(short_p(0.000244), "2.4e-4");
    }

    /// A deterministic count is judged by its own percentages, with no significance
    /// needed and no noisy history that could cap it.
    #[test]
    fn a_count_that_was_zero_and_is_not_is_critical() {
        use crate::model::{Benchmark, Direction, Measurement, Run};
        let allocs = |v: f64, deterministic: bool| {
            let m = Measurement::new(
                Metric::Custom("allocs".into()),
                Direction::LowerIsBetter,
                "allocs",
                v,
            );
            Run {
                meta: Default::default(),
                benchmarks: vec![Benchmark {
                    id: "b".into(),
                    group: None,
                    measurements: vec![if deterministic { m.deterministic() } else { m }],
                }],
            }
        };
        let config = crate::config::Config::default();
        let judge = |from: f64, to: f64, deterministic: bool| {
            let r = crate::analysis::analyze(
                &allocs(to, deterministic),
                &[allocs(from, deterministic)],
                &config,
            );
            r.results[0].clone()
        };
        let started = judge(0.0, 3.0, true);
        assert_eq!(
            (started.status, started.tier),
            (Status::Regression, TierLabel::Critical),
            "{}",
            started.reason
        );
        assert!(
            started
                .reason
                .starts_with("0 allocs → 3.00 allocs against the baseline run"),
            "{}",
            started.reason
        );
        assert_eq!(judge(0.0, 0.0, true).status, Status::Unchanged);
        // A measured quantity from 0 has no percentage: left unjudged, and said so.
        let measured = judge(0.0, 3.0, false);
        assert_eq!(measured.status, Status::Unchanged);
        assert!(measured.reason.contains("undefined"), "{}", measured.reason);
    }

    #[test]
    fn deterministic_counts_are_judged_by_percentage_alone() {
        let tiers = Tiers::default();
        let not_significant = Some(0.4);
        let d = |change: f64, deterministic: bool| {
            decide(
                change,
                not_significant,
                &Metric::Memory,
                deterministic,
                &tiers,
                Some(0.5),
                0.1,
            )
        };
        assert_eq!(d(0.3, true).status, Status::Unchanged);
        assert_eq!(d(1.0, true).tier, Some(TierName::Notice));
        assert_eq!(d(2.8, true).tier, Some(TierName::Warning));
        let critical = d(6.0, true);
        assert_eq!(
            (critical.tier, critical.capped),
            (Some(TierName::Critical), false)
        );
        assert_eq!(d(-1.0, true).status, Status::Improvement);
        // The same changes of a measured quantity need significance and stay noisy.
        assert_eq!(d(6.0, false).status, Status::Noisy);
        assert_eq!(d(30.0, false).tier, None);
        let mut custom = Tiers::default();
        custom.critical.deterministic = 1.0;
        let d = decide(
            1.5,
            None,
            &Metric::Custom("allocs/op".into()),
            true,
            &custom,
            None,
            0.1,
        );
        assert_eq!(d.tier, Some(TierName::Critical));
    }
}
