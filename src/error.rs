//! The library's typed errors. Each carries the file it is about, reads as
//! "failed to …", and maps to one exit code in `main`.

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
    #[error("{0}")]
    History(String),
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

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
