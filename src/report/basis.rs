//! The one sentence under every rendering of a report that says what was compared: the
//! statistic of each run and, for two-run comparisons, the run-to-run noise assumed.

use super::{Method, Report, RunNoise, RunNoiseSource};
use crate::model::Estimator;

/// One sentence on what was compared, for the footnote of every rendering: the
/// statistic of each run (`median of each run`) and, for two-run comparisons, the
/// run-to-run noise assumed. `None` when nothing was compared.
pub fn basis(report: &Report) -> Option<String> {
    let compared = || {
        report
            .results
            .iter()
            .filter(|r| r.baseline.is_some() && r.current.is_some())
    };
    compared().next()?;
    let mut estimators: Vec<&str> = compared()
        .map(|r| match r.estimator {
            None | Some(Estimator::Value) => "value",
            Some(Estimator::Min) => "minimum",
            Some(e) => e.as_str(),
        })
        .collect();
    estimators.sort_unstable();
    estimators.dedup();
    // Custom metrics are single values; name the statistic of the timed ones.
    if estimators.len() > 1 {
        estimators.retain(|e| *e != "value");
    }
    let statistic = match estimators.as_slice() {
        [one] if *one == "value" => "the value each run reports".to_string(),
        [one] => format!("the {one} of each run"),
        many => format!("each run's {}", many.join(" or ")),
    };
    let mut sentence = format!("Compared: {statistic}");
    if compared().any(|r| r.method == Method::RunNoise) {
        let assumed = report.settings.run_noise_pct;
        let how = match report.baseline.run_noise {
            Some(RunNoise {
                source: RunNoiseSource::Suite,
                pct,
                benchmarks,
                ..
            }) => format!(
                "it was read from the spread of the suite's {benchmarks} benchmarks \
                 ({pct:.0} % per run, more than the {assumed} % assumed)"
            ),
            _ => format!("{assumed} % is assumed (`run_noise_pct`)"),
        };
        sentence.push_str(&format!(
            "; one baseline run cannot show the noise between runs, so {how}; a recorded \
             history measures it"
        ));
    }
    if compared().any(|r| r.method == Method::Paired) {
        sentence.push_str(
            "; head against base round by round (the Hodges–Lehmann centre of the \
             per-round ratios, the exact Wilcoxon signed-rank and sign tests)",
        );
    }
    if compared().any(|r| r.method == Method::Percentage && !r.deterministic) {
        sentence.push_str("; inputs without a spread are judged by percentage only");
    }
    if compared().any(|r| r.deterministic) {
        sentence.push_str("; deterministic counts (allocations, instructions) by percentage alone");
    }
    sentence.push('.');
    Some(sentence)
}
