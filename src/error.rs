//! The library's typed errors and the process's exit codes. Each error carries the file
//! or the operation it is about, reads as "failed to …", keeps its cause, and maps to
//! one exit code in [`Error::exit_code`].

use std::path::{Path, PathBuf};

/// Everything that can go wrong in bench-bot, by the part of the world at fault.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A result or baseline file could not be read or understood.
    #[error("failed to read {}{}: {message}", path.display(), format_suffix(*.format))]
    Input {
        /// The file or directory.
        path: PathBuf,
        /// The format it was read as, when known.
        format: Option<&'static str>,
        /// What is wrong, and what to do about it.
        message: String,
    },
    /// The configuration file is invalid.
    #[error("failed to load config {}: {message}", path.display())]
    Config {
        /// The config file.
        path: PathBuf,
        /// What is wrong (key, line and column when known).
        message: String,
    },
    /// The command line asks for something impossible.
    #[error("{0}")]
    Usage(String),
    /// An output file could not be written; nothing partial is left behind.
    #[error("failed to write {}: {source}", path.display())]
    Output {
        /// The output file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The history branch could not be read or written.
    #[error(transparent)]
    History(#[from] HistoryError),
    /// A GitHub API call failed where the command cannot go on without it.
    #[error(transparent)]
    Github(#[from] ApiError),
    /// A bug in bench-bot (a worker thread panicked, an invariant broke): not the
    /// user's input.
    #[error("internal error: {0} (a bug in bench-bot: please report it)")]
    Internal(String),
    /// `bench-bot ab`: a build or benchmark command failed, or left no usable results;
    /// the message names the side, the round and the command's last output.
    #[error("{0}")]
    Ab(String),
    /// Stopped by Ctrl-C (SIGINT or SIGTERM) after cleaning up what it had started.
    #[error("interrupted: {0}")]
    Interrupted(String),
    /// A report template could not be loaded or rendered.
    #[error("failed to render template {name}: {message}")]
    Template {
        /// Template name or path.
        name: String,
        /// What is wrong, with line and column when known.
        message: String,
    },
}

fn format_suffix(format: Option<&'static str>) -> String {
    format.map(|f| format!(" as {f}")).unwrap_or_default()
}

impl Error {
    /// An input error about `path`, read as `format`.
    pub fn input(path: &Path, format: Option<&'static str>, message: impl Into<String>) -> Error {
        Error::Input {
            path: path.to_path_buf(),
            format,
            message: message.into(),
        }
    }
}

impl Error {
    /// The exit code this error ends the process with.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Interrupted(_) => exit_code::INTERRUPTED,
            _ => exit_code::ERROR,
        }
    }
}

/// The exit codes, the CLI's contract (README, "Usage"): named here and nowhere else.
pub mod exit_code {
    /// Nothing blocks (`analyze`: no regression at a blocking tier).
    pub const PASS: u8 = 0;
    /// A regression blocks the merge.
    pub const BLOCKED: u8 = 1;
    /// bench-bot could not do its job: bad input, usage, I/O, git or API failure.
    pub const ERROR: u8 = 2;
    /// Stopped by Ctrl-C, the shell's 128 + SIGINT.
    pub const INTERRUPTED: u8 = 130;
}

/// Errors of the history store; each names the repository or the git operation.
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
    /// The remote named on the command line does not exist.
    #[error(
        "failed to find the remote `{name}`: the repository has no such remote (its remotes: {known})"
    )]
    NoSuchRemote {
        /// The name given.
        name: String,
        /// The remotes there are, quoted.
        known: String,
    },
    /// The history branch named for a comparison exists nowhere (a typo, or a custom
    /// name before its first recorded run).
    #[error(
        "failed to read the history branch: {message}. Fix `history-branch`, or record a \
         first run on the default branch (a push) before pull requests compare with it"
    )]
    NoSuchBranch {
        /// What is missing and which branches hold runs.
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
    /// A run could not be encoded for the history branch; nothing was written.
    #[error("failed to encode a run for the history branch: {0}")]
    Encode(String),
    /// The remote refused bench-bot: a bad or expired token (401), a token that may not
    /// write (403), a protected branch or hook that rejected the update, or a server
    /// certificate the system's CA bundle does not vouch for. Retried at
    /// most once, never as contention.
    #[error("failed to {action}: {reason}")]
    Denied {
        /// What bench-bot was doing.
        action: String,
        /// What the refusal means, and what to change.
        reason: String,
    },
    /// The remote's tip kept moving; nothing was written.
    #[error("failed to push the history branch after {attempts} attempts: the remote kept moving")]
    Contention {
        /// Attempts made.
        attempts: u32,
    },
}

