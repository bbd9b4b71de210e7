//! `unknown-node`: a node name the language does not have.

use crate::compiler::codes::Code;
use crate::compiler::diagnostics::Diagnostic;
use crate::compiler::source::Span;

/// Words people write for `add` and `remove` in a headers block.
const SYNONYMS: &[(&str, &str)] = &[
    ("delete", "remove"),
    ("del", "remove"),
    ("drop", "remove"),
    ("unset", "remove"),
    ("strip", "remove"),
    ("set", "add"),
    ("append", "add"),
    ("insert", "add"),
    ("isp-override", "override"),
    ("ISP", "isp"),
    ("domain-file", "domains-file"),
    ("domains_file", "domains-file"),
];

/// `name` at `span` is not one of `expected` (`place` says where, e.g. "in a record
/// block").
pub(crate) fn new(span: Span, name: &str, place: &str, expected: &[&str]) -> Diagnostic {
    let suggestion = SYNONYMS
        .iter()
        .find(|(from, to)| *from == name && expected.contains(to))
        .map(|(_, to)| *to)
        .or_else(|| crate::compiler::suggest::closest(name, expected.iter().copied()));
    let list = expected
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let (label, help) = match suggestion {
        Some(s) => (
            format!("did you mean `{s}`?"),
            format!("write `{s}`; the nodes allowed {place} are {list}"),
        ),
        None => (
            "unknown node".to_string(),
            format!("the nodes allowed {place} are {list}"),
        ),
    };
    Diagnostic::new(
        Code::UnknownNode,
        format!("unknown node `{name}` {place}"),
        span,
        label,
    )
    .with_help(help)
}
