//! `outside-root`: an include or a domains file outside the project root.

use crate::diagnostics::Diagnostic;
use crate::rules::{Code, rule};
use crate::source::Span;

rule!(OutsideRoot, "outside-root", Error, "an include or domains file outside the project root");

/// The file was not opened, let alone printed.
pub(crate) fn new(span: Span, name: &str) -> Diagnostic {
    Diagnostic::new(
        Code::OutsideRoot,
        format!("`{name}` is outside the project root; it was not read"),
        span,
        "outside the project root",
    )
    .with_help("includes and domains files must be inside the directory of the first file given (or `--root DIR`); symlinks are followed before the check")
}
