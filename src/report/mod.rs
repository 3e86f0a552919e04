//! The report: the analysis' result as data (schema `bench-bot/report/v1`), and its
//! renderings (terminal table, JSON, markdown templates).

mod basis;
mod changes;
mod charts;
mod escape;
mod render;
mod saved;
mod terminal;

use serde::{Deserialize, Serialize};

pub use basis::basis;
pub use changes::{
    CHANGES_SCHEMA, ChangeKind, ChangePoint, ChangesReport, ChangesSummary, HistoryRun, Level,
    RunnerShift, SeriesChanges, changes_markdown, changes_text,
};
pub use escape::{code_span, cut_chars, escape_markdown};
pub use render::{GITHUB_COMMENT_LIMIT, RenderContext, Renderer, TemplateKind};
pub use saved::{SAVED_REPORT_LIMIT, load_saved};
pub use terminal::{ColorChoice, terminal_table};

use crate::config::{FailOn, TierName};
use crate::model::{Direction, Estimator};

/// The JSON schema id of reports.
pub const SCHEMA: &str = "bench-bot/report/v1";

/// The overall verdict: the most severe tier that fired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// A critical regression.
    Critical,
    /// A warning.
    Warning,
    /// A notice.
    Notice,
    /// Nothing fired.
    Pass,
    /// Nothing was compared (no baseline, or no benchmark in both runs): no verdict.
    Unknown,
}

/// A result's tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TierLabel {
    /// The critical tier fired (blocks by default).
    Critical,
    /// The warning tier fired (review by default).
    Warning,
    /// The notice tier fired (logged by default).
    Notice,
    /// No tier fired.
    None,
}

impl TierLabel {
    /// The tier's name, `None` for no tier.
    pub fn name(self) -> Option<TierName> {
        match self {
            TierLabel::Critical => Some(TierName::Critical),
            TierLabel::Warning => Some(TierName::Warning),
            TierLabel::Notice => Some(TierName::Notice),
            TierLabel::None => None,
        }
    }
}

impl From<TierName> for TierLabel {
    fn from(t: TierName) -> Self {
        match t {
            TierName::Critical => TierLabel::Critical,
            TierName::Warning => TierLabel::Warning,
            TierName::Notice => TierLabel::Notice,
        }
    }
}

/// A result's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Worse, and a tier fired.
    Regression,
    /// Significantly better.
    Improvement,
    /// No change worth reporting.
    Unchanged,
    /// Only in the current run.
    New,
    /// Only in the baseline.
    Missing,
    /// Too noisy, or not significant, to decide.
    Noisy,
}

/// Counts of benchmarks per outcome: each benchmark counts once, by its most severe
/// compared metric; new and missing count benchmarks none of whose metrics compared.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Benchmarks with at least one metric in both runs.
    pub compared: usize,
    /// Critical regressions.
    pub critical: usize,
    /// Regressions at the warning tier.
    pub warning: usize,
    /// Regressions at the notice tier.
    pub notice: usize,
    /// Significant changes in the better direction.
    pub improvements: usize,
    /// Only in the current run.
    pub new: usize,
    /// Only in the baseline.
    pub missing: usize,
    /// Too noisy to decide.
    pub noisy: usize,
    /// Left out by an `ignore` override.
    #[serde(default)]
    pub ignored: usize,
}

/// The baseline side of a result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BaselineSide {
    /// The centre: the baseline run's estimate, or the median of the history window.
    pub value: f64,
    /// Spread: one run's std dev, or the history's robust sigma.
    pub stddev: Option<f64>,
    /// Samples behind one run's estimate.
    pub n: Option<u64>,
    /// Baseline runs that contributed.
    pub runs: usize,
    /// The window's values, oldest first (history comparisons only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<f64>,
    /// The benchmark's level changed inside the window: the run is judged against the
    /// new level, the window's earlier runs moved to it for the noise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since_change: Option<LevelChange>,
}

/// A change of a benchmark's level inside the baseline window (a change point, as
/// `bench-bot changes` finds them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LevelChange {
    /// The commit of the first run at the new level, when the run names one.
    pub commit: Option<String>,
    /// The change of the level's median, in percent, with its natural sign.
    pub change_pct: f64,
    /// The window's runs before the change.
    pub runs_before: usize,
}

/// The current side of a result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CurrentSide {
    /// The current run's estimate.
    pub value: f64,
    /// Its std dev, when known.
    pub stddev: Option<f64>,
    /// Its sample count, when known.
    pub n: Option<u64>,
}

/// How a result was judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Median and robust sigma of a history window (the 3-sigma rule).
    History,
    /// Welch's t-test between two runs' summaries.
    Welch,
    /// Two runs, against their sampling error plus the assumed run-to-run noise
    /// (`run_noise_pct`), which one baseline run cannot show.
    RunNoise,
    /// Percentage only: the inputs carry no spread or sample count.
    Percentage,
    /// Same-runner A/B (`bench-bot ab`): the per-round ratios of head to base, their
    /// Hodges–Lehmann centre, and the exact Wilcoxon signed-rank and sign tests.
    Paired,
    /// Not compared (new or missing).
    None,
}

/// Which side of a two-run comparison had two modes in its samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bimodal {
    /// Both runs: compared mode to mode (the better mode of each).
    Both,
    /// Only the baseline run: its larger mode is compared; cannot block.
    Baseline,
    /// Only the current run: its larger mode is compared; cannot block.
    Current,
    /// The baseline history alternates between two levels: the run is compared with
    /// the level nearest to it.
    History,
}

