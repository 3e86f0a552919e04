//! Format detection by content, so that users never have to say what a file is.

use std::path::Path;

use super::Format;
use crate::error::{Error, Result};

/// How far into a file detection looks for telltale keys.
const SNIFF_BYTES: usize = 64 * 1024;

/// `s` without its leading whitespace.
fn skip_space(s: &[u8]) -> &[u8] {
    let i = s
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(s.len());
    &s[i..]
}

/// The first byte of the value of `key` when it is the first key of a JSON object.
fn first_key_value(head: &[u8], key: &str) -> Option<u8> {
    let rest = skip_space(head.strip_prefix(b"{")?)
        .strip_prefix(b"\"")?
        .strip_prefix(key.as_bytes())?
        .strip_prefix(b"\"")?;
    skip_space(skip_space(rest).strip_prefix(b":")?)
        .first()
        .copied()
}

/// How many objects open one inside the other at the start of a JSON document, each
/// as the value of the previous one's first key (`{"a": {"b": {` is 3).
fn nested_objects(head: &[u8]) -> usize {
    let mut rest = skip_space(head);
    let mut depth = 0;
    while let Some(after) = rest.strip_prefix(b"{") {
        depth += 1;
        // A key: a string without escapes is enough to tell the shape.
        let Some(key) = skip_space(after).strip_prefix(b"\"") else {
            break;
        };
        let Some(end) = key.iter().position(|b| *b == b'"' || *b == b'\\') else {
            break;
        };
        if key[end] != b'"' {
            break;
        }
        let Some(value) = skip_space(&key[end + 1..]).strip_prefix(b":") else {
            break;
        };
        rest = skip_space(value);
    }
    depth
}

/// Guesses the format of a file from its first bytes.
pub fn detect(path: &Path, bytes: &[u8]) -> Result<Format> {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace() && *b != 0xEF && *b != 0xBB && *b != 0xBF)
        .unwrap_or(bytes.len());
    let head = &bytes[start..bytes.len().min(start + SNIFF_BYTES)];
    let has = |needle: &str| memchr::memmem::find(head, needle.as_bytes()).is_some();
    // hyperfine writes `{"results": [` first; its commands may hold any other key. asv
    // before 0.5 writes `{"results": {` first.
    let results_first = first_key_value(head, "results");
    match head.first() {
        _ if results_first == Some(b'[') => Ok(Format::Hyperfine),
        _ if results_first == Some(b'{') => Ok(Format::Asv),
        // asv since 0.5: the columns of its result rows.
        Some(b'{') if has("\"result_columns\"") && has("\"results\"") => Ok(Format::Asv),
        Some(b'{') if has("\"param_names\"") && has("\"code\"") && has("\"unit\"") => {
            Err(Error::input(
                path,
                Some("asv"),
                "this is asv's benchmarks.json (the suite's description); pass the result \
                 files under results/<machine>/ instead",
            ))
        }
        // gungraun's JSON summaries: `module_path` and Valgrind `profiles`.
        Some(b'{') if has("\"module_path\"") && has("\"profiles\"") && has("\"kind\"") => {
            Ok(Format::Gungraun)
        }
        // Bencher Metric Format: `{"benchmark": {"measure": {"value": …` (before the
        // formats told by a key, which a benchmark's name may be).
        Some(b'{')
            if nested_objects(head) >= 3 && has("\"value\"") && !has("\"point_estimate\"") =>
        {
            Ok(Format::Bmf)
        }
        // BenchmarkDotNet's exporters start with the title and the host's description.
        Some(b'{') if has("\"HostEnvironmentInfo\"") && has("\"Benchmarks\"") => {
            Ok(Format::BenchmarkDotNet)
        }
        // Google Benchmark's `context` then `benchmarks` with per-run `time_unit`; before
        // pytest-benchmark, which also has a `benchmarks` list.
        Some(b'{') if has("\"context\"") && has("\"time_unit\"") && has("\"real_time\"") => {
            Ok(Format::GoogleBenchmark)
        }
        // `vitest bench --outputJson`: test files, each with groups of benchmarks (before
        // pytest-benchmark, which also has a `benchmarks` list).
        Some(b'{') if has("\"files\"") && has("\"groups\"") && has("\"fullName\"") => {
            Ok(Format::Vitest)
        }
        // test2json events: `go test -json` (checked before cargo-criterion: a
        // benchmark's output can say anything).
        Some(b'{') if has("\"Action\"") && has("\"Package\"") => Ok(Format::Go),
        Some(b'{') if has("\"reason\"") => Ok(Format::CargoCriterion),
        Some(b'{')
            if has("\"benchmarks\"") || has("\"machine_info\"") || has("\"commit_info\"") =>
        {
            Ok(Format::PytestBenchmark)
        }
        Some(b'{') if has("\"group_id\"") || has("\"point_estimate\"") => Ok(Format::Criterion),
        // BenchmarkTools: `[{"Julia": …, "BenchmarkTools": …}, [["BenchmarkGroup", …]]]`.
        Some(b'[')
            if has("\"BenchmarkTools\"") && (has("\"BenchmarkGroup\"") || has("\"Trial")) =>
        {
            Ok(Format::Julia)
        }
        // JMH writes a list of results, each with its `primaryMetric`.
        Some(b'[') if has("\"primaryMetric\"") && has("\"benchmark\"") => Ok(Format::Jmh),
        Some(b'[') => Ok(Format::Custom),
        _ if has("window.BENCHMARK_DATA") => Err(Error::input(
            path,
            None,
            "this is a github-action-benchmark history (data.js); \
             migrate it with `bench-bot import` instead",
        )),
        // Catch2's XML reporter (`<Catch …>` in v2, `<Catch2TestRun …>` in v3).
        Some(b'<') if has("<Catch") => Ok(Format::Catch2),
        _ if catch2_table_present(head) => Ok(Format::Catch2),
        // Google Benchmark's console table.
        _ if any_line(head, |l| {
            l.starts_with("Benchmark ") && l.contains(" Time ") && l.contains("Iterations")
        }) =>
        {
            Ok(Format::GoogleBenchmark)
        }
        _ if any_line(head, |l| super::benchmarkjs::result_line(l).is_some()) => {
            Ok(Format::BenchmarkJs)
        }
        _ if any_line(head, |l| super::luau::success_line(l).is_some()) => Ok(Format::Luau),
        _ if any_line(head, super::ruby::is_caption) => Ok(Format::Ruby),
        _ if any_line(head, |l| super::dart::result_line(l).is_some()) => Ok(Format::Dart),
        _ if super::gungraun::text_present(head) => Ok(Format::Gungraun),
        _ if bencher_line_present(head) => Ok(Format::BencherText),
        _ if go_line_present(head) => Ok(Format::Go),
        _ => Err(Error::input(
            path,
            None,
            "unknown format: expected pytest-benchmark JSON, a criterion directory, \
             cargo-criterion JSON lines, bencher text (`test NAME ... bench: N ns/iter`), \
             hyperfine --export-json, Google Benchmark JSON, Go `go test -bench` text or \
             `-json`, JMH `-rf json`, BenchmarkDotNet JSON, Catch2 XML or console output, \
             benchmark.js lines, Luau's \
             bench.py output, vitest bench --outputJson, \
             Ruby's Benchmark report, an asv result file, Julia BenchmarkTools JSON, Dart benchmark_harness output, Bencher Metric Format (BMF) JSON, gungraun / iai-callgrind output, or custom JSON (`[{\"name\", \"value\", \"unit\"}]`); \
             pass --format-in to force one",
        )),
    }
}

