//! `long-header`: a header line longer than the 998 octets SMTP allows.

use crate::compiler::codes::Code;
use crate::compiler::diagnostics::Diagnostic;
use crate::compiler::source::StrValue;

use crate::semantics::header::{MAX_LINE, line_len};

/// `Name: value` must fit on one line.
pub(crate) fn check(name: &str, value: &StrValue<'_>) -> Option<Diagnostic> {
    let len = line_len(name, value.value);
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