/// The other measurement of the same quantity, computed by the tool from the row's
/// (criterion's throughput from its time): shown beside it, judged with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Paired {
    /// Its metric name.
    pub metric: String,
    /// Its canonical unit.
    pub unit: String,
    /// The baseline's value (`null` for new benchmarks).
    pub baseline: Option<f64>,
    /// The current value (`null` for missing benchmarks).
    pub current: Option<f64>,
    /// Its change in percent, natural sign.
    pub value_change_pct: Option<f64>,
}

/// One benchmark metric's comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultRow {
    /// Benchmark id.
    pub id: String,
    /// The group, when the tool has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Metric name.
    pub metric: String,
    /// Canonical unit.
    pub unit: String,
    /// Which way is better.
    pub direction: Direction,
    /// Baseline side (`null` for new benchmarks).
    pub baseline: Option<BaselineSide>,
    /// Current side (`null` for missing benchmarks).
    pub current: Option<CurrentSide>,
    /// Change in percent, oriented so that positive is worse.
    pub change_pct: Option<f64>,
    /// Change of the value in percent, with its natural sign.
    pub value_change_pct: Option<f64>,
    /// Oriented change in sigmas (history) or Welch's t (two runs).
    pub z: Option<f64>,
    /// One-sided p-value that the change is noise.
    pub p_value: Option<f64>,
    /// p-value adjusted for multiple comparisons.
    pub p_adjusted: Option<f64>,
    /// Smallest worsening, in percent, that the gating tier's sigma could flag.
    pub detectable_pct: Option<f64>,
    /// The tier that fired.
    pub tier: TierLabel,
    /// The outcome.
    pub status: Status,
    /// How it was judged.
    pub method: Method,
    /// The statistic of each run compared (`median`, `mean`, `min`, `value`), when
    /// the input says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimator: Option<Estimator>,
    /// Which run's samples had two modes, when one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bimodal: Option<Bimodal>,
    /// A deterministic count (allocations, bytes allocated per operation): judged by
    /// percentage alone against the tiers' `deterministic` thresholds.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deterministic: bool,
    /// Measurements derived from this one (throughput from time), judged with it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paired: Vec<Paired>,
    /// Same-runner A/B: the rounds that measured both sides.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rounds: Option<usize>,
    /// Same-runner A/B: the 95 % confidence interval of `value_change_pct` (omitted
    /// when too few rounds give one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval_pct: Option<[f64; 2]>,
    /// One human sentence.
    pub reason: String,
}

/// One run the report compared against.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRef {
    /// Commit, when known.
    pub commit: Option<String>,
    /// Branch, when known.
    pub branch: Option<String>,
    /// Timestamp, when known.
    pub timestamp: Option<String>,
    /// Files it was read from.
    pub sources: Vec<String>,
}

/// What the report compared against.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BaselineInfo {
    /// Number of baseline runs given.
    pub runs: usize,
    /// How they were chosen, in words.
    pub description: String,
    /// The runs, oldest first.
    pub refs: Vec<RunRef>,
    /// The run-to-run noise the two-run comparisons were judged against (omitted when
    /// no comparison was a two-run one, or with `run_noise_pct = 0`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_noise: Option<RunNoise>,
}

/// The run-to-run noise of one-baseline comparisons: assumed, or read from the spread
/// of the suite's own changes when that is larger.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RunNoise {
    /// The noise of one run's estimate, in percent, that each change was judged against.
    pub pct: f64,
    /// Where `pct` comes from.
    pub source: RunNoiseSource,
    /// The suite's own spread per run, in percent, when enough benchmarks gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suite_pct: Option<f64>,
    /// How many time measurements the suite's spread was read from (0: none).
    pub benchmarks: usize,
}

/// Where the run-to-run noise of one-baseline comparisons comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunNoiseSource {
    /// `run_noise_pct`, the configured assumption.
    Assumed,
    /// The spread of the suite's changes, larger than the assumption.
    Suite,
}

/// The settings that shaped the verdict, for footers and audits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// Tier thresholds.
    pub tiers: serde_json::Value,
    /// `bh` or `none`.
    pub multiple_comparisons: String,
    /// Runs needed for the history rule.
    pub min_history: usize,
    /// History window.
    pub window: usize,
    /// The exit-code gate in force.
    pub fail_on: Option<FailOn>,
    /// The run-to-run noise assumed for two-run comparisons, in percent.
    #[serde(default)]
    pub run_noise_pct: f64,
    /// Whether a report that compared nothing is an error.
    #[serde(default)]
    pub require_baseline: bool,
    /// The config file, if any.
    pub config: Option<String>,
}

/// A full report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Always `bench-bot/report/v1`.
    pub schema: String,
    /// The most severe tier that fired.
    pub verdict: Verdict,
    /// Whether the gate blocks (exit code 1).
    pub blocked: bool,
    /// How many results fell in each status and tier.
    pub summary: Summary,
    /// Results, most severe first.
    pub results: Vec<ResultRow>,
    /// The run under test.
    pub current: RunRef,
    /// What it was compared against.
    pub baseline: BaselineInfo,
    /// Things the reader must see first (no baseline, a runner change, …).
    pub notes: Vec<String>,
    /// Inputs skipped or assumed on the way.
    pub warnings: Vec<String>,
    /// Settings in force.
    pub settings: Settings,
    /// bench-bot's version.
    pub version: String,
}
