//! Escaping untrusted text (benchmark names, metadata) for markdown and HTML, and
//! cutting text to a size limit on a character boundary.

/// Untrusted text as an inline code span inside a table cell: markdown, HTML and
/// mentions are literal there; the fence is longer than any backtick run inside, and
/// `|` is escaped because GitHub splits table cells before it reads code spans.
pub fn code_span(s: &str) -> String {
    let text: String = s
        .chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .collect();
    let text = text.replace('|', "\\|");
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') || text.is_empty() {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// Cuts text to `limit` characters on a character boundary (a last resort).
pub fn cut_chars(text: &str, limit: usize) -> String {
    match text.char_indices().nth(limit) {
        Some((i, _)) => text[..i].to_string(),
        None => text.to_string(),
    }
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

    #[test]
    fn code_spans_fence_backticks_and_escape_pipes() {
        assert_eq!(code_span("a_b"), "`a_b`");
        assert_eq!(code_span("a`b"), "``a`b``");
        assert_eq!(code_span("`x`"), "`` `x` ``");
        assert_eq!(code_span("a|b\nc"), "`a\\|b c`");
    }
}
