//! `invalid-glob`: a pattern with wildcards that is not a valid domain glob.

use crate::diagnostics::Diagnostic;
use crate::domain::GlobError;
use crate::rules::{Code, rule};
use crate::source::Span;

rule!(
    InvalidGlob,
    "invalid-glob",
    Error,
    "a malformed domain glob"
);

pub(crate) fn new(span: Span, error: &GlobError) -> Diagnostic {
    Diagnostic::new(Code::InvalidGlob, format!("invalid glob: {}", error.message), span, "here")
        .with_help("globs match labels: `*` and `?` stay within a label, `**` is a whole label that spans labels, `[a-z]` and `{a,b}` stay within a label")
}
