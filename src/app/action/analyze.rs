//! The action's main path: read the results, compare with the history (or baseline
//! files), publish, and record the run on pushes to the default branch.

use super::{Context, tier_action, workspace};
use crate::app::Outcome;
use crate::app::analyze::{BaselineSource, Baselines, load_options};
use crate::app::record::record_options;
use crate::config::{Action, Config};
use crate::error::Result;
use crate::github::event::Event;
use crate::github::inputs::{CommentPolicy, Mode, RecordPolicy};
use crate::github::publish::Publisher;
use crate::history::WindowRequest;
use crate::ingest::{self, Loaded};
use crate::model::Run;
use crate::report::{Status, TemplateKind};

impl Context<'_> {
    /// The run under test, with the commit, branch and suite the event says.
    fn current_run(&self, config: &Config) -> Result<Loaded> {
        self.inputs.require_results()?;
        let paths = workspace::expand(&self.workspace, &self.inputs.results)?;
        let mut loaded = ingest::load_all(&paths, &load_options(config, None))?;
        let gh = &self.env.github;
        let run = &mut loaded.run;
        if run.meta.commit.is_none() {
            run.meta.commit = match &self.event {
                Event::PullRequest { head_sha, .. } => Some(head_sha.clone()),
                Event::Push { sha, .. } => Some(sha.clone()),
                _ => gh.sha.clone(),
            };
        }
        run.meta.branch = match &self.event {
            Event::PullRequest { .. } => gh.head_ref.clone(),
            Event::Push { branch, .. } => branch.clone(),
            _ => gh.ref_name.clone(),
        }
        .or(run.meta.branch.take());
        if self.inputs.name.is_some() {
            run.meta.suite = self.inputs.name.clone();
        }
        Ok(loaded)
    }

    /// The baselines: the input's files, else the history window (a history failure
    /// is a warning: the run is analyzed without it).
    fn baselines(&self, config: &Config) -> Result<Baselines> {
        let options = load_options(config, None);
        if !self.inputs.baseline.is_empty() {
            let paths = workspace::expand(&self.workspace, &self.inputs.baseline)?;
            return Baselines::load(BaselineSource::Files(&paths), &options);
        }
        let Some(repo) = self.history() else {
            return Ok(Baselines::default());
        };
        let request = WindowRequest {
            base_branch: self.base_branch(),
            head: None,
            suite: self.inputs.name.clone(),
            window: config.window,
        };
        match Baselines::load(BaselineSource::History(&repo, request), &options) {
            // The default name missing is a first run; another name missing is a typo,
            // unless this run is the one that creates it.
            Ok(mut b) if b.missing_branch.is_some() => {
                if self.inputs.history_branch == crate::history::DEFAULT_BRANCH {
                    let first = format!(
                        "first run: the history branch `{}` does not exist yet; it is \
                         created when a run on the default branch is recorded",
                        self.inputs.history_branch
                    );
                    b.warnings.retain(|w| Some(w) != b.missing_branch.as_ref());
                    b.missing_branch = Some(first);
                    Ok(b)
                } else if self.records() {
                    Ok(b)
                } else {
                    let message = b.missing_branch.take().unwrap_or_default();
                    Err(crate::error::HistoryError::NoSuchBranch { message }.into())
                }
            }
            Ok(b) => Ok(b),
            Err(e) => {
                self.warn(&format!("{e}; analyzing without history"));
                Ok(Baselines::default())
            }
        }
    }

    /// Whether this run is recorded in the history branch: `record: yes`, or `auto` on
    /// a push to the default branch (not in `mode: analyze`).
    fn records(&self) -> bool {
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
        record && self.inputs.mode != Mode::Analyze
    }

    pub(super) fn analyze(&self) -> Result<Outcome> {
        let config = self.config()?;
        let current = self.current_run(&config)?;
        config.check_override_metrics(&current.run)?;
        let baselines = self.baselines(&config)?;
        let report = crate::app::analyze::run(&current, baselines, &config);
        let report_path = self.save_report(&report)?;
        if self.records() {
            self.record(&current.run, &config);
        }
        self.publish(&report, &config, &report_path)
    }

    /// `mode: publish`: a report saved by `bench-bot ab --format json --output FILE` (or
    /// `analyze`) told through every channel of this event, with its merge gate, as if
    /// the action had analyzed it.
    pub(super) fn publish_saved(&self) -> Result<Outcome> {
        let config = self.config()?;
        let path = self.path(self.inputs.report.as_deref().ok_or_else(|| {
            crate::error::Error::Usage(
                "`mode: publish` needs the `report` input: the saved JSON report to publish".into(),
            )
        })?);
        let report = crate::report::load_saved(&path)?;
        self.publish(&report, &config, &path)
    }

    /// The summary, annotations, pull-request or commit comment, label and check run
    /// of a finished report, then the step's outputs; the outcome is the report's own.
    fn publish(
        &self,
        report: &crate::report::Report,
        config: &Config,
        report_path: &std::path::Path,
    ) -> Result<Outcome> {
        let mut comment_url = None;
        self.write_summary(report, report_path);
        self.annotate(report);
        let review = report.results.iter().any(|r| {
            r.status == Status::Regression && tier_action(config, r.tier) == Some(Action::Review)
        });
        if let Some(api) = self.api() {
            let publisher = Publisher {
                api: &api,
                author: &self.inputs.comment_author,
            };
            let marker_ctx = self.render_context(true, report_path);
            let warn = |e| self.warn_api(&e, report_path);
            match &self.event {
                Event::PullRequest {
                    number, head_sha, ..
                } => {
                    let policy = self.inputs.comment.unwrap_or(CommentPolicy::Always);
                    let body = self.comment_markdown(TemplateKind::Comment, report, &marker_ctx)?;
                    comment_url = publisher
                        .upsert_pr_comment(*number, &self.marker(), &body, policy, report)
                        .unwrap_or_else(|e| {
                            warn(e);
                            None
                        });
                    if review {
                        publisher
                            .label(*number, &self.inputs.label)
                            .unwrap_or_else(warn);
                    }
                    if self.inputs.check_run {
                        publisher
                            .check_run(&self.check_name(), head_sha, report, review, &body)
                            .unwrap_or_else(warn);
                    }
                }
                Event::Push { sha, .. } => {
                    let policy = self.inputs.comment.unwrap_or(CommentPolicy::OnRegression);
                    let body = self.comment_markdown(TemplateKind::Commit, report, &marker_ctx)?;
                    comment_url = publisher
                        .upsert_commit_comment(sha, &self.marker(), &body, policy, report)
                        .unwrap_or_else(|e| {
                            warn(e);
                            None
                        });
                    if self.inputs.check_run {
                        publisher
                            .check_run(&self.check_name(), sha, report, review, &body)
                            .unwrap_or_else(warn);
                    }
                }
                _ => {}
            }
        } else if matches!(self.event, Event::PullRequest { .. })
            && self.inputs.comment != Some(CommentPolicy::Never)
        {
            self.warn("no token: no pull-request comment (set `github-token`, the default is the workflow token)");
        }
        self.outputs(report, report_path, comment_url)?;
        Ok(Outcome::of_report(report, config.require_baseline))
    }

    /// Records the run (and the regenerated dashboard) in the history branch; a failure
    /// is a warning.
    fn record(&self, run: &Run, config: &Config) {
        let Some(repo) = self.history() else { return };
        let branch = run
            .meta
            .branch
            .clone()
            .unwrap_or_else(|| self.base_branch());
        let extra = if self.inputs.dashboard {
            let gh = &self.env.github;
            let repo_url = gh
                .repository
                .as_ref()
                .map(|r| format!("{}/{r}", gh.server_url));
            crate::dashboard::files_for_history(&repo, run, &branch, config, repo_url)
                .unwrap_or_else(|e| {
                    self.warn(&format!("{e}; the dashboard was not regenerated"));
                    Vec::new()
                })
        } else {
            Vec::new()
        };
        match repo.record(
            &[(run.clone(), branch.clone())],
            &extra,
            &record_options(config),
        ) {
            Ok(o) if o.paths.is_empty() && o.already_recorded > 0 => println!(
                "bench-bot: already recorded: `{}` holds this run; nothing written",
                self.inputs.history_branch
            ),
            Ok(o) => {
                println!(
                    "bench-bot: recorded the run in `{}` ({})",
                    self.inputs.history_branch,
                    o.commit.get(..12).unwrap_or(&o.commit)
                );
                self.alert(&repo, run, &branch, config);
            }
            // A refusal says what to change itself; blaming permissions on anything
            // else would send the user the wrong way.
            Err(e) => self.warn(&format!("{e}; the run was not recorded")),
        }
    }

    /// `mode: record`: record without analyzing.
    pub(super) fn record_only(&self) -> Result<Outcome> {
        let config = self.config()?;
        let current = self.current_run(&config)?;
        for w in &current.warnings {
            self.warn(w);
        }
        self.record(&current.run, &config);
        Ok(Outcome::Pass)
    }
}
