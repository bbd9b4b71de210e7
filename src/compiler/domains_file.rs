//! Reading a `domains-file`: one pattern per line, blank lines and `#` comments
//! skipped. This is the path for big lists, so it avoids per-line allocation and
//! hands out byte ranges into the file's text.

use std::ops::Range;

/// One meaningful line of a domains file.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Line {
    /// The byte range of the pattern (comment and surrounding whitespace removed).
    Pattern(Range<usize>),
    /// A line longer than the limit: its 1-based number and its range.
    TooLong(usize, Range<usize>),
}

/// The patterns of a domains file, in order. Lines end at every line break KDL
/// knows (LF, CRLF, CR, NEL, VT, FF, LS, PS), like the lines of diagnostics.
pub(crate) fn lines(text: &str, max_line: usize) -> impl Iterator<Item = Line> + '_ {
    crate::compiler::source::lines(text)
        .enumerate()
        .filter_map(move |(index, range)| {
            let (line_start, raw) = (range.start, &text[range.clone()]);
            if raw.len() > max_line {
                let end = crate::compiler::source::floor_char_boundary(text, line_start + max_line);
                return Some(Line::TooLong(index + 1, line_start..end));
            }
            let content = raw.split('#').next().unwrap_or("");
            let trimmed = content.trim_end();
            let lead = trimmed.len() - trimmed.trim_start().len();
            let token = &trimmed[lead..];
            (!token.is_empty())
                .then(|| Line::Pattern(line_start + lead..line_start + lead + token.len()))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_comments_and_blanks_and_accepts_crlf() {
        let text = "# list\r\ngmail.com\r\n\r\n  ymail.com  # old\n*.example.com\rcr.example\u{2028}ls.example";
        let got: Vec<&str> = lines(text, crate::compiler::limits::MAX_DOMAINS_FILE_LINE_BYTES)
            .map(|l| match l {
                Line::Pattern(r) => &text[r],
                Line::TooLong(..) => panic!(),
            })
            .collect();
        assert_eq!(
            got,
            [
                "gmail.com",
                "ymail.com",
                "*.example.com",
                "cr.example",
                "ls.example"
            ]
        );
    }
}
