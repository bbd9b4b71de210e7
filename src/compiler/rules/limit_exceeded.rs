//! `limit-exceeded`: an input is larger than isptab accepts.

use crate::compiler::codes::Code;
use crate::compiler::diagnostics::Diagnostic;
use crate::compiler::limits::KdlLimit as LimitProblem;
use crate::compiler::source::{FileId, Span};

const LIST_HELP: &str = "long lists of domains belong in a `domains-file` (one pattern per line)";

/// A KDL file breaks a limit the parser needs.
pub(crate) fn in_kdl(file: FileId, problem: LimitProblem) -> Diagnostic {
    let (span, label, help) = match &problem {
        LimitProblem::LongLine { span, .. } => (span, "this line is too long", LIST_HELP),
        LimitProblem::DeepNesting { span, .. } => (
            span,
            "this block is too deep",
            "an isptab file needs three levels at most: `isp { headers { add ... } }`",
        ),
        LimitProblem::Slashdashes { span, .. } => (
            span,
            "too many in a row",
            "one `/-` comments out the node, value or block after it; remove the others",
        ),
        LimitProblem::TooManyNodes { span, .. } => (
            span,
            "one node too many",
            "a configuration has a few nodes per record; split the file, or put long lists in a `domains-file`",
        ),
    };
    Diagnostic::new(
        Code::LimitExceeded,
        problem.to_string(),
        Span::new(file, span.clone()),
        label,
    )
    .with_help(help)
}

/// A file named on the command line is too large.
pub(crate) fn file_too_large(span: Span, size: u64, limit: usize) -> Diagnostic {
    Diagnostic::new(
        Code::LimitExceeded,
        format!("the file is {size} bytes; the limit for a KDL file is {limit} bytes"),
        span,
        "file too large",
    )
    .with_help(LIST_HELP)
}

/// An included file or a domains file is too large.
pub(crate) fn included_file_too_large(
    span: Span,
    name: &str,
    size: u64,
    limit: usize,
) -> Diagnostic {
    Diagnostic::new(
        Code::LimitExceeded,
        format!("`{name}` is {size} bytes; the limit is {limit} bytes"),
        span,
        "file too large",
    )
    .with_help("split the file, or check that the path names the file you meant")
}

/// Reading one more file would pass the limit on bytes read in all.
pub(crate) fn total_bytes(span: Span, name: &str, limit: usize) -> Diagnostic {
    Diagnostic::new(
        Code::LimitExceeded,
        format!("reading `{name}` would pass the limit of {limit} bytes read from all files"),
        span,
        "one file too many",
    )
    .with_help("the files of one configuration are read into memory together; check for a list included many times over, or split the configuration")
}

/// One more file would pass the limit on files read.
pub(crate) fn too_many_files(span: Span, name: &str, limit: usize) -> Diagnostic {
    Diagnostic::new(
        Code::LimitExceeded,
        format!("reading `{name}` would pass the limit of {limit} files"),
        span,
        "one file too many",
    )
    .with_help("a configuration needs a handful of files; check for generated includes gone wrong")
}

/// Includes are chained too deep.
pub(crate) fn include_depth(span: Span, depth: usize, limit: usize) -> Diagnostic {
    Diagnostic::new(
        Code::LimitExceeded,
        format!("includes are nested {depth} files deep; the limit is {limit}"),
        span,
        "too deep",
    )
    .with_help("include the files from one top-level file instead of from each other")
}

/// A line of a domains file is too long.
pub(crate) fn domains_file_line(span: Span, line: usize, limit: usize) -> Diagnostic {
    Diagnostic::new(
        Code::LimitExceeded,
        format!("line {line} of the domains file is longer than {limit} bytes"),
        span,
        "this line is too long",
    )
    .with_help("a domains file has one pattern per line; a domain is at most 253 bytes")
}

/// The configuration has more patterns than the limit.
pub(crate) fn too_many_patterns(span: Span, limit: usize) -> Diagnostic {
    Diagnostic::new(
        Code::LimitExceeded,
        format!("the configuration has more than {limit} patterns"),
        span,
        "one too many",
    )
    .with_help("the patterns after this one are not read; split the list, or raise the limit where isptab is used as a library")
}

/// A record has more header rules than the limit.
pub(crate) fn too_many_header_rules(span: Span, record: &str, limit: usize) -> Diagnostic {
    Diagnostic::new(
        Code::LimitExceeded,
        format!("`{record}` has more than {limit} header rules"),
        span,
        "one too many",
    )
    .with_help("a record needs a handful of header rules; check for a generated block gone wrong")
}

/// More records than the table format can number.
pub(crate) fn too_many_records(span: Span, limit: usize) -> Diagnostic {
    Diagnostic::new(
        Code::LimitExceeded,
        format!("the configuration has more than {limit} records"),
        span,
        "one too many",
    )
    .with_help("records are providers, and a table holds at most 32,767; put many domains in one record instead")
}
