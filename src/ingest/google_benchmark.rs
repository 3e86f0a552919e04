//! Google Benchmark `--benchmark_format=json` / `--benchmark_out=FILE`:
//! `{"context": {...}, "benchmarks": [{"name", "run_name", "run_type", "repetition_index",
//! "real_time", "cpu_time", "time_unit", "items_per_second"?, "bytes_per_second"?,
//! "error_occurred"?, counters...}]}`.
//!
//! Each repetition (`run_type: "iteration"`) is one sample; the aggregates (`mean`,
//! `median`, `stddev`, `cv`) are used only when a file has no repetitions
//! (`--benchmark_report_aggregates_only`), never both. Times are `real_time` (wall
//! clock; `google_benchmark_time = "cpu"` in the config reads `cpu_time`), per
//! iteration in `time_unit`.

use std::path::Path;

use serde::Deserialize;

use super::json::parse as parse_json;
use super::{Loaded, robust_summary};
use crate::config::Clock;
use crate::error::{Error, Result};
use crate::model::{Benchmark, Direction, Estimator, Measurement, Metric};
use crate::stats::median;

const FORMAT: &str = "google-benchmark";

#[derive(Debug, Deserialize)]
struct GFile {
    #[serde(default)]
    context: Option<GContext>,
    benchmarks: Vec<GBench>,
}

#[derive(Debug, Deserialize)]
struct GContext {
    #[serde(default)]
    date: Option<String>,
}

/// One row of `benchmarks`: a repetition or an aggregate.
#[derive(Debug, Default)]
struct GBench {
    name: String,
    run_name: Option<String>,
    run_type: Option<String>,
    aggregate_name: Option<String>,
    real_time: Option<f64>,
    cpu_time: Option<f64>,
    time_unit: Option<String>,
    items_per_second: Option<f64>,
    bytes_per_second: Option<f64>,
    error_occurred: Option<bool>,
    error_message: Option<String>,
    /// An aggregate row's number of repetitions.
    repetitions: Option<u64>,
    /// User counters: the numeric keys Google Benchmark does not write itself, sorted by
    /// name.
    counters: Vec<(String, f64)>,
}

impl GBench {
    /// A user counter's value.
    fn counter(&self, key: &str) -> Option<f64> {
        self.counters
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| *v)
    }

    /// Sets a user counter (a key given twice keeps its last value), keeping them sorted.
    fn set_counter(&mut self, key: &str, value: f64) {
        match self.counters.binary_search_by(|(k, _)| k.as_str().cmp(key)) {
            Ok(i) => self.counters[i].1 = value,
            Err(i) => self.counters.insert(i, (key.to_string(), value)),
        }
    }
}

