//! benchmark.js text: the line `String(benchmark)` gives for each finished benchmark
//! (what its examples print on `cycle`), `NAME x 1,234,567 ops/sec ±1.23% (89 runs
//! sampled)`. Other lines (the suite's own logging, "Fastest is …") are not results.
//!
//! benchmark.js keeps no samples in this line: the value is its mean rate in ops/s
//! (higher is better, `estimator: "mean"`); `±` is the relative margin of error of the
//! mean at 95 %, turned back into a per-sample spread as `rme × mean / 1.96 × √runs`.

use memchr::memmem::FinderRev;
use std::path::Path;
use std::sync::LazyLock;

use super::Loaded;
use crate::error::{Error, Result};
use crate::model::{Benchmark, Direction, Estimator, Measurement, Metric};

const FORMAT: &str = "benchmarkjs";

const OPS_MARK: &str = " ops/sec \u{b1}";
static OPS: LazyLock<FinderRev<'static>> = LazyLock::new(|| FinderRev::new(OPS_MARK));
static TIMES: LazyLock<FinderRev<'static>> = LazyLock::new(|| FinderRev::new(" x "));

/// A result line split into its parts: name, ops/s, relative margin of error in %,
/// runs sampled.
pub(crate) fn result_line(line: &str) -> Option<(&str, &str, &str, &str)> {
    let line = line.trim_end();
    // The searchers are built once: a line is short, and building one per call cost as
    // much as the search.
    let ops = OPS.rfind(line.as_bytes())?;
    let x = TIMES.rfind(&line.as_bytes()[..ops])?;
    let (name, rate, rest) = (&line[..x], &line[x + 3..ops], &line[ops + OPS_MARK.len()..]);
    let pct = memchr::memchr_iter(b'%', rest.as_bytes()).find(|&i| rest[i..].starts_with("% ("))?;
    let (rme, rest) = (&rest[..pct], &rest[pct + 3..]);
    let runs = rest
        .strip_suffix(" runs sampled)")
        .or_else(|| rest.strip_suffix(" run sampled)"))?;
    Some((name.trim(), rate, rme, runs))
}

/// Parses benchmark.js result lines.
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Loaded> {
    let invalid = |msg: String| Error::input(path, Some(FORMAT), msg);
    let text = std::str::from_utf8(bytes).map_err(|e| invalid(format!("not UTF-8 text ({e})")))?;
    // At most one benchmark per ` ops/sec ±` in the text: sized once, the list never
    // grows (and a file of other lines reserves nothing).
    let marks = memchr::memmem::find_iter(bytes, OPS_MARK).count();
    let mut benchmarks = Vec::with_capacity(marks);
    let mut digits = String::new();
    for (i, line) in text.lines().enumerate() {
        let Some((name, rate, rme, runs)) = result_line(line) else {
            continue;
        };
        let at = i + 1;
        let mut number = |raw: &str, what: &str| -> Result<f64> {
            // Thousands separators (`1,234,567`) are left out before parsing.
            let plain = if raw.contains(',') {
                digits.clear();
                digits.extend(raw.chars().filter(|c| *c != ','));
                digits.as_str()
            } else {
                raw
            };
            let v: f64 = plain.parse().map_err(|_| {
                invalid(format!(
                    "line {at}: `{name}`: {what} `{raw}` is not a number"
                ))
            })?;
            if v.is_finite() && v >= 0.0 {
                Ok(v)
            } else {
                Err(invalid(format!(
                    "line {at}: `{name}`: {what} `{raw}` is not a finite, non-negative number"
                )))
            }
        };
        let rate = number(rate, "ops/sec")?;
        let rme = number(rme, "the margin of error")?;
        let runs = number(runs, "runs sampled")?;
        let sd = rme / 100.0 * rate / 1.96 * runs.sqrt();
        let m = Measurement::new(Metric::Throughput, Direction::HigherIsBetter, "ops/s", rate)
            .with_spread(Some(sd), Some(runs as u64))
            .with_estimator(Estimator::Mean);
        benchmarks.push(Benchmark {
            id: name.to_string(),
            group: None,
            measurements: vec![m],
        });
    }
    if benchmarks.is_empty() {
        return Err(invalid(
            "no benchmark.js result lines (`NAME x 1,234 ops/sec ±1.23% (89 runs sampled)`): \
             print `String(event.target)` on each suite `cycle` event"
                .into(),
        ));
    }
    if let Some((first, repeat)) =
        super::unique::first_repeat(benchmarks.len(), |i| benchmarks[i].id.as_str())
    {
        // The line numbers of the two results, counted again only now.
        let mut results = text
            .lines()
            .enumerate()
            .filter(|(_, l)| result_line(l).is_some())
            .map(|(i, _)| i + 1);
        let first_line = results.nth(first).unwrap_or(0);
        let repeat_line = results.nth(repeat - first - 1).unwrap_or(0);
        return Err(invalid(format!(
            "lines {first_line} and {repeat_line}: duplicate benchmark `{}`",
            benchmarks[repeat].id
        )));
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
    fn result_lines_become_throughput() {
        let (p, bytes) = fixture("fixtures/benchmarkjs/baseline.txt");
        let run = parse(&p, &bytes).expect("parses").run;
        let ids = crate::ingest::ids(&run);
        assert_eq!(
            ids,
            ["sort 2048", "sort 64", "JSON round trip", "RegExp#test"]
        );
        let m = &run.benchmarks[0].measurements[0];
        assert_eq!(
            (m.metric.clone(), m.direction),
            (Metric::Throughput, Direction::HigherIsBetter)
        );
        assert_eq!((m.unit.as_str(), m.value, m.n), ("ops/s", 3942.0, Some(23)));
        let sd = 0.011 * 3942.0 / 1.96 * 23f64.sqrt();
        assert!((m.stddev.expect("sd") - sd).abs() < 1e-9);
        assert_eq!(run.benchmarks[3].measurements[0].value, 61_969_846.0);
    }

    #[test]
    fn bad_lines_and_no_lines() {
        assert!(err("Fastest is a\n").contains("no benchmark.js result lines"));
        assert!(
            err("a x 1,2x3 ops/sec \u{b1}1.00% (5 runs sampled)\n")
                .contains("line 1: `a`: ops/sec")
        );
        assert!(err("a x 1 ops/sec \u{b1}1.00% (5 runs sampled)\na x 2 ops/sec \u{b1}1.00% (5 runs sampled)\n")
            .contains("lines 1 and 2: duplicate benchmark `a`"));
        // Other output between them, and a later repeat of another name: the earliest
        // repeat is named, with the lines of both results.
        let r = |n: &str| format!("{n} x 1 ops/sec \u{b1}1.00% (5 runs sampled)\n");
        let text = [r("a"), "log\n".into(), r("b"), r("c"), r("b"), r("a")].concat();
        assert!(err(&text).contains("lines 3 and 5: duplicate benchmark `b`"));
        assert!(err("a x inf ops/sec \u{b1}1.00% (5 runs sampled)\n").contains("finite"));
        // A single run, as benchmark.js words it.
        let one = parse(
            Path::new("b.txt"),
            "slow x 0.5 ops/sec \u{b1}0.00% (1 run sampled)\n".as_bytes(),
        )
        .expect("parses");
        assert_eq!(one.run.benchmarks[0].measurements[0].n, Some(1));
    }
}
