//! criterion's `target/criterion` directory.
//!
//! Criterion writes `criterion/<dir>/{new,base,change,<saved>}/` for every benchmark,
//! where `<dir>` is a sanitised, possibly nested folder name: `sort/x` lives in
//! `sort/x/`, `parse/json fast` in `parse/json fast/`, and colliding names get `_2`.
//! Folder names are therefore useless as ids: the id is built from `benchmark.json`'s
//! `group_id`, `function_id` and `value_str`. Only `new/` is read: `base/` is the
//! previous run and `change/` criterion's own comparison, which bench-bot redoes.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::json::{check_value, parse as parse_json};
use super::{LoadOptions, Loaded};
use crate::error::{Error, Result};
use crate::fs::{io_reason, read_input_no_follow};
use crate::model::{Benchmark, Direction, Estimator, Measurement, Metric, Run, RunMeta};

const FORMAT: &str = "criterion";
/// What to do when a benchmark folder has no readable `new/estimates.json`.
const NO_ESTIMATES: &str = "no `new/estimates.json` here: criterion writes it on `cargo bench`; \
     under cargo-criterion only CBOR is written, so save its JSON stream instead \
     (`cargo criterion --message-format=json > results.json`)";

/// Directories deeper than this below the given path are not searched.
const MAX_DEPTH: usize = 12;

/// `new/benchmark.json`.
#[derive(Debug, Deserialize)]
struct CBenchmark {
    group_id: String,
    #[serde(default)]
    function_id: Option<String>,
    #[serde(default)]
    value_str: Option<String>,
    #[serde(default)]
    throughput: Option<CThroughput>,
}

/// The throughput criterion was told, per iteration.
#[derive(Debug, Deserialize)]
pub(super) enum CThroughput {
    Bytes(f64),
    BytesDecimal(f64),
    Bits(f64),
    Elements(f64),
    ElementsAndBytes { elements: f64, bytes: f64 },
}

/// `new/estimates.json`, in ns per iteration.
#[derive(Debug, Deserialize)]
struct CEstimates {
    mean: CEstimate,
    std_dev: CEstimate,
    #[serde(default)]
    median: Option<CEstimate>,
    #[serde(default)]
    median_abs_dev: Option<CEstimate>,
}

#[derive(Debug, Deserialize)]
struct CEstimate {
    point_estimate: Option<f64>,
}

/// `new/sample.json`: total ns per sample and the iterations in it.
#[derive(Debug, Deserialize)]
struct CSample {
    iters: Vec<f64>,
    times: Vec<f64>,
}

/// Reads a criterion directory, or a benchmark folder inside it.
pub fn load_dir(root: &Path, _options: &LoadOptions) -> Result<Loaded> {
    let mut found = Vec::new();
    let mut incomplete = Vec::new();
    walk(root, 0, &mut found, &mut incomplete)?;
    if let Some(dir) = incomplete.first() {
        return Err(Error::input(dir, Some(FORMAT), NO_ESTIMATES));
    }
    if found.is_empty() {
        return Err(Error::input(
            root,
            Some(FORMAT),
            "no criterion results here (no `*/new/benchmark.json`): run `cargo bench` \
             and point bench-bot at `target/criterion`",
        ));
    }
    found.sort();
    let benchmarks = read_all(&found)?;
    let meta = RunMeta {
        tool: FORMAT.to_string(),
        sources: vec![root.display().to_string()],
        ..RunMeta::default()
    };
    Ok(Loaded {
        run: Run { meta, benchmarks },
        warnings: Vec::new(),
    })
}

/// Reads the benchmark folders on every core: a tree of a thousand benchmarks is
/// thousands of small files, and the time goes to the system calls.
fn read_all(found: &[PathBuf]) -> Result<Vec<Benchmark>> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    if threads < 2 || found.len() < 64 {
        return found.iter().map(|d| read_benchmark(d)).collect();
    }
    let chunk = found.len().div_ceil(threads);
    let parts: Vec<Result<Vec<Benchmark>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = found
            .chunks(chunk)
            .map(|dirs| {
                scope.spawn(move || {
                    dirs.iter()
                        .map(|d| read_benchmark(d))
                        .collect::<Result<Vec<_>>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(Error::Internal("a criterion reader thread panicked".into()))
                })
            })
            .collect()
    });
    let mut all = Vec::with_capacity(found.len());
    for part in parts {
        all.extend(part?);
    }
    Ok(all)
}

/// A criterion JSON file given directly: read the benchmark folder it belongs to.
pub fn load_file(path: &Path, options: &LoadOptions) -> Result<Loaded> {
    match path.parent() {
        Some(dir) if dir.join("benchmark.json").is_file() => load_dir(dir, options),
        _ => Err(Error::input(
            path,
            Some(FORMAT),
            "criterion results are a directory: pass `target/criterion` (or a folder in it)",
        )),
    }
}

