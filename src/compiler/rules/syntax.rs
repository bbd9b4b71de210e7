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
        let (message, label, help) = reword(&text[start..], d.message, d.label, d.help);
        out.push(
            Diagnostic::new(Code::Syntax, message, Span::new(file, start..end), label)
                .with_help(help),
        );
    }
    out
}

/// The parser's wording, made specific where we can tell what went wrong: `rest`
/// is the text from the error on.
fn reword(
    rest: &str,
    message: Option<String>,
    label: Option<String>,
    help: Option<String>,
) -> (String, String, String) {
    let message = message.unwrap_or_else(|| "invalid KDL".into());
    if rest.starts_with(',') {
        return (
            "KDL separates values with spaces, not commas".into(),
            "comma".into(),
            "remove the comma: `domains \"a.example\" \"b.example\"`".into(),
        );
    }
    if message == "Unexpected newline in single-line quoted string" {
        return (
            "this string is not closed on its line".into(),
            "unclosed string".into(),
            "close the string with `\"`; a string over several lines starts with `\"\"\"` and a newline".into(),
        );
    }
    if let Some(help) = kdl1_keyword(rest) {
        return (message, "KDL 1.0 keyword".into(), help.into());
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
    (message, label, help)
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
