//! Reading a saved report (`--format json`, schema `bench-bot/report/v1`) back, for
//! `bench-bot comment` and the action's fork-safe second half: one size limit and one
//! schema check for both.

use std::path::Path;

use super::{Report, SCHEMA};
use crate::error::{Error, Result};

/// The largest saved report read, in bytes.
pub const SAVED_REPORT_LIMIT: u64 = 64 << 20;

/// Reads and checks a saved report.
pub fn load_saved(path: &Path) -> Result<Report> {
    let bytes = crate::fs::read_input(path, SAVED_REPORT_LIMIT)?;
    let report: Report = serde_json::from_slice(&bytes).map_err(|e| {
        Error::input(
            path,
            Some("bench-bot report"),
            format!("not a {SCHEMA} report: {e}"),
        )
    })?;
    if report.schema != SCHEMA {
        return Err(Error::input(
            path,
            Some("bench-bot report"),
            format!("schema `{}` is not supported", report.schema),
        ));
    }
    Ok(report)
}
