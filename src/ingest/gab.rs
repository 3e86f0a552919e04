//! github-action-benchmark histories: `data.js` (`window.BENCHMARK_DATA = {…}`) or the
//! same object as a JSON file, with `entries` per suite and one element per run.
//!
//! What its tools write differs: for `pytest`, `value` is iter/sec and `range` is the
//! standard deviation of the *time* in seconds (`"stddev: 6.2e-7"`), while `extra`
//! holds `"mean: 8.83 usec\nrounds: 2873"`; those runs are read back as the time
//! measurement pytest-benchmark wrote, so that imported history joins the runs
//! bench-bot reads from pytest-benchmark files later. Go's unit can be
//! `"ns/op\t 0 B/op\t 0 allocs/op"` (the first unit is the value's). The
//! `custom*IsBetter` tools decide the direction by their name.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::custom::parse_range;
use super::json::parse as parse_json;
use crate::error::{Error, Result};
use crate::model::{Benchmark, Direction, Estimator, Measurement, Metric, Run, RunMeta};
use crate::units::parse_unit;

const FORMAT: &str = "github-action-benchmark";

#[derive(Debug, Deserialize)]
struct GabData {
    entries: BTreeMap<String, Vec<GabRun>>,
}

#[derive(Debug, Deserialize)]
struct GabRun {
    #[serde(default)]
    commit: Option<GabCommit>,
    #[serde(default)]
    date: Option<f64>,
    #[serde(default)]
    tool: Option<String>,
    benches: Vec<GabBench>,
}

#[derive(Debug, Deserialize)]
struct GabCommit {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    timestamp: Option<String>,
}

#[derive(Debug, Deserialize)]
struct GabBench {
    name: String,
    value: Option<f64>,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    range: Option<String>,
    #[serde(default)]
    extra: Option<String>,
}

/// Parses a github-action-benchmark history into runs, oldest first per suite.
/// Benchmarks with no usable value are skipped with a warning.
pub fn parse_history(path: &Path, bytes: &[u8]) -> Result<(Vec<Run>, Vec<String>)> {
    let start = bytes.iter().position(|b| *b == b'{').ok_or_else(|| {
        Error::input(
            path,
            Some(FORMAT),
            "no JSON object: expected `window.BENCHMARK_DATA = {…}`",
        )
    })?;
    let mut end = bytes.len();
    while end > start && matches!(bytes[end - 1], b';' | b' ' | b'\n' | b'\r' | b'\t') {
        end -= 1;
    }
    let data: GabData = parse_json(path, FORMAT, &bytes[start..end])?;
    let mut runs = Vec::new();
    let mut warnings = Vec::new();
    for (suite, entries) in data.entries {
        let mut suite_runs: Vec<(f64, Run)> = Vec::with_capacity(entries.len());
        for (i, entry) in entries.into_iter().enumerate() {
            let tool = entry.tool.unwrap_or_default();
            let mut benchmarks: Vec<Benchmark> = Vec::with_capacity(entry.benches.len());
            let mut by_name: rustc_hash::FxHashMap<String, usize> =
                rustc_hash::FxHashMap::default();
            for b in entry.benches {
                match convert(&tool, &b) {
                    Some(m) => match by_name.get(&b.name).map(|&k| &mut benchmarks[k]) {
                        Some(x) if x.measurements.iter().any(|o| o.metric == m.metric) => warnings.push(format!(
                            "{}: suite `{suite}` run {i}: duplicate `{}`; the first is kept",
                            path.display(),
                            b.name
                        )),
                        Some(x) => x.measurements.push(m),
                        None => {
                            by_name.insert(b.name.clone(), benchmarks.len());
                            benchmarks.push(Benchmark {
                                id: b.name.clone(),
                                group: None,
                                measurements: vec![m],
                            });
                        }
                    },
                    None => warnings.push(format!(
                        "{}: suite `{suite}` run {i}: `{}` has no finite, non-negative value; skipped",
                        path.display(),
                        b.name
                    )),
                }
            }
            let commit = entry.commit.as_ref();
            // When the run happened is `date` (when the action ran, in milliseconds); the
            // commit's own time can be days older, or out of order after a rebase.
            let timestamp = entry
                .date
                .and_then(rfc3339_from_millis)
                .or_else(|| commit.and_then(|c| c.timestamp.clone()));
            let meta = RunMeta {
                commit: commit.and_then(|c| c.id.clone()),
                timestamp,
                tool: if tool.is_empty() {
                    FORMAT.to_string()
                } else {
                    format!("{FORMAT}:{tool}")
                },
                suite: Some(suite.clone()),
                sources: vec![path.display().to_string()],
                ..RunMeta::default()
            };
            suite_runs.push((entry.date.unwrap_or(i as f64), Run { meta, benchmarks }));
        }
        // Dates can be out of order in these files; runs are kept in time order.
        suite_runs.sort_by(|a, b| a.0.total_cmp(&b.0));
        runs.extend(suite_runs.into_iter().map(|(_, r)| r));
    }
    Ok((runs, warnings))
}

