//! The alert's title and markdown: the hidden state line, the commit range, the
//! benchmarks with their levels, a mermaid trend, and links.

use super::{Episode, Member, state_line};
use crate::report::{HistoryRun, code_span, escape_markdown};
use crate::units::fmt_pct;

/// What the alert links to and shows.
#[derive(Debug, Clone, Default)]
pub struct AlertContext {
    /// The suite's name, if any.
    pub suite: Option<String>,
    /// `https://github.com/owner/name`, for commit links.
    pub repo_url: Option<String>,
    /// The dashboard's address, when the history keeps one.
    pub dashboard_url: Option<String>,
    /// The workflow run that wrote the alert.
    pub run_url: Option<String>,
}

/// One benchmark's values over the newest runs, for the trend chart: (short sha or
/// run number, value).
pub type Trend = Vec<(String, f64)>;

fn short(run: &HistoryRun) -> String {
    run.commit.as_deref().map_or_else(
        || format!("run {}", run.index + 1),
        |c| c[..c.len().min(10)].to_string(),
    )
}

/// The issue's title.
pub fn title(episode: &Episode, suite: Option<&str>) -> String {
    let at = format!(
        "{}..{}",
        short(&episode.last_before),
        short(&episode.first_after)
    );
    let what = match episode.members.as_slice() {
        [one] => format!("{} {} {}", one.id, one.metric, fmt_pct(one.change_pct)),
        many => format!(
            "{} benchmarks slower (up to {})",
            many.len(),
            fmt_pct(many.first().map_or(0.0, |m| m.change_pct))
        ),
    };
    let suite = suite.map_or(String::new(), |s| format!(" [{s}]"));
    let mut t = format!("Performance regression{suite}: {what} at {at}");
    if t.chars().count() > 200 {
        t = t.chars().take(199).collect::<String>() + "…";
    }
    t
}

/// A name as mermaid reads it inside a quoted title: letters, digits and a few marks.
fn mermaid_text(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || " _./:-[]()=,+µ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .take(80)
        .collect()
}

/// The unit to draw `values` in, and its divisor.
fn chart_unit(unit: &str, max: f64) -> (String, f64) {
    let steps: &[(f64, &str)] = match unit {
        "ns" => &[(1e9, "s"), (1e6, "ms"), (1e3, "µs"), (1.0, "ns")],
        "B" => &[
            (1_073_741_824.0, "GiB"),
            (1_048_576.0, "MiB"),
            (1024.0, "KiB"),
            (1.0, "B"),
        ],
        _ => &[(1.0, "")],
    };
    for (div, name) in steps {
        if max >= *div {
            return (if name.is_empty() { unit } else { name }.to_string(), *div);
        }
    }
    (unit.to_string(), 1.0)
}

fn mermaid(member: &Member, trend: &Trend) -> String {
    let max = trend.iter().map(|(_, v)| *v).fold(0.0, f64::max);
    let (unit, div) = chart_unit(&member.unit, max);
    let labels: Vec<String> = trend
        .iter()
        .map(|(l, _)| format!("\"{}\"", mermaid_text(l)))
        .collect();
    let values: Vec<String> = trend
        .iter()
        .map(|(_, v)| format!("{:.4}", v / div))
        .collect();
    format!(
        "```mermaid\nxychart-beta\n    title \"{} ({})\"\n    x-axis [{}]\n    y-axis \"{}\"\n    line [{}]\n```\n",
        mermaid_text(&member.id),
        mermaid_text(&member.metric),
        labels.join(", "),
        mermaid_text(&unit),
        values.join(", ")
    )
}

/// The alert's markdown: the hidden state line, the commit range, the benchmarks with
/// their levels, the trend of the largest change, and links.
pub fn body(episode: &Episode, ctx: &AlertContext, trend: &Trend, closing: Option<&str>) -> String {
    let mut out = state_line(ctx.suite.as_deref(), episode);
    out.push('\n');
    let commit = |run: &HistoryRun| match (&ctx.repo_url, &run.commit) {
        (Some(url), Some(c)) => format!("[`{}`]({url}/commit/{c})", &c[..c.len().min(10)]),
        _ => format!("`{}`", short(run)),
    };
    out.push_str(&format!(
        "## Performance regression{}\n\n",
        ctx.suite
            .as_deref()
            .map_or(String::new(), |s| format!(" in {}", escape_markdown(s)))
    ));
    if let Some(note) = closing {
        out.push_str(&format!("> **Recovered:** {note}\n\n"));
    }
    let range = match (
        &ctx.repo_url,
        &episode.last_before.commit,
        &episode.first_after.commit,
    ) {
        (Some(url), Some(a), Some(b)) => {
            format!(" ([compare]({url}/compare/{a}...{b}))")
        }
        _ => String::new(),
    };
    out.push_str(&format!(
        "The level of {} changed between {} and {}{range}: the change is in these commits.\n\n",
        match episode.members.len() {
            1 => "one benchmark".to_string(),
            n => format!("{n} benchmarks"),
        },
        commit(&episode.last_before),
        commit(&episode.first_after),
    ));
    out.push_str("| benchmark | metric | before | after | change |\n|---|---|--:|--:|--:|\n");
    for m in &episode.members {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            code_span(&m.id),
            escape_markdown(&m.metric),
            escape_markdown(&crate::units::human(m.before, &m.unit)),
            escape_markdown(&crate::units::human(m.after, &m.unit)),
            escape_markdown(&fmt_pct(m.change_pct))
        ));
    }
    out.push('\n');
    if let Some(first) = episode.members.first()
        && trend.len() >= 2
    {
        out.push_str(&mermaid(first, trend));
        out.push('\n');
    }
    let mut links = Vec::new();
    if let Some(url) = &ctx.dashboard_url {
        links.push(format!("[dashboard]({url})"));
    }
    if let Some(url) = &ctx.run_url {
        links.push(format!("[workflow run]({url})"));
    }
    out.push_str(
        "Found by `bench-bot changes` over the recorded history: a persistent change of the \
         level, not one slow run. This issue is updated by later runs and closed when every \
         benchmark is back at its old level.",
    );
    if !links.is_empty() {
        out.push_str(&format!(" {}", links.join(" · ")));
    }
    out.push('\n');
    out
}
