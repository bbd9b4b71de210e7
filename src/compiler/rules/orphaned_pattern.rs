//! `orphaned-pattern`: a `delete` leaves patterns that the record had moved in
//! from another record with no owner, so they match nothing; or a later change
//! frees lines a `domains-file ... skip-owned=#true` left to their owners.

use crate::compiler::codes::Code;
use crate::compiler::config::PatternSet;
use crate::compiler::diagnostics::Diagnostic;
use crate::compiler::source::Span;
use crate::semantics::escape::kdl_string as kdl;

/// Deleting `record` (at `delete_span`) leaves `count` patterns of `set` moved
/// in from `from` (alive or deleted too) without a record; `first` are the first few, with the spans
/// of their moves.
pub(crate) fn new(
    set: PatternSet,
    record: &str,
    delete_span: Span,
    (from, from_alive): (&str, bool),
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
    let listed: Vec<String> = first.iter().map(|(p, _)| kdl(p)).collect();
    let more = if count > first.len() { " ..." } else { "" };
    if !from_alive {
        return d.with_help(format!(
            "they now match nothing, and `{from}` was deleted too; claim them in the record that should have them, with `{node} {}{more}`",
            listed.join(" ")
        ));
    }
    d.with_help(format!(
        "they now match nothing; to give them back, write `override {} {{ {node} {}{more} }}` after the delete, or drop the `from=` that moved them",
        kdl(from),
        listed.join(" ")
    ))
}

/// Lines of `file` that `skip-owned=#true` left out of `record` (at
/// `node_span`) because other records owned them were freed later: `count` of
/// them match nothing now; `first` are the first few.
pub(crate) fn freed_skip(
    file: &str,
    record: &str,
    node_span: Span,
    count: usize,
    first: &[(String, Span)],
) -> Diagnostic {
    let lines = crate::compiler::diagnostics::plural(count, "line");
    let have = if count == 1 { "has" } else { "have" };
    let mut d = Diagnostic::new(
        Code::OrphanedPattern,
        format!(
            "{lines} of `{file}` that skip-owned=#true left to other records no longer {have} one"
        ),
        node_span,
        format!("read into `{record}` here, before the change that freed them"),
    );
    for (pattern, span) in first {
        d = d.with_label(*span, format!("`{pattern}` left out here"));
    }
    d.with_help(
        "their owner gave them up after this file was read (a later `delete` or `remove-domains`), so they match nothing; move this `domains-file` after that change to take them, or claim them in the record that should own them"
            .to_string(),
    )
}
