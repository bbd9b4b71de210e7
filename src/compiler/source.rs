//! Loaded source files and the mapping from byte offsets to lines and columns.
//!
//! Every diagnostic points into a [`SourceFile`] through a [`Span`]. Spans hold
//! byte offsets; lines and columns (1-based, columns counted in characters) are
//! computed only when a diagnostic is printed.

use std::ops::Range;
use std::sync::{Arc, OnceLock};

/// Identifies one file in a [`SourceMap`]. Ids are handed out in load order, which is
/// also the order diagnostics are sorted in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(u32);

impl FileId {
    /// The position of the file in load order (0 is the first file loaded).
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A byte range in one source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Span {
    /// The file the range is in.
    pub file: FileId,
    /// First byte of the range.
    pub start: u32,
    /// One past the last byte of the range.
    pub end: u32,
}

impl Span {
    /// A span over `range` in `file`. Offsets fit in `u32` because input files are
    /// limited in size (see [`crate::compiler::limits`]).
    pub fn new(file: FileId, range: Range<usize>) -> Span {
        Span {
            file,
            start: range.start as u32,
            end: range.end as u32,
        }
    }

    /// The byte range.
    pub fn range(self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    /// A span over `range`, given relative to the start of this span.
    pub fn within(self, range: Range<usize>) -> Span {
        Span::new(
            self.file,
            self.start as usize + range.start..self.start as usize + range.end,
        )
    }
}

/// A string value with where it is, so a problem at one character can be
/// pointed at exactly.
#[derive(Clone, Copy, Debug)]
pub(crate) struct StrValue<'a> {
    pub value: &'a str,
    /// The whole literal, quotes included.
    pub span: Span,
    /// The literal as written (quotes, hashes and escapes included).
    repr: &'a str,
}

impl<'a> StrValue<'a> {
    /// A value, the span of its literal, and the literal as written.
    pub fn new(value: &'a str, span: Span, repr: &'a str) -> StrValue<'a> {
        StrValue { value, span, repr }
    }

    /// The span of `range` (byte offsets in the value): exact for raw strings and
    /// one-line quoted strings, escapes included (`\r` is underlined as `\r`); the
    /// whole literal for multi-line strings, whose indentation is removed.
    pub fn span_of(&self, range: std::ops::Range<usize>) -> Span {
        source_range(self.repr, self.value, range)
            .filter(|r| r.end <= self.span.range().len())
            .map_or(self.span, |r| self.span.within(r))
    }
}

/// Maps a byte range of a string's value to a byte range of its literal.
fn source_range(
    repr: &str,
    value: &str,
    range: std::ops::Range<usize>,
) -> Option<std::ops::Range<usize>> {
    let hashes = repr.bytes().take_while(|&b| b == b'#').count();
    let body = repr.get(hashes..repr.len().checked_sub(hashes)?)?;
    if body.starts_with("\"\"\"") || !body.starts_with('"') || body.len() < 2 {
        return None;
    }
    let inner = &body[1..body.len() - 1];
    let base = hashes + 1;
    if hashes > 0 {
        // Raw: no escapes.
        return (inner == value && range.end <= value.len())
            .then(|| base + range.start..base + range.end);
    }
    // Walk the literal, counting the value bytes each piece produces.
    let (mut decoded, mut start) = (0, None);
    let mut chars = inner.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if decoded == range.start && start.is_none() {
            start = Some(base + i);
        }
        let produced = if c == '\\' {
            match chars.next() {
                Some((_, 'u')) => {
                    let mut code = String::new();
                    for (_, c) in chars.by_ref() {
                        if c == '}' {
                            break;
                        }
                        if c != '{' {
                            code.push(c);
                        }
                    }
                    u32::from_str_radix(&code, 16)
                        .ok()
                        .and_then(char::from_u32)
                        .map_or(0, char::len_utf8)
                }
                Some((_, c)) if c.is_whitespace() => {
                    while chars.next_if(|(_, c)| c.is_whitespace()).is_some() {}
                    0
                }
                Some(_) => 1,
                None => 0,
            }
        } else {
            c.len_utf8()
        };
        decoded += produced;
        if start.is_some() && decoded >= range.end {
            let end = chars.peek().map_or(inner.len(), |&(j, _)| j);
            return start.map(|s| s..base + end);
        }
    }
    None
}

/// A 1-based line and character column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    /// Line number, starting at 1.
    pub line: usize,
    /// Column in characters (not bytes), starting at 1.
    pub column: usize,
}

/// One loaded file: its display name and its text.
#[derive(Debug)]
pub struct SourceFile {
    name: String,
    text: Arc<str>,
    line_starts: OnceLock<Vec<u32>>,
}

impl SourceFile {
    /// The name shown in diagnostics: the path as given (includes are joined to the
    /// including file's path), or `<defaults>` for the built-in records.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The file's text (a leading byte-order mark removed).
    pub fn text(&self) -> &Arc<str> {
        &self.text
    }

