//! `redefined-default`: `isp` with the name of a default record.

use crate::compiler::codes::Code;
use crate::compiler::diagnostics::Diagnostic;
use crate::compiler::source::Span;
use crate::semantics::escape::kdl_string as kdl;

/// `name` is the default record's own name (the spelling may differ in case).
pub(crate) fn new(name: &str, span: Span, default: Span) -> Diagnostic {
    Diagnostic::new(
        Code::RedefinedDefault,
        format!("`{name}` is a default record and cannot be defined again"),
        span,
        "defined again here",
    )
    .with_label(default, "the default record")
    .with_help(format!(
        "to change it, write `override {} {{ ... }}`; for a record of your own, pick another name",
        kdl(name)
    ))
}
