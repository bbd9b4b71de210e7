//! `invalid-encoding`: an encoding that is not a MIME transfer encoding isptab uses.

use crate::compiler::codes::Code;
use crate::compiler::diagnostics::Diagnostic;
use crate::compiler::source::Span;
use crate::semantics::encoding::{Encoding, Part};

/// Spellings people use for the three tokens.
const ALIASES: &[(&str, Encoding)] = &[
    ("qp", Encoding::QuotedPrintable),
    ("quoted_printable", Encoding::QuotedPrintable),
    ("quotedprintable", Encoding::QuotedPrintable),
    ("base-64", Encoding::Base64),
    ("b64", Encoding::Base64),
    ("8-bit", Encoding::EightBit),
    ("eightbit", Encoding::EightBit),
];

pub(crate) fn new(span: Span, given: &str, part: Part) -> Diagnostic {
    let lower = given.trim().to_lowercase();
    let suggestion = ALIASES
        .iter()
        .find(|(alias, _)| *alias == lower)
        .map(|(_, e)| e.as_str())
        .or_else(|| {
            crate::compiler::suggest::closest(&lower, Encoding::ALL.iter().map(|e| e.as_str()))
        })
        .filter(|_| lower != "7bit");
    let label = match suggestion {
        Some(s) => format!("did you mean `{s}`?"),
        None => "unknown encoding".to_string(),
    };
    let extra = match lower.as_str() {
        "7bit" => "; `7bit` is what `quoted-printable` and `base64` produce",
        "binary" => "; `binary` cannot pass through SMTP without BINARYMIME",
        "utf-8" | "utf8" | "us-ascii" | "ascii" | "iso-8859-1" | "latin1" | "windows-1251"
        | "koi8-r" => "; this is a character set, not a transfer encoding",
        _ => "",
    };
    Diagnostic::new(
        Code::InvalidEncoding,
        format!(
            "`{given}` is not a transfer encoding for `{}`",
            part.as_str()
        ),
        span,
        label,
    )
    .with_help(format!("use `quoted-printable`, `base64` or `8bit`{extra}"))
}
