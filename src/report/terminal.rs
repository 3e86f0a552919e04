//! The terminal rendering: a table of the results that matter and a verdict line.

use comfy_table::{Cell, CellAlignment, Table, presets::UTF8_FULL_CONDENSED};

use super::{Report, Status, TierLabel};
use crate::units::human;

/// Whether to colour the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorChoice {
    /// ANSI colours.
    Always,
    /// Plain text.
    Never,
}

const RESET: &str = "\x1b[0m";

fn paint(text: &str, code: &str, color: ColorChoice) -> String {
    match color {
        ColorChoice::Always => format!("\x1b[{code}m{text}{RESET}"),
        ColorChoice::Never => text.to_string(),
    }
}

fn tier_code(tier: TierLabel, status: Status) -> &'static str {
    match (status, tier) {
        (Status::Regression, TierLabel::Critical) => "1;31",
        (Status::Regression, TierLabel::Warning) => "33",
        (Status::Regression, _) => "36",
        (Status::Improvement, _) => "32",
        (Status::Noisy, _) => "35",
        _ => "2",
    }
}

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_string(), crate::units::fmt_pct)
}

/// Renders the report as a table for a terminal. Unchanged results are counted, not listed.
pub fn terminal_table(report: &Report, color: ColorChoice) -> String {
    let mut out = String::new();
    for note in &report.notes {
        out.push_str(&paint(&format!("note: {note}"), "1;33", color));
        out.push('\n');
    }
    let shown: Vec<_> = report
        .results
        .iter()
        .filter(|r| r.status != Status::Unchanged)
        .collect();
    if !shown.is_empty() {
        let mut table = Table::new();
        table.load_preset(UTF8_FULL_CONDENSED);
        table.set_header([
            "benchmark",
            "metric",
            "baseline",
            "current",
            "change",
            "σ / t",
            "result",
        ]);
        for r in &shown {
            // A derived measurement (throughput from time) goes on a second line of the
            // same row: one measurement, one verdict.
            let value = |side: Option<f64>, paired: &dyn Fn(&super::Paired) -> Option<f64>| {
                let mut text = side
                    .map(|v| human(v, &r.unit))
                    .unwrap_or_else(|| "–".into());
                for p in &r.paired {
                    text.push('\n');
                    text.push_str(&paired(p).map_or_else(|| "–".into(), |v| human(v, &p.unit)));
                }
                text
            };
            let mut metric = r.metric.clone();
            let mut change = pct(r.value_change_pct);
            for p in &r.paired {
                metric.push('\n');
                metric.push_str(&p.metric);
                change.push('\n');
                change.push_str(&pct(p.value_change_pct));
            }
            // Same-runner A/B: the change's 95 % interval and the rounds under it.
            if let Some(n) = r.rounds {
                if let Some([lo, hi]) = r.interval_pct {
                    change.push_str(&format!("\n{} to {}", pct(Some(lo)), pct(Some(hi))));
                }
                change.push_str(&format!("\n{n} rounds"));
            }
            let result = match r.status {
                Status::Regression => format!("{:?}", r.tier).to_lowercase(),
                other => format!("{other:?}").to_lowercase(),
            };
            table.add_row(vec![
                Cell::new(&r.id),
                Cell::new(metric),
                Cell::new(value(r.baseline.as_ref().map(|b| b.value), &|p| p.baseline))
                    .set_alignment(CellAlignment::Right),
                Cell::new(value(r.current.as_ref().map(|c| c.value), &|p| p.current))
                    .set_alignment(CellAlignment::Right),
                Cell::new(change).set_alignment(CellAlignment::Right),
                Cell::new(r.z.map(|z| format!("{z:.1}")).unwrap_or_else(|| "–".into()))
                    .set_alignment(CellAlignment::Right),
                Cell::new(paint(&result, tier_code(r.tier, r.status), color)),
            ]);
        }
        out.push_str(&table.to_string());
        out.push('\n');
    }
    if let Some(basis) = super::basis(report) {
        out.push_str(&paint(&basis, "2", color));
        out.push('\n');
    }
    let s = &report.summary;
    let unchanged = s
        .compared
        .saturating_sub(s.critical + s.warning + s.notice + s.improvements + s.noisy);
    out.push_str(&format!(
        "{} compared against {}: {} critical, {} warning, {} notice, {} improved, {} noisy, \
         {} new, {} missing, {unchanged} unchanged\n",
        s.compared,
        report.baseline.description,
        s.critical,
        s.warning,
        s.notice,
        s.improvements,
        s.noisy,
        s.new,
        s.missing
    ));
    let verdict = format!("{:?}", report.verdict).to_lowercase();
    let line = if report.blocked {
        format!("verdict: {verdict} (blocked)")
    } else if report.verdict == super::Verdict::Unknown && s.compared > 0 {
        format!("verdict: {verdict} (undecided: needs more rounds)")
    } else if report.verdict == super::Verdict::Unknown {
        format!("verdict: {verdict} (nothing compared)")
    } else {
        format!("verdict: {verdict}")
    };
    let code = match report.verdict {
        super::Verdict::Critical => "1;31",
        super::Verdict::Warning => "33",
        super::Verdict::Notice => "36",
        super::Verdict::Pass => "32",
        super::Verdict::Unknown => "1;33",
    };
    out.push_str(&paint(&line, code, color));
    out.push('\n');
    // A warning that is also a note (a history branch that does not exist) was shown
    // above already.
    let same = |w: &str, n: &str| w.eq_ignore_ascii_case(n.strip_suffix('.').unwrap_or(n));
    for w in &report.warnings {
        if !report.notes.iter().any(|n| same(w, n)) {
            out.push_str(&format!("warning: {w}\n"));
        }
    }
    out
}
