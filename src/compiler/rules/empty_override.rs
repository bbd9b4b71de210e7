//! `empty-override`: an `override` whose block holds nothing.

use crate::compiler::codes::Code;
use crate::compiler::diagnostics::Diagnostic;
use crate::compiler::source::Span;

/// `span` is the override's head (`override "NAME"`).
pub(crate) fn new(record: &str, span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::EmptyOverride,
        format!("this `override` of `{record}` changes nothing"),
        span,
        "its block is empty",
    )
    .with_help("remove it, or add what it should change (`domains`, `mx`, `encoding`, `headers`)")
}
