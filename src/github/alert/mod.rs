//! Alerts after a run is recorded: the regression change points that this run
//! confirmed (the run before showed them first), grouped into episodes (change points
//! within a few runs of each other), one issue or commit comment per episode, found
//! again by a hidden marker and author.
//!
//! The marker line carries the episode's state as JSON (its first run after the change,
//! and each benchmark with its level before), so a later run can update the issue and
//! close it when every benchmark is back at its old level.

mod body;

pub use body::{AlertContext, Trend, body, title};

use serde::{Deserialize, Serialize};

use crate::report::{
    ChangeKind, ChangePoint, ChangesReport, HistoryRun, RunnerShift, SeriesChanges, TierLabel,
};

/// Change points this many runs apart belong to one episode; a change point within as
/// many runs of one the history already had is not new.
pub const EPISODE_RUNS: usize = 3;

/// One benchmark of an episode.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    /// Benchmark id.
    pub id: String,
    /// Metric name.
    pub metric: String,
    /// Unit of the levels.
    #[serde(default)]
    pub unit: String,
    /// The level before.
    pub before: f64,
    /// The level after, when the alert was last written.
    #[serde(default)]
    pub after: f64,
    /// Change in percent.
    #[serde(default)]
    pub change_pct: f64,
}

impl Member {
    /// A benchmark's change point as an episode member.
    fn of(s: &SeriesChanges, c: &ChangePoint) -> Member {
        Member {
            id: s.id.clone(),
            metric: s.metric.to_string(),
            unit: s.unit.clone(),
            before: c.before.median,
            after: c.after.median,
            change_pct: c.change_pct,
        }
    }
}

/// Regression change points that appeared together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Episode {
    /// The last run before the change (of the earliest member).
    pub last_before: HistoryRun,
    /// The first run after it.
    pub first_after: HistoryRun,
    /// The worst tier among the members.
    #[serde(default = "no_tier")]
    pub tier: TierLabel,
    /// The benchmarks, largest change first.
    pub members: Vec<Member>,
}

fn no_tier() -> TierLabel {
    TierLabel::None
}

fn near(a: &HistoryRun, b: &HistoryRun) -> bool {
    a.index.abs_diff(b.index) <= EPISODE_RUNS
}

/// Whether `previous` (the history without the newest run) had this change point.
fn known(previous: &ChangesReport, s: &SeriesChanges, c: &ChangePoint) -> bool {
    previous.benchmarks.iter().any(|p| {
        p.id == s.id
            && p.metric == s.metric
            && p.changes
                .iter()
                .any(|q| q.kind == c.kind && near(&q.first_after, &c.first_after))
    })
}

/// The regression change points this run confirmed, as episodes, oldest first: those
/// of `now` (the history with the newest run) that `previous` (without it) had too and
/// `before` (without the two newest) did not. A change point is announced one run
/// after it is first shown: most of those that the end of a history shows and the next
/// run no longer does (three runs that happened to be slow together) are dropped
/// before anyone is told (docs/statistics.md, "One run at a time").
pub fn new_episodes(
    now: &ChangesReport,
    previous: &ChangesReport,
    before: &ChangesReport,
) -> Vec<Episode> {
    let mut fresh = confirmed(now, previous, before);
    fresh.sort_by_key(|(_, c)| c.first_after.index);
    let mut episodes: Vec<Episode> = Vec::new();
    for (s, c) in fresh {
        let member = Member::of(s, c);
        match episodes
            .iter_mut()
            .find(|e| near(&e.first_after, &c.first_after))
        {
            Some(e) => {
                e.tier = e.tier.min(c.tier);
                e.members.push(member);
            }
            None => episodes.push(Episode {
                last_before: c.last_before.clone(),
                first_after: c.first_after.clone(),
                tier: c.tier,
                members: vec![member],
            }),
        }
    }
    for e in &mut episodes {
        e.members
            .sort_by(|a, b| b.change_pct.abs().total_cmp(&a.change_pct.abs()));
    }
    episodes
}

/// The regression change points that `now` confirms: `previous` showed them first
/// (`before` did not), and `now` still does. What [`new_episodes`] groups.
pub fn confirmed<'a>(
    now: &'a ChangesReport,
    previous: &ChangesReport,
    before: &ChangesReport,
) -> Vec<(&'a SeriesChanges, &'a ChangePoint)> {
    now.newest_first()
        .into_iter()
        .filter(|(s, c)| {
            c.kind == ChangeKind::Regression && known(previous, s, c) && !known(before, s, c)
        })
        .collect()
}

/// The regression change points `now` shows for the first time (`previous` did not
/// have them): announced once the next run confirms them.
pub fn unconfirmed<'a>(
    now: &'a ChangesReport,
    previous: &ChangesReport,
) -> Vec<(&'a SeriesChanges, &'a ChangePoint)> {
    now.newest_first()
        .into_iter()
        .filter(|(s, c)| c.kind == ChangeKind::Regression && !known(previous, s, c))
        .collect()
}

/// The other change points this run made reportable (improvements, mode switches)
/// and the new runner shifts: for the job summary only.
pub fn new_others<'a>(
    now: &'a ChangesReport,
    previous: &ChangesReport,
) -> (
    Vec<(&'a SeriesChanges, &'a ChangePoint)>,
    Vec<&'a RunnerShift>,
) {
    let points = now
        .newest_first()
        .into_iter()
        .filter(|(s, c)| {
            matches!(c.kind, ChangeKind::Improvement | ChangeKind::ModeSwitch)
                && !known(previous, s, c)
        })
        .collect();
    let shifts = now
        .runner_shifts
        .iter()
        .filter(|s| {
            !previous
                .runner_shifts
                .iter()
                .any(|p| near(&p.first_after, &s.first_after))
        })
        .collect();
    (points, shifts)
}

