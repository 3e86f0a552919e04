//! pytest-benchmark JSON: `--benchmark-json` output and `--benchmark-save` files
//! (versions 2.5 to 5.x). Times are seconds per iteration; bench-bot keeps ns.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use serde::Deserialize;

use super::json::{check_value, parse as parse_json};
use super::{Loaded, pytest_samples};
use crate::error::{Error, Result};
use crate::model::{Benchmark, Direction, Estimator, Measurement, Metric, Run, RunMeta};

const FORMAT: &str = "pytest-benchmark";
const NS_PER_S: f64 = 1e9;
/// The interquartile range of a normal distribution, in sigmas.
const IQR_TO_SIGMA: f64 = 1.349;

/// The top level of a pytest-benchmark file.
#[derive(Debug, Deserialize)]
struct PFile {
    #[serde(default)]
    machine_info: Option<serde_json::Value>,
    #[serde(default)]
    commit_info: Option<PCommitInfo>,
    #[serde(default)]
    benchmarks: Option<Vec<PBenchmark>>,
    #[serde(default)]
    datetime: Option<String>,
    #[serde(default)]
    version: Option<String>,
}

/// `commit_info`: `id` is 40 hex in a checkout, else `"unversioned"` or `"unknown"`.
#[derive(Debug, Deserialize)]
struct PCommitInfo {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    branch: Option<String>,
}

#[derive(Debug, Deserialize)]
struct PBenchmark {
    #[serde(default)]
    group: Option<String>,
    name: String,
    #[serde(default)]
    fullname: Option<String>,
    #[serde(default)]
    extra_info: Option<BTreeMap<String, serde_json::Value>>,
    stats: PStats,
}

/// The stats bench-bot uses; pytest-benchmark writes more (min, max, ops, …).
#[derive(Debug, Deserialize)]
struct PStats {
    #[serde(default)]
    min: Option<f64>,
    #[serde(default)]
    mean: Option<f64>,
    #[serde(default)]
    median: Option<f64>,
    #[serde(default)]
    iqr: Option<f64>,
    #[serde(default)]
    stddev: Option<f64>,
    #[serde(default)]
    rounds: Option<u64>,
    #[serde(default)]
    data: Option<Samples>,
}

/// `stats.data`, read straight into seconds per round; the first value that is not a
/// usable sample (null, NaN read as null, infinite or negative) is remembered with its
/// index in the file.
#[derive(Debug, Default)]
struct Samples {
    values: Vec<f64>,
    first_bad: Option<(usize, Option<f64>)>,
}

impl<'de> Deserialize<'de> for Samples {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Samples;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a list of numbers")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<Samples, A::Error> {
                let mut out = Samples {
                    values: Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 20)),
                    first_bad: None,
                };
                let mut index = 0;
                while let Some(v) = seq.next_element::<Option<f64>>()? {
                    match v {
                        Some(v) if v.is_finite() && v >= 0.0 => out.values.push(v),
                        bad => {
                            out.first_bad.get_or_insert((index, bad));
                        }
                    }
                    index += 1;
                }
                Ok(out)
            }
        }
        d.deserialize_seq(Visitor)
    }
}

/// Parses a pytest-benchmark file: with its sample arrays taken out and read on two
/// threads while a core is spare, when it has them (`pytest_samples.rs`), else, or when
/// that path steps aside, as one document.
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Loaded> {
    let _reading = pytest_samples::Reading::start();
    let file = match fast(bytes) {
        Some(file) => file,
        None => parse_json(path, FORMAT, bytes)?,
    };
    from_file(path, file)
}

