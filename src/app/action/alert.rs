//! After a run is recorded: the change points it made reportable. New regressions,
//! once the next run confirms them, open (or update) one issue per episode, or a
//! commit comment, as `alert` says;
//! improvements, mode switches and runner shifts go to the job summary only; open
//! alerts whose benchmarks are all back at their old level are closed with a note.
//! Every failure here is a warning: the run is recorded and the verdict stands.

use super::Context;
use crate::analysis::changes::{Series, find_changes, series_of};
use crate::config::Config;
use crate::github::alert::{
    AlertContext, EPISODE_RUNS, Episode, Member, Trend, alert_marker, body, episode_of, merge,
    new_episodes, new_others, recovered, refreshed, same_episode, title, unconfirmed,
};
use crate::github::api::Api;
use crate::github::commands;
use crate::github::inputs::AlertPolicy;
use crate::history::HistoryRepo;
use crate::model::Run;
use crate::report::{ChangeKind, ChangesReport, changes_markdown};

/// Runs shown in an alert's trend chart.
const TREND_RUNS: usize = 40;
/// Newest runs whose median tells that a benchmark is back at its old level.
const RECOVERY_RUNS: usize = 6;

impl Context<'_> {
    /// Looks for new change points in the branch's history, which now holds `run`.
    pub(super) fn alert(&self, repo: &HistoryRepo, run: &Run, branch: &str, config: &Config) {
        let runs: Vec<Run> = match repo.all_runs(branch) {
            Ok((runs, _)) => runs
                .into_iter()
                .filter(|r| r.meta.suite == run.meta.suite)
                .collect(),
            Err(e) => {
                self.warn(&format!("{e}; no change-point alerts"));
                return;
            }
        };
        if runs.len() < 2 {
            return;
        }
        let now = find_changes(&runs, config, None, format!("runs of `{branch}`"));
        let previous = find_changes(&runs[..runs.len() - 1], config, None, String::new());
        let before = find_changes(&runs[..runs.len() - 2], config, None, String::new());
        let episodes = new_episodes(&now, &previous, &before);
        self.summarise_changes(&now, &previous, &episodes);
        if self.inputs.alert == AlertPolicy::None {
            return;
        }
        let Some(api) = self.api() else {
            if !episodes.is_empty() {
                self.warn("no token: new regression change points were not announced");
            }
            return;
        };
        let ctx = self.alert_context();
        let series = series_of(&runs, config);
        let trend = |e: &Episode| trend_of(&runs, &series, e);
        let newest =
            |e: &Episode, m: &Member| newest_level(&series, m, e.first_after.index, RECOVERY_RUNS);
        match self.inputs.alert {
            AlertPolicy::Issue => {
                self.alert_issues(&api, &episodes, &now, &ctx, &trend, &newest);
            }
            AlertPolicy::CommitComment => {
                for e in &episodes {
                    self.alert_commit(&api, e, &ctx, &trend(e));
                }
            }
            AlertPolicy::None => {}
        }
    }

    fn alert_context(&self) -> AlertContext {
        let gh = &self.env.github;
        let repo_url = gh
            .repository
            .as_ref()
            .map(|r| format!("{}/{r}", gh.server_url));
        let dashboard_url = match (&gh.repository, self.inputs.dashboard) {
            (Some(r), true) if gh.server_url == "https://github.com" => r
                .split_once('/')
                .map(|(owner, name)| format!("https://{owner}.github.io/{name}/dashboard/")),
            _ => None,
        };
        let run_url = match (&gh.repository, &gh.run_id) {
            (Some(r), Some(id)) => Some(format!("{}/{r}/actions/runs/{id}", gh.server_url)),
            _ => None,
        };
        AlertContext {
            suite: self.inputs.name.clone(),
            repo_url,
            dashboard_url,
            run_url,
        }
    }

    /// New improvements, mode switches and runner shifts (and the regressions, which
    /// also get their alert) in the job summary.
    fn summarise_changes(
        &self,
        now: &ChangesReport,
        previous: &ChangesReport,
        regressions: &[Episode],
    ) {
        let Some(path) = &self.env.github.step_summary else {
            return;
        };
        let (points, shifts) = new_others(now, previous);
        let tentative = unconfirmed(now, previous);
        if points.is_empty() && shifts.is_empty() && regressions.is_empty() && tentative.is_empty()
        {
            return;
        }
        // The report of the new change points only.
        let mut fresh = now.clone();
        fresh.runner_shifts = shifts.into_iter().cloned().collect();
        // The new other points and the unconfirmed regressions by themselves; the
        // confirmed regressions with their episodes.
        let keep = |id: &str, metric: &str, index: usize, kind: ChangeKind| {
            points.iter().chain(&tentative).any(|(s, c)| {
                s.id == id && s.metric.as_str() == metric && c.first_after.index == index
            }) || (kind == ChangeKind::Regression
                && regressions.iter().any(|e| {
                    e.members.iter().any(|m| m.id == id && m.metric == metric)
                        && e.first_after.index.abs_diff(index) <= EPISODE_RUNS
                }))
        };
        for b in &mut fresh.benchmarks {
            let (id, metric) = (b.id.clone(), b.metric.to_string());
            b.changes
                .retain(|c| keep(&id, &metric, c.first_after.index, c.kind));
        }
        fresh.benchmarks.retain(|b| !b.changes.is_empty());
        let mut md = changes_markdown(&fresh).replacen(
            "### Change points",
            "### New change points in the history",
            1,
        );
        if !tentative.is_empty() {
            let (is, they_are, them) = match tentative.len() {
                1 => ("is", "it is", "it"),
                _ => ("are", "they are", "them"),
            };
            md.push_str(&format!(
                "\n{} of the regression change points above {is} shown for the first time: \
                 {they_are} announced once the next run still shows {them}.\n",
                tentative.len(),
            ));
        }
        if let Err(e) = commands::append_summary(path, &md) {
            self.warn(&format!(
                "{e}; the change points are not in the job summary"
            ));
        }
    }

    /// One issue per episode: an open alert of the same episode is updated, others
    /// are opened; open alerts that recovered are closed with a note.
    fn alert_issues(
        &self,
        api: &Api,
        episodes: &[Episode],
        now: &ChangesReport,
        ctx: &AlertContext,
        trend: &dyn Fn(&Episode) -> Trend,
        newest: &dyn Fn(&Episode, &Member) -> Option<f64>,
    ) {
        let author = &self.inputs.comment_author;
        let open = match api.list_open_issues(author) {
            Ok(issues) => issues,
            Err(e) => {
                self.warn(&format!("{e}; no change-point alerts"));
                return;
            }
        };
        let suite = self.inputs.name.as_deref();
        let ours: Vec<(u64, Episode, Option<String>)> = open
            .into_iter()
            .filter(|i| i.user.as_ref().is_some_and(|u| &u.login == author))
            .filter_map(|i| {
                let body = i.body.as_deref()?;
                body.starts_with(&alert_marker(suite))
                    .then(|| episode_of(body, suite))
                    .flatten()
                    .map(|e| (i.number, e, i.html_url.clone()))
            })
            .collect();
        let mut handled = Vec::new();
        for e in episodes {
            match ours.iter().find(|(_, o, _)| same_episode(o, e)) {
                Some((number, old, _)) => {
                    let merged = merge(old, e);
                    handled.push(*number);
                    match api.update_issue(
                        *number,
                        &body(&merged, ctx, &trend(&merged), None),
                        false,
                    ) {
                        Ok(_) => println!("bench-bot: updated the alert #{number}"),
                        Err(e) => self.warn(&format!("{e}; the alert was not updated")),
                    }
                }
                None => match api.create_issue(&title(e, suite), &body(e, ctx, &trend(e), None)) {
                    Ok(issue) => println!(
                        "bench-bot: opened the alert #{} {}",
                        issue.number,
                        issue.html_url.unwrap_or_default()
                    ),
                    Err(e) => self.warn(&format!(
                        "{e}; the regression change point was not announced (the alert needs \
                         `issues: write`)"
                    )),
                },
            }
        }
        for (number, old, _) in &ours {
            if handled.contains(number) {
                continue;
            }
            if recovered(old, now, &|m: &Member| newest(old, m)) {
                let note = "every benchmark is back at its level before the change";
                let closing = body(old, ctx, &trend(old), Some(note));
                let result = api
                    .create_issue_comment(
                        *number,
                        &format!(
                            "Recovered: {note}, as of the newest run. Closing; a new change \
                             of the level opens a new alert."
                        ),
                    )
                    .and_then(|_| api.update_issue(*number, &closing, true));
                match result {
                    Ok(_) => println!("bench-bot: closed the alert #{number}: recovered"),
                    Err(e) => self.warn(&format!("{e}; the recovered alert was not closed")),
                }
                continue;
            }
            // Still open: the newest levels after, and change points that joined it.
            let current = refreshed(old, now);
            if current != *old {
                if let Err(e) =
                    api.update_issue(*number, &body(&current, ctx, &trend(&current), None), false)
                {
                    self.warn(&format!("{e}; the alert was not updated"));
                }
            }
        }
    }

    /// One comment on the first commit after the change, updated in place.
    fn alert_commit(&self, api: &Api, e: &Episode, ctx: &AlertContext, trend: &Trend) {
        let Some(sha) = e.first_after.commit.as_deref() else {
            self.warn("the change point's run has no commit: no commit comment");
            return;
        };
        let suite = self.inputs.name.as_deref();
        let text = body(e, ctx, trend, None);
        let existing = api.list_commit_comments(sha).map(|cs| {
            cs.into_iter().find(|c| {
                c.user
                    .as_ref()
                    .is_some_and(|u| u.login == self.inputs.comment_author)
                    && c.body
                        .as_deref()
                        .is_some_and(|b| b.starts_with(&alert_marker(suite)))
            })
        });
        let result = match existing {
            Ok(Some(c)) => api.update_commit_comment(c.id, &text),
            Ok(None) => api.create_commit_comment(sha, &text),
            Err(e) => Err(e),
        };
        match result {
            Ok(c) => println!(
                "bench-bot: announced the regression change point on {} {}",
                &sha[..sha.len().min(12)],
                c.html_url.unwrap_or_default()
            ),
            Err(e) => self.warn(&format!(
                "{e}; the regression change point was not announced (a commit comment needs \
                 `contents: write`)"
            )),
        }
    }
}

