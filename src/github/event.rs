//! The workflow's event: webhook JSON from `$GITHUB_EVENT_PATH`, not API models, so only
//! the fields bench-bot needs are read.

use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, Result};

/// The event, reduced to what bench-bot acts on.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// `pull_request` / `pull_request_target`.
    PullRequest {
        /// PR number.
        number: u64,
        /// `pull_request.head.sha` (`GITHUB_SHA` is the test merge commit).
        head_sha: String,
        /// `pull_request.base.ref`.
        base_ref: String,
        /// Whether the head lives in a fork (a read-only token).
        from_fork: bool,
    },
    /// `push`.
    Push {
        /// The pushed branch (`refs/heads/` stripped), if a branch.
        branch: Option<String>,
        /// The pushed commit.
        sha: String,
        /// The repository's default branch.
        default_branch: Option<String>,
    },
    /// `workflow_dispatch`.
    Dispatch,
    /// `workflow_run` (the fork-safe second half).
    WorkflowRun {
        /// The triggering run's head commit.
        head_sha: String,
        /// Its head branch.
        head_branch: Option<String>,
        /// The owner of the head repository (a fork's owner for fork PRs).
        head_owner: Option<String>,
        /// PR numbers GitHub listed (empty for forks).
        pull_requests: Vec<u64>,
    },
    /// Anything else.
    Other(String),
}

#[derive(Debug, Deserialize)]
struct PrPayload {
    pull_request: PrObject,
}

#[derive(Debug, Deserialize)]
struct PrObject {
    number: u64,
    head: PrRef,
    base: PrRef,
}

#[derive(Debug, Deserialize)]
struct PrRef {
    sha: String,
    #[serde(rename = "ref")]
    git_ref: String,
    #[serde(default)]
    repo: Option<RepoObject>,
}

#[derive(Debug, Deserialize)]
struct RepoObject {
    #[serde(default)]
    full_name: Option<String>,
    #[serde(default)]
    default_branch: Option<String>,
    #[serde(default)]
    owner: Option<Owner>,
}

#[derive(Debug, Deserialize)]
struct Owner {
    login: String,
}

#[derive(Debug, Deserialize)]
struct PushPayload {
    #[serde(rename = "ref")]
    git_ref: String,
    after: String,
    #[serde(default)]
    repository: Option<RepoObject>,
}

#[derive(Debug, Deserialize)]
struct RunPayload {
    workflow_run: RunObject,
}

#[derive(Debug, Deserialize)]
struct RunObject {
    head_sha: String,
    #[serde(default)]
    head_branch: Option<String>,
    #[serde(default)]
    head_repository: Option<RepoObject>,
    #[serde(default)]
    pull_requests: Vec<RunPr>,
}

#[derive(Debug, Deserialize)]
struct RunPr {
    number: u64,
}

impl Event {
    /// Reads the event named `name` from the payload file.
    pub fn load(name: &str, path: Option<&Path>) -> Result<Event> {
        let needs_payload = matches!(
            name,
            "pull_request" | "pull_request_target" | "push" | "workflow_run"
        );
        if !needs_payload {
            return Ok(match name {
                "workflow_dispatch" => Event::Dispatch,
                other => Event::Other(other.to_string()),
            });
        }
        let Some(path) = path else {
            return Err(Error::Usage(format!(
                "GITHUB_EVENT_PATH is not set for a `{name}` event"
            )));
        };
        let bytes = std::fs::read(path)
            .map_err(|e| Error::input(path, Some("event"), crate::fs::io_reason(&e)))?;
        let bad = |e: serde_json::Error| {
            Error::input(path, Some("event"), format!("not a `{name}` payload: {e}"))
        };
        Ok(match name {
            "pull_request" | "pull_request_target" => {
                let p: PrPayload = serde_json::from_slice(&bytes).map_err(bad)?;
                let full = |r: &PrRef| r.repo.as_ref().and_then(|x| x.full_name.clone());
                Event::PullRequest {
                    number: p.pull_request.number,
                    from_fork: full(&p.pull_request.head) != full(&p.pull_request.base),
                    head_sha: p.pull_request.head.sha,
                    base_ref: p.pull_request.base.git_ref,
                }
            }
            "push" => {
                let p: PushPayload = serde_json::from_slice(&bytes).map_err(bad)?;
                Event::Push {
                    branch: p.git_ref.strip_prefix("refs/heads/").map(str::to_string),
                    sha: p.after,
                    default_branch: p.repository.and_then(|r| r.default_branch),
                }
            }
            _ => {
                let p: RunPayload = serde_json::from_slice(&bytes).map_err(bad)?;
                let r = p.workflow_run;
                Event::WorkflowRun {
                    head_sha: r.head_sha,
                    head_branch: r.head_branch,
                    head_owner: r.head_repository.and_then(|h| h.owner).map(|o| o.login),
                    pull_requests: r.pull_requests.into_iter().map(|p| p.number).collect(),
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/github")
            .join(name)
    }

    #[test]
    fn reads_githubs_documented_payloads() {
        let e = Event::load("pull_request", Some(&fixture("pull_request.json"))).expect("pr");
        assert!(
            matches!(e, Event::PullRequest { number: 2, ref base_ref, from_fork: false, .. } if base_ref == "main")
        );
        let e = Event::load("push", Some(&fixture("push.json"))).expect("push");
        assert!(
            matches!(e, Event::Push { branch: Some(ref b), default_branch: Some(ref d), .. } if b == "main" && d == "main")
        );
        let e = Event::load("workflow_run", Some(&fixture("workflow_run.json"))).expect("run");
        assert!(
            matches!(e, Event::WorkflowRun { ref pull_requests, .. } if pull_requests.is_empty())
        );
        assert_eq!(
            Event::load("workflow_dispatch", None).expect("dispatch"),
            Event::Dispatch
        );
    }

    #[test]
    fn a_bad_payload_names_the_file() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = dir.path().join("event.json");
        std::fs::write(&p, "{}").expect("write");
        let e = Event::load("pull_request", Some(&p))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("event.json") && e.contains("pull_request"),
            "{e}"
        );
    }
}
