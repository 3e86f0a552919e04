//! Julia's BenchmarkTools, `BenchmarkTools.save("results.json", results)`: `[versions,
//! [object, …]]`, each object `[TypeName, {fields}]`. A `BenchmarkGroup` holds `data`,
//! a map of names to groups or results, nested as deep as the suite; a result is a
//! `Trial` (`times` and `gctimes` in ns per evaluation, `memory` in bytes, `allocs`) or
//! a `TrialEstimate` (one `time`, `gctime`, `memory`, `allocs`: what `median(results)`
//! or `minimum(results)` saves).
//!
//! Id: the names from the top group down, joined with `/` (`fib/20`), as
//! github-action-benchmark names them. Time: a Trial's fastest sample (the estimator
//! PkgBenchmark's `judge` uses and BenchmarkTools recommends for time), its samples and
//! their spread; a TrialEstimate's `time` as saved. `memory` and `allocs` are counts the
//! code decides (deterministic); `gctime` is the garbage collector's share of the time,
//! a custom metric.

use std::path::Path;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::json::{Entries, check_value, parse as parse_json};
use super::{Loaded, robust_summary};
use crate::error::{Error, Result};
use crate::model::{Benchmark, Direction, Estimator, Measurement, Metric};

const FORMAT: &str = "julia";

