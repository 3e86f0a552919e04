//! The fork-safe second half: a `workflow_run` job posts a report saved by the pull
//! request's own (read-only) job, after confirming through the API that the pull
//! request's head is the run's commit.

use super::Context;
use crate::app::Outcome;
use crate::error::{Error, Result};
use crate::github::event::Event;
use crate::github::inputs::CommentPolicy;
use crate::github::publish::Publisher;
use crate::report::{TemplateKind, load_saved};

impl Context<'_> {
    pub(super) fn comment_saved_report(&self) -> Result<Outcome> {
        let path = self.path(
            self.inputs
                .report
                .as_deref()
                .unwrap_or("bench-bot-report/report.json"),
        );
        let report = load_saved(&path)?;
        self.write_summary(&report, &path);
        let Event::WorkflowRun {
            head_sha,
            head_branch,
            head_owner,
            pull_requests,
        } = &self.event
        else {
            return Err(Error::Usage(
                "`mode: comment` runs on `workflow_run` events".into(),
            ));
        };
        let Some(api) = self.api() else {
            self.warn("no token: cannot post the saved report");
            return Ok(Outcome::Pass);
        };
        let mut candidates = pull_requests.clone();
        if candidates.is_empty() {
            if let (Some(owner), Some(branch)) = (head_owner, head_branch) {
                match api.find_pulls(owner, branch) {
                    Ok(pulls) => candidates = pulls.into_iter().map(|p| p.number).collect(),
                    Err(e) => self.warn(&e.to_string()),
                }
            }
        }
        // The artifact is untrusted: only a PR whose head is this run's commit gets it.
        let confirmed = candidates.into_iter().find(|n| {
            api.get_pull(*n)
                .map(|p| p.head.sha == *head_sha)
                .unwrap_or(false)
        });
        let Some(number) = confirmed else {
            self.warn(&format!(
                "no open pull request has head {head_sha}: the report was not posted"
            ));
            return Ok(Outcome::Pass);
        };
        let mut ctx = self.render_context(true, &path);
        ctx.pr_number = Some(number);
        let body = self.comment_markdown(TemplateKind::Comment, &report, &ctx)?;
        let publisher = Publisher {
            api: &api,
            author: &self.inputs.comment_author,
        };
        let policy = self.inputs.comment.unwrap_or(CommentPolicy::Always);
        let url = publisher
            .upsert_pr_comment(number, &self.marker(), &body, policy, &report)
            .unwrap_or_else(|e| {
                self.warn_api(&e, &path);
                None
            });
        self.outputs(&report, &path, url)?;
        Ok(Outcome::Pass)
    }
}