/// The start of an alert's hidden first line, per suite.
pub fn alert_marker(suite: Option<&str>) -> String {
    format!("<!-- bench-bot-alert:{} ", suite.unwrap_or("default"))
}

/// The hidden first line: the marker and the episode as JSON. `<` and `>` are escaped
/// so that no benchmark name can end the HTML comment or start a tag.
pub(crate) fn state_line(suite: Option<&str>, episode: &Episode) -> String {
    let json = serde_json::to_string(episode)
        .unwrap_or_default()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e");
    format!("{}{json} -->", alert_marker(suite))
}

/// The episode an alert body carries, when it is one of this suite's.
pub fn episode_of(body: &str, suite: Option<&str>) -> Option<Episode> {
    let first = body.lines().next()?;
    let rest = first.strip_prefix(&alert_marker(suite))?;
    let json = rest.strip_suffix(" -->")?;
    serde_json::from_str(json).ok()
}

/// Whether two episodes are the same one (their first runs after are within a few runs).
pub fn same_episode(a: &Episode, b: &Episode) -> bool {
    match (&a.first_after.commit, &b.first_after.commit) {
        (Some(x), Some(y)) if x == y => true,
        _ => near(&a.first_after, &b.first_after),
    }
}

/// Merges a later view of an episode into the one an alert carries: members keep
/// their level before, take the newest level after, and new ones join.
pub fn merge(old: &Episode, new: &Episode) -> Episode {
    let mut merged = old.clone();
    for m in &new.members {
        match merged
            .members
            .iter_mut()
            .find(|o| o.id == m.id && o.metric == m.metric)
        {
            Some(o) => {
                o.after = m.after;
                o.change_pct = m.change_pct;
            }
            None => merged.members.push(m.clone()),
        }
    }
    merged.tier = merged.tier.min(new.tier);
    merged
        .members
        .sort_by(|a, b| b.change_pct.abs().total_cmp(&a.change_pct.abs()));
    merged
}

/// Whether every benchmark of the episode is back at its old level: a later change
/// point whose level after is within `min_change_pct` of the level before, or the
/// median of its newest runs (`newest`, when there are enough of them since the
/// change) within that distance.
pub fn recovered(
    episode: &Episode,
    now: &ChangesReport,
    newest: &dyn Fn(&Member) -> Option<f64>,
) -> bool {
    let tolerance = (1.0 + now.settings.min_change_pct / 100.0).ln();
    let back = |level: f64, m: &Member| (level / m.before).ln().abs() < tolerance;
    episode.members.iter().all(|m| {
        let by_change_point = now
            .benchmarks
            .iter()
            .filter(|s| s.id == m.id && s.metric.as_str() == m.metric)
            .flat_map(|s| &s.changes)
            .rfind(|c| c.first_after.index > episode.first_after.index)
            .is_some_and(|c| back(c.after.median, m));
        by_change_point || newest(m).is_some_and(|level| back(level, m))
    })
}

/// The episode as `now` sees it: the regression change points within a few runs of
/// its first run after, merged into it (levels after updated, new members added).
pub fn refreshed(old: &Episode, now: &ChangesReport) -> Episode {
    let mut view = Episode {
        members: Vec::new(),
        ..old.clone()
    };
    for s in &now.benchmarks {
        for c in &s.changes {
            if c.kind == ChangeKind::Regression && near(&c.first_after, &old.first_after) {
                view.tier = view.tier.min(c.tier);
                view.members.push(Member::of(s, c));
            }
        }
    }
    merge(old, &view)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(index: usize) -> HistoryRun {
        HistoryRun {
            index,
            commit: Some(format!("{index:040x}")),
            timestamp: None,
        }
    }

    fn episode(name: &str) -> Episode {
        Episode {
            last_before: run(9),
            first_after: run(10),
            tier: TierLabel::Critical,
            members: vec![Member {
                id: name.into(),
                metric: "time".into(),
                unit: "ns".into(),
                before: 1000.0,
                after: 1500.0,
                change_pct: 50.0,
            }],
        }
    }

    #[test]
    fn the_state_survives_a_hostile_name() {
        let e = episode("x --> <script>alert(1)</script> `|`");
        let b = body(&e, &AlertContext::default(), &Vec::new(), None);
        let first = b.lines().next().expect("line");
        assert!(!first[4..first.len() - 3].contains("-->"), "{first}");
        // Elsewhere the name is in a code span, where GitHub shows it as text.
        assert!(
            b.contains("| `` x --> <script>alert(1)</script> `\\|` `` |"),
            "{b}"
        );
        assert_eq!(b.matches("<script>").count(), 1, "{b}");
        assert_eq!(episode_of(&b, None), Some(e.clone()));
        assert_eq!(episode_of(&b, Some("other")), None);
    }

    #[test]
    fn the_trend_is_a_mermaid_chart_with_safe_labels() {
        let e = episode("parse \"quoted\"\nname");
        let trend: Trend = vec![("aaaa".into(), 1000.0), ("bbbb".into(), 1500.0)];
        let b = body(&e, &AlertContext::default(), &trend, None);
        assert!(b.contains("```mermaid\nxychart-beta\n"), "{b}");
        assert!(b.contains("title \"parse _quoted__name (time)\""), "{b}");
        assert!(
            b.contains("line [1.0000, 1.5000]") && b.contains("y-axis \"µs\""),
            "{b}"
        );
    }
}
