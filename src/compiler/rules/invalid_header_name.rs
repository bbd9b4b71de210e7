//! `invalid-header-name`: a header name that RFC 5322 does not allow.

use crate::compiler::codes::Code;
use crate::compiler::diagnostics::Diagnostic;
use crate::compiler::source::StrValue;
use crate::semantics::header;
use crate::semantics::name::describe_char;

/// A field name is one or more printable ASCII characters other than `:` (RFC 5322
/// section 3.6.8).
pub(crate) fn check(name: &StrValue<'_>) -> Option<Diagnostic> {
    let bad = header::bad_name_char(name.value);
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
