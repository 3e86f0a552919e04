//! Luau's benchmark runner (`bench/bench.py`, what github-action-benchmark calls
//! `benchmarkluau`): a line per test, `SUCCESS: NAME : 15.041ms +/- 0.636% on DRIVER`,
//! then a RESULTS table, `NAME | Min | Average | StdDev% | Driver`, with a `Total` row.
//!
//! The table's `Min` is compared when the table is there (the fastest run, as for
//! pytest-benchmark: a busy machine slows the others), else the lines' average; the
//! spread is the standard deviation the runner prints as a percentage of the average.

use rustc_hash::FxHashMap as HashMap;
use std::path::Path;

use super::Loaded;
use crate::error::{Error, Result};
use crate::model::{Benchmark, Direction, Estimator, Measurement, Metric};

const FORMAT: &str = "benchmarkluau";

/// One test as the runner reported it, in ns.
struct Luau<'a> {
    name: &'a str,
    driver: &'a str,
    value: f64,
    estimator: Estimator,
    stddev: f64,
    line: usize,
}

/// A duration as the runner prints it (`15.041ms`), in ns.
fn duration(text: &str) -> Option<f64> {
    let text = text.trim();
    let (number, scale) = [("ns", 1.0), ("us", 1e3), ("ms", 1e6), ("s", 1e9)]
        .into_iter()
        .find_map(|(unit, scale)| text.strip_suffix(unit).map(|n| (n, scale)))?;
    let v: f64 = number.trim().parse().ok()?;
    Some(v * scale)
}

/// A `SUCCESS:` line: name, average in ns, standard deviation in %, driver.
pub(crate) fn success_line(line: &str) -> Option<(&str, &str, &str, &str)> {
    let rest = line.strip_prefix("SUCCESS: ")?;
    let (name, rest) = rest.split_once(" : ")?;
    let (average, rest) = rest.split_once(" +/- ")?;
    let (pct, driver) = rest.split_once("% on ")?;
    Some((name.trim(), average.trim(), pct.trim(), driver.trim()))
}

