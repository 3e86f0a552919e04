//! `bench-bot action`: the container entrypoint. Reads the event, the inputs and the
//! `GITHUB_*` variables, analyzes, and tells people through every channel. The verdict
//! and exit code come from the analysis alone: a GitHub API or history failure only
//! degrades the side channels, with a warning.

use std::path::{Path, PathBuf};

use super::api::Api;
use super::commands::{self, Level};
use super::event::Event;
use super::inputs::{CommentPolicy, Inputs, Mode, RecordPolicy};
use super::publish::{Publisher, comment_body};
use crate::analysis;
use crate::config::{Action, Config};
use crate::error::{Error, Result};
use crate::history::{HistoryRepo, WindowRequest};
use crate::ingest;
use crate::model::Run;
use crate::report::{RenderContext, Renderer, Report, Status, TemplateKind, TierLabel};
use crate::run::{Outcome, write_atomic};

/// The environment, as a lookup (tests pass their own).
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Runs the action.
pub fn run(env: Env<'_>) -> Result<Outcome> {
    let inputs = Inputs::from_env(env)?;
    if let Some(token) = &inputs.token {
        // The workflow token is masked already; a personal token may not be.
        println!("{}", commands::add_mask(token));
    }
    let event_name = env("GITHUB_EVENT_NAME").unwrap_or_default();
    let event_path = env("GITHUB_EVENT_PATH").map(PathBuf::from);
    let event = Event::load(&event_name, event_path.as_deref())?;
    let workspace = env("GITHUB_WORKSPACE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."));
    let ctx = Context {
        env,
        inputs,
        event,
        workspace,
    };
    match (ctx.inputs.mode, &ctx.event) {
        (Mode::Comment, _) | (Mode::Auto, Event::WorkflowRun { .. }) => ctx.comment_saved_report(),
        (Mode::Record, _) => ctx.record_only(),
        _ => ctx.analyze(),
    }
}

struct Context<'a> {
    env: Env<'a>,
    inputs: Inputs,
    event: Event,
    workspace: PathBuf,
}