/// The largest change's benchmark over the newest runs.
fn trend_of(runs: &[Run], series: &[Series], e: &Episode) -> Trend {
    let Some(first) = e.members.first() else {
        return Vec::new();
    };
    let Some(series) = find(series, first) else {
        return Vec::new();
    };
    let skip = series.values.len().saturating_sub(TREND_RUNS);
    series
        .runs
        .iter()
        .zip(&series.values)
        .skip(skip)
        .map(|(r, v)| {
            let label = runs[*r].meta.commit.as_deref().map_or_else(
                || format!("run {}", r + 1),
                |c| c[..c.len().min(7)].to_string(),
            );
            (label, *v)
        })
        .collect()
}

fn find<'s>(series: &'s [Series], m: &Member) -> Option<&'s Series> {
    series
        .iter()
        .find(|s| s.id == m.id && s.metric.as_str() == m.metric)
}

/// The median of a benchmark's newest `n` runs, when all of them came after the
/// episode's change (`since`, a run index).
fn newest_level(series: &[Series], m: &Member, since: usize, n: usize) -> Option<f64> {
    let series = find(series, m)?;
    let len = series.values.len();
    if len < n || series.runs[len - n] < since {
        return None;
    }
    Some(crate::stats::median(&series.values[len - n..]))
}
