//! `long-header`: a header line longer than the 998 octets SMTP allows.

use crate::compiler::diagnostics::Diagnostic;
use crate::compiler::rules::{Code, rule};
use crate::compiler::syntax::StrValue;

rule!(
    LongHeader,
    "long-header",
    Error,
    "a header line over 998 octets"
);

/// The longest line RFC 5322 (section 2.1.1) allows, without CRLF.
pub(crate) const MAX_LINE: usize = 998;

/// `Name: value` must fit on one line.
pub(crate) fn check(name: &str, value: &StrValue<'_>) -> Option<Diagnostic> {
    let len = name.len() + 2 + value.value.len();
    (len > MAX_LINE).then(|| {
        Diagnostic::new(
            Code::LongHeader,
            format!("the header line `{name}: ...` is {len} octets; the limit is {MAX_LINE}"),
            value.span,
            "too long",
        )
        .with_help("RFC 5322 limits a line to 998 octets and isptab does not fold values; shorten the value")
    })
}
