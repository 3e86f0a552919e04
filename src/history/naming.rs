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
    format!(
        "runs/{}/{}_{:0<12}_{}_{suite}.json",
        component(source_branch),
        sortable_time(run),
        sha12,
        nonce()
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

fn nonce() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!(
        "{:08x}",
        (nanos as u64 ^ (u64::from(std::process::id()) << 32)) & 0xffff_ffff
    )
}

/// A sortable UTC timestamp for a run: its own time when it has one, else now.
fn sortable_time(run: &Run) -> String {
    let t = run
        .meta
        .timestamp
        .as_deref()
        .and_then(|t| humantime::parse_rfc3339_weak(t.get(..19).unwrap_or(t)).ok())
        .unwrap_or_else(std::time::SystemTime::now);
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
}
