//! asv (airspeed velocity) result files, `results/<machine>/<commit>-<env>.json`, in
//! both layouts asv has written:
//!
//! - version 2 (asv ≥ 0.5): `result_columns` names the columns, and each benchmark is a
//!   row, `"name": [result, params, version, started_at, duration, stats_ci_99_a,
//!   stats_ci_99_b, stats_q_25, stats_q_75, stats_number, stats_repeat, samples, …]`,
//!   cut short after the last column it has;
//! - version 1 (asv ≤ 0.4): `"name": {"result", "params", "stats": [{"q_25", "q_75",
//!   "repeat", …}], "samples"}`, or a bare number.
//!
//! A parameterised benchmark holds one result per combination of its `params`, in the
//! order of their product (the last parameter varies fastest); each becomes a benchmark
//! `name(p1, p2)`, as `asv compare` names it. `null` (a failure) and `NaN` (a skipped
//! combination) are reported, not compared.
//!
//! The kind comes from the name, as asv discovers benchmarks: `time_` and `timeraw_`
//! are seconds (the median of the repeats; the samples when `--record-samples` kept
//! them, else the quartiles as the spread), `mem_` the size of the returned object
//! (a count the code decides: deterministic), `peakmem_` the process's peak memory,
//! `track_` a number in asv's default unit.
//!
//! `asv_rows.rs` reads the rows of either layout; this file makes them benchmarks.

use std::path::Path;

use super::asv_rows::{AsvFile, Columns, FileSeed, Row, Rows, v1_series, v2_series};
use super::json::{check_value, located, without_nan};
use super::{Loaded, robust_summary};
use crate::error::{Error, Result};
use crate::model::{Benchmark, Direction, Estimator, Measurement, Metric};

const FORMAT: &str = "asv";
const NS_PER_S: f64 = 1e9;
/// The interquartile range of a normal distribution, in standard deviations.
const IQR_TO_SIGMA: f64 = 1.348_979_500_392_163_5;

/// What a benchmark measures, from the prefix of its name.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Time,
    Mem,
    PeakMem,
    Track,
}

fn kind(name: &str) -> Option<Kind> {
    let last = name.rsplit('.').next().unwrap_or(name);
    [
        ("time_", Kind::Time),
        ("timeraw_", Kind::Time),
        ("mem_", Kind::Mem),
        ("peakmem_", Kind::PeakMem),
        ("track_", Kind::Track),
    ]
    .into_iter()
    .find_map(|(prefix, k)| last.starts_with(prefix).then_some(k))
}

/// The ids of a benchmark's parameter combinations, in the order of its results.
fn combinations(name: &str, params: &[Vec<String>]) -> Vec<String> {
    if params.is_empty() {
        return vec![name.to_string()];
    }
    // Counting through the product in mixed radix, the last parameter fastest.
    let total: usize = params.iter().map(Vec::len).product();
    let mut ids = Vec::with_capacity(total);
    let mut digits = vec![0; params.len()];
    for _ in 0..total {
        let mut id = String::with_capacity(name.len() + 2 + 8 * params.len());
        id.push_str(name);
        id.push('(');
        for (k, values) in params.iter().enumerate() {
            if k > 0 {
                id.push_str(", ");
            }
            id.push_str(&values[digits[k]]);
        }
        id.push(')');
        ids.push(id);
        for k in (0..params.len()).rev() {
            digits[k] += 1;
            if digits[k] < params[k].len() {
                break;
            }
            digits[k] = 0;
        }
    }
    ids
}

