//! Markdown rendering with minijinja: the one place that builds the template
//! environment (embedded templates, filters, strict undefined, escaping).
//!
//! Benchmark names and metadata are untrusted: every value a template prints is
//! escaped for markdown and HTML unless the template marks it `|safe`.

use minijinja::value::Value;
use minijinja::{AutoEscape, Environment, Error as TplError, ErrorKind, State, UndefinedBehavior};
use serde::Serialize;

use super::{Report, Status};
use crate::error::{Error, Result};

/// The built-in templates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplateKind {
    /// The pull-request comment (also `--format markdown`).
    Comment,
}

impl TemplateKind {
    fn name(self) -> &'static str {
        match self {
            TemplateKind::Comment => "comment.md.j2",
        }
    }
}

const COMMENT: &str = include_str!("../../templates/comment.md.j2");

/// Renders reports with the built-in templates.
pub struct Renderer {
    env: Environment<'static>,
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
            Value::from_safe_string(match v {
                Some(v) if v >= 0.0 => format!("+{v:.1} %"),
                Some(v) => format!("\u{2212}{:.1} %", -v),
                None => "–".to_string(),
            })
        });
        env.add_filter("num", |v: Option<f64>, digits: Option<usize>| {
            Value::from_safe_string(match v {
                Some(v) => format!("{v:.*}", digits.unwrap_or(1)),
                None => "–".to_string(),
            })
        });
        env.add_filter("md", |v: String| {
            Value::from_safe_string(escape_markdown(&v))
        });
        #[expect(clippy::expect_used, reason = "the built-in template is tested")]
        env.add_template(TemplateKind::Comment.name(), COMMENT)
            .expect("built-in template compiles");
        Renderer { env }
    }

    /// Renders a built-in template for a report with extra context values.
    pub fn render(
        &self,
        kind: TemplateKind,
        report: &Report,
        extra: &impl Serialize,
    ) -> Result<String> {
        let tpl = self
            .env
            .get_template(kind.name())
            .map_err(|e| template_error(kind.name(), &e))?;
        let ctx = context(report, extra);
        tpl.render(ctx).map_err(|e| template_error(kind.name(), &e))
    }
}

/// The template context: the JSON report, the results split by status, and `extra`.
fn context(report: &Report, extra: &impl Serialize) -> Value {
    let by = |s: Status| {
        report
            .results
            .iter()
            .filter(|r| r.status == s)
            .collect::<Vec<_>>()
    };
    let mut ctx = serde_json::to_value(report).unwrap_or_default();
    if let serde_json::Value::Object(map) = &mut ctx {
        for (key, status) in [
            ("regressions", Status::Regression),
            ("improvements", Status::Improvement),
            ("noisy", Status::Noisy),
            ("new", Status::New),
            ("missing", Status::Missing),
            ("unchanged", Status::Unchanged),
        ] {
            map.insert(
                key.to_string(),
                serde_json::to_value(by(status)).unwrap_or_default(),
            );
        }
        if let Ok(serde_json::Value::Object(extra)) = serde_json::to_value(extra) {
            map.extend(extra);
        }
    }
    Value::from(minijinja::value::Serde(ctx))
}

fn template_error(name: &str, e: &TplError) -> Error {
    let mut message = e.to_string();
    if let Some(line) = e.line() {
        message = format!("line {line}: {message}");
    }
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

/// Escapes text for a markdown table cell: HTML is inert, markdown syntax literal,
/// `@mentions` do not notify, and line breaks cannot end the row.
pub fn escape_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '(' | ')' | '#' | '!' | '|' | '~' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            // A zero-width space after `@` keeps GitHub from notifying a user or team.
            '@' => out.push_str("@\u{200b}"),
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_text_is_inert() {
        let e = escape_markdown("a|b `c` <script>x</script> @org/team ![x](http://e.x/i.png)\nrow");
        assert!(!e.contains("<script>"), "{e}");
        assert!(e.contains("a\\|b") && e.contains("\\`c\\`"), "{e}");
        assert!(e.contains("@\u{200b}org"), "{e}");
        assert!(e.contains("\\!\\[x\\]\\(http"), "{e}");
        assert!(!e.contains('\n'));
    }
}
