//! Go benchmarks: the text of `go test -bench . -benchmem -count N`, or its
//! `go test -json` stream (the `output` events of each package, joined).
//!
//! A result line is `BenchmarkName-P  <iterations>  <value> <unit>  [<value> <unit>]…`
//! (golang.org/x/perf's benchfmt): `-P` is GOMAXPROCS and stays in the id; `pkg:` lines
//! name the package, which prefixes the id (`pkg/BenchmarkName-P`) and is the group.
//! The lines of `-count N` are samples of each unit, compared on their median.
//! Units: `ns/op` is time, `B/op` memory, `MB/s` throughput (derived from the time by
//! `b.SetBytes`, judged with it), anything else (`allocs/op`, `b.ReportMetric` units) a
//! custom metric, higher-is-better when it ends in `/s`. `B/op` and `allocs/op` are
//! deterministic counts.

use std::collections::BTreeMap;

use std::path::Path;

use super::{Loaded, robust_summary};
use crate::error::{Error, Result};
use crate::model::{Benchmark, Direction, Estimator, Measurement, Metric, Run, RunMeta};

const FORMAT: &str = "go";

/// One benchmark's samples per unit, in the order the units first appeared.
struct Samples<'a> {
    id: String,
    group: Option<String>,
    /// The number of its result lines.
    lines: usize,
    values: Vec<(&'a str, Vec<f64>)>,
}

/// A result line: its package's number, the benchmark's name, its value/unit pairs as
/// written, and its line number.
struct ResultLine<'a> {
    pkg: usize,
    name: &'a str,
    pairs: &'a str,
    number: usize,
}

/// Parses Go benchmark text or a `go test -json` stream.
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Loaded> {
    let invalid = |msg: String| Error::input(path, Some(FORMAT), msg);
    let text = std::str::from_utf8(bytes).map_err(|e| invalid(format!("not UTF-8 text: {e}")))?;
    let text: std::borrow::Cow<'_, str> = if is_json_stream(text) {
        unwrap_json(text).map_err(invalid)?.into()
    } else {
        text.into()
    };
    // The result lines, each with its package: the number of that package among those
    // named so far (0 before any `pkg:` line), its name at `packages[number - 1]`.
    // At most a result per line.
    let mut lines: Vec<ResultLine<'_>> = Vec::with_capacity(super::lines_at_most(&text));
    let mut packages: Vec<String> = Vec::new();
    let mut numbers: rustc_hash::FxHashMap<String, usize> = Default::default();
    let mut pkg_number = 0;
    let mut meta = RunMeta {
        tool: FORMAT.to_string(),
        ..RunMeta::default()
    };
    for (i, line) in text.lines().enumerate() {
        if let Some(p) = line.strip_prefix("pkg: ") {
            let p = p.trim();
            pkg_number = *numbers.entry(p.to_string()).or_insert_with(|| {
                packages.push(p.to_string());
                packages.len()
            });
            continue;
        }
        if let Some(v) = line.strip_prefix("goversion: ") {
            meta.tool_version = Some(v.trim().to_string());
        }
        if let Some((name, pairs)) = result_line(line) {
            lines.push(ResultLine {
                pkg: pkg_number,
                name,
                pairs,
                number: i + 1,
            });
        }
    }
    // A benchmark's lines are the samples of one benchmark. `slot[i]`: for a line that
    // names its benchmark first, the benchmark's place in `found` once read; for a later
    // line, the first line's index. `count[i]`: the number of lines of the benchmark a
    // line names first, the capacity of each of its units' samples.
    let mut slot: Vec<usize> = (0..lines.len()).collect();
    let mut count: Vec<u32> = vec![1; lines.len()];
    let mut repeats = 0;
    super::unique::for_each_repeat(
        lines.len(),
        |i| (lines[i].pkg, lines[i].name),
        |first, later| {
            slot[later] = first;
            count[first] = count[first].saturating_add(1);
            repeats += 1;
        },
    );
    let mut found: Vec<Samples<'_>> = Vec::with_capacity(lines.len() - repeats);
    for (i, line) in lines.iter().enumerate() {
        let at = if slot[i] == i {
            let group = line.pkg.checked_sub(1).map(|p| packages[p].clone());
            let id = match &group {
                Some(p) => format!("{p}/{}", line.name),
                None => line.name.to_string(),
            };
            found.push(Samples {
                id,
                group,
                lines: count[i] as usize,
                values: Vec::new(),
            });
            slot[i] = found.len() - 1;
            slot[i]
        } else {
            slot[slot[i]]
        };
        let entry = &mut found[at];
        each_pair(line.pairs, |value, unit| {
            match entry.values.iter_mut().find(|(u, _)| *u == unit) {
                Some((_, values)) => values.push(value),
                None => {
                    let mut values = Vec::with_capacity(entry.lines);
                    values.push(value);
                    entry.values.push((unit, values));
                }
            }
        })
        .map_err(|m| invalid(format!("line {}: `{}`: {m}", line.number, line.name)))?;
    }
    if found.is_empty() {
        return Err(invalid(
            "no `BenchmarkName  N  V ns/op` lines: save the output of \
             `go test -run '^$' -bench . -benchmem -count 5 ./... > results.txt` \
             (or its `-json` stream)"
                .to_string(),
        ));
    }
    let benchmarks = found
        .into_iter()
        .map(|s| Benchmark {
            measurements: s
                .values
                .into_iter()
                .map(|(unit, values)| measurement(unit, values))
                .collect(),
            id: s.id,
            group: s.group,
        })
        .collect();
    Ok(Loaded {
        run: Run { meta, benchmarks },
        warnings: Vec::new(),
    })
}

