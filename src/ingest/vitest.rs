//! Vitest benchmarks, `vitest bench --outputJson FILE`: `{"files": [{"filepath",
//! "groups": [{"fullName", "benchmarks": [{"name", "median", "mean", "sd",
//! "sampleCount", "samples", …}]}]}]}`, times in milliseconds per iteration.
//!
//! Compared: the median (Vitest 3 writes no samples; older versions' `samples` are
//! kept when present), `sd` as the spread, `sampleCount` as n.

use rustc_hash::FxHashMap as HashMap;
use std::path::Path;

use serde::Deserialize;

use super::json::{check_value, parse as parse_json};
use super::{Loaded, robust_summary};
use crate::error::{Error, Result};
use crate::model::{Benchmark, Direction, Estimator, Measurement, Metric};

const FORMAT: &str = "vitest";
const NS_PER_MS: f64 = 1e6;

#[derive(Debug, Deserialize)]
struct VFile {
    files: Vec<VTestFile>,
}

#[derive(Debug, Deserialize)]
struct VTestFile {
    #[serde(default)]
    groups: Vec<VGroup>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct VGroup {
    full_name: String,
    #[serde(default)]
    benchmarks: Vec<VBench>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct VBench {
    name: String,
    #[serde(default)]
    median: Option<f64>,
    #[serde(default)]
    mean: Option<f64>,
    #[serde(default)]
    sd: Option<f64>,
    #[serde(default)]
    sample_count: Option<u64>,
    #[serde(default)]
    samples: Vec<Option<f64>>,
}

/// Parses a `vitest bench --outputJson` file.
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Loaded> {
    let file: VFile = parse_json(path, FORMAT, bytes)?;
    let invalid = |msg: String| Error::input(path, Some(FORMAT), msg);
    let mut benchmarks = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::default();
    for group in file.files.iter().flat_map(|f| &f.groups) {
        for b in &group.benchmarks {
            // As Vitest names it: `file > describe > bench`.
            let id = format!("{} > {}", group.full_name, b.name);
            let what = |field: &str| format!("`{id}`: {field}");
            let samples = b
                .samples
                .iter()
                .enumerate()
                .map(|(i, v)| check_value(*v, || what(&format!("samples[{i}]")), true))
                .collect::<std::result::Result<Vec<f64>, String>>()
                .map_err(invalid)?;
            let time = if samples.len() >= 2 {
                let ns: Vec<f64> = samples.iter().map(|v| v * NS_PER_MS).collect();
                let mut m = robust_summary(Metric::Time, Direction::LowerIsBetter, "ns", &ns);
                m.samples = Some(ns);
                m
            } else {
                let (value, estimator) = match b.median {
                    Some(_) => (b.median, Estimator::Median),
                    None => (b.mean, Estimator::Mean),
                };
                let value = check_value(value, || what("median"), true).map_err(invalid)?;
                let sd =
                    b.sd.map(|s| check_value(Some(s), || what("sd"), true))
                        .transpose()
                        .map_err(invalid)?;
                Measurement::new(
                    Metric::Time,
                    Direction::LowerIsBetter,
                    "ns",
                    value * NS_PER_MS,
                )
                .with_spread(sd.map(|s| s * NS_PER_MS), b.sample_count)
                .with_estimator(estimator)
            };
            let at = benchmarks.len();
            if let Some(first) = seen.insert(id.clone(), at) {
                return Err(invalid(format!(
                    "benchmarks {first} and {at}: duplicate benchmark `{id}`"
                )));
            }
            benchmarks.push(Benchmark {
                id,
                group: Some(group.full_name.clone()),
                measurements: vec![time],
            });
        }
    }
    if benchmarks.is_empty() {
        return Err(invalid(
            "no benchmark results: write them with `vitest bench --run --outputJson FILE`".into(),
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
    fn median_sd_and_sample_count_in_ns() {
        let (p, bytes) = fixture("fixtures/vitest/baseline.json");
        let run = parse(&p, &bytes).expect("parses").run;
        let ids = crate::ingest::ids(&run);
        assert_eq!(
            ids,
            [
                "sort.bench.js > sorting > sort 2048",
                "sort.bench.js > sorting > sort 64",
                "sort.bench.js > strings > JSON round trip"
            ]
        );
        let raw: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
        let first = &raw["files"][0]["groups"][0]["benchmarks"][0];
        let m = &run.benchmarks[0].measurements[0];
        let median = first["median"].as_f64().expect("median");
        assert!((m.value / (median * 1e6) - 1.0).abs() < 1e-12);
        assert_eq!(m.n, first["sampleCount"].as_u64());
        assert_eq!(
            (m.unit.as_str(), m.estimator),
            ("ns", Some(Estimator::Median))
        );
        assert_eq!(
            run.benchmarks[0].group.as_deref(),
            Some("sort.bench.js > sorting")
        );
    }

    #[test]
    fn samples_when_present_and_bad_values() {
        let older = r#"{"files": [{"groups": [{"fullName": "a.bench.ts", "benchmarks": [
            {"name": "x", "samples": [1.0, 3.0, 2.0], "median": 9.0}]}]}]}"#;
        let run = parse(Path::new("v.json"), older.as_bytes())
            .expect("parses")
            .run;
        let m = &run.benchmarks[0].measurements[0];
        assert_eq!((m.value, m.n), (2e6, Some(3)));
        assert!(err(r#"{"files": []}"#).contains("no benchmark results"));
        assert!(err(r#"{"files": [{"groups": [{"fullName": "a""#).contains("truncated"));
        let one = |field: &str| {
            format!(
                r#"{{"files": [{{"groups": [{{"fullName": "f", "benchmarks": [{{"name": "x", {field}}}]}}]}}]}}"#
            )
        };
        assert!(err(&one(r#""median": -1"#)).contains("`f > x`: median"));
        assert!(err(&one(r#""median": 1, "sd": -2"#)).contains("`f > x`: sd"));
        assert!(err(&one(r#""samples": [1, Infinity]"#)).contains("samples[1]"));
        let dup = r#"{"files": [{"groups": [{"fullName": "f", "benchmarks": [
            {"name": "x", "median": 1}, {"name": "x", "median": 2}]}]}]}"#;
        assert!(err(dup).contains("duplicate benchmark `f > x`"));
    }
}
