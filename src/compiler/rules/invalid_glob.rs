//! `invalid-glob`: a pattern with wildcards that is not a valid domain glob.

use crate::compiler::codes::Code;
use crate::compiler::diagnostics::Diagnostic;
use crate::compiler::source::Span;
use crate::semantics::glob::GlobError;

pub(crate) fn new(span: Span, error: &GlobError) -> Diagnostic {
    Diagnostic::new(Code::InvalidGlob, format!("invalid glob: {}", error.message), span, "here")
        .with_help("globs match labels: `*` and `?` stay within a label, `**` is a whole label that spans labels, `[a-z]` and `{a,b}` stay within a label")
}

/// An address literal (`[192.168.1.1]`) written as a pattern: it looks like a
/// glob class, but it is an IP address, which no record matches.
pub(crate) fn address_literal(span: Span, address: &str, mx: bool) -> Diagnostic {
    let (what, help) = if mx {
        (
            "MX hosts are names",
            "write the MX host's name (`mx1.example.com`); isptab matches names, not IP addresses",
        )
    } else {
        (
            "records match domains",
            "mail to an address literal (`user@[192.168.1.1]`) has no domain to look up; list the domains the provider receives for instead",
        )
    };
    Diagnostic::new(
        Code::InvalidGlob,
        format!("`[{address}]` is an address literal, not a glob or a domain: {what}"),
        span,
        "an IP address",
    )
    .with_help(help)
}