/// Whether a line is a result line (well formed or not: the parser names what is wrong).
pub(super) fn is_result_line(line: &str) -> bool {
    result_line(line).is_some()
}

/// A result line's name and the value/unit pairs after its iteration count, as
/// written ([`each_pair`] reads them); `None` for any other line.
fn result_line(line: &str) -> Option<(&str, &str)> {
    let line = line.trim_start();
    let end = line.find(char::is_whitespace)?;
    let name = &line[..end];
    let rest = name.strip_prefix("Benchmark")?;
    // benchfmt: the name goes on with an upper-case letter, a digit, `_` or nothing;
    // `Benchmarking …` is prose.
    if rest.starts_with(|c: char| c.is_lowercase()) {
        return None;
    }
    let after = line[end..].trim_start();
    let iterations_end = after.find(char::is_whitespace).unwrap_or(after.len());
    if after[..iterations_end].parse::<u64>().is_err() {
        // `BenchmarkX-2   --- FAIL`, or the name alone before its sub-benchmarks.
        return None;
    }
    Some((name, &after[iterations_end..]))
}

/// Calls `f` with each value/unit pair of a result line, in order; what is wrong with
/// them, if anything (then `f` may have seen the pairs before the wrong one).
fn each_pair<'a>(
    pairs: &'a str,
    mut f: impl FnMut(f64, &'a str),
) -> std::result::Result<(), String> {
    let expected = || {
        format!(
            "expected value/unit pairs after the iteration count, found `{}`",
            pairs.split_whitespace().collect::<Vec<_>>().join(" ")
        )
    };
    let mut fields = pairs.split_whitespace();
    let mut any = false;
    while let Some(raw) = fields.next() {
        let unit = fields.next().ok_or_else(expected)?;
        let value: f64 = raw
            .parse()
            .map_err(|_| format!("`{raw}` is not a number (unit `{unit}`)"))?;
        if !value.is_finite() || value < 0.0 {
            return Err(format!("{raw} {unit} is not a finite, non-negative value"));
        }
        f(value, unit);
        any = true;
    }
    if any { Ok(()) } else { Err(expected()) }
}

