//! `bench-bot action`: the container entrypoint. Reads the event and the inputs from the
//! settled environment, analyzes, and tells people through every channel. The verdict
//! and exit code come from the analysis alone: a GitHub API or history failure only
//! degrades the side channels, with a warning.
//!
//! `analyze.rs` analyzes and records, `fork.rs` posts a saved report (the fork-safe
//! second half), `sinks.rs` writes the summary, outputs and annotations, and
//! `workspace.rs` resolves paths in the workspace.

mod alert;
mod analyze;
mod fork;
mod ownership;
mod sinks;
mod workspace;

pub use workspace::expand;

use std::path::{Path, PathBuf};

use super::{Environment, Outcome};
use crate::config::{Action, Config, TierName};
use crate::error::Result;
use crate::github::api::{Api, ApiError};
use crate::github::commands::{self, Level};
use crate::github::event::Event;
use crate::github::inputs::{Inputs, Mode};
use crate::github::publish::{comment_body, explain, marker};
use crate::history::HistoryRepo;
use crate::report::{
    GITHUB_COMMENT_LIMIT, RenderContext, Renderer, Report, TemplateKind, TierLabel,
};

/// Runs the action.
pub fn run(env: &Environment) -> Result<Outcome> {
    let inputs = Inputs::from_env(&|name| env.var(name))?;
    if let Some(token) = &inputs.token {
        // The workflow token is masked already; a personal token may not be.
        println!("{}", commands::add_mask(token));
    }
    let event_name = env.github.event_name.clone().unwrap_or_default();
    let event = Event::load(&event_name, env.github.event_path.as_deref())?;
    let workspace = env
        .github
        .workspace
        .clone()
        .unwrap_or_else(|| PathBuf::from("."));
    // The runner mounts the workspace owned by another user than the container's root.
    crate::history::relax_owner_validation();
    let ctx = Context {
        env,
        inputs,
        event,
        workspace,
    };
    let outcome = match (ctx.inputs.mode, &ctx.event) {
        (Mode::Comment, _) | (Mode::Auto, Event::WorkflowRun { .. }) => ctx.comment_saved_report(),
        (Mode::Record, _) => ctx.record_only(),
        (Mode::Publish, _) => ctx.publish_saved(),
        _ => ctx.analyze(),
    };
    // Whatever happened, later steps of the job run as the workspace's owner.
    if let Err(e) = ownership::restore(&ctx.workspace) {
        ctx.warn(&format!(
            "could not give the files bench-bot wrote back to the workspace's owner: {e}"
        ));
    }
    outcome
}

/// One run of the action: the environment, the inputs, the event and the workspace.
struct Context<'a> {
    env: &'a Environment,
    inputs: Inputs,
    event: Event,
    workspace: PathBuf,
}

impl Context<'_> {
    fn path(&self, p: &str) -> PathBuf {
        workspace::resolve(&self.workspace, p)
    }

    fn config(&self) -> Result<Config> {
        let mut config = Config::discover(
            self.inputs
                .config
                .as_deref()
                .map(|c| self.path(c))
                .as_deref(),
        )?;
        if self.inputs.fail_on.is_some() {
            config.fail_on = self.inputs.fail_on;
        }
        Ok(config)
    }

    fn warn(&self, message: &str) {
        println!(
            "{}",
            commands::annotation(Level::Warning, "bench-bot", message)
        );
    }

    /// Warns about a failed API call, with the fork recipe for a read-only token.
    fn warn_api(&self, e: &ApiError, report_path: &Path) {
        self.warn(&explain(e, report_path));
    }

    fn token(&self) -> Option<String> {
        self.inputs
            .token
            .clone()
            .or_else(|| self.env.github.token.clone())
    }

    fn api(&self) -> Option<Api> {
        let token = self.token()?;
        let repository = self.env.github.repository.as_deref()?;
        match Api::new(&self.env.github.api_url, &token, repository, &self.env.api) {
            Ok(api) => Some(api),
            Err(e) => {
                self.warn(&e.to_string());
                None
            }
        }
    }

    fn render_context(&self, marker: bool, report_path: &Path) -> RenderContext {
        let gh = &self.env.github;
        let server = gh.server_url.clone();
        let run_url = match (&gh.repository, &gh.run_id) {
            (Some(r), Some(id)) => Some(format!("{server}/{r}/actions/runs/{id}")),
            _ => None,
        };
        let (pr_number, sha) = match &self.event {
            Event::PullRequest {
                number, head_sha, ..
            } => (Some(*number), Some(head_sha.clone())),
            Event::Push { sha, .. } => (None, Some(sha.clone())),
            Event::WorkflowRun { head_sha, .. } => (None, Some(head_sha.clone())),
            _ => (None, gh.sha.clone()),
        };
        RenderContext {
            suite: self.inputs.name.clone(),
            marker,
            repository: gh.repository.clone(),
            pr_number,
            sha,
            run_url,
            server_url: Some(server),
            full_report: format!(
                "the job summary and {} have every result",
                workspace::relative(&self.workspace, report_path).display()
            ),
        }
    }

    /// Renders the comment with the user's template, or the built-in one with a warning.
    fn comment_markdown(
        &self,
        kind: TemplateKind,
        report: &Report,
        ctx: &RenderContext,
    ) -> Result<String> {
        if let Some(t) = &self.inputs.template {
            match Renderer::with_template(&self.path(t))
                .and_then(|r| r.render(kind, report, ctx, Some(GITHUB_COMMENT_LIMIT)))
            {
                Ok(text) => return Ok(text),
                Err(e) => self.warn(&format!("{e}; using the built-in template")),
            }
        }
        comment_body(kind, report, ctx)
    }

    fn history(&self) -> Option<HistoryRepo> {
        match HistoryRepo::open(&self.workspace, &self.inputs.history_branch, "origin") {
            Ok(repo) => Some(repo.with_token(self.token())),
            Err(e) => {
                self.warn(&format!("{e}; no history"));
                None
            }
        }
    }

    fn base_branch(&self) -> String {
        match &self.event {
            Event::PullRequest { base_ref, .. } => base_ref.clone(),
            Event::Push {
                branch: Some(b), ..
            } => b.clone(),
            _ => self
                .env
                .github
                .ref_name
                .clone()
                .unwrap_or_else(|| "main".into()),
        }
    }

    fn marker(&self) -> String {
        marker(self.inputs.name.as_deref())
    }

    fn check_name(&self) -> String {
        match &self.inputs.name {
            Some(n) => format!("bench-bot ({n})"),
            None => "bench-bot".into(),
        }
    }
}

fn tier_action(config: &Config, tier: TierLabel) -> Option<Action> {
    let name = match tier {
        TierLabel::Critical => TierName::Critical,
        TierLabel::Warning => TierName::Warning,
        TierLabel::Notice => TierName::Notice,
        TierLabel::None => return None,
    };
    Some(config.tiers.get(name).action)
}
