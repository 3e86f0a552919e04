//! Putting a report together: the order of the rows, the counts, the verdict, the notes
//! and what the baseline was.

use crate::config::{Config, Correction};
use crate::model::Run;
use crate::report::{
    BaselineInfo, ResultRow, RunNoise, RunRef, Settings, Status, Summary, TierLabel, Verdict,
};

/// The note of a report without a baseline run.
pub const NO_BASELINE: &str =
    "No baseline: nothing was compared. Pass --baseline FILE (or --history BRANCH).";

/// The notes on what could not be compared.
pub(super) fn notes(baselines: &[Run], summary: &Summary) -> Vec<String> {
    let mut notes = Vec::new();
    if baselines.is_empty() {
        notes.push(NO_BASELINE.to_string());
    } else if summary.compared == 0 {
        notes.push(
            "Nothing was compared: no benchmark is in both this run and the baseline \
             (renamed benchmarks, or results of another tool?)."
                .to_string(),
        );
    }
    if summary.missing > 0 && summary.compared > 0 {
        notes.push(format!(
            "{} benchmark(s) of the baseline are missing from this run \
             (removed, filtered, or a run that stopped partway?).",
            summary.missing
        ));
    }
    notes
}

/// The benchmarks whose level changed inside the window, and so were judged against
/// their new level: one note naming up to five.
pub(super) fn level_change_note(results: &[ResultRow]) -> Option<String> {
    const SHOWN: usize = 5;
    let changed: Vec<String> = results
        .iter()
        .filter_map(|r| {
            let c = r.baseline.as_ref()?.since_change.as_ref()?;
            let at = c
                .commit
                .as_deref()
                .map_or_else(String::new, |s| format!(" at {}", &s[..s.len().min(12)]));
            Some(format!(
                "{} ({}) {}{at}",
                r.id,
                r.metric,
                crate::units::fmt_pct(c.change_pct)
            ))
        })
        .collect();
    let count = changed.len();
    if count == 0 {
        return None;
    }
    let shown = changed[..count.min(SHOWN)].join(", ");
    let listed = match count - count.min(SHOWN) {
        0 => shown,
        more => format!("{shown} and {more} more"),
    };
    Some(format!(
        "The level of {} changed inside the history window, so {} compared with its new \
         level: {listed}.",
        if count == 1 {
            "one benchmark".to_string()
        } else {
            format!("{count} benchmarks")
        },
        if count == 1 { "it is" } else { "each is" },
    ))
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

/// Counts benchmarks, not metrics: a benchmark counts once, by its most severe
/// compared row (a critical regression of its memory outranks its unchanged time), and
/// as new or missing only when none of its rows was compared.
pub(super) fn summarize(results: &[ResultRow], ignored: usize) -> Summary {
    let mut s = Summary {
        ignored,
        ..Summary::default()
    };
    // Severity of a compared row: lower is more severe.
    let severity = |r: &ResultRow| match (r.status, r.tier) {
        (Status::Regression, TierLabel::Critical) => 0,
        (Status::Regression, TierLabel::Warning) => 1,
        (Status::Regression, _) => 2,
        (Status::Improvement, _) => 3,
        (Status::Noisy, _) => 4,
        _ => 5,
    };
    let mut by_id: rustc_hash::FxHashMap<&str, (Option<u8>, bool, bool)> =
        rustc_hash::FxHashMap::default();
    for r in results {
        let e = by_id.entry(r.id.as_str()).or_insert((None, false, false));
        if r.baseline.is_some() && r.current.is_some() {
            let sev = severity(r);
            e.0 = Some(e.0.map_or(sev, |old| old.min(sev)));
        }
        e.1 |= r.status == Status::New;
        e.2 |= r.status == Status::Missing;
    }
    for (worst, new, missing) in by_id.into_values() {
        match worst {
            Some(sev) => {
                s.compared += 1;
                match sev {
                    0 => s.critical += 1,
                    1 => s.warning += 1,
                    2 => s.notice += 1,
                    3 => s.improvements += 1,
                    4 => s.noisy += 1,
                    _ => {}
                }
            }
            None if new => s.new += 1,
            None if missing => s.missing += 1,
            None => {}
        }
    }
    s
}

pub(super) fn verdict_of(s: &Summary) -> Verdict {
    if s.compared == 0 {
        Verdict::Unknown
    } else if s.critical > 0 {
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

pub(super) fn baseline_info(
    baselines: &[Run],
    used: usize,
    config: &Config,
    run_noise: Option<RunNoise>,
) -> BaselineInfo {
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
        run_noise,
    }
}

/// The settings that shaped a report's verdict, for its footer.
pub(super) fn settings(config: &Config) -> Settings {
    Settings {
        tiers: serde_json::to_value(&config.tiers)
            .expect("the tiers are plain numbers and names, always serializable"),
        multiple_comparisons: match config.multiple_comparisons {
            Correction::Bh => "bh".to_string(),
            Correction::None => "none".to_string(),
        },
        min_history: config.min_history,
        window: config.window,
        fail_on: config.fail_on,
        run_noise_pct: config.run_noise_pct,
        require_baseline: config.require_baseline,
        config: config.source.as_ref().map(|p| p.display().to_string()),
    }
}
