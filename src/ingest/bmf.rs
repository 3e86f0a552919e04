//! Bencher Metric Format (BMF), what `bencher run --adapter json` reads and its
//! adapters write: `{"benchmark": {"measure": {"value", "lower_value",
//! "upper_value"}}}`, one object per benchmark, one per measure in it.
//!
//! Bencher's built-in measures keep their meaning: `latency` (ns, lower is better),
//! `throughput` (operations per second, higher is better), `file-size` (bytes) and
//! `build-time` (seconds). The counts of Bencher's Valgrind adapters (`instructions`,
//! `l1-hits`, `estimated-cycles`, …, and DHAT's `Total Bytes`, `Max Blocks`, …) are
//! deterministic. Any other measure is a custom metric, lower is better unless
//! bench-bot.toml says otherwise. `lower_value` and `upper_value` are bounds whose
//! meaning depends on the adapter (a confidence interval, the minimum and maximum, a
//! deviation): they are checked, not used as a spread.

use std::path::Path;

use serde::Deserialize;

use super::Loaded;
use super::json::{Entries, check_value, parse as parse_json};
use super::unique::first_repeat;
use crate::error::{Error, Result};
use crate::model::{Benchmark, Direction, Estimator, Measurement, Metric};

const FORMAT: &str = "bmf";

#[derive(Debug, Deserialize)]
struct MeasureValue {
    value: Option<f64>,
    #[serde(default)]
    lower_value: Option<f64>,
    #[serde(default)]
    upper_value: Option<f64>,
}

/// Valgrind counts as Bencher's iai, iai-callgrind and gungraun adapters name them.
const COUNTS: &[&str] = &[
    "instructions",
    "l1-hits",
    "l2-hits",
    "ll-hits",
    "ram-hits",
    "total-read-write",
    "total-accesses",
    "estimated-cycles",
];

/// What a measure is: metric, unit, direction, deterministic.
fn measure(slug: &str) -> (Metric, &'static str, Direction, bool) {
    let lower = Direction::LowerIsBetter;
    match slug {
        "latency" => (Metric::Time, "ns", lower, false),
        "throughput" => (
            Metric::Throughput,
            "ops/s",
            Direction::HigherIsBetter,
            false,
        ),
        "file-size" => (Metric::Custom(slug.into()), "B", lower, true),
        "build-time" => (Metric::Custom(slug.into()), "s", lower, false),
        s if COUNTS.contains(&s) => (Metric::Custom(slug.into()), "", lower, true),
        // DHAT's heap counts: `Total Bytes`, `Max Blocks`, `At t-gmax Bytes`, …
        s if s.ends_with(" Bytes") => (Metric::Custom(slug.into()), "B", lower, true),
        s if s.ends_with(" Blocks") => (Metric::Custom(slug.into()), "blocks", lower, true),
        _ => (Metric::Custom(slug.into()), "", lower, false),
    }
}

