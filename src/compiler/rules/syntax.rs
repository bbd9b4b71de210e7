//! `syntax`: the file is not valid KDL 2.0 or not valid UTF-8.

use kdl::KdlError;

use crate::compiler::codes::Code;
use crate::compiler::diagnostics::Diagnostic;
use crate::compiler::source::{FileId, SourceFile, Span};

/// At most this many syntax errors are shown per file: after the first few, the
/// parser's recovery mostly reports consequences of the first mistake.
const MAX_PER_FILE: usize = 5;

/// The parser's errors, remapped so they carry our file name: at most one per line,
/// the first few lines only.
pub(crate) fn from_kdl(file: FileId, source: &SourceFile, err: KdlError) -> Vec<Diagnostic> {
    let text = source.text();
    let mut found: Vec<_> = err.diagnostics.into_iter().collect();
    found.sort_by_key(|d| (d.span.offset(), d.span.len()));
    let mut out: Vec<Diagnostic> = Vec::new();
    let mut last_line = None;
    for d in found {
        let start =
            crate::compiler::source::floor_char_boundary(text, d.span.offset().min(text.len()));
        let end = crate::compiler::source::floor_char_boundary(
            text,
            (start + d.span.len()).min(text.len()),
        )
        .max(start);
        let line = source.line_index(start);
        if last_line == Some(line) {
            continue;
        }
        last_line = Some(line);
        if out.len() == MAX_PER_FILE {
            break;
        }
        let line_start = text[..start].rfind(['\n', '\r']).map_or(0, |i| i + 1);
        let (message, label, help, at) = reword(
            &text[line_start..start],
            &text[start..],
            d.message,
            d.label,
            d.help,
        );
        // A hint may point at the mistake itself (the comma), not where the
        // parser gave up.
        let (start, end) = at.map_or((start, end), |at| (start + at.start, start + at.end));
        out.push(
            Diagnostic::new(Code::Syntax, message, Span::new(file, start..end), label)
                .with_help(help),
        );
    }
    out
}

/// The parser's wording, made specific where we can tell what went wrong:
/// `before` is the line up to the error, `rest` the text from the error on. A
/// hint that knows where the mistake is gives its range in `rest`.
fn reword(
    before: &str,
    rest: &str,
    message: Option<String>,
    label: Option<String>,
    help: Option<String>,
) -> (String, String, String, Option<std::ops::Range<usize>>) {
    let message = message.unwrap_or_else(|| "invalid KDL".into());
    if let Some(comma) = comma_after_value(rest) {
        return (
            "KDL separates values with spaces, not commas".into(),
            "comma".into(),
            "remove the comma: `domains \"a.example\" \"b.example\"`".into(),
            Some(comma..comma + 1),
        );
    }
    if let Some(len) = kdl1_raw_string(rest) {
        return (
            "`r\"...\"` is a KDL 1.0 raw string".into(),
            "KDL 1.0 raw string".into(),
            "KDL 2.0 writes raw strings as `#\"...\"#`; a plain `\"...\"` is enough for domains and names".into(),
            Some(0..len),
        );
    }
    if message == "Unexpected newline in single-line quoted string" {
        return (
            "this string is not closed on its line".into(),
            "unclosed string".into(),
            "close the string with `\"`; a string over several lines starts with `\"\"\"` and a newline".into(),
            None,
        );
    }
    if let Some(help) = kdl1_keyword(rest) {
        return (message, "KDL 1.0 keyword".into(), help.into(), None);
    }
    if before.trim_end().ends_with('}') && !rest.starts_with(['}', ';']) {
        let word = rest
            .find(|c: char| c.is_whitespace() || c == '{')
            .unwrap_or(rest.len());
        return (
            "two nodes on one line need a `;` between them".into(),
            "a second node on this line".into(),
            "end the first node with `;` (`isp \"A\" { domains \"a.example\" }; isp \"B\" { ... }`) or start the second on a line of its own".into(),
            Some(0..word.max(1).min(rest.len())),
        );
    }
    let label = match label {
        // The parser labels "not quoted string"; say what was expected instead.
        Some(l) => match l.strip_prefix("not ") {
            Some(what) if what != "closed" => format!("expected {what} here"),
            _ => l,
        },
        None => "here".into(),
    };
    let help = help.unwrap_or_else(|| {
        "isptab files are KDL 2.0: strings in double quotes, `#true`/`#false`, blocks in `{ }`"
            .into()
    });
    (message, label, help, None)
}

