//! One benchmark metric against its baseline: the history rule (median and robust
//! sigma of a window of runs), or two runs against an assumed run-to-run noise.

use crate::config::{Config, NoiseEstimator, Prediction};
use crate::model::{Direction, Estimator, Measurement};
use crate::report::{Bimodal, Method};
use crate::stats::{self, MAD_TO_SIGMA, Mode};

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
    /// Which run's samples had two modes (two runs only).
    pub bimodal: Option<Bimodal>,
}

/// The Student's t with the same upper tail as `sigma` normal sigmas, for `df` degrees
/// of freedom. The inverse CDF is iterative and the same few (sigma, n) pairs come back
/// for every benchmark, so results are remembered.
fn student_threshold(sigma: f64, df: f64) -> f64 {
    use rustc_hash::FxHashMap as HashMap;
    use std::cell::RefCell;
    thread_local! {
        static CACHE: RefCell<HashMap<(u64, u64), f64>> = RefCell::new(HashMap::default());
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
    window: Window<'_>,
    current: f64,
    direction: Direction,
    config: &Config,
    gate_sigma: f64,
) -> Comparison {
    let mut c = history_rule(window, current, direction, config, gate_sigma);
    let values = window.values;
    c.history = values[values.len().saturating_sub(config.window)..].to_vec();
    c
}

/// A benchmark's baseline values, oldest first, and where its level changed among them.
#[derive(Debug, Clone, Copy)]
pub struct Window<'a> {
    /// The values.
    pub values: &'a [f64],
    /// The index of the first value of each level after the first, in order; empty when
    /// the level did not change.
    pub levels: &'a [usize],
}

/// The window's values with each earlier level moved to the newest one (scaled by the
/// ratio of their medians), and how many runs measured the newest level: the window
/// keeps its length for the noise, which a change of level leaves as it was, while its
/// centre is the newest level. `None` without a change inside the newest
/// `config.window` values.
fn at_newest_level(window: Window<'_>, config: &Config) -> Option<(Vec<f64>, usize)> {
    let start = window.values.len().saturating_sub(config.window);
    let values = &window.values[start..];
    let starts: Vec<usize> = window
        .levels
        .iter()
        .filter_map(|k| k.checked_sub(start))
        .filter(|k| *k > 0 && *k < values.len())
        .collect();
    let newest = *starts.last()?;
    let target = stats::median(&values[newest..]);
    let bounds: Vec<usize> = std::iter::once(0).chain(starts).collect();
    let mut moved = Vec::with_capacity(values.len());
    for (i, from) in bounds.iter().enumerate() {
        let part = &values[*from..bounds.get(i + 1).copied().unwrap_or(values.len())];
        let level = stats::median(part);
        if !(level > 0.0 && target > 0.0) {
            return None;
        }
        moved.extend(part.iter().map(|v| v * target / level));
    }
    Some((moved, values.len() - newest))
}

/// A window whose values alternate between two separate levels (`stats::two_levels`):
/// the values at the level nearest to `current`, which the run is compared with. A
/// jump to a level the benchmark already visits is not a regression; a step to a new
/// level still is.
fn nearest_level(window: &[f64], current: f64) -> Option<Vec<f64>> {
    if current.is_nan() || current <= 0.0 {
        return None;
    }
    let (low, high) = stats::two_levels(window)?;
    let cut = (low.median * high.median).sqrt();
    let upper = (current / high.median).ln().abs() < (current / low.median).ln().abs();
    Some(
        window
            .iter()
            .copied()
            .filter(|v| (*v >= cut) == upper)
            .collect(),
    )
}

