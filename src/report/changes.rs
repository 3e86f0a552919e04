//! The change-point report (schema `bench-bot/changes/v1`, docs/report.md) and its
//! text and markdown renderings.

use comfy_table::{Cell, CellAlignment, Table, presets::UTF8_FULL_CONDENSED};
use serde::{Deserialize, Serialize};

use super::{TierLabel, code_span, escape_markdown};
use crate::model::{Direction, Metric};
use crate::units::{fmt_pct, human};

/// The schema id of the change-point report.
pub const CHANGES_SCHEMA: &str = "bench-bot/changes/v1";

/// What `bench-bot changes` found in a history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangesReport {
    /// Always [`CHANGES_SCHEMA`].
    pub schema: String,
    /// Where the runs came from.
    pub source: String,
    /// Runs examined, oldest first.
    pub runs: usize,
    /// Only change points at or after this run are listed (`--since`), when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<HistoryRun>,
    /// The settings of the scan.
    pub settings: crate::config::Changes,
    /// Counts by kind.
    pub summary: ChangesSummary,
    /// Steps most benchmarks took at the same run: one event each, newest first.
    pub runner_shifts: Vec<RunnerShift>,
    /// Benchmarks with change points or two levels, by id and metric.
    pub benchmarks: Vec<SeriesChanges>,
    /// Problems that did not stop the scan (unreadable run files, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// How many change points of each kind were listed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChangesSummary {
    /// Benchmarks and metrics examined.
    pub series: usize,
    /// Change points to the worse.
    pub regressions: usize,
    /// Change points to the better.
    pub improvements: usize,
    /// Runner-shift events (each covers several benchmarks).
    pub runner_shifts: usize,
    /// Jumps between the known levels of a bimodal benchmark.
    pub mode_switches: usize,
}

/// A run, as a change point's bound.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryRun {
    /// The position of the run among the runs examined, from 0 (oldest).
    pub index: usize,
    /// The commit it measured, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// When it ran, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
}

/// A level of a benchmark between two change points.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Level {
    /// The median of the runs of the level, in the measurement's unit.
    pub median: f64,
    /// Their robust spread: 1.4826 × the MAD of the log values, in percent.
    pub spread_pct: f64,
    /// How many runs the level holds.
    pub runs: usize,
}

/// What kind of change a change point is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    /// The benchmark got worse and stayed there.
    Regression,
    /// The benchmark got better and stayed there.
    Improvement,
    /// Most of the suite stepped at the same run: the machine, not the code.
    RunnerShift,
    /// A jump between two levels the benchmark alternates between.
    ModeSwitch,
}

impl ChangeKind {
    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Regression => "regression",
            ChangeKind::Improvement => "improvement",
            ChangeKind::RunnerShift => "runner-shift",
            ChangeKind::ModeSwitch => "mode-switch",
        }
    }
}

/// One change point of one benchmark's metric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangePoint {
    /// Regression, improvement, runner shift or mode switch.
    pub kind: ChangeKind,
    /// The tier a regression of this size reaches (`none` for the other kinds).
    pub tier: TierLabel,
    /// The last run at the old level.
    pub last_before: HistoryRun,
    /// The first run at the new level.
    pub first_after: HistoryRun,
    /// The level before (from the previous change point).
    pub before: Level,
    /// The level after (to the next change point or the newest run).
    pub after: Level,
    /// Change of the level, in percent.
    pub change_pct: f64,
    /// The rank-sum p-value of the runs around the change point.
    pub p_value: f64,
    /// The index in `runner_shifts` of the event this change point belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runner_shift: Option<usize>,
}

/// The change points of one benchmark's metric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeriesChanges {
    /// The benchmark id.
    pub id: String,
    /// The metric.
    pub metric: Metric,
    /// Its unit.
    pub unit: String,
    /// Which way is better.
    pub direction: Direction,
    /// Runs that measured it.
    pub runs: usize,
    /// The two levels it alternates between, lower first, when its history is bimodal.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bimodal_levels: Vec<f64>,
    /// Its change points, oldest first.
    pub changes: Vec<ChangePoint>,
}

