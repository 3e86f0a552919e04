//! GitHub Actions workflow commands and files: step outputs (`$GITHUB_OUTPUT`), the job
//! summary (`$GITHUB_STEP_SUMMARY`), annotations and masking, with the runner's escaping.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The job summary holds at most 1 MiB per step.
pub const SUMMARY_LIMIT: usize = 1024 * 1024;
/// The runner shows at most 10 error and 10 warning annotations per step.
pub const ANNOTATIONS_SHOWN: usize = 10;

/// Escapes a workflow command's message: `%`, CR and LF.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value: as data, plus `:` and `,`.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Annotation levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// `::error`
    Error,
    /// `::warning`
    Warning,
    /// `::notice`
    Notice,
}

/// An annotation line: `::error title=…::message`.
pub fn annotation(level: Level, title: &str, message: &str) -> String {
    let name = match level {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Notice => "notice",
    };
    format!(
        "::{name} title={}::{}",
        escape_property(title),
        escape_data(message)
    )
}

/// The line that masks a secret in the log.
pub fn add_mask(secret: &str) -> String {
    format!("::add-mask::{}", escape_data(secret))
}

/// Appends `name=value` pairs to the `$GITHUB_OUTPUT` file; multiline values use a
/// random delimiter that does not occur in the value.
pub fn write_outputs(path: &Path, outputs: &[(&str, String)]) -> Result<()> {
    let mut text = String::new();
    for (name, value) in outputs {
        if value.contains('\n') || value.contains('\r') {
            let delimiter = loop {
                let d = format!("ghadelimiter_{}", random_hex());
                if !value.contains(&d) {
                    break d;
                }
            };
            text.push_str(&format!("{name}<<{delimiter}\n{value}\n{delimiter}\n"));
        } else {
            text.push_str(&format!("{name}={value}\n"));
        }
    }
    append(path, text.as_bytes())
}

/// Appends markdown to the job summary, cut to what fits in its 1 MiB.
pub fn append_summary(path: &Path, markdown: &str) -> Result<()> {
    let existing = std::fs::metadata(path)
        .map(|m| m.len() as usize)
        .unwrap_or(0);
    let room = SUMMARY_LIMIT.saturating_sub(existing);
    let mut text = markdown.to_string();
    if text.len() > room {
        let mut cut = room.saturating_sub(200);
        while cut > 0 && !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push_str("\n\n_The summary was cut at GitHub's 1 MiB limit; the full report is in the artifact._\n");
    }
    append(path, text.as_bytes())
}

fn append(path: &Path, bytes: &[u8]) -> Result<()> {
    let err = |source| Error::Output {
        path: PathBuf::from(path),
        source,
    };
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(err)?;
    f.write_all(bytes).map_err(err)
}

fn random_hex() -> String {
    let mut buf = [0u8; 16];
    if getrandom::fill(&mut buf).is_err() {
        // No entropy source: the time still makes a collision with the value unlikely,
        // and the loop above checks it anyway.
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        buf.copy_from_slice(&t.to_le_bytes());
    }
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_the_runner() {
        assert_eq!(escape_data("50% done\r\nnext"), "50%25 done%0D%0Anext");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
        assert_eq!(
            annotation(Level::Error, "bench-bot: critical", "x,y\nz"),
            "::error title=bench-bot%3A critical::x,y%0Az"
        );
    }

    #[test]
    fn multiline_outputs_use_a_random_delimiter() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("out");
        write_outputs(
            &path,
            &[("verdict", "pass".into()), ("text", "a\nb".into())],
        )
        .expect("write");
        let text = std::fs::read_to_string(&path).expect("read");
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some("verdict=pass"));
        let header = lines.next().expect("header");
        let delimiter = header
            .strip_prefix("text<<ghadelimiter_")
            .expect("delimiter");
        assert_eq!(delimiter.len(), 32);
        assert_eq!(lines.next(), Some("a"));
        assert_eq!(lines.next(), Some("b"));
        assert_eq!(lines.next(), Some(&*format!("ghadelimiter_{delimiter}")));
    }

    #[test]
    fn the_summary_is_cut_at_one_mib() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("summary");
        append_summary(&path, &"é".repeat(SUMMARY_LIMIT)).expect("write");
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(text.len() <= SUMMARY_LIMIT);
        assert!(text.ends_with("in the artifact._\n"));
    }
}
