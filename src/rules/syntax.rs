//! `syntax`: the file is not valid KDL 2.0 or not valid UTF-8.

use kdl::KdlError;

use crate::diagnostics::Diagnostic;
use crate::rules::{Code, rule};
use crate::source::{FileId, Span};

rule!(Syntax, "syntax", Error, "the file is not valid KDL 2.0 text");

/// At most this many syntax errors are shown per file: after the first few, the
/// parser's recovery mostly reports consequences of the first mistake.
const MAX_PER_FILE: usize = 5;

/// The parser's errors, remapped so they carry our file name: at most one per line,
/// the first few lines only.
pub(crate) fn from_kdl(file: FileId, text: &str, err: KdlError) -> Vec<Diagnostic> {
    let mut found: Vec<_> = err.diagnostics.into_iter().collect();
    found.sort_by_key(|d| (d.span.offset(), d.span.len()));
    let mut out: Vec<Diagnostic> = Vec::new();
    let mut last_line = None;
    let line_of = |offset: usize| text.as_bytes()[..offset.min(text.len())].iter().filter(|&&b| b == b'\n').count();
    for d in found {
        let start = d.span.offset().min(text.len());
        let end = (start + d.span.len()).min(text.len());
        let line = line_of(start);
        if last_line == Some(line) {
            continue;
        }
        last_line = Some(line);
        if out.len() == MAX_PER_FILE {
            break;
        }
        let message = d.message.unwrap_or_else(|| "invalid KDL".into());
        let label = d.label.unwrap_or_else(|| "here".into());
        let start = crate::source::floor_char_boundary(text, start);
        let end = crate::source::floor_char_boundary(text, end).max(start);
        let help = kdl1_keyword(&text[start..]).map(str::to_string).or(d.help).unwrap_or_else(|| {
            "isptab files are KDL 2.0: strings in double quotes, `#true`/`#false`, blocks in `{ }`".into()
        });
        out.push(Diagnostic::new(Code::Syntax, message, Span::new(file, start..end), label).with_help(help));
    }
    out
}

/// Help for a KDL 1.0 keyword (`true` instead of `#true`) at the start of `rest`.
fn kdl1_keyword(rest: &str) -> Option<&'static str> {
    let word: String = rest.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
    match word.as_str() {
        "true" | "false" => Some("KDL 2.0 writes booleans as `#true` and `#false`"),
        "null" => Some("KDL 2.0 writes null as `#null`"),
        _ => None,
    }
}

/// The file is not UTF-8; `bad` lists the offending bytes.
pub(crate) fn invalid_utf8(span: Span, bad: &str) -> Diagnostic {
    Diagnostic::new(
        Code::Syntax,
        format!("the file is not valid UTF-8: byte {bad} cannot start or continue a character here"),
        span,
        "invalid UTF-8",
    )
    .with_help("save the file as UTF-8 text; if it is a binary file, check the path")
}