/// The history rule without a copy of the window (`history` is left empty).
pub fn history_rule(
    window: Window<'_>,
    current: f64,
    direction: Direction,
    config: &Config,
    gate_sigma: f64,
) -> Comparison {
    // After a level change, the centre is the median of the runs since: its
    // uncertainty is theirs.
    let moved = at_newest_level(window, config);
    let values = window.values;
    let (window, centre_runs): (&[f64], Option<usize>) = match &moved {
        Some((moved, since)) => (moved, Some(*since)),
        None => (&values[values.len().saturating_sub(config.window)..], None),
    };
    let nearest = nearest_level(window, current);
    let window: &[f64] = nearest.as_deref().unwrap_or(window);
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
    let centre_n = centre_runs.map_or(n, |k| (k as f64).min(n));
    let widen = (1.0 + std::f64::consts::FRAC_PI_2 / centre_n).sqrt();
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
    let detectable_pct = (centre != 0.0)
        .then(|| needed * widen * sigma / centre.abs() * 100.0)
        .filter(|d| d.is_finite());
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
        bimodal: nearest.is_some().then_some(Bimodal::History),
    }
}

/// One side of a two-run comparison: the estimate, its spread and sample count, and
/// whether its variance is a median's.
#[derive(Debug, Clone, Copy)]
struct Side {
    value: f64,
    sd: Option<f64>,
    n: Option<u64>,
    median: bool,
}

impl Side {
    fn of(m: &Measurement) -> Side {
        Side {
            value: m.value,
            sd: m.stddev,
            n: m.n,
            // The minimum's sampling error has no closed form; the median's, π/2 σ²/n, is
            // of the same order for the many rounds pytest-benchmark takes, and both are
            // small next to the run-to-run noise added to it.
            median: matches!(m.estimator, Some(Estimator::Median | Estimator::Min)),
        }
    }

    fn mode(mode: Mode) -> Side {
        Side {
            value: mode.median,
            sd: Some(mode.sigma),
            n: Some(mode.n as u64),
            median: true,
        }
    }

    /// The variance of the estimate from the run's own samples, and its degrees of
    /// freedom; a median's is π/2 times a mean's.
    fn sampling_variance(&self) -> Option<(f64, f64)> {
        match (self.sd, self.n) {
            (Some(sd), Some(n)) if n >= 2 => {
                let k = if self.median {
                    std::f64::consts::FRAC_PI_2
                } else {
                    1.0
                };
                Some((k * sd * sd / n as f64, n as f64 - 1.0))
            }
            _ => None,
        }
    }
}

/// The sides to compare when a run's samples have two modes: mode to mode when both
/// have them (the better mode of each, which the code's own work sets), else the
/// bimodal run's larger mode against the other run. How often the slow mode happens
/// is not what is compared; a one-sided mode change is capped at warning (`tiers.rs`).
fn choose_modes(
    base: &Measurement,
    current: &Measurement,
    direction: Direction,
    min_pct: f64,
) -> (Side, Side, Option<Bimodal>) {
    // A change no tier could fire on is judged as it is: looking for modes costs a
    // sort of every sample, and a suite is mostly unchanged benchmarks. A minimum lies in
    // the fast mode already.
    let moved = changes(current.value, base.value, direction)
        .1
        .is_some_and(|c| c.abs() > min_pct);
    let minimum = |m: &Measurement| m.estimator == Some(Estimator::Min);
    if !moved || minimum(base) || minimum(current) {
        return (Side::of(base), Side::of(current), None);
    }
    let modes = |m: &Measurement| m.samples.as_deref().and_then(stats::two_modes);
    let better = |(low, high): (Mode, Mode)| match direction {
        Direction::LowerIsBetter => low,
        Direction::HigherIsBetter => high,
    };
    let larger = |(low, high): (Mode, Mode)| if high.n > low.n { high } else { low };
    match (modes(base), modes(current)) {
        (Some(b), Some(c)) => (
            Side::mode(better(b)),
            Side::mode(better(c)),
            Some(Bimodal::Both),
        ),
        (Some(b), None) => (
            Side::mode(larger(b)),
            Side::of(current),
            Some(Bimodal::Baseline),
        ),
        (None, Some(c)) => (
            Side::of(base),
            Side::mode(larger(c)),
            Some(Bimodal::Current),
        ),
        (None, None) => (Side::of(base), Side::of(current), None),
    }
}

