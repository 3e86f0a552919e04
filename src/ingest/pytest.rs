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

impl PStats {
    /// Whether the run's raw samples are kept: they serve the analysis' search for two
    /// modes, which a minimum does not need (it lies in the fast mode already), so only
    /// where the median or the mean is compared, in a file without `min`.
    fn keeps_samples(&self) -> bool {
        self.min.is_none()
    }
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

/// The document with its samples checked by the fast path, or `None` when that path
/// is not sure of it (the caller's full parse then says what is wrong, if anything).
///
/// Every array is checked to hold valid numbers; only the arrays whose samples are
/// kept ([`PStats::keeps_samples`]) are converted.
/// The arrays are checked in chunks that the threads claim one at a time. This thread
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
    // Claims chunks until none is left or one fails.
    let claim = || -> bool {
        let Some(chunk) = chunks.get(next.fetch_add(1, Ordering::Relaxed)) else {
            return false;
        };
        if failed.load(Ordering::Relaxed) {
            return false;
        }
        let valid = split.arrays[chunk.clone()]
            .iter()
            .all(|(_, r)| pytest_samples::valid_numbers(&bytes[r.clone()]));
        if !valid {
            failed.store(true, Ordering::Relaxed);
        }
        valid
    };
    let drain = || while claim() {};
    let spare = || large && pytest_samples::Reading::core_spare();
    let file = std::thread::scope(|scope| {
        let mut helper = spare().then(|| scope.spawn(drain));
        let file = serde_json::from_slice::<PFile>(&split.rest).ok();
        if file.is_none() {
            failed.store(true, Ordering::Relaxed);
        }
        while claim() {
            if helper.is_none() && next.load(Ordering::Relaxed) + 1 < chunks.len() && spare() {
                helper = Some(scope.spawn(drain));
            }
        }
        let helped = helper.is_none_or(|handle| handle.join().is_ok());
        file.filter(|_| helped)
    });
    if failed.into_inner() {
        return None;
    }
    let mut file = file?;
    let benchmarks = file.benchmarks.as_mut()?;
    for (i, r) in &split.arrays {
        let stats = &mut benchmarks.get_mut(*i)?.stats;
        let keeps = stats.keeps_samples();
        match &mut stats.data {
            Some(s) if s.values.is_empty() && s.first_bad.is_none() => {
                if keeps {
                    s.values = pytest_samples::parse_numbers(&bytes[r.clone()])?;
                }
            }
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
        let keeps = b.stats.keeps_samples();
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
        time.samples = samples.filter(|s| !s.is_empty() && keeps);
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
        // The minimum needs no samples: they are checked, not kept.
        assert!(
            run.benchmarks
                .iter()
                .all(|b| b.measurements[0].samples.is_none())
        );
        // Without `min` the median is compared, and the samples are kept for the
        // analysis' search for two modes.
        let stripped = without_min(&bytes);
        let run = parse(&p, &stripped).expect("parses").run;
        let t = &run.benchmarks[0].measurements[0];
        assert_eq!(t.estimator, Some(Estimator::Median));
        let samples = t.samples.as_ref().expect("samples");
        assert_eq!(samples.len() as u64, t.n.expect("n"));
        let mut sorted = samples.clone();
        sorted.sort_by(f64::total_cmp);
        let (n, mid) = (sorted.len(), sorted.len() / 2);
        let median = if n % 2 == 1 {
            sorted[mid]
        } else {
            (sorted[mid - 1] + sorted[mid]) / 2.0
        };
        assert!(
            (median - t.value).abs() / t.value < 1e-9,
            "{median} {}",
            t.value
        );
    }

    /// The document with `stats.min` taken out of every benchmark.
    fn without_min(bytes: &[u8]) -> Vec<u8> {
        let mut doc: serde_json::Value = serde_json::from_slice(bytes).expect("JSON");
        for b in doc["benchmarks"].as_array_mut().expect("benchmarks") {
            b["stats"].as_object_mut().expect("stats").remove("min");
        }
        serde_json::to_vec_pretty(&doc).expect("JSON")
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

    /// The fast path's and the full parse's runs are the same, samples within the last
    /// bit of their float reading.
    fn assert_same_runs(fast: &Loaded, full: &Loaded, what: &str) {
        assert_eq!(fast.run.meta, full.run.meta, "{what}");
        assert_eq!(
            fast.run.benchmarks.len(),
            full.run.benchmarks.len(),
            "{what}"
        );
        for (a, b) in fast.run.benchmarks.iter().zip(&full.run.benchmarks) {
            assert_eq!((&a.id, a.measurements.len()), (&b.id, b.measurements.len()));
            let (sa, sb) = (&a.measurements[0].samples, &b.measurements[0].samples);
            assert_eq!(sa.is_some(), sb.is_some(), "{what} {}", a.id);
            if let (Some(sa), Some(sb)) = (sa, sb) {
                assert_eq!(sa.len(), sb.len(), "{what} {}", a.id);
                assert!(sa.len() > 1);
                // serde_json's float reading may differ from the correctly rounded one
                // in the last bit.
                for (x, y) in sa.iter().zip(sb) {
                    assert!(
                        (x - y).abs() <= 4.0 * f64::EPSILON * y.abs(),
                        "{what} {} {x} {y}",
                        a.id
                    );
                }
            }
            let strip = |m: &Measurement| Measurement {
                samples: None,
                ..m.clone()
            };
            assert_eq!(strip(&a.measurements[0]), strip(&b.measurements[0]));
            assert_eq!(a.measurements[1..], b.measurements[1..]);
        }
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
            // As written (samples checked, not kept), and without `min` (samples kept).
            for (bytes, kept) in [(bytes.clone(), false), (without_min(&bytes), true)] {
                let fast = from_file(&p, fast(&bytes).expect("the fast path takes it"));
                let full = from_file(&p, parse_json(&p, FORMAT, &bytes).expect(rel));
                let (fast, full) = (fast.expect(rel), full.expect(rel));
                assert_same_runs(&fast, &full, rel);
                let with_samples = |l: &Loaded| {
                    l.run
                        .benchmarks
                        .iter()
                        .all(|b| b.measurements[0].samples.is_some() == kept)
                };
                assert!(with_samples(&fast), "{rel} kept {kept}");
            }
        }
        // Saved files without samples, and files whose samples it cannot vouch for,
        // are left to the full parse: used or not, a sample must be a valid number.
        let (_, bytes) =
            fixture("fixtures/pytest/saved/Linux-CPython-3.11-64bit/0001_baseline.json");
        assert!(fast(&bytes).is_none());
        for stats in [r#""mean": 1.0"#, r#""min": 1.0, "mean": 1.0"#] {
            let bad = format!(
                r#"{{"benchmarks": [{{"name": "t", "stats": {{{stats}, "data": [1.0, NaN]}}}}]}}"#
            );
            assert!(fast(bad.as_bytes()).is_none(), "{stats}");
        }
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
        let stripped = without_min(&bytes);
        let quick = from_file(p, fast(&stripped).expect("the fast path takes it")).expect("fast");
        let full = parse_json(p, FORMAT, &stripped).expect("full");
        let full = from_file(p, full).expect("full");
        assert!(quick.run.benchmarks[0].measurements[0].samples.is_some());
        assert_same_runs(&quick, &full, "large");
        // With `min` the arrays are checked in the same chunks.
        let quick = from_file(p, fast(&bytes).expect("the fast path takes it")).expect("fast");
        let full = from_file(p, parse_json(p, FORMAT, &bytes).expect("full")).expect("full");
        assert_same_runs(&quick, &full, "large, with min");
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
        let run = parse(&p, &without_min(&bytes)).expect("parses").run;
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
        // The minimum does not use the samples, but a bad one is still an error.
        let with_min =
            doc("[1.0, 2.0, NaN]").replace(r#""mean": 1.0"#, r#""min": 1.0, "mean": 1.0"#);
        let e = parse(Path::new("r.json"), with_min.as_bytes())
            .unwrap_err()
            .to_string();
        assert!(e.contains("stats.data[2] is missing, null or NaN"), "{e}");
        let run = parse(Path::new("r.json"), doc("[1.0, 2.5]").as_bytes())
            .expect("parses")
            .run;
        assert_eq!(
            run.benchmarks[0].measurements[0].samples,
            Some(vec![1e9, 2.5e9])
        );
    }
}
