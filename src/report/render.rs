//! Markdown rendering with minijinja: the one place that builds the template
//! environment (embedded templates, filters, strict undefined, escaping, loading of
//! user templates, and cutting a comment to GitHub's size limit).
//!
//! Benchmark names and metadata are untrusted: every value a template prints is
//! escaped for markdown and HTML unless the template marks it `|safe`.

use std::path::{Path, PathBuf};

use std::collections::BTreeMap;

use minijinja::value::{Serde, Value};
use minijinja::{AutoEscape, Environment, Error as TplError, ErrorKind, State, UndefinedBehavior};
use serde::Serialize;

use super::charts::charts;
use super::escape::{code_span, cut_chars, escape_markdown};
use super::{Report, Status};
use crate::error::{Error, Result};

/// The built-in templates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplateKind {
    /// The pull-request comment (also `--format markdown`).
    Comment,
    /// The job summary.
    Summary,
    /// The comment on a commit of the default branch.
    Commit,
}

impl TemplateKind {
    /// The template's file name.
    pub fn name(self) -> &'static str {
        match self {
            TemplateKind::Comment => "comment.md.j2",
            TemplateKind::Summary => "summary.md.j2",
            TemplateKind::Commit => "commit.md.j2",
        }
    }
}

const BUILT_IN: [(&str, &str); 4] = [
    ("macros.md.j2", include_str!("../../templates/macros.md.j2")),
    (
        "comment.md.j2",
        include_str!("../../templates/comment.md.j2"),
    ),
    (
        "summary.md.j2",
        include_str!("../../templates/summary.md.j2"),
    ),
    ("commit.md.j2", include_str!("../../templates/commit.md.j2")),
];

/// GitHub rejects issue comments longer than this many characters.
pub const GITHUB_COMMENT_LIMIT: usize = 65_536;

/// Everything a template sees besides the report (docs/templates.md).
#[derive(Debug, Clone, Default, Serialize)]
pub struct RenderContext {
    /// Suite name (several suites keep one comment each).
    pub suite: Option<String>,
    /// Whether to start with the hidden `<!-- bench-bot:SUITE -->` marker.
    pub marker: bool,
    /// `owner/name`.
    pub repository: Option<String>,
    /// The pull request's number.
    pub pr_number: Option<u64>,
    /// The commit under test.
    pub sha: Option<String>,
    /// The workflow run's URL.
    pub run_url: Option<String>,
    /// The GitHub server's URL.
    pub server_url: Option<String>,
    /// Where the full report is, said when rows were left out.
    pub full_report: String,
}

/// Renders reports with the built-in templates, or a user's template over them.
pub struct Renderer {
    env: Environment<'static>,
    /// The user's template: its name (path) and source.
    user: Option<(String, String)>,
}

impl Default for Renderer {
    fn default() -> Self {
        Renderer::new()
    }
}

