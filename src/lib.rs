//! bench-bot: a benchmark regression gate.
//!
//! Data flows one way: result files are read by [`ingest`] into a [`model::Run`], the
//! pure [`analysis`] compares it with baseline runs under a [`config::Config`] and
//! returns a [`report::Report`], and the report is rendered to its sinks.
//!
//! The feature `cli` (on by default) adds the commands ([`app`]), the git history branch,
//! the GitHub API client and the dashboard; without it the library is the parsers, the
//! configuration, the analysis and the report's rendering.

pub mod analysis;
#[cfg(feature = "cli")]
pub mod app;
#[cfg(feature = "cli")]
pub mod cli;
pub mod config;
#[cfg(feature = "cli")]
pub mod dashboard;
pub mod error;
pub mod fs;
#[cfg(feature = "cli")]
pub mod github;
#[cfg(feature = "cli")]
pub mod history;
pub mod ingest;
pub mod model;
pub mod report;
pub mod stats;
pub mod units;

pub use error::{Error, Result};
