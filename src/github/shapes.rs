//! The parts of GitHub's REST responses that bench-bot reads (comments, issues, pull
//! requests, error messages); fields it does not use are left out, and absent optional
//! ones read as `None`.

use serde::Deserialize;

/// A comment on an issue, pull request or commit.
#[derive(Debug, Clone, Deserialize)]
pub struct Comment {
    /// Its id.
    pub id: u64,
    /// Markdown body.
    #[serde(default)]
    pub body: Option<String>,
    /// Who wrote it (only bench-bot's own comment is updated).
    #[serde(default)]
    pub user: Option<User>,
    /// Link for people.
    #[serde(default)]
    pub html_url: Option<String>,
}

/// A GitHub account.
#[derive(Debug, Clone, Deserialize)]
pub struct User {
    /// Login (`github-actions[bot]` for the workflow token).
    pub login: String,
}

/// The parts of a pull request bench-bot checks.
#[derive(Debug, Clone, Deserialize)]
pub struct Pull {
    /// The pull request's number.
    pub number: u64,
    /// Its head, to confirm a saved report belongs to it.
    pub head: PullHead,
}

/// A pull request's head.
#[derive(Debug, Clone, Deserialize)]
pub struct PullHead {
    /// Head commit.
    pub sha: String,
}

/// An issue (the alert of a change-point episode).
#[derive(Debug, Clone, Deserialize)]
pub struct Issue {
    /// Its number.
    pub number: u64,
    /// Markdown body.
    #[serde(default)]
    pub body: Option<String>,
    /// Who opened it.
    #[serde(default)]
    pub user: Option<User>,
    /// Link for people.
    #[serde(default)]
    pub html_url: Option<String>,
    /// Present when the "issue" is a pull request (GitHub lists both).
    #[serde(default)]
    pub pull_request: Option<serde_json::Value>,
}

/// The `message` of an error response.
#[derive(Debug, Deserialize)]
pub(super) struct GitHubMessage {
    pub message: String,
}
