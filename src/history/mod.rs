//! History: runs stored in an orphan git branch of the repository itself, one file per
//! run, so that appends never conflict and no server is needed.
//!
//! Layout of the branch: `runs/<source branch>/<UTC timestamp>-<sha12>-<suite>.json`,
//! each a [`StoredRun`] (versioned, compact JSON, no raw samples). File names sort by
//! time and carry the commit, so a baseline window is chosen from tree listings alone
//! and only the selected runs are read.

mod file;
mod repo;
mod select;

pub use file::{FORMAT_VERSION, StoredRun};
pub use repo::{HistoryRepo, RecordOptions, RecordOutcome};
pub use select::{Window, WindowRequest};

/// The default history branch.
pub const DEFAULT_BRANCH: &str = "bench-bot-data";

/// Errors of the history store; each names the repository or file.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// Opening or reading the repository failed.
    #[error("failed to open the git repository at {path}: {message}")]
    Open {
        /// The path given.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// A git operation failed.
    #[error("failed to {action}: {message}")]
    Git {
        /// What bench-bot was doing.
        action: String,
        /// git's message.
        message: String,
    },
    /// The remote's tip kept moving; nothing was written.
    #[error("failed to push the history branch after {attempts} attempts: the remote kept moving")]
    Contention {
        /// Attempts made.
        attempts: u32,
    },
}

impl HistoryError {
    pub(crate) fn git(action: impl Into<String>, e: &git2::Error) -> HistoryError {
        HistoryError::Git {
            action: action.into(),
            message: e.message().to_string(),
        }
    }
}

impl From<HistoryError> for crate::Error {
    fn from(e: HistoryError) -> Self {
        crate::Error::History(e.to_string())
    }
}