/// Collects every `new/` folder below `dir`, and benchmark folders that lack one.
fn walk(
    dir: &Path,
    depth: usize,
    found: &mut Vec<PathBuf>,
    incomplete: &mut Vec<PathBuf>,
) -> Result<()> {
    // A benchmark folder is found without listing it: one `stat` instead of opening,
    // reading and closing the directory (most folders of a large suite are these). The
    // user pointing at a `new/` folder itself comes first, as below.
    let is_new = dir.file_name().is_some_and(|n| n == "new");
    if !is_new && dir.join("new/benchmark.json").is_file() {
        found.push(dir.join("new"));
        return Ok(());
    }
    let entries =
        std::fs::read_dir(dir).map_err(|e| Error::input(dir, Some(FORMAT), io_reason(&e)))?;
    let mut subdirs = Vec::new();
    let (mut has_new, mut has_side, mut has_benchmark_json) = (false, false, false);
    for entry in entries {
        let entry = entry.map_err(|e| Error::input(dir, Some(FORMAT), io_reason(&e)))?;
        // The entry's own type: symlinks are not followed, so a results folder cannot
        // lead out of the tree (and no extra system call per entry is needed).
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let name = entry.file_name();
        if kind.is_file() && name == "benchmark.json" {
            has_benchmark_json = true;
        }
        if !kind.is_dir() {
            continue;
        }
        match name.to_str() {
            Some("new") => has_new = true,
            Some("base" | "change") => has_side = true,
            // criterion's and cargo-criterion's HTML reports hold no results.
            Some("report" | "reports") => continue,
            _ => {}
        }
        subdirs.push(entry.path());
    }
    // The user pointed at a `new/` folder itself.
    if has_benchmark_json && dir.file_name().is_some_and(|n| n == "new") {
        found.push(dir.to_path_buf());
        return Ok(());
    }
    // A benchmark folder: `new/` holds the latest run; `base/`, `change/` and saved
    // baselines are older runs or criterion's own comparison.
    // (A benchmark function may itself be called `new`: its folder then has no
    // benchmark.json one level down, and the walk goes on into it.)
    // (Any other folder's `new/benchmark.json` was looked for before the listing.)
    if is_new && has_new && dir.join("new/benchmark.json").is_file() {
        found.push(dir.join("new"));
        return Ok(());
    }
    if has_side && (dir.join("base/benchmark.json").is_file() || dir.join("change").is_dir()) {
        incomplete.push(dir.to_path_buf());
        return Ok(());
    }
    if depth >= MAX_DEPTH {
        return Ok(());
    }
    subdirs.sort();
    for sub in subdirs {
        walk(&sub, depth + 1, found, incomplete)?;
    }
    Ok(())
}

fn read_benchmark(new_dir: &Path) -> Result<Benchmark> {
    let read = |name: &str| -> Result<(PathBuf, Vec<u8>)> {
        let p = new_dir.join(name);
        let bytes =
            read_input_no_follow(&p, super::DEFAULT_MAX_INPUT_SIZE).map_err(|e| match e {
                Error::Input { message, .. }
                    if message == "no such file or directory" && name == "estimates.json" =>
                {
                    Error::input(new_dir, Some(FORMAT), NO_ESTIMATES)
                }
                Error::Input { message, .. } => Error::input(&p, Some(FORMAT), message),
                other => other,
            })?;
        Ok((p, bytes))
    };
    parse_benchmark([
        read("benchmark.json")?,
        read("estimates.json")?,
        read("sample.json")?,
    ])
}