/// The measurement of one unit's samples.
fn measurement(unit: &str, mut values: Vec<f64>) -> Measurement {
    let (metric, direction, canonical, scale, derived) = match unit {
        "ns/op" => (Metric::Time, Direction::LowerIsBetter, "ns", 1.0, false),
        "B/op" => (Metric::Memory, Direction::LowerIsBetter, "B", 1.0, false),
        "MB/s" => (
            Metric::Throughput,
            Direction::HigherIsBetter,
            "B/s",
            1e6,
            true,
        ),
        other if other.ends_with("/s") => (
            Metric::Custom(other.to_string()),
            Direction::HigherIsBetter,
            "",
            1.0,
            false,
        ),
        other => (
            Metric::Custom(other.to_string()),
            Direction::LowerIsBetter,
            "",
            1.0,
            false,
        ),
    };
    values.iter_mut().for_each(|v| *v *= scale);
    let mut m = if values.len() >= 2 {
        let mut m = robust_summary(metric, direction, canonical, &values);
        m.samples = Some(values);
        m
    } else {
        Measurement::new(metric, direction, canonical, values[0]).with_estimator(Estimator::Value)
    };
    m.derived = derived;
    // `-benchmem`'s counts are the code's own: bytes and allocations per operation do not
    // change from run to run unless the code does.
    m.deterministic = matches!(unit, "B/op" | "allocs/op");
    m
}

/// Whether the text is a `go test -json` stream (test2json events, one per line).
pub fn is_json_stream(text: &str) -> bool {
    text.lines()
        .find(|l| !l.trim().is_empty())
        .is_some_and(|l| l.trim_start().starts_with('{') && l.contains("\"Action\""))
}

