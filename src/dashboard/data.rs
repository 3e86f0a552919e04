//! The dashboard's data: every benchmark metric as a series over the runs, with the band
//! the detector used at each point (median ± 3 σ of the window before it) and the tier
//! each point fired.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::analysis::changes::{MIN_AFTER, find_changes, holding_levels};
use crate::analysis::{Window, judge_history};
use crate::config::Config;
use crate::model::{Direction, Metric, Run};
use crate::report::{ChangeKind, ChangesReport, Status, TierLabel};

/// Everything the page draws.
#[derive(Debug, Serialize)]
pub struct SiteData {
    /// Repository URL for commit links, when known.
    pub repo_url: Option<String>,
    /// Runs in commit order: short sha, full sha, date.
    pub runs: Vec<RunInfo>,
    /// One entry per benchmark metric.
    pub series: Vec<Series>,
    /// The newest regressions, newest first: one entry per run of consecutive flagged
    /// points of a benchmark (a slower level is flagged until the window holds it).
    pub regressions: Vec<Flag>,
    /// Change points of the history (`bench-bot changes`), newest first.
    pub changes: Vec<ChangeMark>,
    /// Runner shifts, newest first: one band across every chart.
    pub shifts: Vec<ShiftMark>,
}

/// A change point drawn on its chart and listed at the top.
#[derive(Debug, Serialize)]
pub struct ChangeMark {
    /// Index into `series`.
    pub series: usize,
    /// The first run at the new level.
    pub run: usize,
    /// The last run at the old level.
    pub before_run: usize,
    /// `regression`, `improvement`, `runner-shift` or `mode-switch`.
    pub kind: &'static str,
    /// `critical`, `warning`, `notice` or `none`.
    pub tier: &'static str,
    /// Change of the level in percent, natural sign.
    pub change_pct: f64,
    /// The level before and after (medians).
    pub before: f64,
    /// The level after.
    pub after: f64,
}

/// A runner shift: most of the suite stepped at `run`.
#[derive(Debug, Serialize)]
pub struct ShiftMark {
    /// The first run after the step.
    pub run: usize,
    /// The last run before it.
    pub before_run: usize,
    /// Benchmark metrics that stepped, of those measured.
    pub benchmarks: usize,
    /// Benchmark metrics measured at that run.
    pub of: usize,
    /// Their median change, + meaning worse.
    pub change_pct: f64,
}

/// One run on the x axis.
#[derive(Debug, Serialize)]
pub struct RunInfo {
    /// Full commit sha, if known.
    pub sha: Option<String>,
    /// Date (RFC 3339 as recorded).
    pub date: Option<String>,
}

/// One benchmark metric over time.
#[derive(Debug, Serialize)]
pub struct Series {
    /// Benchmark id.
    pub id: String,
    /// Metric name.
    pub metric: String,
    /// Canonical unit.
    pub unit: String,
    /// `suite / group`, for grouping on the page.
    pub group: String,
    /// Whether higher is better.
    pub higher_is_better: bool,
    /// Run index of the first point.
    pub x0: usize,
    /// Run index of each point, when the points are not consecutive runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub x: Option<Vec<usize>>,
    #[serde(skip)]
    runs: Vec<usize>,
    /// Value of each point.
    pub y: Vec<f64>,
    /// Band low and high at each point (`null` before enough history).
    pub lo: Vec<Option<f64>>,
    /// Band high.
    pub hi: Vec<Option<f64>>,
    /// Tier of each point: 0 none, 1 notice, 2 warning, 3 critical.
    pub tier: Vec<u8>,
    /// The two levels a bimodal history alternates between, lower first (`bench-bot
    /// changes`' `bimodal_levels`); omitted otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bimodal: Option<[f64; 2]>,
}

