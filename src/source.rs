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
    /// limited in size (see [`crate::limits`]).
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

    fn line_starts(&self) -> &[u32] {
        self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(memchr_newlines(self.text.as_bytes()).map(|i| i as u32 + 1))
                .collect()
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

fn memchr_newlines(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    bytes
        .iter()
        .enumerate()
        .filter_map(|(i, &b)| (b == b'\n').then_some(i))
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

    /// The text a span covers.
    pub fn slice(&self, span: Span) -> &str {
        let text = self.get(span.file).text();
        text.get(span.range()).unwrap_or("")
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