/// The `output` events of a `go test -json` stream, joined per package (in the order
/// packages first appear), each package's text led by its `pkg:` line.
fn unwrap_json(text: &str) -> std::result::Result<String, String> {
    #[derive(serde::Deserialize)]
    struct Event {
        #[serde(rename = "Action")]
        action: String,
        #[serde(rename = "Package", default)]
        package: Option<String>,
        #[serde(rename = "Output", default)]
        output: Option<String>,
    }
    let mut order: Vec<String> = Vec::new();
    let mut per: BTreeMap<String, String> = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let e: Event = serde_json::from_str(line)
            .map_err(|err| format!("line {}: not a `go test -json` event: {err}", i + 1))?;
        if e.action != "output" {
            continue;
        }
        let pkg = e.package.unwrap_or_default();
        let buf = per.entry(pkg.clone()).or_insert_with(|| {
            order.push(pkg.clone());
            String::new()
        });
        buf.push_str(&e.output.unwrap_or_default());
    }
    let mut out = String::new();
    for pkg in order {
        let body = per.remove(&pkg).unwrap_or_default();
        // Go 1.19 and older print `pkg:` themselves; newer ones may leave it to the
        // event. Either way the package heads its lines.
        if !pkg.is_empty() && !body.contains("\npkg: ") && !body.starts_with("pkg: ") {
            out.push_str(&format!("pkg: {pkg}\n"));
        }
        out.push_str(&body);
        out.push('\n');
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::fixture;

    fn find<'a>(run: &'a Run, id: &str) -> &'a Benchmark {
        run.benchmarks
            .iter()
            .find(|b| b.id == id)
            .unwrap_or_else(|| {
                panic!(
                    "no {id} in {:?}",
                    run.benchmarks.iter().map(|b| &b.id).collect::<Vec<_>>()
                )
            })
    }

    #[test]
    fn reads_go_test_text_with_count_samples_and_every_unit() {
        let (p, bytes) = fixture("fixtures/go/baseline.txt");
        let run = parse(&p, &bytes).expect("parses").run;
        assert_eq!(run.meta.tool, "go");
        let sort = find(
            &run,
            "example.com/benchsuite/sorting/BenchmarkSort/n=1000-2",
        );
        assert_eq!(
            sort.group.as_deref(),
            Some("example.com/benchsuite/sorting")
        );
        let time = &sort.measurements[0];
        assert_eq!(
            (time.metric.clone(), time.unit.as_str()),
            (Metric::Time, "ns")
        );
        assert_eq!(time.n, Some(5));
        assert_eq!(time.samples.as_ref().map(Vec::len), Some(5));
        assert_eq!(time.estimator, Some(Estimator::Median));
        // The median of the five ns/op values in the file.
        let text = String::from_utf8(bytes.clone()).expect("utf-8");
        let mut values: Vec<f64> = text
            .lines()
            .filter(|l| l.starts_with("BenchmarkSort/n=1000-2"))
            .map(|l| {
                l.split_whitespace()
                    .nth(2)
                    .expect("value")
                    .parse()
                    .expect("number")
            })
            .collect();
        values.sort_by(f64::total_cmp);
        assert_eq!(time.value, values[2]);
        let memory = &sort.measurements[1];
        assert_eq!(
            (memory.metric.clone(), memory.unit.as_str()),
            (Metric::Memory, "B")
        );
        let allocs = &sort.measurements[2];
        assert_eq!(allocs.metric, Metric::Custom("allocs/op".into()));
        assert_eq!(allocs.value, 2.0);
        let fnv = find(&run, "example.com/benchsuite/hashing/BenchmarkFNV-2");
        let metrics: Vec<String> = fnv
            .measurements
            .iter()
            .map(|m| m.metric.to_string())
            .collect();
        assert_eq!(metrics[..3], ["time", "throughput", "blocks/op"]);
        let mbs = &fnv.measurements[1];
        assert!(mbs.derived && mbs.direction == Direction::HigherIsBetter && mbs.unit == "B/s");
        assert!(mbs.value > 1e8, "{}", mbs.value);
        assert_eq!(fnv.measurements[2].value, 64.0);
    }

    #[test]
    fn the_json_stream_reads_as_the_text_does() {
        let (p, text) = fixture("fixtures/go/baseline.txt");
        let (q, json) = fixture("fixtures/go/baseline.json");
        let from_text = parse(&p, &text).expect("text").run;
        let from_json = parse(&q, &json).expect("json").run;
        let ids = |r: &Run| {
            r.benchmarks
                .iter()
                .map(|b| b.id.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&from_json).len(), ids(&from_text).len());
        assert!(
            ids(&from_json)
                .iter()
                .all(|id| id.starts_with("example.com/benchsuite/"))
        );
        assert!(is_json_stream(std::str::from_utf8(&json).expect("utf-8")));
    }

    #[test]
    fn bad_lines_are_named_and_a_file_without_results_says_what_to_run() {
        let e = parse(Path::new("g.txt"), b"BenchmarkX-2  100  12 ns/op  7\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("line 1: `BenchmarkX-2`: expected value/unit pairs"),
            "{e}"
        );
        let e = parse(Path::new("g.txt"), b"BenchmarkX-2  100  NaN ns/op\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("not a finite"), "{e}");
        let e = parse(Path::new("g.txt"), b"PASS\nok  example.com/x  0.1s\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("go test -run '^$' -bench ."), "{e}");
        let e = parse(Path::new("g.json"), b"{\"Action\": \"output\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 1: not a `go test -json` event"), "{e}");
        // Two runs of one package in one file: one benchmark, the samples of both.
        let run = parse(
            Path::new("g.txt"),
            b"pkg: a\nBenchmarkZ-2  10  5 ns/op\npkg: b\nBenchmarkZ-2  10  9 ns/op\n\
              pkg: a\nBenchmarkZ-2  10  7 ns/op\n",
        )
        .expect("parses")
        .run;
        assert_eq!(
            crate::ingest::ids(&run),
            ["a/BenchmarkZ-2", "b/BenchmarkZ-2"]
        );
        assert_eq!(
            run.benchmarks[0].measurements[0].samples.as_deref(),
            Some(&[5.0, 7.0][..])
        );
        // A failing benchmark's line and prose are not results.
        let run = parse(
            Path::new("g.txt"),
            b"Benchmarking is fun\nBenchmarkY-2 --- FAIL: oops\nBenchmarkZ-2  10  5 ns/op\n",
        )
        .expect("parses")
        .run;
        assert_eq!(run.benchmarks.len(), 1);
    }
}