impl Renderer {
    /// A renderer with the built-in templates and bench-bot's filters.
    pub fn new() -> Renderer {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_auto_escape_callback(|_| AutoEscape::Custom("markdown".into()));
        env.set_formatter(format_escaped);
        // Filters format numbers: their output is ours, so it is marked safe.
        env.add_filter("human", |v: f64, unit: String| {
            Value::from_safe_string(crate::units::human(v, &unit))
        });
        env.add_filter("pct", |v: Option<f64>| {
            Value::from_safe_string(v.map_or_else(|| "–".to_string(), crate::units::fmt_pct))
        });
        env.add_filter("num", |v: Option<f64>, digits: Option<usize>| {
            Value::from_safe_string(match v {
                Some(v) => format!("{v:.*}", digits.unwrap_or(1)),
                None => "–".to_string(),
            })
        });
        env.add_filter("code", |v: String| Value::from_safe_string(code_span(&v)));
        env.set_loader(|name| {
            Ok(BUILT_IN
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, src)| (*src).to_string()))
        });
        Renderer { env, user: None }
    }

    /// A renderer whose template is the file at `path`. It may `import`/`include`
    /// files from its own directory, and the built-in templates; nothing else.
    pub fn with_template(path: &Path) -> Result<Renderer> {
        let name = path.display().to_string();
        let fail = |message: String| Error::Template {
            name: name.clone(),
            message,
        };
        let source = std::fs::read_to_string(path).map_err(|e| fail(crate::fs::io_reason(&e)))?;
        let dir = path
            .parent()
            .map(|p| {
                if p.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    p
                }
            })
            .unwrap_or(Path::new("."))
            .canonicalize()
            .map_err(|e| fail(crate::fs::io_reason(&e)))?;
        let mut renderer = Renderer::new();
        // Debug mode keeps spans, for the column of an error in the user's template.
        renderer.env.set_debug(true);
        renderer
            .env
            .set_loader(move |name| load_confined(&dir, name));
        renderer
            .env
            .add_template_owned("user-template", source.clone())
            .map_err(|e| template_error(&name, Some(&source), &e))?;
        renderer.user = Some((name, source));
        Ok(renderer)
    }

    /// Renders a template for a report. With `max_chars`, result rows are left out in a
    /// stable order (unchanged first, regressions last) until the text fits, and the
    /// text says how many were left out.
    pub fn render(
        &self,
        kind: TemplateKind,
        report: &Report,
        ctx: &RenderContext,
        max_chars: Option<usize>,
    ) -> Result<String> {
        let (name, tpl_name, source) = match &self.user {
            Some((path, src)) => (path.as_str(), "user-template", Some(src.as_str())),
            None => (kind.name(), kind.name(), None),
        };
        let fail = |e: TplError| {
            let in_file = e.name().filter(|n| *n != "user-template");
            let src = match in_file {
                Some(n) => BUILT_IN.iter().find(|(b, _)| *b == n).map(|(_, s)| *s),
                None => source,
            };
            template_error(in_file.unwrap_or(name), src, &e)
        };
        let tpl = self.env.get_template(tpl_name).map_err(fail)?;
        let prepared = Prepared::new(report, ctx);
        let total = report.results.len();
        let render = |keep: usize| -> Result<String> {
            tpl.render(prepared.context(keep)).map(tidy).map_err(fail)
        };
        let full = render(total)?;
        let Some(limit) = max_chars else {
            return Ok(full);
        };
        let len = full.chars().count();
        if len <= limit {
            return Ok(full);
        }
        // Estimate the rows that fit from the cost of a row, then shrink until it fits.
        let bare = render(0)?.chars().count();
        if bare > limit {
            return Ok(cut_chars(&render(0)?, limit));
        }
        let per_row = (len - bare) as f64 / total.max(1) as f64;
        let mut keep = (((limit - bare) as f64 / per_row) * 0.97) as usize;
        loop {
            let text = render(keep)?;
            if text.chars().count() <= limit || keep == 0 {
                return Ok(cut_chars(&text, limit));
            }
            keep = keep * 9 / 10;
        }
    }
}

/// Collapses runs of blank lines that template blocks leave behind.
fn tidy(text: String) -> String {
    let mut out = String::with_capacity(text.len());
    let mut newlines = 0;
    for c in text.chars() {
        if c == '\n' {
            newlines += 1;
            if newlines > 2 {
                continue;
            }
        } else {
            newlines = 0;
        }
        out.push(c);
    }
    out
}

/// Serves `name` from `dir` only: no absolute paths, no `..`, no links out of it;
/// otherwise a built-in template of that name.
fn load_confined(dir: &Path, name: &str) -> Result<Option<String>, TplError> {
    let candidate = Path::new(name);
    let plain = candidate
        .components()
        .all(|c| matches!(c, std::path::Component::Normal(_)));
    if plain {
        let path: PathBuf = dir.join(candidate);
        if let Ok(real) = path.canonicalize() {
            if !real.starts_with(dir) {
                return Err(TplError::new(
                    ErrorKind::InvalidOperation,
                    format!("template `{name}` is outside the template's directory"),
                ));
            }
            return std::fs::read_to_string(&real).map(Some).map_err(|e| {
                TplError::new(
                    ErrorKind::InvalidOperation,
                    format!("cannot read `{name}`: {e}"),
                )
            });
        }
    } else {
        return Err(TplError::new(
            ErrorKind::InvalidOperation,
            format!("template `{name}` is outside the template's directory"),
        ));
    }
    Ok(BUILT_IN
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, src)| (*src).to_string()))
}

