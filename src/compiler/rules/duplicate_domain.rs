//! `duplicate-domain`: two records claim the same pattern.

use crate::compiler::codes::Code;
use crate::compiler::diagnostics::Diagnostic;
use crate::compiler::source::Span;

pub(crate) fn new(
    pattern: &str,
    span: Span,
    record: &str,
    owner: &str,
    owner_span: Span,
) -> Diagnostic {
    Diagnostic::new(
        Code::DuplicateDomain,
        format!("`{pattern}` is claimed by both `{record}` and `{owner}`"),
        span,
        format!("claimed by `{record}` here"),
    )
    .with_label(owner_span, format!("already claimed by `{owner}` here"))
    .with_help(format!(
        "a domain belongs to one record; to move it into `{record}`, write `domains \"{pattern}\" from=\"{owner}\"`, or remove one of the two"
    ))
}
