//! gungraun (formerly iai-callgrind): Valgrind's counts per benchmark, in either of
//! the outputs `cargo bench` gives.
//!
//! - Text, the default: a line with the benchmark (`module::group::function id:args`),
//!   then one line per metric, `  Instructions:   1805|1805   (No change)`: this run's
//!   count, then the previous run's (`N/A` on the first run) and the change. Tool
//!   sections (`  ======= DHAT ====…`) follow the same layout; lines that are neither
//!   (the summary, cargo's output) are not read.
//! - JSON, `--output-format=json` (one summary per line) or the `summary.json` files
//!   of `--save-summary=json`: `module_path`, `id`, `description` (`details` before
//!   schema 7), and per profile (tool) `data.total.metrics.<Name>.values.new` (schema
//!   7, gungraun) or `summaries.total.summary.<Tool>.<Name>.metrics` holding `Left`
//!   (this run) or `Both` (this run, the previous one) (schema 6, iai-callgrind 0.16).
//!
//! Compared: the counts of what the program executed (`Instructions`, `Total
//! read+write`, data reads and writes, branches, DHAT's heap counts), which do not
//! move between runs of the same code: deterministic, judged by percentage alone
//! against the tiers' `deterministic` thresholds. Not compared: what Valgrind's cache
//! simulation derives (L1, LL and RAM hits, misses, rates, estimated cycles), which
//! moves with the memory layout of each run (`RAM Hits` 1 then 3 for unchanged code),
//! and measured times; a warning says so. Both outputs give the same ids and metric
//! names, so a text baseline compares with a JSON run.

use rustc_hash::FxHashSet as HashSet;
use std::path::Path;

use serde::Deserialize;

use super::Loaded;
use super::json::Entries;
use crate::error::{Error, Result};
use crate::model::{Benchmark, Direction, Estimator, Measurement, Metric};

const FORMAT: &str = "gungraun";

/// The JSON names of the metrics the text output shows, and the text's names for them.
const TEXT_NAMES: &[(&str, &str)] = &[
    ("Ir", "Instructions"),
    ("L1hits", "L1 Hits"),
    ("LLhits", "LL Hits"),
    ("RamHits", "RAM Hits"),
    ("TotalRW", "Total read+write"),
    ("EstimatedCycles", "Estimated Cycles"),
];

/// Whether a metric comes from Valgrind's cache or branch-prediction simulation (or is
/// a time), which move between runs of unchanged code.
fn varies(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    ["hit", "miss", "rate", "cycle", "access", "time"]
        .iter()
        .any(|w| lower.contains(w))
        || (name.len() <= 6 && (name.ends_with("mr") || name.ends_with("mw")))
        || matches!(name, "Bcm" | "Bim")
}

/// A count as bench-bot keeps it, from its (text) name and this run's value.
fn measurement(name: &str, value: f64) -> Measurement {
    let unit = if name.to_ascii_lowercase().contains("bytes") {
        "B"
    } else {
        ""
    };
    Measurement::new(
        Metric::Custom(name.to_string()),
        Direction::LowerIsBetter,
        unit,
        value,
    )
    .with_estimator(Estimator::Value)
    .deterministic()
}

/// The warning for the simulated metrics a file held.
fn skipped_warning(path: &Path, skipped: &std::collections::BTreeSet<String>) -> Option<String> {
    (!skipped.is_empty()).then(|| {
        format!(
            "{}: the cache simulation's counts (hits, misses, rates, estimated cycles) are \
             not compared: they move with each run's memory layout",
            path.display(),
        )
    })
}

/// The Callgrind and Cachegrind counts kept from a JSON summary: the ones the text
/// output shows that do not vary, and the branch counts when they were collected (the
/// data reads and writes are inside `Total read+write`).
const CALLGRIND_KEPT: &[&str] = &["Ir", "TotalRW", "Bc", "Bi"];

/// A metric line of the text output: the name and this run's value.
fn metric_line(line: &str) -> Option<(&str, &str)> {
    if !line.starts_with(' ') {
        return None;
    }
    let (name, rest) = line.trim_start().split_once(':')?;
    let value = rest.split_whitespace().next()?;
    let new = value.split('|').next()?;
    (!name.is_empty() && new.bytes().next()?.is_ascii_digit()).then_some((name.trim(), new))
}

/// Whether the file holds gungraun's text output (for detection).
pub(crate) fn text_present(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(head);
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        if line.starts_with(' ') || line.is_empty() {
            continue;
        }
        let next = lines.peek().copied().unwrap_or("");
        if let Some((name, value)) = metric_line(next)
            && value.contains(|c: char| c.is_ascii_digit())
            && matches!(name, "Instructions" | "Ir")
            && next.contains('|')
        {
            return true;
        }
    }
    false
}

#[derive(Debug, Deserialize)]
struct Summary {
    module_path: String,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    description: Option<String>,
    /// Schema 6's name for `description`.
    #[serde(default)]
    details: Option<String>,
    profiles: Vec<Profile>,
}

