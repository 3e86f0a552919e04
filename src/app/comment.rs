//! `bench-bot comment`: posts (or updates) a saved report as the suite's comment on a
//! pull request.

use super::{Environment, Outcome};
use crate::cli::CommentArgs;
use crate::error::{Error, Result};
use crate::github::api::Api;
use crate::github::inputs::CommentPolicy;
use crate::github::publish::{Publisher, explain, marker};
use crate::report::{GITHUB_COMMENT_LIMIT, RenderContext, Renderer, TemplateKind, load_saved};

/// `bench-bot comment`.
pub fn command(args: &CommentArgs, env: &Environment) -> Result<Outcome> {
    let report = load_saved(&args.report)?;
    let token = env
        .github
        .token
        .clone()
        .ok_or_else(|| Error::Usage("set GITHUB_TOKEN to post the comment".into()))?;
    let repository = args
        .repository
        .clone()
        .or_else(|| env.github.repository.clone())
        .ok_or_else(|| {
            Error::Usage("pass --repository OWNER/NAME (or set GITHUB_REPOSITORY)".into())
        })?;
    let api_url = args
        .api_url
        .clone()
        .unwrap_or_else(|| env.github.api_url.clone());
    let api = Api::new(&api_url, &token, &repository, &env.api)?;
    let ctx = RenderContext {
        suite: args.name.clone(),
        marker: true,
        repository: Some(repository),
        pr_number: Some(args.pr),
        full_report: format!("{} has every result", args.report.display()),
        ..RenderContext::default()
    };
    let renderer = match &args.template {
        Some(t) => Renderer::with_template(t)?,
        None => Renderer::new(),
    };
    let body = renderer.render(
        TemplateKind::Comment,
        &report,
        &ctx,
        Some(GITHUB_COMMENT_LIMIT),
    )?;
    let publisher = Publisher {
        api: &api,
        author: &args.author,
    };
    let url = publisher
        .upsert_pr_comment(
            args.pr,
            &marker(args.name.as_deref()),
            &body,
            CommentPolicy::Always,
            &report,
        )
        .map_err(|e| {
            if e.is_read_only() {
                super::warn(&explain(&e, &args.report));
            }
            Error::Github(e)
        })?;
    eprintln!(
        "bench-bot: comment {}",
        url.unwrap_or_else(|| "posted".into())
    );
    Ok(Outcome::Pass)
}
