//! Putting a report together: the order of the rows, the counts, the verdict, the notes
//! and what the baseline was.

use crate::config::Config;
use crate::model::Run;
use crate::report::{BaselineInfo, ResultRow, RunRef, Status, Summary, TierLabel, Verdict};

/// The notes on what could not be compared.
pub(super) fn notes(baselines: &[Run], summary: &Summary) -> Vec<String> {
    let mut notes = Vec::new();
    if baselines.is_empty() {
        notes.push(
            "No baseline: nothing was compared. Pass --baseline FILE (or --history BRANCH)."
                .to_string(),
        );
    } else if summary.compared == 0 {
        notes.push(
            "Nothing was compared: no benchmark is in both this run and the baseline \
             (renamed benchmarks, or results of another tool?)."
                .to_string(),
        );
    }
    if summary.missing > 0 && summary.compared > 0 {
        notes.push(format!(
            "{} benchmark metric(s) of the baseline are missing from this run \
             (removed, filtered, or a run that stopped partway?).",
            summary.missing
        ));
    }
    notes
}

/// Regressions by tier then size, then improvements, noisy, new, missing, unchanged.
pub(super) fn sort_results(results: &mut [ResultRow]) {
    let rank = |r: &ResultRow| match r.status {
        Status::Regression => 0,
        Status::Improvement => 1,
        Status::Noisy => 2,
        Status::New => 3,
        Status::Missing => 4,
        Status::Unchanged => 5,
    };
    results.sort_by(|a, b| {
        rank(a)
            .cmp(&rank(b))
            .then(a.tier.cmp(&b.tier))
            .then_with(|| match a.status {
                Status::Regression => b
                    .change_pct
                    .unwrap_or(0.0)
                    .total_cmp(&a.change_pct.unwrap_or(0.0)),
                Status::Improvement => a
                    .change_pct
                    .unwrap_or(0.0)
                    .total_cmp(&b.change_pct.unwrap_or(0.0)),
                _ => std::cmp::Ordering::Equal,
            })
    });
}

pub(super) fn summarize(results: &[ResultRow], ignored: usize) -> Summary {
    let mut s = Summary {
        ignored,
        ..Summary::default()
    };
    for r in results {
        if r.baseline.is_some() && r.current.is_some() {
            s.compared += 1;
        }
        match (r.status, r.tier) {
            (Status::Regression, TierLabel::Critical) => s.critical += 1,
            (Status::Regression, TierLabel::Warning) => s.warning += 1,
            (Status::Regression, TierLabel::Notice) => s.notice += 1,
            (Status::Improvement, _) => s.improvements += 1,
            (Status::New, _) => s.new += 1,
            (Status::Missing, _) => s.missing += 1,
            (Status::Noisy, _) => s.noisy += 1,
            _ => {}
        }
    }
    s
}

pub(super) fn verdict_of(s: &Summary) -> Verdict {
    if s.critical > 0 {
        Verdict::Critical
    } else if s.warning > 0 {
        Verdict::Warning
    } else if s.notice > 0 {
        Verdict::Notice
    } else {
        Verdict::Pass
    }
}

pub(super) fn run_ref(run: &Run) -> RunRef {
    RunRef {
        commit: run.meta.commit.clone(),
        branch: run.meta.branch.clone(),
        timestamp: run.meta.timestamp.clone(),
        sources: run.meta.sources.clone(),
    }
}

pub(super) fn baseline_info(baselines: &[Run], used: usize, config: &Config) -> BaselineInfo {
    let describe_one = |run: &Run| {
        let mut parts = Vec::new();
        if let Some(src) = run.meta.sources.first() {
            parts.push(src.clone());
        }
        if let Some(c) = &run.meta.commit {
            parts.push(format!("commit {}", &c[..c.len().min(12)]));
        }
        parts.join(", ")
    };
    let description = match baselines.len() {
        0 => "no baseline".to_string(),
        1 => match describe_one(&baselines[0]) {
            d if d.is_empty() => "one baseline run".to_string(),
            d => format!("one baseline run ({d})"),
        },
        n if n < config.min_history => format!(
            "the newest of {n} baseline runs ({}); the history rule needs {} runs",
            describe_one(&baselines[n - 1]),
            config.min_history
        ),
        n => format!(
            "median and run-to-run noise of the last {used} of {n} baseline runs (window {})",
            config.window
        ),
    };
    BaselineInfo {
        runs: baselines.len(),
        description,
        refs: baselines[baselines.len() - used..]
            .iter()
            .map(run_ref)
            .collect(),
    }
}
