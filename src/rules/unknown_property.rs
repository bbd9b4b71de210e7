//! `unknown-property`: a property the node does not take.

use crate::diagnostics::Diagnostic;
use crate::rules::{Code, rule};
use crate::source::Span;

rule!(UnknownProperty, "unknown-property", Error, "a property the node does not take");

pub(crate) fn new(node: &str, key: &str, span: Span, allowed: &[&str]) -> Diagnostic {
    let suggestion = crate::suggest::closest(key, allowed.iter().copied());
    let list = allowed.iter().map(|n| format!("`{n}=`")).collect::<Vec<_>>().join(", ");
    let label = match suggestion {
        Some(s) => format!("did you mean `{s}`?"),
        None => "unknown property".to_string(),
    };
    let help = match (suggestion, allowed.is_empty()) {
        (Some(s), _) => format!("write `{s}=`; `{node}` takes {list}"),
        (None, true) => format!("`{node}` takes no properties; remove `{key}=`"),
        (None, false) => format!("`{node}` takes {list}"),
    };
    Diagnostic::new(Code::UnknownProperty, format!("`{node}` has no property `{key}`"), span, label).with_help(help)
}
