//! `cargo criterion --message-format=json`: one JSON object per line.
//!
//! `benchmark-complete` messages carry the samples (`measured_values` over
//! `iteration_count`) and the estimates, but no standard deviation, so it is computed
//! from the samples. Every benchmark's group ends with a `group-complete` message; a
//! stream that stops before it was cut short (cargo-criterion 1.1.0 dies partway on
//! criterion 0.8's `BytesDecimal` throughput), and is refused rather than read as a
//! smaller run.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Deserialize;

use super::Loaded;
use super::criterion::{CThroughput, throughput_measurements};
use super::json::check_value;
use crate::error::{Error, Result};
use crate::model::{Benchmark, Direction, Estimator, Measurement, Metric, Run, RunMeta};

const FORMAT: &str = "cargo-criterion";

#[derive(Debug, Deserialize)]
struct Message {
    reason: String,
}

#[derive(Debug, Deserialize)]
struct BenchmarkComplete {
    id: String,
    iteration_count: Vec<f64>,
    measured_values: Vec<f64>,
    unit: String,
    #[serde(default)]
    throughput: Vec<ThroughputJson>,
    mean: Estimate,
    #[serde(default)]
    median: Option<Estimate>,
    #[serde(default)]
    median_abs_dev: Option<Estimate>,
}

