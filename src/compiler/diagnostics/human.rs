//! `--format human`: miette's graphical reports, one per diagnostic. Labels in the
//! diagnostic's own file are drawn on its snippet; labels in other files (say, the
//! line in `<defaults>` a domain was first claimed on) on a snippet of their own
//! file, in the same report, before the help.

use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use super::{Diagnostic, Label, Severity, Summary};
use crate::compiler::source::{FileId, SourceFile, SourceMap};

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
            .with_word_splitter(textwrap::WordSplitter::NoHyphenation)
            .with_word_separator(textwrap::WordSeparator::Custom(words_keeping_code));
        if !color {
            handler = handler.without_syntax_highlighting();
        }
        HumanRenderer { handler }
    }

    /// Renders one diagnostic: its message, the snippet of its own file, the
    /// snippet of each other file it labels (the other side of a conflict, in
    /// the same report rather than as a note that reads like a second problem),
    /// then its help.
    pub fn render(&self, sources: &SourceMap, diagnostic: &Diagnostic) -> String {
        let mut report = Report::new(sources, diagnostic);
        let notes = std::mem::take(&mut report.notes);
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = self.handler.render_report(&mut out, &report);
        if notes.is_empty() {
            return out;
        }
        let mut snippets = String::new();
        for note in &notes {
            let mut rendered = String::new();
            let _ = self.handler.render_report(&mut rendered, note);
            // Only the snippet: from its `╭─[FILE:LINE:COL]` line on.
            let start = snippet_line(&rendered).unwrap_or(0);
            snippets.push_str(rendered[start..].trim_end_matches('\n'));
            snippets.push('\n');
        }
        let at = help_line(&out).unwrap_or(out.trim_end_matches('\n').len() + 1);
        out.insert_str(at.min(out.len()), &snippets);
        out
    }

    /// Renders every diagnostic, followed by a one-line summary.
    pub fn render_all(&self, sources: &SourceMap, diagnostics: &[Diagnostic]) -> String {
        self.render_each(sources, diagnostics) + &summary_line(diagnostics, Summary::default())
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

/// A code span longer than this may be broken at its spaces like prose.
const LONG_CODE: usize = 48;

/// The words of a line for wrapping: split after runs of spaces, except inside
/// a short `code span`, so that a command or a node to copy (`lints { allow
/// "broad-pattern" }`) stays on one line.
fn words_keeping_code(line: &str) -> Box<dyn Iterator<Item = textwrap::core::Word<'_>> + '_> {
    let mut words = Vec::new();
    let (mut start, mut code_start, mut in_code, mut after_space) =
        (0, None::<usize>, false, false);
    for (i, ch) in line.char_indices() {
        let long_code = code_start.is_some_and(|c| i - c > LONG_CODE);
        if after_space && ch != ' ' && (!in_code || long_code) {
            words.push(textwrap::core::Word::from(&line[start..i]));
            start = i;
        }
        if ch == '`' {
            in_code = !in_code;
            code_start = in_code.then_some(i);
        }
        after_space = ch == ' ';
    }
    if start < line.len() {
        words.push(textwrap::core::Word::from(&line[start..]));
    }
    Box::new(words.into_iter())
}

/// Where the help line of a rendered report starts: the help ends the report,
/// and it is the only line that starts with two spaces and `help:` once its
/// colour codes are skipped (the message and labels are escaped, so they hold
/// no line break; snippet lines start with a gutter).
fn help_line(rendered: &str) -> Option<usize> {
    lines(rendered)
        .filter(|(_, line)| line.starts_with("  help: "))
        .last()
        .map(|(at, _)| at)
}

/// Where the first snippet of a rendered report starts: the line that is only
/// spaces before `╭─[` (a file name or message holding `╭─[` is on a line that
/// starts otherwise).
fn snippet_line(rendered: &str) -> Option<usize> {
    lines(rendered)
        .find(|(_, line)| line.trim_start_matches(' ').starts_with("╭─["))
        .map(|(at, _)| at)
}

/// Each line of a rendered report with its offset, without its colour codes.
fn lines(rendered: &str) -> impl Iterator<Item = (usize, String)> + '_ {
    rendered.split_inclusive('\n').scan(0, |start, line| {
        let at = *start;
        *start += line.len();
        let mut plain = String::with_capacity(line.len());
        let mut rest = line;
        while let Some((before, after)) = rest.split_once("\u{1b}[") {
            plain.push_str(before);
            rest = after.split_once('m').map_or("", |(_, r)| r);
        }
        plain.push_str(rest);
        Some((at, plain))
    })
}

