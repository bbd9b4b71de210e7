//! `invalid-header-name`: a header name that RFC 5322 does not allow.

use crate::compiler::diagnostics::Diagnostic;
use crate::compiler::rules::{Code, rule};
use crate::compiler::syntax::StrValue;
use crate::semantics::name::describe_char;

rule!(
    InvalidHeaderName,
    "invalid-header-name",
    Error,
    "a header name RFC 5322 does not allow"
);

/// A field name is one or more printable ASCII characters other than `:` (RFC 5322
/// section 3.6.8).
pub(crate) fn check(name: &StrValue<'_>) -> Option<Diagnostic> {
    let bad = name
        .value
        .char_indices()
        .find(|&(_, c)| !matches!(c, '!'..='9' | ';'..='~'));
    let (span, problem) = match bad {
        None if name.value.is_empty() => {
            return Some(
                Diagnostic::new(
                    Code::InvalidHeaderName,
                    "the header name is empty",
                    name.span,
                    "empty",
                )
                .with_help("write the header's name, such as `add \"X-Campaign-Id\" \"spring\"`"),
            );
        }
        None => return None,
        Some((i, c)) => (
            name.span_of(i..i + c.len_utf8()),
            format!("{} cannot appear in a header name", describe_char(c)),
        ),
    };
    Some(
        Diagnostic::new(Code::InvalidHeaderName, format!("invalid header name `{}`: {problem}", name.value.escape_debug()), span, "not allowed here")
            .with_help("a header name is printable ASCII without spaces or `:`, such as `X-Campaign-Id`; write the name and the value as two strings: `add \"X-Campaign-Id\" \"spring\"`"),
    )
}
