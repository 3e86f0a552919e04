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

use super::json::{check_value, parse_borrowed};
use super::{Loaded, robust_summary};
use crate::error::{Error, Result};
use crate::model::{Benchmark, Direction, Estimator, Measurement, Metric};

const FORMAT: &str = "julia";

/// `[versions, [object, …]]`; the versions are required (they say the file is
/// BenchmarkTools'), not used.
#[derive(Debug, Deserialize)]
struct File<'a>(
    #[allow(dead_code)] Versions,
    #[serde(borrow)] Vec<&'a RawValue>,
);

#[derive(Debug, Deserialize)]
struct Versions {
    #[serde(rename = "BenchmarkTools")]
    #[allow(dead_code)]
    benchmark_tools: String,
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
    let mut rewritten = None;
    let File(_, objects) = parse_borrowed(path, FORMAT, bytes, &mut rewritten)?;
    let invalid = |msg: String| Error::input(path, Some(FORMAT), msg);
    let mut out = Walk {
        benchmarks: Vec::new(),
        skipped: Vec::new(),
        names: Names {
            joined: String::new(),
            depth: 0,
        },
        failed: None,
    };
    let several = objects.len() > 1;
    for (i, object) in objects.iter().enumerate() {
        // `save(file, a, b)` writes several objects: their ids start with their place.
        out.names.truncate(0, 0);
        if several {
            out.names.push(&format!("#{}", i + 1));
        }
        let mut de = serde_json::Deserializer::from_str(object.get());
        serde::de::DeserializeSeed::deserialize(Object(&mut out), &mut de)
            .and_then(|()| de.end())
            .map_err(|e| {
                let place = out.names.place();
                invalid(
                    out.failed
                        .take()
                        .unwrap_or_else(|| format!("{place}: not a [type, fields] pair ({e})")),
                )
            })?;
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

/// What the walk has found, and where it is.
struct Walk {
    benchmarks: Vec<Benchmark>,
    skipped: Vec<String>,
    names: Names,
    /// What is wrong, said where it was found (the deepest place that saw it).
    failed: Option<String>,
}

/// The names from the top group down to where the walk is, joined with `/`.
struct Names {
    joined: String,
    depth: usize,
}

impl Names {
    fn push(&mut self, name: &str) {
        if self.depth > 0 {
            self.joined.push('/');
        }
        self.joined.push_str(name);
        self.depth += 1;
    }

    /// Back to where the walk was (`len` bytes, `depth` names).
    fn truncate(&mut self, len: usize, depth: usize) {
        self.joined.truncate(len);
        self.depth = depth;
    }

    /// Where the walk is, for messages.
    fn place(&self) -> String {
        if self.depth == 0 {
            "the top level".to_string()
        } else {
            format!("`{}`", self.joined)
        }
    }

    /// The benchmark's id here.
    fn id(&self) -> String {
        if self.depth == 0 {
            "#1".to_string()
        } else {
            self.joined.clone()
        }
    }
}

/// `[TypeName, {fields}]`, read in one pass: the fields as the type says, a group's
/// members walked as they are read.
struct Object<'w>(&'w mut Walk);

/// A `BenchmarkGroup`'s fields: `data`, read as its members are walked.
struct GroupFields<'w>(&'w mut Walk);

/// A group's `data`: its members by name.
struct Members<'w>(&'w mut Walk);

impl Walk {
    /// Keeps the first message said about a failure (the deepest place), and gives the
    /// error that carries the failure out.
    fn fail<E: serde::de::Error>(&mut self, message: impl FnOnce() -> String) -> E {
        if self.failed.is_none() {
            self.failed = Some(message());
        }
        E::custom("see the walk's message")
    }

    fn trial(&mut self, trial: Trial) -> std::result::Result<(), String> {
        let id = self.names.id();
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
        let mut ms = Vec::with_capacity(4);
        ms.push(time);
        ms.extend(gc);
        ms.extend(counts);
        self.push(id, ms);
        Ok(())
    }

