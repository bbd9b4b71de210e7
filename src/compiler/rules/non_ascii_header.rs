//! `non-ascii-header`: a header value with characters outside ASCII.

use crate::compiler::diagnostics::Diagnostic;
use crate::compiler::rules::{Code, rule};
use crate::compiler::syntax::StrValue;
use crate::semantics::name::describe_char;

rule!(
    NonAsciiHeader,
    "non-ascii-header",
    Warning,
    "a header value with non-ASCII characters"
);

pub(crate) fn check(value: &StrValue<'_>) -> Option<Diagnostic> {
    let (i, c) = value.value.char_indices().find(|&(_, c)| !c.is_ascii())?;
    Some(
        Diagnostic::new(
            Code::NonAsciiHeader,
            format!("header value contains the non-ASCII character {}", describe_char(c)),
            value.span_of(i..i + c.len_utf8()),
            "not ASCII",
        )
        .with_help("servers without SMTPUTF8 reject or mangle raw UTF-8 in headers; write the value in ASCII, or as an RFC 2047 encoded-word (`=?UTF-8?B?...?=`)"),
    )
}
