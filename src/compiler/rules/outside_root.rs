//! `outside-root`: an include or a domains file outside the project root.

use crate::compiler::codes::Code;
use crate::compiler::diagnostics::Diagnostic;
use crate::compiler::source::Span;

const HELP: &str = "every file isptab reads must be inside the project root: the directory of the first file given, or `--root DIR`; symlinks are followed only while they stay inside it";

/// The file was not opened, let alone printed.
pub(crate) fn new(span: Span, name: &str) -> Diagnostic {
    Diagnostic::new(
        Code::OutsideRoot,
        format!("`{name}` is outside the project root; it was not read"),
        span,
        "outside the project root",
    )
    .with_help(HELP)
}

/// A file named on the command line leads outside the root (a symlink out, or a
/// second file elsewhere). Nothing was opened.
pub(crate) fn entry(span: Span, name: &str) -> Diagnostic {
    Diagnostic::new(
        Code::OutsideRoot,
        format!("`{name}` leads outside the project root; it was not read"),
        span,
        "outside the project root",
    )
    .with_help(HELP)
}
