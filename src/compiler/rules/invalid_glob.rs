//! `invalid-glob`: a pattern with wildcards that is not a valid domain glob.

use crate::compiler::codes::Code;
use crate::compiler::diagnostics::Diagnostic;
use crate::compiler::source::Span;
use crate::semantics::glob::GlobError;

pub(crate) fn new(span: Span, error: &GlobError) -> Diagnostic {
    Diagnostic::new(Code::InvalidGlob, format!("invalid glob: {}", error.message), span, "here")
        .with_help("globs match labels: `*` and `?` stay within a label, `**` is a whole label that spans labels, `[a-z]` and `{a,b}` stay within a label")
}
