//! `include-cycle`: files include each other in a loop.

use crate::compiler::codes::Code;
use crate::compiler::diagnostics::Diagnostic;
use crate::compiler::source::Span;

/// `chain` is the loop, first file repeated at the end; `sites` are the `include`s
/// along it before the one that closes it.
pub(crate) fn new(site: Span, chain: &[String], sites: &[Span]) -> Diagnostic {
    let path = chain
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(" -> ");
    let closing = chain.last().map(String::as_str).unwrap_or("");
    let mut d = Diagnostic::new(
        Code::IncludeCycle,
        format!("include cycle: {path}"),
        site,
        format!("includes `{closing}` again"),
    )
    .with_help("a file cannot include itself, directly or through other files; remove one `include` of the loop");
    for (i, &span) in sites.iter().enumerate() {
        d = d.with_label(span, format!("includes `{}`", chain[i + 1]));
    }
    d
}