/// Parses one benchmark from the contents of its `new/benchmark.json`,
/// `new/estimates.json` and `new/sample.json`, each with the path it came from.
pub fn parse_benchmark(files: [(PathBuf, Vec<u8>); 3]) -> Result<Benchmark> {
    let [(bp, benchmark), (p, estimates), (sp, sample)] = files;
    let info: CBenchmark = parse_json(&bp, FORMAT, &benchmark)?;
    let est: CEstimates = parse_json(&p, FORMAT, &estimates)?;
    let invalid = |p: &Path, msg: String| Error::input(p, Some(FORMAT), msg);
    let mean = check_value(
        est.mean.point_estimate,
        || "mean.point_estimate".into(),
        true,
    )
    .map_err(|m| invalid(&p, m))?;
    let std_dev = check_value(
        est.std_dev.point_estimate,
        || "std_dev.point_estimate".into(),
        true,
    )
    .map_err(|m| invalid(&p, m))?;
    // The median and criterion's MAD (already scaled to a normal sigma): robust to the
    // samples a busy machine slows, which pull the mean.
    let robust = match (&est.median, &est.median_abs_dev) {
        (Some(m), Some(d)) => Some((
            check_value(m.point_estimate, || "median.point_estimate".into(), true)
                .map_err(|m| invalid(&p, m))?,
            check_value(
                d.point_estimate,
                || "median_abs_dev.point_estimate".into(),
                true,
            )
            .map_err(|m| invalid(&p, m))?,
        )),
        _ => None,
    };
    let (value, spread, estimator) = match robust {
        Some((median, mad)) => (median, mad, Estimator::Median),
        None => (mean, std_dev, Estimator::Mean),
    };
    let sample: CSample = parse_json(&sp, FORMAT, &sample)?;
    if sample.iters.len() != sample.times.len() || sample.iters.is_empty() {
        return Err(invalid(
            &sp,
            "`iters` and `times` differ in length or are empty".into(),
        ));
    }
    let samples = sample
        .iters
        .iter()
        .zip(&sample.times)
        .enumerate()
        .map(|(i, (it, t))| {
            let per_iter = t / it;
            check_value(Some(per_iter), || format!("sample {i} (times/iters)"), true)
        })
        .collect::<Result<Vec<f64>, String>>()
        .map_err(|m| invalid(&sp, m))?;
    let id = [
        Some(info.group_id.as_str()),
        info.function_id.as_deref(),
        info.value_str.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join("/");
    let n = samples.len() as u64;
    let mut time = Measurement::new(Metric::Time, Direction::LowerIsBetter, "ns", value)
        .with_spread(Some(spread), Some(n))
        .with_estimator(estimator);
    let mut measurements =
        throughput_measurements(info.throughput.as_ref(), value, spread, n, estimator);
    time.samples = Some(samples);
    measurements.insert(0, time);
    Ok(Benchmark {
        id,
        group: Some(info.group_id),
        measurements,
    })
}

/// Throughput per second from the per-iteration amount and the time per iteration.
/// The spread follows by the delta method: sd(a/t) ≈ a·sd(t)/t².
pub(super) fn throughput_measurements(
    throughput: Option<&CThroughput>,
    time_ns: f64,
    std_dev_ns: f64,
    n: u64,
    estimator: Estimator,
) -> Vec<Measurement> {
    let Some(tp) = throughput else {
        return Vec::new();
    };
    if time_ns <= 0.0 {
        return Vec::new();
    }
    let per_s = |amount: f64, metric: Metric, unit: &str| {
        let value = amount * 1e9 / time_ns;
        let mut m = Measurement::new(metric, Direction::HigherIsBetter, unit, value)
            .with_spread(Some(value * std_dev_ns / time_ns), Some(n))
            .with_estimator(estimator);
        m.derived = true;
        m
    };
    match *tp {
        CThroughput::Bytes(b) | CThroughput::BytesDecimal(b) => {
            vec![per_s(b, Metric::Throughput, "B/s")]
        }
        CThroughput::Bits(b) => vec![per_s(b, Metric::Throughput, "bit/s")],
        CThroughput::Elements(e) => vec![per_s(e, Metric::Throughput, "elements/s")],
        CThroughput::ElementsAndBytes { elements, bytes } => vec![
            per_s(bytes, Metric::Throughput, "B/s"),
            per_s(
                elements,
                Metric::Custom("elements_throughput".into()),
                "elements/s",
            ),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(rel: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
    }

    #[test]
    fn ids_come_from_benchmark_json_not_folders() {
        let run = load_dir(&dir("fixtures/criterion/baseline"), &LoadOptions::default())
            .expect("loads")
            .run;
        let ids: Vec<&str> = run.benchmarks.iter().map(|b| b.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "parse/digits/4096",
                "parse/digits/64",
                "parse/json fast",
                "sort/slowed",
                "sum/sped_up"
            ]
        );
    }

    #[test]
    fn reads_median_mad_samples_and_a_derived_throughput() {
        let base = dir("fixtures/criterion/baseline/parse/digits/64/new");
        let est: serde_json::Value =
            serde_json::from_slice(&std::fs::read(base.join("estimates.json")).expect("read"))
                .expect("json");
        let b = read_benchmark(&base).expect("reads");
        let t = &b.measurements[0];
        assert_eq!(
            t.value,
            est["median"]["point_estimate"].as_f64().expect("median")
        );
        assert_eq!(t.stddev, est["median_abs_dev"]["point_estimate"].as_f64());
        assert_eq!(t.estimator, Some(Estimator::Median));
        assert_eq!(t.n, Some(20));
        let thr = &b.measurements[1];
        assert_eq!(
            (thr.metric.clone(), thr.unit.as_str()),
            (Metric::Throughput, "B/s")
        );
        assert!((thr.value - 64.0 * 1e9 / t.value).abs() < 1e-6);
        assert!(thr.derived && !t.derived);
    }

    #[test]
    fn a_folder_inside_the_tree_reads_only_its_benchmarks() {
        let run = load_dir(
            &dir("fixtures/criterion/candidate/parse"),
            &LoadOptions::default(),
        )
        .expect("loads")
        .run;
        assert_eq!(run.benchmarks.len(), 3);
    }

    #[test]
    fn a_benchmark_without_new_estimates_names_the_command() {
        let tmp = tempfile::tempdir().expect("tmp");
        let bench = tmp.path().join("criterion/foo/base");
        std::fs::create_dir_all(&bench).expect("mkdir");
        std::fs::write(bench.join("benchmark.json"), "{}").expect("write");
        let e = load_dir(&tmp.path().join("criterion"), &LoadOptions::default()).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("foo")
                && msg.contains("new/estimates.json")
                && msg.contains("cargo bench"),
            "{msg}"
        );
        let empty = tempfile::tempdir().expect("tmp");
        let msg = load_dir(empty.path(), &LoadOptions::default())
            .unwrap_err()
            .to_string();
        assert!(msg.contains("no criterion results"), "{msg}");
    }
}