/// The document with its samples read by the fast path, or `None` when that path is
/// not sure of it (the caller's full parse then says what is wrong, if anything).
///
/// The arrays are read in chunks that the threads claim one at a time. This thread
/// parses the rest of the document and then claims chunks; a second thread joins when
/// the file is large and a core is spare, at the start or as soon as one frees up (in
/// `analyze` the two files are read side by side, and the one that finishes first
/// leaves its core to the other).
fn fast(bytes: &[u8]) -> Option<PFile> {
    let split = pytest_samples::split(bytes)?;
    let chunks = pytest_samples::chunks(&split.arrays, CHUNK_BYTES);
    let data_bytes: usize = split.arrays.iter().map(|(_, r)| r.len()).sum();
    let large = data_bytes >= PARALLEL_FROM;
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    // Claims chunks until none is left: the benchmark index and the samples of each array.
    let claim = || -> Option<Vec<(usize, Vec<f64>)>> {
        let chunk = chunks.get(next.fetch_add(1, Ordering::Relaxed))?;
        if failed.load(Ordering::Relaxed) {
            return None;
        }
        let read: Option<Vec<(usize, Vec<f64>)>> = split.arrays[chunk.clone()]
            .iter()
            .map(|(b, r)| Some((*b, pytest_samples::parse_numbers(&bytes[r.clone()])?)))
            .collect();
        if read.is_none() {
            failed.store(true, Ordering::Relaxed);
        }
        read
    };
    let drain = || std::iter::from_fn(&claim).flatten().collect::<Vec<_>>();
    let spare = || large && pytest_samples::Reading::core_spare();
    let (file, mine, helped) = std::thread::scope(|scope| {
        let mut helper = spare().then(|| scope.spawn(drain));
        let file = serde_json::from_slice::<PFile>(&split.rest).ok();
        if file.is_none() {
            failed.store(true, Ordering::Relaxed);
        }
        let mut mine = Vec::with_capacity(split.arrays.len());
        while let Some(read) = claim() {
            mine.extend(read);
            if helper.is_none() && next.load(Ordering::Relaxed) + 1 < chunks.len() && spare() {
                helper = Some(scope.spawn(drain));
            }
        }
        let helped = match helper {
            Some(handle) => handle.join().ok(),
            None => Some(Vec::new()),
        };
        (file, mine, helped)
    });
    if failed.into_inner() {
        return None;
    }
    let mut file = file?;
    let benchmarks = file.benchmarks.as_mut()?;
    for (i, values) in mine.into_iter().chain(helped?) {
        let stats = &mut benchmarks.get_mut(i)?.stats;
        match &mut stats.data {
            Some(s) if s.values.is_empty() && s.first_bad.is_none() => s.values = values,
            _ => return None,
        }
    }
    Some(file)
}

/// Sample bytes below which one thread reads them all (a thread costs more than it
/// saves on a small file).
const PARALLEL_FROM: usize = 4 << 20;

/// The sample bytes of a chunk of arrays claimed at once: small enough that the second
/// thread still finds work when it joins late, large enough that claiming is rare.
const CHUNK_BYTES: usize = 256 << 10;

