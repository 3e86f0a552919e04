//! The action's inputs. The runner passes them as `INPUT_<NAME>` with the name upper-cased,
//! spaces turned into `_` and hyphens kept (`INPUT_FAIL-ON`), and does not enforce
//! `required: true`, so bench-bot checks every input itself.

use crate::config::FailOn;
use crate::error::{Error, Result};

/// When to comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommentPolicy {
    /// Always keep the comment up to date.
    Always,
    /// Only when a tier fired (an existing comment is still updated).
    OnRegression,
    /// Never comment.
    Never,
}

/// When to record the run in the history branch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordPolicy {
    /// On pushes to the default branch.
    Auto,
    /// On every event (`record: true`).
    Yes,
    /// Never (`record: false`).
    No,
}

/// Where a new regression change point found after recording is announced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertPolicy {
    /// One issue per episode, updated by later runs and closed when it recovers.
    Issue,
    /// One comment on the first commit after the change point.
    CommitComment,
    /// Only the job summary.
    None,
}

/// What the step does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// By event: analyze (and record on pushes), or comment on `workflow_run`.
    Auto,
    /// Analyze only.
    Analyze,
    /// Record only.
    Record,
    /// Post a saved report (the fork-safe second half).
    Comment,
    /// Publish a saved report on this event with its merge gate (`bench-bot ab` on the
    /// runner, then this).
    Publish,
}

/// The parsed inputs.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// Result files, directories or globs.
    pub results: Vec<String>,
    /// Baseline files (instead of the history branch).
    pub baseline: Vec<String>,
    /// The history branch.
    pub history_branch: String,
    /// Config file.
    pub config: Option<String>,
    /// Token for the API and for pushing the history branch.
    pub token: Option<String>,
    /// Exit-code gate.
    pub fail_on: Option<FailOn>,
    /// Comment policy; `None` = the event's default.
    pub comment: Option<CommentPolicy>,
    /// Whether to create a check run.
    pub check_run: bool,
    /// Record policy.
    pub record: RecordPolicy,
    /// A template for the comment.
    pub template: Option<String>,
    /// Suite name.
    pub name: Option<String>,
    /// What the step does (`mode`).
    pub mode: Mode,
    /// Saved report for `mode: comment`.
    pub report: Option<String>,
    /// Label added on the review tier.
    pub label: String,
    /// The account whose comments bench-bot updates.
    pub comment_author: String,
    /// Regenerate the dashboard in the history branch when recording.
    pub dashboard: bool,
    /// Where new regression change points go after recording.
    pub alert: AlertPolicy,
}

/// Reads an input from an environment lookup.
fn get(env: &dyn Fn(&str) -> Option<String>, name: &str) -> Option<String> {
    let key = format!("INPUT_{}", name.replace(' ', "_").to_uppercase());
    env(&key)
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

fn list(value: Option<String>) -> Vec<String> {
    value
        .map(|v| {
            v.split(['\n', ','])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn invalid(name: &str, value: &str, allowed: &str) -> Error {
    Error::Usage(format!("input `{name}` is `{value}`; expected {allowed}"))
}

fn boolean(name: &str, value: Option<String>) -> Result<bool> {
    match value.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(other) => Err(invalid(name, other, "`true` or `false`")),
    }
}

impl Inputs {
    /// Parses and checks the inputs.
    pub fn from_env(env: &dyn Fn(&str) -> Option<String>) -> Result<Inputs> {
        let fail_on = match get(env, "fail-on").as_deref() {
            None => None,
            Some("critical") => Some(FailOn::Critical),
            Some("warning") => Some(FailOn::Warning),
            Some("notice") => Some(FailOn::Notice),
            Some("never") => Some(FailOn::Never),
            Some(other) => {
                return Err(invalid(
                    "fail-on",
                    other,
                    "critical, warning, notice or never",
                ));
            }
        };
        let comment = match get(env, "comment").as_deref() {
            None => None,
            Some("always") => Some(CommentPolicy::Always),
            Some("on-regression") => Some(CommentPolicy::OnRegression),
            Some("never") => Some(CommentPolicy::Never),
            Some(other) => return Err(invalid("comment", other, "always, on-regression or never")),
        };
        let record = match get(env, "record").as_deref() {
            None | Some("auto") => RecordPolicy::Auto,
            Some("true") => RecordPolicy::Yes,
            Some("false") => RecordPolicy::No,
            Some(other) => return Err(invalid("record", other, "auto, true or false")),
        };
        let mode = match get(env, "mode").as_deref() {
            None | Some("auto") => Mode::Auto,
            Some("analyze") => Mode::Analyze,
            Some("record") => Mode::Record,
            Some("comment") => Mode::Comment,
            Some("publish") => Mode::Publish,
            Some(other) => {
                return Err(invalid(
                    "mode",
                    other,
                    "auto, analyze, record, comment or publish",
                ));
            }
        };
        let alert = match get(env, "alert").as_deref() {
            None | Some("issue") => AlertPolicy::Issue,
            Some("commit-comment") => AlertPolicy::CommitComment,
            Some("none") => AlertPolicy::None,
            Some(other) => return Err(invalid("alert", other, "issue, commit-comment or none")),
        };
        let inputs = Inputs {
            results: list(get(env, "results")),
            baseline: list(get(env, "baseline")),
            history_branch: get(env, "history-branch")
                .unwrap_or_else(|| crate::history::DEFAULT_BRANCH.into()),
            config: get(env, "config"),
            token: get(env, "github-token"),
            fail_on,
            comment,
            check_run: boolean("check-run", get(env, "check-run"))?,
            record,
            template: get(env, "template"),
            name: get(env, "name"),
            mode,
            report: get(env, "report"),
            label: get(env, "label").unwrap_or_else(|| "performance-regression".into()),
            comment_author: get(env, "comment-author")
                .unwrap_or_else(|| "github-actions[bot]".into()),
            dashboard: boolean("dashboard", get(env, "dashboard"))?,
            alert,
        };
        Ok(inputs)
    }

    /// The `results` input is required unless the step only posts a saved report.
    pub fn require_results(&self) -> Result<()> {
        if self.results.is_empty() {
            return Err(Error::Usage(
                "input `results` is required: the result files to analyze (e.g. `results: output.json`)".into(),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: std::collections::HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn hyphens_stay_in_input_names() {
        let e = env(&[
            ("INPUT_RESULTS", "a.json\nb.json, c.json"),
            ("INPUT_FAIL-ON", "warning"),
            ("INPUT_CHECK-RUN", "true"),
            ("INPUT_HISTORY-BRANCH", "perf-data"),
        ]);
        let i = Inputs::from_env(&e).expect("valid");
        assert_eq!(i.results, ["a.json", "b.json", "c.json"]);
        assert_eq!(i.fail_on, Some(FailOn::Warning));
        assert!(i.check_run);
        assert_eq!(i.history_branch, "perf-data");
    }

    #[test]
    fn invalid_and_missing_inputs_are_named() {
        let e = Inputs::from_env(&env(&[("INPUT_COMMENT", "sometimes")]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("input `comment` is `sometimes`"), "{e}");
        let i = Inputs::from_env(&env(&[])).expect("valid");
        assert!(
            i.require_results()
                .unwrap_err()
                .to_string()
                .contains("input `results` is required")
        );
    }
}
