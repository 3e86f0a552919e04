//! `bench-bot.toml`: the tiers, the statistics' knobs and per-benchmark overrides.
//!
//! This file holds the resolved [`Config`] that the rest of bench-bot reads (`tiers.rs`
//! its tiers); `raw.rs` reads the file into a mirror where every field is optional and
//! spanned, so that an invalid value is reported with its key and line, and resolves it
//! over the defaults (docs/configuration.md).

mod raw;
mod tiers;

pub use tiers::{Action, Tier, TierName, Tiers};

use std::path::{Path, PathBuf};

use globset::GlobMatcher;
use serde::Deserialize;

use crate::error::{Error, Result};
use crate::model::{Direction, Metric, Run};

/// Where the config is looked up when `--config` is not given, in order.
pub const CONFIG_LOCATIONS: [&str; 2] = [".github/bench-bot.toml", "bench-bot.toml"];

/// How p-values are adjusted across one report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Correction {
    /// Benjamini–Hochberg (false discovery rate).
    Bh,
    /// No adjustment.
    None,
}

/// Which clock a format that records both is compared on (Google Benchmark).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Clock {
    /// Wall-clock time (`real_time`): what a user waits for.
    #[default]
    Real,
    /// CPU time of the benchmark's thread (`cpu_time`): blind to waiting and to other
    /// processes taking the CPU.
    Cpu,
}

/// How the history's run-to-run noise is estimated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoiseEstimator {
    /// Standard deviation of the window after outliers are screened out.
    Sd,
    /// 1.4826 × the median absolute deviation.
    Mad,
}

/// Which distribution turns a history z into a p-value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Prediction {
    /// Student's t with n − 1 degrees of freedom: accounts for a sigma estimated from n runs.
    Student,
    /// The normal distribution: the plain 3-sigma rule.
    Normal,
}

/// A gate level for `--fail-on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum FailOn {
    /// Exit 1 on a critical regression.
    Critical,
    /// Exit 1 on a warning or worse.
    Warning,
    /// Exit 1 on any regression.
    Notice,
    /// Never exit 1.
    Never,
}

/// A per-benchmark override, matched by glob on the benchmark id.
#[derive(Debug, Clone)]
pub struct Override {
    /// The glob as written.
    pub pattern: String,
    matcher: GlobMatcher,
    /// Only this metric, when set.
    pub metric: Option<Metric>,
    /// The line of the override's `match` in the file.
    pub line: usize,
    /// Leave matching benchmarks out of the report.
    pub ignore: bool,
    /// Direction for matching measurements (custom metrics).
    pub direction: Option<Direction>,
    /// Tiers for matching benchmarks.
    pub tiers: Option<Tiers>,
}

impl Override {
    /// Whether the override applies to `id`. A pattern matches the whole id or the id
    /// with leading `/`-separated segments removed, so `test_io.py::*` matches
    /// `tests/test_io.py::test_read`.
    pub fn matches(&self, id: &str, metric: &Metric) -> bool {
        if self.metric.as_ref().is_some_and(|m| m != metric) {
            return false;
        }
        if self.matcher.is_match(id) {
            return true;
        }
        id.match_indices('/')
            .any(|(i, _)| self.matcher.is_match(&id[i + 1..]))
    }
}

/// Change-point detection over the history (`bench-bot changes`, `[changes]`).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, Deserialize)]
pub struct Changes {
    /// Runs on each side of a candidate change point, at most.
    pub window: usize,
    /// The largest rank-sum p-value that confirms a change point.
    pub p_value: f64,
    /// The smallest change of a benchmark's level, in percent.
    pub min_change_pct: f64,
}

impl Default for Changes {
    fn default() -> Self {
        Changes {
            window: 45,
            p_value: 0.001,
            min_change_pct: 5.0,
        }
    }
}