/// "2 errors and 1 warning found", or nothing when there is nothing to report;
/// `omitted` counts what was found but not shown (see [`crate::Checked::omitted`]).
pub fn summary_line(diagnostics: &[Diagnostic], omitted: Summary) -> String {
    let shown = Summary::of(diagnostics);
    let (errors, warnings) = (
        shown.errors + omitted.errors,
        shown.warnings + omitted.warnings,
    );
    if errors + warnings == 0 {
        return String::new();
    }
    let mut line = format!(
        "{} and {} found",
        super::plural(errors, "error"),
        super::plural(warnings, "warning")
    );
    if !omitted.is_empty() {
        line.push_str(&format!("; {}", omitted_note(omitted)));
    }
    line.push('\n');
    line
}

/// "1,999,900 not shown (at most 100 of a code and 500 in all are shown)".
pub fn omitted_note(omitted: Summary) -> String {
    format!(
        "{} not shown (at most {} of a code and {} in all are shown)",
        omitted.errors + omitted.warnings,
        super::MAX_PER_CODE,
        super::MAX_SHOWN
    )
}

/// Plain rendering (no colour, 80 columns): what snapshots and logs see.
pub fn render_plain(sources: &SourceMap, diagnostics: &[Diagnostic]) -> String {
    HumanRenderer::new(false, 80).render_all(sources, diagnostics)
}

/// Lines longer than this are shown clipped around the labels on them.
const MAX_SHOWN_LINE: usize = 200;
/// How much of a clipped line is shown on each side of its labels.
const CLIP_MARGIN: usize = 60;
/// Lines shown around each label (miette's default context).
const CONTEXT: usize = 1;
/// Snippets at most this many lines apart are joined into one.
const MAX_GAP: usize = 3;

/// One line of a file as a report shows it.
struct ShownLine {
    /// Where the shown part is in the excerpt's text.
    at: usize,
    /// The part of the original line shown (all of it, or a clip).
    original: std::ops::Range<usize>,
    /// How long the shown part is, escaped.
    len: usize,
    /// The 0-based line number in the file.
    number: usize,
}

/// The lines of one file that a report shows, as the one text miette reads: only
/// the lines around the labels (a 1 GiB domains file is not copied), cut at every
/// KDL line break and joined with `\n`, long lines clipped around their labels,
/// and escaped (see [`crate::semantics::escape`]) so that no byte of the file reaches the
/// terminal as a control sequence. Label spans are mapped into this text; miette
/// never sees the original offsets, so it cannot draw past what was escaped.
struct Excerpt {
    name: String,
    text: String,
    lines: Vec<ShownLine>,
    /// Runs of consecutive lines, as ranges of `lines`: a snippet never spans two.
    runs: Vec<std::ops::Range<usize>>,
}

/// Snippet text escaped: like the renderer's other text, but a tab stays a tab
/// (miette lays it out) and `::` is left alone (a snippet line starts with its
/// line number).
fn escape_snippet(text: &str) -> std::borrow::Cow<'_, str> {
    crate::semantics::escape::escape_snippet(text)
}

