//! The file's shape: a serde mirror of `bench-bot.toml` where every field is optional and
//! spanned, unknown keys are refused, and each value is checked with its key and line
//! before it is resolved over the defaults.

use globset::Glob;
use serde::Deserialize;
use toml::Spanned;

use super::{
    Action, Clock, Config, Correction, FailOn, NoiseEstimator, Override, Prediction, TierName,
    Tiers,
};
use crate::model::{Direction, Metric};

/// Parses config text over the defaults; the error names the key and line.
pub(super) fn parse(text: &str) -> Result<Config, String> {
    let raw: RawConfig = toml::from_str(text).map_err(|e| toml_error(text, &e))?;
    raw.resolve(text)
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
    run_noise_pct: Option<Spanned<f64>>,
    suite_noise: Option<bool>,
    require_baseline: Option<bool>,
    outlier_sigmas: Option<Spanned<f64>>,
    noise: Option<NoiseEstimator>,
    google_benchmark_time: Option<Clock>,
    prediction: Option<Prediction>,
    multiple_comparisons: Option<Correction>,
    fail_on: Option<FailOn>,
    max_input_size: Option<Spanned<i64>>,
    max_runs: Option<Spanned<i64>>,
    tiers: Option<RawTiers>,
    changes: Option<RawChanges>,
    #[serde(rename = "override", default)]
    overrides: Vec<RawOverride>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChanges {
    window: Option<Spanned<i64>>,
    p_value: Option<Spanned<f64>>,
    min_change_pct: Option<Spanned<f64>>,
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
    deterministic: Option<Spanned<f64>>,
    sigma: Option<Spanned<f64>>,
    action: Option<Action>,
    require_significance: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOverride {
    #[serde(rename = "match")]
    pattern: Spanned<String>,
    metric: Option<Spanned<String>>,
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
        if let Some(x) = &self.run_noise_pct {
            c.run_noise_pct = v.check(
                "run_noise_pct",
                x,
                |x| x >= 0.0 && x.is_finite(),
                "must be 0 (off) or more",
            )?;
        }
        if let Some(b) = self.suite_noise {
            c.suite_noise = b;
        }
        if let Some(b) = self.require_baseline {
            c.require_baseline = b;
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
        if let Some(clock) = self.google_benchmark_time {
            c.google_benchmark_time = clock;
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
        if let Some(ch) = &self.changes {
            if let Some(x) = &ch.window {
                c.changes.window = v.check(
                    "changes.window",
                    x,
                    |x| (3..=500).contains(&x),
                    "must be 3 to 500 runs",
                )? as usize;
            }
            if let Some(x) = &ch.p_value {
                c.changes.p_value = v.check(
                    "changes.p_value",
                    x,
                    |x| x > 0.0 && x < 1.0,
                    "must be between 0 and 1",
                )?;
            }
            if let Some(x) = &ch.min_change_pct {
                c.changes.min_change_pct = v.check(
                    "changes.min_change_pct",
                    x,
                    |x| x >= 0.0 && x.is_finite(),
                    "a percentage must be 0 or more",
                )?;
            }
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
                metric: o.metric.as_ref().map(|m| Metric::from_name(m.get_ref())),
                line: v.line(o.pattern.span()),
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
                ("deterministic", &raw.deterministic, &mut tier.deterministic),
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
