//! The GitHub REST calls bench-bot makes, through octocrab, with its own retry policy:
//! 5xx, 429, rate-limited 403 and timeouts are retried with backoff, honouring
//! `retry-after`; everything else fails at once with GitHub's message.

use std::time::Duration;

use http::StatusCode;
use octocrab::Octocrab;
use serde::de::DeserializeOwned;

/// Attempts per request.
const ATTEMPTS: u32 = 4;

use super::shapes::GitHubMessage;
pub use super::shapes::{Comment, Issue, Pull, PullHead, User};
pub use crate::error::ApiError;

/// Timeouts and backoff of the client (the environment can shorten them for tests).
#[derive(Debug, Clone, Copy)]
pub struct ApiSettings {
    /// Connect, read and write timeout of one request.
    pub timeout: Duration,
    /// The first retry's delay; it doubles on each further retry.
    pub retry_base: Duration,
}

impl Default for ApiSettings {
    fn default() -> Self {
        ApiSettings {
            timeout: Duration::from_secs(30),
            retry_base: Duration::from_secs(1),
        }
    }
}

/// GitHub's REST API for one repository.
pub struct Api {
    client: Octocrab,
    runtime: tokio::runtime::Runtime,
    repo: String,
    base_delay: Duration,
}

impl Api {
    /// A client for `owner/name` at `api_url` (GitHub Enterprise Server: `…/api/v3`).
    pub fn new(
        api_url: &str,
        token: &str,
        repository: &str,
        settings: &ApiSettings,
    ) -> Result<Api, ApiError> {
        let fail = |message: String| ApiError {
            what: "set up the GitHub client".into(),
            status: None,
            message,
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| fail(e.to_string()))?;
        let timeout = settings.timeout;
        let client = {
            let _guard = runtime.enter();
            Octocrab::builder()
                .base_uri(api_url)
                .map_err(|e| fail(e.to_string()))?
                .personal_token(token.to_string())
                .set_connect_timeout(Some(timeout))
                .set_read_timeout(Some(timeout))
                .set_write_timeout(Some(timeout))
                .build()
                .map_err(|e| fail(e.to_string()))?
        };
        Ok(Api {
            client,
            runtime,
            repo: repository.to_string(),
            base_delay: settings.retry_base,
        })
    }