/// Two runs. One run shows the noise within it, not the noise between runs, which is
/// what a change has to beat: so the difference is judged against both runs' sampling
/// error plus an assumed run-to-run noise of `run_noise_pct` % per run (`run_noise`).
/// That noise is a factor, the same for a fast run and a slow one, so the comparison
/// is made on the log of the ratio: judged on the raw difference, a noise in
/// proportion to each side would grow with the slowdown itself and cap any change,
/// however large, at 1 / noise standard errors. The sampling parts enter as relative
/// variances, with Welch–Satterthwaite degrees of freedom.
/// Samples are looked at for two modes when the change passes `min_pct` (the lowest
/// tier percentage for the metric).
/// `run_noise_pct = 0` gives Welch's t-test on the two runs' summaries (`welch`);
/// without it and without a spread or a sample count, only the percentage is known.
pub fn compare_runs(
    base: &Measurement,
    current: &Measurement,
    direction: Direction,
    gate_sigma: f64,
    run_noise_pct: f64,
    min_pct: f64,
) -> Comparison {
    let (a, b, bimodal) = choose_modes(base, current, direction, min_pct);
    let (change_pct, value_change_pct) = changes(b.value, a.value, direction);
    let mut out = Comparison {
        centre: a.value,
        spread: a.sd,
        n: a.n,
        history: Vec::new(),
        change_pct,
        value_change_pct,
        z: None,
        p_value: None,
        detectable_pct: None,
        method: Method::Percentage,
        noisy_cv: None,
        bimodal,
    };
    let floor = run_noise_pct / 100.0;
    let (va, vb) = (a.sampling_variance(), b.sampling_variance());
    let log_scale = floor > 0.0 && a.value > 0.0 && b.value > 0.0;
    let (oriented_diff, between, within, scale) = if log_scale {
        // Relative variances: Var(ln x) ≈ Var(x) / x².
        let relative = |v: Option<(f64, f64)>, x: f64| v.map(|(v, df)| (v / (x * x), df));
        let within: Vec<(f64, f64)> = [relative(va, a.value), relative(vb, b.value)]
            .into_iter()
            .flatten()
            .collect();
        let diff = direction.worse_sign() * (b.value / a.value).ln();
        (diff, 2.0 * floor * floor, within, 1.0)
    } else {
        let within: Vec<(f64, f64)> = [va, vb].into_iter().flatten().collect();
        let diff = direction.worse_sign() * (b.value - a.value);
        let between = (floor * a.value).powi(2) + (floor * b.value).powi(2);
        (diff, between, within, a.value.abs())
    };
    if floor > 0.0 {
        out.method = Method::RunNoise;
    } else if va.is_some() && vb.is_some() {
        out.method = Method::Welch;
    } else {
        return out;
    }
    let total = between + within.iter().map(|(v, _)| v).sum::<f64>();
    if total <= 0.0 || !total.is_finite() {
        // Zero variance on both sides: deterministic values, any change is real.
        out.p_value = Some(if oriented_diff == 0.0 { 1.0 } else { 0.0 });
        out.detectable_pct = Some(0.0);
        return out;
    }
    // Welch–Satterthwaite, with the assumed run-to-run part known exactly (infinite df).
    let df_denominator: f64 = within.iter().map(|(v, df)| v * v / df).sum();
    let df = if df_denominator > 0.0 {
        total * total / df_denominator
    } else {
        f64::INFINITY
    };
    let se = total.sqrt();
    let t = oriented_diff / se;
    out.z = Some(t);
    out.p_value = Some(if df.is_finite() {
        stats::t_upper_tail(t.abs(), df)
    } else {
        stats::normal_upper_tail(t.abs())
    });
    let needed = if df.is_finite() {
        student_threshold(gate_sigma, df)
    } else {
        gate_sigma
    };
    // A spread so wide that the detectable change overflows says nothing: none is given.
    out.detectable_pct = if log_scale {
        Some(((needed * se).exp() - 1.0) * 100.0)
    } else {
        (scale != 0.0).then(|| needed * se / scale * 100.0)
    }
    .filter(|d| d.is_finite());
    out
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::model::time_run;
    use crate::report::{Bimodal, Status};

    #[test]
    fn run_noise_is_a_factor_so_a_large_slowdown_beats_it() {
        use crate::model::{Direction, Measurement, Metric};
        let time = |v: f64| {
            Measurement::new(Metric::Time, Direction::LowerIsBetter, "ns", v)
                .with_spread(Some(v * 0.05), Some(10))
        };
        let cmp = |a: f64, b: f64| {
            super::compare_runs(&time(a), &time(b), Direction::LowerIsBetter, 3.0, 40.0, 5.0)
        };
        // 40 % noise per run: a 24× slowdown is ln 24 / (√2 × 0.4) ≈ 5.6 σ, not capped at
        // 1 / 0.4 = 2.5 σ as a noise proportional to each side would have it.
        let slow = cmp(100.0, 2400.0);
        assert!(slow.z.expect("z") > 5.0, "{:?}", slow.z);
        assert!(slow.p_value.expect("p") < 1e-6);
        // Symmetric: the same factor either way is the same number of σ.
        let fast = cmp(2400.0, 100.0);
        assert!((fast.z.expect("z") + slow.z.expect("z")).abs() < 1e-9);
        // And +50 % is well inside it: the detectable change is the factor 3 σ away.
        let small = cmp(100.0, 150.0);
        assert!(small.z.expect("z") < 1.0);
        let detectable = small.detectable_pct.expect("detectable");
        assert!((300.0..600.0).contains(&detectable), "{detectable}");
    }

    #[test]
    fn a_spread_too_wide_to_detect_anything_gives_no_detectable_change() {
        use crate::model::{Direction, Measurement, Metric};
        // benchmark.js's `±7777777777777771.68%`: a spread 10¹⁶ times the value.
        let rate = |v: f64| {
            Measurement::new(Metric::Throughput, Direction::HigherIsBetter, "ops/s", v)
                .with_spread(Some(v * 1.8e16), Some(20))
        };
        let c = super::compare_runs(
            &rate(254_291.0),
            &rate(381_436.5),
            Direction::HigherIsBetter,
            3.0,
            5.0,
            5.0,
        );
        assert_eq!(c.detectable_pct, None);
        assert!(c.z.is_some_and(f64::is_finite) && c.p_value.is_some_and(f64::is_finite));
    }

    /// 30 runs alternating between 100 and 150 in stretches of five.
    fn two_level_history() -> Vec<crate::model::Run> {
        (0..30)
            .map(|i| {
                let level = if (i / 5) % 2 == 1 { 150.0 } else { 100.0 };
                let wobble = 1.0 + 0.01 * ((i as f64) * 1.7).sin();
                time_run(&[("b", level * wobble)])
            })
            .collect()
    }

    #[test]
    fn a_jump_to_a_known_level_is_compared_with_that_level() {
        let history = two_level_history();
        let config = Config::default();
        let at_slow_level = super::super::analyze(&time_run(&[("b", 151.0)]), &history, &config);
        let row = &at_slow_level.results[0];
        assert_eq!(row.bimodal, Some(Bimodal::History));
        assert_eq!(row.status, Status::Unchanged, "{row:?}");
        assert!(row.reason.contains("two levels"), "{}", row.reason);
        // A new level beyond both is still a regression.
        let beyond = super::super::analyze(&time_run(&[("b", 230.0)]), &history, &config);
        assert_eq!(beyond.results[0].status, Status::Regression);
        // One step (old level, then new) is not two alternating levels.
        let step: Vec<_> = (0..30)
            .map(|i| {
                time_run(&[(
                    "b",
                    if i < 20 { 100.0 } else { 150.0 } * (1.0 + 0.01 * (i as f64).sin()),
                )])
            })
            .collect();
        let after_step = super::super::analyze(&time_run(&[("b", 100.0)]), &step, &config);
        assert_eq!(after_step.results[0].bimodal, None);
    }
}
