//! Catch2 benchmarks (`BENCHMARK` / `BENCHMARK_ADVANCED`, v2 and v3): the XML reporter
//! (`-r xml`: `<BenchmarkResults name samples iterations …>` with `<mean value>` and
//! `<standardDeviation value>` in ns) and the console reporter, whose table gives each
//! benchmark three lines: name, samples, iterations, estimated run time; mean with its
//! bootstrap interval; standard deviation with its interval.
//!
//! Catch2 writes no raw samples: the compared value is its mean (`estimator: "mean"`),
//! the spread its standard deviation, n the samples.

use rustc_hash::FxHashMap as HashMap;
use std::path::Path;

use quick_xml::events::Event;

use super::Loaded;
use crate::error::{Error, Result};
use crate::model::{Benchmark, Direction, Estimator, Measurement, Metric};

const FORMAT: &str = "catch2";

/// One benchmark as Catch2 reported it, in ns.
struct Result2 {
    test_case: String,
    name: String,
    samples: u64,
    mean: f64,
    stddev: f64,
}

/// Parses Catch2 XML or console output.
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Loaded> {
    let invalid = |msg: String| Error::input(path, Some(FORMAT), msg);
    let text = std::str::from_utf8(bytes).map_err(|e| invalid(format!("not UTF-8 text ({e})")))?;
    let results = if text.trim_start().starts_with('<') {
        xml(text).map_err(invalid)?
    } else {
        console(text).map_err(invalid)?
    };
    if results.is_empty() {
        return Err(invalid(
            "no benchmark results: Catch2 prints them only when the binary is built with \
             benchmarks enabled (CATCH_CONFIG_ENABLE_BENCHMARKING in v2) and run without \
             --skip-benchmarks"
                .into(),
        ));
    }
    // Benchmark names are unique within a test case; one used in two test cases gets the
    // test case's name in front.
    let mut count: HashMap<&str, usize> = HashMap::default();
    for r in &results {
        *count.entry(r.name.as_str()).or_default() += 1;
    }
    let mut seen = HashMap::default();
    let mut benchmarks = Vec::with_capacity(results.len());
    for (i, r) in results.iter().enumerate() {
        // Only a name used twice can give a duplicate id.
        let id = if count[r.name.as_str()] > 1 {
            let id = format!("{}/{}", r.test_case, r.name);
            if let Some(first) = seen.insert(id.clone(), i) {
                return Err(invalid(format!(
                    "benchmarks {first} and {i}: duplicate benchmark `{id}`"
                )));
            }
            id
        } else {
            r.name.clone()
        };
        let time = Measurement::new(Metric::Time, Direction::LowerIsBetter, "ns", r.mean)
            .with_spread(Some(r.stddev), Some(r.samples))
            .with_estimator(Estimator::Mean);
        benchmarks.push(Benchmark {
            id,
            group: Some(r.test_case.clone()).filter(|g| !g.is_empty()),
            measurements: vec![time],
        });
    }
    Ok(Loaded::of(FORMAT, benchmarks, Vec::new()))
}

fn finite_non_negative(v: f64, what: impl Fn() -> String) -> std::result::Result<f64, String> {
    if v.is_finite() && v >= 0.0 {
        Ok(v)
    } else {
        Err(format!(
            "{} is not a finite, non-negative number ({v})",
            what()
        ))
    }
}

