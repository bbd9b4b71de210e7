//! `--format short`: one line per diagnostic, `FILE:LINE:COL: SEVERITY[CODE]: MESSAGE`,
//! the shape editors and `grep` understand.

use super::Diagnostic;
use crate::source::SourceMap;

/// Renders one line per diagnostic.
pub fn render_short(sources: &SourceMap, diagnostics: &[Diagnostic]) -> String {
    diagnostics
        .iter()
        .map(|d| {
            let file = sources.get(d.primary.span.file);
            let at = file.location(d.primary.span.start as usize);
            format!(
                "{}:{}:{}: {}[{}]: {}\n",
                file.name(),
                at.line,
                at.column,
                d.severity.as_str(),
                d.code,
                d.message
            )
        })
        .collect()
}