/// Whether any line of the head satisfies `pred`.
fn any_line(head: &[u8], pred: impl Fn(&str) -> bool) -> bool {
    head.split(|b| *b == b'\n')
        .any(|line| pred(&String::from_utf8_lossy(line)))
}

/// A Go result line, as the Go parser itself recognises one
/// (`BenchmarkName  <iterations>  …`).
fn go_line_present(head: &[u8]) -> bool {
    any_line(head, super::go::is_result_line)
}

/// The header of Catch2's console benchmark table.
fn catch2_table_present(head: &[u8]) -> bool {
    any_line(head, |line| {
        line.starts_with("benchmark name")
            && line.contains("samples")
            && line.contains("iterations")
    })
}

fn bencher_line_present(head: &[u8]) -> bool {
    any_line(head, |line| {
        let line = line.trim_start();
        line.starts_with("test ") && line.contains(" bench:")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(text: &str) -> Result<Format> {
        detect(Path::new("x"), text.as_bytes())
    }

    #[test]
    fn detects_each_format_by_content() {
        assert_eq!(
            fmt("{\"machine_info\": {}}").ok(),
            Some(Format::PytestBenchmark)
        );
        assert_eq!(
            fmt("\n {\"reason\":\"benchmark-complete\"}").ok(),
            Some(Format::CargoCriterion)
        );
        assert_eq!(fmt("[{\"name\":\"a\"}]").ok(), Some(Format::Custom));
        assert_eq!(
            fmt("running 1 test\ntest a ... bench:  1 ns/iter (+/- 0)\n").ok(),
            Some(Format::BencherText)
        );
    }

    /// Every result file the real tools wrote into fixtures/ is told apart: none is
    /// taken for another format.
    #[test]
    fn every_fixture_is_detected_as_its_own_format() {
        let cases: &[(&str, Format)] = &[
            ("fixtures/pytest/baseline.json", Format::PytestBenchmark),
            ("fixtures/pytest/candidate.json", Format::PytestBenchmark),
            (
                "fixtures/pytest/saved/Linux-CPython-3.11-64bit/0002_candidate.json",
                Format::PytestBenchmark,
            ),
            ("fixtures/aa/hog-1-a.json", Format::PytestBenchmark),
            (
                "fixtures/criterion/baseline.cargo-criterion.json",
                Format::CargoCriterion,
            ),
            (
                "fixtures/criterion/baseline.bencher.txt",
                Format::BencherText,
            ),
            (
                "fixtures/criterion/baseline/parse/digits/64/new/estimates.json",
                Format::Criterion,
            ),
            ("fixtures/hyperfine/baseline.json", Format::Hyperfine),
            ("fixtures/hyperfine/candidate.json", Format::Hyperfine),
            (
                "fixtures/google-benchmark/baseline.json",
                Format::GoogleBenchmark,
            ),
            (
                "fixtures/google-benchmark/aggregates-only.json",
                Format::GoogleBenchmark,
            ),
            ("fixtures/go/baseline.txt", Format::Go),
            ("fixtures/go/candidate.txt", Format::Go),
            ("fixtures/go/baseline.json", Format::Go),
            ("fixtures/jmh/baseline.json", Format::Jmh),
            ("fixtures/jmh/candidate.json", Format::Jmh),
            (
                "fixtures/benchmarkdotnet/baseline.json",
                Format::BenchmarkDotNet,
            ),
            (
                "fixtures/benchmarkdotnet/failed.json",
                Format::BenchmarkDotNet,
            ),
            ("fixtures/catch2/baseline.xml", Format::Catch2),
            ("fixtures/catch2/candidate.txt", Format::Catch2),
            ("fixtures/benchmarkjs/baseline.txt", Format::BenchmarkJs),
            ("fixtures/benchmarkjs/candidate.txt", Format::BenchmarkJs),
            ("fixtures/luau/output.txt", Format::Luau),
            ("fixtures/vitest/baseline.json", Format::Vitest),
            ("fixtures/vitest/candidate.json", Format::Vitest),
            ("fixtures/ruby/baseline.txt", Format::Ruby),
            (
                "fixtures/google-benchmark/baseline.console.txt",
                Format::GoogleBenchmark,
            ),
            (
                "fixtures/google-benchmark/aggregates-only.console.txt",
                Format::GoogleBenchmark,
            ),
            ("fixtures/ruby/candidate.txt", Format::Ruby),
            ("fixtures/asv/v1/baseline.json", Format::Asv),
            ("fixtures/asv/v1/candidate.json", Format::Asv),
            ("fixtures/asv/v2/baseline.json", Format::Asv),
            ("fixtures/asv/v2/candidate.json", Format::Asv),
            ("fixtures/julia/julia_output.json", Format::Julia),
            ("fixtures/dart/baseline.txt", Format::Dart),
            ("fixtures/dart/candidate.txt", Format::Dart),
            ("fixtures/dart/directed_graph.txt", Format::Dart),
            ("fixtures/dart/snapshots.txt", Format::Dart),
            ("fixtures/bmf/latency.json", Format::Bmf),
            ("fixtures/bmf/dhat.json", Format::Bmf),
            ("fixtures/gungraun/baseline.txt", Format::Gungraun),
            ("fixtures/gungraun/candidate.txt", Format::Gungraun),
            ("fixtures/gungraun/baseline.json", Format::Gungraun),
            ("fixtures/gungraun/candidate.json", Format::Gungraun),
            ("fixtures/custom/bigger-is-better.json", Format::Custom),
            ("fixtures/custom/smaller-is-better.json", Format::Custom),
        ];
        for (rel, expected) in cases {
            let (p, bytes) = super::super::fixture(rel);
            assert_eq!(detect(&p, &bytes).ok(), Some(*expected), "{rel}");
        }
        // A BMF benchmark may be named like another format's key.
        assert_eq!(
            fmt(r#"{"benchmarks": {"latency": {"value": 1.0}}, "reason": {"latency": {"value": 2}}}"#)
                .ok(),
            Some(Format::Bmf)
        );
        // A hyperfine command may name any other format's keys.
        assert_eq!(
            fmt("{\n  \"results\": [{\"command\": \"pytest --benchmark-json benchmarks \\\"reason\\\"\"}]}").ok(),
            Some(Format::Hyperfine)
        );
    }

    #[test]
    fn unknown_and_history_files_say_what_to_do() {
        let e = fmt("hello").unwrap_err().to_string();
        assert!(
            e.contains("unknown format") && e.contains("--format-in"),
            "{e}"
        );
        let e = fmt("window.BENCHMARK_DATA = {}").unwrap_err().to_string();
        assert!(e.contains("bench-bot import"), "{e}");
        for rel in [
            "fixtures/asv/v1/benchmarks.json",
            "fixtures/asv/v2/benchmarks.json",
        ] {
            let (p, bytes) = super::super::fixture(rel);
            let e = detect(&p, &bytes).unwrap_err().to_string();
            assert!(
                e.contains("asv's benchmarks.json") && e.contains("results/<machine>/"),
                "{e}"
            );
        }
    }
}
