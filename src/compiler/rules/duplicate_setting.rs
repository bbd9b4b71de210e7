//! `duplicate-setting`: a setting given twice where it may be given once.

use crate::compiler::codes::Code;
use crate::compiler::diagnostics::Diagnostic;
use crate::compiler::source::Span;

/// A property repeated on one node.
pub(crate) fn property(node: &str, key: &str, span: Span, first: Span) -> Diagnostic {
    Diagnostic::new(
        Code::DuplicateSetting,
        format!("`{key}=` is given twice on `{node}`"),
        span,
        "given again here",
    )
    .with_label(first, "first given here")
    .with_help(format!(
        "keep one `{key}=`; KDL would silently use the last one"
    ))
}

/// `encoding` or `headers` twice in one block.
pub(crate) fn node(name: &str, span: Span, first: Span) -> Diagnostic {
    let help = match name {
        "encoding" => {
            "merge them into one `encoding` node: `encoding html=\"base64\" text=\"8bit\"`"
        }
        _ => "merge the rules into one `headers { }` block",
    };
    Diagnostic::new(
        Code::DuplicateSetting,
        format!("`{name}` appears twice in this block"),
        span,
        "second one here",
    )
    .with_label(first, "first one here")
    .with_help(help)
}
