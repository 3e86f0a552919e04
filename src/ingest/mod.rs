//! Ingest: reads result files of every supported tool into one `Run`.
//!
//! Each format lives in its own file and mirrors the tool's output with plain serde
//! structs before converting to the model. This module only detects and dispatches.

mod asv;
mod asv_rows;
mod bencher_text;
mod benchmarkdotnet;
mod benchmarkjs;
mod bmf;
mod cargo_criterion;
mod catch2;
mod criterion;
mod custom;
mod dart;
mod detect;
mod gab;
mod go;
mod google_benchmark;
mod gungraun;
mod hyperfine;
mod jmh;
mod json;
mod julia;
mod luau;
mod merge;
mod pytest;
mod pytest_samples;
mod ruby;
mod unique;
mod vitest;

use std::path::Path;

pub use crate::fs::{DEFAULT_MAX_INPUT_SIZE, read_input};
pub use criterion::parse_benchmark as parse_criterion_benchmark;
pub use detect::detect;
pub use gab::parse_history;
pub use merge::merge;

use crate::error::Result;
use crate::model::Run;

/// The input formats bench-bot reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// pytest-benchmark `--benchmark-json` / `--benchmark-save` files.
    PytestBenchmark,
    /// A criterion `target/criterion` directory (or any folder inside it).
    Criterion,
    /// `cargo criterion --message-format=json` output.
    CargoCriterion,
    /// `test NAME ... bench: N ns/iter (+/- M)` lines.
    BencherText,
    /// `[{"name", "value", "unit", "range"?, "extra"?}]`.
    Custom,
    /// hyperfine `--export-json` output.
    Hyperfine,
    /// Google Benchmark `--benchmark_format=json` / `--benchmark_out` output.
    GoogleBenchmark,
    /// Go: `go test -bench` text or its `go test -json` stream.
    Go,
    /// JMH `-rf json` result files.
    Jmh,
    /// BenchmarkDotNet's JSON exporters (full or brief).
    #[value(name = "benchmarkdotnet")]
    BenchmarkDotNet,
    /// Catch2 benchmarks: the XML reporter (`-r xml`) or the console output.
    Catch2,
    /// benchmark.js result lines (`NAME x 1,234 ops/sec ±1.23% (89 runs sampled)`).
    #[value(name = "benchmarkjs")]
    BenchmarkJs,
    /// Luau's benchmark runner output (`SUCCESS: …` lines and its RESULTS table).
    #[value(name = "benchmarkluau")]
    Luau,
    /// Custom JSON where higher is better for every entry (github-action-benchmark's
    /// `customBiggerIsBetter`); only forced, never detected.
    #[value(name = "customBiggerIsBetter")]
    CustomBiggerIsBetter,
    /// Custom JSON where lower is better for every entry (`customSmallerIsBetter`).
    #[value(name = "customSmallerIsBetter")]
    CustomSmallerIsBetter,
    /// `vitest bench --outputJson` files.
    Vitest,
    /// Ruby's `Benchmark.bm` / `Benchmark.bmbm` report.
    Ruby,
    /// asv (airspeed velocity) result files, `results/<machine>/<commit>-<env>.json`.
    Asv,
    /// Julia's BenchmarkTools, `BenchmarkTools.save("results.json", results)`.
    Julia,
    /// Dart's `benchmark_harness` output (`NAME(RunTime): 12.3 us.`).
    Dart,
    /// Bencher Metric Format, `{"benchmark": {"measure": {"value", …}}}`.
    Bmf,
    /// gungraun (formerly iai-callgrind): Valgrind counts, text or JSON output.
    #[value(name = "gungraun", alias = "iai-callgrind")]
    Gungraun,
}

