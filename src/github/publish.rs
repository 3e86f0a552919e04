//! Publishing a report to GitHub: one comment per suite found by marker and author,
//! the review label, and a check run. Each call returns the API's error; the action
//! turns it into a warning (these are side channels, and the verdict stands without
//! them), `bench-bot comment` into its exit code.

use std::path::Path;

use super::api::{Api, ApiError, Comment};
use super::inputs::CommentPolicy;
use crate::error::Result;
use crate::report::{
    GITHUB_COMMENT_LIMIT, RenderContext, Renderer, Report, TemplateKind, Verdict, cut_chars,
};

/// Writes to one repository's pull requests and commits.
pub struct Publisher<'a> {
    /// The API.
    pub api: &'a Api,
    /// Only comments by this account are updated (a pasted marker cannot hijack it).
    pub author: &'a str,
}

/// The hidden first line that finds a suite's comment again.
pub fn marker(suite: Option<&str>) -> String {
    format!("<!-- bench-bot:{} -->", suite.unwrap_or("default"))
}

/// What to tell people about a failed call; a read-only token gets the fork recipe.
pub fn explain(e: &ApiError, report_path: &Path) -> String {
    if e.is_read_only() {
        format!(
            "{e}. The token is read-only (a pull request from a fork, or no `pull-requests: write` \
             permission): the report is saved at {}. Upload it as an artifact and post it from a \
             `workflow_run` workflow with `mode: comment` (see examples/workflows/fork-pr-*.yml).",
            report_path.display()
        )
    } else {
        e.to_string()
    }
}

/// The comment markdown from a built-in template, cut to GitHub's limit.
pub fn comment_body(kind: TemplateKind, report: &Report, ctx: &RenderContext) -> Result<String> {
    Renderer::new().render(kind, report, ctx, Some(GITHUB_COMMENT_LIMIT))
}

/// Keeps the marker and cuts by characters, so GitHub never rejects the body (422).
fn fit(marker: &str, body: &str) -> String {
    let body = if body.starts_with(marker) {
        body.to_string()
    } else {
        format!("{marker}\n{body}")
    };
    cut_chars(&body, GITHUB_COMMENT_LIMIT)
}

impl Publisher<'_> {
    fn ours<'c>(&self, comments: &'c [Comment], marker: &str) -> Option<&'c Comment> {
        comments.iter().find(|c| {
            c.user.as_ref().is_some_and(|u| u.login == self.author)
                && c.body.as_deref().is_some_and(|b| b.starts_with(marker))
        })
    }

    /// Creates or updates the suite's one comment on a pull request; returns its URL.
    pub fn upsert_pr_comment(
        &self,
        number: u64,
        marker: &str,
        body: &str,
        policy: CommentPolicy,
        report: &Report,
    ) -> Result<Option<String>, ApiError> {
        self.upsert(
            marker,
            body,
            policy,
            report,
            || self.api.list_issue_comments(number),
            |id, text| self.api.update_issue_comment(id, text),
            |text| self.api.create_issue_comment(number, text),
        )
    }

    /// Creates or updates the suite's comment on a commit; returns its URL.
    pub fn upsert_commit_comment(
        &self,
        sha: &str,
        marker: &str,
        body: &str,
        policy: CommentPolicy,
        report: &Report,
    ) -> Result<Option<String>, ApiError> {
        self.upsert(
            marker,
            body,
            policy,
            report,
            || self.api.list_commit_comments(sha),
            |id, text| self.api.update_commit_comment(id, text),
            |text| self.api.create_commit_comment(sha, text),
        )
    }

    /// Finds the comment by marker and author and updates it, or creates one. With
    /// `on-regression`, a first comment waits for a regression; an existing one is still
    /// updated, so that it never shows a stale verdict.
    #[expect(
        clippy::too_many_arguments,
        reason = "the three API calls differ by target"
    )]
    fn upsert(
        &self,
        marker: &str,
        body: &str,
        policy: CommentPolicy,
        report: &Report,
        list: impl Fn() -> Result<Vec<Comment>, ApiError>,
        update: impl Fn(u64, &str) -> Result<Comment, ApiError>,
        create: impl Fn(&str) -> Result<Comment, ApiError>,
    ) -> Result<Option<String>, ApiError> {
        if policy == CommentPolicy::Never {
            return Ok(None);
        }
        let body = fit(marker, body);
        let existing = self.ours(&list()?, marker).cloned();
        let comment = match existing {
            Some(c) => update(c.id, &body)?,
            None if policy == CommentPolicy::OnRegression
                && matches!(report.verdict, Verdict::Pass | Verdict::Unknown) =>
            {
                return Ok(None);
            }
            None => create(&body)?,
        };
        Ok(comment.html_url)
    }

    /// Adds the review label. GitHub creates a missing label on the way, which needs
    /// `issues: write`; a refusal says so.
    pub fn label(&self, number: u64, label: &str) -> Result<(), ApiError> {
        self.api.add_label(number, label).map_err(|mut e| {
            if e.status == Some(403) && !e.is_read_only() {
                e.message = format!(
                    "{}. A label that does not exist yet is created on the way, which needs \
                     `issues: write`: create `{label}` once in the repository (Issues → \
                     Labels), or grant `issues: write`",
                    e.message.trim_end_matches('.')
                );
            }
            e
        })
    }

    /// A completed check run: `failure` when blocked, `neutral` on review, else `success`.
    pub fn check_run(
        &self,
        name: &str,
        head_sha: &str,
        report: &Report,
        review: bool,
        body: &str,
    ) -> Result<(), ApiError> {
        let conclusion = if report.blocked {
            "failure"
        } else if review {
            "neutral"
        } else {
            "success"
        };
        let title = format!(
            "{} regression(s), verdict {:?}",
            report.summary.critical + report.summary.warning + report.summary.notice,
            report.verdict
        )
        .to_lowercase();
        self.api
            .create_check_run(name, head_sha, conclusion, &title, &cut_chars(body, 65_535))
    }
}
