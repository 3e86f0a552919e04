//! History: runs stored in an orphan git branch of the repository itself, one file per
//! run, so that appends never conflict and no server is needed.
//!
//! Layout of the branch: `runs/<source branch>/<UTC timestamp>_<sha12>_<nonce>_<suite>.json`
//! (`naming.rs`), each a [`StoredRun`] (versioned, compact JSON, no raw samples). File names sort by
//! time and carry the commit, so a baseline window is chosen from tree listings alone
//! and only the selected runs are read.

mod dedupe;
mod file;
mod naming;
mod push;
mod record;
mod repo;
mod select;
mod transport;

pub use file::{FORMAT_VERSION, StoredRun};
pub use push::relax_owner_validation;
pub use record::{RecordOptions, RecordOutcome};
pub use repo::HistoryRepo;
pub use select::{Window, WindowRequest};

/// The default history branch.
pub const DEFAULT_BRANCH: &str = "bench-bot-data";

pub use crate::error::HistoryError;
