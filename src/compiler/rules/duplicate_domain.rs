//! `duplicate-domain`: two records claim the same pattern.

use crate::compiler::codes::Code;
use crate::compiler::config::PatternSet;
use crate::compiler::diagnostics::Diagnostic;
use crate::compiler::source::Span;
use crate::semantics::escape::kdl_string as kdl;

/// A pattern of `set` claimed by `record` while `owner` has it.
pub(crate) fn new(
    set: PatternSet,
    pattern: &str,
    span: Span,
    record: &str,
    owner: &str,
    owner_span: Span,
) -> Diagnostic {
    let (code, noun, node) = match set {
        PatternSet::Domains => (Code::DuplicateDomain, "a domain", "domains"),
        PatternSet::Mx => (Code::DuplicateMx, "an MX pattern", "mx"),
    };
    Diagnostic::new(
        code,
        format!("`{pattern}` is claimed by both `{record}` and `{owner}`"),
        span,
        format!("claimed by `{record}` here"),
    )
    .with_label(owner_span, format!("already claimed by `{owner}` here"))
    .with_help(format!(
        "{noun} belongs to one record; to move it into `{record}`, write `{node} {} from={}`, or remove one of the two", kdl(pattern), kdl(owner)
    ))
}

/// A line of the domains file `written_path` that `owner` already has (one of
/// a few from that owner: more are [`many_in_file`]).
pub(crate) fn line_in_file(
    pattern: &str,
    span: Span,
    record: &str,
    (owner, owner_span): (&str, Span),
    written_path: &str,
) -> Diagnostic {
    let mut d = new(
        PatternSet::Domains,
        pattern,
        span,
        record,
        owner,
        owner_span,
    );
    d.help = Some(format!(
        "to take only the domains nobody owns, write `domains-file {} skip-owned=#true`; or remove the line (a domain belongs to one record)",
        kdl(written_path)
    ));
    d
}

/// More than a few lines of one domains file that `owner` already has: one
/// diagnostic with the count, the first lines as examples, and the way out
/// (`skip-owned=#true`, or a move). `record` is the record the file is read
/// into, with the `domains-file` node; `examples` are the first lines;
/// `owners` is how many records own lines of the file (a move takes from one).
pub(crate) fn many_in_file(
    file: &str,
    (count, owners): (usize, usize),
    (record, node): (&str, Span),
    (owner, owner_span): (&str, Span),
    examples: &[(&str, Span)],
    written_path: &str,
) -> Diagnostic {
    let first = examples.first().map_or("", |e| e.0);
    let mut d = Diagnostic::new(
        Code::DuplicateDomain,
        format!("{count} domains of `{file}` are already claimed by `{owner}`"),
        examples.first().map_or(node, |e| e.1),
        format!("`{first}`, the first of {count}"),
    );
    for (pattern, span) in examples.iter().skip(1) {
        d = d.with_label(*span, format!("`{pattern}` too"));
    }
    d.with_label(node, format!("read into `{record}` here"))
        .with_label(owner_span, format!("`{first}` claimed by `{owner}` here"))
        .with_help(if owners > 1 {
            format!(
                "to take only the domains nobody owns, write `domains-file {} skip-owned=#true`; `from=` cannot move these into `{record}`, since it moves the lines of one record and {owners} records own lines of this file",
                kdl(written_path)
            )
        } else {
            format!(
                "to take only the domains nobody owns, write `domains-file {} skip-owned=#true`; to move these into `{record}`, write `from={}`",
                kdl(written_path),
                kdl(owner)
            )
        })
}

/// A domains file read by `record` that `owner` read before: its `count`
/// lines are all claimed twice, reported once, on the two `domains-file` nodes
/// (the lines themselves are the same span on both sides).
pub(crate) fn file_read_twice(
    file: &str,
    count: usize,
    (record, node): (&str, Span),
    (owner, owner_node): (&str, Span),
    written_path: &str,
) -> Diagnostic {
    let lines = if count == 1 {
        "its domain is".to_string()
    } else {
        format!("its {count} domains are")
    };
    Diagnostic::new(
        Code::DuplicateDomain,
        format!("`{file}` is read by both `{record}` and `{owner}`: {lines} claimed twice"),
        node,
        format!("read into `{record}` here"),
    )
    .with_label(owner_node, format!("already read into `{owner}` here"))
    .with_help(format!(
        "a domain belongs to one record: read the file in one of them; to move its domains into `{record}`, write `domains-file {} from={}`",
        kdl(written_path),
        kdl(owner)
    ))
}