/// Where a comma right after a value is (`"a.example", "b.example"`): at the
/// start of `rest`, or after the quoted string or bare word it starts with.
fn comma_after_value(rest: &str) -> Option<usize> {
    if rest.starts_with(',') {
        return Some(0);
    }
    let end = if let Some(quoted) = rest.strip_prefix('"') {
        // The closing quote (a backslash escapes the next character).
        let mut escaped = false;
        let close = quoted.char_indices().find(|&(_, c)| {
            let close = c == '"' && !escaped;
            escaped = c == '\\' && !escaped;
            close || c == '\n'
        })?;
        (close.1 == '"').then_some(1 + close.0 + 1)?
    } else {
        rest.find(|c: char| c.is_whitespace() || c == ',' || c == ';' || c == '{')?
    };
    rest[end..].starts_with(',').then_some(end)
}

/// The length of a KDL 1.0 raw string's opening (`r"`, `r#"`, `r##"`) at the
/// start of `rest`.
fn kdl1_raw_string(rest: &str) -> Option<usize> {
    let hashes = rest
        .strip_prefix('r')?
        .bytes()
        .take_while(|&b| b == b'#')
        .count();
    rest[1 + hashes..].starts_with('"').then_some(2 + hashes)
}

/// Help for a KDL 1.0 keyword (`true` instead of `#true`) at the start of `rest`.
fn kdl1_keyword(rest: &str) -> Option<&'static str> {
    let word: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    match word.as_str() {
        "true" | "false" => Some("KDL 2.0 writes booleans as `#true` and `#false`"),
        "null" => Some("KDL 2.0 writes null as `#null`"),
        _ => None,
    }
}

/// The parser itself failed (a bug in it); the file is treated as not parsed.
pub(crate) fn parser_failed(span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::Syntax,
        "the KDL parser failed on this file",
        span,
        "not parsed",
    )
    .with_help("this is a bug in the parser, not in the file's text as far as isptab can tell; please report it with the file")
}

/// The file is not UTF-8; `bad` lists the offending bytes.
pub(crate) fn invalid_utf8(span: Span, bad: &str) -> Diagnostic {
    Diagnostic::new(
        Code::Syntax,
        format!(
            "the file is not valid UTF-8: byte {bad} cannot start or continue a character here"
        ),
        span,
        "invalid UTF-8",
    )
    .with_help("save the file as UTF-8 text; if it is a binary file, check the path")
}

#[cfg(test)]
mod tests {
    use super::{comma_after_value, kdl1_raw_string};

    #[test]
    fn a_comma_after_a_value_and_not_inside_one() {
        assert_eq!(comma_after_value(r#""a.example", "b""#), Some(11));
        assert_eq!(comma_after_value(r#"a.example, "b""#), Some(9));
        assert_eq!(comma_after_value(", x"), Some(0));
        // Inside a string, after an escaped quote, or on a later line: not this.
        assert_eq!(comma_after_value(r#""a, b" c"#), None);
        assert_eq!(comma_after_value(r#""a\", b" c"#), None);
        assert_eq!(comma_after_value("\"a\nb\", c"), None);
        assert_eq!(comma_after_value("a.example b, c"), None);
    }

    #[test]
    fn kdl1_raw_strings_and_kdl2_ones() {
        assert_eq!(kdl1_raw_string(r#"r"x""#), Some(2));
        assert_eq!(kdl1_raw_string(r##"r#"x"#"##), Some(3));
        assert_eq!(kdl1_raw_string(r##"#"x"#"##), None);
        assert_eq!(kdl1_raw_string("rate"), None);
    }
}