impl Context<'_> {
    fn path(&self, p: &str) -> PathBuf {
        let p = Path::new(p);
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.workspace.join(p)
        }
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

    fn api(&self) -> Option<Api> {
        let token = self
            .inputs
            .token
            .clone()
            .or_else(|| (self.env)("GITHUB_TOKEN"))?;
        let repository = (self.env)("GITHUB_REPOSITORY")?;
        let api_url =
            (self.env)("GITHUB_API_URL").unwrap_or_else(|| "https://api.github.com".into());
        match Api::new(&api_url, &token, &repository) {
            Ok(api) => Some(api),
            Err(e) => {
                self.warn(&e.to_string());
                None
            }
        }
    }

    fn render_context(&self, marker: bool, report_path: &Path) -> RenderContext {
        let server = (self.env)("GITHUB_SERVER_URL").unwrap_or_else(|| "https://github.com".into());
        let repository = (self.env)("GITHUB_REPOSITORY");
        let run_url = match (&repository, (self.env)("GITHUB_RUN_ID")) {
            (Some(r), Some(id)) => Some(format!("{server}/{r}/actions/runs/{id}")),
            _ => None,
        };
        let (pr_number, sha) = match &self.event {
            Event::PullRequest {
                number, head_sha, ..
            } => (Some(*number), Some(head_sha.clone())),
            Event::Push { sha, .. } => (None, Some(sha.clone())),
            Event::WorkflowRun { head_sha, .. } => (None, Some(head_sha.clone())),
            _ => (None, (self.env)("GITHUB_SHA")),
        };
        let relative = report_path
            .strip_prefix(&self.workspace)
            .unwrap_or(report_path);
        RenderContext {
            suite: self.inputs.name.clone(),
            marker,
            repository,
            pr_number,
            sha,
            run_url,
            server_url: Some(server),
            full_report: format!(
                "the job summary and {} have every result",
                relative.display()
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
            match Renderer::with_template(&self.path(t)).and_then(|r| {
                r.render(kind, report, ctx, Some(crate::report::GITHUB_COMMENT_LIMIT))
            }) {
                Ok(text) => return Ok(text),
                Err(e) => self.warn(&format!("{e}; using the built-in template")),
            }
        }
        comment_body(kind, report, ctx)
    }

    fn current_run(&self, config: &Config) -> Result<(Run, Vec<String>)> {
        self.inputs.require_results()?;
        let paths = expand(&self.workspace, &self.inputs.results)?;
        let options = config.load_options(None);
        let loaded = ingest::load_all(&paths, &options)?;
        let mut run = loaded.run;
        if run.meta.commit.is_none() {
            run.meta.commit = match &self.event {
                Event::PullRequest { head_sha, .. } => Some(head_sha.clone()),
                Event::Push { sha, .. } => Some(sha.clone()),
                _ => (self.env)("GITHUB_SHA"),
            };
        }
        run.meta.branch = match &self.event {
            Event::PullRequest { .. } => (self.env)("GITHUB_HEAD_REF"),
            Event::Push { branch, .. } => branch.clone(),
            _ => (self.env)("GITHUB_REF_NAME"),
        }
        .or(run.meta.branch);
        if self.inputs.name.is_some() {
            run.meta.suite = self.inputs.name.clone();
        }
        Ok((run, loaded.warnings))
    }

    fn history(&self) -> Option<HistoryRepo> {
        match HistoryRepo::open(&self.workspace, &self.inputs.history_branch, "origin") {
            Ok(repo) => Some(repo.with_token(self.inputs.token.clone())),
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
            _ => (self.env)("GITHUB_REF_NAME").unwrap_or_else(|| "main".into()),
        }
    }

    fn analyze(&self) -> Result<Outcome> {
        let config = self.config()?;
        let (run, mut warnings) = self.current_run(&config)?;
        let mut baselines = Vec::new();
        let mut chosen = None;
        if self.inputs.baseline.is_empty() {
            if let Some(repo) = self.history() {
                let request = WindowRequest {
                    base_branch: self.base_branch(),
                    head: None,
                    suite: self.inputs.name.clone(),
                    window: config.window,
                };
                match repo.window(&request) {
                    Ok(w) => {
                        warnings.extend(w.warnings);
                        baselines = w.runs;
                        chosen = Some(w.description);
                    }
                    Err(e) => self.warn(&format!("{e}; analyzing without history")),
                }
            }
        } else {
            let paths = expand(&self.workspace, &self.inputs.baseline)?;
            let (runs, baseline_warnings) = ingest::load_each(&paths, &config.load_options(None))?;
            baselines = runs;
            warnings.extend(baseline_warnings);
        }
        let mut report = analysis::analyze(&run, &baselines, &config);
        if let Some(how) = chosen {
            report.baseline.description = format!("{}: {how}", report.baseline.description);
        }
        report.warnings = warnings;
        let report_path = self.save_report(&report)?;
        let mut comment_url = None;
        self.write_summary(&report, &report_path);
        self.annotate(&report);
        let review = report.results.iter().any(|r| {
            r.status == Status::Regression && tier_action(&config, r.tier) == Some(Action::Review)
        });
        let record = match (self.inputs.record, &self.event) {
            (RecordPolicy::Yes, _) => true,
            (RecordPolicy::No, _) => false,
            (
                RecordPolicy::Auto,
                Event::Push {
                    branch,
                    default_branch,
                    ..
                },
            ) => branch.is_some() && (default_branch.is_none() || branch == default_branch),
            (RecordPolicy::Auto, _) => false,
        };
        if record && self.inputs.mode != Mode::Analyze {
            self.record(&run, &config);
        }
        if let Some(api) = self.api() {
            let publisher = Publisher {
                api: &api,
                author: &self.inputs.comment_author,
                report_path: &report_path,
                warn: &|m: &str| self.warn(m),
            };
            let marker_ctx = self.render_context(true, &report_path);
            match &self.event {
                Event::PullRequest {
                    number, head_sha, ..
                } => {
                    let policy = self.inputs.comment.unwrap_or(CommentPolicy::Always);
                    let body =
                        self.comment_markdown(TemplateKind::Comment, &report, &marker_ctx)?;
                    comment_url = publisher.upsert_pr_comment(
                        *number,
                        &self.marker(),
                        &body,
                        policy,
                        &report,
                    );
                    if review {
                        publisher.label(*number, &self.inputs.label);
                    }
                    if self.inputs.check_run {
                        publisher.check_run(&self.check_name(), head_sha, &report, review, &body);
                    }
                }
                Event::Push { sha, .. } => {
                    let policy = self.inputs.comment.unwrap_or(CommentPolicy::OnRegression);
                    let body = self.comment_markdown(TemplateKind::Commit, &report, &marker_ctx)?;
                    comment_url = publisher.upsert_commit_comment(
                        sha,
                        &self.marker(),
                        &body,
                        policy,
                        &report,
                    );
                    if self.inputs.check_run {
                        publisher.check_run(&self.check_name(), sha, &report, review, &body);
                    }
                }
                _ => {}
            }
        } else if matches!(self.event, Event::PullRequest { .. })
            && self.inputs.comment != Some(CommentPolicy::Never)
        {
            self.warn("no token: no pull-request comment (set `github-token`, the default is the workflow token)");
        }
        self.outputs(&report, &report_path, comment_url)?;
        Ok(if report.blocked {
            Outcome::Blocked
        } else {
            Outcome::Pass
        })
    }

    fn marker(&self) -> String {
        format!(
            "<!-- bench-bot:{} -->",
            self.inputs.name.as_deref().unwrap_or("default")
        )
    }

    fn check_name(&self) -> String {
        match &self.inputs.name {
            Some(n) => format!("bench-bot ({n})"),
            None => "bench-bot".into(),
        }
    }

    fn record(&self, run: &Run, config: &Config) {
        let Some(repo) = self.history() else { return };
        let branch = run
            .meta
            .branch
            .clone()
            .unwrap_or_else(|| self.base_branch());
        let options = config.record_options();
        let extra = if self.inputs.dashboard {
            let repo_url = match (
                (self.env)("GITHUB_SERVER_URL"),
                (self.env)("GITHUB_REPOSITORY"),
            ) {
                (Some(server), Some(r)) => Some(format!("{server}/{r}")),
                _ => None,
            };
            crate::dashboard::files_for_history(&repo, run, &branch, config, repo_url)
                .unwrap_or_else(|e| {
                    self.warn(&format!("{e}; the dashboard was not regenerated"));
                    Vec::new()
                })
        } else {
            Vec::new()
        };
        match repo.record(&[(run.clone(), branch)], &extra, &options) {
            Ok(o) => println!(
                "bench-bot: recorded the run in `{}` ({})",
                self.inputs.history_branch,
                &o.commit[..12]
            ),
            Err(e) => self.warn(&format!(
                "{e}; the run was not recorded (needs `contents: write`)"
            )),
        }
    }

    fn record_only(&self) -> Result<Outcome> {
        let config = self.config()?;
        let (run, warnings) = self.current_run(&config)?;
        for w in warnings {
            self.warn(&w);
        }
        self.record(&run, &config);
        Ok(Outcome::Pass)
    }

    /// The fork-safe second half: post a saved report to the pull request it belongs
    /// to, after confirming through the API that the PR's head is the run's commit.
    fn comment_saved_report(&self) -> Result<Outcome> {
        let path = self.path(
            self.inputs
                .report
                .as_deref()
                .unwrap_or("bench-bot-report/report.json"),
        );
        let bytes = ingest::read_input(&path, 64 * 1024 * 1024)?;
        let report: Report = serde_json::from_slice(&bytes).map_err(|e| {
            Error::input(
                &path,
                Some("bench-bot report"),
                format!("not a bench-bot/report/v1 report: {e}"),
            )
        })?;
        if report.schema != crate::report::SCHEMA {
            return Err(Error::input(
                &path,
                Some("bench-bot report"),
                format!("schema `{}` is not supported", report.schema),
            ));
        }
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
            report_path: &path,
            warn: &|m: &str| self.warn(m),
        };
        let policy = self.inputs.comment.unwrap_or(CommentPolicy::Always);
        let url = publisher.upsert_pr_comment(number, &self.marker(), &body, policy, &report);
        self.outputs(&report, &path, url)?;
        Ok(Outcome::Pass)
    }

    fn save_report(&self, report: &Report) -> Result<PathBuf> {
        let dir = self.workspace.join("bench-bot-report");
        std::fs::create_dir_all(&dir).map_err(|source| Error::Output {
            path: dir.clone(),
            source,
        })?;
        let name = match &self.inputs.name {
            Some(n) => format!(
                "report-{}.json",
                n.replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "_")
            ),
            None => "report.json".into(),
        };
        let path = dir.join(name);
        let mut json =
            serde_json::to_string_pretty(report).map_err(|e| Error::Usage(e.to_string()))?;
        json.push('\n');
        write_atomic(&path, json.as_bytes())?;
        Ok(path)
    }

    fn write_summary(&self, report: &Report, report_path: &Path) {
        let Some(path) = (self.env)("GITHUB_STEP_SUMMARY") else {
            return;
        };
        let ctx = self.render_context(false, report_path);
        let result = Renderer::new()
            .render(
                TemplateKind::Summary,
                report,
                &ctx,
                Some(commands::SUMMARY_LIMIT - 1024),
            )
            .and_then(|md| commands::append_summary(Path::new(&path), &md));
        if let Err(e) = result {
            self.warn(&format!("{e}; no job summary"));
        }
    }

    fn annotate(&self, report: &Report) {
        if report.baseline.runs == 0 {
            self.warn(&format!(
                "no baseline: nothing was compared ({})",
                report.baseline.description
            ));
        }
        let mut shown = [0usize; 3];
        let mut hidden = 0;
        for r in report
            .results
            .iter()
            .filter(|r| r.status == Status::Regression)
        {
            let (level, slot) = match r.tier {
                TierLabel::Critical => (Level::Error, 0),
                TierLabel::Warning => (Level::Warning, 1),
                _ => (Level::Notice, 2),
            };
            if shown[slot] >= commands::ANNOTATIONS_SHOWN {
                hidden += 1;
                continue;
            }
            shown[slot] += 1;
            let title = format!(
                "bench-bot: {} regression",
                format!("{:?}", r.tier).to_lowercase()
            );
            println!(
                "{}",
                commands::annotation(
                    level,
                    &title,
                    &format!("{} ({}): {}", r.id, r.metric, r.reason)
                )
            );
        }
        if hidden > 0 {
            println!("bench-bot: {hidden} more regression(s) are in the job summary");
        }
    }

    fn outputs(
        &self,
        report: &Report,
        report_path: &Path,
        comment_url: Option<String>,
    ) -> Result<()> {
        let Some(path) = (self.env)("GITHUB_OUTPUT") else {
            return Ok(());
        };
        let s = &report.summary;
        commands::write_outputs(
            Path::new(&path),
            &[
                ("verdict", format!("{:?}", report.verdict).to_lowercase()),
                ("blocked", report.blocked.to_string()),
                (
                    "regressions",
                    (s.critical + s.warning + s.notice).to_string(),
                ),
                ("improvements", s.improvements.to_string()),
                ("report", report_path.display().to_string()),
                ("comment-url", comment_url.unwrap_or_default()),
            ],
        )
    }
}