/// The XML reporter's `BenchmarkResults` elements, with the enclosing test case.
fn xml(text: &str) -> std::result::Result<Vec<Result2>, String> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut out = Vec::new();
    let mut test_case = String::new();
    let mut current: Option<Result2> = None;
    let mut have_mean = false;
    loop {
        let at = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|e| format!("XML error at byte {at}: {e}"))?;
        match event {
            Event::Start(e) | Event::Empty(e) => {
                let attr = |key: &str| -> std::result::Result<Option<String>, String> {
                    for a in e.attributes() {
                        let a = a.map_err(|e| format!("XML error at byte {at}: {e}"))?;
                        if a.key.as_ref() == key.as_bytes() {
                            let v = a
                                .unescape_value()
                                .map_err(|e| format!("XML error at byte {at}: {e}"))?;
                            return Ok(Some(v.into_owned()));
                        }
                    }
                    Ok(None)
                };
                let number = |key: &str, what: &str| -> std::result::Result<f64, String> {
                    let raw = attr(key)?.ok_or_else(|| format!("{what} has no `{key}`"))?;
                    let v: f64 = raw
                        .trim()
                        .parse()
                        .map_err(|_| format!("{what}: `{key}` is not a number ({raw})"))?;
                    finite_non_negative(v, || format!("{what}: `{key}`"))
                };
                match e.name().as_ref() {
                    b"TestCase" => test_case = attr("name")?.unwrap_or_default(),
                    b"BenchmarkResults" => {
                        let name = attr("name")?.unwrap_or_default();
                        let what = format!("benchmark `{name}`");
                        let samples = number("samples", &what)?;
                        current = Some(Result2 {
                            test_case: test_case.clone(),
                            name,
                            samples: samples as u64,
                            mean: f64::NAN,
                            stddev: f64::NAN,
                        });
                        have_mean = false;
                    }
                    b"mean" => {
                        if let Some(r) = current.as_mut() {
                            r.mean = number("value", &format!("benchmark `{}`: mean", r.name))?;
                            have_mean = true;
                        }
                    }
                    b"standardDeviation" => {
                        if let Some(r) = current.as_mut() {
                            r.stddev = number(
                                "value",
                                &format!("benchmark `{}`: standardDeviation", r.name),
                            )?;
                        }
                    }
                    _ => {}
                }
            }
            Event::End(e) if e.name().as_ref() == b"BenchmarkResults" => {
                let r = current
                    .take()
                    .ok_or("`</BenchmarkResults>` without its start")?;
                if !have_mean {
                    return Err(format!("benchmark `{}` has no <mean>", r.name));
                }
                out.push(r);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if let Some(r) = current {
        return Err(format!(
            "the XML ends inside benchmark `{}` (truncated file?)",
            r.name
        ));
    }
    Ok(out)
}

/// A value with its unit as the console prints it (`41.731 us`), in ns.
fn duration(value: &str, unit: &str) -> Option<f64> {
    let v: f64 = value.parse().ok()?;
    let scale = match unit {
        "ns" => 1.0,
        "us" | "µs" => 1e3,
        "ms" => 1e6,
        "s" => 1e9,
        _ => return None,
    };
    Some(v * scale)
}

/// Three durations on one line (`mean  low mean  high mean`), when the line is that.
fn three_durations(line: &str) -> Option<[f64; 3]> {
    let mut t = line.split_whitespace();
    let mut next = || duration(t.next()?, t.next()?);
    let out = [next()?, next()?, next()?];
    t.next().is_none().then_some(out)
}

/// The first line of a benchmark: the name (maybe the end of a wrapped one), then
/// samples, iterations and the estimated run time.
fn head_line(line: &str) -> Option<(&str, u64)> {
    let mut t = line.split_whitespace().rev();
    let (unit, value, iterations, samples) = (t.next()?, t.next()?, t.next()?, t.next()?);
    duration(value, unit)?;
    iterations.parse::<u64>().ok()?;
    let samples = samples.parse::<u64>().ok()?;
    // The name is everything before the samples column, spaces kept.
    let mut rest = line.trim_end();
    for _ in 0..4 {
        rest = rest.trim_end();
        rest = &rest[..rest.rfind(char::is_whitespace).unwrap_or(0)];
    }
    Some((rest.trim(), samples))
}

/// The console reporter's tables.
fn console(text: &str) -> std::result::Result<Vec<Result2>, String> {
    let mut lines: Vec<&str> = Vec::with_capacity(super::lines_at_most(text));
    lines.extend(text.lines());
    let mut out = Vec::new();
    let mut test_case = String::new();
    let mut in_table = false;
    let mut name_parts: Vec<&str> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim();
        // A test case's header: its name (and its sections' names, indented) between
        // two dashed rules.
        if trimmed.starts_with("-----") {
            if let Some(end) =
                (i + 2..lines.len().min(i + 8)).find(|&j| lines[j].trim().starts_with("-----"))
            {
                test_case = lines[i + 1..end]
                    .iter()
                    .map(|l| l.trim())
                    .collect::<Vec<_>>()
                    .join("/");
                in_table = false;
                i = end + 1;
                continue;
            }
        }
        if trimmed.starts_with("benchmark name") {
            // The header's three lines, then a rule.
            in_table = true;
            name_parts.clear();
            i += 1;
            while i < lines.len() && !lines[i].trim().starts_with("-----") {
                i += 1;
            }
            i += 1;
            continue;
        }
        if !in_table {
            i += 1;
            continue;
        }
        if trimmed.starts_with("=====") {
            in_table = false;
        } else if let Some((last, samples)) = head_line(line) {
            let at = i + 1;
            let mean = lines.get(i + 1).and_then(|l| three_durations(l));
            let sd = lines.get(i + 2).and_then(|l| three_durations(l));
            let (Some(mean), Some(sd)) = (mean, sd) else {
                return Err(format!(
                    "line {at}: benchmark `{last}` is not followed by its mean and standard \
                     deviation lines (truncated output?)"
                ));
            };
            let name = if name_parts.is_empty() {
                last.to_string()
            } else {
                name_parts.push(last);
                name_parts.join(" ").trim().to_string()
            };
            name_parts.clear();
            let what = || format!("line {at}: benchmark `{name}`");
            let mean = finite_non_negative(mean[0], || format!("{}: mean", what()))?;
            let stddev = finite_non_negative(sd[0], || format!("{}: std dev", what()))?;
            out.push(Result2 {
                test_case: test_case.clone(),
                name,
                samples,
                mean,
                stddev,
            });
            i += 3;
            continue;
        } else if !trimmed.is_empty() {
            // A long name wraps: its first parts stand alone on the lines before.
            name_parts.push(trimmed);
        } else {
            name_parts.clear();
        }
        i += 1;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::fixture;

    fn err(text: &str) -> String {
        crate::ingest::refusal(parse, text)
    }

    #[test]
    fn the_xml_reporter_gives_mean_stddev_and_samples() {
        let (p, bytes) = fixture("fixtures/catch2/candidate.xml");
        let run = parse(&p, &bytes).expect("parses").run;
        let ids = crate::ingest::ids(&run);
        assert_eq!(
            ids,
            [
                "sort 4096",
                "sort 256",
                "fibonacci 18",
                "accumulate a vector of 10000 numbers with a long benchmark name",
                "string concatenation 64"
            ]
        );
        let m = &run.benchmarks[0].measurements[0];
        assert_eq!(
            (m.value, m.stddev, m.n),
            (87236.4, Some(40461.2), Some(100))
        );
        assert_eq!(
            (m.unit.as_str(), m.estimator),
            ("ns", Some(Estimator::Mean))
        );
        assert_eq!(run.benchmarks[0].group.as_deref(), Some("sorting"));
    }

    #[test]
    fn the_console_table_with_units_and_wrapped_names() {
        let (p, bytes) = fixture("fixtures/catch2/candidate.txt");
        let run = parse(&p, &bytes).expect("parses").run;
        assert_eq!(run.benchmarks.len(), 5);
        let sort = &run.benchmarks[0].measurements[0];
        assert_eq!(run.benchmarks[0].id, "sort 4096");
        assert!((sort.value - 89_742.3).abs() < 1e-6, "{}", sort.value);
        assert!((sort.stddev.expect("sd") - 42_375.0).abs() < 1e-6);
        assert_eq!(sort.n, Some(100));
        let long = &run.benchmarks[3];
        assert_eq!(
            long.id,
            "accumulate a vector of 10000 numbers with a long benchmark name"
        );
        assert_eq!(long.group.as_deref(), Some("arithmetic"));
        assert!((long.measurements[0].value - 2763.48).abs() < 1e-6);
        let concat = &run.benchmarks[4].measurements[0];
        assert!((concat.value - 229.533).abs() < 1e-9, "ns stay ns");
        // The same benchmarks through both reporters.
        let (p, bytes) = fixture("fixtures/catch2/baseline.xml");
        let xml = parse(&p, &bytes).expect("parses").run;
        let xml_ids: Vec<&str> = xml.benchmarks.iter().map(|b| b.id.as_str()).collect();
        let txt_ids: Vec<&str> = run.benchmarks.iter().map(|b| b.id.as_str()).collect();
        assert_eq!(xml_ids, txt_ids);
    }

    #[test]
    fn bad_input_names_the_place() {
        let (_, bytes) = fixture("fixtures/catch2/candidate.txt");
        let text = String::from_utf8(bytes).expect("utf8");
        let cut = &text[..text.find("sort 256").map(|i| i + 80).expect("sort 256")];
        assert!(
            err(cut).contains("`sort 256` is not followed by its mean"),
            "{}",
            err(cut)
        );
        let (_, bytes) = fixture("fixtures/catch2/candidate.xml");
        let xml = String::from_utf8(bytes).expect("utf8");
        let cut = &xml[..xml.find("<standardDeviation").expect("sd")];
        assert!(
            err(cut).contains("ends inside benchmark `sort 4096`"),
            "{}",
            err(cut)
        );
        assert!(
            err(&xml.replacen("value=\"87236.4\"", "value=\"nan\"", 1)).contains("mean: `value`")
        );
        assert!(
            err(&xml.replacen("value=\"87236.4\"", "value=\"-1\"", 1)).contains("non-negative")
        );
        assert!(err(&xml.replacen("value=\"87236.4\"", "value=\"1e999\"", 1)).contains("finite"));
        assert!(
            err(&xml.replacen("samples=\"100\"", "samples=\"many\"", 1))
                .contains("`samples` is not a number")
        );
        assert!(
            err("<Catch name=\"x\"><Group name=\"x\"></Group></Catch>")
                .contains("no benchmark results")
        );
        assert!(
            err("<Catch name=\"x\"><BenchmarkResults name=\"a\" samples=\"2\"></Catch>")
                .contains("XML error")
        );
    }
}