/// Most of a suite stepping at one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunnerShift {
    /// The last run before the step.
    pub last_before: HistoryRun,
    /// The first run after it.
    pub first_after: HistoryRun,
    /// Benchmark metrics that stepped.
    pub benchmarks: usize,
    /// Benchmark metrics measured at that run.
    pub of: usize,
    /// The median change of those that stepped, in percent (time-like: + is slower).
    pub change_pct: f64,
}

impl ChangesReport {
    /// Every change point with its benchmark, newest first.
    pub fn newest_first(&self) -> Vec<(&SeriesChanges, &ChangePoint)> {
        let mut all: Vec<_> = self
            .benchmarks
            .iter()
            .flat_map(|s| s.changes.iter().map(move |c| (s, c)))
            .collect();
        all.sort_by(|a, b| {
            b.1.first_after
                .index
                .cmp(&a.1.first_after.index)
                .then(a.0.id.cmp(&b.0.id))
        });
        all
    }
}

fn short(commit: Option<&str>) -> String {
    commit.map_or_else(|| "?".to_string(), |c| c[..c.len().min(8)].to_string())
}

fn range(before: &HistoryRun, after: &HistoryRun) -> String {
    if before.commit.is_none() && after.commit.is_none() {
        return format!("run {} → {}", before.index + 1, after.index + 1);
    }
    format!(
        "{}..{}",
        short(before.commit.as_deref()),
        short(after.commit.as_deref())
    )
}

fn levels(unit: &str, c: &ChangePoint) -> String {
    format!(
        "{} → {}",
        human(c.before.median, unit),
        human(c.after.median, unit)
    )
}

fn shift_sentence(s: &RunnerShift) -> String {
    format!(
        "the runner moved at {}: {} of {} benchmarks {} together",
        range(&s.last_before, &s.first_after),
        s.benchmarks,
        s.of,
        fmt_pct(s.change_pct)
    )
}

/// The most bimodal benchmarks the text and markdown reports name one by one.
const MAX_BIMODAL_LISTED: usize = 10;

/// The bimodal benchmarks, by id, metric and their two levels (at most
/// [`MAX_BIMODAL_LISTED`]), and how many more there are.
fn bimodal_listed(r: &ChangesReport) -> (Vec<(&str, &str, String)>, usize) {
    let bimodal: Vec<&SeriesChanges> = r
        .benchmarks
        .iter()
        .filter(|b| b.bimodal_levels.len() == 2)
        .collect();
    let listed = bimodal
        .iter()
        .take(MAX_BIMODAL_LISTED)
        .map(|b| {
            let levels = format!(
                "{} and {}",
                human(b.bimodal_levels[0], &b.unit),
                human(b.bimodal_levels[1], &b.unit)
            );
            (b.id.as_str(), b.metric.as_str(), levels)
        })
        .collect();
    (listed, bimodal.len().saturating_sub(MAX_BIMODAL_LISTED))
}

/// What a bimodal benchmark's line says after its levels.
const BIMODAL_MEANS: &str = "a jump between them is a mode switch, not a regression";

fn summary_line(r: &ChangesReport) -> String {
    let s = &r.summary;
    let n = |count: usize, one: &str| {
        if count == 1 {
            format!("1 {one}")
        } else if one.ends_with('h') {
            format!("{count} {one}es")
        } else {
            format!("{count} {one}s")
        }
    };
    format!(
        "{}, {}, {}, {} in {} of {}",
        n(s.regressions, "regression"),
        n(s.improvements, "improvement"),
        n(s.runner_shifts, "runner shift"),
        n(s.mode_switches, "mode switch"),
        n(r.runs, "run"),
        n(s.series, "benchmark metric")
    )
}

