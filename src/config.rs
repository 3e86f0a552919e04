//! `bench-bot.toml`: the tiers, the statistics' knobs and per-benchmark overrides.
//!
//! The file is read into a mirror where every field is optional and spanned, so that
//! an invalid value is reported with its key and line, then resolved over the
//! defaults of DESIGN.md into a `Config`.

use std::path::{Path, PathBuf};

use globset::{Glob, GlobMatcher};
use serde::Deserialize;
use toml::Spanned;

use crate::error::{Error, Result};
use crate::model::{Direction, Metric};

/// Where the config is looked up when `--config` is not given, in order.
pub const CONFIG_LOCATIONS: [&str; 2] = [".github/bench-bot.toml", "bench-bot.toml"];

/// What a tier does when it fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// A failing check and exit code 1.
    Block,
    /// A label and a neutral check; exit code 0.
    Review,
    /// Shown in the report only.
    Log,
}

/// The tiers, most severe first.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum TierName {
    /// The most severe tier.
    Critical,
    /// The middle tier.
    Warning,
    /// The least severe tier.
    Notice,
}

impl TierName {
    /// All tiers, most severe first.
    pub const ALL: [TierName; 3] = [TierName::Critical, TierName::Warning, TierName::Notice];

    /// The tier's name.
    pub fn as_str(self) -> &'static str {
        match self {
            TierName::Critical => "critical",
            TierName::Warning => "warning",
            TierName::Notice => "notice",
        }
    }
}

/// One tier's thresholds.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Tier {
    /// Percentage increase of time that fires the tier.
    pub time: f64,
    /// Percentage increase of memory.
    pub memory: f64,
    /// Percentage decrease of throughput.
    pub throughput: f64,
    /// Percentage change in the worse direction of a custom metric.
    pub custom: f64,
    /// Significance required, in standard deviations (3 ≙ one-sided p ≤ 0.00135).
    pub sigma: f64,
    /// What the tier does.
    pub action: Action,
    /// When false, the percentage alone fires the tier.
    pub require_significance: bool,
}

impl Tier {
    /// The percentage threshold for a metric.
    pub fn pct(&self, metric: &Metric) -> f64 {
        match metric {
            Metric::Time => self.time,
            Metric::Memory => self.memory,
            Metric::Throughput => self.throughput,
            Metric::Custom(_) => self.custom,
        }
    }

    fn default_for(name: TierName) -> Tier {
        let (time, throughput, action) = match name {
            TierName::Critical => (20.0, 15.0, Action::Block),
            TierName::Warning => (10.0, 5.0, Action::Review),
            TierName::Notice => (5.0, 2.0, Action::Log),
        };
        Tier {
            time,
            memory: time,
            throughput,
            custom: time,
            sigma: 3.0,
            action,
            require_significance: true,
        }
    }
}

/// The three tiers.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Tiers {
    /// Critical.
    pub critical: Tier,
    /// Warning.
    pub warning: Tier,
    /// Notice.
    pub notice: Tier,
}

impl Tiers {
    /// A tier by name.
    pub fn get(&self, name: TierName) -> &Tier {
        match name {
            TierName::Critical => &self.critical,
            TierName::Warning => &self.warning,
            TierName::Notice => &self.notice,
        }
    }

    fn get_mut(&mut self, name: TierName) -> &mut Tier {
        match name {
            TierName::Critical => &mut self.critical,
            TierName::Warning => &mut self.warning,
            TierName::Notice => &mut self.notice,
        }
    }
}

impl Default for Tiers {
    fn default() -> Self {
        Tiers {
            critical: Tier::default_for(TierName::Critical),
            warning: Tier::default_for(TierName::Warning),
            notice: Tier::default_for(TierName::Notice),
        }
    }
}

/// How p-values are adjusted across one report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Correction {
    /// Benjamini–Hochberg (false discovery rate).
    Bh,
    /// No adjustment.
    None,
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
    /// Runs kept per source branch in the history branch.
    pub max_runs: usize,
    /// The default tiers.
    pub tiers: Tiers,
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
            noise: NoiseEstimator::Sd,
            prediction: Prediction::Student,
            multiple_comparisons: Correction::Bh,
            fail_on: None,
            max_input_size: crate::ingest::DEFAULT_MAX_INPUT_SIZE,
            max_runs: 1000,
            tiers: Tiers::default(),
            overrides: Vec::new(),
            source: None,
        }
    }
}

