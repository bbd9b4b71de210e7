//! `unreadable-file`: an included file or a domains file cannot be read.

use crate::compiler::codes::Code;
use crate::compiler::diagnostics::Diagnostic;
use crate::compiler::source::Span;

/// The reason given for a directory.
pub(crate) const IS_DIRECTORY: &str = "it is a directory, not a file";

pub(crate) fn new(span: Span, name: &str, reason: &str) -> Diagnostic {
    let diagnostic = Diagnostic::new(
        Code::UnreadableFile,
        format!("cannot read `{name}`: {reason}"),
        span,
        "this file cannot be read",
    );
    // `include "isps/*.kdl"` names a file called `*.kdl`: say why it is missing.
    if name.contains(['*', '?', '[']) {
        return diagnostic.with_help(
            "paths are not globs: `include` and `domains-file` take one file each; name every file in its own line (`include \"isps/gmail.kdl\"`)",
        );
    }
    diagnostic.with_help(
        "paths are relative to the file that names them; check the spelling and the permissions",
    )
}

pub(crate) fn directory(span: Span, name: &str) -> Diagnostic {
    Diagnostic::new(Code::UnreadableFile, format!("cannot read `{name}`: {IS_DIRECTORY}"), span, "a directory")
        .with_help("`include` and `domains-file` take one file; name each file of the directory in its own line")
}

/// A domains file that is not text: reported at the `domains-file` that names
/// it, quoting none of its bytes.
pub(crate) fn not_text(span: Span, name: &str, at: usize, byte: u8) -> Diagnostic {
    Diagnostic::new(
        Code::UnreadableFile,
        format!("cannot read `{name}`: it is not a text file (byte 0x{byte:02X} at offset {at})"),
        span,
        "not a text file",
    )
    .with_help("a domains file is text, one domain or pattern per line; check the path")
}

/// A file named by the wrong node (a list of domains included as KDL, a KDL
/// file given as a domains file): reported without reading it.
pub(crate) fn wrong_kind(span: Span, name: &str, why: &str, help: &str) -> Diagnostic {
    Diagnostic::new(
        Code::UnreadableFile,
        format!("cannot read `{name}` here: {why}"),
        span,
        "the wrong kind of file",
    )
    .with_help(help)
}