#[derive(Debug, Deserialize)]
struct GroupComplete {
    benchmarks: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct Estimate {
    estimate: Option<f64>,
}

#[derive(Debug, Deserialize)]
struct ThroughputJson {
    per_iteration: f64,
    unit: String,
}

/// Parses a cargo-criterion JSON message stream.
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Loaded> {
    let invalid = |msg: String| Error::input(path, Some(FORMAT), msg);
    let text = std::str::from_utf8(bytes).map_err(|e| invalid(format!("not UTF-8 text: {e}")))?;
    let mut benchmarks = Vec::new();
    let mut open: BTreeSet<String> = BTreeSet::new();
    let mut warnings = Vec::new();
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .collect();
    for (pos, (i, line)) in lines.iter().enumerate() {
        let line_no = i + 1;
        let msg: Message = serde_json::from_str(line).map_err(|e| {
            if e.is_eof() && pos + 1 == lines.len() {
                invalid(format!(
                    "line {line_no}: the stream ends partway through a message (truncated)"
                ))
            } else {
                invalid(format!(
                    "line {line_no}: not a cargo-criterion message: {e}"
                ))
            }
        })?;
        match msg.reason.as_str() {
            "benchmark-complete" => {
                let b: BenchmarkComplete = serde_json::from_str(line).map_err(|e| {
                    invalid(format!(
                        "line {line_no}: invalid benchmark-complete message: {e}"
                    ))
                })?;
                open.insert(b.id.clone());
                benchmarks.push(convert(b, line_no, &mut warnings).map_err(invalid)?);
            }
            "group-complete" => {
                let g: GroupComplete = serde_json::from_str(line).map_err(|e| {
                    invalid(format!(
                        "line {line_no}: invalid group-complete message: {e}"
                    ))
                })?;
                for id in g.benchmarks {
                    open.remove(&id);
                }
            }
            _ => {}
        }
    }
    if let Some(id) = open.first() {
        return Err(invalid(format!(
            "the stream ends after benchmark `{id}` without its `group-complete` message: \
             cargo-criterion stopped partway (check its stderr; 1.1.0 crashes on \
             `Throughput::BytesDecimal`), so the run is incomplete"
        )));
    }
    if benchmarks.is_empty() {
        return Err(invalid(
            "no `benchmark-complete` messages: save the stream with \
             `cargo criterion --message-format=json > results.json`"
                .to_string(),
        ));
    }
    let meta = RunMeta {
        tool: FORMAT.to_string(),
        ..RunMeta::default()
    };
    let warnings = warnings
        .into_iter()
        .map(|w| format!("{}: {w}", path.display()))
        .collect();
    Ok(Loaded {
        run: Run { meta, benchmarks },
        warnings,
    })
}

fn convert(
    b: BenchmarkComplete,
    line_no: usize,
    warnings: &mut Vec<String>,
) -> Result<Benchmark, String> {
    let what = |field: &str| format!("line {line_no}: benchmark `{}`: {field}", b.id);
    if b.unit != "ns" {
        return Err(what(&format!(
            "unit `{}` is not wall-clock time in ns (custom measurements are not supported yet)",
            b.unit
        )));
    }
    if b.iteration_count.len() != b.measured_values.len() || b.measured_values.is_empty() {
        return Err(what(
            "iteration_count and measured_values differ in length or are empty",
        ));
    }
    let samples = b
        .measured_values
        .iter()
        .zip(&b.iteration_count)
        .enumerate()
        .map(|(i, (v, n))| check_value(Some(v / n), || what(&format!("sample {i}")), true))
        .collect::<Result<Vec<f64>, String>>()?;
    let mean = check_value(b.mean.estimate, || what("mean.estimate"), true)?;
    let n = samples.len() as u64;
    // The median and its MAD when the message has them (as criterion's own files do):
    // robust to the samples a busy machine slows.
    let robust = match (&b.median, &b.median_abs_dev) {
        (Some(m), Some(d)) => Some((
            check_value(m.estimate, || what("median.estimate"), true)?,
            check_value(d.estimate, || what("median_abs_dev.estimate"), true)?,
        )),
        _ => None,
    };
    let (value, std_dev, estimator) = match robust {
        Some((median, mad)) => (median, mad, Estimator::Median),
        None => (mean, crate::stats::mean_sd(&samples).1, Estimator::Mean),
    };
    let mut measurements = vec![{
        let mut t = Measurement::new(Metric::Time, Direction::LowerIsBetter, "ns", value)
            .with_spread(Some(std_dev), Some(n))
            .with_estimator(estimator);
        t.samples = Some(samples);
        t
    }];
    for tp in &b.throughput {
        let kind = match tp.unit.as_str() {
            "bytes" => CThroughput::Bytes(tp.per_iteration),
            "bits" => CThroughput::Bits(tp.per_iteration),
            "elements" => CThroughput::Elements(tp.per_iteration),
            other => {
                warnings.push(what(&format!(
                    "throughput unit `{other}` is not known; skipped"
                )));
                continue;
            }
        };
        measurements.extend(throughput_measurements(
            Some(&kind),
            value,
            std_dev,
            n,
            estimator,
        ));
    }
    Ok(Benchmark {
        id: b.id,
        group: None,
        measurements,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::fixture;

    #[test]
    fn reads_benchmark_complete_messages() {
        let (p, bytes) = fixture("fixtures/criterion/baseline.cargo-criterion.json");
        let run = parse(&p, &bytes).expect("parses").run;
        let ids: Vec<&str> = run.benchmarks.iter().map(|b| b.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "sort/slowed",
                "sum/sped_up",
                "parse/digits/64",
                "parse/digits/4096",
                "parse/json fast"
            ]
        );
        let first: serde_json::Value = serde_json::from_str(
            std::str::from_utf8(&bytes)
                .expect("utf8")
                .lines()
                .next()
                .expect("line"),
        )
        .expect("json");
        let t = &run.benchmarks[0].measurements[0];
        assert_eq!(
            t.value,
            first["median"]["estimate"].as_f64().expect("median")
        );
        assert_eq!(t.stddev, first["median_abs_dev"]["estimate"].as_f64());
        assert_eq!(t.estimator, Some(Estimator::Median));
        assert!(run.benchmarks[2].measurements[1].derived);
        assert_eq!(
            t.n,
            Some(first["iteration_count"].as_array().expect("counts").len() as u64)
        );
        assert!(t.stddev.expect("sd") > 0.0);
        assert_eq!(run.benchmarks[2].measurements[1].unit, "B/s");
    }

    #[test]
    fn a_stream_cut_partway_is_refused() {
        let (p, bytes) = fixture("fixtures/criterion/baseline.cargo-criterion.json");
        let cut = &bytes[..bytes.len() / 2];
        let msg = parse(&p, cut).unwrap_err().to_string();
        assert!(msg.contains("truncated"), "{msg}");
        // Cut at a line boundary: a benchmark whose group never completed.
        let first_line = bytes.split(|b| *b == b'\n').next().expect("line");
        let msg = parse(&p, first_line).unwrap_err().to_string();
        assert!(
            msg.contains("stopped partway") && msg.contains("sort/slowed"),
            "{msg}"
        );
    }

    #[test]
    fn a_real_crash_between_groups_reads_what_completed() {
        // cargo-criterion 1.1.0 died on `decimal/copy` (BytesDecimal) after finishing
        // `copy/plain`; nothing in the stream says so. The analysis reports the
        // benchmarks that went missing against the baseline instead.
        let (p, bytes) = fixture("fixtures/criterion/truncated.cargo-criterion.json");
        let run = parse(&p, &bytes).expect("complete messages").run;
        let ids: Vec<&str> = run.benchmarks.iter().map(|b| b.id.as_str()).collect();
        assert_eq!(ids, ["copy/plain"]);
    }
}
