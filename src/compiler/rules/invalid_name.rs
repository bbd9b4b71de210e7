//! `invalid-name`: a record name with control, bidi or invisible characters, an
//! odd space, or whitespace at either end.

use crate::compiler::codes::Code;
use crate::compiler::diagnostics::Diagnostic;
use crate::compiler::source::StrValue;
use crate::semantics::record_name;

/// Checks a record name where it is written (`isp`, `override`, `delete`, `from=`).
pub(crate) fn check(name: &StrValue<'_>) -> Option<Diagnostic> {
    let error = record_name::check(name.value).err()?;
    let (label, help) = match error.kind {
        record_name::NameErrorKind::Padded => (
            "whitespace here",
            format!("remove the whitespace: `{}`", name.value.trim()),
        ),
        record_name::NameErrorKind::Invisible(_) => (
            "invisible character",
            "remove the character; a name is printed in diagnostics, lookup answers and MTA logs, where it cannot be seen".to_string(),
        ),
        record_name::NameErrorKind::OddSpace(_) => (
            "not a plain space",
            "write a plain space (U+0020), or none".to_string(),
        ),
    };
    Some(
        Diagnostic::new(
            Code::InvalidName,
            format!("invalid record name: {}", error.kind),
            name.span_of(error.at),
            label,
        )
        .with_help(help),
    )
}