impl Format {
    /// The format's name as the CLI and messages spell it.
    pub fn name(self) -> &'static str {
        match self {
            Format::PytestBenchmark => "pytest-benchmark",
            Format::Criterion => "criterion",
            Format::CargoCriterion => "cargo-criterion",
            Format::BencherText => "bencher-text",
            Format::Custom => "custom",
            Format::Hyperfine => "hyperfine",
            Format::GoogleBenchmark => "google-benchmark",
            Format::Go => "go",
            Format::Jmh => "jmh",
            Format::BenchmarkDotNet => "benchmarkdotnet",
            Format::Catch2 => "catch2",
            Format::BenchmarkJs => "benchmarkjs",
            Format::Luau => "benchmarkluau",
            Format::CustomBiggerIsBetter => "customBiggerIsBetter",
            Format::CustomSmallerIsBetter => "customSmallerIsBetter",
            Format::Vitest => "vitest",
            Format::Ruby => "ruby",
            Format::Asv => "asv",
            Format::Julia => "julia",
            Format::Dart => "dart",
            Format::Bmf => "bmf",
            Format::Gungraun => "gungraun",
        }
    }
}

/// Options that apply to every input.
#[derive(Debug, Clone, Copy)]
pub struct LoadOptions {
    /// Force a format instead of detecting it.
    pub format: Option<Format>,
    /// Refuse files larger than this many bytes.
    pub max_input_size: u64,
    /// The clock of formats that record both wall-clock and CPU time.
    pub clock: crate::config::Clock,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            format: None,
            max_input_size: DEFAULT_MAX_INPUT_SIZE,
            clock: crate::config::Clock::Real,
        }
    }
}

/// A run read from one input, with what was worth a warning on the way.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The run.
    pub run: Run,
    /// Things skipped or assumed, each naming the file.
    pub warnings: Vec<String>,
}

impl Loaded {
    /// Like `of`, for formats that report failed benchmarks as warnings: a file where
    /// every `what` (benchmark, command) failed measured nothing, and says so.
    pub(crate) fn unless_all_failed(
        tool: &str,
        benchmarks: Vec<crate::model::Benchmark>,
        warnings: Vec<String>,
        what: &str,
    ) -> std::result::Result<Loaded, String> {
        if benchmarks.is_empty() {
            return Err(format!(
                "every {what} failed, so nothing was measured ({})",
                warnings.join("; ")
            ));
        }
        Ok(Loaded::of(tool, benchmarks, warnings))
    }

    /// A run of `benchmarks` that `tool` wrote, with nothing known about it beyond them.
    pub(crate) fn of(
        tool: &str,
        benchmarks: Vec<crate::model::Benchmark>,
        warnings: Vec<String>,
    ) -> Loaded {
        Loaded {
            run: Run {
                meta: crate::model::RunMeta {
                    tool: tool.to_string(),
                    ..crate::model::RunMeta::default()
                },
                benchmarks,
            },
            warnings,
        }
    }
}

/// Reads one file or directory into a run.
pub fn load(path: &Path, options: &LoadOptions) -> Result<Loaded> {
    if path.is_dir() {
        if let Some(forced) = options.format.filter(|f| *f != Format::Criterion) {
            return Err(crate::Error::input(
                path,
                Some(forced.name()),
                "is a directory; only the criterion format reads directories",
            ));
        }
        return criterion::load_dir(path, options);
    }
    let bytes = read_input(path, options.max_input_size)?;
    let format = match options.format {
        Some(f) => f,
        None => detect(path, &bytes)?,
    };
    let mut loaded = match format {
        Format::Criterion => criterion::load_file(path, options)?,
        Format::GoogleBenchmark => google_benchmark::parse_with(path, &bytes, options.clock)?,
        other => parse_bytes(other, path, &bytes)?,
    };
    loaded.run.meta.sources = vec![path.display().to_string()];
    Ok(loaded)
}

