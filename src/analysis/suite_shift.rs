//! The suite-wide shift of one report: most compared time measurements moving the same
//! way by a similar factor (usually a different or busier runner, not the code), and
//! the cap it puts on the tiers of the rows that moved with it.

use crate::config::{Action, Tiers};
use crate::report::{ResultRow, Status, TierLabel};
use crate::units::fmt_pct;

/// Most compared time measurements moved the same way by a similar factor: usually a
/// different or busier runner, not the code.
#[derive(Debug, Clone, PartialEq)]
pub struct Shift {
    /// The common change, as a log ratio.
    pub centre: f64,
    /// The spread of the moved benchmarks' log ratios (unscaled MAD).
    pub spread: f64,
    /// How many moved, and of how many.
    pub moved: usize,
    /// Compared time measurements.
    pub of: usize,
}

impl Shift {
    /// The note for the report.
    pub fn note(&self) -> String {
        let who = if self.moved == self.of {
            format!("all {} benchmarks", self.of)
        } else {
            format!("{} of {} benchmarks", self.moved, self.of)
        };
        format!(
            "{who} moved {} together: often a different runner; rerun to confirm",
            fmt_pct((self.centre.exp() - 1.0) * 100.0)
        )
    }

    /// Whether a change (log ratio) is the shift itself rather than a move of its own:
    /// within 3 robust sigmas of the common change, and at least within 5 %.
    pub fn explains(&self, log_ratio: f64) -> bool {
        let band = (3.0 * crate::stats::MAD_TO_SIGMA * self.spread).max(1.05f64.ln());
        (log_ratio - self.centre).abs() <= band
    }
}

/// The runner shift of a report, when ≥ 80 % of its compared time measurements moved
/// past the notice percentage the same way, by ratios whose spread is small next to the
/// move itself.
pub fn suite_shift<'a>(
    results: impl IntoIterator<Item = &'a ResultRow>,
    tiers: &Tiers,
) -> Option<Shift> {
    let changes: Vec<f64> = results
        .into_iter()
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
    let ratios: Vec<f64> = moved.iter().map(|c| (1.0 + c / 100.0).ln()).collect();
    let centre = crate::stats::median(&ratios);
    let spread = crate::stats::mad(&ratios, centre);
    if spread > centre.abs() / 3.0 {
        return None;
    }
    Some(Shift {
        centre,
        spread,
        moved: moved.len(),
        of: changes.len(),
    })
}

/// Caps a blocking regression that the suite's common slowdown explains at warning:
/// when every benchmark got slower by the same factor, the runner is the first suspect,
/// and a reviewer, not the gate, should decide. A benchmark that moved well beyond the
/// rest still blocks.
pub fn cap_by_shift(row: &mut ResultRow, tiers: &Tiers, shift: &Shift) {
    let slower = shift.centre > 0.0;
    let blocking = row.status == Status::Regression
        && row
            .tier
            .name()
            .is_some_and(|t| tiers.get(t).action == Action::Block);
    let Some(change) = row
        .value_change_pct
        .filter(|_| slower && blocking && row.metric == "time")
    else {
        return;
    };
    if shift.explains((1.0 + change / 100.0).ln()) {
        row.tier = TierLabel::Warning;
        row.reason.push_str(&format!(
            " (capped: the whole suite moved {} together, a runner shift more often than a \
             change of this benchmark)",
            fmt_pct((shift.centre.exp() - 1.0) * 100.0)
        ));
    }
}