/// The resolved configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Baseline runs needed before the history rule replaces Welch's test.
    pub min_history: usize,
    /// The most recent runs used as the history window.
    pub window: usize,
    /// Coefficient of variation of the history above which a benchmark is `noisy`.
    pub noise_cv: f64,
    /// Floor of the history's sigma, in percent of its centre.
    pub sigma_floor_pct: f64,
    /// History values further than this many robust sigmas from the median are outliers.
    pub outlier_sigmas: f64,
    /// The run-to-run noise assumed for one benchmark's estimate, in percent, when only
    /// one baseline run is known (one run cannot show it); 0 turns it off.
    pub run_noise_pct: f64,
    /// Whether a one-baseline report reads the run-to-run noise from the spread of its
    /// suite's changes when that is larger than `run_noise_pct`.
    pub suite_noise: bool,
    /// Whether "nothing compared" (no baseline) is an error (exit 2) instead of a pass.
    pub require_baseline: bool,
    /// How the history's noise is estimated.
    pub noise: NoiseEstimator,
    /// How a history z becomes a p-value.
    pub prediction: Prediction,
    /// Multiple-comparison adjustment.
    pub multiple_comparisons: Correction,
    /// Overrides the tiers' actions for the exit code.
    pub fail_on: Option<FailOn>,
    /// Largest input file read, in bytes.
    pub max_input_size: u64,
    /// The clock of Google Benchmark results.
    pub google_benchmark_time: Clock,
    /// Runs kept per source branch in the history branch.
    pub max_runs: usize,
    /// The default tiers.
    pub tiers: Tiers,
    /// Change-point detection.
    pub changes: Changes,
    /// Per-benchmark overrides, in file order; later ones win.
    pub overrides: Vec<Override>,
    /// Where the config came from, if a file.
    pub source: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            min_history: 5,
            window: 30,
            noise_cv: 0.10,
            sigma_floor_pct: 0.5,
            outlier_sigmas: 5.0,
            run_noise_pct: 5.0,
            suite_noise: true,
            require_baseline: false,
            noise: NoiseEstimator::Sd,
            prediction: Prediction::Student,
            multiple_comparisons: Correction::Bh,
            fail_on: None,
            max_input_size: crate::fs::DEFAULT_MAX_INPUT_SIZE,
            google_benchmark_time: Clock::Real,
            max_runs: 1000,
            tiers: Tiers::default(),
            changes: Changes::default(),
            overrides: Vec::new(),
            source: None,
        }
    }
}

impl Config {
    /// The tiers that apply to one benchmark's metric.
    pub fn tiers_for(&self, id: &str, metric: &Metric) -> &Tiers {
        self.overrides
            .iter()
            .rev()
            .filter(|o| o.matches(id, metric))
            .find_map(|o| o.tiers.as_ref())
            .unwrap_or(&self.tiers)
    }

    /// Whether a benchmark is ignored.
    pub fn ignored(&self, id: &str, metric: &Metric) -> bool {
        self.overrides
            .iter()
            .rev()
            .find(|o| o.matches(id, metric))
            .is_some_and(|o| o.ignore)
    }

    /// The configured direction for a benchmark's metric, if any.
    pub fn direction_for(&self, id: &str, metric: &Metric) -> Option<Direction> {
        self.overrides
            .iter()
            .rev()
            .filter(|o| o.matches(id, metric))
            .find_map(|o| o.direction)
    }

