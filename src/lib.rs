//! bench-bot: a benchmark regression gate.
//!
//! Data flows one way: result files are read by [`ingest`] into a [`model::Run`], the
//! pure [`analysis`] compares it with baseline runs under a [`config::Config`] and
//! returns a [`report::Report`], and the report is rendered to its sinks.

pub mod analysis;
pub mod app;
pub mod cli;
pub mod config;
pub mod dashboard;
pub mod error;
pub mod fs;
pub mod github;
pub mod history;
pub mod ingest;
pub mod model;
pub mod report;
pub mod stats;
pub mod units;

pub use error::{Error, Result};
