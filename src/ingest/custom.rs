//! Custom JSON: `[{"name", "value", "unit", "range"?, "extra"?}]`, the format users
//! of other benchmark actions already emit. The unit decides metric, scale and
//! direction; `range` is read as a spread when it is `± N`, `+/- N` or `stddev: N`.

use std::path::Path;

use serde::Deserialize;

use super::Loaded;
use super::json::{check_value, parse as parse_json};
use crate::error::{Error, Result};
use crate::model::{Benchmark, Direction, Estimator, Measurement};
use crate::units::parse_unit;

const FORMAT: &str = "custom";

#[derive(Debug, Deserialize)]
struct Entry {
    name: String,
    value: Option<f64>,
    unit: String,
    /// A spread: `"± 12"`, `"+/- 12"`, `"stddev: 1.2"`, `"12"` or a bare number.
    #[serde(default)]
    range: Option<serde_json::Value>,
}

/// Parses a custom JSON array.
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Loaded> {
    parse_named(path, bytes, FORMAT, None)
}

/// Parses a custom JSON array under a format `name`; `direction`, when given, is every
/// entry's (github-action-benchmark's `customBiggerIsBetter` and `customSmallerIsBetter`
/// say it for the whole file, whatever the units).
pub fn parse_named(
    path: &Path,
    bytes: &[u8],
    name: &'static str,
    direction: Option<Direction>,
) -> Result<Loaded> {
    let entries: Vec<Entry> = parse_json(path, name, bytes)?;
    let invalid = |msg: String| Error::input(path, Some(name), msg);
    if entries.is_empty() {
        return Err(invalid(
            "the list is empty: no benchmark results".to_string(),
        ));
    }
    let mut benchmarks: Vec<Benchmark> = Vec::with_capacity(entries.len());
    let mut by_name: rustc_hash::FxHashMap<String, usize> = rustc_hash::FxHashMap::default();
    let mut warnings = Vec::new();
    for (i, e) in entries.into_iter().enumerate() {
        let value = check_value(e.value, || format!("entry {i} (`{}`): value", e.name), true)
            .map_err(invalid)?;
        let mut unit = parse_unit(&e.unit);
        if let Some(d) = direction {
            unit.direction = d;
        } else if !unit.known {
            warnings.push(format!(
                "{}: `{}`: unit `{}` is not known; compared as a custom metric where lower is better \
                 (set `direction` in bench-bot.toml to change it)",
                path.display(),
                e.name,
                e.unit
            ));
        }
        let spread = match &e.range {
            Some(serde_json::Value::String(r)) => parse_range(r),
            Some(serde_json::Value::Number(n)) => n.as_f64().filter(|v| v.is_finite() && *v >= 0.0),
            _ => None,
        }
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
    Ok(Loaded::of(name, benchmarks, warnings))
}

/// Reads `± 12`, `+/- 12`, `stddev: 1.2e-3` or a bare `12` as a number; anything else
/// is no spread.
pub fn parse_range(range: &str) -> Option<f64> {
    let s = range.trim();
    let s = s
        .strip_prefix('±')
        .or_else(|| s.strip_prefix("+/-"))
        .or_else(|| s.strip_prefix("stddev:"))
        .unwrap_or(s);
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
    use crate::model::Metric;

    #[test]
    fn the_forced_direction_of_github_action_benchmark_custom_formats() {
        let (p, bytes) = crate::ingest::fixture("fixtures/custom/bigger-is-better.json");
        let loaded = parse_named(
            &p,
            &bytes,
            "customBiggerIsBetter",
            Some(Direction::HigherIsBetter),
        )
        .expect("parses");
        assert!(
            loaded.warnings.is_empty(),
            "the direction is said: {:?}",
            loaded.warnings
        );
        let run = loaded.run;
        assert_eq!(run.meta.tool, "customBiggerIsBetter");
        let free = &run.benchmarks[1];
        assert_eq!(
            free.id,
            "My Custom Bigger Is Better Benchmark - Free Memory"
        );
        let m = &free.measurements[0];
        assert_eq!((m.direction, m.value), (Direction::HigherIsBetter, 150.0));
        assert_eq!(m.metric, Metric::Custom("Megabytes".into()));
        let (p, bytes) = crate::ingest::fixture("fixtures/custom/smaller-is-better.json");
        let run = parse_named(
            &p,
            &bytes,
            "customSmallerIsBetter",
            Some(Direction::LowerIsBetter),
        )
        .expect("parses")
        .run;
        assert!(
            run.benchmarks
                .iter()
                .all(|b| b.measurements[0].direction == Direction::LowerIsBetter)
        );
    }

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
