//! `empty-file`: a configuration file or domains file holds nothing.

use crate::diagnostics::Diagnostic;
use crate::rules::{Code, rule};
use crate::source::{FileId, Span};

rule!(EmptyFile, "empty-file", Error, "a configuration file or domains file holds nothing");

/// A KDL file with no nodes (only whitespace and comments, or nothing).
pub(crate) fn kdl(file: FileId) -> Diagnostic {
    Diagnostic::new(
        Code::EmptyFile,
        "the file holds no records or settings",
        Span::new(file, 0..0),
        "empty file",
    )
    .with_help("an empty file is usually a truncated or wrong file; add records, or remove the file from the command line or the `include`")
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
