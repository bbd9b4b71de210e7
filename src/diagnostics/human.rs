//! `--format human`: miette's graphical reports, one per diagnostic. Labels in the
//! diagnostic's own file are drawn on its snippet; labels in other files (say, the
//! line in `<defaults>` a domain was first claimed on) are drawn as notes with
//! snippets of their own files.

use std::fmt;
use std::sync::Arc;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode};

use super::{Diagnostic, Label, Severity};
use crate::source::{FileId, SourceMap};

/// Renders diagnostics the way a person reads them.
#[derive(Clone, Debug)]
pub struct HumanRenderer {
    handler: GraphicalReportHandler,
}

impl HumanRenderer {
    /// A renderer with colour (for a terminal) or without, wrapping at `width`.
    pub fn new(color: bool, width: usize) -> HumanRenderer {
        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let mut handler = GraphicalReportHandler::new_themed(theme)
            .with_width(width)
            .with_links(false)
            .with_urls(false);
        if !color {
            handler = handler.without_syntax_highlighting();
        }
        HumanRenderer { handler }
    }

    /// Renders one diagnostic.
    pub fn render(&self, sources: &SourceMap, diagnostic: &Diagnostic) -> String {
        let report = Report::new(sources, diagnostic);
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = self.handler.render_report(&mut out, &report);
        out
    }

    /// Renders every diagnostic, followed by a one-line summary.
    pub fn render_all(&self, sources: &SourceMap, diagnostics: &[Diagnostic]) -> String {
        let mut out = String::new();
        for d in diagnostics {
            out.push_str(&self.render(sources, d));
            out.push('\n');
        }
        let summary = super::Summary::of(diagnostics);
        if summary.errors + summary.warnings > 0 {
            out.push_str(&format!(
                "{} and {} found\n",
                super::plural(summary.errors, "error"),
                super::plural(summary.warnings, "warning")
            ));
        }
        out
    }
}

/// Plain rendering (no colour, 80 columns): what snapshots and logs see.
pub fn render_plain(sources: &SourceMap, diagnostics: &[Diagnostic]) -> String {
    HumanRenderer::new(false, 80).render_all(sources, diagnostics)
}

fn named(sources: &SourceMap, file: FileId) -> NamedSource<Arc<str>> {
    let f = sources.get(file);
    NamedSource::new(f.name(), f.text().clone())
}

fn labeled(label: &Label, primary: bool) -> LabeledSpan {
    let span = (
        label.span.start as usize,
        (label.span.end - label.span.start) as usize,
    );
    let text = Some(label.message.clone());
    if primary {
        LabeledSpan::new_primary_with_span(text, span)
    } else {
        LabeledSpan::new_with_span(text, span)
    }
}

/// A diagnostic in miette's terms.
struct Report<'a> {
    diagnostic: &'a Diagnostic,
    source: NamedSource<Arc<str>>,
    labels: Vec<LabeledSpan>,
    notes: Vec<Note>,
}

impl<'a> Report<'a> {
    fn new(sources: &SourceMap, diagnostic: &'a Diagnostic) -> Self {
        let file = diagnostic.primary.span.file;
        let mut labels = vec![labeled(&diagnostic.primary, true)];
        let mut notes: Vec<Note> = Vec::new();
        for label in &diagnostic.secondary {
            if label.span.file == file {
                labels.push(labeled(label, false));
            } else if let Some(note) = notes.iter_mut().find(|n| n.file == label.span.file) {
                note.labels.push(labeled(label, false));
            } else {
                notes.push(Note {
                    file: label.span.file,
                    code: diagnostic.code.name(),
                    message: format!("see {}", sources.get(label.span.file).name()),
                    source: named(sources, label.span.file),
                    labels: vec![labeled(label, false)],
                });
            }
        }
        Report {
            diagnostic,
            source: named(sources, file),
            labels,
            notes,
        }
    }
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.diagnostic, f)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.diagnostic.code.name()))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.diagnostic
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }

    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn miette::Diagnostic> + 'b>> {
        if self.notes.is_empty() {
            return None;
        }
        Some(Box::new(
            self.notes.iter().map(|n| n as &dyn miette::Diagnostic),
        ))
    }
}

/// The labels of a diagnostic that sit in another file.
#[derive(Debug)]
struct Note {
    file: FileId,
    code: &'static str,
    message: String,
    source: NamedSource<Arc<str>>,
    labels: Vec<LabeledSpan>,
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Note {}

impl miette::Diagnostic for Note {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
}
