//! The action's side channels on the runner: the saved report, the job summary, the
//! step outputs and the annotations. A failure here is a warning, never the verdict.

use std::path::{Path, PathBuf};

use super::{Context, workspace};
use crate::app::analyze::report_json;
use crate::error::{Error, Result};
use crate::fs::write_atomic;
use crate::github::commands::{self, Level};
use crate::report::{Renderer, Report, Status, TemplateKind, TierLabel};

impl Context<'_> {
    /// Writes the JSON report under `bench-bot-report/` in the workspace.
    pub(super) fn save_report(&self, report: &Report) -> Result<PathBuf> {
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
        write_atomic(&path, report_json(report)?.as_bytes())?;
        Ok(path)
    }

    /// Appends the summary template's markdown to the job summary.
    pub(super) fn write_summary(&self, report: &Report, report_path: &Path) {
        let Some(path) = &self.env.github.step_summary else {
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
            .and_then(|md| commands::append_summary(path, &md));
        if let Err(e) = result {
            self.warn(&format!("{e}; no job summary"));
        }
    }

    /// One annotation per regression (a few per tier), and the no-baseline warning.
    pub(super) fn annotate(&self, report: &Report) {
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

    /// The step outputs.
    pub(super) fn outputs(
        &self,
        report: &Report,
        report_path: &Path,
        comment_url: Option<String>,
    ) -> Result<()> {
        let Some(path) = &self.env.github.output else {
            return Ok(());
        };
        let s = &report.summary;
        commands::write_outputs(
            path,
            &[
                ("verdict", format!("{:?}", report.verdict).to_lowercase()),
                ("blocked", report.blocked.to_string()),
                (
                    "regressions",
                    (s.critical + s.warning + s.notice).to_string(),
                ),
                ("improvements", s.improvements.to_string()),
                // Relative to the workspace: inside the container it is mounted at
                // /github/workspace, a path the runner's later steps do not have.
                (
                    "report",
                    workspace::relative(&self.workspace, report_path)
                        .display()
                        .to_string(),
                ),
                ("comment-url", comment_url.unwrap_or_default()),
            ],
        )
    }
}
