//! Large, realistic inputs for bench-bot's own benchmarks and measurements:
//! pytest-benchmark JSON with raw samples, and runs with many benchmarks. Seeded, so
//! the same call writes the same bytes.

use std::path::Path;

use rand::{RngExt, SeedableRng, rngs::StdRng};
use rand_distr::{Distribution, LogNormal};
use serde_json::{Value, json};

/// A pytest-benchmark `--benchmark-json` document of about `target_bytes` bytes with
/// `benchmarks` benchmarks, each with raw `data`, written the way pytest-benchmark
/// writes it (indented by 4).
pub fn pytest_json(benchmarks: usize, target_bytes: usize, seed: u64) -> Vec<u8> {
    // About 44 bytes per indented sample line.
    let rounds = (target_bytes / 44 / benchmarks.max(1)).max(1);
    let mut rng = StdRng::seed_from_u64(seed);
    let list: Vec<Value> = (0..benchmarks)
        .map(|i| {
            let centre = 1e-6 * (1.0 + (i % 97) as f64);
            let noise = LogNormal::new(centre.ln(), 0.05).expect("valid");
            let data: Vec<f64> = (0..rounds).map(|_| noise.sample(&mut rng)).collect();
            let mean = data.iter().sum::<f64>() / rounds as f64;
            let var = data.iter().map(|d| (d - mean) * (d - mean)).sum::<f64>()
                / (rounds as f64 - 1.0).max(1.0);
            json!({
                "group": format!("group{}", i % 10),
                "name": format!("test_case[{i}]"),
                "fullname": format!("tests/test_generated.py::test_case[{i}]"),
                "params": {"i": i},
                "param": i.to_string(),
                "extra_info": {"size": i * 10},
                "options": {"disable_gc": false, "timer": "perf_counter", "min_rounds": 5,
                             "max_time": 1.0, "min_time": 5e-06, "warmup": false},
                "stats": {
                    "min": data.iter().copied().fold(f64::INFINITY, f64::min),
                    "max": data.iter().copied().fold(0.0, f64::max),
                    "mean": mean, "stddev": var.sqrt(), "rounds": rounds,
                    "median": mean, "iqr": var.sqrt(), "q1": mean, "q3": mean,
                    "iqr_outliers": 0, "stddev_outliers": 0, "outliers": "0;0",
                    "ld15iqr": mean, "hd15iqr": mean, "ops": 1.0 / mean,
                    "total": mean * rounds as f64, "data": data, "iterations": 1
                }
            })
        })
        .collect();
    let doc = json!({
        "machine_info": {"node": "generated", "processor": "x86_64", "machine": "x86_64",
                          "python_implementation": "CPython", "python_version": "3.11.7"},
        "commit_info": {"id": "0123456789abcdef0123456789abcdef01234567", "branch": "main",
                         "dirty": false, "project": "generated"},
        "benchmarks": list,
        "datetime": "2026-11-24T00:00:00+00:00",
        "version": "5.3.1"
    });
    let mut out = Vec::with_capacity(target_bytes + target_bytes / 8);
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut out, fmt);
    serde::Serialize::serialize(&doc, &mut ser).expect("serialises");
    out
}

/// Writes `bytes` to `path`, creating parent directories.
pub fn write(path: &Path, bytes: &[u8]) {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).expect("create dir");
    }
    std::fs::write(path, bytes).expect("write");
}

/// Draws a random index, so callers need not import rand.
pub fn pick(rng: &mut StdRng, n: usize) -> usize {
    rng.random_range(0..n)
}

/// A run of `benchmarks` time measurements around a fixed centre each, with noise.
pub fn run(benchmarks: usize, commit: &str, seed: u64) -> bench_bot::model::Run {
    use bench_bot::model::{Benchmark, Direction, Measurement, Metric, Run, RunMeta};
    let mut rng = StdRng::seed_from_u64(seed);
    let noise = LogNormal::new(0.0, 0.03).expect("valid");
    Run {
        meta: RunMeta {
            commit: Some(commit.to_string()),
            branch: Some("main".into()),
            timestamp: Some(format!(
                "2026-01-01T00:{:02}:{:02}Z",
                (seed / 60) % 60,
                seed % 60
            )),
            tool: "pytest-benchmark".into(),
            tool_version: Some("5.3.1".into()),
            ..RunMeta::default()
        },
        benchmarks: (0..benchmarks)
            .map(|i| {
                let centre = 1000.0 * (1.0 + (i % 97) as f64);
                let value = centre * noise.sample(&mut rng);
                Benchmark {
                    id: format!("tests/test_module_{}.py::test_case[{i}]", i % 20),
                    group: Some(format!("group{}", i % 10)),
                    measurements: vec![
                        Measurement::new(Metric::Time, Direction::LowerIsBetter, "ns", value)
                            .with_spread(Some(value * 0.02), Some(100)),
                    ],
                }
            })
            .collect(),
    }
}

/// A fake 40-hex commit id for run `i`.
pub fn sha(i: usize) -> String {
    format!("{:040x}", (i as u128 + 1) * 0x9e37_79b9_7f4a_7c15)
}