impl HistoryError {
    /// A failed git operation: what bench-bot was doing, and libgit2's message.
    #[cfg(feature = "cli")]
    pub fn git(action: impl Into<String>, e: &git2::Error) -> HistoryError {
        let action = action.into();
        let message = e.message();
        // The status as the transport words it (`HTTP 403`): a bare "401" could be part
        // of the URL's port.
        let status = http_status(message);
        let refused = e.code() == git2::ErrorCode::Auth || status == Some(401);
        if refused {
            return HistoryError::Denied {
                action,
                reason: format!(
                    "the remote refused the token (HTTP 401: {message}): a wrong or expired \
                     token; the action uses `github-token`, by default the workflow's"
                ),
            };
        }
        if e.class() == git2::ErrorClass::Ssl {
            return HistoryError::Denied {
                action,
                reason: format!(
                    "the server's certificate is not trusted ({message}): bench-bot trusts \
                     the system's CA certificates, or the bundle `SSL_CERT_FILE` names"
                ),
            };
        }
        if status == Some(403) {
            let reason = if action.starts_with("push") {
                "the token may read but not write (HTTP 403): give the job \
                 `permissions: contents: write`"
            } else {
                "the token has no access to this repository (HTTP 403)"
            };
            return HistoryError::Denied {
                action,
                reason: reason.to_string(),
            };
        }
        HistoryError::Git {
            action,
            message: message.to_string(),
        }
    }

    /// Whether the remote refused bench-bot (not worth retrying more than once).
    pub fn is_denied(&self) -> bool {
        matches!(self, HistoryError::Denied { .. })
    }
}

/// A failed GitHub API call.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{what}: {}{message}", status.map(|s| format!("HTTP {s}: ")).unwrap_or_default())]
pub struct ApiError {
    /// What bench-bot was doing.
    pub what: String,
    /// The HTTP status, when there was a response.
    pub status: Option<u16>,
    /// GitHub's message, or the transport's.
    pub message: String,
}

impl ApiError {
    /// A read-only token: a pull request from a fork, or missing `permissions`.
    pub fn is_read_only(&self) -> bool {
        self.status == Some(403)
            && self
                .message
                .contains("Resource not accessible by integration")
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The HTTP status in a transport error's message (`…: HTTP 403`), if it has one.
#[cfg(feature = "cli")]
fn http_status(message: &str) -> Option<u16> {
    message.match_indices("HTTP ").find_map(|(at, _)| {
        let digits = message.get(at + 5..at + 8)?;
        let after = message[at + 8..].chars().next();
        (digits.bytes().all(|b| b.is_ascii_digit()) && !after.is_some_and(|c| c.is_ascii_digit()))
            .then(|| digits.parse().ok())
            .flatten()
    })
}

#[cfg(all(test, feature = "cli"))]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_is_told_by_its_status_not_by_digits_in_the_url() {
        let at = |message: &str, code| {
            HistoryError::git(
                "push the history branch",
                &git2::Error::new(code, git2::ErrorClass::Http, message),
            )
            .to_string()
        };
        let generic = git2::ErrorCode::GenericError;
        // Port 40119 holds "401"; the answer was a 403.
        let e = at(
            "http://127.0.0.1:40119/r.git/info/refs?service=git-receive-pack: HTTP 403",
            generic,
        );
        assert!(e.contains("`permissions: contents: write`"), "{e}");
        let e = at(
            "https://h/r.git/info/refs: HTTP 401: no credentials",
            generic,
        );
        assert!(e.contains("the remote refused the token"), "{e}");
        let e = at("http://127.0.0.1:40311/r.git: HTTP 500", generic);
        assert!(!e.contains("refused") && !e.contains("permissions"), "{e}");
        assert_eq!(http_status("x: HTTP 4031"), None);
        assert_eq!(http_status("HTTP 404 at the end"), Some(404));
    }
}