/// `[versions, [object, …]]`; the versions are required (they say the file is
/// BenchmarkTools'), not used.
#[derive(Debug, Deserialize)]
struct File(#[allow(dead_code)] Versions, Vec<Tagged>);

#[derive(Debug, Deserialize)]
struct Versions {
    #[serde(rename = "BenchmarkTools")]
    #[allow(dead_code)]
    benchmark_tools: String,
}

/// `[TypeName, {fields}]`, the fields read once the type is known.
#[derive(Debug, Deserialize)]
struct Tagged(String, Box<RawValue>);

#[derive(Debug, Deserialize)]
struct Group {
    data: Entries<Tagged>,
}

#[derive(Debug, Deserialize)]
struct Trial {
    times: Vec<Option<f64>>,
    #[serde(default)]
    gctimes: Vec<Option<f64>>,
    memory: Option<f64>,
    allocs: Option<f64>,
}

#[derive(Debug, Deserialize)]
struct Estimate {
    time: Option<f64>,
    #[serde(default)]
    gctime: Option<f64>,
    memory: Option<f64>,
    allocs: Option<f64>,
}

/// Parses a BenchmarkTools JSON file.
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Loaded> {
    let File(_, objects) = parse_json(path, FORMAT, bytes)?;
    let invalid = |msg: String| Error::input(path, Some(FORMAT), msg);
    let mut out = Walk {
        benchmarks: Vec::new(),
        skipped: Vec::new(),
    };
    let several = objects.len() > 1;
    for (i, object) in objects.iter().enumerate() {
        // `save(file, a, b)` writes several objects: their ids start with their place.
        let prefix = if several {
            vec![format!("#{}", i + 1)]
        } else {
            Vec::new()
        };
        out.walk(object, prefix).map_err(invalid)?;
    }
    if out.benchmarks.is_empty() {
        let skipped = if out.skipped.is_empty() {
            String::new()
        } else {
            format!(" (only {})", out.skipped.join(", "))
        };
        return Err(invalid(format!(
            "no benchmark results{skipped}: save them with \
             `BenchmarkTools.save(\"results.json\", results)` (a BenchmarkGroup of Trials, or \
             `median(results)`)"
        )));
    }
    let ids = &out.benchmarks;
    if let Some((_, repeat)) = super::unique::first_repeat(ids.len(), |i| ids[i].id.as_str()) {
        return Err(invalid(format!("duplicate benchmark `{}`", ids[repeat].id)));
    }
    let warnings = out
        .skipped
        .iter()
        .map(|what| format!("{}: {what} skipped: not a result", path.display()))
        .collect();
    Ok(Loaded::of(FORMAT, out.benchmarks, warnings))
}

struct Walk {
    benchmarks: Vec<Benchmark>,
    skipped: Vec<String>,
}

impl Walk {
    fn walk(&mut self, object: &Tagged, names: Vec<String>) -> std::result::Result<(), String> {
        let Tagged(kind, fields) = object;
        let at = || {
            if names.is_empty() {
                "the top level".to_string()
            } else {
                format!("`{}`", names.join("/"))
            }
        };
        let fields_of = |what: &str| format!("{}: {what}", at());
        match kind.trim_start_matches("BenchmarkTools.") {
            "BenchmarkGroup" => {
                let group: Group = serde_json::from_str(fields.get())
                    .map_err(|e| fields_of(&format!("not a BenchmarkGroup ({e})")))?;
                for (name, child) in &group.data.0 {
                    let mut path = names.clone();
                    path.push(name.clone());
                    self.walk(child, path)?;
                }
                Ok(())
            }
            "Trial" => {
                let trial: Trial = serde_json::from_str(fields.get())
                    .map_err(|e| fields_of(&format!("not a Trial ({e})")))?;
                let id = Self::id(&names);
                let what = |f: &str| format!("`{id}`: {f}");
                let times = values(&trial.times, |i| what(&format!("times[{i}]")))?;
                if times.is_empty() {
                    return Err(what("a Trial without times"));
                }
                let mut time = robust_summary(Metric::Time, Direction::LowerIsBetter, "ns", &times);
                time.value = times.iter().copied().fold(f64::INFINITY, f64::min);
                time.estimator = Some(Estimator::Min);
                time.samples = Some(times);
                let gctimes = values(&trial.gctimes, |i| what(&format!("gctimes[{i}]")))?;
                let gc = (!gctimes.is_empty()).then(|| {
                    robust_summary(
                        Metric::Custom("gctime".into()),
                        Direction::LowerIsBetter,
                        "ns",
                        &gctimes,
                    )
                });
                let counts = counts(trial.memory, trial.allocs, &what)?;
                self.push(id, [Some(time), gc].into_iter().flatten().chain(counts));
                Ok(())
            }
            "TrialEstimate" => {
                let e: Estimate = serde_json::from_str(fields.get())
                    .map_err(|e| fields_of(&format!("not a TrialEstimate ({e})")))?;
                let id = Self::id(&names);
                let what = |f: &str| format!("`{id}`: {f}");
                let time = check_value(e.time, || what("time"), true)?;
                let mut ms = vec![
                    Measurement::new(Metric::Time, Direction::LowerIsBetter, "ns", time)
                        .with_estimator(Estimator::Value),
                ];
                if let Some(gc) = e.gctime {
                    let gc = check_value(Some(gc), || what("gctime"), true)?;
                    ms.push(
                        Measurement::new(
                            Metric::Custom("gctime".into()),
                            Direction::LowerIsBetter,
                            "ns",
                            gc,
                        )
                        .with_estimator(Estimator::Value),
                    );
                }
                ms.extend(counts(e.memory, e.allocs, &what)?);
                self.push(id, ms);
                Ok(())
            }
            // Parameters, TagFilter, TrialRatio, TrialJudgement: not measurements.
            other => {
                self.skipped.push(format!("{} ({other})", at()));
                Ok(())
            }
        }
    }

    /// A benchmark's id: its groups' names and its own, joined by `/`.
    fn id(names: &[String]) -> String {
        if names.is_empty() {
            "#1".to_string()
        } else {
            names.join("/")
        }
    }

    fn push(&mut self, id: String, measurements: impl IntoIterator<Item = Measurement>) {
        self.benchmarks.push(Benchmark {
            id,
            group: None,
            measurements: measurements.into_iter().collect(),
        });
    }
}

fn values(
    raw: &[Option<f64>],
    what: impl Fn(usize) -> String,
) -> std::result::Result<Vec<f64>, String> {
    raw.iter()
        .enumerate()
        .map(|(i, v)| check_value(*v, || what(i), true))
        .collect()
}

/// `memory` (bytes) and `allocs`: counts the code decides.
fn counts(
    memory: Option<f64>,
    allocs: Option<f64>,
    what: &dyn Fn(&str) -> String,
) -> std::result::Result<Vec<Measurement>, String> {
    let memory = check_value(memory, || what("memory"), true)?;
    let allocs = check_value(allocs, || what("allocs"), true)?;
    Ok(vec![
        Measurement::new(Metric::Memory, Direction::LowerIsBetter, "B", memory)
            .with_estimator(Estimator::Value)
            .deterministic(),
        Measurement::new(
            Metric::Custom("allocs".into()),
            Direction::LowerIsBetter,
            "allocs",
            allocs,
        )
        .with_estimator(Estimator::Value)
        .deterministic(),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::fixture;

    fn err(text: &str) -> String {
        crate::ingest::refusal(parse, text)
    }

    #[test]
    fn trial_estimates_in_nested_groups() {
        let (p, bytes) = fixture("fixtures/julia/julia_output.json");
        let run = parse(&p, &bytes).expect("parses").run;
        assert_eq!(crate::ingest::ids(&run), ["fib/20", "fib/10"]);
        let m = &run.benchmarks[1].measurements;
        let summary: Vec<(&str, &str, f64, bool)> = m
            .iter()
            .map(|m| (m.metric.as_str(), m.unit.as_str(), m.value, m.deterministic))
            .collect();
        assert_eq!(
            summary,
            [
                ("time", "ns", 246.03846153846155, false),
                ("gctime", "ns", 0.0, false),
                ("memory", "B", 0.0, true),
                ("allocs", "allocs", 0.0, true),
            ]
        );
        assert_eq!(m[0].estimator, Some(Estimator::Value));
    }

    /// A Trial as `BenchmarkTools.save` writes one (the fields of its `JSON.lower`).
    const TRIAL: &str = r#"[{"Julia": "1.10.4", "BenchmarkTools": "1.5.0"}, [["BenchmarkGroup",
        {"tags": [], "data": {"sort": ["BenchmarkGroup", {"tags": [], "data": {
        "(\"n\", 100)": ["Trial", {"allocs": 3, "gctimes": [0.0, 0.0, 120.0],
        "memory": 928, "params": ["Parameters", {"evals": 10, "samples": 10000}],
        "times": [310.5, 305.25, 402.0]}]}}]}}]]]"#;

    #[test]
    fn a_trial_is_compared_on_its_fastest_sample() {
        let run = parse(Path::new("t.json"), TRIAL.as_bytes())
            .expect("parses")
            .run;
        assert_eq!(crate::ingest::ids(&run), [r#"sort/("n", 100)"#]);
        let m = &run.benchmarks[0].measurements;
        assert_eq!(
            (m[0].value, m[0].n, m[0].estimator),
            (305.25, Some(3), Some(Estimator::Min))
        );
        assert_eq!(m[0].samples.as_ref().map(Vec::len), Some(3));
        assert_eq!((m[1].metric.as_str(), m[1].value), ("gctime", 0.0));
        assert_eq!((m[2].value, m[3].value), (928.0, 3.0));
        assert!(m[2].deterministic && m[3].deterministic);
    }

    #[test]
    fn bad_input_names_the_benchmark() {
        let bad = |from: &str, to: &str| err(&TRIAL.replace(from, to));
        assert!(bad("310.5", "-1").contains("`sort/(\"n\", 100)`: times[0] is negative"));
        assert!(bad("310.5", "NaN").contains("times[0] is missing"));
        assert!(bad(r#""memory": 928"#, r#""memory": "x""#).contains("not a Trial"));
        assert!(bad("[310.5, 305.25, 402.0]", "[]").contains("a Trial without times"));
        let cut = err(&TRIAL[..TRIAL.len() - 3]);
        assert!(cut.contains("truncated"), "{cut}");
        assert!(err(r#"[{"BenchmarkTools": "1.5.0"}, []]"#).contains("no benchmark results"));
        let params_only =
            r#"[{"BenchmarkTools": "1.5.0"}, [["Parameters", {"evals": 1, "samples": 10}]]]"#;
        assert!(err(params_only).contains("only the top level (Parameters)"));
        let twice = r#"[{"BenchmarkTools": "1"}, [["BenchmarkGroup", {"tags": [], "data": {
            "a": ["TrialEstimate", {"time": 1, "memory": 0, "allocs": 0}],
            "a": ["TrialEstimate", {"time": 2, "memory": 0, "allocs": 0}]}}]]]"#;
        assert!(err(twice).contains("duplicate benchmark `a`"));
        // Two saved objects: each one's ids start with its place.
        let two = r#"[{"BenchmarkTools": "1"}, [
            ["TrialEstimate", {"time": 1, "memory": 0, "allocs": 0}],
            ["TrialEstimate", {"time": 2, "memory": 0, "allocs": 0}]]]"#;
        let run = parse(Path::new("t.json"), two.as_bytes())
            .expect("parses")
            .run;
        assert_eq!(crate::ingest::ids(&run), ["#1", "#2"]);
    }
}
