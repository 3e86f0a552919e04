//! Running the user's build and benchmark commands: through `sh -c` in a side's tree,
//! output kept in a log file (its last lines name a failure), and stopped at once when
//! Ctrl-C arrives.

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::error::{Error, Result};

/// Set by the Ctrl-C handler.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Installs the Ctrl-C (and SIGTERM) handler once; a second install is a no-op.
pub fn catch_interrupts() {
    let _ = ctrlc::set_handler(|| INTERRUPTED.store(true, Ordering::SeqCst));
}

/// Whether Ctrl-C arrived.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// What to run and where, for the messages.
pub struct Job<'a> {
    /// The shell command.
    pub command: &'a str,
    /// The folder it runs in.
    pub dir: &'a Path,
    /// Extra environment.
    pub env: Vec<(&'static str, String)>,
    /// Where its output goes.
    pub log: &'a Path,
    /// "the build of the base side", "round 3 of the head side", for errors.
    pub what: String,
}

/// Runs the job to its end; an error names it, its exit status and its last lines.
pub fn run(job: &Job<'_>) -> Result<()> {
    let log = std::fs::File::create(job.log)
        .map_err(|e| Error::Ab(format!("failed to create {}: {e}", job.log.display())))?;
    let err = log
        .try_clone()
        .map_err(|e| Error::Ab(format!("failed to open {}: {e}", job.log.display())))?;
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(job.command)
        .current_dir(job.dir)
        .envs(job.env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(err)
        .spawn()
        .map_err(|e| Error::Ab(format!("{}: failed to start `sh -c`: {e}", job.what)))?;
    let status = loop {
        if interrupted() {
            let _ = child.kill();
            let _ = child.wait();
            return Err(Error::Interrupted(format!("during {}", job.what)));
        }
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(Error::Ab(format!("{}: {e}", job.what))),
        }
    };
    if status.success() {
        return Ok(());
    }
    Err(Error::Ab(format!(
        "{} failed ({status}): `{}`\n{}",
        job.what,
        job.command,
        tail(job.log, 20)
    )))
}

/// The last `lines` lines of a log, indented, for an error message.
pub fn tail(log: &Path, lines: usize) -> String {
    let text = std::fs::read(log).unwrap_or_default();
    let text = String::from_utf8_lossy(&text);
    let all: Vec<&str> = text.lines().collect();
    let start = all.len().saturating_sub(lines);
    if all.is_empty() {
        return "  (it printed nothing)".to_string();
    }
    all[start..]
        .iter()
        .map(|l| format!("  | {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}
