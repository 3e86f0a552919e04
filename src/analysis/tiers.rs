//! Tiers: which tier a comparison fires, its status, and the sentence that says why.

use crate::config::{Action, FailOn, TierName, Tiers};
use crate::model::Metric;
use crate::report::{Method, ResultRow, Status, TierLabel};
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
/// beyond it that is not significant (or a too-noisy history) is noisy.
pub fn decide(
    change: f64,
    p_adjusted: Option<f64>,
    metric: &Metric,
    tiers: &Tiers,
    noisy_cv: Option<f64>,
    noise_cv: f64,
) -> Decision {
    let significant = |sigma: f64| match p_adjusted {
        Some(p) => p <= normal_upper_tail(sigma),
        None => true,
    };
    let noisy = noisy_cv.filter(|cv| *cv > noise_cv);
    let fired = TierName::ALL.into_iter().find(|&name| {
        let tier = tiers.get(name);
        change > tier.pct(metric) && (!tier.require_significance || significant(tier.sigma))
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
    let status = if change < -notice.pct(metric) && significant(notice.sigma) {
        Status::Improvement
    } else if noisy.is_some() || change.abs() > notice.pct(metric) {
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

/// Sets the row's tier, status and reason; returns the action of the tier that fired.
pub fn classify(
    row: &mut ResultRow,
    metric: &Metric,
    tiers: &Tiers,
    noisy_cv: Option<f64>,
    noise_cv: f64,
) -> Option<Action> {
    let Some(change) = row.change_pct else {
        row.status = Status::Unchanged;
        row.reason = "the baseline is 0, so a percentage change is undefined".to_string();
        return None;
    };
    let d = decide(change, row.p_adjusted, metric, tiers, noisy_cv, noise_cv);
    let against = against(row);
    let shown = fmt_pct(row.value_change_pct.unwrap_or(change));
    let evidence = evidence(row);
    row.status = d.status;
    row.reason = match (d.tier, d.status, d.noisy_cv) {
        (Some(name), _, cv) => {
            row.tier = name.into();
            let capped = match (d.capped, cv) {
                (true, Some(cv)) => format!(
                    " (capped: the history is too noisy to block on its own, CV {:.0} %)",
                    cv * 100.0
                ),
                _ => String::new(),
            };
            format!("{shown} {against}{evidence}: {}{capped}", name.as_str())
        }
        (None, Status::Improvement, _) => format!("{shown} {against}{evidence}: improvement"),
        (None, Status::Noisy, Some(cv)) => format!(
            "{shown} {against}, but the history is too noisy to judge (CV {:.0} % > {:.0} %): \
             rerun or add repetitions",
            cv * 100.0,
            noise_cv * 100.0
        ),
        (None, Status::Noisy, None) => {
            format!("{shown} {against}{evidence}, not significant: rerun or add repetitions")
        }
        _ => format!(
            "{shown} {against}, within the notice threshold ({:.0} %)",
            tiers.notice.pct(metric)
        ),
    };
    d.tier.and_then(|name| {
        if d.status == Status::Regression {
            Some(tiers.get(name).action)
        } else {
            None
        }
    })
}

fn against(row: &ResultRow) -> String {
    match (row.method, row.baseline.as_ref()) {
        (Method::History, Some(b)) => format!("against the median of {} runs", b.runs),
        _ => "against the baseline run".to_string(),
    }
}

fn evidence(row: &ResultRow) -> String {
    match row.method {
        Method::History => match row.z {
            Some(z) => format!(", {:.1} \u{3c3} from run-to-run noise", z.abs()),
            None => ", beyond a history with no noise".to_string(),
        },
        Method::Welch => match (row.z, row.p_adjusted) {
            (Some(t), Some(p)) => format!(", t = {:.1}, p = {}", t.abs(), short_p(p)),
            _ => ", beyond zero variance on both sides".to_string(),
        },
        Method::Percentage => {
            " (significance not tested: no spread or sample count in the input)".to_string()
        }
        Method::None => String::new(),
    }
}

fn short_p(p: f64) -> String {
    if p < 0.001 {
        format!("{p:.1e}")
    } else {
        format!("{p:.3}")
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

/// One line when most compared benchmarks moved the same way by a similar factor:
/// that is usually a different runner, not the code.
pub fn moved_together(results: &[ResultRow], tiers: &Tiers) -> Option<String> {
    let changes: Vec<f64> = results
        .iter()
        .filter(|r| r.baseline.is_some() && r.current.is_some() && r.metric == "time")
        .filter_map(|r| r.value_change_pct)
        .collect();
    if changes.len() < 3 {
        return None;
    }
    let threshold = tiers.notice.time;
    let up: Vec<f64> = changes.iter().copied().filter(|c| *c > threshold).collect();
    let down: Vec<f64> = changes
        .iter()
        .copied()
        .filter(|c| *c < -threshold)
        .collect();
    let moved = if up.len() >= down.len() { up } else { down };
    if (moved.len() as f64) < 0.8 * changes.len() as f64 {
        return None;
    }
    // "A similar factor": the ratios' spread is small next to the move itself.
    let ratios: Vec<f64> = moved.iter().map(|c| (1.0 + c / 100.0).ln()).collect();
    let centre = crate::stats::median(&ratios);
    let spread = crate::stats::mad(&ratios, centre);
    if spread > centre.abs() / 3.0 {
        return None;
    }
    let pct = (centre.exp() - 1.0) * 100.0;
    let who = if moved.len() == changes.len() {
        format!("all {} benchmarks", changes.len())
    } else {
        format!("{} of {} benchmarks", moved.len(), changes.len())
    };
    Some(format!(
        "{who} moved {} together: often a different runner; rerun to confirm",
        fmt_pct(pct)
    ))
}