fn convert(tool: &str, b: &GabBench) -> Option<Measurement> {
    let value = b.value.filter(|v| v.is_finite() && *v >= 0.0)?;
    if tool == "pytest" {
        if let Some(m) = pytest_time(b) {
            return Some(m);
        }
    }
    let unit = parse_unit(&b.unit);
    let direction = match tool {
        "customBiggerIsBetter" => Direction::HigherIsBetter,
        "customSmallerIsBetter" => Direction::LowerIsBetter,
        _ => unit.direction,
    };
    let spread = b
        .range
        .as_deref()
        .and_then(parse_range)
        .map(|s| s * unit.factor);
    Some(
        Measurement::new(unit.metric, direction, &unit.canonical, value * unit.factor)
            .with_spread(spread, None)
            .with_estimator(Estimator::Value),
    )
}

/// pytest entries: `extra` = `"mean: 8.83 usec\nrounds: 2873"`, `range` = the std dev of
/// the time in seconds.
fn pytest_time(b: &GabBench) -> Option<Measurement> {
    let extra = b.extra.as_deref()?;
    let mut mean_ns = None;
    let mut rounds = None;
    for line in extra.lines() {
        if let Some(rest) = line.trim().strip_prefix("mean:") {
            let mut parts = rest.split_whitespace();
            let v: f64 = parts.next()?.parse().ok()?;
            let unit = parse_unit(parts.next().unwrap_or("s"));
            (unit.metric == Metric::Time).then_some(())?;
            mean_ns = Some(v * unit.factor);
        } else if let Some(rest) = line.trim().strip_prefix("rounds:") {
            rounds = rest.trim().parse::<u64>().ok();
        }
    }
    let mean_ns = mean_ns.filter(|v| v.is_finite() && *v >= 0.0)?;
    let sd_ns = b.range.as_deref().and_then(parse_range).map(|s| s * 1e9);
    Some(
        Measurement::new(Metric::Time, Direction::LowerIsBetter, "ns", mean_ns)
            .with_spread(sd_ns, rounds)
            .with_estimator(Estimator::Mean),
    )
}

