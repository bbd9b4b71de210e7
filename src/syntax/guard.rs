//! Checks run before the `kdl` parser sees a file: the parser recurses once per
//! nested block (ten thousand levels overflow the stack) and slows down on huge
//! lines, so both are bounded first with a clear diagnostic.
//!
//! Nesting is measured with a small scanner that skips strings and comments the way
//! KDL 2.0 defines them, so braces inside them do not count. The formatter
//! (`crate::format`) finds the same tokens with the same `skip_*` functions.

use std::ops::Range;

use crate::limits::Limits;

/// A limit a file breaks, with the span to point at.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Problem {
    /// A line longer than the limit (given).
    LongLine {
        line: usize,
        span: Range<usize>,
        limit: usize,
    },
    /// A `{` that opens a block deeper than the limit (given).
    DeepNesting { span: Range<usize>, limit: usize },
}

pub(crate) fn check(text: &str, limits: &Limits) -> Option<Problem> {
    long_line(text, limits.kdl_line_bytes).or_else(|| deep_nesting(text.as_bytes(), limits.nesting))
}

fn long_line(text: &str, limit: usize) -> Option<Problem> {
    let mut start = 0;
    for (index, line) in text.split('\n').enumerate() {
        if line.len() > limit {
            // Point at the byte where the line crosses the limit.
            let at = crate::source::floor_char_boundary(text, start + limit);
            let next = text[at..].chars().next().map_or(0, char::len_utf8);
            return Some(Problem::LongLine {
                line: index + 1,
                span: at..at + next,
                limit,
            });
        }
        start += line.len() + 1;
    }
    None
}

fn deep_nesting(bytes: &[u8], limit: usize) -> Option<Problem> {
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' => {
                depth += 1;
                if depth > limit {
                    return Some(Problem::DeepNesting {
                        span: i..i + 1,
                        limit,
                    });
                }
                i += 1;
            }
            b'}' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => i = skip_line(bytes, i),
            b'/' if bytes.get(i + 1) == Some(&b'*') => i = skip_block_comment(bytes, i),
            b'"' => i = skip_quoted(bytes, i),
            b'#' => i = raw_string_end(bytes, i).unwrap_or(i + 1),
            _ => i += 1,
        }
    }
    None
}

fn skip_line(bytes: &[u8], i: usize) -> usize {
    bytes[i..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |p| i + p)
}

/// `/* ... */`, which nests in KDL: where the comment starting at `i` ends.
pub(crate) fn skip_block_comment(bytes: &[u8], mut i: usize) -> usize {
    let mut depth = 0usize;
    while i < bytes.len() {
        if bytes[i..].starts_with(b"/*") {
            depth += 1;
            i += 2;
        } else if bytes[i..].starts_with(b"*/") {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    i
}

/// `"..."` or `"""..."""`, with backslash escapes: where the string starting at
/// `i` ends.
pub(crate) fn skip_quoted(bytes: &[u8], i: usize) -> usize {
    let close: &[u8] = if bytes[i..].starts_with(b"\"\"\"") {
        b"\"\"\""
    } else {
        b"\""
    };
    let mut j = i + close.len();
    while j < bytes.len() {
        if bytes[j] == b'\\' {
            j += 2;
        } else if bytes[j..].starts_with(close) {
            return j + close.len();
        } else {
            j += 1;
        }
    }
    bytes.len()
}

/// `#"..."#`, `##"""..."""##` and so on (no escapes): where the raw string
/// starting at `i` ends; `None` when the hashes are not followed by a quote (a
/// keyword such as `#true`).
pub(crate) fn raw_string_end(bytes: &[u8], i: usize) -> Option<usize> {
    let hashes = bytes[i..].iter().take_while(|&&b| b == b'#').count();
    let quote = i + hashes;
    if bytes.get(quote) != Some(&b'"') {
        return None;
    }
    let quotes = if bytes[quote..].starts_with(b"\"\"\"") {
        3
    } else {
        1
    };
    let mut close = vec![b'"'; quotes];
    close.extend(std::iter::repeat_n(b'#', hashes));
    let body = quote + quotes;
    Some(
        bytes[body..]
            .windows(close.len())
            .position(|w| w == close.as_slice())
            .map_or(bytes.len(), |p| body + p + close.len()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAX_NESTING: usize = crate::limits::MAX_NESTING;
    const MAX_KDL_LINE_BYTES: usize = crate::limits::MAX_KDL_LINE_BYTES;

    fn depth_problem(text: &str) -> bool {
        matches!(
            check(text, &Limits::default()),
            Some(Problem::DeepNesting { .. })
        )
    }

    #[test]
    fn counts_only_structural_braces() {
        let deep = "a {".repeat(MAX_NESTING + 1);
        assert!(depth_problem(&deep));
        let ok = "a {".repeat(MAX_NESTING);
        assert!(!depth_problem(&ok));
        let braces = "{".repeat(100);
        for wrapped in [
            format!("x \"{braces}\""),
            format!("x #\"{braces}\"#"),
            format!("x ##\"\"\"\n{braces}\"#\n\"\"\"##"),
            format!("x \"\"\"\n{braces}\n\"\"\""),
            format!("// {braces}\nx"),
            format!("/* /* {braces} */ */ x"),
            format!("x \"\\\"{braces}\""),
        ] {
            assert!(!depth_problem(&wrapped), "{wrapped}");
        }
        // Closing braces hidden in a string must not hide real nesting.
        let hidden = format!(
            "x \"{}\" {}",
            "}".repeat(100),
            "a {".repeat(MAX_NESTING + 1)
        );
        assert!(depth_problem(&hidden));
    }

    #[test]
    fn finds_long_lines() {
        let text = format!("a 1\n{}\n", "x".repeat(MAX_KDL_LINE_BYTES + 1));
        assert!(matches!(
            check(&text, &Limits::default()),
            Some(Problem::LongLine { line: 2, .. })
        ));
    }
}
