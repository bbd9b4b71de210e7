//! `deleted-default`: `delete` names a default record.

use crate::compiler::codes::Code;
use crate::compiler::diagnostics::Diagnostic;
use crate::compiler::source::Span;
use crate::semantics::escape::kdl_string as kdl;

pub(crate) fn new(name: &str, span: Span, default: Span) -> Diagnostic {
    Diagnostic::new(Code::DeletedDefault, format!("`{name}` is a default record and cannot be deleted"), span, "deleted here")
        .with_label(default, "the default record")
        .with_help(format!(
            "only custom records can be deleted; move its domains into a record of yours with `domains \"...\" from={}`, or change it with `override`", kdl(name)
        ))
}