fn rfc3339_from_millis(ms: f64) -> Option<String> {
    // humantime formats years up to 9999 only (its Display fails beyond, which would
    // panic in to_string): later dates are not dates.
    const YEAR_10000_MS: f64 = 253_402_300_800_000.0;
    if !ms.is_finite() || !(0.0..YEAR_10000_MS).contains(&ms) {
        return None;
    }
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_millis(ms as u64);
    Some(humantime::format_rfc3339_millis(t).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn real(name: &str) -> Option<(std::path::PathBuf, Vec<u8>)> {
        let p = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/data/real-histories")
            .join(name);
        std::fs::read(&p).ok().map(|b| (p, b))
    }

    #[test]
    fn reads_the_real_histories() {
        for (name, runs, benchmarks) in [
            ("python-edtf.data.js", 69, 22),
            ("safetensors.data.js", 517, 16),
            ("rune.data.js", 411, 19),
            ("socks-forwarder-go.data.js", 110, 60),
        ] {
            let Some((p, bytes)) = real(name) else { return };
            let (parsed, _) = parse_history(&p, &bytes).expect(name);
            assert_eq!(parsed.len(), runs, "{name}");
            let distinct: std::collections::BTreeSet<&str> = parsed
                .iter()
                .flat_map(|r| r.benchmarks.iter().map(|b| b.id.as_str()))
                .collect();
            assert!(distinct.len() >= benchmarks, "{name}: {}", distinct.len());
            assert!(
                parsed
                    .windows(2)
                    .all(|w| w[0].meta.timestamp.is_some() && w[1].meta.timestamp.is_some())
            );
        }
    }

    #[test]
    fn pytest_entries_become_time_with_rounds() {
        let doc = br#"window.BENCHMARK_DATA = {"entries": {"Benchmark": [{"commit": {"id": "abc"}, "date": 1,
            "tool": "pytest", "benches": [{"name": "t.py::a", "value": 113230.8, "unit": "iter/sec",
            "range": "stddev: 6.0e-7", "extra": "mean: 8.8 usec\nrounds: 2873"}]}]}};"#;
        let (runs, _) = parse_history(Path::new("d.js"), doc).expect("parses");
        let m = &runs[0].benchmarks[0].measurements[0];
        assert_eq!(m.metric, Metric::Time);
        assert!((m.value - 8800.0).abs() < 1e-6);
        assert!((m.stddev.expect("sd") - 600.0).abs() < 1e-6);
        assert_eq!(m.n, Some(2873));
        assert_eq!(runs[0].meta.suite.as_deref(), Some("Benchmark"));
    }

    #[test]
    fn a_run_happened_at_its_date_not_at_its_commits_time() {
        // rune's history: two commits with the same commit time, benchmarked a day
        // apart, and in that order.
        let Some((path, bytes)) = real("rune.data.js") else {
            return;
        };
        let (runs, _) = parse_history(&path, &bytes).expect("parses");
        let at = |commit: &str| {
            runs.iter()
                .position(|r| {
                    r.meta
                        .commit
                        .as_deref()
                        .is_some_and(|c| c.starts_with(commit))
                })
                .expect("a run of that commit")
        };
        let (first, second) = (&runs[at("d36b83c2")], &runs[at("fad9cf2c")]);
        assert_eq!(
            first.meta.timestamp.as_deref(),
            Some("2025-06-08T01:46:22.378Z")
        );
        assert_eq!(
            second.meta.timestamp.as_deref(),
            Some("2025-06-09T01:44:23.026Z")
        );
        assert!(at("d36b83c2") < at("fad9cf2c"));
        // Every run's time is in the history's order.
        assert!(
            runs.windows(2)
                .all(|w| w[0].meta.time() <= w[1].meta.time())
        );
    }

    /// Found by the `gab_history` fuzz target: a `date` far past year 9999 panicked in
    /// the timestamp formatting.
    #[test]
    fn fuzz_regression_a_date_past_year_9999() {
        let doc = br#"window.BENCHMARK_DATA = {"entries": {"B": [{"commit": {}, "date": 7777777777777777771,
            "tool": "pytest", "benches": [{"name": "t.py::a", "value": 1.0, "unit": "iter/sec"}]}]}}"#;
        let (runs, _) = parse_history(Path::new("d.js"), doc).expect("parses");
        assert_eq!(runs[0].meta.timestamp, None);
        assert_eq!(
            rfc3339_from_millis(1_700_000_000_123.0).as_deref(),
            Some("2023-11-14T22:13:20.123Z")
        );
    }

    #[test]
    fn go_units_and_custom_directions() {
        let doc = br#"{"entries": {"S": [{"date": 2, "tool": "go", "benches": [
            {"name": "BenchmarkX", "value": 26.1, "unit": "ns/op\t 0 B/op\t 0 allocs/op"}]},
            {"date": 1, "tool": "customBiggerIsBetter", "benches": [{"name": "score", "value": 3, "unit": "points"}]}]}}"#;
        let (runs, _) = parse_history(Path::new("d.json"), doc).expect("parses");
        assert_eq!(
            runs[0].benchmarks[0].measurements[0].direction,
            Direction::HigherIsBetter
        );
        assert_eq!(runs[1].benchmarks[0].measurements[0].metric, Metric::Time);
    }
}