    /// One request with retries; `None` body for GET.
    fn call<T: DeserializeOwned>(
        &self,
        what: &str,
        method: http::Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<T, ApiError> {
        let fail = |status: Option<u16>, message: String| ApiError {
            what: what.to_string(),
            status,
            message,
        };
        let mut attempt = 0;
        loop {
            attempt += 1;
            let outcome = self.runtime.block_on(async {
                let response = match method {
                    http::Method::POST => self.client._post(path, body).await,
                    http::Method::PATCH => self.client._patch(path, body).await,
                    _ => self.client._get(path).await,
                };
                match response {
                    Ok(res) => {
                        let status = res.status();
                        let headers = res.headers().clone();
                        let text = self.client.body_to_string(res).await.unwrap_or_default();
                        Ok((status, headers, text))
                    }
                    Err(e) => Err(e.to_string()),
                }
            });
            let (status, headers, text) = match outcome {
                Ok(parts) => parts,
                // Timeouts and connection failures: worth another try.
                Err(message) if attempt < ATTEMPTS => {
                    eprintln!("bench-bot: {what}: {message}; retrying");
                    self.sleep(attempt, None);
                    continue;
                }
                Err(message) => return Err(fail(None, message)),
            };
            if status.is_success() {
                let body = if text.trim().is_empty() {
                    "null"
                } else {
                    &text
                };
                return serde_json::from_str(body)
                    .map_err(|e| fail(Some(status.as_u16()), format!("unexpected response: {e}")));
            }
            let message = serde_json::from_str::<GitHubMessage>(&text)
                .map(|m| m.message)
                .unwrap_or_else(|_| text.chars().take(200).collect());
            let retry_after = headers
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            let rate_limited = status == StatusCode::FORBIDDEN
                && (headers
                    .get("x-ratelimit-remaining")
                    .is_some_and(|v| v == "0")
                    || message.to_ascii_lowercase().contains("rate limit"));
            let transient =
                status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS || rate_limited;
            if transient && attempt < ATTEMPTS {
                self.sleep(attempt, retry_after);
                continue;
            }
            return Err(fail(Some(status.as_u16()), message));
        }
    }

    fn sleep(&self, attempt: u32, retry_after: Option<Duration>) {
        let wait = retry_after
            .map(|d| d.min(Duration::from_secs(120)))
            .unwrap_or(self.base_delay * 2u32.pow(attempt - 1));
        std::thread::sleep(wait);
    }

    /// Every comment at `path` (an issue's or a commit's), 100 a page.
    fn list_comments(&self, what: &str, path: &str) -> Result<Vec<Comment>, ApiError> {
        let mut all = Vec::new();
        for page in 1..=100 {
            let page_path = format!("{path}?per_page=100&page={page}");
            let batch: Vec<Comment> = self.call(what, http::Method::GET, &page_path, None)?;
            let done = batch.len() < 100;
            all.extend(batch);
            if done {
                break;
            }
        }
        Ok(all)
    }

    /// Creates (POST) or updates (PATCH) a comment at `path` with `body`.
    fn write_comment(
        &self,
        what: &str,
        method: http::Method,
        path: &str,
        body: &str,
    ) -> Result<Comment, ApiError> {
        self.call(
            what,
            method,
            path,
            Some(&serde_json::json!({ "body": body })),
        )
    }

    /// Every comment on an issue or pull request.
    pub fn list_issue_comments(&self, number: u64) -> Result<Vec<Comment>, ApiError> {
        let path = format!("/repos/{}/issues/{number}/comments", self.repo);
        self.list_comments("list the pull request's comments", &path)
    }

    /// Every comment on a commit.
    pub fn list_commit_comments(&self, sha: &str) -> Result<Vec<Comment>, ApiError> {
        let path = format!("/repos/{}/commits/{sha}/comments", self.repo);
        self.list_comments("list the commit's comments", &path)
    }

    /// Creates a comment on an issue or pull request.
    pub fn create_issue_comment(&self, number: u64, body: &str) -> Result<Comment, ApiError> {
        let path = format!("/repos/{}/issues/{number}/comments", self.repo);
        self.write_comment("create the comment", http::Method::POST, &path, body)
    }

    /// Updates an issue or pull-request comment.
    pub fn update_issue_comment(&self, id: u64, body: &str) -> Result<Comment, ApiError> {
        let path = format!("/repos/{}/issues/comments/{id}", self.repo);
        self.write_comment("update the comment", http::Method::PATCH, &path, body)
    }

    /// Creates a comment on a commit.
    pub fn create_commit_comment(&self, sha: &str, body: &str) -> Result<Comment, ApiError> {
        let path = format!("/repos/{}/commits/{sha}/comments", self.repo);
        self.write_comment("comment on the commit", http::Method::POST, &path, body)
    }

    /// Updates a commit comment.
    pub fn update_commit_comment(&self, id: u64, body: &str) -> Result<Comment, ApiError> {
        let path = format!("/repos/{}/comments/{id}", self.repo);
        self.write_comment(
            "update the commit comment",
            http::Method::PATCH,
            &path,
            body,
        )
    }

    /// Adds a label to an issue or pull request.
    pub fn add_label(&self, number: u64, label: &str) -> Result<(), ApiError> {
        let path = format!("/repos/{}/issues/{number}/labels", self.repo);
        let _: serde_json::Value = self.call(
            "add the label",
            http::Method::POST,
            &path,
            Some(&serde_json::json!({ "labels": [label] })),
        )?;
        Ok(())
    }

    /// Creates a completed check run.
    pub fn create_check_run(
        &self,
        name: &str,
        head_sha: &str,
        conclusion: &str,
        title: &str,
        summary: &str,
    ) -> Result<(), ApiError> {
        let path = format!("/repos/{}/check-runs", self.repo);
        let body = serde_json::json!({
            "name": name,
            "head_sha": head_sha,
            "status": "completed",
            "conclusion": conclusion,
            "output": { "title": title, "summary": summary },
        });
        let _: serde_json::Value = self.call(
            "create the check run",
            http::Method::POST,
            &path,
            Some(&body),
        )?;
        Ok(())
    }

    /// Open issues opened by `creator` (pull requests left out), 100 a page.
    pub fn list_open_issues(&self, creator: &str) -> Result<Vec<Issue>, ApiError> {
        let creator: String = creator
            .bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                other => format!("%{other:02X}"),
            })
            .collect();
        let mut all = Vec::new();
        for page in 1..=20 {
            let path = format!(
                "/repos/{}/issues?state=open&creator={creator}&per_page=100&page={page}",
                self.repo
            );
            let batch: Vec<Issue> =
                self.call("list the open issues", http::Method::GET, &path, None)?;
            let done = batch.len() < 100;
            all.extend(batch.into_iter().filter(|i| i.pull_request.is_none()));
            if done {
                break;
            }
        }
        Ok(all)
    }

    /// Opens an issue.
    pub fn create_issue(&self, title: &str, body: &str) -> Result<Issue, ApiError> {
        let path = format!("/repos/{}/issues", self.repo);
        self.call(
            "open the alert issue",
            http::Method::POST,
            &path,
            Some(&serde_json::json!({ "title": title, "body": body })),
        )
    }

    /// Updates an issue's body, and closes it (as completed) when `close`.
    pub fn update_issue(&self, number: u64, body: &str, close: bool) -> Result<Issue, ApiError> {
        let path = format!("/repos/{}/issues/{number}", self.repo);
        let mut patch = serde_json::json!({ "body": body });
        if close {
            patch["state"] = "closed".into();
            patch["state_reason"] = "completed".into();
        }
        self.call(
            "update the alert issue",
            http::Method::PATCH,
            &path,
            Some(&patch),
        )
    }

    /// One pull request.
    pub fn get_pull(&self, number: u64) -> Result<Pull, ApiError> {
        let path = format!("/repos/{}/pulls/{number}", self.repo);
        self.call("read the pull request", http::Method::GET, &path, None)
    }

    /// Open pull requests whose head is `owner:branch`.
    pub fn find_pulls(&self, owner: &str, branch: &str) -> Result<Vec<Pull>, ApiError> {
        let head: String = format!("{owner}:{branch}")
            .bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                other => format!("%{other:02X}"),
            })
            .collect();
        let path = format!(
            "/repos/{}/pulls?state=open&head={head}&per_page=100",
            self.repo
        );
        self.call("find the pull request", http::Method::GET, &path, None)
    }
}
