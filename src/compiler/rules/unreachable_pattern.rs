//! `unreachable-pattern`: a glob that can never answer a lookup, because a pattern
//! of another record always answers first, or because it is a single label
//! (`*`), which no domain is.

use crate::compiler::analysis::{Context, glob_shadowed_by, worth_reporting};
use crate::compiler::codes::Code;
use crate::compiler::config::PatternSet;
use crate::compiler::diagnostics::{Collected, Diagnostic};
use crate::semantics::pattern::PatternKind;

/// Reports the globs of the context's set that never win (`unreachable-pattern`
/// for domains, `unreachable-mx` for MX patterns).
pub(crate) fn check(cx: &Context<'_>, out: &mut Collected) {
    let code = match cx.set {
        PatternSet::Domains => Code::UnreachablePattern,
        PatternSet::Mx => Code::UnreachableMx,
    };
    for (p, entry) in cx.config.patterns_in(cx.set) {
        if entry.pattern.kind() != PatternKind::Glob {
            continue;
        }
        let text = entry.pattern.as_str();
        if !text.contains('.') && text != "**" {
            // Every query has at least two labels: a glob of one matches none.
            out.push(
                Diagnostic::new(
                    code,
                    format!("`{text}` can never match: it is one label, and every domain has at least two"),
                    entry.span,
                    "matches nothing",
                )
                .with_help(
                    "`*` and `?` stay within a label: write the labels around it (`*.example.com`, `example.*`), or `**` for every domain",
                ),
            );
            continue;
        }
        let Some(by) = glob_shadowed_by(cx, p)
            .filter(|by| by.record != p.record && worth_reporting(cx, p, *by))
        else {
            continue;
        };
        let winner = cx.config.pattern(by);
        let owner = &cx.config.record(by.record).name;
        let (why, help) = match winner.pattern.kind() {
            PatternKind::Suffix => (
                "suffix rules are tried before globs",
                if cx.set == PatternSet::Mx {
                    "remove the glob, or narrow the suffix rule; MX hosts are matched like domains: exact hosts, then suffix rules (longest first), then globs in order"
                } else {
                    "remove the glob, or narrow the suffix rule; lookups try exact names, then suffix rules (longest first), then globs in order"
                },
            ),
            _ => (
                "globs are tried in configuration order",
                "remove the glob, or define it before the wider one (globs are tried in the order of the merged configuration)",
            ),
        };
        out.push(
            Diagnostic::new(
                code,
                format!(
                    "`{}` never wins: `{}` of `{owner}` answers first",
                    entry.pattern, winner.pattern
                ),
                entry.span,
                "never used",
            )
            .with_label(winner.span, format!("always wins: {why}"))
            .with_help(help),
        );
    }
}