/// A pytest-benchmark `--benchmark-save` style file (no raw data) with `benchmarks`
/// benchmarks; `slow` makes every tenth benchmark that much slower.
pub fn pytest_saved(benchmarks: usize, seed: u64, slow: f64) -> Vec<u8> {
    let mut rng = StdRng::seed_from_u64(seed);
    let noise = LogNormal::new(0.0, 0.03).expect("valid");
    let list: Vec<Value> = (0..benchmarks)
        .map(|i| {
            let factor = if i % 10 == 0 { slow } else { 1.0 };
            let mean = 1e-6 * (1.0 + (i % 97) as f64) * factor * noise.sample(&mut rng);
            json!({
                "group": format!("group{}", i % 10), "name": format!("test_case[{i}]"),
                "fullname": format!("tests/test_generated.py::test_case[{i}]"),
                "params": {"i": i}, "param": i.to_string(), "extra_info": {},
                "options": {"disable_gc": false, "timer": "perf_counter", "min_rounds": 5,
                             "max_time": 1.0, "min_time": 5e-06, "warmup": false},
                "stats": {"min": mean * 0.9, "max": mean * 1.3, "mean": mean, "stddev": mean * 0.05,
                          "rounds": 1000, "median": mean, "iqr": mean * 0.04, "q1": mean * 0.98,
                          "q3": mean * 1.02, "iqr_outliers": 3, "stddev_outliers": 5, "outliers": "5;3",
                          "ld15iqr": mean * 0.95, "hd15iqr": mean * 1.05, "ops": 1.0 / mean,
                          "total": mean * 1000.0, "iterations": 1}
            })
        })
        .collect();
    let doc = json!({
        "machine_info": {"node": "generated", "processor": "x86_64", "machine": "x86_64",
                          "python_implementation": "CPython", "python_version": "3.11.7",
                          "python_compiler": "GCC", "release": "6.1", "system": "Linux",
                          "cpu": {"arch": "X86_64", "bits": 64, "count": 2}},
        "commit_info": {"id": "0123456789abcdef0123456789abcdef01234567", "branch": "main",
                         "dirty": false, "project": "generated", "time": "2026-11-24T00:00:00+00:00",
                         "author_time": "2026-11-24T00:00:00+00:00"},
        "benchmarks": list, "datetime": "2026-11-24T00:00:00+00:00", "version": "5.3.1"
    });
    serde_json::to_vec_pretty(&doc).expect("serialises")
}

/// Writes one criterion benchmark folder (`benchmark.json`, `estimates.json`,
/// `sample.json`) as criterion 0.8 lays it out, under `dir/<name>/<baseline>/`.
pub fn criterion_benchmark(dir: &Path, index: usize, baseline: &str, seed: u64, slow: f64) {
    let mut rng = StdRng::seed_from_u64(seed ^ index as u64);
    let noise = LogNormal::new(0.0, 0.02).expect("valid");
    let group = format!("group{}", index % 10);
    let function = format!("bench{index}");
    let folder = dir.join(&group).join(&function).join(baseline);
    std::fs::create_dir_all(&folder).expect("mkdir");
    let factor = if index % 10 == 0 { slow } else { 1.0 };
    let per_iter = 1000.0 * (1.0 + (index % 97) as f64) * factor;
    let iters: Vec<f64> = (1..=20).map(|k| (k * 10) as f64).collect();
    let times: Vec<f64> = iters
        .iter()
        .map(|n| n * per_iter * noise.sample(&mut rng))
        .collect();
    let mean = times.iter().zip(&iters).map(|(t, n)| t / n).sum::<f64>() / 20.0;
    let est = |v: f64| {
        json!({"confidence_interval": {"confidence_level": 0.95, "lower_bound": v * 0.99,
                               "upper_bound": v * 1.01}, "point_estimate": v, "standard_error": v * 0.005})
    };
    let id = format!("{group}/{function}");
    let files = [
        (
            "benchmark.json",
            json!({"group_id": group, "function_id": function, "value_str": null,
            "throughput": null, "full_id": id, "directory_name": id, "title": id}),
        ),
        (
            "estimates.json",
            json!({"mean": est(mean), "median": est(mean), "median_abs_dev": est(mean * 0.01),
            "slope": est(mean), "std_dev": est(mean * 0.02)}),
        ),
        (
            "sample.json",
            json!({"sampling_mode": "Linear", "iters": iters, "times": times}),
        ),
    ];
    for (name, value) in files {
        std::fs::write(folder.join(name), serde_json::to_vec(&value).expect("json"))
            .expect("write");
    }
}

/// A custom-JSON run of `benchmarks` benchmarks with lognormal noise.
pub fn custom_run(benchmarks: usize, seed: u64, slow: f64) -> Vec<u8> {
    let mut rng = StdRng::seed_from_u64(seed);
    let noise = LogNormal::new(0.0, 0.03).expect("valid");
    let rows: Vec<Value> = (0..benchmarks)
        .map(|i| {
            let factor = if i % 100 == 0 { slow } else { 1.0 };
            let v = 1000.0 * (1.0 + (i % 97) as f64) * factor * noise.sample(&mut rng);
            json!({"name": format!("suite/module{}/bench{i}", i % 50), "value": v, "unit": "ns", "range": format!("± {:.1}", v * 0.02)})
        })
        .collect();
    serde_json::to_vec(&rows).expect("json")
}