/// The benchmarks and run metadata of a parsed document.
fn from_file(path: &Path, file: PFile) -> Result<Loaded> {
    let invalid = |msg: String| Error::input(path, Some(FORMAT), msg);
    let Some(raw) = file.benchmarks else {
        return Err(invalid(
            "no `benchmarks` list: write results with \
             `pytest --benchmark-json=results.json` (or `--benchmark-save=NAME`)"
                .to_string(),
        ));
    };
    if raw.is_empty() {
        return Err(invalid(
            "`benchmarks` is empty: no benchmark ran (pytest-benchmark leaves out \
             benchmarks that errored; did the run use `--benchmark-skip`?)"
                .to_string(),
        ));
    }
    let mut warnings = Vec::new();
    let mut benchmarks = Vec::with_capacity(raw.len());
    for b in raw {
        let id = b.fullname.clone().unwrap_or_else(|| b.name.clone());
        let what = |field: &str| format!("benchmark `{id}`: stats.{field}");
        let mean = check_value(b.stats.mean, || what("mean"), true).map_err(invalid)?;
        // The fastest round, not the mean or the median: on a shared machine a run's
        // rounds fall into a fast and a slow state (a busy neighbour core) in
        // proportions that change from run to run, which moves the median by up to
        // ±80 % between two runs of the same code while the minimum stays within a
        // few percent (docs/statistics.md, the A/A experiment). Noise only ever adds
        // time, so the minimum is the reproducible one. The median is the fallback for a
        // file without `min`, the mean for one without either. The spread is the
        // interquartile range as a normal sigma (IQR / 1.349), robust for the same reason.
        // A statistic the file may leave out: absent is `None`, present must be valid.
        let optional = |v: Option<f64>, field: &str| {
            v.map(|_| check_value(v, || what(field), true))
                .transpose()
                .map_err(invalid)
        };
        let min = optional(b.stats.min, "min")?;
        let median = optional(b.stats.median, "median")?;
        // One round gives the integer stddev 0; that is "unknown", not "no noise".
        let stddev = match (b.stats.stddev, b.stats.rounds) {
            (_, Some(0 | 1)) => None,
            (s, _) => Some(check_value(s, || what("stddev"), true).map_err(invalid)?),
        };
        let robust = match b.stats.iqr {
            Some(iqr) if iqr.is_finite() && iqr > 0.0 => Some(iqr / IQR_TO_SIGMA),
            _ => stddev,
        };
        let (value, estimator, stddev) = match (min, median) {
            (Some(min), _) => (min, Estimator::Min, stddev.and(robust)),
            (None, Some(median)) => (median, Estimator::Median, stddev.and(robust)),
            (None, None) => (mean, Estimator::Mean, stddev),
        };
        let samples = match b.stats.data {
            Some(data) => Some(samples_ns(data, &what).map_err(invalid)?),
            None => None,
        };
        let mut time = Measurement::new(
            Metric::Time,
            Direction::LowerIsBetter,
            "ns",
            value * NS_PER_S,
        )
        .with_spread(stddev.map(|s| s * NS_PER_S), b.stats.rounds)
        .with_estimator(estimator);
        time.samples = samples.filter(|s| !s.is_empty());
        let mut measurements = vec![time];
        for (key, value) in b.extra_info.iter().flatten() {
            match value.as_f64() {
                Some(v) if v.is_finite() => measurements.push(Measurement::new(
                    Metric::Custom(key.clone()),
                    Direction::LowerIsBetter,
                    "",
                    v,
                )),
                // Strings and flags in extra_info are labels, not metrics.
                Some(_) | None if !value.is_null() => {}
                _ => warnings.push(format!(
                    "{}: benchmark `{id}`: extra_info.{key} is NaN or infinite; skipped",
                    path.display()
                )),
            }
        }
        benchmarks.push(Benchmark {
            id,
            group: b.group,
            measurements,
        });
    }
    let commit_info = file.commit_info;
    let meta = RunMeta {
        commit: commit_info
            .as_ref()
            .and_then(|c| c.id.clone())
            .filter(|id| id != "unversioned" && id != "unknown"),
        branch: commit_info
            .and_then(|c| c.branch)
            .filter(|b| b != "(unknown)"),
        timestamp: file.datetime,
        tool: FORMAT.to_string(),
        tool_version: file.version,
        machine: file.machine_info,
        ..RunMeta::default()
    };
    Ok(Loaded {
        run: Run { meta, benchmarks },
        warnings,
    })
}

