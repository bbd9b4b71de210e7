//! `--format short`: one line per diagnostic, `FILE:LINE:COL: SEVERITY[CODE]: MESSAGE`,
//! the shape editors and `grep` understand.

use super::Diagnostic;
use crate::compiler::source::SourceMap;

/// Renders one line per diagnostic.
pub fn render_short(sources: &SourceMap, diagnostics: &[Diagnostic]) -> String {
    diagnostics
        .iter()
        .map(|d| {
            let file = sources.get(d.primary.span.file);
            let at = file.location(d.primary.span.start as usize);
            // The file name starts the line; it and the message may quote the
            // input, so both are escaped (see `crate::semantics::escape`).
            format!(
                "{}:{}:{}: {}[{}]: {}\n",
                crate::semantics::escape::escape_line_start(file.name()),
                at.line,
                at.column,
                d.severity.as_str(),
                d.code,
                crate::semantics::escape::escape(&d.message)
            )
        })
        .collect()
}
