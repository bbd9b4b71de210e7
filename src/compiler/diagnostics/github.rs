//! `--format github`: GitHub Actions workflow commands
//! (`::error file=F,line=L,col=C,endLine=L,endColumn=C,title=T::MESSAGE`), which
//! GitHub turns into annotations on the pull request's diff.

use super::Diagnostic;
use crate::compiler::source::SourceMap;
use crate::semantics::escape::escape;

/// Escapes a command's message (GitHub's toolkit rules).
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command property value.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// One workflow command per diagnostic.
pub fn render_github(sources: &SourceMap, diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let file = sources.get(d.primary.span.file);
        let start = file.location(d.primary.span.start as usize);
        let end = file.location(d.primary.span.end as usize);
        // The workflow commands are named like the severities.
        let command = d.severity.as_str();
        // Every piece that may quote the input is escaped before the pieces are
        // joined with the line breaks the annotation shows.
        let mut message = escape(&d.message).into_owned();
        for label in &d.secondary {
            let other = sources.get(label.span.file);
            let at = other.location(label.span.start as usize);
            message.push_str(&format!(
                "\n{}:{}:{}: {}",
                escape(other.name()),
                at.line,
                at.column,
                escape(&label.message)
            ));
        }
        if let Some(help) = &d.help {
            message.push_str(&format!("\nhelp: {}", escape(help)));
        }
        out.push_str(&format!(
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
            escape_property(&escape(file.name())),
            start.line,
            start.column,
            end.line,
            end.column,
            escape_property(&format!("isptab {}", d.code)),
            escape_data(&message),
        ));
    }
    out
}

/// The workflow command of a run that stopped before it checked anything (a
/// file that cannot be read, a bad option): one `::error` annotation with the
/// reason, so the failure shows on the run's summary.
pub fn render_github_failure(message: &str) -> String {
    format!(
        "::error title={}::{}\n",
        escape_property("isptab"),
        escape_data(&escape(message))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_the_actions_toolkit() {
        assert_eq!(escape_data("a%b\r\nc"), "a%25b%0D%0Ac");
        assert_eq!(escape_property("x:y,z"), "x%3Ay%2Cz");
    }
}
