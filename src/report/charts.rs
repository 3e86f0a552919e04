//! Mermaid trend charts for the comment: the worst regressions that have a history
//! window, with values scaled to a readable unit and titles safe inside quotes.

use serde::Serialize;

use super::escape::cut_chars;
use super::{Report, Status};

/// One trend chart for a regression with a history window.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Chart {
    id: String,
    metric: String,
    title: String,
    unit_label: String,
    labels: Vec<String>,
    values: Vec<f64>,
}

/// Trend charts for the three worst regressions that have a history window.
pub(super) fn charts(report: &Report) -> Vec<Chart> {
    report
        .results
        .iter()
        .filter(|r| r.status == Status::Regression)
        .filter_map(|r| {
            let b = r.baseline.as_ref().filter(|b| b.history.len() >= 2)?;
            let current = r.current.as_ref()?.value;
            let max = b.history.iter().copied().fold(current, f64::max);
            let (div, unit_label) = crate::units::axis_scale(max, &r.unit);
            let mut values: Vec<f64> = b.history.iter().map(|v| round3(v / div)).collect();
            values.push(round3(current / div));
            let n = b.history.len();
            let mut labels: Vec<String> = (0..n).map(|i| format!("-{}", n - i)).collect();
            labels.push("now".into());
            Some(Chart {
                id: r.id.clone(),
                metric: r.metric.clone(),
                title: chart_title(&r.id),
                unit_label,
                labels,
                values,
            })
        })
        .take(3)
        .collect()
}

fn round3(v: f64) -> f64 {
    let digits = 3 - v.abs().max(1e-12).log10().floor() as i32;
    let f = 10f64.powi(digits.clamp(0, 12));
    (v * f).round() / f
}

/// A chart title inside mermaid's quotes: plain characters only, at most 60.
fn chart_title(id: &str) -> String {
    let plain: String = id
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || " _-./:[]()".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    cut_chars(&plain, 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chart_titles_and_rounding() {
        assert_eq!(chart_title("a\"b`c<d>"), "a_b_c_d_");
        assert_eq!(round3(1234.5678), 1235.0);
        assert_eq!(round3(1.23456), 1.235);
    }
}
