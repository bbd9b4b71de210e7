//! `non-ascii-header`: a header value with characters outside ASCII.

use crate::compiler::codes::Code;
use crate::compiler::diagnostics::Diagnostic;
use crate::compiler::source::StrValue;
use crate::semantics::name::describe_char;

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
