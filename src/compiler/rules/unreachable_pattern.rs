//! `unreachable-pattern`: a glob that can never answer a lookup, because a pattern
//! of another record always answers first.

use crate::compiler::analysis::{Context, glob_shadowed_by, worth_reporting};
use crate::compiler::codes::Code;
use crate::compiler::diagnostics::{Collected, Diagnostic};
use crate::semantics::pattern::PatternKind;

pub(crate) fn check(cx: &Context<'_>, out: &mut Collected) {
    for (p, entry) in cx.config.patterns() {
        if entry.pattern.kind() != PatternKind::Glob {
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
                "remove the glob, or narrow the suffix rule; lookups try exact names, then suffix rules (longest first), then globs in order",
            ),
            _ => (
                "globs are tried in configuration order",
                "remove the glob, or define it before the wider one (globs are tried in the order of the merged configuration)",
            ),
        };
        out.push(
            Diagnostic::new(
                Code::UnreachablePattern,
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