    /// Checks that every override's `metric` names a metric the run has: a typo
    /// (`thruput`) would otherwise match nothing, silently.
    pub fn check_override_metrics(&self, run: &Run) -> Result<()> {
        if self.overrides.iter().all(|o| o.metric.is_none()) {
            return Ok(());
        }
        let known: std::collections::BTreeSet<&str> = run
            .benchmarks
            .iter()
            .flat_map(|b| b.measurements.iter().map(|m| m.metric.as_str()))
            .collect();
        for (i, o) in self.overrides.iter().enumerate() {
            let Some(metric) = &o.metric else { continue };
            if known.contains(metric.as_str()) {
                continue;
            }
            return Err(Error::Config {
                path: self
                    .source
                    .clone()
                    .unwrap_or_else(|| PathBuf::from("bench-bot.toml")),
                message: format!(
                    "`override[{i}].metric` = \"{metric}\" (line {}): no benchmark of this run \
                     has that metric; it has {}",
                    o.line,
                    known
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
        Ok(())
    }

    /// Loads `--config`, else the first of `CONFIG_LOCATIONS` that exists, else defaults.
    pub fn discover(explicit: Option<&Path>) -> Result<Config> {
        if let Some(path) = explicit {
            return Config::load(path);
        }
        for candidate in CONFIG_LOCATIONS {
            let p = Path::new(candidate);
            if p.is_file() {
                return Config::load(p);
            }
        }
        Ok(Config::default())
    }

    /// Loads and validates a config file.
    pub fn load(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Config {
            path: path.to_path_buf(),
            message: crate::fs::io_reason(&e),
        })?;
        let mut config = Config::parse(&text).map_err(|message| Error::Config {
            path: path.to_path_buf(),
            message,
        })?;
        config.source = Some(path.to_path_buf());
        Ok(config)
    }

    /// Parses config text; the error names the key and line.
    pub fn parse(text: &str) -> Result<Config, String> {
        raw::parse(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_design_table() {
        let c = Config::parse("").expect("empty is fine");
        assert_eq!(
            (c.tiers.critical.time, c.tiers.critical.throughput),
            (20.0, 15.0)
        );
        assert_eq!(
            (c.tiers.warning.time, c.tiers.warning.throughput),
            (10.0, 5.0)
        );
        assert_eq!((c.tiers.notice.time, c.tiers.notice.throughput), (5.0, 2.0));
        assert_eq!(c.tiers.critical.action, Action::Block);
        assert_eq!((c.min_history, c.window), (5, 30));
    }

    #[test]
    fn partial_tiers_and_overrides() {
        let c = Config::parse(
            r#"
            multiple_comparisons = "none"
            [tiers.critical]
            time = 30
            deterministic = 3
            [[override]]
            match = "test_io.py::*"
            ignore = true
            [[override]]
            match = "parse/*"
            tiers.critical.throughput = 40
            "#,
        )
        .expect("valid");
        assert_eq!(
            (c.tiers.critical.time, c.tiers.critical.throughput),
            (30.0, 15.0)
        );
        assert_eq!(
            (
                c.tiers.critical.deterministic,
                c.tiers.warning.deterministic
            ),
            (3.0, 2.0)
        );
        assert!(c.ignored("tests/test_io.py::test_read", &Metric::Time));
        assert!(!c.ignored("tests/test_cpu.py::test_read", &Metric::Time));
        let t = c.tiers_for("parse/json", &Metric::Throughput);
        assert_eq!((t.critical.throughput, t.critical.time), (40.0, 30.0));
    }

    #[test]
    fn invalid_values_name_key_and_line() {
        let e = Config::parse("window = 5\n[tiers.warning]\ntime = -5\n").unwrap_err();
        assert!(e.contains("`tiers.warning.time` = -5 (line 3)"), "{e}");
        let e = Config::parse("[tiers.notice]\ndeterministic = -1\n").unwrap_err();
        assert!(
            e.contains("`tiers.notice.deterministic` = -1 (line 2)"),
            "{e}"
        );
        let e = Config::parse("[tiers.critical]\nsigma = 0\n").unwrap_err();
        assert!(e.contains("`tiers.critical.sigma` = 0 (line 2)"), "{e}");
        let e = Config::parse("window = 0").unwrap_err();
        assert!(e.contains("`window` = 0 (line 1)"), "{e}");
        let e = Config::parse("windw = 3").unwrap_err();
        assert!(
            e.contains("unknown field `windw`") && e.contains("line 1"),
            "{e}"
        );
        let e = Config::parse("[[override]]\nmatch = \"a[\"\n").unwrap_err();
        assert!(e.contains("invalid glob"), "{e}");
    }
}
