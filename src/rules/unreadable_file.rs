//! `unreadable-file`: an included file or a domains file cannot be read.

use crate::diagnostics::Diagnostic;
use crate::rules::{Code, rule};
use crate::source::Span;

rule!(UnreadableFile, "unreadable-file", Error, "an included file or domains file cannot be read");

/// The reason given for a directory.
pub(crate) const IS_DIRECTORY: &str = "it is a directory, not a file";

pub(crate) fn new(span: Span, name: &str, reason: &str) -> Diagnostic {
    let (label, help) = if reason == IS_DIRECTORY {
        ("a directory", "`include` and `domains-file` take one file; name each file of the directory in its own line")
    } else {
        (
            "this file cannot be read",
            "paths are relative to the file that names them; check the spelling and the permissions",
        )
    };
    Diagnostic::new(Code::UnreadableFile, format!("cannot read `{name}`: {reason}"), span, label).with_help(help)
}
