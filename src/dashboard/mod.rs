//! The history dashboard: one self-contained `index.html` with a chart per benchmark
//! metric, drawn in the browser by the vendored uPlot (MIT), with no request to any
//! other host, so that it works opened from disk and on GitHub Pages.

mod data;

pub use data::{SiteData, build};

use crate::config::Config;
use crate::error::{Error, Result};
use crate::history::HistoryRepo;
use crate::model::Run;

const PAGE: &str = include_str!("../../templates/dashboard/index.html");
const APP: &str = include_str!("../../templates/dashboard/app.js");
const STYLE: &str = include_str!("../../templates/dashboard/style.css");
const UPLOT_JS: &str = include_str!("../../templates/dashboard/vendor/uPlot.iife.min.js");
const UPLOT_CSS: &str = include_str!("../../templates/dashboard/vendor/uPlot.min.css");

/// Where the dashboard lives in the history branch.
pub const HISTORY_DIR: &str = "dashboard";

/// JSON that is safe inside a `<script>` element: `<` never appears raw, so neither
/// `</script>` nor `<!--` in a benchmark name can end or confuse it.
fn script_json(data: &SiteData) -> Result<String> {
    let json = serde_json::to_string(data)
        .map_err(|e| Error::Internal(format!("the dashboard data did not serialize: {e}")))?;
    Ok(json
        .replace('<', "\\u003c")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029"))
}

/// Renders the page for runs in commit order.
pub fn render(
    runs: &[Run],
    config: &Config,
    repo_url: Option<String>,
    title: &str,
) -> Result<String> {
    let data = build(runs, config, repo_url);
    let title = html_escape(title);
    let data = script_json(&data)?;
    Ok(fill(
        PAGE,
        &[
            ("{{TITLE}}", &title),
            ("/*{{UPLOT_CSS}}*/", UPLOT_CSS),
            ("/*{{STYLE}}*/", STYLE),
            ("/*{{UPLOT_JS}}*/", UPLOT_JS),
            ("/*{{APP}}*/", APP),
            ("{{DATA}}", &data),
        ],
    ))
}

/// Fills the page's placeholders in one pass over the page itself: text that was put
/// in (a branch named `{{DATA}}`, a benchmark name) is never searched again.
fn fill(page: &str, values: &[(&str, &str)]) -> String {
    let extra: usize = values.iter().map(|(_, v)| v.len()).sum();
    let mut out = String::with_capacity(page.len() + extra);
    let mut rest = page;
    loop {
        let next = values
            .iter()
            .filter_map(|(key, value)| rest.find(key).map(|i| (i, *key, *value)))
            .min_by_key(|(i, _, _)| *i);
        let Some((i, key, value)) = next else {
            out.push_str(rest);
            return out;
        };
        out.push_str(&rest[..i]);
        out.push_str(value);
        rest = &rest[i + key.len()..];
    }
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Writes `index.html` into `out`.
pub fn write(out: &std::path::Path, html: &str) -> Result<()> {
    std::fs::create_dir_all(out).map_err(|source| Error::Output {
        path: out.to_path_buf(),
        source,
    })?;
    crate::fs::write_atomic(&out.join("index.html"), html.as_bytes())
}

/// The dashboard files for a history branch that is about to receive `new_run`:
/// `dashboard/index.html` over every run recorded for `branch`, plus the new one.
pub fn files_for_history(
    repo: &HistoryRepo,
    new_run: &Run,
    branch: &str,
    config: &Config,
    repo_url: Option<String>,
) -> Result<Vec<(String, Vec<u8>)>> {
    let (mut runs, _warnings) = repo.all_runs(branch).map_err(Error::from)?;
    runs.push(new_run.clone());
    let html = render(&runs, config, repo_url, &format!("Benchmarks on {branch}"))?;
    Ok(vec![(
        format!("{HISTORY_DIR}/index.html"),
        html.into_bytes(),
    )])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inserted_text_is_never_filled_again() {
        let page = fill(
            "<h1>{{TITLE}}</h1><p>{{TITLE}}</p><script>{{DATA}}</script>",
            &[
                ("{{TITLE}}", "{{DATA}}"),
                ("{{DATA}}", "{\"x\":\"{{TITLE}}\"}"),
            ],
        );
        assert_eq!(
            page,
            "<h1>{{DATA}}</h1><p>{{DATA}}</p><script>{\"x\":\"{{TITLE}}\"}</script>"
        );
    }
}
