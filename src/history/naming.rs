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
    /// The microsecond within the second, then 10 bits of the recorder's process id plus
    /// its count of names, in hex: with the timestamp, the run's place in the history.
    pub nonce: String,
}

impl FileName {
    /// The order of runs in the history: by time, to the microsecond when the run's
    /// timestamp has it.
    pub fn order(&self) -> (&str, &str) {
        (&self.timestamp, &self.nonce)
    }
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
    let now = std::time::SystemTime::now();
    let at = run.meta.time();
    // The nonce orders the runs within one second: by the run's own fraction of it when
    // its time is written with one, else by when they were recorded.
    let within = run.meta.time_within_second().unwrap_or(now);
    format!(
        "runs/{}/{}_{:0<12}_{}_{suite}.json",
        component(source_branch),
        sortable_time(at.unwrap_or(now)),
        sha12,
        nonce(subsec_micros(within))
    )
}

/// Parses a run file's name (the last path component); `None` for other files.
pub fn parse_file_name(name: &str) -> Option<FileName> {
    let stem = name.strip_suffix(".json")?;
    let mut parts = stem.splitn(4, '_');
    let (Some(ts), Some(sha12), Some(nonce), Some(suite)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    Some(FileName {
        timestamp: ts.to_string(),
        sha12: sha12.to_string(),
        suite: suite.to_string(),
        nonce: nonce.to_string(),
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

/// The microsecond within the second, then 10 bits of the process id plus the files
/// this process named before: runs of one second sort in the order they ran (or were
/// recorded, for a time without a fraction; an import names them in order), and two
/// files of the same microsecond, commit and suite still get two names.
fn nonce(micros: u32) -> String {
    static NAMED: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let count = NAMED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let low = std::process::id().wrapping_add(count) & 0x3ff;
    format!("{:08x}", (micros << 10) | low)
}

/// The microsecond within its second of `at`.
fn subsec_micros(at: std::time::SystemTime) -> u32 {
    at.duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_micros())
        .unwrap_or(0)
}

/// A sortable UTC timestamp, to the second.
fn sortable_time(at: std::time::SystemTime) -> String {
    humantime::format_rfc3339_seconds(at)
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
    fn runs_of_one_second_sort_in_the_order_they_ran() {
        // Runs from the start of a second to its end, each of another commit, in an
        // order of the commits' hashes that is not the runs' order.
        let names: Vec<FileName> = [
            ("000000", "c3"),
            ("000001", "f0"),
            ("250000", "0a"),
            ("284874", "ff"),
            ("284876", "00"),
            ("999999", "7c"),
        ]
        .iter()
        .map(|(micros, commit)| {
            let mut run = Run {
                meta: crate::model::RunMeta::default(),
                benchmarks: Vec::new(),
            };
            run.meta.timestamp = Some(format!("2026-12-01T02:00:04.{micros}+00:00"));
            run.meta.commit = Some(commit.repeat(20));
            let path = run_path(&run, "main");
            parse_file_name(path.rsplit('/').next().expect("a name")).expect("parses")
        })
        .collect();
        let mut sorted = names.clone();
        sorted.sort_by(|a, b| a.order().cmp(&b.order()));
        assert_eq!(names, sorted);
        assert!(names.iter().all(|n| n.timestamp == "20261201T020004Z"));
        // A run's offset is taken into account: 03:00:04+01:00 is the same second.
        let mut run = Run {
            meta: crate::model::RunMeta::default(),
            benchmarks: Vec::new(),
        };
        run.meta.timestamp = Some("2026-12-01T03:00:04.5+01:00".into());
        assert!(run_path(&run, "main").contains("/20261201T020004Z_"));
    }
}
