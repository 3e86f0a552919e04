//! Run file names in the history branch: `runs/<source branch>/<UTC time>_<sha12>_<nonce>_<suite>.json`.
//! Names sort by time and carry the commit and suite, so a window is chosen from tree
//! listings alone; the writer and the parser of the format live together here.

use crate::model::Run;

/// The parts of a run file's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileName {
    /// Sortable UTC timestamp (`20261124T061000Z`).
    pub timestamp: String,
    /// First 12 hex digits of the measured commit (zero-padded).
    pub sha12: String,
    /// Suite name, as a path component.
    pub suite: String,
}

/// The path of a new run file for `run`, measured on `source_branch`.
pub fn run_path(run: &Run, source_branch: &str) -> String {
    let sha12: String = run
        .meta
        .commit
        .as_deref()
        .unwrap_or("000000000000")
        .chars()
        .filter(char::is_ascii_hexdigit)
        .take(12)
        .collect();
    let suite = component(run.meta.suite.as_deref().unwrap_or("default"));
    // One clock reading for both: the nonce orders the runs recorded within one second.
    let now = std::time::SystemTime::now();
    format!(
        "runs/{}/{}_{:0<12}_{}_{suite}.json",
        component(source_branch),
        sortable_time(run, now),
        sha12,
        nonce(now)
    )
}

/// Parses a run file's name (the last path component); `None` for other files.
pub fn parse_file_name(name: &str) -> Option<FileName> {
    let stem = name.strip_suffix(".json")?;
    let mut parts = stem.splitn(4, '_');
    let (Some(ts), Some(sha12), Some(_nonce), Some(suite)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    Some(FileName {
        timestamp: ts.to_string(),
        sha12: sha12.to_string(),
        suite: suite.to_string(),
    })
}

/// Makes a name safe as one path component.
pub fn component(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let s = s.trim_start_matches('.').to_string();
    if s.is_empty() { "_".to_string() } else { s }
}

/// The microsecond within the second, then 10 bits of the process id: runs recorded in
/// the same second sort in the order they were recorded (the history's order for equal
/// timestamps), and two recorders in the same microsecond still write two files.
fn nonce(now: std::time::SystemTime) -> String {
    let micros = now
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_micros())
        .unwrap_or(0);
    format!("{:08x}", (micros << 10) | (std::process::id() & 0x3ff))
}

/// A sortable UTC timestamp for a run: its own time when it has one, else `now`.
fn sortable_time(run: &Run, now: std::time::SystemTime) -> String {
    let t = run
        .meta
        .timestamp
        .as_deref()
        .and_then(|t| humantime::parse_rfc3339_weak(t.get(..19).unwrap_or(t)).ok())
        .unwrap_or(now);
    humantime::format_rfc3339_seconds(t)
        .to_string()
        .replace(['-', ':'], "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_the_parser() {
        let mut run = Run {
            meta: crate::model::RunMeta::default(),
            benchmarks: Vec::new(),
        };
        run.meta.commit = Some("ec26c3e57ca3a959ca5aad62de7213c562f8c821".into());
        run.meta.suite = Some("my suite".into());
        run.meta.timestamp = Some("2026-11-24T06:10:00Z".into());
        let path = run_path(&run, "feature/x");
        let (folder, name) = path.rsplit_once('/').expect("a folder");
        assert_eq!(folder, "runs/feature_x");
        let parsed = parse_file_name(name).expect("parses");
        assert_eq!(parsed.timestamp, "20261124T061000Z");
        assert_eq!(parsed.sha12, "ec26c3e57ca3");
        assert_eq!(parsed.suite, "my_suite");
        assert_eq!(parse_file_name("README.md"), None);
        assert_eq!(component("..hidden"), "hidden");
        assert_eq!(component(""), "_");
    }

    #[test]
    fn runs_recorded_within_one_second_sort_in_the_order_they_were_recorded() {
        use std::time::{Duration, UNIX_EPOCH};
        let run = Run {
            meta: crate::model::RunMeta::default(),
            benchmarks: Vec::new(),
        };
        // A second in which the low 32 bits of the nanoseconds since the epoch wrap (at
        // 284,874,752 ns into it): the order must not depend on them.
        let second = UNIX_EPOCH + Duration::from_secs(1_796_000_004);
        let names: Vec<String> = [1u64, 250_000, 284_874_000, 284_876_000, 999_999_000]
            .iter()
            .map(|ns| {
                let now = second + Duration::from_nanos(*ns);
                format!("{}_{}", sortable_time(&run, now), nonce(now))
            })
            .collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
        assert!(names.iter().all(|n| n.starts_with(&names[0][..16])));
    }
}
