//! hyperfine `--export-json`: `{"results": [{"command", "mean", "stddev", "median",
//! "min", "max", "times": [...], "exit_codes": [...], "parameters"?: {...}}]}`, times
//! in seconds per run of the command. Newer versions add `memory_usage_byte` per run.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::json::{check_value, parse as parse_json};
use super::{Loaded, robust_summary};
use crate::error::{Error, Result};
use crate::model::{Benchmark, Direction, Estimator, Measurement, Metric};

const FORMAT: &str = "hyperfine";
const NS_PER_S: f64 = 1e9;

#[derive(Debug, Deserialize)]
struct HFile {
    results: Vec<HResult>,
}

#[derive(Debug, Deserialize)]
struct HResult {
    command: String,
    #[serde(default)]
    mean: Option<f64>,
    #[serde(default)]
    stddev: Option<f64>,
    #[serde(default)]
    median: Option<f64>,
    #[serde(default)]
    times: Vec<Option<f64>>,
    #[serde(default)]
    exit_codes: Vec<Option<i64>>,
    #[serde(default)]
    parameters: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    memory_usage_byte: Vec<Option<f64>>,
}

/// Parses a hyperfine JSON export.
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Loaded> {
    let file: HFile = parse_json(path, FORMAT, bytes)?;
    let invalid = |msg: String| Error::input(path, Some(FORMAT), msg);
    if file.results.is_empty() {
        return Err(invalid("`results` is empty: no command was timed".into()));
    }
    let mut warnings = Vec::new();
    let mut benchmarks = Vec::with_capacity(file.results.len());
    for r in file.results {
        let id = id_of(&r.command, &r.parameters);
        // A command that failed measured the failure, not the work: reported, not
        // compared (it shows as missing against a baseline that has it).
        let failed: Vec<i64> = r
            .exit_codes
            .iter()
            .flatten()
            .copied()
            .filter(|c| *c != 0)
            .collect();
        if !failed.is_empty() {
            warnings.push(format!(
                "{}: `{id}` failed ({} of {} runs exited non-zero, e.g. {}): reported as failed, \
                 not compared",
                path.display(),
                failed.len(),
                r.exit_codes.len(),
                failed[0]
            ));
            continue;
        }
        let what = |field: &str| format!("`{id}`: {field}");
        let times = r
            .times
            .iter()
            .enumerate()
            .map(|(i, t)| check_value(*t, || what(&format!("times[{i}]")), true))
            .collect::<Result<Vec<f64>, String>>()
            .map_err(invalid)?;
        // The median and a robust sigma of the runs, like the other formats; hyperfine's
        // own summary only when the runs are not exported.
        let time = if times.len() >= 2 {
            let times_ns: Vec<f64> = times.iter().map(|t| t * NS_PER_S).collect();
            let mut time = robust_summary(Metric::Time, Direction::LowerIsBetter, "ns", &times_ns);
            time.samples = Some(times_ns);
            time
        } else {
            let (value, estimator) = match r.median {
                Some(_) => (
                    check_value(r.median, || what("median"), true).map_err(invalid)?,
                    Estimator::Median,
                ),
                None => (
                    check_value(r.mean, || what("mean"), true).map_err(invalid)?,
                    Estimator::Mean,
                ),
            };
            Measurement::new(
                Metric::Time,
                Direction::LowerIsBetter,
                "ns",
                value * NS_PER_S,
            )
            .with_spread(
                r.stddev.filter(|s| s.is_finite()).map(|s| s * NS_PER_S),
                None,
            )
            .with_estimator(estimator)
        };
        let mut measurements = vec![time];
        let memory: Vec<f64> = r
            .memory_usage_byte
            .iter()
            .flatten()
            .copied()
            .filter(|m| m.is_finite() && *m >= 0.0)
            .collect();
        if !memory.is_empty() {
            measurements.push(robust_summary(
                Metric::Memory,
                Direction::LowerIsBetter,
                "B",
                &memory,
            ));
        }
        benchmarks.push(Benchmark {
            id,
            group: None,
            measurements,
        });
    }
    Loaded::unless_all_failed(FORMAT, benchmarks, warnings, "command").map_err(invalid)
}

/// The command is the id; a parameter-scan value the command does not show (a
/// `--command-name` without `{param}`) is added, so each value keeps its own id.
fn id_of(command: &str, parameters: &BTreeMap<String, serde_json::Value>) -> String {
    let hidden: Vec<String> = parameters
        .iter()
        .map(|(k, v)| (k, v.as_str().map_or_else(|| v.to_string(), str::to_string)))
        .filter(|(_, v)| !command.contains(v.as_str()))
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    if hidden.is_empty() {
        command.to_string()
    } else {
        format!("{command} [{}]", hidden.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::fixture;

    #[test]
    fn reads_runs_as_samples_and_keeps_parameters_in_the_ids() {
        let (p, bytes) = fixture("fixtures/hyperfine/baseline.json");
        let loaded = parse(&p, &bytes).expect("parses");
        let raw: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
        let first = &raw["results"][0];
        let b = &loaded.run.benchmarks[0];
        assert_eq!(b.id, first["command"].as_str().expect("command"));
        let t = &b.measurements[0];
        let times: Vec<f64> = first["times"]
            .as_array()
            .expect("times")
            .iter()
            .map(|v| v.as_f64().expect("number") * 1e9)
            .collect();
        assert_eq!(t.samples.as_deref(), Some(times.as_slice()));
        assert_eq!(t.n, Some(times.len() as u64));
        assert_eq!(t.estimator, Some(Estimator::Median));
        assert!((t.value - first["median"].as_f64().expect("median") * 1e9).abs() < 1.0);
        // `sort` ran once per value of the scan: the value is in each id.
        let ids: Vec<&str> = loaded
            .run
            .benchmarks
            .iter()
            .map(|b| b.id.as_str())
            .collect();
        assert!(ids.contains(&"sh work.sh sort [n=100000]"), "{ids:?}");
        assert!(ids.contains(&"sh work.sh sort [n=200000]"), "{ids:?}");
        // The failing command is reported, not compared.
        assert!(!ids.iter().any(|i| i.contains("fail")), "{ids:?}");
        assert_eq!(loaded.warnings.len(), 2, "{:?}", loaded.warnings);
        assert!(loaded.warnings[0].contains("exited non-zero"));
    }

    #[test]
    fn bad_files_are_errors_naming_the_command() {
        let err = |doc: &str| {
            parse(Path::new("h.json"), doc.as_bytes())
                .unwrap_err()
                .to_string()
        };
        assert!(err(r#"{"results": []}"#).contains("no command was timed"));
        let e =
            err(r#"{"results": [{"command": "x", "times": [0.1, -1.0], "exit_codes": [0, 0]}]}"#);
        assert!(e.contains("`x`: times[1] is negative"), "{e}");
        let e = err(r#"{"results": [{"command": "x", "times": [0.1], "exit_codes": [1]}]}"#);
        assert!(e.contains("every command failed"), "{e}");
        // Without runs, hyperfine's median is used.
        let ok = parse(
            Path::new("h.json"),
            br#"{"results": [{"command": "x", "median": 0.5, "stddev": 0.1, "times": [], "exit_codes": []}]}"#,
        )
        .expect("parses");
        assert_eq!(ok.run.benchmarks[0].measurements[0].value, 0.5e9);
    }
}
