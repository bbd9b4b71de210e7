//! `unknown-isp`: `override`, `delete` or `from=` names a record that does not exist.

use crate::compiler::codes::Code;
use crate::compiler::diagnostics::Diagnostic;
use crate::compiler::source::Span;

pub(crate) fn new(
    name: &str,
    span: Span,
    suggestion: Option<&str>,
    deleted_at: Option<Span>,
    has_defaults: bool,
) -> Diagnostic {
    if let Some(at) = deleted_at {
        return Diagnostic::new(Code::UnknownIsp, format!("record `{name}` was deleted before this"), span, "no longer exists")
            .with_label(at, "deleted here")
            .with_help("a deleted record cannot be changed or named; remove this, or move it before the `delete`");
    }
    let label = match suggestion {
        Some(s) => format!("did you mean `{s}`?"),
        None => "no record has this name".to_string(),
    };
    let help = match suggestion {
        Some(s) => format!("write `{s}`; records are looked up by name, ignoring case"),
        None if has_defaults => "records must be defined before they are named: check the spelling and the order of files and includes (`isptab defaults` lists the default records)".to_string(),
        None => "records must be defined before they are named: check the spelling and the order of files and includes (no default records are loaded here)".to_string(),
    };
    Diagnostic::new(
        Code::UnknownIsp,
        format!("no record named `{name}`"),
        span,
        label,
    )
    .with_help(help)
}