/// A flagged point, and the flagged points of the same benchmark right after it.
#[derive(Debug, Serialize)]
pub struct Flag {
    /// Index into `series`.
    pub series: usize,
    /// Run index of the first flagged point.
    pub run: usize,
    /// `critical`, `warning` or `notice`: the highest of the points.
    pub tier: &'static str,
    /// Change of the first point in percent, natural sign.
    pub change_pct: Option<f64>,
    /// How many of the benchmark's points in a row are flagged from `run` on.
    pub points: usize,
    /// Run index of the last of them.
    pub last_run: usize,
    #[serde(skip)]
    level: u8,
}

/// Rounds to `digits` significant digits: the page draws, it does not audit.
fn round(v: f64, digits: i32) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let scale = 10f64.powi(digits - 1 - v.abs().log10().floor() as i32);
    (v * scale).round() / scale
}

/// Builds the series from runs in commit order.
pub fn build(runs: &[Run], config: &Config, repo_url: Option<String>) -> SiteData {
    let mut index: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut series: Vec<Series> = Vec::new();
    let mut raw: Vec<Vec<f64>> = Vec::new();
    let mut directions: Vec<(Metric, Direction, bool)> = Vec::new();
    for (ri, run) in runs.iter().enumerate() {
        for b in &run.benchmarks {
            for m in &b.measurements {
                if config.ignored(&b.id, &m.metric) {
                    continue;
                }
                // Throughput the tool computed from the time is the same measurement:
                // the time's chart shows it, and it is flagged once.
                if m.derived {
                    continue;
                }
                let key = (b.id.clone(), m.metric.to_string());
                let si = *index.entry(key).or_insert_with(|| {
                    let direction = config
                        .direction_for(&b.id, &m.metric)
                        .unwrap_or(m.direction);
                    let group = [run.meta.suite.as_deref(), b.group.as_deref()]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(" / ");
                    series.push(Series {
                        id: b.id.clone(),
                        metric: m.metric.to_string(),
                        unit: m.unit.clone(),
                        group: if group.is_empty() {
                            "benchmarks".into()
                        } else {
                            group
                        },
                        higher_is_better: direction == Direction::HigherIsBetter,
                        x0: ri,
                        x: None,
                        runs: Vec::new(),
                        y: Vec::new(),
                        lo: Vec::new(),
                        hi: Vec::new(),
                        tier: Vec::new(),
                        bimodal: None,
                    });
                    raw.push(Vec::new());
                    directions.push((m.metric.clone(), direction, m.deterministic));
                    series.len() - 1
                });
                // A benchmark measured twice in one run (merged shards) keeps the first.
                if series[si].runs.last() == Some(&ri) {
                    continue;
                }
                series[si].runs.push(ri);
                raw[si].push(m.value);
            }
        }
    }
    let report = find_changes(runs, config, None, String::new());
    // Each series' level changes, by the run of the first value at the new level.
    let mut level_changes: BTreeMap<(&str, String), Vec<usize>> = BTreeMap::new();
    let mut bimodal: BTreeMap<(&str, String), [f64; 2]> = BTreeMap::new();
    for b in &report.benchmarks {
        if let [low, high] = b.bimodal_levels[..] {
            bimodal.insert(
                (b.id.as_str(), b.metric.to_string()),
                [round(low, 5), round(high, 5)],
            );
        }
        for c in &b.changes {
            level_changes
                .entry((b.id.as_str(), b.metric.to_string()))
                .or_default()
                .push(c.first_after.index);
        }
    }
    let mut regressions: Vec<Flag> = Vec::new();
    for (si, s) in series.iter_mut().enumerate() {
        let values = &raw[si];
        s.bimodal = bimodal.get(&(s.id.as_str(), s.metric.clone())).copied();
        // The first point of each new level.
        let starts: Vec<usize> = level_changes
            .get(&(s.id.as_str(), s.metric.clone()))
            .into_iter()
            .flatten()
            .filter_map(|run| s.runs.binary_search(run).ok())
            .collect();
        let (metric, direction, deterministic) = &directions[si];
        let tiers = config.tiers_for(&s.id, metric);
        // A quantity that never went below zero (a time, a size, a rate) gets no band
        // below zero either.
        let floor = if values.iter().all(|v| *v >= 0.0) {
            0.0
        } else {
            f64::NEG_INFINITY
        };
        for (i, v) in values.iter().enumerate() {
            s.y.push(round(*v, 5));
            if i < config.min_history {
                s.lo.push(None);
                s.hi.push(None);
                s.tier.push(0);
                continue;
            }
            // As a report would judge it: against the newest level, when the level
            // changed inside the window (a change point with its three runs by then),
            // unless the window is a bimodal history (analyze's `since_change`).
            let from = i.saturating_sub(config.window);
            let window = &values[from..i];
            let levels = holding_levels(
                window,
                starts
                    .iter()
                    .filter(|j| **j > from && **j + MIN_AFTER <= i)
                    .map(|j| j - from)
                    .collect(),
                *v,
                config,
            );
            let window = Window {
                values: window,
                levels: &levels,
            };
            let (c, tier, status) = judge_history(
                window,
                *v,
                metric,
                *deterministic,
                *direction,
                config,
                tiers,
            );
            let sigma = c.spread.unwrap_or(0.0);
            s.lo.push(Some(round((c.centre - 3.0 * sigma).max(floor), 3)));
            s.hi.push(Some(round(c.centre + 3.0 * sigma, 3)));
            let level = match (status, tier) {
                (Status::Regression, TierLabel::Critical) => 3,
                (Status::Regression, TierLabel::Warning) => 2,
                (Status::Regression, TierLabel::Notice) => 1,
                _ => 0,
            };
            let follows = s.tier.last().is_some_and(|t| *t > 0);
            s.tier.push(level);
            if level == 0 {
                continue;
            }
            match regressions.last_mut() {
                Some(flag) if follows && flag.series == si => {
                    flag.points += 1;
                    flag.last_run = s.runs[i];
                    flag.level = flag.level.max(level);
                }
                _ => regressions.push(Flag {
                    series: si,
                    run: s.runs[i],
                    tier: "",
                    change_pct: c.value_change_pct.map(|p| round(p, 3)),
                    points: 1,
                    last_run: s.runs[i],
                    level,
                }),
            }
        }
    }
    for s in &mut series {
        let consecutive = s.runs.windows(2).all(|w| w[1] == w[0] + 1);
        if !consecutive {
            s.x = Some(std::mem::take(&mut s.runs));
        }
    }
    for flag in &mut regressions {
        flag.tier = ["", "notice", "warning", "critical"][usize::from(flag.level)];
    }
    regressions.sort_by(|a, b| b.run.cmp(&a.run).then(b.level.cmp(&a.level)));
    regressions.truncate(25);
    let (changes, shifts) = change_marks(&report, &index);
    SiteData {
        repo_url,
        runs: runs
            .iter()
            .map(|r| RunInfo {
                sha: r.meta.commit.clone(),
                date: r.meta.timestamp.clone(),
            })
            .collect(),
        series,
        regressions,
        changes,
        shifts,
    }
}

/// The change points of the history, mapped to the page's series.
fn change_marks(
    report: &ChangesReport,
    index: &BTreeMap<(String, String), usize>,
) -> (Vec<ChangeMark>, Vec<ShiftMark>) {
    let mut changes = Vec::new();
    for (s, c) in report.newest_first() {
        let Some(series) = index.get(&(s.id.clone(), s.metric.to_string())) else {
            continue;
        };
        changes.push(ChangeMark {
            series: *series,
            run: c.first_after.index,
            before_run: c.last_before.index,
            kind: c.kind.as_str(),
            tier: match (c.kind, c.tier) {
                (ChangeKind::Regression, t) => t.name().map_or("none", |n| n.as_str()),
                _ => "none",
            },
            change_pct: round(c.change_pct, 3),
            before: round(c.before.median, 5),
            after: round(c.after.median, 5),
        });
    }
    let shifts = report
        .runner_shifts
        .iter()
        .map(|s| ShiftMark {
            run: s.first_after.index,
            before_run: s.last_before.index,
            benchmarks: s.benchmarks,
            of: s.of,
            change_pct: round(s.change_pct, 3),
        })
        .collect();
    (changes, shifts)
}
