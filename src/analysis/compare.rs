//! One benchmark metric against its baseline: the history rule (median and robust
//! sigma of a window of runs) or Welch's t-test between two runs.

use crate::config::{Config, NoiseEstimator, Prediction};
use crate::model::{Direction, Measurement};
use crate::report::Method;
use crate::stats::{self, MAD_TO_SIGMA};

/// The numbers of one comparison, before tiers are applied.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// Baseline centre.
    pub centre: f64,
    /// Baseline spread (one run's std dev, or the window's robust sigma).
    pub spread: Option<f64>,
    /// Baseline samples (one run).
    pub n: Option<u64>,
    /// The window's values, oldest first (history only).
    pub history: Vec<f64>,
    /// Oriented change in percent (positive is worse); `None` when the centre is 0.
    pub change_pct: Option<f64>,
    /// Change in percent with its natural sign.
    pub value_change_pct: Option<f64>,
    /// Oriented change in sigmas, or Welch's oriented t.
    pub z: Option<f64>,
    /// One-sided p-value of a worsening at least this large under noise alone;
    /// for a change in the good direction, the p-value of an improvement.
    pub p_value: Option<f64>,
    /// Smallest worsening (percent) the gating sigma could flag.
    pub detectable_pct: Option<f64>,
    /// How it was judged.
    pub method: Method,
    /// The history's coefficient of variation, when it is the history rule.
    pub noisy_cv: Option<f64>,
}

/// The Student's t with the same upper tail as `sigma` normal sigmas, for `df` degrees
/// of freedom. The inverse CDF is iterative and the same few (sigma, n) pairs come back
/// for every benchmark, so results are remembered.
fn student_threshold(sigma: f64, df: f64) -> f64 {
    use std::cell::RefCell;
    use std::collections::HashMap;
    thread_local! {
        static CACHE: RefCell<HashMap<(u64, u64), f64>> = RefCell::new(HashMap::new());
    }
    let key = (sigma.to_bits(), df.to_bits());
    CACHE.with(|c| {
        *c.borrow_mut()
            .entry(key)
            .or_insert_with(|| stats::t_quantile_upper(stats::normal_upper_tail(sigma), df))
    })
}

fn changes(current: f64, centre: f64, direction: Direction) -> (Option<f64>, Option<f64>) {
    if centre == 0.0 || !centre.is_finite() {
        return (None, None);
    }
    let value_change = (current - centre) / centre.abs() * 100.0;
    (
        Some(direction.worse_sign() * value_change),
        Some(value_change),
    )
}

/// The history rule: centre = median of the window, after screening values further
/// than `outlier_sigmas` robust sigmas (1.4826 × MAD) from the median (a spike that
/// reverts at once is an outlier, not a step); noise = the screened window's standard
/// deviation (or 1.4826 × MAD) with a floor of `sigma_floor_pct` % of the centre. The
/// threshold is widened by the prediction interval √(1 + π/2n), because the centre is
/// the median of n runs, and read from Student's t with n − 1 degrees of freedom,
/// because the sigma is too (docs/statistics.md shows why).
pub fn compare_history(
    values: &[f64],
    current: f64,
    direction: Direction,
    config: &Config,
    gate_sigma: f64,
) -> Comparison {
    let mut c = history_rule(values, current, direction, config, gate_sigma);
    c.history = values[values.len().saturating_sub(config.window)..].to_vec();
    c
}

/// The history rule without a copy of the window (`history` is left empty).
pub fn history_rule(
    values: &[f64],
    current: f64,
    direction: Direction,
    config: &Config,
    gate_sigma: f64,
) -> Comparison {
    let window = &values[values.len().saturating_sub(config.window)..];
    let m0 = stats::median(window);
    let s0 = MAD_TO_SIGMA * stats::mad(window, m0);
    let kept: Vec<f64> = if s0 > 0.0 {
        window
            .iter()
            .copied()
            .filter(|v| (v - m0).abs() <= config.outlier_sigmas * s0)
            .collect()
    } else {
        window.to_vec()
    };
    let centre = stats::median(&kept);
    let raw_sigma = match config.noise {
        NoiseEstimator::Sd => stats::mean_sd(&kept).1,
        NoiseEstimator::Mad => MAD_TO_SIGMA * stats::mad(&kept, centre),
    };
    let floor = config.sigma_floor_pct / 100.0 * centre.abs();
    let sigma = raw_sigma.max(floor);
    let n = kept.len() as f64;
    // The centre is a median, whose variance is π/2 times the mean's.
    let widen = (1.0 + std::f64::consts::FRAC_PI_2 / n).sqrt();
    let (change_pct, value_change_pct) = changes(current, centre, direction);
    let (z, p_value) = if sigma > 0.0 {
        let z = direction.worse_sign() * (current - centre) / sigma;
        let tail = |x: f64| match config.prediction {
            Prediction::Student if n >= 2.0 => stats::t_upper_tail(x, n - 1.0),
            _ => stats::normal_upper_tail(x),
        };
        let p = tail(z.abs() / widen);
        (Some(z), Some(p))
    } else {
        // A history of zeros: any difference is beyond noise.
        let p = if current == centre { 1.0 } else { 0.0 };
        (None, Some(p))
    };
    // The z a change needs to reach the gate's p-value, in the same distribution.
    let needed = match config.prediction {
        Prediction::Student if n >= 2.0 => student_threshold(gate_sigma, n - 1.0),
        _ => gate_sigma,
    };
    let detectable_pct = (centre != 0.0).then(|| needed * widen * sigma / centre.abs() * 100.0);
    Comparison {
        centre,
        spread: Some(sigma),
        n: None,
        history: Vec::new(),
        change_pct,
        value_change_pct,
        z,
        p_value,
        detectable_pct,
        method: Method::History,
        noisy_cv: (centre != 0.0).then(|| raw_sigma / centre.abs()),
    }
}

/// Two runs: Welch's t-test on their summaries (mean, std dev, n), one-sided in the
/// direction of the change. Without a spread or a sample count on both sides, only
/// the percentage is known.
pub fn compare_runs(
    base: &Measurement,
    current: &Measurement,
    direction: Direction,
    gate_sigma: f64,
) -> Comparison {
    let (change_pct, value_change_pct) = changes(current.value, base.value, direction);
    let summary = |m: &Measurement| match (m.stddev, m.n) {
        (Some(sd), Some(n)) if n >= 2 => Some((m.value, sd, n as f64)),
        _ => None,
    };
    let mut out = Comparison {
        centre: base.value,
        spread: base.stddev,
        n: base.n,
        history: Vec::new(),
        change_pct,
        value_change_pct,
        z: None,
        p_value: None,
        detectable_pct: None,
        method: Method::Percentage,
        noisy_cv: None,
    };
    let (Some(a), Some(b)) = (summary(base), summary(current)) else {
        return out;
    };
    out.method = Method::Welch;
    let oriented_diff = direction.worse_sign() * (b.0 - a.0);
    match stats::welch(a, b) {
        Some((t, df)) => {
            let t = direction.worse_sign() * t;
            out.z = Some(t);
            out.p_value = Some(stats::t_upper_tail(t.abs(), df));
            let se = (a.1 * a.1 / a.2 + b.1 * b.1 / b.2).sqrt();
            out.detectable_pct = (a.0 != 0.0).then(|| gate_sigma * se / a.0.abs() * 100.0);
        }
        None => {
            // Zero variance on both sides: deterministic values, any change is real.
            out.p_value = Some(if oriented_diff == 0.0 { 1.0 } else { 0.0 });
            out.detectable_pct = Some(0.0);
        }
    }
    out
}
