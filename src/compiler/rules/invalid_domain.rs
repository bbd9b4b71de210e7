//! `invalid-domain`: an exact name or suffix that is not a valid domain name.

use crate::compiler::codes::Code;
use crate::compiler::diagnostics::Diagnostic;
use crate::compiler::source::Span;
use crate::semantics::name::{DomainError, DomainErrorKind};

/// `span` is the offending part, `whole` the pattern.
/// `in_list` says the pattern is a line of a domains file rather than a KDL string.
pub(crate) fn new(span: Span, error: &DomainError, in_list: bool) -> Diagnostic {
    let label = match &error.kind {
        DomainErrorKind::Character(_) => "invalid character",
        DomainErrorKind::EmptyLabel => "empty label",
        DomainErrorKind::LabelTooLong(_) => "label too long",
        DomainErrorKind::Hyphen => "hyphen at the edge of a label",
        DomainErrorKind::OneLabel => "one label only",
        DomainErrorKind::NumericTld => "numeric last label",
        _ => "invalid domain",
    };
    let help = match &error.kind {
        DomainErrorKind::Character('@') => {
            "write the domain only, without the mailbox part before `@`"
        }
        DomainErrorKind::Character('_') => "underscores are not allowed in mail domain names",
        DomainErrorKind::Character(c) if (c.is_whitespace() || *c == ',') && in_list => {
            "write one pattern per line"
        }
        DomainErrorKind::Character(c) if c.is_whitespace() || *c == ',' => {
            "write one pattern per string: `domains \"a.com\" \"b.com\"`"
        }
        DomainErrorKind::Character(_) => {
            "domain labels hold letters, digits and inner hyphens; wildcards are `*`, `?`, `[...]`, `{a,b}`"
        }
        DomainErrorKind::NumericTld => {
            "IP addresses are not mail domains; mail to an address literal such as `[192.0.2.25]` gets no ISP record"
        }
        DomainErrorKind::OneLabel => {
            "write the full domain, such as `example.com`; for every name under a suffix write `*.example.com`"
        }
        _ => {
            "labels are 1-63 letters, digits or inner hyphens, at most 253 bytes in all, at least two labels"
        }
    };
    Diagnostic::new(
        Code::InvalidDomain,
        format!("invalid domain: {}", error.kind),
        span,
        label,
    )
    .with_help(help)
}
