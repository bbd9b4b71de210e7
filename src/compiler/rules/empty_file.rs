//! `empty-file`: a configuration file or domains file holds nothing.

use crate::compiler::codes::Code;
use crate::compiler::diagnostics::Diagnostic;
use crate::compiler::source::{FileId, Span};

/// A KDL file named on the command line with nothing in it but whitespace. A file of only comments is
/// accepted: it is a placeholder someone wrote, and `isptab dump` writes one
/// for a table without records.
pub(crate) fn kdl(file: FileId) -> Diagnostic {
    Diagnostic::new(
        Code::EmptyFile,
        "the file holds no records or settings",
        Span::new(file, 0..0),
        "empty file",
    )
    .with_help("an empty file is usually a truncated or wrong file; add records, or remove the file from the command line or the `include`")
}

/// An included KDL file with nothing in it, reported on the `include` that
/// names it: the line the operator wrote is where the fix goes.
pub(crate) fn included(path_span: Span, name: &str) -> Diagnostic {
    Diagnostic::new(
        Code::EmptyFile,
        format!("the included file `{name}` is empty"),
        path_span,
        "this file is empty",
    )
    .with_help("an empty file is usually a failed export or a truncated deploy; restore its records, or remove the `include`")
}

/// A domains file without a single pattern.
pub(crate) fn domains_file(path_span: Span, name: &str) -> Diagnostic {
    Diagnostic::new(
        Code::EmptyFile,
        format!("the domains file `{name}` lists no domains"),
        path_span,
        "this file has no patterns",
    )
    .with_help("a list that came out empty is usually a failed export; check the file, or remove the `domains-file` line")
}
