//! `header-injection`: a control character (CR, LF, NUL, ...) in a header value.

use crate::compiler::codes::Code;
use crate::compiler::diagnostics::Diagnostic;
use crate::compiler::source::StrValue;

fn char_name(c: char) -> String {
    match c {
        '\r' => "CR (U+000D)".into(),
        '\n' => "LF (U+000A)".into(),
        '\0' => "NUL (U+0000)".into(),
        c => format!("the control character U+{:04X}", c as u32),
    }
}

/// Every control character but horizontal tab (which is folding white space).
pub(crate) fn check(value: &StrValue<'_>) -> Option<Diagnostic> {
    let (i, c) = crate::semantics::header::control_char(value.value)?;
    let what = char_name(c);
    let d = Diagnostic::new(
        Code::HeaderInjection,
        format!("header value contains {what} at character {}", value.value[..i].chars().count() + 1),
        value.span_of(i..i + c.len_utf8()),
        what.clone(),
    )
    .with_help("a line break in a value ends the header and starts a new one (header injection); write the value on one line, without escapes such as `\\n` or `\\r`");
    Some(d)
}