/// Parses the contents of a result file in a file format (not the criterion
/// directory); `path` only names the input in errors.
pub fn parse_bytes(format: Format, path: &Path, bytes: &[u8]) -> Result<Loaded> {
    match format {
        Format::PytestBenchmark => pytest::parse(path, bytes),
        Format::CargoCriterion => cargo_criterion::parse(path, bytes),
        Format::BencherText => bencher_text::parse(path, bytes),
        Format::Custom => custom::parse(path, bytes),
        Format::Hyperfine => hyperfine::parse(path, bytes),
        Format::GoogleBenchmark => google_benchmark::parse_with(path, bytes, Default::default()),
        Format::Go => go::parse(path, bytes),
        Format::Jmh => jmh::parse(path, bytes),
        Format::BenchmarkDotNet => benchmarkdotnet::parse(path, bytes),
        Format::Catch2 => catch2::parse(path, bytes),
        Format::BenchmarkJs => benchmarkjs::parse(path, bytes),
        Format::Luau => luau::parse(path, bytes),
        Format::Vitest => vitest::parse(path, bytes),
        Format::Ruby => ruby::parse(path, bytes),
        Format::Asv => asv::parse(path, bytes),
        Format::Julia => julia::parse(path, bytes),
        Format::Dart => dart::parse(path, bytes),
        Format::Bmf => bmf::parse(path, bytes),
        Format::Gungraun => gungraun::parse(path, bytes),
        Format::CustomBiggerIsBetter => custom::parse_named(
            path,
            bytes,
            "customBiggerIsBetter",
            Some(crate::model::Direction::HigherIsBetter),
        ),
        Format::CustomSmallerIsBetter => custom::parse_named(
            path,
            bytes,
            "customSmallerIsBetter",
            Some(crate::model::Direction::LowerIsBetter),
        ),
        Format::Criterion => Err(crate::Error::input(
            path,
            Some("criterion"),
            "criterion results are a directory: pass `target/criterion` (or a folder in it)",
        )),
    }
}

/// What a parser says when it refuses `text`, for the parsers' tests.
#[cfg(test)]
pub(crate) fn refusal(parse: fn(&Path, &[u8]) -> Result<Loaded>, text: &str) -> String {
    parse(Path::new("input"), text.as_bytes())
        .expect_err("refused")
        .to_string()
}

/// A run's benchmark ids in order, for the parsers' tests.
#[cfg(test)]
pub(crate) fn ids(run: &Run) -> Vec<&str> {
    run.benchmarks.iter().map(|b| b.id.as_str()).collect()
}

/// A fixture file's path and bytes, for the parsers' tests.
#[cfg(test)]
pub(crate) fn fixture(rel: &str) -> (std::path::PathBuf, Vec<u8>) {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    let bytes = std::fs::read(&p).expect("fixture");
    (p, bytes)
}

/// The number of lines in `text`, at most: what a list of its lines is sized to once. Grown
/// line by line, such a list is copied at every doubling, into fresh memory each time;
/// sized once, the part a file does not use is never touched.
pub(crate) fn lines_at_most(text: &str) -> usize {
    memchr::memchr_iter(b'\n', text.as_bytes()).count() + 1
}

/// One measurement from a run's own samples (at least two), as bench-bot compares them
/// for every format that exports its samples: the median, 1.4826 × MAD as the spread,
/// the sample count as n.
pub(crate) fn robust_summary(
    metric: crate::model::Metric,
    direction: crate::model::Direction,
    unit: &str,
    values: &[f64],
) -> crate::model::Measurement {
    use crate::stats::{MAD_TO_SIGMA, mad, median};
    let m = median(values);
    crate::model::Measurement::new(metric, direction, unit, m)
        .with_spread(
            Some(MAD_TO_SIGMA * mad(values, m)),
            Some(values.len() as u64),
        )
        .with_estimator(crate::model::Estimator::Median)
}

/// Reads each input as a run of its own (baselines, dashboard runs), oldest first, with
/// the warnings of all of them.
pub fn load_each(
    paths: &[impl AsRef<Path>],
    options: &LoadOptions,
) -> Result<(Vec<Run>, Vec<String>)> {
    let mut runs = Vec::with_capacity(paths.len());
    let mut warnings = Vec::new();
    for p in paths {
        let loaded = load(p.as_ref(), options)?;
        warnings.extend(loaded.warnings);
        runs.push(loaded.run);
    }
    Ok((runs, warnings))
}

/// Reads several inputs (shards of one CI run) and merges them into one run.
pub fn load_all(paths: &[impl AsRef<Path>], options: &LoadOptions) -> Result<Loaded> {
    let parts = paths
        .iter()
        .map(|p| load(p.as_ref(), options))
        .collect::<Result<Vec<_>>>()?;
    merge(parts)
}
