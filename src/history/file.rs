//! One run as stored in the history branch: versioned, compact, without raw samples.

use serde::{Deserialize, Serialize};

use crate::error::HistoryError;
use crate::model::{Run, RunMeta};

/// The version of the stored run format; bumped deliberately when it changes.
pub const FORMAT_VERSION: u32 = 1;

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
    /// estimate per run) and the opaque machine description.
    pub fn compact(run: &Run) -> StoredRun {
        let mut run = run.clone();
        for b in &mut run.benchmarks {
            for m in &mut b.measurements {
                m.samples = None;
            }
        }
        run.meta = RunMeta {
            machine: None,
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
