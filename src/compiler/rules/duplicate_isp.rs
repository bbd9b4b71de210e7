//! `duplicate-isp`: two custom records with the same name.

use crate::compiler::codes::Code;
use crate::compiler::diagnostics::Diagnostic;
use crate::compiler::source::Span;
use crate::semantics::escape::kdl_string as kdl;

pub(crate) fn new(name: &str, span: Span, first: Span) -> Diagnostic {
    Diagnostic::new(Code::DuplicateIsp, format!("record `{name}` is defined twice"), span, "defined again here")
        .with_label(first, "first defined here")
        .with_help(format!(
            "names are compared ignoring case; rename one, or change the first with `override {} {{ ... }}`", kdl(name)
        ))
}