impl Excerpt {
    /// The excerpt of `file` that shows `spans`.
    fn new(file: &SourceFile, spans: &[crate::compiler::source::Span]) -> Excerpt {
        let text = file.text();
        // Every line a label covers, with the context around it.
        // The empty line after a final line break is shown only for a label on it.
        let line_count = file.line_count();
        let last_with_text = if file.line_range(line_count - 1).is_empty() {
            line_count.saturating_sub(2)
        } else {
            line_count - 1
        };
        let mut wanted: Vec<(usize, usize)> = spans
            .iter()
            .map(|s| {
                let first = file.line_index(s.start as usize);
                let last = file.line_index((s.end as usize).max(s.start as usize));
                let context = (last + CONTEXT).min(last_with_text).max(last);
                (first.saturating_sub(CONTEXT), context)
            })
            .collect();
        wanted.sort_unstable();
        let mut excerpt = Excerpt {
            name: crate::semantics::escape::escape(file.name()).into_owned(),
            text: String::new(),
            lines: Vec::new(),
            runs: Vec::new(),
        };
        let mut next_line = 0;
        for (first, last) in wanted {
            let last = last.min(line_count - 1);
            // Snippets a few lines apart are shown as one, the lines between included.
            let first = if first <= next_line + MAX_GAP && !excerpt.runs.is_empty() {
                next_line
            } else {
                first
            }
            .max(next_line);
            if first > last {
                continue;
            }
            if first != next_line || excerpt.runs.is_empty() {
                excerpt.runs.push(excerpt.lines.len()..excerpt.lines.len());
            }
            for number in first..=last {
                let line = file.line_range(number);
                let on_line: Vec<&crate::compiler::source::Span> = spans
                    .iter()
                    .filter(|s| {
                        (s.start as usize) < line.end.max(line.start + 1)
                            && s.end as usize >= line.start
                    })
                    .collect();
                let shown = if line.len() <= MAX_SHOWN_LINE {
                    line.clone()
                } else if on_line.is_empty() {
                    if number != first && number != last {
                        line.start
                            ..crate::compiler::source::floor_char_boundary(
                                text,
                                line.start + MAX_SHOWN_LINE,
                            )
                    } else {
                        // A long context line says nothing: leave it out.
                        continue;
                    }
                } else {
                    // The labels with some context on each side; a label longer
                    // than a shown line (a 1,000-character value) is cut to its
                    // start.
                    let lo = on_line
                        .iter()
                        .map(|s| s.start as usize)
                        .min()
                        .unwrap_or(line.start);
                    let hi = on_line
                        .iter()
                        .map(|s| s.end as usize)
                        .max()
                        .unwrap_or(line.end);
                    let lo = crate::compiler::source::floor_char_boundary(
                        text,
                        lo.saturating_sub(CLIP_MARGIN).max(line.start),
                    );
                    let mut hi = (hi + CLIP_MARGIN).min(line.end);
                    if on_line
                        .iter()
                        .any(|s| s.end - s.start > MAX_SHOWN_LINE as u32)
                    {
                        hi = hi.min(lo + MAX_SHOWN_LINE);
                    }
                    let hi = crate::compiler::source::floor_char_boundary(text, hi).max(lo);
                    lo..hi
                };
                let escaped = escape_snippet(&text[shown.clone()]);
                let at = excerpt.text.len();
                excerpt.text.push_str(&escaped);
                excerpt.text.push('\n');
                excerpt.lines.push(ShownLine {
                    at,
                    original: shown,
                    len: escaped.len(),
                    number,
                });
                if let Some(run) = excerpt.runs.last_mut() {
                    run.end = excerpt.lines.len();
                }
            }
            next_line = last + 1;
        }
        excerpt
    }

    /// Where an offset of the original file is in the excerpt.
    fn map(&self, file: &SourceFile, offset: usize) -> usize {
        let number = file.line_index(offset);
        let i = self.lines.partition_point(|l| l.number < number);
        let Some(line) = self.lines.get(i).filter(|l| l.number == number) else {
            // Not shown (cannot happen for a label): the nearest shown place.
            return self.lines.get(i).map_or(self.text.len(), |l| l.at);
        };
        if offset <= line.original.start {
            return line.at;
        }
        if offset >= line.original.end {
            return line.at + line.len;
        }
        let text = file.text();
        let offset = crate::compiler::source::floor_char_boundary(text, offset);
        line.at + escape_snippet(&text[line.original.start..offset]).len()
    }

    /// The original offset of excerpt offset `at`, on shown line `i`.
    fn unmap(&self, file: &SourceFile, i: usize, at: usize) -> usize {
        let line = &self.lines[i];
        let text = &file.text()[line.original.clone()];
        let mut shown = line.at;
        for (j, c) in text.char_indices() {
            let mut buf = [0u8; 4];
            shown += escape_snippet(c.encode_utf8(&mut buf)).len();
            if shown > at {
                return line.original.start + j;
            }
        }
        line.original.end
    }

    /// A label in excerpt coordinates.
    fn label(&self, file: &SourceFile, label: &Label, primary: bool) -> LabeledSpan {
        let start = self.map(file, label.span.start as usize);
        let end = self.map(file, label.span.end as usize).max(start);
        let text = Some(crate::semantics::escape::escape(&label.message).into_owned());
        if primary {
            LabeledSpan::new_primary_with_span(text, (start, end - start))
        } else {
            LabeledSpan::new_with_span(text, (start, end - start))
        }
    }
}

