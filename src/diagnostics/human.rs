//! `--format human`: miette's graphical reports, one per diagnostic. Labels in the
//! diagnostic's own file are drawn on its snippet; labels in other files (say, the
//! line in `<defaults>` a domain was first claimed on) are drawn as notes with
//! snippets of their own files.

use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use super::{Diagnostic, Label, Severity};
use crate::source::{FileId, SourceFile, SourceMap};

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
        // Never break a word at a hyphen: codes, flags and header names are full
        // of them.
        let mut handler = GraphicalReportHandler::new_themed(theme)
            .with_width(width)
            .with_links(false)
            .with_urls(false)
            .with_break_words(false)
            .with_word_splitter(textwrap::WordSplitter::NoHyphenation);
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
        self.render_each(sources, diagnostics) + &summary_line(diagnostics)
    }

    /// Every diagnostic, each followed by a blank line, without the summary.
    pub fn render_each(&self, sources: &SourceMap, diagnostics: &[Diagnostic]) -> String {
        let mut out = String::new();
        for d in diagnostics {
            out.push_str(&self.render(sources, d));
            out.push('\n');
        }
        out
    }
}

/// "2 errors and 1 warning found", or nothing when there is nothing to report.
pub fn summary_line(diagnostics: &[Diagnostic]) -> String {
    let summary = super::Summary::of(diagnostics);
    if summary.errors + summary.warnings == 0 {
        return String::new();
    }
    format!(
        "{} and {} found\n",
        super::plural(summary.errors, "error"),
        super::plural(summary.warnings, "warning")
    )
}

/// Plain rendering (no colour, 80 columns): what snapshots and logs see.
pub fn render_plain(sources: &SourceMap, diagnostics: &[Diagnostic]) -> String {
    HumanRenderer::new(false, 80).render_all(sources, diagnostics)
}

/// A file as miette reads it. miette's own `read_span` scans the text from the start
/// for every snippet, which is quadratic for many diagnostics in a big domains file;
/// this one cuts out the lines around the span with the file's line index first and
/// lets miette work on that window, then shifts positions back.
#[derive(Clone, Copy)]
struct Snippets<'a>(&'a SourceFile);

impl SourceCode for Snippets<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let file = self.0;
        if let Some(clipped) = clip_long_line(file, span, before) {
            return Ok(Box::new(clipped));
        }
        let text = file.text().as_bytes();
        let first = file.line_index(span.offset()).saturating_sub(before);
        let last = file.line_index(span.offset() + span.len()) + after + 1;
        let window_start = file.line_start(first);
        let window = &text[window_start..file.line_start(last + 1)];
        let local = SourceSpan::new((span.offset() - window_start).into(), span.len());
        let contents = window.read_span(&local, before, after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            file.name().to_string(),
            contents.data(),
            SourceSpan::new(
                (contents.span().offset() + window_start).into(),
                contents.span().len(),
            ),
            contents.line() + first,
            contents.column(),
            contents.line_count() + first,
        )))
    }
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

/// Lines longer than this are shown clipped around the span.
const MAX_SHOWN_LINE: usize = 200;
/// How much of a clipped line is shown on each side of the span.
const CLIP_MARGIN: usize = 60;

/// A span on a very long line (a 10 MB one-line file) is shown with a slice of
/// its line only, so the report stays readable.
fn clip_long_line<'b>(
    file: &'b SourceFile,
    span: &SourceSpan,
    before: usize,
) -> Option<MietteSpanContents<'b>> {
    let text = file.text();
    let line = file.line_index(span.offset());
    let line_start = file.line_start(line);
    let line_end = file.line_start(line + 1).min(text.len());
    let span_end = span.offset() + span.len();
    if line_end - line_start <= MAX_SHOWN_LINE || span_end > line_end || span.len() > MAX_SHOWN_LINE
    {
        return None;
    }
    let content_end = text[..line_end]
        .trim_end_matches(['\n', '\r'])
        .len()
        .max(span_end);
    let lo = if before == 0 {
        span.offset()
    } else {
        crate::source::floor_char_boundary(
            text,
            span.offset().saturating_sub(CLIP_MARGIN).max(line_start),
        )
    };
    let hi = crate::source::floor_char_boundary(text, (span_end + CLIP_MARGIN).min(content_end))
        .max(span_end);
    let column = text[line_start..lo].chars().count();
    Some(MietteSpanContents::new_named(
        file.name().to_string(),
        &text.as_bytes()[lo..hi],
        SourceSpan::new(lo.into(), hi - lo),
        line,
        column,
        line,
    ))
}

/// A diagnostic in miette's terms.
struct Report<'a> {
    diagnostic: &'a Diagnostic,
    source: Snippets<'a>,
    labels: Vec<LabeledSpan>,
    notes: Vec<Note<'a>>,
}

impl<'a> Report<'a> {
    fn new(sources: &'a SourceMap, diagnostic: &'a Diagnostic) -> Self {
        let file = diagnostic.primary.span.file;
        let mut labels = vec![labeled(&diagnostic.primary, true)];
        let mut notes: Vec<Note<'a>> = Vec::new();
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
                    source: Snippets(sources.get(label.span.file)),
                    labels: vec![labeled(label, false)],
                });
            }
        }
        Report {
            diagnostic,
            source: Snippets(sources.get(file)),
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
struct Note<'a> {
    file: FileId,
    code: &'static str,
    message: String,
    source: Snippets<'a>,
    labels: Vec<LabeledSpan>,
}

impl fmt::Debug for Note<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Note<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Note<'_> {}

impl miette::Diagnostic for Note<'_> {
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
