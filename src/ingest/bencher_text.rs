//! Bencher text: `test NAME ... bench:      59,734 ns/iter (+/- 296)`, written by
//! libtest's `cargo bench` and criterion's `--output-format bencher`.
//!
//! The number is the median truncated to whole ns, with thousands separators; `+/-`
//! is a spread (criterion: the std dev; libtest: max − min). Names may hold spaces, so
//! the name ends at `" ... bench:"`. The sample count is not written.

use std::path::Path;

use super::Loaded;
use crate::error::{Error, Result};
use crate::model::{Benchmark, Direction, Estimator, Measurement, Metric, Run, RunMeta};
use crate::units::parse_unit;

const FORMAT: &str = "bencher-text";
const MARKER: &str = " ... bench:";

/// Parses bencher text; lines that are not benchmark results are ignored.
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Loaded> {
    let invalid = |msg: String| Error::input(path, Some(FORMAT), msg);
    let text = std::str::from_utf8(bytes).map_err(|e| invalid(format!("not UTF-8 text: {e}")))?;
    let mut benchmarks = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        let Some(rest) = line.strip_prefix("test ") else {
            continue;
        };
        let Some((name, result)) = rest.split_once(MARKER) else {
            continue;
        };
        let b = parse_result(name.trim(), result)
            .map_err(|m| invalid(format!("line {}: {m}", i + 1)))?;
        benchmarks.push(b);
    }
    if benchmarks.is_empty() {
        return Err(invalid(
            "no `test NAME ... bench: N ns/iter (+/- M)` lines: save the output of \
             `cargo bench -- --output-format bencher`"
                .to_string(),
        ));
    }
    let meta = RunMeta {
        tool: FORMAT.to_string(),
        ..RunMeta::default()
    };
    Ok(Loaded {
        run: Run { meta, benchmarks },
        warnings: Vec::new(),
    })
}

fn parse_result(name: &str, result: &str) -> Result<Benchmark, String> {
    let mut parts = result.split_whitespace();
    let (Some(value), Some(unit)) = (parts.next(), parts.next()) else {
        return Err(format!(
            "benchmark `{name}`: expected `N ns/iter`, found `{}`",
            result.trim()
        ));
    };
    let number = |s: &str| -> Result<f64, String> {
        let cleaned: String = s.chars().filter(|c| *c != ',' && *c != '_').collect();
        cleaned
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v >= 0.0)
            .ok_or_else(|| format!("benchmark `{name}`: `{s}` is not a non-negative number"))
    };
    let value = number(value)?;
    let spread = match (parts.next(), parts.next()) {
        (Some("(+/-"), Some(s)) => Some(number(s.trim_end_matches(')'))?),
        _ => None,
    };
    let parsed = parse_unit(unit);
    if parsed.metric != Metric::Time {
        return Err(format!(
            "benchmark `{name}`: unit `{unit}` is not a time per iteration"
        ));
    }
    let m = Measurement::new(
        Metric::Time,
        Direction::LowerIsBetter,
        "ns",
        value * parsed.factor,
    )
    .with_spread(spread.map(|s| s * parsed.factor), None)
    .with_estimator(Estimator::Median);
    Ok(Benchmark {
        id: name.to_string(),
        group: None,
        measurements: vec![m],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_criterion_bencher_output() {
        let p =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/criterion/baseline.bencher.txt");
        let bytes = std::fs::read(&p).expect("fixture");
        let run = parse(&p, &bytes).expect("parses").run;
        assert_eq!(run.benchmarks.len(), 5);
        let text = String::from_utf8(bytes).expect("utf8");
        let line = text
            .lines()
            .find(|l| l.starts_with("test sort/slowed"))
            .expect("line");
        let shown: f64 = line
            .split_whitespace()
            .nth(4)
            .expect("value")
            .replace(',', "")
            .parse()
            .expect("num");
        let sort = run
            .benchmarks
            .iter()
            .find(|b| b.id == "sort/slowed")
            .expect("sort");
        assert_eq!(sort.measurements[0].value, shown);
        assert!(run.benchmarks.iter().any(|b| b.id == "parse/json fast"));
    }

    #[test]
    fn names_with_spaces_and_separators() {
        let text = "test a b::c ... bench:      59,734 ns/iter (+/- 2,296)\n";
        let run = parse(Path::new("b.txt"), text.as_bytes())
            .expect("parses")
            .run;
        let m = &run.benchmarks[0].measurements[0];
        assert_eq!(
            (run.benchmarks[0].id.as_str(), m.value, m.stddev),
            ("a b::c", 59734.0, Some(2296.0))
        );
    }

    #[test]
    fn malformed_lines_name_the_line() {
        let msg = parse(
            Path::new("b.txt"),
            b"\ntest x ... bench: abc ns/iter (+/- 1)\n",
        )
        .unwrap_err()
        .to_string();
        assert!(
            msg.contains("b.txt") && msg.contains("line 2") && msg.contains("`abc`"),
            "{msg}"
        );
    }
}
