//! One run as stored in the history branch: versioned, compact, without raw samples.

use serde::{Deserialize, Serialize};

use crate::error::HistoryError;
use crate::model::{Run, RunMeta};

/// The version of the stored run format; bumped deliberately when it changes.
pub const FORMAT_VERSION: u32 = 1;

/// Keys of a machine description that name the host, which a history does not keep.
const HOST_KEYS: [&str; 3] = ["node", "host_name", "hostname"];
/// A machine description's strings longer than this are not kept: a version or a
/// system's name is short, and every run file would carry the rest.
const MAX_MACHINE_STRING: usize = 200;

/// What a history keeps of a machine description: its top-level strings (up to
/// `MAX_MACHINE_STRING` bytes), numbers and booleans (pytest-benchmark's
/// `python_version`, `system`, `release`, …), without the host's name and the nested
/// parts (a CPU's flags). It tells apart the entries of a CI
/// matrix that record into one history (`analysis::matrix`). `None` when nothing is
/// left.
fn machine_summary(machine: &serde_json::Value) -> Option<serde_json::Value> {
    let kept: serde_json::Map<String, serde_json::Value> = machine
        .as_object()?
        .iter()
        .filter(|(k, v)| {
            !HOST_KEYS.contains(&k.as_str())
                && (v.as_str().is_some_and(|s| s.len() <= MAX_MACHINE_STRING)
                    || v.is_number()
                    || v.is_boolean())
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    (!kept.is_empty()).then_some(serde_json::Value::Object(kept))
}

/// A run file in the history branch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoredRun {
    /// Always [`FORMAT_VERSION`] when written by this version.
    pub format_version: u32,
    /// The run, without raw samples and machine details.
    pub run: Run,
}

impl StoredRun {
    /// Prepares a run for storage: drops raw samples (the history rule uses one
    /// estimate per run) and keeps of the machine description only its top-level
    /// strings, numbers and booleans (`machine_summary`).
    pub fn compact(run: &Run) -> StoredRun {
        let mut run = run.clone();
        for b in &mut run.benchmarks {
            for m in &mut b.measurements {
                m.samples = None;
            }
        }
        run.meta = RunMeta {
            machine: run.meta.machine.as_ref().and_then(machine_summary),
            sources: Vec::new(),
            ..run.meta
        };
        StoredRun {
            format_version: FORMAT_VERSION,
            run,
        }
    }

    /// Compact JSON bytes.
    pub fn to_bytes(&self) -> Result<Vec<u8>, HistoryError> {
        serde_json::to_vec(self).map_err(|e| HistoryError::Encode(e.to_string()))
    }

    /// Parses a stored run; the error says what is wrong with it.
    pub fn from_bytes(bytes: &[u8]) -> Result<StoredRun, String> {
        let stored: StoredRun = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
        if stored.format_version > FORMAT_VERSION {
            return Err(format!(
                "format_version {} is newer than this bench-bot reads ({FORMAT_VERSION}); upgrade bench-bot",
                stored.format_version
            ));
        }
        Ok(stored)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_run_keeps_the_machine_s_scalars_but_not_the_host_name() {
        let run = Run {
            meta: RunMeta {
                tool: "pytest-benchmark".into(),
                machine: Some(serde_json::json!({
                    "node": "build-host-7", "python_version": "3.12.1", "system": "Linux",
                    "banner": "x".repeat(201),
                    "cpu": {"flags": ["avx2"]}, "python_build": ["main", "May 9 2026"],
                })),
                sources: vec!["out.json".into()],
                ..RunMeta::default()
            },
            benchmarks: Vec::new(),
        };
        let stored = StoredRun::compact(&run);
        assert_eq!(
            stored.run.meta.machine,
            Some(serde_json::json!({"python_version": "3.12.1", "system": "Linux"}))
        );
        assert!(stored.run.meta.sources.is_empty());
        let nothing_left = Run {
            meta: RunMeta {
                machine: Some(serde_json::json!({"node": "h", "cpu": {}})),
                ..run.meta.clone()
            },
            benchmarks: Vec::new(),
        };
        assert_eq!(StoredRun::compact(&nothing_left).run.meta.machine, None);
    }
}