/// The keys of a row: those read, those Google Benchmark writes that are not read, and
/// user counters. Read by hand rather than with `#[serde(flatten)]`, which buffers every
/// field of every row before sorting them out.
enum Key {
    Name,
    RunName,
    RunType,
    AggregateName,
    RealTime,
    CpuTime,
    TimeUnit,
    ItemsPerSecond,
    BytesPerSecond,
    ErrorOccurred,
    ErrorMessage,
    Repetitions,
    /// Written by Google Benchmark, not a counter, not read.
    Other,
    Counter(String),
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Key, D::Error> {
        struct KeyVisitor;
        impl serde::de::Visitor<'_> for KeyVisitor {
            type Value = Key;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: serde::de::Error>(self, key: &str) -> std::result::Result<Key, E> {
                Ok(match key {
                    "name" => Key::Name,
                    "run_name" => Key::RunName,
                    "run_type" => Key::RunType,
                    "aggregate_name" => Key::AggregateName,
                    "real_time" => Key::RealTime,
                    "cpu_time" => Key::CpuTime,
                    "time_unit" => Key::TimeUnit,
                    "items_per_second" => Key::ItemsPerSecond,
                    "bytes_per_second" => Key::BytesPerSecond,
                    "error_occurred" => Key::ErrorOccurred,
                    "error_message" => Key::ErrorMessage,
                    "repetitions" => Key::Repetitions,
                    "family_index"
                    | "per_family_instance_index"
                    | "repetition_index"
                    | "threads"
                    | "iterations"
                    | "aggregate_unit"
                    | "label"
                    | "big_o"
                    | "rms"
                    | "complexity_n" => Key::Other,
                    counter => Key::Counter(counter.to_string()),
                })
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

/// A value that matters only when it is a number: as f64, and as u64 when it is a
/// non-negative integer.
struct Number(Option<f64>, Option<u64>);

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Number, D::Error> {
        use serde::de::{IgnoredAny, Visitor};
        struct NumberVisitor;
        impl<'de> Visitor<'de> for NumberVisitor {
            type Value = Number;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("any value")
            }
            fn visit_u64<E>(self, v: u64) -> std::result::Result<Number, E> {
                Ok(Number(Some(v as f64), Some(v)))
            }
            fn visit_i64<E>(self, v: i64) -> std::result::Result<Number, E> {
                Ok(Number(Some(v as f64), u64::try_from(v).ok()))
            }
            fn visit_f64<E>(self, v: f64) -> std::result::Result<Number, E> {
                Ok(Number(Some(v), None))
            }
            fn visit_bool<E>(self, _: bool) -> std::result::Result<Number, E> {
                Ok(Number(None, None))
            }
            fn visit_str<E>(self, _: &str) -> std::result::Result<Number, E> {
                Ok(Number(None, None))
            }
            fn visit_unit<E>(self) -> std::result::Result<Number, E> {
                Ok(Number(None, None))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                seq: A,
            ) -> std::result::Result<Number, A::Error> {
                IgnoredAny.visit_seq(seq).map(|_| Number(None, None))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> std::result::Result<Number, A::Error> {
                IgnoredAny.visit_map(map).map(|_| Number(None, None))
            }
        }
        d.deserialize_any(NumberVisitor)
    }
}

impl<'de> Deserialize<'de> for GBench {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<GBench, D::Error> {
        struct RowVisitor;
        impl<'de> serde::de::Visitor<'de> for RowVisitor {
            type Value = GBench;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a benchmark object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<GBench, A::Error> {
                let mut b = GBench::default();
                let mut name = None;
                while let Some(key) = map.next_key::<Key>()? {
                    match key {
                        Key::Name => name = Some(map.next_value::<String>()?),
                        Key::RunName => b.run_name = map.next_value()?,
                        Key::RunType => b.run_type = map.next_value()?,
                        Key::AggregateName => b.aggregate_name = map.next_value()?,
                        Key::RealTime => b.real_time = map.next_value()?,
                        Key::CpuTime => b.cpu_time = map.next_value()?,
                        Key::TimeUnit => b.time_unit = map.next_value()?,
                        Key::ItemsPerSecond => b.items_per_second = map.next_value()?,
                        Key::BytesPerSecond => b.bytes_per_second = map.next_value()?,
                        Key::ErrorOccurred => b.error_occurred = map.next_value()?,
                        Key::ErrorMessage => b.error_message = map.next_value()?,
                        Key::Repetitions => b.repetitions = map.next_value::<Number>()?.1,
                        Key::Other => {
                            map.next_value::<serde::de::IgnoredAny>()?;
                        }
                        Key::Counter(key) => {
                            if let Number(Some(v), _) = map.next_value()? {
                                b.set_counter(&key, v);
                            }
                        }
                    }
                }
                b.name = name.ok_or_else(|| serde::de::Error::missing_field("name"))?;
                Ok(b)
            }
        }
        d.deserialize_map(RowVisitor)
    }
}

/// The rows of one benchmark (one `run_name`), in file order.
#[derive(Default)]
struct Group<'a> {
    repetitions: Vec<&'a GBench>,
    aggregates: Vec<&'a GBench>,
}

/// Parses a Google Benchmark JSON file on the wall clock.
#[cfg(test)]
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Loaded> {
    parse_with(path, bytes, Clock::Real)
}

/// Parses a Google Benchmark JSON file or its console output, comparing `clock`
/// (`real_time` or `cpu_time`).
pub fn parse_with(path: &Path, bytes: &[u8], clock: Clock) -> Result<Loaded> {
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace());
    if start.is_some_and(|i| bytes[i] != b'{') {
        let invalid = |msg: String| Error::input(path, Some(FORMAT), msg);
        let text =
            std::str::from_utf8(bytes).map_err(|e| invalid(format!("not UTF-8 text ({e})")))?;
        let rows = console::rows(text).map_err(invalid)?;
        if rows.is_empty() {
            return Err(invalid(
                "no Google Benchmark results: expected the console table (`Benchmark  Time  \
                 CPU  Iterations`) or JSON (--benchmark_out_format=json)"
                    .into(),
            ));
        }
        return judge(path, &rows, clock, None);
    }
    let file: GFile = parse_json(path, FORMAT, bytes)?;
    if file.benchmarks.is_empty() {
        return Err(Error::input(
            path,
            Some(FORMAT),
            "`benchmarks` is empty: no benchmark ran (a --benchmark_filter that matched nothing?)",
        ));
    }
    judge(
        path,
        &file.benchmarks,
        clock,
        file.context.and_then(|c| c.date),
    )
}

