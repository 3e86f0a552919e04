//! Format detection by content, so that users never have to say what a file is.

use std::path::Path;

use super::Format;
use crate::error::{Error, Result};

/// How far into a file detection looks for telltale keys.
const SNIFF_BYTES: usize = 64 * 1024;

/// Guesses the format of a file from its first bytes.
pub fn detect(path: &Path, bytes: &[u8]) -> Result<Format> {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace() && *b != 0xEF && *b != 0xBB && *b != 0xBF)
        .unwrap_or(bytes.len());
    let head = &bytes[start..bytes.len().min(start + SNIFF_BYTES)];
    let has = |needle: &str| head.windows(needle.len()).any(|w| w == needle.as_bytes());
    match head.first() {
        Some(b'{') if has("\"reason\"") => Ok(Format::CargoCriterion),
        Some(b'{')
            if has("\"benchmarks\"") || has("\"machine_info\"") || has("\"commit_info\"") =>
        {
            Ok(Format::PytestBenchmark)
        }
        Some(b'{') if has("\"group_id\"") || has("\"point_estimate\"") => Ok(Format::Criterion),
        Some(b'[') => Ok(Format::Custom),
        _ if has("window.BENCHMARK_DATA") => Err(Error::input(
            path,
            None,
            "this is a github-action-benchmark history (data.js); \
             migrate it with `bench-bot import` instead",
        )),
        _ if bencher_line_present(head) => Ok(Format::BencherText),
        _ => Err(Error::input(
            path,
            None,
            "unknown format: expected pytest-benchmark JSON, a criterion directory, \
             cargo-criterion JSON lines, bencher text (`test NAME ... bench: N ns/iter`) \
             or custom JSON (`[{\"name\", \"value\", \"unit\"}]`); \
             pass --format-in to force one",
        )),
    }
}

fn bencher_line_present(head: &[u8]) -> bool {
    head.split(|b| *b == b'\n').any(|line| {
        let line = String::from_utf8_lossy(line);
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

    #[test]
    fn unknown_and_history_files_say_what_to_do() {
        let e = fmt("hello").unwrap_err().to_string();
        assert!(
            e.contains("unknown format") && e.contains("--format-in"),
            "{e}"
        );
        let e = fmt("window.BENCHMARK_DATA = {}").unwrap_err().to_string();
        assert!(e.contains("bench-bot import"), "{e}");
    }
}
