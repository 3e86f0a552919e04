//! Idempotent writes: a run already in the history branch (the same commit, suite,
//! tool and timestamp, measured on the same source branch) is not written again, so
//! `import` or `record` run twice leaves the history as it was. Source file paths are
//! not stored, so they cannot tell runs apart. The candidates are found by the file
//! name's folder, commit and suite, not its time: how a time is written into a name
//! may change between versions, the stored timestamp does not.

use std::collections::HashMap;

use git2::Oid;

use super::naming;
use super::repo::{Entry, HistoryRepo};
use crate::error::HistoryError;
use crate::model::Run;

impl HistoryRepo {
    /// For each of `runs` (with the path it would be written to), whether the history
    /// at `base` already holds it. A run without a timestamp is never a duplicate: its
    /// file name takes the time it is recorded.
    pub(super) fn already_recorded(
        &self,
        base: Option<Oid>,
        runs: &[(Run, String)],
        paths: &[String],
    ) -> Result<Vec<bool>, HistoryError> {
        let Some(base) = base else {
            return Ok(vec![false; runs.len()]);
        };
        let mut by_key: HashMap<(String, String, String), Vec<Entry>> = HashMap::new();
        for entry in self.list(base)? {
            let key = (
                entry.source_branch.clone(),
                entry.sha12.clone(),
                entry.suite.clone(),
            );
            by_key.entry(key).or_default().push(entry);
        }
        let mut out = Vec::with_capacity(runs.len());
        for ((run, _), path) in runs.iter().zip(paths) {
            let found = key_of(path)
                .filter(|_| run.meta.timestamp.is_some())
                .and_then(|key| by_key.get(&key))
                .is_some_and(|entries| {
                    entries
                        .iter()
                        .any(|e| self.read(e).is_ok_and(|stored| same_run(&stored.run, run)))
                });
            out.push(found);
        }
        Ok(out)
    }
}

/// The listing key of a run path: source branch folder, sha12 and suite.
fn key_of(path: &str) -> Option<(String, String, String)> {
    let rest = path.strip_prefix("runs/")?;
    let (folder, name) = rest.rsplit_once('/')?;
    let parsed = naming::parse_file_name(name)?;
    Some((folder.to_string(), parsed.sha12, parsed.suite))
}

fn same_run(stored: &Run, new: &Run) -> bool {
    let (a, b) = (&stored.meta, &new.meta);
    a.commit == b.commit && a.suite == b.suite && a.tool == b.tool && a.timestamp == b.timestamp
}
