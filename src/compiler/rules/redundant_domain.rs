//! `redundant-domain`: a pattern that changes nothing in its record, because the
//! record lists it twice or already covers it with a wider pattern.

use crate::compiler::analysis::{Context, glob_shadowed_by, worth_reporting};
use crate::compiler::codes::Code;
use crate::compiler::config::{PatternRef, PatternSet};
use crate::compiler::diagnostics::{Collected, Diagnostic};
use crate::compiler::source::Span;
use crate::semantics::pattern::PatternKind;

/// The code for a set: `redundant-domain` or `redundant-mx`.
fn code(set: PatternSet) -> Code {
    match set {
        PatternSet::Domains => Code::RedundantDomain,
        PatternSet::Mx => Code::RedundantMx,
    }
}

/// The same pattern twice in one record.
pub(crate) fn repeated(set: PatternSet, pattern: &str, span: Span, first: Span) -> Diagnostic {
    Diagnostic::new(
        code(set),
        format!("`{pattern}` is listed twice in this record"),
        span,
        "listed again here",
    )
    .with_label(first, "first listed here")
    .with_help("remove one of the two")
}

fn covered(cx: &Context<'_>, redundant: PatternRef, by: PatternRef) -> Diagnostic {
    let record = &cx.config.record(redundant.record).name;
    let this = cx.config.pattern(redundant);
    let wider = cx.config.pattern(by);
    Diagnostic::new(
        code(redundant.set),
        format!(
            "`{}` is already covered by `{}` in `{record}`",
            this.pattern, wider.pattern
        ),
        this.span,
        "redundant",
    )
    .with_label(wider.span, "covered by this pattern")
    .with_help(format!(
        "remove `{}`; lookups give the same answer without it",
        this.pattern
    ))
}

/// Reports the patterns of the context's set that their own record covers
/// (`redundant-domain` for domains, `redundant-mx` for MX patterns).
pub(crate) fn check(cx: &Context<'_>, out: &mut Collected) {
    if !cx.matcher.has_wildcards() {
        return;
    }
    for (p, entry) in cx.config.patterns_in(cx.set) {
        let pattern = &entry.pattern;
        let by = match pattern.kind() {
            // Without the name, would the lookup still land in this record? (The
            // lint matcher has no exact names: this asks the suffix rules and globs.)
            PatternKind::Exact => cx.matcher.lookup(pattern.as_str()).map(|m| *m.target),
            // A shorter suffix rule of the same record covers everything below.
            PatternKind::Suffix => cx.matcher.suffix_match(pattern.key()).copied(),
            PatternKind::Glob => glob_shadowed_by(cx, p),
        };
        if let Some(by) = by.filter(|by| by.record == p.record && worth_reporting(cx, p, *by)) {
            out.push(covered(cx, p, by));
        }
    }
}