/// Parses Luau benchmark runner output.
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Loaded> {
    let invalid = |msg: String| Error::input(path, Some(FORMAT), msg);
    let text = std::str::from_utf8(bytes).map_err(|e| invalid(format!("not UTF-8 text ({e})")))?;
    let mut lines_found = Vec::new();
    let mut table = Vec::new();
    let mut in_table = false;
    for (i, line) in text.lines().enumerate() {
        let at = i + 1;
        let bad = |what: &str| invalid(format!("line {at}: {what}"));
        if let Some((name, average, pct, driver)) = success_line(line) {
            let value = duration(average)
                .filter(|v| v.is_finite() && *v >= 0.0)
                .ok_or_else(|| bad(&format!("`{name}`: `{average}` is not a duration")))?;
            let pct: f64 = pct
                .parse()
                .ok()
                .filter(|p: &f64| p.is_finite() && *p >= 0.0)
                .ok_or_else(|| bad(&format!("`{name}`: `{pct}%` is not a percentage")))?;
            lines_found.push(Luau {
                name,
                driver,
                value,
                estimator: Estimator::Mean,
                stddev: value * pct / 100.0,
                line: at,
            });
            continue;
        }
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() == 5 && cells[0] == "Test" && cells[1] == "Min" {
            in_table = true;
            continue;
        }
        if !in_table || cells.len() != 5 || cells[0] == "Total" {
            // The runner closes its table with a line of three dashes.
            if line.trim() == "---" {
                in_table = false;
            }
            continue;
        }
        let name = cells[0];
        let min = duration(cells[1])
            .filter(|v| v.is_finite() && *v >= 0.0)
            .ok_or_else(|| bad(&format!("`{name}`: Min `{}` is not a duration", cells[1])))?;
        let average = duration(cells[2])
            .filter(|v| v.is_finite() && *v >= 0.0)
            .ok_or_else(|| {
                bad(&format!(
                    "`{name}`: Average `{}` is not a duration",
                    cells[2]
                ))
            })?;
        let pct: f64 = cells[3]
            .strip_suffix('%')
            .and_then(|p| p.trim().parse().ok())
            .filter(|p: &f64| p.is_finite() && *p >= 0.0)
            .ok_or_else(|| {
                bad(&format!(
                    "`{name}`: StdDev% `{}` is not a percentage",
                    cells[3]
                ))
            })?;
        table.push(Luau {
            name,
            driver: cells[4],
            value: min,
            estimator: Estimator::Min,
            stddev: average * pct / 100.0,
            line: at,
        });
    }
    let found = if table.is_empty() { lines_found } else { table };
    if found.is_empty() {
        return Err(invalid(
            "no Luau benchmark results (`SUCCESS: NAME : 15.041ms +/- 0.636% on luau` lines \
             or the RESULTS table of bench/bench.py)"
                .into(),
        ));
    }
    // One driver: the test's name is the id; several (`--vm` comparisons): `name [driver]`.
    let one_driver = found.iter().all(|l| l.driver == found[0].driver);
    let mut seen: HashMap<String, usize> = HashMap::default();
    let mut benchmarks = Vec::with_capacity(found.len());
    for l in &found {
        let id = if one_driver {
            l.name.to_string()
        } else {
            format!("{} [{}]", l.name, l.driver)
        };
        if let Some(first) = seen.insert(id.clone(), l.line) {
            return Err(invalid(format!(
                "lines {first} and {}: duplicate benchmark `{id}`",
                l.line
            )));
        }
        let m = Measurement::new(Metric::Time, Direction::LowerIsBetter, "ns", l.value)
            .with_spread(Some(l.stddev), None)
            .with_estimator(l.estimator);
        benchmarks.push(Benchmark {
            id,
            group: None,
            measurements: vec![m],
        });
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
    fn the_results_table_gives_min_and_spread() {
        let (p, bytes) = fixture("fixtures/luau/output.txt");
        let run = parse(&p, &bytes).expect("parses").run;
        let ids = crate::ingest::ids(&run);
        assert_eq!(ids, ["base64", "chess", "life"]);
        let m = &run.benchmarks[0].measurements[0];
        assert!((m.value - 14.831e6).abs() < 1e-3, "{}", m.value);
        assert_eq!(m.estimator, Some(Estimator::Min));
        assert!((m.stddev.expect("sd") - 15.041e6 * 0.00636).abs() < 1e-3);
        assert_eq!(m.n, None);
    }

    #[test]
    fn success_lines_alone_several_drivers_and_bad_values() {
        let lines =
            "SUCCESS: a : 2.000ms +/- 1.000% on luau\nSUCCESS: a : 3.000ms +/- 2.000% on lua\n";
        let run = parse(Path::new("x"), lines.as_bytes()).expect("parses").run;
        assert_eq!(run.benchmarks[0].id, "a [luau]");
        assert_eq!(run.benchmarks[1].id, "a [lua]");
        let m = &run.benchmarks[1].measurements[0];
        assert_eq!((m.value, m.estimator), (3e6, Some(Estimator::Mean)));
        assert!(err("nothing here\n").contains("no Luau benchmark results"));
        assert!(
            err("SUCCESS: a : fast +/- 1.0% on luau\n")
                .contains("line 1: `a`: `fast` is not a duration")
        );
        assert!(err("SUCCESS: a : 1ms +/- NaN% on luau\n").contains("is not a percentage"));
        assert!(
            err("SUCCESS: a : 1ms +/- 1% on luau\nSUCCESS: a : 1ms +/- 1% on luau\n")
                .contains("lines 1 and 2: duplicate benchmark `a`")
        );
        let table = "Test | Min | Average | StdDev% | Driver\n---+---+---+---+---\nx | -1ms | 1ms | 1% | luau\n";
        assert!(err(table).contains("line 3: `x`: Min `-1ms`"));
    }
}