#[derive(Debug, Deserialize)]
struct Profile {
    tool: String,
    #[serde(default)]
    data: Option<Data>,
    /// Schema 6.
    #[serde(default)]
    summaries: Option<serde_json::Value>,
}

impl Profile {
    /// This run's value of each metric, by the summary's name for it.
    fn values(&self) -> Vec<(String, Option<f64>)> {
        if let Some(data) = &self.data {
            return data
                .total
                .metrics
                .0
                .iter()
                .map(|(k, m)| (k.clone(), m.values.new))
                .collect();
        }
        let Some(summary) = self
            .summaries
            .as_ref()
            .and_then(|s| s["total"]["summary"].as_object())
        else {
            return Vec::new();
        };
        summary
            .values()
            .filter_map(serde_json::Value::as_object)
            .flatten()
            .map(|(k, m)| {
                let sides = &m["metrics"];
                let new = if sides["Left"].is_object() {
                    &sides["Left"]
                } else {
                    &sides["Both"][0]
                };
                let v = new["Int"].as_f64().or_else(|| new["Float"].as_f64());
                (k.clone(), v)
            })
            .collect()
    }
}

#[derive(Debug, Deserialize)]
struct Data {
    total: Total,
}

#[derive(Debug, Deserialize)]
struct Total {
    metrics: Entries<MetricValues>,
}

#[derive(Debug, Deserialize)]
struct MetricValues {
    values: Values,
}

#[derive(Debug, Deserialize)]
struct Values {
    new: Option<f64>,
}

/// The id the text output prints for a benchmark: `module::path id:description`.
fn id_of(module_path: &str, id: Option<&str>, description: Option<&str>) -> String {
    match (id, description) {
        (Some(id), Some(d)) => format!("{module_path} {id}:{d}"),
        (Some(id), None) => format!("{module_path} {id}"),
        _ => module_path.to_string(),
    }
}

/// Parses gungraun's (or iai-callgrind's) text or JSON output.
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Loaded> {
    let invalid = |msg: String| Error::input(path, Some(FORMAT), msg);
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    let mut skipped = std::collections::BTreeSet::new();
    let benchmarks = if first == Some(&b'{') {
        parse_json(bytes, &mut skipped).map_err(invalid)?
    } else {
        let text =
            std::str::from_utf8(bytes).map_err(|e| invalid(format!("not UTF-8 text ({e})")))?;
        parse_text(text, &mut skipped).map_err(invalid)?
    };
    if benchmarks.is_empty() {
        return Err(invalid(
            "no gungraun results: save what `cargo bench` prints (or run it with \
             `-- --output-format=json`)"
                .into(),
        ));
    }
    let warnings = skipped_warning(path, &skipped).into_iter().collect();
    Ok(Loaded::of(FORMAT, benchmarks, warnings))
}

fn parse_text(
    text: &str,
    skipped: &mut std::collections::BTreeSet<String>,
) -> std::result::Result<Vec<Benchmark>, String> {
    let mut benchmarks: Vec<Benchmark> = Vec::new();
    let mut ids = HashSet::default();
    let mut header: Option<(usize, &str)> = None;
    let mut started: Option<usize> = None;
    let mut names = HashSet::default();
    for (i, line) in text.lines().enumerate() {
        let at = i + 1;
        if let Some((name, value)) = metric_line(line) {
            let Some((header_line, id)) = header else {
                continue;
            };
            let v: f64 = value
                .parse()
                .ok()
                .filter(|v: &f64| v.is_finite() && *v >= 0.0)
                .ok_or_else(|| format!("line {at}: `{id}` {name}: `{value}` is not a count"))?;
            if started != Some(header_line) {
                started = Some(header_line);
                if !ids.insert(id) {
                    return Err(format!(
                        "line {header_line}: benchmark `{id}` a second time"
                    ));
                }
                names.clear();
                benchmarks.push(Benchmark {
                    id: id.to_string(),
                    group: None,
                    measurements: Vec::new(),
                });
            }
            if !names.insert(name) {
                return Err(format!("line {at}: `{id}` {name} a second time"));
            }
            if varies(name) {
                skipped.insert(name.to_string());
            } else if let Some(b) = benchmarks.last_mut() {
                b.measurements.push(measurement(name, v));
            }
        } else if !line.is_empty() && !line.starts_with(char::is_whitespace) {
            header = Some((at, line.trim_end()));
        }
    }
    Ok(benchmarks)
}

