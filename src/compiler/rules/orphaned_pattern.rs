//! `orphaned-pattern`: a `delete` leaves patterns that the record had moved in
//! from another record with no owner, so they match nothing.

use crate::compiler::codes::Code;
use crate::compiler::config::PatternSet;
use crate::compiler::diagnostics::Diagnostic;
use crate::compiler::source::Span;

/// Deleting `record` (at `delete_span`) leaves `count` patterns of `set` moved
/// in from `from` without a record; `first` are the first few, with the spans
/// of their moves.
pub(crate) fn new(
    set: PatternSet,
    record: &str,
    delete_span: Span,
    from: &str,
    count: usize,
    first: &[(String, Span)],
) -> Diagnostic {
    let (noun, node) = match set {
        PatternSet::Domains => ("pattern", "domains"),
        PatternSet::Mx => ("MX pattern", "mx"),
    };
    let plural = if count == 1 { "" } else { "s" };
    let mut d = Diagnostic::new(
        Code::OrphanedPattern,
        format!(
            "deleting `{record}` leaves {count} {noun}{plural} it moved in from `{from}` with no record"
        ),
        delete_span,
        "deleted here",
    );
    for (pattern, span) in first {
        d = d.with_label(*span, format!("`{pattern}` moved in from `{from}` here"));
    }
    let listed: Vec<String> = first.iter().map(|(p, _)| format!("\"{p}\"")).collect();
    let more = if count > first.len() { " ..." } else { "" };
    d.with_help(format!(
        "they now match nothing; to give them back, write `override \"{from}\" {{ {node} {}{more} }}` after the delete, or drop the `from=` that moved them",
        listed.join(" ")
    ))
}
