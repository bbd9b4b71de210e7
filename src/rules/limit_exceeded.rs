//! `limit-exceeded`: an input is larger than isptab accepts.

use crate::diagnostics::Diagnostic;
use crate::rules::{Code, rule};
use crate::source::{FileId, Span};
use crate::syntax::LimitProblem;

rule!(LimitExceeded, "limit-exceeded", Error, "an input is larger than isptab accepts");

const LIST_HELP: &str = "long lists of domains belong in a `domains-file` (one pattern per line)";

/// A KDL file breaks a limit the parser needs.
pub(crate) fn in_kdl(file: FileId, problem: LimitProblem) -> Diagnostic {
    match problem {
        LimitProblem::LongLine { line, span, limit } => Diagnostic::new(
            Code::LimitExceeded,
            format!("line {line} is longer than {limit} bytes"),
            Span::new(file, span),
            "this line is too long",
        )
        .with_help(LIST_HELP),
        LimitProblem::DeepNesting { span, limit } => Diagnostic::new(
            Code::LimitExceeded,
            format!("blocks are nested more than {limit} levels deep"),
            Span::new(file, span),
            "this block is too deep",
        )
        .with_help("an isptab file needs three levels at most: `isp { headers { add ... } }`"),
    }
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
pub(crate) fn included_file_too_large(span: Span, name: &str, size: u64, limit: usize) -> Diagnostic {
    Diagnostic::new(
        Code::LimitExceeded,
        format!("`{name}` is {size} bytes; the limit is {limit} bytes"),
        span,
        "file too large",
    )
    .with_help("split the file, or check that the path names the file you meant")
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