/// The template context, converted once: the JSON report, the results split by status,
/// the charts and the render context. Each render takes the first `keep` rows in
/// leaving-out order.
struct Prepared {
    base: Value,
    lists: Vec<(&'static str, Vec<Value>)>,
}

impl Prepared {
    fn new(report: &Report, ctx: &RenderContext) -> Prepared {
        // Rows are left out from the end of this order: unchanged first, regressions last.
        let order = [
            ("regressions", Status::Regression),
            ("improvements", Status::Improvement),
            ("noisy", Status::Noisy),
            ("missing", Status::Missing),
            ("new", Status::New),
            ("unchanged", Status::Unchanged),
        ];
        let rows: Vec<Value> = report
            .results
            .iter()
            .map(|r| Value::from(Serde(r)))
            .collect();
        let lists = order
            .into_iter()
            .map(|(key, status)| {
                let of: Vec<Value> = report
                    .results
                    .iter()
                    .zip(&rows)
                    .filter(|(r, _)| r.status == status)
                    .map(|(_, v)| v.clone())
                    .collect();
                (key, of)
            })
            .collect();
        let mut map: BTreeMap<String, Value> = BTreeMap::new();
        if let Ok(serde_json::Value::Object(fields)) = serde_json::to_value(ReportHead(report)) {
            for (k, v) in fields {
                map.insert(k, Value::from(Serde(v)));
            }
        }
        map.insert("results".into(), Value::from(rows));
        map.insert("basis".into(), Value::from(super::basis(report)));
        map.insert("charts".into(), Value::from(Serde(charts(report))));
        if let Ok(serde_json::Value::Object(extra)) = serde_json::to_value(ctx) {
            for (k, v) in extra {
                map.insert(k, Value::from(Serde(v)));
            }
        }
        Prepared {
            base: Value::from(map),
            lists,
        }
    }

    fn context(&self, keep: usize) -> Value {
        let mut budget = keep;
        let mut omitted = 0;
        let mut map: BTreeMap<&str, Value> = BTreeMap::new();
        for (key, rows) in &self.lists {
            let take = rows.len().min(budget);
            budget -= take;
            omitted += rows.len() - take;
            map.insert(key, Value::from(rows[..take].to_vec()));
        }
        map.insert("omitted", Value::from(omitted));
        minijinja::context! { ..Value::from(map), ..self.base.clone() }
    }
}

/// The report without its results, which are converted row by row.
struct ReportHead<'a>(&'a Report);

impl Serialize for ReportHead<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let r = self.0;
        let mut m = s.serialize_map(Some(10))?;
        m.serialize_entry("schema", &r.schema)?;
        m.serialize_entry("verdict", &r.verdict)?;
        m.serialize_entry("blocked", &r.blocked)?;
        m.serialize_entry("summary", &r.summary)?;
        m.serialize_entry("current", &r.current)?;
        m.serialize_entry("baseline", &r.baseline)?;
        m.serialize_entry("notes", &r.notes)?;
        m.serialize_entry("warnings", &r.warnings)?;
        m.serialize_entry("settings", &r.settings)?;
        m.serialize_entry("version", &r.version)?;
        m.end()
    }
}

/// A template error with its line and column.
fn template_error(name: &str, source: Option<&str>, e: &TplError) -> Error {
    let what = e
        .detail()
        .map_or_else(|| e.kind().to_string(), |d| format!("{}: {d}", e.kind()));
    let column = match (source, e.range()) {
        (Some(src), Some(range)) => {
            let start = range.start.min(src.len());
            Some(
                src[..start]
                    .chars()
                    .rev()
                    .take_while(|c| *c != '\n')
                    .count()
                    + 1,
            )
        }
        _ => None,
    };
    let message = match (e.line(), column) {
        (Some(line), Some(col)) => format!("line {line}, column {col}: {what}"),
        (Some(line), None) => format!("line {line}: {what}"),
        _ => what,
    };
    Error::Template {
        name: name.to_string(),
        message,
    }
}

/// Writes a value, escaping strings that are not marked safe.
fn format_escaped(
    out: &mut minijinja::Output<'_>,
    state: &mut State<'_, '_>,
    value: &Value,
) -> Result<(), TplError> {
    if *state.auto_escape() == AutoEscape::None || value.is_safe() {
        return minijinja::escape_formatter(out, state, value);
    }
    let text = match value.as_str() {
        Some(s) => escape_markdown(s),
        // Numbers, booleans and none print as themselves; anything else is escaped.
        None => escape_markdown(&value.to_string()),
    };
    out.write_str(&text)
        .map_err(|_| TplError::new(ErrorKind::WriteFailure, "could not write output"))
}
