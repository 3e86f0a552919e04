//! JMH `-rf json` (`-rff FILE`): a list of `{"benchmark", "mode", "params"?,
//! "primaryMetric": {"score", "scoreError", "scoreUnit", "scorePercentiles",
//! "rawData"?: [[per iteration] per fork]}, "secondaryMetrics": {name: {...}}}`.
//!
//! `mode` decides the direction: `thrpt` is operations per time unit (higher is better),
//! `avgt`, `sample` and `ss` time per operation (lower is better). `rawData` (forks ×
//! measurement iterations) are the samples, compared on their median like every format
//! with samples; `sample` mode writes a histogram instead, so its `scorePercentiles`
//! median is used.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap as HashMap;
use std::path::Path;

use serde::Deserialize;

use super::json::{check_value, parse as parse_json};
use super::{Loaded, robust_summary};
use crate::error::{Error, Result};
use crate::model::{Benchmark, Direction, Estimator, Measurement, Metric};
use crate::units::parse_unit;

const FORMAT: &str = "jmh";

#[derive(Debug, Deserialize)]
struct JResult {
    benchmark: String,
    mode: String,
    #[serde(default)]
    params: BTreeMap<String, serde_json::Value>,
    #[serde(rename = "primaryMetric")]
    primary: JMetric,
    #[serde(rename = "secondaryMetrics", default)]
    secondary: BTreeMap<String, JMetric>,
}

#[derive(Debug, Deserialize)]
struct JMetric {
    #[serde(default)]
    score: Option<f64>,
    #[serde(rename = "scoreUnit")]
    score_unit: String,
    #[serde(rename = "scorePercentiles", default)]
    percentiles: Percentiles,
    #[serde(rename = "rawData", default)]
    raw: Vec<Vec<Option<f64>>>,
}

/// The one percentile used (the others are skipped without being stored).
#[derive(Debug, Default, Deserialize)]
struct Percentiles {
    #[serde(rename = "50.0", default)]
    median: Option<f64>,
}

/// Parses a JMH JSON result file.
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Loaded> {
    let results: Vec<JResult> = parse_json(path, FORMAT, bytes)?;
    let invalid = |msg: String| Error::input(path, Some(FORMAT), msg);
    if results.is_empty() {
        return Err(invalid("the file holds no benchmark results (`[]`)".into()));
    }
    // The same benchmark run in several modes (`-bm thrpt,avgt`) keeps one id per mode.
    let mut modes: HashMap<String, Vec<&str>> = HashMap::default();
    for r in &results {
        let m = modes.entry(base_id(&r.benchmark, &r.params)).or_default();
        if !m.contains(&r.mode.as_str()) {
            m.push(&r.mode);
        }
    }
    let mut benchmarks: Vec<Benchmark> = Vec::with_capacity(results.len());
    let mut seen = HashMap::default();
    for (i, r) in results.iter().enumerate() {
        let base = base_id(&r.benchmark, &r.params);
        let id = if modes[&base].len() > 1 {
            format!("{base} ({})", r.mode)
        } else {
            base
        };
        if let Some(first) = seen.insert(id.clone(), i) {
            return Err(invalid(format!(
                "entries {first} and {i}: duplicate benchmark `{id}` (the same benchmark, \
                 parameters and mode twice)"
            )));
        }
        let direction = match r.mode.as_str() {
            "thrpt" => Direction::HigherIsBetter,
            "avgt" | "sample" | "ss" => Direction::LowerIsBetter,
            other => {
                return Err(invalid(format!(
                    "`{id}`: unknown mode `{other}` (JMH writes thrpt, avgt, sample or ss)"
                )));
            }
        };
        let primary = measurement(&r.primary, direction, r.mode == "sample", None)
            .map_err(|e| invalid(format!("`{id}`: primaryMetric: {e}")))?;
        if primary.metric != Metric::Time && primary.metric != Metric::Throughput {
            return Err(invalid(format!(
                "`{id}`: scoreUnit `{}` is not a time per operation or operations per time \
                 (mode {})",
                r.primary.score_unit, r.mode
            )));
        }
        let mut measurements = vec![primary];
        for (name, m) in &r.secondary {
            // Profilers' metrics (`-prof gc`: `gc.alloc.rate.norm` in B/op, `gc.count`,
            // `gc.time`), in the unit JMH wrote; JMH before 1.33 prefixes them with `·`.
            let name = name.trim_start_matches('·');
            let mut metric = measurement(m, Direction::LowerIsBetter, false, Some(name))
                .map_err(|e| invalid(format!("`{id}`: secondaryMetrics `{name}`: {e}")))?;
            // Bytes allocated per operation is the code's own count; the allocation rate
            // per second and the GC counts follow the machine.
            metric.deterministic = name == "gc.alloc.rate.norm";
            measurements.push(metric);
        }
        benchmarks.push(Benchmark {
            id,
            group: None,
            measurements,
        });
    }
    Ok(Loaded::of(FORMAT, benchmarks, Vec::new()))
}

