//! `duplicate-domain`: two records claim the same pattern.

use crate::compiler::codes::Code;
use crate::compiler::config::PatternSet;
use crate::compiler::diagnostics::Diagnostic;
use crate::compiler::source::Span;

/// A pattern of `set` claimed by `record` while `owner` has it.
pub(crate) fn new(
    set: PatternSet,
    pattern: &str,
    span: Span,
    record: &str,
    owner: &str,
    owner_span: Span,
) -> Diagnostic {
    let (code, noun, node) = match set {
        PatternSet::Domains => (Code::DuplicateDomain, "a domain", "domains"),
        PatternSet::Mx => (Code::DuplicateMx, "an MX pattern", "mx"),
    };
    Diagnostic::new(
        code,
        format!("`{pattern}` is claimed by both `{record}` and `{owner}`"),
        span,
        format!("claimed by `{record}` here"),
    )
    .with_label(owner_span, format!("already claimed by `{owner}` here"))
    .with_help(format!(
        "{noun} belongs to one record; to move it into `{record}`, write `{node} \"{pattern}\" from=\"{owner}\"`, or remove one of the two"
    ))
}
