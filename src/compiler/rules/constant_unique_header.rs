//! `constant-unique-header`: a header rule that replaces a header each message
//! has its own of (`Message-ID`, `Date`) with one value for every message.

use crate::compiler::analysis::Context;
use crate::compiler::codes::Code;
use crate::compiler::config::HeaderRule;
use crate::compiler::diagnostics::{Collected, Diagnostic};
use crate::semantics::header::HeaderOp;

/// Headers whose value belongs to one message (lowercase): RFC 5322 section
/// 3.6.4 (`Message-ID`, unique to the message) and 3.6.1 (`Date`, when it was
/// written).
pub(crate) const HEADERS: &[&str] = &["message-id", "date"];

/// Whether `name` (any case) is one of [`HEADERS`].
pub(crate) fn is_unique(name: &str) -> bool {
    HEADERS.iter().any(|h| h.eq_ignore_ascii_case(name))
}

pub(crate) fn check(cx: &Context<'_>, out: &mut Collected) {
    for record in &cx.config.records {
        for (i, rule) in record.headers.iter().enumerate() {
            let HeaderOp::Add { name, .. } = &rule.op else {
                continue;
            };
            if !is_unique(name) {
                continue;
            }
            // Without a `remove`, the message keeps its own copy as well: two of a
            // single-instance header is `protected-header`'s (an error). A second,
            // different `add` is too; this reports the first.
            let same = |r: &&HeaderRule| r.op.name().eq_ignore_ascii_case(name);
            let Some(removal) = record
                .headers
                .iter()
                .filter(same)
                .find(|r| matches!(r.op, HeaderOp::Remove { .. }))
            else {
                continue;
            };
            if record.headers[..i]
                .iter()
                .filter(same)
                .any(|r| matches!(r.op, HeaderOp::Add { .. }))
            {
                continue;
            }
            let why = if name.eq_ignore_ascii_case("date") {
                "each message needs the `Date` it was written on (providers distrust mail dated long ago and file it out of order)"
            } else {
                "each message needs a `Message-ID` of its own (providers drop or merge messages that share one, and replies thread into the wrong conversation)"
            };
            out.push(
                Diagnostic::new(
                    Code::ConstantUniqueHeader,
                    format!("`{}` gives every message the same `{name}`", record.name),
                    rule.span,
                    "one value for every message",
                )
                .with_label(removal.span, format!("each message's own `{name}` removed here"))
                .with_help(format!(
                    "delete both rules: {why}; if every message really should share this value, silence this with `--allow constant-unique-header`"
                )),
            );
        }
    }
}