impl Config {
    /// How to read inputs under this config (`format` forces a format).
    pub fn load_options(
        &self,
        format: Option<crate::ingest::Format>,
    ) -> crate::ingest::LoadOptions {
        crate::ingest::LoadOptions {
            format,
            max_input_size: self.max_input_size,
        }
    }

    /// How to record runs under this config.
    pub fn record_options(&self) -> crate::history::RecordOptions {
        crate::history::RecordOptions {
            max_runs: self.max_runs,
            ..crate::history::RecordOptions::default()
        }
    }

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
            message: crate::ingest::io_reason(&e),
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
        let raw: RawConfig = toml::from_str(text).map_err(|e| toml_error(text, &e))?;
        raw.resolve(text)
    }
}

/// toml's own message spans several lines with a drawing; bench-bot says it in one.
fn toml_error(text: &str, e: &toml::de::Error) -> String {
    let message = e.message().trim().replace('\n', "; ");
    match e.span() {
        Some(span) => {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
            format!("line {line}, column {column}: {message}")
        }
        None => message,
    }
}

/// The file's shape: everything optional, unknown keys refused.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    min_history: Option<Spanned<i64>>,
    window: Option<Spanned<i64>>,
    noise_cv: Option<Spanned<f64>>,
    sigma_floor_pct: Option<Spanned<f64>>,
    outlier_sigmas: Option<Spanned<f64>>,
    noise: Option<NoiseEstimator>,
    prediction: Option<Prediction>,
    multiple_comparisons: Option<Correction>,
    fail_on: Option<FailOn>,
    max_input_size: Option<Spanned<i64>>,
    max_runs: Option<Spanned<i64>>,
    tiers: Option<RawTiers>,
    #[serde(rename = "override", default)]
    overrides: Vec<RawOverride>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTiers {
    critical: Option<RawTier>,
    warning: Option<RawTier>,
    notice: Option<RawTier>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTier {
    time: Option<Spanned<f64>>,
    memory: Option<Spanned<f64>>,
    throughput: Option<Spanned<f64>>,
    custom: Option<Spanned<f64>>,
    sigma: Option<Spanned<f64>>,
    action: Option<Action>,
    require_significance: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOverride {
    #[serde(rename = "match")]
    pattern: Spanned<String>,
    metric: Option<String>,
    #[serde(default)]
    ignore: bool,
    direction: Option<Direction>,
    tiers: Option<RawTiers>,
}

/// Checks spanned numbers and reports "`key` = value (line N): problem".
struct Validator<'a> {
    text: &'a str,
}

impl Validator<'_> {
    fn line(&self, span: std::ops::Range<usize>) -> usize {
        self.text[..span.start.min(self.text.len())]
            .matches('\n')
            .count()
            + 1
    }

    fn check<T: Copy + PartialOrd + std::fmt::Display>(
        &self,
        key: &str,
        v: &Spanned<T>,
        ok: impl Fn(T) -> bool,
        need: &str,
    ) -> Result<T, String> {
        let value = *v.get_ref();
        if ok(value) {
            Ok(value)
        } else {
            Err(format!(
                "`{key}` = {value} (line {}): {need}",
                self.line(v.span())
            ))
        }
    }
}

