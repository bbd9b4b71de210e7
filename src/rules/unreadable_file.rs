//! `unreadable-file`: an included file or a domains file cannot be read.

use crate::diagnostics::Diagnostic;
use crate::rules::{Code, rule};
use crate::source::Span;

rule!(UnreadableFile, "unreadable-file", Error, "an included file or domains file cannot be read");

pub(crate) fn new(span: Span, name: &str, reason: &str) -> Diagnostic {
    Diagnostic::new(
        Code::UnreadableFile,
        format!("cannot read `{name}`: {reason}"),
        span,
        "this file cannot be read",
    )
    .with_help("paths are relative to the file that names them; check the spelling and the permissions")
}
