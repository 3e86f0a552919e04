//! Custom JSON: `[{"name", "value", "unit", "range"?, "extra"?}]`, the format users
//! of other benchmark actions already emit. The unit decides metric, scale and
//! direction; `range` is read as a spread when it is `± N`, `+/- N` or `stddev: N`.

use std::path::Path;

use serde::Deserialize;

use super::Loaded;
use super::json::{check_value, parse as parse_json};
use crate::error::{Error, Result};
use crate::model::{Benchmark, Estimator, Measurement, Run, RunMeta};
use crate::units::parse_unit;

const FORMAT: &str = "custom";

#[derive(Debug, Deserialize)]
struct Entry {
    name: String,
    value: Option<f64>,
    unit: String,
    #[serde(default)]
    range: Option<String>,
}

/// Parses a custom JSON array.
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Loaded> {
    let entries: Vec<Entry> = parse_json(path, FORMAT, bytes)?;
    let invalid = |msg: String| Error::input(path, Some(FORMAT), msg);
    if entries.is_empty() {
        return Err(invalid(
            "the list is empty: no benchmark results".to_string(),
        ));
    }
    let mut benchmarks: Vec<Benchmark> = Vec::with_capacity(entries.len());
    let mut by_name: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut warnings = Vec::new();
    for (i, e) in entries.into_iter().enumerate() {
        let value = check_value(e.value, || format!("entry {i} (`{}`): value", e.name), true)
            .map_err(invalid)?;
        let unit = parse_unit(&e.unit);
        if !unit.known {
            warnings.push(format!(
                "{}: `{}`: unit `{}` is not known; compared as a custom metric where lower is better \
                 (set `direction` in bench-bot.toml to change it)",
                path.display(),
                e.name,
                e.unit
            ));
        }
        let spread = e
            .range
            .as_deref()
            .and_then(parse_range)
            .map(|s| s * unit.factor);
        let m = Measurement::new(
            unit.metric,
            unit.direction,
            &unit.canonical,
            value * unit.factor,
        )
        .with_spread(spread, None)
        .with_estimator(Estimator::Value);
        // The same name with another unit is another metric of one benchmark.
        match by_name.get(&e.name).map(|&k| &mut benchmarks[k]) {
            Some(b) if b.measurements.iter().any(|x| x.metric == m.metric) => {
                return Err(invalid(format!(
                    "entry {i}: duplicate benchmark `{}` ({})",
                    e.name, m.metric
                )));
            }
            Some(b) => b.measurements.push(m),
            None => {
                by_name.insert(e.name.clone(), benchmarks.len());
                benchmarks.push(Benchmark {
                    id: e.name,
                    group: None,
                    measurements: vec![m],
                });
            }
        }
    }
    let meta = RunMeta {
        tool: FORMAT.to_string(),
        ..RunMeta::default()
    };
    Ok(Loaded {
        run: Run { meta, benchmarks },
        warnings,
    })
}

/// Reads `± 12`, `+/- 12`, `stddev: 1.2e-3` as a number; anything else is no spread.
pub fn parse_range(range: &str) -> Option<f64> {
    let s = range.trim();
    let s = s
        .strip_prefix('±')
        .or_else(|| s.strip_prefix("+/-"))
        .or_else(|| s.strip_prefix("stddev:"))?;
    let s = s.split_whitespace().next()?;
    let cleaned: String = s.chars().filter(|c| *c != ',').collect();
    cleaned
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v >= 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Direction, Metric};

    #[test]
    fn units_decide_metric_scale_and_direction() {
        let doc = br#"[{"name": "a", "value": 1.5, "unit": "ms", "range": "+/- 0.1"},
                       {"name": "b", "value": 250, "unit": "iter/sec", "range": "stddev: 2"},
                       {"name": "a", "value": 4, "unit": "MiB"}]"#;
        let run = parse(Path::new("c.json"), doc).expect("parses").run;
        let a = &run.benchmarks[0];
        assert_eq!(
            (a.measurements[0].value, a.measurements[0].stddev),
            (1.5e6, Some(1e5))
        );
        assert_eq!(a.measurements[1].metric, Metric::Memory);
        let b = &run.benchmarks[1].measurements[0];
        assert_eq!(
            (b.direction, b.stddev),
            (Direction::HigherIsBetter, Some(2.0))
        );
    }

    #[test]
    fn duplicates_and_nan_are_errors() {
        let doc = br#"[{"name": "a", "value": 1, "unit": "ns"}, {"name": "a", "value": 2, "unit": "ns"}]"#;
        let msg = parse(Path::new("c.json"), doc).unwrap_err().to_string();
        assert!(msg.contains("duplicate benchmark `a`"), "{msg}");
        let doc = br#"[{"name": "a", "value": NaN, "unit": "ns"}]"#;
        let msg = parse(Path::new("c.json"), doc).unwrap_err().to_string();
        assert!(msg.contains("`a`): value is missing, null or NaN"), "{msg}");
    }

    #[test]
    fn ranges() {
        assert_eq!(parse_range("± 64930"), Some(64930.0));
        assert_eq!(parse_range("stddev: 6.18e-7"), Some(6.18e-7));
        assert_eq!(parse_range("whatever"), None);
    }
}