/// `org.example.Bench.method`, with its `@Param` values as `[name=value, …]`.
fn base_id(benchmark: &str, params: &BTreeMap<String, serde_json::Value>) -> String {
    if params.is_empty() {
        return benchmark.to_string();
    }
    let params: Vec<String> = params
        .iter()
        .map(|(k, v)| {
            format!(
                "{k}={}",
                v.as_str().map_or_else(|| v.to_string(), str::to_string)
            )
        })
        .collect();
    format!("{benchmark} [{}]", params.join(", "))
}

/// One metric of a result: the median of `rawData` when there are at least two
/// iterations, else the percentiles' median (`sample` mode), else `score`. The primary
/// metric in canonical units; a secondary one (`custom`) under its name, in its unit.
fn measurement(
    m: &JMetric,
    direction: Direction,
    histogram: bool,
    custom: Option<&str>,
) -> std::result::Result<Measurement, String> {
    let unit = match custom {
        None => parse_unit(&m.score_unit),
        Some(name) => crate::units::ParsedUnit {
            metric: Metric::Custom(name.to_string()),
            direction,
            canonical: m.score_unit.clone(),
            factor: 1.0,
            known: false,
        },
    };
    let raw = m
        .raw
        .iter()
        .enumerate()
        .flat_map(|(f, fork)| {
            fork.iter()
                .enumerate()
                .map(move |(i, v)| (format!("rawData[{f}][{i}]"), *v))
        })
        .map(|(at, v)| check_value(v, || at.clone(), true))
        .collect::<std::result::Result<Vec<f64>, String>>()?;
    if raw.len() >= 2 && !histogram {
        let values: Vec<f64> = raw.iter().map(|v| v * unit.factor).collect();
        let mut out = robust_summary(unit.metric.clone(), direction, &unit.canonical, &values);
        out.samples = Some(values);
        return Ok(out);
    }
    let median = m.percentiles.median;
    let (value, estimator) = match median {
        Some(v) if histogram => (
            check_value(Some(v), || "scorePercentiles.50.0".into(), true)?,
            Estimator::Median,
        ),
        _ => (
            check_value(m.score, || "score".into(), true)?,
            Estimator::Value,
        ),
    };
    // `scoreError` is the half-width of JMH's 99.9 % confidence interval of the score,
    // not a per-sample spread: without the samples the spread stays unknown.
    Ok(
        Measurement::new(unit.metric, direction, &unit.canonical, value * unit.factor)
            .with_estimator(estimator),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::fixture;

    fn load(rel: &str) -> Loaded {
        let (p, bytes) = fixture(rel);
        parse(&p, &bytes).expect("parses")
    }

    fn err(text: &str) -> String {
        crate::ingest::refusal(parse, text)
    }

    #[test]
    fn modes_units_params_and_raw_data() {
        let run = load("fixtures/jmh/baseline.json").run;
        assert_eq!(run.benchmarks.len(), 86);
        assert_eq!(run.meta.tool, "jmh");
        let b = &run.benchmarks[0];
        assert_eq!(
            b.id,
            "org.casbin.jcasbin.main.benchmark.BenchmarkEnforce.enforce \
             [dataScale=small, modelType=basic, useCache=false]"
        );
        // thrpt in ops/ms: throughput, higher is better, per second.
        let m = &b.measurements[0];
        assert_eq!(m.metric, Metric::Throughput);
        assert_eq!(m.direction, Direction::HigherIsBetter);
        assert_eq!(m.unit, "ops/s");
        assert!(
            (m.value / 1313.0177563884006e3 - 1.0).abs() < 1e-12,
            "{}",
            m.value
        );
        assert_eq!(m.n, Some(3));
        assert_eq!(m.estimator, Some(Estimator::Median));
        let expected = [1313.0177563884006, 1320.0659280509099, 1218.4926442441563];
        let samples = m.samples.as_deref().expect("rawData as samples");
        assert_eq!(samples.len(), 3);
        for (s, e) in samples.iter().zip(expected) {
            assert!((s / (e * 1e3) - 1.0).abs() < 1e-12, "{s} vs {e} ops/ms");
        }
        // avgt in ns/op: time, lower is better.
        let b = &run.benchmarks[35];
        assert_eq!(
            b.id,
            "org.casbin.jcasbin.main.benchmark.cached.BenchmarkCachedBasicModel.benchmarkCachedBasicModel"
        );
        let m = &b.measurements[0];
        assert_eq!(
            (m.metric.clone(), m.direction),
            (Metric::Time, Direction::LowerIsBetter)
        );
        assert_eq!(m.unit, "ns");
        assert!((m.value - 59.98352391355977).abs() < 1e-9);
        // ss in ms/op: time in ns.
        let ss = run
            .benchmarks
            .iter()
            .find(|b| b.id.contains("measureMemory"))
            .expect("single-shot benchmark");
        assert_eq!(ss.measurements[0].metric, Metric::Time);
        assert_eq!(ss.measurements[0].unit, "ns");
        assert!(ss.measurements[0].value > 1e5, "ms/op as ns");
    }

    #[test]
    fn secondary_metrics_mode_collisions_and_histograms() {
        let text = r#"[
          {"benchmark": "a.B.m", "mode": "thrpt", "primaryMetric": {"score": 5.0,
             "scoreError": "NaN", "scoreUnit": "ops/us", "rawData": [[4.0, 5.0], [6.0]]},
           "secondaryMetrics": {"·gc.alloc.rate.norm": {"score": 24.0, "scoreUnit": "B/op",
             "rawData": [[24.0, 24.0], [24.0]]}}},
          {"benchmark": "a.B.m", "mode": "sample", "primaryMetric": {"score": 9.0,
             "scoreUnit": "us/op", "scorePercentiles": {"50.0": 8.0},
             "rawDataHistogram": [[[[8.0, 3]]]]}, "secondaryMetrics": {}}
        ]"#;
        let run = parse(Path::new("x.json"), text.as_bytes())
            .expect("parses")
            .run;
        assert_eq!(run.benchmarks[0].id, "a.B.m (thrpt)");
        assert_eq!(run.benchmarks[1].id, "a.B.m (sample)");
        let thrpt = &run.benchmarks[0].measurements;
        assert_eq!(
            thrpt[0].value, 5e6,
            "median of both forks' iterations, per second"
        );
        assert_eq!(thrpt[0].n, Some(3));
        assert_eq!(thrpt[1].metric, Metric::Custom("gc.alloc.rate.norm".into()));
        assert_eq!((thrpt[1].unit.as_str(), thrpt[1].value), ("B/op", 24.0));
        assert_eq!(thrpt[1].direction, Direction::LowerIsBetter);
        let sample = &run.benchmarks[1].measurements[0];
        assert_eq!(
            (sample.value, sample.estimator),
            (8000.0, Some(Estimator::Median))
        );
    }

    #[test]
    fn bad_input_names_the_benchmark_and_field() {
        assert!(err("[]").contains("no benchmark results"));
        assert!(err(r#"[{"benchmark": "a"#).contains("truncated"));
        let one = |mode: &str, unit: &str, raw: &str| {
            format!(
                r#"[{{"benchmark": "a.B.m", "mode": "{mode}", "primaryMetric": {{"score": 1.0,
                "scoreUnit": "{unit}", "rawData": {raw}}}}}]"#
            )
        };
        assert!(err(&one("fast", "ns/op", "[]")).contains("unknown mode `fast`"));
        assert!(err(&one("avgt", "ns/op", "[[1.0, NaN]]")).contains("rawData[0][1]"));
        assert!(err(&one("avgt", "ns/op", "[[1.0, -2.0]]")).contains("negative"));
        assert!(err(&one("avgt", "ns/op", "[[1.0, 1e999]]")).contains("rawData[0][1]"));
        assert!(err(&one("avgt", "widgets", "[]")).contains("not a time per operation"));
        let two = format!(
            "[{0}, {0}]",
            &one("avgt", "ns/op", "[]")[1..one("avgt", "ns/op", "[]").len() - 1]
        );
        assert!(
            err(&two).contains("duplicate benchmark `a.B.m`"),
            "{}",
            err(&two)
        );
        assert!(err(r#"[{"benchmark": "a.B.m", "mode": "avgt", "primaryMetric": {"score": "x", "scoreUnit": "ns/op"}}]"#).contains("score"));
    }
}