    /// Where each line starts. Every KDL line break counts (CR, LF, CRLF, NEL, VT,
    /// FF, LS, PS), in every kind of file, so lines and columns agree everywhere.
    fn line_starts(&self) -> &[u32] {
        self.line_starts.get_or_init(|| {
            let mut starts: Vec<u32> = lines(&self.text).map(|l| l.start as u32).collect();
            if starts.is_empty() {
                starts.push(0);
            }
            starts
        })
    }

    /// The 0-based line an offset is on.
    pub(crate) fn line_index(&self, offset: usize) -> usize {
        self.line_starts()
            .partition_point(|&s| s as usize <= offset)
            .max(1)
            - 1
    }

    /// The byte offset where 0-based line `line` starts (the text's end past the
    /// last line).
    pub(crate) fn line_start(&self, line: usize) -> usize {
        self.line_starts()
            .get(line)
            .map_or(self.text.len(), |&s| s as usize)
    }

    /// How many lines the file has (an empty file has one).
    pub(crate) fn line_count(&self) -> usize {
        self.line_starts().len()
    }

    /// The bytes of 0-based line `line`, without its line break.
    pub(crate) fn line_range(&self, line: usize) -> Range<usize> {
        let start = self.line_start(line);
        let next = self.line_start(line + 1);
        let text = self.text.as_bytes();
        // Back over the line break that ends the line (at most 3 bytes).
        let end = (start..next)
            .find(|&i| crate::compiler::source::newline_at(text, i) == Some(next - i))
            .unwrap_or(next);
        start..end
    }

    /// The line and column of a byte offset. Offsets past the end are clamped, and an
    /// offset inside a character counts as that character.
    pub fn location(&self, offset: usize) -> Location {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let starts = self.line_starts();
        let line = starts.partition_point(|&s| s as usize <= offset).max(1);
        let line_start = starts[line - 1] as usize;
        let column = self.text[line_start..offset].chars().count() + 1;
        Location { line, column }
    }
}

/// Whether `c` ends a line in KDL 2.0: CR, LF, NEL, VT, FF, LS or PS (CRLF is one
/// line break).
pub fn is_newline(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\u{85}' | '\u{0B}' | '\u{0C}' | '\u{2028}' | '\u{2029}'
    )
}

/// The length in bytes of the line break at byte `i`, if one starts there.
pub fn newline_at(bytes: &[u8], i: usize) -> Option<usize> {
    match bytes.get(i..)? {
        [b'\r', b'\n', ..] => Some(2),
        [b'\n' | b'\r' | 0x0B | 0x0C, ..] => Some(1),
        [0xC2, 0x85, ..] => Some(2),
        [0xE2, 0x80, 0xA8 | 0xA9, ..] => Some(3),
        _ => None,
    }
}

/// Where each line of `text` starts and ends (without its line break), for every
/// KDL line break. An empty text has one empty line.
pub fn lines(text: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut i = 0;
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        while i < bytes.len() {
            // Line breaks start with one of these bytes, so others are skipped fast.
            if matches!(bytes[i], b'\n' | b'\r' | 0x0B | 0x0C | 0xC2 | 0xE2)
                && let Some(len) = newline_at(bytes, i)
            {
                let line = start..i;
                i += len;
                start = i;
                return Some(line);
            }
            i += 1;
        }
        done = true;
        Some(start..bytes.len())
    })
}

/// The largest char boundary at or before `offset`.
pub(crate) fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// All files loaded for one run, in load order.
#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    /// An empty map.
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    /// Adds a file and returns its id.
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<Arc<str>>) -> FileId {
        let id = FileId(self.files.len() as u32);
        self.files.push(SourceFile {
            name: name.into(),
            text: text.into(),
            line_starts: OnceLock::new(),
        });
        id
    }

    /// The file with this id.
    ///
    /// # Panics
    /// If the id came from another map.
    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.index()]
    }

    /// Renames the files `rename` gives a new name for (`isptab diff --git`
    /// shows the files it read from a revision as `REV:path`, not where it put
    /// them).
    pub fn rename(&mut self, rename: impl Fn(&str) -> Option<String>) {
        for file in &mut self.files {
            if let Some(name) = rename(&file.name) {
                file.name = name;
            }
        }
    }

    /// The files, in load order.
    pub fn iter(&self) -> impl Iterator<Item = &SourceFile> {
        self.files.iter()
    }

    /// The number of files loaded.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether no file was loaded.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_count_characters_and_accept_crlf() {
        let mut map = SourceMap::new();
        let id = map.add("a.kdl", "ab\r\nпочта \"x\"\n");
        let file = map.get(id);
        assert_eq!(file.location(0), Location { line: 1, column: 1 });
        assert_eq!(file.location(4), Location { line: 2, column: 1 });
        // `"` after five Cyrillic letters (two bytes each) and a space.
        assert_eq!(file.location(4 + 11), Location { line: 2, column: 7 });
        assert_eq!(file.location(999).line, 3);
    }
}