/// What miette reads: an excerpt, and the file for line and column numbers.
struct Snippets<'a> {
    file: &'a SourceFile,
    excerpt: Excerpt,
}

impl SourceCode for Snippets<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let ex = &self.excerpt;
        let (start, end) = (span.offset(), span.offset() + span.len());
        // The shown line the span starts on, and the run it is in.
        let first = ex.lines.partition_point(|l| l.at + l.len < start);
        let run = ex
            .runs
            .iter()
            .find(|r| r.contains(&first))
            .ok_or(MietteError::OutOfBounds)?;
        let last = ex.lines[first..run.end]
            .iter()
            .position(|l| l.at + l.len >= end)
            .map(|p| first + p)
            .ok_or(MietteError::OutOfBounds)?;
        let lo = first.saturating_sub(before).max(run.start);
        let hi = (last + after).min(run.end - 1);
        let data_start = ex.lines[lo].at;
        let data_end = ex.lines[hi].at + ex.lines[hi].len + 1;
        // The column of the span's start, when miette asks for the span alone
        // (it prints it as `[file:line:column]`): characters, as every format counts.
        let column = if before == 0 {
            self.file.location(ex.unmap(self.file, first, start)).column - 1
        } else {
            0
        };
        // miette joins two snippets when one's lines reach the other's first line:
        // the lines counted here reach to the end of the run, so snippets in one
        // run are joined and snippets in different runs never are.
        let to_run_end = ex.lines[run.end - 1].number - ex.lines[lo].number + 1;
        Ok(Box::new(MietteSpanContents::new_named(
            ex.name.clone(),
            &ex.text.as_bytes()[data_start..data_end],
            SourceSpan::new(data_start.into(), data_end - data_start),
            ex.lines[lo].number,
            column,
            to_run_end,
        )))
    }
}

/// A diagnostic in miette's terms.
struct Report<'a> {
    diagnostic: &'a Diagnostic,
    /// The message and help, escaped.
    message: String,
    help: Option<String>,
    source: Snippets<'a>,
    labels: Vec<LabeledSpan>,
    notes: Vec<Note<'a>>,
}

impl<'a> Report<'a> {
    fn new(sources: &'a SourceMap, diagnostic: &'a Diagnostic) -> Self {
        let file = diagnostic.primary.span.file;
        // The labels of each file, the diagnostic's own first.
        let mut by_file: Vec<(FileId, Vec<(&Label, bool)>)> =
            vec![(file, vec![(&diagnostic.primary, true)])];
        for label in &diagnostic.secondary {
            match by_file.iter_mut().find(|(f, _)| *f == label.span.file) {
                Some((_, labels)) => labels.push((label, false)),
                None => by_file.push((label.span.file, vec![(label, false)])),
            }
        }
        let mut views = by_file.into_iter().map(|(file, labels)| {
            let source = sources.get(file);
            let spans: Vec<_> = labels.iter().map(|(l, _)| l.span).collect();
            let excerpt = Excerpt::new(source, &spans);
            let labels = labels
                .iter()
                .map(|(l, primary)| excerpt.label(source, l, *primary))
                .collect();
            (
                file,
                Snippets {
                    file: source,
                    excerpt,
                },
                labels,
            )
        });
        let (_, source, labels) = views.next().expect("the primary label's file");
        let notes = views
            .map(|(_, source, labels)| Note {
                code: diagnostic.code.name(),
                message: format!("see {}", source.excerpt.name),
                source,
                labels,
            })
            .collect();
        Report {
            diagnostic,
            message: crate::semantics::escape::escape(&diagnostic.message).into_owned(),
            help: diagnostic
                .help
                .as_deref()
                .map(|h| crate::semantics::escape::escape(h).into_owned()),
            source,
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
        f.write_str(&self.message)
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
        self.help
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

#[cfg(test)]
mod tests {
    use super::words_keeping_code;

    fn words(line: &str) -> Vec<&str> {
        words_keeping_code(line).map(|w| w.word).collect()
    }

    #[test]
    fn code_spans_stay_whole_and_long_ones_may_break() {
        assert_eq!(
            words("write `lints { allow \"x\" }` here"),
            ["write", "`lints { allow \"x\" }`", "here"]
        );
        let long = format!("`{}`", ["word"; 20].join(" "));
        assert!(words(&long).len() > 1, "a long span breaks: {long}");
        assert_eq!(words("an ` unclosed"), ["an", "` unclosed"]);
    }
}