/// The report as a table for a terminal, newest change first.
pub fn changes_text(r: &ChangesReport) -> String {
    let mut out = String::new();
    for w in &r.warnings {
        out.push_str(&format!("warning: {w}\n"));
    }
    for s in &r.runner_shifts {
        out.push_str(&format!("{}\n", shift_sentence(s)));
    }
    let rows: Vec<_> = r
        .newest_first()
        .into_iter()
        .filter(|(_, c)| c.kind != ChangeKind::RunnerShift)
        .collect();
    if !rows.is_empty() {
        let mut table = Table::new();
        table.load_preset(UTF8_FULL_CONDENSED);
        table.set_header([
            "commits",
            "benchmark",
            "metric",
            "level",
            "change",
            "kind",
            "tier",
            "p",
        ]);
        for (s, c) in rows {
            table.add_row(vec![
                Cell::new(range(&c.last_before, &c.first_after)),
                Cell::new(&s.id),
                Cell::new(s.metric.as_str()),
                Cell::new(levels(&s.unit, c)),
                Cell::new(fmt_pct(c.change_pct)).set_alignment(CellAlignment::Right),
                Cell::new(c.kind.as_str()),
                Cell::new(tier_name(c.tier)),
                Cell::new(format!("{:.1e}", c.p_value)),
            ]);
        }
        out.push_str(&table.to_string());
        out.push('\n');
    }
    let (bimodal, more) = bimodal_listed(r);
    for (id, metric, levels) in &bimodal {
        out.push_str(&format!(
            "bimodal: {id} ({metric}) alternates between {levels}: {BIMODAL_MEANS}\n"
        ));
    }
    if more > 0 {
        out.push_str(&format!(
            "bimodal: {more} more (the JSON report lists them)\n"
        ));
    }
    out.push_str(&summary_line(r));
    out.push('\n');
    out
}

fn tier_name(t: TierLabel) -> &'static str {
    t.name().map_or("–", |n| n.as_str())
}

/// The report as markdown (a job summary or an issue body), newest change first.
pub fn changes_markdown(r: &ChangesReport) -> String {
    let mut out = String::from("### Change points\n\n");
    for s in &r.runner_shifts {
        out.push_str(&format!("- **Runner shift:** {}\n", shift_sentence(s)));
    }
    if !r.runner_shifts.is_empty() {
        out.push('\n');
    }
    let rows: Vec<_> = r
        .newest_first()
        .into_iter()
        .filter(|(_, c)| c.kind != ChangeKind::RunnerShift)
        .collect();
    if !rows.is_empty() {
        out.push_str("| commits | benchmark | metric | level | change | kind | tier |\n");
        out.push_str("|---|---|---|---|--:|---|---|\n");
        for (s, c) in rows {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} |\n",
                escape_markdown(&range(&c.last_before, &c.first_after)),
                code_span(&s.id),
                escape_markdown(s.metric.as_str()),
                escape_markdown(&levels(&s.unit, c)),
                escape_markdown(&fmt_pct(c.change_pct)),
                c.kind.as_str(),
                tier_name(c.tier)
            ));
        }
        out.push('\n');
    }
    let (bimodal, more) = bimodal_listed(r);
    for (id, metric, levels) in &bimodal {
        out.push_str(&format!(
            "- **Bimodal:** {} ({}) alternates between {}: {BIMODAL_MEANS}.\n",
            code_span(id),
            escape_markdown(metric),
            escape_markdown(levels)
        ));
    }
    if more > 0 {
        out.push_str(&format!(
            "- **Bimodal:** {more} more (the JSON report lists them).\n"
        ));
    }
    if !bimodal.is_empty() {
        out.push('\n');
    }
    for w in &r.warnings {
        out.push_str(&format!("> warning: {}\n", escape_markdown(w)));
    }
    out.push_str(&format!("{}.\n", summary_line(r)));
    out
}
