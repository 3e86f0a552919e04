//! Runner shifts: a step most of the suite takes at the same run is the machine, not
//! the code.

use std::collections::BTreeMap;

use super::detect::{MIN_AFTER, MIN_BEFORE};
use super::{Found, LevelStarts, Series, scan};
use crate::config::Config;
use crate::model::Run;
use crate::report::RunnerShift;
use crate::stats::median;

/// Share of the benchmarks measured at a run that must step there together for a
/// runner shift, and the fewest benchmarks that make one.
const SHIFT_SHARE: f64 = 0.5;
const SHIFT_MIN_BENCHMARKS: usize = 3;
/// Change points this many runs from a runner shift's run, in its direction, belong
/// to it: a noisier benchmark places the same step a little later or earlier.
const SHIFT_STRAGGLERS: usize = 3;

/// The newest runner shift among the baseline window (the newest `config.window`
/// runs), with how many of those runs came after it (a window that spans it mixes two
/// machines' levels), and where the levels of each benchmark start in that window.
pub fn window_runner_shift(
    runs: &[Run],
    config: &Config,
) -> (Option<(RunnerShift, usize)>, LevelStarts) {
    let window = &runs[runs.len().saturating_sub(config.window)..];
    // Too few runs for any change point to reach the p-value: nothing to look for.
    let mut rank_sum = crate::stats::RankSum::new();
    let possible = (MIN_BEFORE..window.len().saturating_sub(MIN_AFTER - 1)).any(|before| {
        let after = (window.len() - before).min(before);
        after >= MIN_AFTER && rank_sum.min_p(before, after) <= config.changes.p_value
    });
    if !possible {
        return (None, LevelStarts::default());
    }
    let (report, starts) = scan(window, config, None, String::new());
    let shift = report.runner_shifts.into_iter().next().map(|shift| {
        let since = window.len() - shift.first_after.index;
        (shift, since)
    });
    (shift, starts)
}

/// A runner shift found across the suite.
pub(super) struct Shift {
    pub(super) first_after: usize,
    /// Indices into the found change points.
    pub(super) members: Vec<usize>,
    pub(super) of: usize,
    pub(super) change_pct: f64,
}

/// For each found change point, the index of the runner shift it belongs to.
pub(super) fn assignments(shifts: &[Shift], n: usize) -> Vec<Option<usize>> {
    let mut out = vec![None; n];
    for (k, s) in shifts.iter().enumerate() {
        for m in &s.members {
            out[*m] = Some(k);
        }
    }
    out
}

/// Groups change points that most of the suite took at the same run (within
/// [`SHIFT_STRAGGLERS`] runs), in the same direction, into runner shifts, largest
/// group first.
pub(super) fn runner_shifts(n_runs: usize, series: &[Series], found: &mut [Found]) -> Vec<Shift> {
    if series.len() < SHIFT_MIN_BENCHMARKS || found.is_empty() {
        return Vec::new();
    }
    // How many series measured each run.
    let mut present = vec![0usize; n_runs];
    for s in series {
        for r in &s.runs {
            present[*r] += 1;
        }
    }
    let first_run = |f: &Found| series[f.series].runs[f.split.index];
    let mut claimed = vec![false; found.len()];
    let mut shifts = Vec::new();
    loop {
        // The run and direction with the most unclaimed change points (one per series)
        // within SHIFT_STRAGGLERS runs of it; ties go to the run more of them name.
        let mut best: Option<((usize, usize), usize, Vec<usize>)> = None;
        for (i, f) in found.iter().enumerate() {
            if claimed[i] {
                continue;
            }
            let (at, up) = (first_run(f), f.worse_log > 0.0);
            let mut members: Vec<usize> = Vec::new();
            let mut exact = 0;
            for (j, g) in found.iter().enumerate() {
                if claimed[j]
                    || (g.worse_log > 0.0) != up
                    || first_run(g).abs_diff(at) > SHIFT_STRAGGLERS
                {
                    continue;
                }
                exact += usize::from(first_run(g) == at);
                // One change point per series: the one nearest the run.
                match members.iter().position(|m| found[*m].series == g.series) {
                    Some(k)
                        if first_run(&found[members[k]]).abs_diff(at)
                            > first_run(g).abs_diff(at) =>
                    {
                        members[k] = j;
                    }
                    Some(_) => {}
                    None => members.push(j),
                }
            }
            let score = (members.len(), exact);
            if best.as_ref().is_none_or(|b| score > b.0) {
                best = Some((score, at, members));
            }
        }
        let Some((_, at, members)) = best else { break };
        // The shift's run: the one most of its change points name.
        let at = {
            let mut counts: BTreeMap<usize, usize> = BTreeMap::new();
            for m in &members {
                *counts.entry(first_run(&found[*m])).or_default() += 1;
            }
            counts
                .into_iter()
                .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
                .map_or(at, |(run, _)| run)
        };
        let of = present[at];
        let needed = SHIFT_MIN_BENCHMARKS.max((SHIFT_SHARE * of as f64).floor() as usize + 1);
        if members.len() < needed {
            break;
        }
        for m in &members {
            claimed[*m] = true;
        }
        let logs: Vec<f64> = members.iter().map(|m| found[*m].worse_log).collect();
        shifts.push(Shift {
            first_after: at,
            change_pct: median(&logs).exp_m1() * 100.0,
            of,
            members,
        });
    }
    shifts.sort_by_key(|s| s.first_after);
    shifts
}