/// The rows of one file, grouped by benchmark and judged: repetitions as samples, else
/// the aggregates; a failed benchmark is a warning.
fn judge(path: &Path, rows: &[GBench], clock: Clock, date: Option<String>) -> Result<Loaded> {
    let invalid = |msg: String| Error::input(path, Some(FORMAT), msg);
    // Benchmarks in the order of their first row.
    let mut index: rustc_hash::FxHashMap<&str, usize> = rustc_hash::FxHashMap::default();
    let mut groups: Vec<(&str, Group<'_>)> = Vec::new();
    for b in rows {
        let id = b.run_name.as_deref().unwrap_or(&b.name);
        let i = *index.entry(id).or_insert_with(|| {
            groups.push((id, Group::default()));
            groups.len() - 1
        });
        let g = &mut groups[i].1;
        match b.run_type.as_deref() {
            Some("aggregate") => g.aggregates.push(b),
            _ => g.repetitions.push(b),
        }
    }
    let mut warnings = Vec::new();
    let mut benchmarks = Vec::with_capacity(groups.len());
    for (id, g) in groups {
        if let Some(failed) = g
            .repetitions
            .iter()
            .find(|b| b.error_occurred == Some(true))
        {
            warnings.push(format!(
                "{}: `{id}` failed ({}): reported as failed, not compared",
                path.display(),
                failed.error_message.as_deref().unwrap_or("error_occurred")
            ));
            continue;
        }
        let measurements = if g.repetitions.is_empty() {
            from_aggregates(id, &g.aggregates, clock).map_err(invalid)?
        } else {
            from_repetitions(id, &g.repetitions, clock).map_err(invalid)?
        };
        benchmarks.push(Benchmark {
            id: id.to_string(),
            group: None,
            measurements,
        });
    }
    let mut loaded =
        Loaded::unless_all_failed(FORMAT, benchmarks, warnings, "benchmark").map_err(invalid)?;
    loaded.run.meta.timestamp = date;
    Ok(loaded)
}

fn ns_per(unit: Option<&str>, id: &str) -> Result<f64, String> {
    match unit.unwrap_or("ns") {
        "ns" => Ok(1.0),
        "us" => Ok(1e3),
        "ms" => Ok(1e6),
        "s" => Ok(1e9),
        other => Err(format!(
            "`{id}`: time_unit `{other}` is not ns, us, ms or s"
        )),
    }
}

fn finite(v: Option<f64>, what: impl Fn() -> String) -> Result<f64, String> {
    super::json::check_value(v, what, true)
}

/// The median of the values with its robust sigma and count, as one measurement.
/// The median of the repetitions with its robust spread; one repetition is the mean of
/// its iterations, with no spread.
fn summarise(metric: Metric, direction: Direction, unit: &str, values: &[f64]) -> Measurement {
    if values.len() >= 2 {
        return robust_summary(metric, direction, unit, values);
    }
    Measurement::new(metric, direction, unit, median(values)).with_estimator(Estimator::Mean)
}

impl GBench {
    /// The time on `clock`, with the field's name for messages.
    fn time(&self, clock: Clock) -> (Option<f64>, &'static str) {
        match clock {
            Clock::Real => (self.real_time, "real_time"),
            Clock::Cpu => (self.cpu_time, "cpu_time"),
        }
    }
}

fn from_repetitions(id: &str, reps: &[&GBench], clock: Clock) -> Result<Vec<Measurement>, String> {
    let mut times = Vec::with_capacity(reps.len());
    for (i, b) in reps.iter().enumerate() {
        let factor = ns_per(b.time_unit.as_deref(), id)?;
        let (t, field) = b.time(clock);
        times.push(finite(t, || format!("`{id}` repetition {i}: {field}"))? * factor);
    }
    let mut time = summarise(Metric::Time, Direction::LowerIsBetter, "ns", &times);
    time.samples = (times.len() >= 2).then_some(times);
    let mut out = vec![time];
    let rates = |pick: fn(&GBench) -> Option<f64>| -> Vec<f64> {
        reps.iter()
            .filter_map(|b| pick(b))
            .filter(|v| v.is_finite() && *v >= 0.0)
            .collect()
    };
    // Throughput is the work per iteration over the time: judged with the time.
    for (values, unit) in [
        (rates(|b| b.items_per_second), "elements/s"),
        (rates(|b| b.bytes_per_second), "B/s"),
    ] {
        if values.len() == reps.len() {
            let mut m = summarise(Metric::Throughput, Direction::HigherIsBetter, unit, &values);
            m.derived = true;
            out.push(m);
        }
    }
    // User counters: numbers under their own names.
    for (key, _) in &reps[0].counters {
        let values: Vec<f64> = reps
            .iter()
            .filter_map(|b| b.counter(key))
            .filter(|v| v.is_finite())
            .collect();
        if values.len() == reps.len() {
            out.push(summarise(
                Metric::Custom(key.clone()),
                Direction::LowerIsBetter,
                "",
                &values,
            ));
        }
    }
    Ok(out)
}

fn from_aggregates(id: &str, aggs: &[&GBench], clock: Clock) -> Result<Vec<Measurement>, String> {
    let get = |name: &str| {
        aggs.iter()
            .find(|b| b.aggregate_name.as_deref() == Some(name))
    };
    let (row, estimator) = match (get("median"), get("mean")) {
        (Some(m), _) => (m, Estimator::Median),
        (None, Some(m)) => (m, Estimator::Mean),
        (None, None) => {
            return Err(format!(
                "`{id}`: no repetitions and no mean or median aggregate"
            ));
        }
    };
    let factor = ns_per(row.time_unit.as_deref(), id)?;
    let (t, field) = row.time(clock);
    let value = finite(t, || format!("`{id}` {}: {field}", row.name))? * factor;
    let stddev = get("stddev")
        .and_then(|s| s.time(clock).0)
        .filter(|v| v.is_finite())
        .map(|v| v * factor);
    let n = row.repetitions;
    Ok(vec![
        Measurement::new(Metric::Time, Direction::LowerIsBetter, "ns", value)
            .with_spread(stddev, n)
            .with_estimator(estimator),
    ])
}

/// The console reporter (the default output): a table `Benchmark  Time  CPU
/// Iterations [UserCounters...]`, one row per run, `BM_Sort/1024  6021 ns  5997 ns  4703
/// items_per_second=170.766M/s`. Aggregate rows add `_mean`, `_median`, `_stddev`,
/// `_cv` to the name of a benchmark that has rows of its own; a failed benchmark prints
/// `ERROR OCCURRED: '…'`. Rows are read into the JSON reporter's shape.
mod console {
    use super::GBench;

    const AGGREGATES: [&str; 4] = ["mean", "median", "stddev", "cv"];

    /// A counter's value as the console prints it (`170.766M/s`, `242.605k`,
    /// `29.4183G/s` for bytes, whose prefixes count in 1024s).
    fn counter(raw: &str, binary: bool) -> Option<f64> {
        let raw = raw.strip_suffix("/s").unwrap_or(raw);
        let base: f64 = if binary { 1024.0 } else { 1000.0 };
        let (number, scale) = match raw.char_indices().last()? {
            (i, 'k') => (&raw[..i], base),
            (i, 'M') => (&raw[..i], base.powi(2)),
            (i, 'G') => (&raw[..i], base.powi(3)),
            (i, 'T') => (&raw[..i], base.powi(4)),
            _ => (raw, 1.0),
        };
        number.parse::<f64>().ok().map(|v| v * scale)
    }

    /// The rows of every table in the text.
    pub(super) fn rows(text: &str) -> Result<Vec<GBench>, String> {
        let mut rows: Vec<GBench> = Vec::new();
        let mut in_table = false;
        for (i, line) in text.lines().enumerate() {
            let at = i + 1;
            let mut t = line.split_whitespace();
            let Some(name) = t.next() else { continue };
            if name == "Benchmark" && line.contains("Iterations") {
                in_table = true;
                continue;
            }
            if !in_table || name.starts_with("---") {
                continue;
            }
            let rest: Vec<&str> = t.collect();
            if rest.first() == Some(&"ERROR") {
                let message = line
                    .split_once("ERROR OCCURRED:")
                    .map_or("", |(_, m)| m.trim());
                rows.push(GBench {
                    name: name.to_string(),
                    error_occurred: Some(true),
                    error_message: Some(message.trim_matches('\'').to_string()),
                    ..GBench::default()
                });
                continue;
            }
            // `_cv` rows print percentages, not times: not needed to judge.
            if rest.get(1) == Some(&"%") {
                continue;
            }
            let [real, real_unit, cpu, cpu_unit, iterations, counters @ ..] = rest.as_slice()
            else {
                return Err(format!(
                    "line {at}: `{name}`: expected `TIME UNIT  CPU UNIT  ITERATIONS`, found `{}`",
                    rest.join(" ")
                ));
            };
            if real_unit != cpu_unit {
                return Err(format!(
                    "line {at}: `{name}`: the time is in {real_unit} but the CPU time in {cpu_unit}"
                ));
            }
            let number = |raw: &str, what: &str| {
                raw.parse::<f64>()
                    .map_err(|_| format!("line {at}: `{name}`: {what} `{raw}` is not a number"))
            };
            let mut row = GBench {
                name: name.to_string(),
                run_type: Some("iteration".into()),
                real_time: Some(number(real, "the time")?),
                cpu_time: Some(number(cpu, "the CPU time")?),
                time_unit: Some((*real_unit).to_string()),
                ..GBench::default()
            };
            let iterations = number(iterations, "the iteration count")?;
            // An aggregate row's count is the repetitions behind it.
            row.repetitions = Some(iterations as u64);
            for c in counters {
                let Some((key, value)) = c.split_once('=') else {
                    continue;
                };
                let value = counter(value, key == "bytes_per_second")
                    .ok_or_else(|| format!("line {at}: `{name}`: counter `{c}` is not a number"))?;
                match key {
                    "items_per_second" => row.items_per_second = Some(value),
                    "bytes_per_second" => row.bytes_per_second = Some(value),
                    _ => row.set_counter(key, value),
                }
            }
            rows.push(row);
        }
        // An aggregate is `NAME_mean` etc. of a NAME that has rows of its own, or that
        // has two aggregates (`--benchmark_report_aggregates_only`).
        let names: rustc_hash::FxHashSet<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        let split = |name: &str| -> Option<(String, String)> {
            let (base, kind) = name.rsplit_once('_')?;
            let kinds = AGGREGATES
                .iter()
                .filter(|k| names.contains(format!("{base}_{k}").as_str()))
                .count();
            (AGGREGATES.contains(&kind) && (names.contains(base) || kinds >= 2))
                .then(|| (base.to_string(), kind.to_string()))
        };
        let aggregates: Vec<Option<(String, String)>> =
            rows.iter().map(|r| split(&r.name)).collect();
        for (row, aggregate) in rows.iter_mut().zip(aggregates) {
            match aggregate {
                Some((base, kind)) => {
                    row.run_name = Some(base);
                    row.aggregate_name = Some(kind);
                    row.run_type = Some("aggregate".into());
                }
                None => row.repetitions = None,
            }
        }
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    /// The console table: repetitions as samples, aggregates and `_cv` rows not counted
    /// twice, counters, failures; the same benchmarks as the JSON reporter's.
    #[test]
    fn the_console_table_is_read_like_the_json() {
        let (p, bytes) = crate::ingest::fixture("fixtures/google-benchmark/baseline.console.txt");
        let loaded = super::parse(&p, &bytes).expect("parses");
        let ids: Vec<&str> = loaded
            .run
            .benchmarks
            .iter()
            .map(|b| b.id.as_str())
            .collect();
        assert_eq!(ids, ["BM_Sort/1024", "BM_Sort/16384", "BM_Copy/4096"]);
        let t = &loaded.run.benchmarks[0].measurements[0];
        assert_eq!(
            t.samples.as_deref(),
            Some(&[5498.0, 5359.0, 5592.0, 5377.0, 5504.0][..])
        );
        assert_eq!((t.value, t.n), (5498.0, Some(5)));
        let items = &loaded.run.benchmarks[0].measurements[1];
        assert_eq!((items.unit.as_str(), items.derived), ("elements/s", true));
        assert!((items.value - 186.327e6).abs() < 1.0, "{}", items.value);
        let copies = loaded.run.benchmarks[2]
            .measurements
            .iter()
            .find(|m| m.metric == Metric::Custom("copies".into()))
            .expect("a user counter");
        assert!(copies.value > 1e3, "k is a thousand: {}", copies.value);
        assert!(loaded.warnings[0].contains("`BM_Fails` failed (the input file is missing)"));
        // --benchmark_report_aggregates_only: the median aggregate, the stddev, the count.
        let (p, bytes) =
            crate::ingest::fixture("fixtures/google-benchmark/aggregates-only.console.txt");
        let run = super::parse(&p, &bytes).expect("parses").run;
        assert_eq!(run.benchmarks.len(), 3);
        let t = &run.benchmarks[0].measurements[0];
        assert_eq!((t.estimator, t.n), (Some(Estimator::Median), Some(5)));
        assert!(t.stddev.is_some());
        // Cut inside a row, a bad unit, a bad number.
        let text = String::from_utf8(bytes).expect("utf8");
        let bad = |t: &str| {
            super::parse(Path::new("c.txt"), t.as_bytes())
                .expect_err("refused")
                .to_string()
        };
        let header = "Benchmark   Time   CPU   Iterations\n";
        assert!(
            bad(&format!("{header}BM_A  5 ns  5 us  10\n"))
                .contains("in ns but the CPU time in us")
        );
        assert!(bad(&format!("{header}BM_A  x ns  5 ns  10\n")).contains("`BM_A`: the time `x`"));
        assert!(bad(&format!("{header}BM_A  5 ns\n")).contains("line 2: `BM_A`: expected"));
        assert!(
            bad(&text[..text.find("Benchmark").expect("header")])
                .contains("no Google Benchmark results")
        );
    }

    use super::*;
    use crate::ingest::fixture;

    /// `field` of each repetition row of `run_name`, as the file has it.
    fn repetitions(raw: &serde_json::Value, run_name: &str, field: &str) -> Vec<f64> {
        raw["benchmarks"]
            .as_array()
            .expect("benchmarks")
            .iter()
            .filter(|b| b["run_name"] == run_name && b["run_type"] == "iteration")
            .map(|b| b[field].as_f64().expect("a number"))
            .collect()
    }

    #[test]
    fn repetitions_are_samples_and_aggregates_are_not_counted_twice() {
        let (p, bytes) = fixture("fixtures/google-benchmark/baseline.json");
        let loaded = parse(&p, &bytes).expect("parses");
        let raw: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
        let reps = repetitions(&raw, "BM_Sort/1024", "real_time");
        assert_eq!(reps.len(), 5);
        let sort = loaded
            .run
            .benchmarks
            .iter()
            .find(|b| b.id == "BM_Sort/1024")
            .expect("BM_Sort/1024");
        let t = &sort.measurements[0];
        assert_eq!(t.samples.as_deref(), Some(reps.as_slice()));
        assert_eq!((t.n, t.estimator), (Some(5), Some(Estimator::Median)));
        assert_eq!(t.value, median(&reps));
        let thr = &sort.measurements[1];
        assert_eq!((thr.unit.as_str(), thr.derived), ("elements/s", true));
        // Bytes per second and a user counter.
        let copy = loaded
            .run
            .benchmarks
            .iter()
            .find(|b| b.id == "BM_Copy/4096")
            .expect("copy");
        assert!(
            copy.measurements
                .iter()
                .any(|m| m.unit == "B/s" && m.derived)
        );
        assert!(
            copy.measurements
                .iter()
                .any(|m| m.metric == Metric::Custom("copies".into()))
        );
        // The failing benchmark is reported, not compared.
        assert!(!loaded.run.benchmarks.iter().any(|b| b.id == "BM_Fails"));
        assert!(
            loaded.warnings[0].contains("the input file is missing"),
            "{:?}",
            loaded.warnings
        );
        assert_eq!(
            loaded.run.meta.timestamp,
            raw["context"]["date"].as_str().map(str::to_string)
        );
    }

    #[test]
    fn aggregates_only_files_use_the_median_aggregate() {
        let (p, bytes) = fixture("fixtures/google-benchmark/aggregates-only.json");
        let loaded = parse(&p, &bytes).expect("parses");
        let raw: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
        let median_row = raw["benchmarks"]
            .as_array()
            .expect("benchmarks")
            .iter()
            .find(|b| b["name"] == "BM_Sort/1024_median")
            .expect("median aggregate");
        let t = &loaded.run.benchmarks[0].measurements[0];
        assert_eq!(loaded.run.benchmarks[0].id, "BM_Sort/1024");
        assert_eq!(
            t.value,
            median_row["real_time"].as_f64().expect("real_time")
        );
        assert_eq!((t.n, t.estimator), (Some(5), Some(Estimator::Median)));
        assert!(t.stddev.is_some() && t.samples.is_none());
    }

    #[test]
    fn the_config_can_choose_cpu_time() {
        let (p, bytes) = fixture("fixtures/google-benchmark/baseline.json");
        let raw: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
        let cpu = repetitions(&raw, "BM_Copy/4096", "cpu_time");
        let loaded = parse_with(&p, &bytes, Clock::Cpu).expect("parses");
        let copy = loaded
            .run
            .benchmarks
            .iter()
            .find(|b| b.id == "BM_Copy/4096")
            .expect("copy");
        assert_eq!(
            copy.measurements[0].samples.as_deref(),
            Some(cpu.as_slice())
        );
        let config =
            crate::config::Config::parse("google_benchmark_time = \"cpu\"\n").expect("valid");
        assert_eq!(config.google_benchmark_time, Clock::Cpu);
        assert!(crate::config::Config::parse("google_benchmark_time = \"gpu\"\n").is_err());
    }

    #[test]
    fn bad_units_and_empty_files_are_errors() {
        let err = |doc: &str| {
            parse(Path::new("g.json"), doc.as_bytes())
                .unwrap_err()
                .to_string()
        };
        assert!(err(r#"{"context": {}, "benchmarks": []}"#).contains("no benchmark ran"));
        let e =
            err(r#"{"benchmarks": [{"name": "a", "real_time": 1.0, "time_unit": "fortnight"}]}"#);
        assert!(e.contains("time_unit `fortnight`"), "{e}");
        let e = err(r#"{"benchmarks": [{"name": "a", "real_time": null, "time_unit": "ns"}]}"#);
        assert!(e.contains("`a` repetition 0: real_time is missing"), "{e}");
        let e = err(r#"{"benchmarks": [{"real_time": 1.0}]}"#);
        assert!(e.contains("missing field `name`"), "{e}");
        let e = err(r#"{"benchmarks": [{"name": "a", "real_time": "fast"}]}"#);
        assert!(e.contains("benchmarks[0].real_time"), "{e}");
    }

    /// Numeric keys Google Benchmark does not write itself are user counters; its own
    /// keys, strings and nested values are not.
    #[test]
    fn user_counters_are_the_numeric_keys_of_their_own() {
        let row = |i: f64| {
            format!(
                r#"{{"name": "BM_A", "run_name": "BM_A", "run_type": "iteration",
                    "repetitions": 2, "repetition_index": {i}, "threads": 1,
                    "iterations": 100, "real_time": {t}, "cpu_time": {t}, "time_unit": "us",
                    "label": "x", "hits": {h}, "misses": {m}, "note": "warm",
                    "extra": {{"a": [1, 2]}}, "bytes": null}}"#,
                t = 10.0 + i,
                h = 5.0 + i,
                m = 1 + i as i64
            )
        };
        let doc = format!(r#"{{"benchmarks": [{}, {}]}}"#, row(0.0), row(1.0));
        let run = parse(Path::new("g.json"), doc.as_bytes())
            .expect("parses")
            .run;
        let metrics: Vec<(String, f64)> = run.benchmarks[0]
            .measurements
            .iter()
            .map(|m| (m.metric.to_string(), m.value))
            .collect();
        assert_eq!(
            metrics,
            [
                ("time".to_string(), 10_500.0),
                ("hits".to_string(), 5.5),
                ("misses".to_string(), 1.5)
            ]
        );
    }
}