/// The samples in ns; the first null, NaN, infinite or negative one is an error.
fn samples_ns(data: Samples, what: &dyn Fn(&str) -> String) -> Result<Vec<f64>, String> {
    let Samples {
        mut values,
        first_bad,
    } = data;
    if let Some((i, v)) = first_bad {
        check_value(v, || what(&format!("data[{i}]")), true)?;
    }
    for v in &mut values {
        *v *= NS_PER_S;
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::fixture;

    #[test]
    fn reads_benchmark_json_with_samples_in_ns() {
        let (p, bytes) = fixture("fixtures/pytest/baseline.json");
        let loaded = parse(&p, &bytes).expect("parses");
        let run = loaded.run;
        assert_eq!(run.meta.tool_version.as_deref(), Some("5.3.1"));
        assert_eq!(run.benchmarks.len(), 8);
        let raw: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
        let first = &raw["benchmarks"][0];
        let b = run
            .benchmarks
            .iter()
            .find(|b| b.id == first["fullname"].as_str().expect("fullname"))
            .expect("same id");
        let t = &b.measurements[0];
        assert_eq!(t.value, first["stats"]["min"].as_f64().expect("min") * 1e9);
        assert_eq!(t.estimator, Some(Estimator::Min));
        assert_eq!(
            t.stddev,
            Some(first["stats"]["iqr"].as_f64().expect("iqr") / 1.349 * 1e9)
        );
        assert_eq!(t.n, first["stats"]["rounds"].as_u64());
        let samples = t.samples.as_ref().expect("samples");
        assert_eq!(samples.len() as u64, t.n.expect("n"));
        let fastest = samples.iter().copied().fold(f64::INFINITY, f64::min);
        assert!((fastest - t.value).abs() / t.value < 1e-9);
    }

    #[test]
    fn extra_info_numbers_become_custom_metrics_and_params_stay_in_ids() {
        let (p, bytes) = fixture("fixtures/pytest/baseline.json");
        let run = parse(&p, &bytes).expect("parses").run;
        let dumps = run
            .benchmarks
            .iter()
            .find(|b| b.id == "test_fixture_suite.py::test_json_dumps[10]")
            .expect("param id");
        assert_eq!(dumps.group.as_deref(), Some("json"));
        let payload = &dumps.measurements[1];
        assert_eq!(payload.metric, Metric::Custom("payload_bytes".into()));
        assert_eq!(payload.value, 210.0);
        assert!(
            run.benchmarks
                .iter()
                .any(|b| b.id.ends_with("[nested/dict]"))
        );
        assert!(
            run.benchmarks
                .iter()
                .any(|b| b.id.contains("::TestStrings::test_join"))
        );
    }

    #[test]
    fn the_fast_path_reads_what_the_full_parse_reads() {
        for rel in [
            "fixtures/pytest/baseline.json",
            "fixtures/pytest/candidate.json",
            "fixtures/pytest/saved/Linux-CPython-3.11-64bit/0002_candidate.json",
            "fixtures/aa/hog-1-b.json",
        ] {
            let (p, bytes) = fixture(rel);
            let fast = from_file(&p, fast(&bytes).expect("the fast path takes it")).expect(rel);
            let full: PFile = parse_json(&p, FORMAT, &bytes).expect(rel);
            let full = from_file(&p, full).expect(rel);
            assert_eq!(fast.run.meta, full.run.meta, "{rel}");
            assert_eq!(
                fast.run.benchmarks.len(),
                full.run.benchmarks.len(),
                "{rel}"
            );
            for (a, b) in fast.run.benchmarks.iter().zip(&full.run.benchmarks) {
                assert_eq!((&a.id, a.measurements.len()), (&b.id, b.measurements.len()));
                let (sa, sb) = (&a.measurements[0].samples, &b.measurements[0].samples);
                let (sa, sb) = (sa.as_ref().expect("samples"), sb.as_ref().expect("samples"));
                assert_eq!(sa.len(), sb.len(), "{rel} {}", a.id);
                assert!(sa.len() > 1);
                // serde_json's float reading may differ from the correctly rounded one
                // in the last bit.
                for (x, y) in sa.iter().zip(sb) {
                    assert!((x - y).abs() <= 4.0 * f64::EPSILON * y.abs(), "{x} {y}");
                }
                let strip = |m: &Measurement| Measurement {
                    samples: None,
                    ..m.clone()
                };
                assert_eq!(strip(&a.measurements[0]), strip(&b.measurements[0]));
                assert_eq!(a.measurements[1..], b.measurements[1..]);
            }
        }
        // Saved files without samples, and files whose samples it cannot vouch for,
        // are left to the full parse.
        let (_, bytes) =
            fixture("fixtures/pytest/saved/Linux-CPython-3.11-64bit/0001_baseline.json");
        assert!(fast(&bytes).is_none());
        let bad = br#"{"benchmarks": [{"name": "t", "stats": {"mean": 1.0, "data": [1.0, NaN]}}]}"#;
        assert!(fast(bad).is_none());
    }

    /// A document past `PARALLEL_FROM`: the fixture's benchmarks copied under new names,
    /// each copy's samples scaled by its number.
    fn large_document() -> Vec<u8> {
        let (_, bytes) = fixture("fixtures/pytest/baseline.json");
        let mut doc: serde_json::Value = serde_json::from_slice(&bytes).expect("fixture");
        let one = doc["benchmarks"].as_array().expect("benchmarks").clone();
        let mut all = Vec::new();
        for copy in 0..40 {
            for b in &one {
                let mut b = b.clone();
                for key in ["name", "fullname"] {
                    let name = format!("{}[{copy}]", b[key].as_str().expect("name"));
                    b[key] = name.into();
                }
                // Each copy's samples its own, so that samples given to the wrong copy show.
                for v in b["stats"]["data"].as_array_mut().expect("samples") {
                    *v = (v.as_f64().expect("a number") * f64::from(copy + 1)).into();
                }
                all.push(b);
            }
        }
        doc["benchmarks"] = all.into();
        serde_json::to_vec_pretty(&doc).expect("JSON")
    }

    #[test]
    fn a_large_file_read_in_chunks_gives_every_benchmark_its_own_samples() {
        let bytes = large_document();
        let split = pytest_samples::split(&bytes).expect("splits");
        let data: usize = split.arrays.iter().map(|(_, r)| r.len()).sum();
        assert!(data >= PARALLEL_FROM, "{data} sample bytes");
        let chunks = pytest_samples::chunks(&split.arrays, CHUNK_BYTES);
        assert!(chunks.len() > 2, "{} chunks", chunks.len());
        let p = Path::new("large.json");
        let quick = from_file(p, fast(&bytes).expect("the fast path takes it")).expect("fast");
        let full = from_file(p, parse_json(p, FORMAT, &bytes).expect("full")).expect("full");
        assert_eq!(quick.run.benchmarks.len(), full.run.benchmarks.len());
        for (a, b) in quick.run.benchmarks.iter().zip(&full.run.benchmarks) {
            assert_eq!(a.id, b.id);
            let (sa, sb) = (&a.measurements[0].samples, &b.measurements[0].samples);
            let (sa, sb) = (sa.as_ref().expect("samples"), sb.as_ref().expect("samples"));
            assert_eq!(sa.len(), sb.len(), "{}", a.id);
            for (x, y) in sa.iter().zip(sb) {
                assert!(
                    (x - y).abs() <= 4.0 * f64::EPSILON * y.abs(),
                    "{} {x} {y}",
                    a.id
                );
            }
        }
        // A sample the fast path cannot vouch for in the last chunk: the whole file
        // goes to the full parse, whichever thread read that chunk.
        let text = String::from_utf8(bytes).expect("UTF-8");
        let last = text.rfind("\"data\": [").expect("an array") + "\"data\": [".len();
        let bad = format!("{}-1.0, {}", &text[..last], &text[last..]);
        assert!(fast(bad.as_bytes()).is_none());
    }

    #[test]
    fn reads_saved_files_without_data() {
        let (p, bytes) =
            fixture("fixtures/pytest/saved/Linux-CPython-3.11-64bit/0001_baseline.json");
        let run = parse(&p, &bytes).expect("parses").run;
        assert!(
            run.benchmarks
                .iter()
                .all(|b| b.measurements[0].samples.is_none())
        );
        let (p, bytes) =
            fixture("fixtures/pytest/saved/Linux-CPython-3.11-64bit/0002_candidate.json");
        let run = parse(&p, &bytes).expect("parses").run;
        assert!(
            run.benchmarks
                .iter()
                .all(|b| b.measurements[0].samples.is_some())
        );
    }

    #[test]
    fn missing_benchmarks_names_the_command() {
        let e = parse(Path::new("r.json"), br#"{"machine_info": {}}"#).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("r.json") && msg.contains("--benchmark-json"),
            "{msg}"
        );
    }

    #[test]
    fn nan_and_negative_means_are_errors_naming_the_benchmark() {
        let doc = br#"{"benchmarks": [{"name": "t", "fullname": "f.py::t",
            "stats": {"mean": NaN, "stddev": 0.1, "rounds": 3}}]}"#;
        let msg = parse(Path::new("r.json"), doc).unwrap_err().to_string();
        assert!(
            msg.contains("`f.py::t`: stats.mean is missing, null or NaN"),
            "{msg}"
        );
        let doc = br#"{"benchmarks": [{"name": "t", "fullname": "f.py::t",
            "stats": {"mean": -1.0, "stddev": 0.1, "rounds": 3}}]}"#;
        let msg = parse(Path::new("r.json"), doc).unwrap_err().to_string();
        assert!(msg.contains("stats.mean is negative"), "{msg}");
    }

    #[test]
    fn the_first_bad_sample_is_named_by_its_index_in_the_file() {
        let doc = |data: &str| {
            format!(
                r#"{{"benchmarks": [{{"name": "t", "fullname": "f.py::t",
                "stats": {{"mean": 1.0, "stddev": 0.1, "rounds": 6, "data": {data}}}}}]}}"#
            )
        };
        let err = |data: &str| {
            parse(Path::new("r.json"), doc(data).as_bytes())
                .unwrap_err()
                .to_string()
        };
        let e = err("[1.0, 2.0, NaN, 4.0, 5.0, -6.0]");
        assert!(e.contains("stats.data[2] is missing, null or NaN"), "{e}");
        let e = err("[1.0, -2.0, 3.0, null]");
        assert!(e.contains("stats.data[1] is negative (-2)"), "{e}");
        let e = err("[1.0, null, 3.0, -4.0]");
        assert!(e.contains("stats.data[1] is missing"), "{e}");
        let run = parse(Path::new("r.json"), doc("[1.0, 2.5]").as_bytes())
            .expect("parses")
            .run;
        assert_eq!(
            run.benchmarks[0].measurements[0].samples,
            Some(vec![1e9, 2.5e9])
        );
    }
}
