//! Helpers shared by the integration tests.
#![allow(dead_code, reason = "each test binary uses a different subset")]

pub mod ab_repo;

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The path of a file in the repository.
pub fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// The bench-bot binary, in a clean environment and an empty working directory
/// (so that no bench-bot.toml is picked up by accident).
pub fn bench_bot(cwd: &Path) -> Command {
    let mut cmd = Command::cargo_bin("bench-bot").expect("binary");
    cmd.current_dir(cwd)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default());
    cmd
}

/// Runs `analyze --format json` and returns (exit code, parsed report, stderr).
pub fn analyze_json(cwd: &Path, args: &[&str]) -> (i32, serde_json::Value, String) {
    let out = bench_bot(cwd)
        .arg("analyze")
        .args(["--format", "json"])
        .args(args)
        .output()
        .expect("runs");
    let code = out.status.code().expect("exit code");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let report = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (code, report, stderr)
}

/// The result rows of a report with the given id (and metric `time`).
pub fn row<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["id"] == id && r["metric"] == "time")
        .unwrap_or_else(|| panic!("no result for {id}"))
}

/// The result row of a report with the given id and metric.
pub fn metric_row<'a>(
    report: &'a serde_json::Value,
    id: &str,
    metric: &str,
) -> &'a serde_json::Value {
    report["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["id"] == id && r["metric"] == metric)
        .unwrap_or_else(|| panic!("no {metric} result for {id}"))
}
