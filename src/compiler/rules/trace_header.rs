//! `trace-header`: a header rule that adds a trace or signature header, which
//! the servers a message passes through (or the MTA's signing stage) write for
//! each message.

use crate::compiler::analysis::Context;
use crate::compiler::codes::Code;
use crate::compiler::diagnostics::{Collected, Diagnostic};
use crate::semantics::header::HeaderOp;

/// Who writes a header, which says what a constant one breaks.
#[derive(Clone, Copy)]
enum Writer {
    /// Each server that relays the message (RFC 5321 section 4.4).
    Relay,
    /// The server that delivers it (RFC 5321 section 4.4).
    Delivery,
    /// A signer, over the message's own headers and body (RFC 6376, RFC 4870).
    Signer,
    /// Each intermediary that seals the message (RFC 8617).
    Sealer,
    /// The receiving server, after its checks (RFC 8601).
    Receiver,
}

/// The headers (lowercase) and who writes them.
const HEADERS: &[(&str, Writer)] = &[
    ("received", Writer::Relay),
    ("return-path", Writer::Delivery),
    ("dkim-signature", Writer::Signer),
    ("domainkey-signature", Writer::Signer),
    ("arc-seal", Writer::Sealer),
    ("arc-message-signature", Writer::Sealer),
    ("arc-authentication-results", Writer::Sealer),
    ("authentication-results", Writer::Receiver),
];

pub(crate) fn check(cx: &Context<'_>, out: &mut Collected) {
    for record in &cx.config.records {
        for rule in &record.headers {
            let HeaderOp::Add { name, .. } = &rule.op else {
                continue;
            };
            let Some(&(_, writer)) = HEADERS.iter().find(|(h, _)| h.eq_ignore_ascii_case(name))
            else {
                continue;
            };
            let (message, label, help) = match writer {
                Writer::Relay => (
                    format!("`{}` adds a `{name}` header to every message", record.name),
                    "a hop that never happened",
                    format!("delete this rule: each server adds its own `{name}` line as it handles the message; a fixed one is a forged hop, which spam filters look for"),
                ),
                Writer::Delivery => (
                    format!("`{}` adds `{name}`, which the delivering server writes", record.name),
                    "written at delivery",
                    format!("delete this rule: the delivering server writes `{name}` from the envelope sender (MAIL FROM), and a message should not arrive with one (RFC 5321 section 4.4); to change where bounces go, change the envelope sender"),
                ),
                Writer::Signer => (
                    format!("`{}` adds a fixed `{name}`, which can never verify", record.name),
                    "signs no particular message",
                    "delete this rule: a signature covers each message's own headers and body, so the signing stage computes it per message; configure DKIM signing in the MTA".to_string(),
                ),
                Writer::Sealer => (
                    format!("`{}` adds a fixed `{name}`, which breaks the ARC chain", record.name),
                    "seals no particular message",
                    format!("delete this rule: each intermediary that handles a message computes its own ARC headers over it; receivers treat a chain with a fixed `{name}` as failed (cv=fail)"),
                ),
                Writer::Receiver => (
                    format!("`{}` adds `{name}`, which only the receiving server writes", record.name),
                    "results no check produced",
                    format!("delete this rule: the receiving server records its own SPF, DKIM and DMARC results in `{name}`; one that arrives with the message is forged, and is removed or counted against the sender"),
                ),
            };
            out.push(Diagnostic::new(Code::TraceHeader, message, rule.span, label).with_help(help));
        }
    }
}
