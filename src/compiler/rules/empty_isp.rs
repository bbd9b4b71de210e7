//! `empty-isp`: a record that matches no domain.

use crate::compiler::codes::Code;
use crate::compiler::diagnostics::Diagnostic;
use crate::compiler::source::Span;

/// `emptied_by` is the move that took the record's last pattern, if a move did.
pub(crate) fn new(name: &str, name_span: Span, emptied_by: Option<Span>) -> Diagnostic {
    match emptied_by {
        Some(span) => Diagnostic::new(
            Code::EmptyIsp,
            format!("record `{name}` has no domains left"),
            span,
            format!("this moves the last domain out of `{name}`"),
        )
        .with_label(name_span, "the record")
        .with_help("its settings now apply to nothing; if that is intended, ignore this with `--allow empty-isp`"),
        None => Diagnostic::new(Code::EmptyIsp, format!("record `{name}` has no domains"), name_span, "matches nothing")
            .with_help("add `domains \"...\"`, or delete the record"),
    }
}
