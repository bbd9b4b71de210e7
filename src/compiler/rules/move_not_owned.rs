//! `move-not-owned`: `from=` names a record that does not own the pattern.

use crate::compiler::codes::Code;
use crate::compiler::config::PatternSet;
use crate::compiler::diagnostics::Diagnostic;
use crate::compiler::source::Span;
use crate::semantics::escape::kdl_string as kdl;

/// `from` is the named source record and its `from=` value; `owner` the record that
/// really owns the pattern, if any; `into_self` whether that is the destination.
pub(crate) fn new(
    set: PatternSet,
    pattern: &str,
    span: Span,
    from: (&str, Span),
    owner: Option<(&str, Span)>,
    into_self: bool,
) -> Diagnostic {
    let (from_name, from_span) = from;
    let d = Diagnostic::new(
        Code::MoveNotOwned,
        format!("`{pattern}` cannot be moved from `{from_name}`: `{from_name}` does not own it"),
        span,
        "moved here",
    )
    .with_label(from_span, format!("`{from_name}` does not own `{pattern}`"));
    match owner {
        Some((owner, owner_span)) if into_self => d
            .with_label(owner_span, "it is already in this record")
            .with_help(format!(
                "`{pattern}` already belongs to `{owner}`; remove this line"
            )),
        Some((owner, owner_span)) => d
            .with_label(owner_span, format!("owned by `{owner}` here"))
            .with_help(format!(
                "to move it from its real owner, write `from={}`",
                kdl(owner)
            )),
        None => d.with_help(format!(
            "no record owns `{pattern}`; remove `from=` to add it as a new {}",
            match set {
                PatternSet::Domains => "domain",
                PatternSet::Mx => "MX pattern",
            }
        )),
    }
}

/// `remove-domains PATTERN` (or `remove-mx`) in `record`, which does not own
/// the pattern; `owner` is the record that does, if any.
pub(crate) fn not_removable(
    set: PatternSet,
    pattern: &str,
    span: Span,
    record: &str,
    owner: Option<(&str, Span)>,
) -> Diagnostic {
    let node = match set {
        PatternSet::Domains => "remove-domains",
        PatternSet::Mx => "remove-mx",
    };
    let d = Diagnostic::new(
        Code::MoveNotOwned,
        format!("`{pattern}` cannot be removed from `{record}`: `{record}` does not own it"),
        span,
        format!("not a pattern of `{record}`"),
    );
    match owner {
        Some((owner, owner_span)) => d
            .with_label(owner_span, format!("owned by `{owner}` here"))
            .with_help(format!(
                "to take it out of its owner, write `override {} {{ {node} {} }}`", kdl(owner), kdl(pattern)
            )),
        None => d.with_help(format!(
            "no record owns `{pattern}` (patterns are matched as written, after normalization); remove it from `{node}`"
        )),
    }
}

/// `remove-domains PATTERN` (or `remove-mx`) in `record` for a pattern already
/// taken out of it at `first`.
pub(crate) fn removed_twice(pattern: &str, span: Span, record: &str, first: Span) -> Diagnostic {
    Diagnostic::new(
        Code::MoveNotOwned,
        format!("`{pattern}` cannot be removed from `{record}`: it was removed already"),
        span,
        "removed again here",
    )
    .with_label(first, format!("`{pattern}` removed from `{record}` here"))
    .with_help("remove this one: the first removal already took the pattern out")
}
