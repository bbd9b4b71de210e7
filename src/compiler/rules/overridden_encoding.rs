//! `overridden-encoding`: an `override` that changes an encoding another file
//! set, so the file that set it no longer says what the record does.

use crate::compiler::codes::Code;
use crate::compiler::config::Setting;
use crate::compiler::diagnostics::Diagnostic;
use crate::semantics::encoding::{Encoding, Part};

/// The override's setting `now` replaces `earlier`, written in the file named
/// `earlier_file`.
pub(crate) fn new(
    record: &str,
    part: Part,
    now: &Setting<Encoding>,
    earlier: &Setting<Encoding>,
    earlier_file: &str,
) -> Diagnostic {
    let part = part.as_str();
    let (old, new) = (earlier.value, now.value);
    Diagnostic::new(
        Code::OverriddenEncoding,
        format!("this `override` changes the `{part}` encoding of `{record}` from `{old}` to `{new}`"),
        now.span,
        format!("`{part}` becomes `{new}` here"),
    )
    .with_label(earlier.span, format!("`{part}` was set to `{old}` here"))
    .with_help(format!(
        "if the change is meant, make it in `{earlier_file}` where `{part}` was set, or keep it here and silence this with `--allow overridden-encoding`; otherwise remove `{part}=\"{new}\"` from this `override`"
    ))
}