    fn estimate(&mut self, e: Estimate) -> std::result::Result<(), String> {
        let id = self.names.id();
        let what = |f: &str| format!("`{id}`: {f}");
        let time = check_value(e.time, || what("time"), true)?;
        let mut ms = Vec::with_capacity(4);
        ms.push(
            Measurement::new(Metric::Time, Direction::LowerIsBetter, "ns", time)
                .with_estimator(Estimator::Value),
        );
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

    fn push(&mut self, id: String, measurements: Vec<Measurement>) {
        self.benchmarks.push(Benchmark {
            id,
            group: None,
            measurements,
        });
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for Object<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Object<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[type name, fields]")
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(
        self,
        mut seq: A,
    ) -> std::result::Result<(), A::Error> {
        use serde::de::Error as _;
        let walk = self.0;
        let Some(kind) = seq.next_element::<std::borrow::Cow<'de, str>>()? else {
            return Err(A::Error::invalid_length(0, &"[type name, fields]"));
        };
        let missing = || A::Error::invalid_length(1, &"[type name, fields]");
        let not_a = |walk: &mut Walk, what: &str, e: A::Error| {
            let place = walk.names.place();
            walk.fail::<A::Error>(|| format!("{place}: not a {what} ({e})"))
        };
        match kind.trim_start_matches("BenchmarkTools.") {
            "BenchmarkGroup" => match seq.next_element_seed(GroupFields(&mut *walk)) {
                Ok(Some(())) => Ok(()),
                Ok(None) => Err(missing()),
                Err(e) => Err(not_a(walk, "BenchmarkGroup", e)),
            },
            "Trial" => match seq.next_element::<Trial>() {
                Ok(Some(trial)) => walk.trial(trial).map_err(|m| walk.fail(|| m)),
                Ok(None) => Err(missing()),
                Err(e) => Err(not_a(walk, "Trial", e)),
            },
            "TrialEstimate" => match seq.next_element::<Estimate>() {
                Ok(Some(e)) => walk.estimate(e).map_err(|m| walk.fail(|| m)),
                Ok(None) => Err(missing()),
                Err(e) => Err(not_a(walk, "TrialEstimate", e)),
            },
            // Parameters, TagFilter, TrialRatio, TrialJudgement: not measurements.
            other => {
                seq.next_element::<serde::de::IgnoredAny>()?
                    .ok_or_else(missing)?;
                let place = walk.names.place();
                walk.skipped.push(format!("{place} ({other})"));
                Ok(())
            }
        }
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for GroupFields<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> serde::de::Visitor<'de> for GroupFields<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a BenchmarkGroup's fields")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<(), A::Error> {
        let mut data = false;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if key == "data" && !data {
                map.next_value_seed(Members(&mut *self.0))?;
                data = true;
            } else {
                map.next_value::<serde::de::IgnoredAny>()?;
            }
        }
        if data {
            Ok(())
        } else {
            Err(serde::de::Error::missing_field("data"))
        }
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for Members<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Members<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a map of names to groups or results")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<(), A::Error> {
        let walk = self.0;
        while let Some(name) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            let (len, depth) = (walk.names.joined.len(), walk.names.depth);
            walk.names.push(&name);
            let member = map.next_value_seed(Object(&mut *walk));
            walk.names.truncate(len, depth);
            member?;
        }
        Ok(())
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
) -> std::result::Result<[Measurement; 2], String> {
    let memory = check_value(memory, || what("memory"), true)?;
    let allocs = check_value(allocs, || what("allocs"), true)?;
    Ok([
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
        // Each shape that is wrong is named where it is.
        let doc = |objects: &str| format!(r#"[{{"BenchmarkTools": "1"}}, [{objects}]]"#);
        let member_cut = doc(r#"["BenchmarkGroup", {"data": {"a": ["Trial"]}}]"#);
        let e = err(&member_cut);
        assert!(
            e.contains("the top level: not a BenchmarkGroup (invalid length 1"),
            "{e}"
        );
        let no_data = doc(r#"["BenchmarkGroup", {"data": {"g": ["BenchmarkGroup", {}]}}]"#);
        let e = err(&no_data);
        assert!(
            e.contains("`g`: not a BenchmarkGroup (missing field `data`"),
            "{e}"
        );
        let e = err(&doc(r#"{"Trial": {}}"#));
        assert!(
            e.contains("the top level: not a [type, fields] pair"),
            "{e}"
        );
        let deep = doc(
            r#"["BenchmarkGroup", {"data": {"g": ["BenchmarkGroup", {"data": {
            "x": ["TrialEstimate", {"time": -1, "memory": 0, "allocs": 0}]}}]}}]"#,
        );
        assert!(err(&deep).contains("`g/x`: time is negative"));
    }
}
