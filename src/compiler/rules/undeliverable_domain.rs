//! `undeliverable-domain` (`check --resolve`): a listed domain that accepts no
//! mail: it does not exist (NXDOMAIN), or it publishes a null MX (RFC 7505).

use crate::compiler::codes::Code;
use crate::compiler::diagnostics::Diagnostic;
use crate::compiler::source::Span;

pub(crate) fn new(domain: &str, record: &str, span: Span, null_mx: bool) -> Diagnostic {
    let (message, label) = if null_mx {
        (
            format!("`{domain}` publishes a null MX (RFC 7505): it accepts no mail"),
            "null MX in DNS",
        )
    } else {
        (
            format!("`{domain}` does not exist in DNS (NXDOMAIN): no mail can reach it"),
            "NXDOMAIN",
        )
    };
    Diagnostic::new(Code::UndeliverableDomain, message, span, label).with_help(format!(
        "remove `{domain}` from `{record}`: lists go stale when providers close or sell their domains; if DNS is wrong here, allow this with `--allow undeliverable-domain`"
    ))
}
