//! `unknown-property`: a property the node does not take.

use crate::compiler::codes::Code;
use crate::compiler::diagnostics::Diagnostic;
use crate::compiler::source::Span;

/// Other words people write for the properties.
const SYNONYMS: &[(&str, &str)] = &[
    ("move-from", "from"),
    ("moved-from", "from"),
    ("source", "from"),
    ("owner", "from"),
    ("html-part", "html"),
    ("html_part", "html"),
    ("text-part", "text"),
    ("text_part", "text"),
    ("plain", "text"),
    ("all", "global"),
    ("default", "global"),
    ("body", "global"),
    ("overwrite", "replace"),
    ("clear", "replace"),
];

pub(crate) fn new(node: &str, key: &str, span: Span, allowed: &[&str]) -> Diagnostic {
    let suggestion = SYNONYMS
        .iter()
        .find(|(from, to)| *from == key && allowed.contains(to))
        .map(|(_, to)| *to)
        .or_else(|| crate::compiler::suggest::closest(key, allowed.iter().copied()));
    let list = allowed
        .iter()
        .map(|n| format!("`{n}=`"))
        .collect::<Vec<_>>()
        .join(", ");
    let label = match suggestion {
        Some(s) => format!("did you mean `{s}`?"),
        None => "unknown property".to_string(),
    };
    let help = match (suggestion, allowed.is_empty()) {
        (Some(s), _) => format!("write `{s}=`; `{node}` takes {list}"),
        (None, true) => format!("`{node}` takes no properties; remove `{key}=`"),
        (None, false) => format!("`{node}` takes {list}"),
    };
    Diagnostic::new(
        Code::UnknownProperty,
        format!("`{node}` has no property `{key}`"),
        span,
        label,
    )
    .with_help(help)
}
