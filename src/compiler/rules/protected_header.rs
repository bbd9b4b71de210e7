//! `protected-header`: removing a header every message needs, or adding a second
//! copy of a header that may appear only once. An `add` of a MIME header is
//! `constant-mime-header`'s whatever else the record does, and an `add` that
//! replaces `Message-ID` or `Date` is `constant-unique-header`'s: one mistake,
//! one diagnostic.

use crate::compiler::analysis::Context;
use crate::compiler::codes::Code;
use crate::compiler::config::HeaderRule;
use crate::compiler::diagnostics::{Collected, Diagnostic};
use crate::compiler::rules::constant_mime_header::is_mime;
use crate::compiler::rules::constant_unique_header::is_unique;
use crate::semantics::header::HeaderOp;

/// Headers a valid message needs (RFC 5322 section 3.6, RFC 2045).
const REQUIRED: &[&str] = &[
    "from",
    "date",
    "message-id",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
];

/// Headers that may appear at most once (RFC 5322 section 3.6, RFC 2045).
const SINGLE: &[&str] = &[
    "date",
    "from",
    "sender",
    "reply-to",
    "to",
    "cc",
    "bcc",
    "message-id",
    "in-reply-to",
    "references",
    "subject",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
];

pub(crate) fn check(cx: &Context<'_>, out: &mut Collected) {
    for record in &cx.config.records {
        let rules = &record.headers;
        let lower = |op: &HeaderOp| op.name().to_ascii_lowercase();
        let removes = |name: &str| {
            rules
                .iter()
                .any(|r| matches!(r.op, HeaderOp::Remove { .. }) && lower(&r.op) == name)
        };
        for rule in rules {
            let name = lower(&rule.op);
            match &rule.op {
                HeaderOp::Remove { name: written }
                    if REQUIRED.contains(&name.as_str()) && adds(rules, &name).next().is_none() =>
                {
                    out.push(
                        Diagnostic::new(
                            Code::ProtectedHeader,
                            format!(
                                "`{}` removes `{written}`, which every message needs",
                                record.name
                            ),
                            rule.span,
                            "required header removed",
                        )
                        .with_help(removal_help(written)),
                    );
                }
                HeaderOp::Add {
                    name: written,
                    value,
                } if SINGLE.contains(&name.as_str()) && !is_mime(written) => {
                    // Exact repeats are `duplicate-header-rule`'s business.
                    let earlier = adds(rules, &name)
                        .take_while(|r| !std::ptr::eq(*r, rule))
                        .find(|r| !matches!(&r.op, HeaderOp::Add { value: v, .. } if v == value));
                    if let Some(first) = earlier {
                        out.push(
                            Diagnostic::new(
                                Code::ProtectedHeader,
                                format!(
                                    "`{}` adds `{written}` twice; a message may have only one",
                                    record.name
                                ),
                                rule.span,
                                "second copy",
                            )
                            .with_label(first.span, "first added here")
                            .with_help(twice_help(written, removes(&name))),
                        );
                    } else if !removes(&name) {
                        out.push(
                            Diagnostic::new(
                                Code::ProtectedHeader,
                                format!(
                                    "`{}` adds a second `{written}`; a message may have only one",
                                    record.name
                                ),
                                rule.span,
                                "second copy",
                            )
                            .with_help(second_copy_help(written)),
                        );
                    }
                }
                _ => {}
            }
        }
    }
}

/// How to fix the `remove` of a required header: put one back, unless a header
/// rule cannot write one that fits every message.
fn removal_help(written: &str) -> String {
    if is_mime(written) {
        format!(
            "delete this rule: a MIME message cannot be read without its own `{written}`, which describes its body (to choose transfer encodings, use `encoding`)"
        )
    } else if is_unique(written) {
        format!(
            "delete this rule: every message needs a `{written}` of its own, and an `add` would give them all the same one"
        )
    } else {
        format!("to replace it, also `add \"{written}\" \"...\"`; otherwise remove this rule")
    }
}

/// How to fix an `add` of a single-instance header the message already has.
fn second_copy_help(written: &str) -> String {
    if is_unique(written) {
        format!(
            "delete this rule: every message already has a `{written}` of its own, and replacing it would give them all the same one"
        )
    } else {
        format!(
            "to replace the message's own `{written}`, add `remove \"{written}\"` to the same `headers` block"
        )
    }
}

/// How to fix two different `add`s of a single-instance header.
fn twice_help(written: &str, removed: bool) -> String {
    if is_unique(written) {
        let and_remove = if removed { " and the `remove`" } else { "" };
        format!("delete the `add` rules{and_remove}: every message needs a `{written}` of its own")
    } else {
        "keep one of the two `add` rules".to_string()
    }
}

/// The `add` rules for `name` (lowercase).
fn adds<'r>(rules: &'r [HeaderRule], name: &'r str) -> impl Iterator<Item = &'r HeaderRule> {
    rules.iter().filter(move |r| {
        matches!(r.op, HeaderOp::Add { .. }) && r.op.name().eq_ignore_ascii_case(name)
    })
}
