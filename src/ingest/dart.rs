//! Dart's `benchmark_harness`: `BenchmarkBase.report()` prints one line,
//! `NAME(RunTime): 12.345 us.`, the mean time of one `run()` in microseconds. The
//! output around it (what the program prints itself, shell prompts, a Flutter log's
//! `I/flutter (1234): ` prefix) is not read.
//!
//! A name printed once is one value; printed again (`report()` in a loop, or several
//! runs in one file) its lines are the samples of one benchmark, compared on their
//! median, as Go's `-count` lines are.

use rustc_hash::FxHashMap;
use std::path::Path;

use super::{Loaded, robust_summary};
use crate::error::{Error, Result};
use crate::model::{Benchmark, Direction, Estimator, Measurement, Metric};

const FORMAT: &str = "dart";
const MARK: &str = "(RunTime): ";

/// Finds the mark in a line (built once: a line-by-line `str::find` builds its searcher
/// for every line).
static FINDER: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new(MARK));

/// A result line: the name and the number of microseconds as written.
pub(crate) fn result_line(line: &str) -> Option<(&str, &str)> {
    result_line_at(line, FINDER.find(line.as_bytes())?)
}

/// A result line whose mark is at `at`.
fn result_line_at(line: &str, at: usize) -> Option<(&str, &str)> {
    let value = line[at + MARK.len()..].trim_end().strip_suffix(" us.")?;
    let mut name = line[..at].trim();
    // Flutter's log prefix: `I/flutter (14407): growable[32](RunTime): …`.
    if let Some(rest) = name.strip_prefix("I/flutter (")
        && let Some((pid, after)) = rest.split_once("): ")
        && pid.bytes().all(|b| b.is_ascii_digit())
    {
        name = after.trim();
    }
    Some((name, value.trim()))
}

/// Parses benchmark_harness output.
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Loaded> {
    let invalid = |msg: String| Error::input(path, Some(FORMAT), msg);
    let text = std::str::from_utf8(bytes).map_err(|e| invalid(format!("not UTF-8 text ({e})")))?;
    // Every result in file order. The lines are found from their marks: the program's
    // other output is skipped at the searcher's speed.
    let mut found: Vec<(&str, f64)> = Vec::new();
    let mut next_line = 0;
    for at in FINDER.find_iter(bytes) {
        if at < next_line {
            continue; // a second mark on a line already read
        }
        let start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |i| i + 1);
        let end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |i| at + i);
        next_line = end;
        let Some((name, value)) = result_line_at(&text[start..end], at - start) else {
            continue;
        };
        let line_number = || memchr::memchr_iter(b'\n', &bytes[..start]).count() + 1;
        let bad = |what: String| invalid(format!("line {}: {what}", line_number()));
        if name.is_empty() {
            return Err(bad("a result without a benchmark name".into()));
        }
        let us: f64 = value
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite() && *v >= 0.0)
            .ok_or_else(|| bad(format!("`{name}`: `{value} us` is not a duration")))?;
        let ns = us * 1e3;
        if !ns.is_finite() {
            return Err(bad(format!("`{name}`: `{value} us` is too large")));
        }
        found.push((name, ns));
    }
    if found.is_empty() {
        return Err(invalid(
            "no benchmark_harness results (`NAME(RunTime): 12.3 us.` lines, printed by \
             BenchmarkBase.report())"
                .into(),
        ));
    }
    // A name printed again: its later values join its first as samples. Most names are
    // printed once, so only those that repeat get a list.
    let mut repeated = vec![false; found.len()];
    let mut more: FxHashMap<usize, Vec<f64>> = FxHashMap::default();
    super::unique::for_each_repeat(
        found.len(),
        |i| found[i].0,
        |first, later| {
            repeated[later] = true;
            more.entry(first)
                .or_insert_with(|| vec![found[first].1])
                .push(found[later].1);
        },
    );
    let benchmarks = found
        .iter()
        .enumerate()
        .filter(|(i, _)| !repeated[*i])
        .map(|(i, &(name, first))| {
            let m = match more.remove(&i) {
                None => {
                    // The harness's score is the mean of its timing loops.
                    Measurement::new(Metric::Time, Direction::LowerIsBetter, "ns", first)
                        .with_estimator(Estimator::Mean)
                }
                Some(samples) => {
                    let mut m =
                        robust_summary(Metric::Time, Direction::LowerIsBetter, "ns", &samples);
                    m.samples = Some(samples);
                    m
                }
            };
            Benchmark {
                id: name.to_string(),
                group: None,
                measurements: vec![m],
            }
        })
        .collect();
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
    fn result_lines_among_the_programs_own_output() {
        let (p, bytes) = fixture("fixtures/dart/directed_graph.txt");
        let run = parse(&p, &bytes).expect("parses").run;
        assert_eq!(run.benchmarks.len(), 10);
        assert_eq!(
            crate::ingest::ids(&run)[..3],
            [
                "InDegreeMap:",
                "Topological Ordering DFS:",
                "Topological Ordering Kahn"
            ]
        );
        let m = &run.benchmarks[0].measurements[0];
        assert_eq!(
            (m.value, m.unit.as_str(), m.estimator, m.n),
            (0.13063595345728377e3, "ns", Some(Estimator::Mean), None)
        );
    }

    #[test]
    fn a_name_printed_again_is_another_sample() {
        let (p, bytes) = fixture("fixtures/dart/snapshots.txt");
        let run = parse(&p, &bytes).expect("parses").run;
        assert_eq!(crate::ingest::ids(&run), ["DeltaBlue", "Richards"]);
        let richards = &run.benchmarks[1].measurements[0];
        assert_eq!(
            (richards.n, richards.estimator),
            (Some(3), Some(Estimator::Median))
        );
        assert!((richards.value - 2082.206035379813e3).abs() < 1e-6);
        // Many names, each printed again: the samples in the order they were printed.
        let text: String = (0..60)
            .map(|i| format!("B{}(RunTime): {i}.0 us.\n", i % 20))
            .collect();
        let run = parse(Path::new("t.txt"), text.as_bytes())
            .expect("parses")
            .run;
        assert_eq!(run.benchmarks.len(), 20);
        let b7 = &run.benchmarks[7];
        assert_eq!(b7.id, "B7");
        let samples = b7.measurements[0].samples.as_deref();
        assert_eq!(samples, Some(&[7e3, 27e3, 47e3][..]));
    }

    #[test]
    fn flutter_log_lines_and_bad_values() {
        let log = "I/flutter (14407): growable[32](RunTime): 1.8629797056305768 us.\n";
        let run = parse(Path::new("log.txt"), log.as_bytes())
            .expect("parses")
            .run;
        assert_eq!(crate::ingest::ids(&run), ["growable[32]"]);
        assert!(err("Template(RunTime): -1.0 us.").contains("line 1: `Template`"));
        assert!(err("Template(RunTime): NaN us.").contains("not a duration"));
        assert!(err("Template(RunTime): 1e308 us.").contains("too large"));
        assert!(err("(RunTime): 1.0 us.").contains("without a benchmark name"));
        assert!(err("Running benchmarks...\n").contains("no benchmark_harness results"));
    }
}
