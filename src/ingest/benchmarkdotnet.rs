//! BenchmarkDotNet's JSON exporters (`--exporters json`, `JsonExporter.Full`, `.Brief`
//! and their `Compressed` forms): `{"Title", "HostEnvironmentInfo", "Benchmarks":
//! [{"FullName", "DisplayInfo", "Parameters", "Statistics": {...} | null, "Memory"?,
//! "Measurements"?, "Metrics"?}]}`.
//!
//! The full exporter writes every iteration: those with `IterationMode: Workload` and
//! `IterationStage: Actual` are the samples (nanoseconds per operation). The brief one
//! has only `Statistics`, whose `OriginalValues` are the same iterations with the
//! overhead subtracted. `Statistics: null` is a benchmark that failed (BenchmarkDotNet
//! prints `NA`): reported, not compared.

use rustc_hash::FxHashMap as HashMap;
use std::path::Path;

use serde::Deserialize;

use super::json::{check_value, parse as parse_json};
use super::{Loaded, robust_summary};
use crate::error::{Error, Result};
use crate::model::{Benchmark, Direction, Estimator, Measurement, Metric};

const FORMAT: &str = "benchmarkdotnet";

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct BFile {
    benchmarks: Vec<BBench>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct BBench {
    full_name: String,
    #[serde(default)]
    display_info: String,
    #[serde(default)]
    statistics: Option<BStats>,
    #[serde(default)]
    measurements: Vec<BMeasurement>,
    #[serde(default)]
    metrics: Vec<BMetric>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct BStats {
    #[serde(default)]
    original_values: Vec<Option<f64>>,
    #[serde(default)]
    median: Option<f64>,
    #[serde(default)]
    mean: Option<f64>,
    #[serde(default)]
    standard_deviation: Option<f64>,
    #[serde(default)]
    n: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct BMeasurement {
    iteration_mode: String,
    iteration_stage: String,
    operations: Option<f64>,
    nanoseconds: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct BMetric {
    value: Option<f64>,
    descriptor: BDescriptor,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct BDescriptor {
    id: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    the_greater_the_better: bool,
}

/// Parses a BenchmarkDotNet JSON export (full or brief, indented or compressed).
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Loaded> {
    let file: BFile = parse_json(path, FORMAT, bytes)?;
    let invalid = |msg: String| Error::input(path, Some(FORMAT), msg);
    if file.benchmarks.is_empty() {
        return Err(invalid("`Benchmarks` is empty: no benchmark ran".into()));
    }
    // One method run by several jobs (runtimes, configurations) has one `FullName`:
    // each job keeps its own id.
    let mut names: HashMap<&str, usize> = HashMap::default();
    for b in &file.benchmarks {
        *names.entry(b.full_name.as_str()).or_default() += 1;
    }
    let mut warnings = Vec::new();
    let mut benchmarks = Vec::with_capacity(file.benchmarks.len());
    let mut seen = HashMap::default();
    for (i, b) in file.benchmarks.iter().enumerate() {
        let id = if names[b.full_name.as_str()] > 1 {
            let job = b.display_info.rsplit_once(": ").map_or("", |(_, job)| job);
            format!("{} [{job}]", b.full_name)
        } else {
            b.full_name.clone()
        };
        if let Some(first) = seen.insert(id.clone(), i) {
            return Err(invalid(format!(
                "benchmarks {first} and {i}: duplicate benchmark `{id}`"
            )));
        }
        let Some(stats) = &b.statistics else {
            warnings.push(format!(
                "{}: `{id}` failed (no statistics: BenchmarkDotNet shows NA): reported as \
                 failed, not compared",
                path.display()
            ));
            continue;
        };
        let at = |what: String| format!("`{id}`: {what}");
        let actual: Vec<(usize, &BMeasurement)> = b
            .measurements
            .iter()
            .enumerate()
            .filter(|(_, m)| m.iteration_mode == "Workload" && m.iteration_stage == "Actual")
            .collect();
        let samples: Vec<f64> = if !actual.is_empty() {
            actual
                .iter()
                .map(|(j, m)| {
                    let ns = check_value(
                        m.nanoseconds,
                        || at(format!("Measurements[{j}].Nanoseconds")),
                        true,
                    )?;
                    let ops = check_value(
                        m.operations,
                        || at(format!("Measurements[{j}].Operations")),
                        true,
                    )?;
                    if ops == 0.0 {
                        return Err(at(format!("Measurements[{j}].Operations is 0")));
                    }
                    Ok(ns / ops)
                })
                .collect::<std::result::Result<_, String>>()
                .map_err(invalid)?
        } else {
            stats
                .original_values
                .iter()
                .enumerate()
                .map(|(j, v)| {
                    check_value(*v, || at(format!("Statistics.OriginalValues[{j}]")), true)
                })
                .collect::<std::result::Result<_, String>>()
                .map_err(invalid)?
        };
        let time = if samples.len() >= 2 {
            let mut m = robust_summary(Metric::Time, Direction::LowerIsBetter, "ns", &samples);
            m.samples = Some(samples);
            m
        } else {
            let (value, estimator) = match stats.median {
                Some(_) => (stats.median, Estimator::Median),
                None => (stats.mean, Estimator::Mean),
            };
            let value =
                check_value(value, || at("Statistics.Median".into()), true).map_err(invalid)?;
            Measurement::new(Metric::Time, Direction::LowerIsBetter, "ns", value)
                .with_spread(stats.standard_deviation.filter(|s| s.is_finite()), stats.n)
                .with_estimator(estimator)
        };
        let mut measurements = vec![time];
        // `[MemoryDiagnoser]` adds the metrics: allocated bytes per operation as memory,
        // the GC counts per 1000 operations as custom metrics.
        for (j, m) in b.metrics.iter().enumerate() {
            let value = check_value(m.value, || at(format!("Metrics[{j}].Value")), true)
                .map_err(invalid)?;
            let d = &m.descriptor;
            let direction = if d.the_greater_the_better {
                Direction::HigherIsBetter
            } else {
                Direction::LowerIsBetter
            };
            let measurement = if d.id == "Allocated Memory" && d.unit == "B" {
                // Bytes allocated per operation: the code's own count, no run-to-run noise.
                Measurement::new(Metric::Memory, direction, "B", value).deterministic()
            } else {
                Measurement::new(Metric::Custom(d.id.clone()), direction, &d.unit, value)
            };
            measurements.push(measurement.with_estimator(Estimator::Value));
        }
        benchmarks.push(Benchmark {
            id,
            group: None,
            measurements,
        });
    }
    Loaded::unless_all_failed(FORMAT, benchmarks, warnings, "benchmark").map_err(invalid)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::fixture;

    fn err(text: &str) -> String {
        crate::ingest::refusal(parse, text)
    }

    #[test]
    fn workload_actual_iterations_are_the_samples_and_memory_is_kept() {
        let (p, bytes) = fixture("fixtures/benchmarkdotnet/baseline.json");
        let run = parse(&p, &bytes).expect("parses").run;
        assert_eq!(run.benchmarks.len(), 4);
        let b = &run.benchmarks[0];
        assert_eq!(
            b.id,
            "NexusLabs.Needlr.Benchmarks.Benchmarks.HostBuildBenchmarks.ManualDI_BuildHost"
        );
        let t = &b.measurements[0];
        assert_eq!((t.metric.clone(), t.unit.as_str()), (Metric::Time, "ns"));
        assert_eq!(
            t.samples.as_deref(),
            Some(&[2536937.0, 2634076.0, 2263563.0, 2273298.0, 2254200.0][..]),
            "Workload/Actual nanoseconds per operation"
        );
        assert_eq!((t.value, t.n), (2273298.0, Some(5)));
        let mem = b
            .measurements
            .iter()
            .find(|m| m.metric == Metric::Memory)
            .expect("allocated bytes");
        assert_eq!((mem.value, mem.unit.as_str()), (325664.0, "B"));
        assert!(
            b.measurements
                .iter()
                .any(|m| m.metric == Metric::Custom("Gen0Collects".into()))
        );
    }

    #[test]
    fn a_failed_benchmark_is_reported_not_compared() {
        let (p, bytes) = fixture("fixtures/benchmarkdotnet/failed.json");
        let loaded = parse(&p, &bytes).expect("parses");
        assert_eq!(loaded.run.benchmarks.len(), 4);
        assert_eq!(loaded.warnings.len(), 1);
        assert!(
            loaded.warnings[0].contains("Needlr_Reflection_GetService` failed"),
            "{:?}",
            loaded.warnings
        );
    }

    #[test]
    fn brief_exports_jobs_and_bad_values() {
        // The brief exporter: statistics only.
        let brief = r#"{"Benchmarks": [
            {"FullName": "N.T.M", "DisplayInfo": "T.M: Job-A(Runtime=.NET 8.0)",
             "Statistics": {"OriginalValues": [10.0, 12.0, 11.0], "Median": 11.0, "N": 3}},
            {"FullName": "N.T.M", "DisplayInfo": "T.M: Job-B(Runtime=.NET 9.0)",
             "Statistics": {"OriginalValues": [], "Median": 9.0, "StandardDeviation": 1.0, "N": 3}}]}"#;
        let run = parse(Path::new("b.json"), brief.as_bytes())
            .expect("parses")
            .run;
        assert_eq!(run.benchmarks[0].id, "N.T.M [Job-A(Runtime=.NET 8.0)]");
        assert_eq!(run.benchmarks[1].id, "N.T.M [Job-B(Runtime=.NET 9.0)]");
        assert_eq!(run.benchmarks[0].measurements[0].value, 11.0);
        let m = &run.benchmarks[1].measurements[0];
        assert_eq!((m.value, m.stddev, m.n), (9.0, Some(1.0), Some(3)));
        assert!(err(r#"{"Benchmarks": []}"#).contains("no benchmark ran"));
        assert!(err(r#"{"Benchmarks": [{"FullName": "a""#).contains("truncated"));
        assert!(err(r#"{"Benchmarks": [{"FullName": "a", "Statistics": {"OriginalValues": [1.0, NaN]}}]}"#)
            .contains("`a`: Statistics.OriginalValues[1]"));
        assert!(err(r#"{"Benchmarks": [{"FullName": "a", "Statistics": {"OriginalValues": [1.0, -1.0]}}]}"#)
            .contains("negative"));
        assert!(
            err(r#"{"Benchmarks": [{"FullName": "a", "Statistics": null}]}"#)
                .contains("every benchmark failed")
        );
        let zero = r#"{"Benchmarks": [{"FullName": "a", "Statistics": {}, "Measurements": [
            {"IterationMode": "Workload", "IterationStage": "Actual", "Operations": 0, "Nanoseconds": 5}]}]}"#;
        assert!(err(zero).contains("Operations is 0"));
        let dup = r#"{"Benchmarks": [{"FullName": "a", "DisplayInfo": "a: J", "Statistics": {"Median": 1.0}},
            {"FullName": "a", "DisplayInfo": "a: J", "Statistics": {"Median": 1.0}}]}"#;
        assert!(err(dup).contains("duplicate benchmark `a [J]`"));
    }
}