impl RawConfig {
    fn resolve(self, text: &str) -> Result<Config, String> {
        let v = Validator { text };
        let mut c = Config::default();
        if let Some(x) = &self.min_history {
            c.min_history = v.check("min_history", x, |x| x >= 2, "must be at least 2")? as usize;
        }
        if let Some(x) = &self.window {
            c.window = v.check("window", x, |x| x >= 1, "must be at least 1")? as usize;
        }
        if let Some(x) = &self.noise_cv {
            c.noise_cv = v.check(
                "noise_cv",
                x,
                |x| x > 0.0 && x.is_finite(),
                "must be a positive fraction (0.25 = 25 %)",
            )?;
        }
        if let Some(x) = &self.sigma_floor_pct {
            c.sigma_floor_pct = v.check(
                "sigma_floor_pct",
                x,
                |x| x > 0.0 && x.is_finite(),
                "must be positive",
            )?;
        }
        if let Some(x) = &self.outlier_sigmas {
            c.outlier_sigmas = v.check(
                "outlier_sigmas",
                x,
                |x| x > 0.0 && x.is_finite(),
                "must be positive",
            )?;
        }
        if let Some(x) = &self.max_input_size {
            c.max_input_size = v.check(
                "max_input_size",
                x,
                |x| x > 0,
                "must be a positive number of bytes",
            )? as u64;
        }
        if let Some(x) = &self.max_runs {
            c.max_runs = v.check("max_runs", x, |x| x >= 1, "must be at least 1")? as usize;
        }
        if let Some(n) = self.noise {
            c.noise = n;
        }
        if let Some(p) = self.prediction {
            c.prediction = p;
        }
        if let Some(m) = self.multiple_comparisons {
            c.multiple_comparisons = m;
        }
        c.fail_on = self.fail_on;
        if let Some(t) = &self.tiers {
            t.apply(&v, "tiers", &mut c.tiers)?;
        }
        for (i, o) in self.overrides.into_iter().enumerate() {
            let glob = Glob::new(o.pattern.get_ref()).map_err(|e| {
                format!(
                    "`override[{i}].match` (line {}): invalid glob: {e}",
                    v.line(o.pattern.span())
                )
            })?;
            let tiers = match &o.tiers {
                Some(t) => {
                    let mut tiers = c.tiers.clone();
                    t.apply(&v, &format!("override[{i}].tiers"), &mut tiers)?;
                    Some(tiers)
                }
                None => None,
            };
            c.overrides.push(Override {
                pattern: o.pattern.get_ref().clone(),
                matcher: glob.compile_matcher(),
                metric: o.metric.as_deref().map(Metric::from_name),
                ignore: o.ignore,
                direction: o.direction,
                tiers,
            });
        }
        Ok(c)
    }
}

impl RawTiers {
    fn apply(&self, v: &Validator<'_>, prefix: &str, tiers: &mut Tiers) -> Result<(), String> {
        for (name, raw) in [
            (TierName::Critical, &self.critical),
            (TierName::Warning, &self.warning),
            (TierName::Notice, &self.notice),
        ] {
            let Some(raw) = raw else { continue };
            let tier = tiers.get_mut(name);
            let key = |k: &str| format!("{prefix}.{}.{k}", name.as_str());
            let pct = |x: f64| x >= 0.0 && x.is_finite();
            for (k, field, slot) in [
                ("time", &raw.time, &mut tier.time),
                ("memory", &raw.memory, &mut tier.memory),
                ("throughput", &raw.throughput, &mut tier.throughput),
                ("custom", &raw.custom, &mut tier.custom),
            ] {
                if let Some(x) = field {
                    *slot = v.check(&key(k), x, pct, "a percentage must be 0 or more")?;
                }
            }
            if let Some(x) = &raw.sigma {
                tier.sigma = v.check(
                    &key("sigma"),
                    x,
                    |x| x > 0.0 && x.is_finite(),
                    "must be greater than 0",
                )?;
            }
            if let Some(a) = raw.action {
                tier.action = a;
            }
            if let Some(r) = raw.require_significance {
                tier.require_significance = r;
            }
        }
        Ok(())
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
        assert!(c.ignored("tests/test_io.py::test_read", &Metric::Time));
        assert!(!c.ignored("tests/test_cpu.py::test_read", &Metric::Time));
        let t = c.tiers_for("parse/json", &Metric::Throughput);
        assert_eq!((t.critical.throughput, t.critical.time), (40.0, 30.0));
    }

    #[test]
    fn invalid_values_name_key_and_line() {
        let e = Config::parse("window = 5\n[tiers.warning]\ntime = -5\n").unwrap_err();
        assert!(e.contains("`tiers.warning.time` = -5 (line 3)"), "{e}");
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