fn tier_action(config: &Config, tier: TierLabel) -> Option<Action> {
    let name = match tier {
        TierLabel::Critical => crate::config::TierName::Critical,
        TierLabel::Warning => crate::config::TierName::Warning,
        TierLabel::Notice => crate::config::TierName::Notice,
        TierLabel::None => return None,
    };
    Some(config.tiers.get(name).action)
}

/// Expands the `results` entries: plain paths as given, `*`/`?`/`[` patterns against the
/// files below the workspace. A pattern that matches nothing is an error.
pub fn expand(workspace: &Path, entries: &[String]) -> Result<Vec<PathBuf>> {
    let out = expand_unchecked(workspace, entries)?;
    // Inputs come from files a pull request can change: a link must not lead the
    // action to read (and report on) files outside the workspace.
    let root = workspace
        .canonicalize()
        .unwrap_or_else(|_| workspace.to_path_buf());
    for p in &out {
        if let Ok(real) = p.canonicalize() {
            if !real.starts_with(&root) {
                return Err(Error::input(
                    p,
                    None,
                    format!("resolves to {}, outside the workspace", real.display()),
                ));
            }
        }
    }
    Ok(out)
}

fn expand_unchecked(workspace: &Path, entries: &[String]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in entries {
        if !entry.contains(['*', '?', '[']) {
            let p = Path::new(entry);
            out.push(if p.is_absolute() {
                p.to_path_buf()
            } else {
                workspace.join(p)
            });
            continue;
        }
        let glob = globset::Glob::new(entry)
            .map_err(|e| {
                Error::Usage(format!(
                    "input `results`: `{entry}` is not a valid glob: {e}"
                ))
            })?
            .compile_matcher();
        let mut found = Vec::new();
        walk(workspace, workspace, &glob, &mut found, 0);
        if found.is_empty() {
            return Err(Error::Usage(format!(
                "input `results`: `{entry}` matches no file"
            )));
        }
        found.sort();
        out.extend(found);
    }
    Ok(out)
}

fn walk(
    root: &Path,
    dir: &Path,
    glob: &globset::GlobMatcher,
    found: &mut Vec<PathBuf>,
    depth: usize,
) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let rel = path.strip_prefix(root).unwrap_or(&path);
        if glob.is_match(rel) {
            found.push(path.clone());
        } else if kind.is_dir() && depth < 16 && entry.file_name() != ".git" {
            walk(root, &path, glob, found, depth + 1);
        }
    }
}