fn parse_json(
    bytes: &[u8],
    skipped: &mut std::collections::BTreeSet<String>,
) -> std::result::Result<Vec<Benchmark>, String> {
    let mut benchmarks = Vec::new();
    let mut ids = HashSet::default();
    let stream = serde_json::Deserializer::from_slice(bytes).into_iter::<Summary>();
    for (n, summary) in stream.enumerate() {
        let s = summary.map_err(|e| format!("summary {}: {}", n + 1, super::json::reason(&e)))?;
        let details = s.description.as_deref().or(s.details.as_deref());
        let id = id_of(&s.module_path, s.id.as_deref(), details);
        if !ids.insert(id.clone()) {
            return Err(format!("summary {}: benchmark `{id}` a second time", n + 1));
        }
        let mut measurements = Vec::new();
        let mut names = HashSet::default();
        for profile in &s.profiles {
            for (key, v) in profile.values() {
                let Some(v) = v else {
                    continue;
                };
                if !v.is_finite() || v < 0.0 {
                    return Err(format!("`{id}` {} {key}: {v} is not a count", profile.tool));
                }
                let name = TEXT_NAMES
                    .iter()
                    .find(|(k, _)| *k == key)
                    .map_or(key.as_str(), |(_, text)| text);
                if !names.insert(name.to_string()) {
                    return Err(format!("`{id}`: {name} a second time"));
                }
                let valgrind_cache = matches!(profile.tool.as_str(), "Callgrind" | "Cachegrind");
                if varies(name) {
                    skipped.insert(name.to_string());
                } else if !valgrind_cache || CALLGRIND_KEPT.contains(&key.as_str()) {
                    measurements.push(measurement(name, v));
                }
            }
        }
        if !measurements.is_empty() {
            benchmarks.push(Benchmark {
                id,
                group: None,
                measurements,
            });
        }
    }
    Ok(benchmarks)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::fixture;

    fn err(text: &str) -> String {
        crate::ingest::refusal(parse, text)
    }

    fn counts(run: &crate::model::Run, id: &str) -> Vec<(String, f64)> {
        run.benchmarks
            .iter()
            .find(|b| b.id == id)
            .expect(id)
            .measurements
            .iter()
            .map(|m| (m.metric.to_string(), m.value))
            .collect()
    }

    #[test]
    fn text_and_json_give_the_same_benchmarks() {
        let (p, bytes) = fixture("fixtures/gungraun/candidate.txt");
        let text = parse(&p, &bytes).expect("text").run;
        assert_eq!(
            crate::ingest::ids(&text),
            [
                "fib::fib_group::bench_fib short:(10)",
                "fib::fib_group::bench_fib long:(20)",
                "fib::fib_group::bench_sort"
            ]
        );
        let sort = counts(&text, "fib::fib_group::bench_sort");
        assert_eq!(
            sort,
            [
                ("Instructions".to_string(), 5629.0),
                ("Total read+write".to_string(), 7200.0)
            ]
        );
        let m = &text.benchmarks[2].measurements[0];
        assert!(m.deterministic && m.direction == Direction::LowerIsBetter);
        let warned = parse(&p, &bytes).expect("text").warnings.join("");
        assert!(
            warned.contains("hits, misses, rates, estimated cycles"),
            "{warned}"
        );
        let (p, bytes) = fixture("fixtures/gungraun/candidate.json");
        let json = parse(&p, &bytes).expect("json").run;
        assert_eq!(crate::ingest::ids(&json), crate::ingest::ids(&text));
        // The JSON has the text's counts under the same names (the same build, run
        // once more: Instructions may differ by one).
        let from_json = counts(&json, "fib::fib_group::bench_sort");
        let names: Vec<&str> = from_json.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["Instructions", "Total read+write"]);
        assert!((from_json[0].1 - sort[0].1).abs() <= 2.0, "{from_json:?}");
    }

    #[test]
    fn iai_callgrind_text_and_its_older_json() {
        let (p, bytes) = fixture("fixtures/gungraun/iai-callgrind.txt");
        let text = parse(&p, &bytes).expect("text").run;
        let (p, bytes) = fixture("fixtures/gungraun/iai-callgrind.json");
        let json = parse(&p, &bytes).expect("json").run;
        assert_eq!(
            crate::ingest::ids(&text)[0],
            "fib::fib_group::bench_fib short:10"
        );
        assert_eq!(crate::ingest::ids(&json), crate::ingest::ids(&text));
        // Schema 6 with `Both` sides: this run's count is the first.
        assert_eq!(
            counts(&json, "fib::fib_group::bench_fib long:20"),
            counts(&text, "fib::fib_group::bench_fib long:20")
        );
    }

    #[test]
    fn bad_input() {
        let text = "b::g::f\n  Instructions:   12|N/A   (*********)\n";
        let run = parse(Path::new("o.txt"), text.as_bytes())
            .expect("parses")
            .run;
        assert_eq!(counts(&run, "b::g::f"), [("Instructions".into(), 12.0)]);
        assert!(run.meta.tool == "gungraun");
        assert!(err(&format!("{text}{text}")).contains("`b::g::f` a second time"));
        assert!(err("b::g::f\n  Instructions:   1e999|N/A\n").contains("`1e999` is not a count"));
        assert!(err("running 0 tests\n").contains("no gungraun results"));
        let json = r#"{"module_path": "m", "profiles": [{"tool": "Callgrind", "data": {"total": {"metrics": {"Ir": {"values": {"new": -3}}}}}}]}"#;
        assert!(err(json).contains("`m` Callgrind Ir: -3 is not a count"));
        assert!(err(&json[..40]).contains("summary 1: the JSON ends early"));
        assert!(err(r#"{"module_path": "m", "profiles": []}"#).contains("no gungraun results"));
    }
}
