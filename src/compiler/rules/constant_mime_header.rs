//! `constant-mime-header`: a header rule that writes one of the headers that
//! describe a message's own body (`Content-Type`, `Content-Transfer-Encoding`,
//! `MIME-Version`).

use crate::compiler::analysis::Context;
use crate::compiler::codes::Code;
use crate::compiler::config::HeaderRule;
use crate::compiler::diagnostics::{Collected, Diagnostic};
use crate::semantics::encoding::Part;
use crate::semantics::header::HeaderOp;

/// The top-level MIME headers (RFC 2045), lowercase. The MTA writes them for each
/// message: its type and part boundary, and the transfer encoding it applied
/// (the record's `encoding`).
pub(crate) const HEADERS: &[&str] = &["content-type", "content-transfer-encoding", "mime-version"];

/// Whether `name` (any case) is one of [`HEADERS`].
pub(crate) fn is_mime(name: &str) -> bool {
    HEADERS.iter().any(|h| h.eq_ignore_ascii_case(name))
}

pub(crate) fn check(cx: &Context<'_>, out: &mut Collected) {
    for record in &cx.config.records {
        for rule in &record.headers {
            let HeaderOp::Add { name, .. } = &rule.op else {
                continue;
            };
            if !is_mime(name) {
                continue;
            }
            let removal = record.headers.iter().find(|r: &&HeaderRule| {
                matches!(r.op, HeaderOp::Remove { .. }) && r.op.name().eq_ignore_ascii_case(name)
            });
            let (label, delete) = match removal {
                Some(_) => (
                    format!("replaces each message's own `{name}`"),
                    "delete this rule and its `remove`",
                ),
                None => (
                    format!("a second `{name}` beside the message's own"),
                    "delete this rule",
                ),
            };
            let why = if name.eq_ignore_ascii_case("content-type") {
                "each message's own `Content-Type` names the type of its body and the boundary between its parts; one value for every message breaks every multipart message (HTML with a text alternative, attachments)"
            } else if name.eq_ignore_ascii_case("content-transfer-encoding") {
                "the MTA writes `Content-Transfer-Encoding` for the encoding it applied to each part, and this record's `encoding` chooses that (`encoding global=\"base64\"`, or `html=`, `text=`)"
            } else {
                "`MIME-Version: 1.0` comes with each MIME message's own structure, and no other version exists"
            };
            let mut d = Diagnostic::new(
                Code::ConstantMimeHeader,
                format!(
                    "`{}` writes the same `{name}` into every message",
                    record.name
                ),
                rule.span,
                label,
            );
            if let Some(removal) = removal {
                d = d.with_label(
                    removal.span,
                    format!("each message's own `{name}` removed here"),
                );
            }
            if name.eq_ignore_ascii_case("content-transfer-encoding") {
                for part in Part::ALL {
                    if let Some(setting) = record.encoding.get(part) {
                        d = d.with_label(
                            setting.span,
                            format!(
                                "this record's `{}` encoding: `{}`",
                                part.as_str(),
                                setting.value
                            ),
                        );
                    }
                }
            }
            out.push(d.with_help(format!("{delete}: {why}")));
        }
    }
}