/// Parses an asv result file.
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Loaded> {
    let invalid = |msg: String| Error::input(path, Some(FORMAT), msg);
    let mut rewritten = None;
    let doc = without_nan(bytes, &mut rewritten);
    let failed = std::cell::RefCell::new(None);
    let mut de = serde_json::Deserializer::from_slice(doc);
    let file = serde::de::DeserializeSeed::deserialize(FileSeed { failed: &failed }, &mut de)
        .and_then(|file| de.end().map(|()| file));
    let Rows {
        result_columns,
        rows,
    } = match file {
        Ok(file) => file,
        Err(e) => {
            // A row of the wrong shape is named with its column; a file cut short or not
            // JSON is said as for any JSON format.
            if e.is_data()
                && let Some(what) = failed.take()
            {
                return Err(invalid(what));
            }
            // Not valid JSON, or not an object: said with the place, as the other formats say it.
            return Err(located::<AsvFile<'_>>(path, FORMAT, doc)
                .err()
                .unwrap_or_else(|| invalid(super::json::reason(&e))));
        }
    };
    let mut warnings = Vec::new();
    let columns = result_columns.as_deref().map(Columns::of);
    if let Some((_, repeat)) = super::unique::first_repeat(rows.len(), |i| &rows[i].0) {
        let name = &rows[repeat].0;
        return Err(invalid(format!("`results`: benchmark `{name}` twice")));
    }
    // Rows read whole say how many benchmarks they hold.
    let known: usize = rows
        .iter()
        .map(|(_, row)| match row {
            Row::Read(series) => series.results.len(),
            Row::Raw(_) => 1,
        })
        .sum();
    let mut benchmarks: Vec<Benchmark> = Vec::with_capacity(known);
    for (name, row) in rows {
        let name = name.as_str();
        let mut series = match (row, &columns) {
            (Row::Read(series), _) => Ok(series),
            (Row::Raw(raw), Some(columns)) => v2_series(columns, raw),
            (Row::Raw(raw), None) => v1_series(raw),
        }
        .map_err(|e| invalid(format!("`results.{name}`: {e}")))?;
        let Some(kind) = kind(name) else {
            warnings.push(format!(
                "{}: `{name}` is not a time_, timeraw_, mem_, peakmem_ or track_ benchmark: \
                 skipped",
                path.display()
            ));
            continue;
        };
        let ids = combinations(name, &series.params);
        if ids.len() != series.results.len() {
            return Err(invalid(format!(
                "`results.{name}`: {} results for {} parameter combinations",
                series.results.len(),
                ids.len()
            )));
        }
        for (i, id) in ids.into_iter().enumerate() {
            let what = |field: &str| format!("`{id}`: {field}");
            let Some(value) = series.results[i] else {
                warnings.push(format!(
                    "{}: `{id}` failed or was skipped (asv shows failed or n/a): reported, \
                     not compared",
                    path.display()
                ));
                continue;
            };
            let value = check_value(Some(value), || what("result"), true).map_err(invalid)?;
            let m = match kind {
                Kind::Time => {
                    // Each combination's samples are taken, not copied: in ns, in place.
                    let samples = series
                        .samples
                        .get_mut(i)
                        .and_then(Option::take)
                        .map(|s| {
                            s.into_iter()
                                .enumerate()
                                .map(|(j, v)| {
                                    check_value(v, || what(&format!("samples[{j}]")), true)
                                        .map(|v| v * NS_PER_S)
                                })
                                .collect::<std::result::Result<Vec<f64>, String>>()
                        })
                        .transpose()
                        .map_err(invalid)?
                        .unwrap_or_default();
                    if samples.len() >= 2 {
                        let mut m =
                            robust_summary(Metric::Time, Direction::LowerIsBetter, "ns", &samples);
                        m.samples = Some(samples);
                        m
                    } else {
                        let q = |v: &[Option<f64>], field: &str| {
                            v.get(i)
                                .copied()
                                .flatten()
                                .map(|x| check_value(Some(x), || what(field), true))
                                .transpose()
                        };
                        let q25 = q(&series.q25, "stats_q_25").map_err(invalid)?;
                        let q75 = q(&series.q75, "stats_q_75").map_err(invalid)?;
                        let repeat = q(&series.repeat, "stats_repeat").map_err(invalid)?;
                        let spread = q25
                            .zip(q75)
                            .map(|(a, b)| (b - a).max(0.0) * NS_PER_S / IQR_TO_SIGMA);
                        Measurement::new(
                            Metric::Time,
                            Direction::LowerIsBetter,
                            "ns",
                            value * NS_PER_S,
                        )
                        .with_spread(spread, repeat.map(|r| r as u64))
                        .with_estimator(Estimator::Median)
                    }
                }
                Kind::Mem => Measurement::new(Metric::Memory, Direction::LowerIsBetter, "B", value)
                    .with_estimator(Estimator::Value)
                    .deterministic(),
                Kind::PeakMem => {
                    Measurement::new(Metric::Memory, Direction::LowerIsBetter, "B", value)
                        .with_estimator(Estimator::Value)
                }
                Kind::Track => Measurement::new(
                    Metric::Custom("track".into()),
                    Direction::LowerIsBetter,
                    "unit",
                    value,
                )
                .with_estimator(Estimator::Value),
            };
            benchmarks.push(Benchmark {
                id,
                group: None,
                measurements: vec![m],
            });
        }
    }
    if benchmarks.is_empty() && warnings.is_empty() {
        return Err(invalid(
            "no benchmark results: pass a file under asv's `results/<machine>/`, written by \
             `asv run`"
                .into(),
        ));
    }
    Loaded::unless_all_failed(FORMAT, benchmarks, warnings, "benchmark").map_err(invalid)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::fixture;

    fn err(text: &str) -> String {
        crate::ingest::refusal(parse, text)
    }

    fn raw(rel: &str) -> serde_json::Value {
        serde_json::from_slice(&nan_free(&fixture(rel).1)).expect("json")
    }

    fn nan_free(bytes: &[u8]) -> Vec<u8> {
        crate::ingest::json::nan_to_null(bytes).unwrap_or_else(|| bytes.to_vec())
    }

    #[test]
    fn both_layouts_expand_parameters_and_report_failures() {
        for rel in [
            "fixtures/asv/v2/baseline.json",
            "fixtures/asv/v1/baseline.json",
        ] {
            let (p, bytes) = fixture(rel);
            let loaded = parse(&p, &bytes).expect("parses");
            assert_eq!(
                crate::ingest::ids(&loaded.run),
                [
                    "bench_sort.Lookup.time_get(10)",
                    "bench_sort.Sort.time_sort(100, 'sorted')",
                    "bench_sort.Sort.time_sort(100, 'reversed')",
                    "bench_sort.Sort.time_sort(1000, 'sorted')",
                    "bench_sort.Sort.time_sort(1000, 'reversed')",
                    "bench_sort.time_join",
                    "bench_sort.mem_list",
                    "bench_sort.peakmem_bytearray",
                    "bench_sort.track_items",
                ],
                "{rel}"
            );
            let warned = loaded.warnings.join("\n");
            assert!(
                warned.contains("`bench_sort.Lookup.time_get(0)` failed or was skipped"),
                "{rel}: {warned}"
            );
            assert!(
                warned.contains("`bench_sort.time_fails` failed"),
                "{rel}: {warned}"
            );
            let by_id = |id: &str| {
                let b = loaded.run.benchmarks.iter().find(|b| b.id == id).expect(id);
                &b.measurements[0]
            };
            let mem = by_id("bench_sort.mem_list");
            assert_eq!(
                (&mem.metric, mem.unit.as_str(), mem.value, mem.deterministic),
                (&Metric::Memory, "B", 8056.0, true)
            );
            let track = by_id("bench_sort.track_items");
            assert_eq!(
                (track.metric.as_str(), track.unit.as_str(), track.value),
                ("track", "unit", 42.0)
            );
            assert!(!by_id("bench_sort.peakmem_bytearray").deterministic);
            // --record-samples kept the repeats: they are the samples, in ns.
            let join = by_id("bench_sort.time_join");
            assert_eq!((join.unit.as_str(), join.n), ("ns", Some(10)), "{rel}");
            assert_eq!(join.samples.as_ref().map(Vec::len), Some(10));
        }
    }

    #[test]
    fn results_before_their_columns_read_the_same() {
        let (p, bytes) = fixture("fixtures/asv/v2/baseline.json");
        let doc = raw("fixtures/asv/v2/baseline.json");
        let reordered = format!(
            r#"{{"results": {}, "version": 2, "result_columns": {}}}"#,
            doc["results"], doc["result_columns"]
        );
        // (`doc` holds its keys sorted: the benchmarks are compared in the order of their ids.)
        let mut first = parse(&p, &bytes).expect("parses").run;
        let mut later = parse(&p, reordered.as_bytes()).expect("parses").run;
        first.benchmarks.sort_by(|a, b| a.id.cmp(&b.id));
        later.benchmarks.sort_by(|a, b| a.id.cmp(&b.id));
        assert_eq!(
            serde_json::to_value(&first.benchmarks).expect("json"),
            serde_json::to_value(&later.benchmarks).expect("json")
        );
        assert!(!first.benchmarks.is_empty());
    }

    #[test]
    fn the_result_and_quartiles_without_samples() {
        let mut doc = raw("fixtures/asv/v2/baseline.json");
        let columns: Vec<String> =
            serde_json::from_value(doc["result_columns"].clone()).expect("columns");
        let at = |c: &str| columns.iter().position(|x| x == c).expect(c);
        let row = doc["results"]["bench_sort.Sort.time_sort"]
            .as_array_mut()
            .expect("row");
        row.truncate(at("samples"));
        let (result, q25, q75, repeat) = (
            row[at("result")][2].as_f64().expect("result"),
            row[at("stats_q_25")][2].as_f64().expect("q25"),
            row[at("stats_q_75")][2].as_f64().expect("q75"),
            row[at("stats_repeat")][2].as_f64().expect("repeat"),
        );
        let bytes = serde_json::to_vec(&doc).expect("json");
        let run = parse(Path::new("r.json"), &bytes).expect("parses").run;
        let m = &run
            .benchmarks
            .iter()
            .find(|b| b.id == "bench_sort.Sort.time_sort(1000, 'sorted')")
            .expect("row")
            .measurements[0];
        assert!((m.value / (result * 1e9) - 1.0).abs() < 1e-12);
        let sd = m.stddev.expect("spread");
        assert!((sd / ((q75 - q25) * 1e9 / IQR_TO_SIGMA) - 1.0).abs() < 1e-9);
        assert_eq!(
            (m.n, m.estimator, m.samples.is_none()),
            (Some(repeat as u64), Some(Estimator::Median), true)
        );
    }

    #[test]
    fn bad_input_names_the_benchmark() {
        let v2 = |row: &str| {
            format!(
                r#"{{"version": 2, "result_columns": ["result", "params", "samples"],
                "results": {{"b.time_x": {row}}}}}"#
            )
        };
        assert!(err(&v2(r#"[[-1.0], []]"#)).contains("`b.time_x`: result is negative"));
        assert!(err(&v2(r#"[[1.0], [], [[1.0, Infinity]]]"#)).contains("samples[1]"));
        assert!(err(&v2(r#"[[1.0, 2.0], [["1"]]]"#)).contains("2 results for 1 parameter"));
        assert!(err(&v2(r#""fast""#)).contains("`results.b.time_x`: not a row"));
        // A cell of the wrong shape is named by its column.
        assert!(err(&v2(r#"[[1.0], "x"]"#)).contains("`results.b.time_x`: `params`: invalid"));
        assert!(err(&v2(r#"[[1.0], [], [1.0]]"#)).contains("`results.b.time_x`: `samples`"));
        assert!(err(&v2(r#"["1.0"]"#)).contains("`results.b.time_x`: `result`"));
        assert!(err(&v2(r#"[[null], []]"#)).contains("every benchmark failed"));
        assert!(err(r#"{"results": {}}"#).contains("no benchmark results"));
        assert!(err(r#"{"results": {"a.time_x": 1, "a.time_x": 2}}"#).contains("twice"));
        assert!(err(r#"{"results": {"a.time_x": {"result": [1.0"#).contains("truncated"));
        assert!(err(r#"{"results": {"a.time_x": {"result": "x"}}}"#).contains("`result`"));
        let unknown = parse(
            Path::new("r.json"),
            br#"{"results": {"a.time_x": 1e-6, "a.size_x": 3}}"#,
        )
        .expect("parses");
        assert_eq!(crate::ingest::ids(&unknown.run), ["a.time_x"]);
        assert!(unknown.warnings[0].contains("`a.size_x` is not a time_"));
    }
}