/// Parses a BMF file.
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Loaded> {
    let file: Entries<Box<serde_json::value::RawValue>> = parse_json(path, FORMAT, bytes)?;
    let invalid = |msg: String| Error::input(path, Some(FORMAT), msg);
    if let Some((_, repeat)) = first_repeat(file.0.len(), |i| file.0[i].0.as_str()) {
        return Err(invalid(format!("benchmark `{}` twice", file.0[repeat].0)));
    }
    let mut benchmarks = Vec::with_capacity(file.0.len());
    for (id, measures) in file.0 {
        if measures.get().trim_start().starts_with('[') {
            return Err(invalid(format!(
                "`{id}`: a list of {{parameters, measures}} (BMF v1) is not read; write \
                 `{{\"{id}\": {{\"latency\": {{\"value\": …}}}}}}`"
            )));
        }
        let measures: Entries<MeasureValue> = serde_json::from_str(measures.get())
            .map_err(|e| invalid(format!("`{id}`: not a map of measures ({e})")))?;
        if let Some((_, repeat)) = first_repeat(measures.0.len(), |i| measures.0[i].0.as_str()) {
            let slug = &measures.0[repeat].0;
            return Err(invalid(format!("`{id}` `{slug}`: the measure twice")));
        }
        let mut ms = Vec::with_capacity(measures.0.len());
        for (slug, m) in measures.0 {
            let what = |field: &str| format!("`{id}` `{slug}`: {field}");
            let value = check_value(m.value, || what("value"), true).map_err(invalid)?;
            for (bound, v) in [
                ("lower_value", m.lower_value),
                ("upper_value", m.upper_value),
            ] {
                if let Some(v) = v {
                    check_value(Some(v), || what(bound), false).map_err(invalid)?;
                }
            }
            let (metric, unit, direction, deterministic) = measure(&slug);
            let mut out =
                Measurement::new(metric, direction, unit, value).with_estimator(Estimator::Value);
            out.deterministic = deterministic;
            ms.push(out);
        }
        if ms.is_empty() {
            return Err(invalid(format!("`{id}`: no measures")));
        }
        benchmarks.push(Benchmark {
            id,
            group: None,
            measurements: ms,
        });
    }
    if benchmarks.is_empty() {
        return Err(invalid(
            "no benchmarks: write `{\"name\": {\"latency\": {\"value\": 123.4}}}`".into(),
        ));
    }
    Ok(Loaded::of(FORMAT, benchmarks, Vec::new()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::fixture;

    fn err(text: &str) -> String {
        crate::ingest::refusal(parse, text)
    }

    #[test]
    fn latency_and_dhat_counts() {
        let (p, bytes) = fixture("fixtures/bmf/latency.json");
        let run = parse(&p, &bytes).expect("parses").run;
        assert_eq!(
            crate::ingest::ids(&run),
            [
                "tests::benchmark_a",
                "tests::benchmark_b",
                "tests::benchmark_c"
            ]
        );
        let m = &run.benchmarks[1].measurements[0];
        assert_eq!(
            (&m.metric, m.unit.as_str(), m.value, m.direction),
            (&Metric::Time, "ns", 3443.0, Direction::LowerIsBetter)
        );
        let (p, bytes) = fixture("fixtures/bmf/dhat.json");
        let run = parse(&p, &bytes).expect("parses").run;
        let ms: Vec<(&str, &str, f64, bool)> = run.benchmarks[0]
            .measurements
            .iter()
            .map(|m| (m.metric.as_str(), m.unit.as_str(), m.value, m.deterministic))
            .collect();
        assert_eq!(ms[0], ("Final Blocks", "blocks", 0.0, true));
        assert_eq!(ms[5], ("Total Bytes", "B", 662.0, true));
    }

    #[test]
    fn throughput_custom_measures_and_bad_input() {
        let run = parse(
            Path::new("b.json"),
            br#"{"q": {"throughput": {"value": 5.0}, "p99": {"value": 7.5}}}"#,
        )
        .expect("parses")
        .run;
        let ms = &run.benchmarks[0].measurements;
        assert_eq!(
            (&ms[0].metric, ms[0].direction),
            (&Metric::Throughput, Direction::HigherIsBetter)
        );
        assert_eq!((ms[1].metric.as_str(), ms[1].deterministic), ("p99", false));
        assert!(err(r#"{"a": {"latency": {"value": -1}}}"#).contains("`a` `latency`: value"));
        assert!(err(r#"{"a": {"latency": {}}}"#).contains("value is missing"));
        // Bounds are not used, but must be numbers.
        assert!(err(r#"{"a": {"latency": {"value": 1, "upper_value": "x"}}}"#).contains("`a`"));
        assert!(err(r#"{"a": {}}"#).contains("`a`: no measures"));
        assert!(err(r#"{"a": {"latency": 3}}"#).contains("`a`: not a map of measures"));
        assert!(err(r#"{"a": [{"measures": {}}]}"#).contains("BMF v1"));
        assert!(err(r#"{"a": {"latency": {"value": 1}}, "a": {}}"#).contains("`a` twice"));
        let twice = r#"{"a": {"p99": {"value": 1}, "latency": {"value": 2}, "p99": {"value": 3}}}"#;
        assert!(err(twice).contains("`a` `p99`: the measure twice"));
        assert!(err("{}").contains("no benchmarks"));
        assert!(err(r#"{"a": {"latency": {"value": 1"#).contains("truncated"));
    }
}
