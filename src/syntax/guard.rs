//! Checks run before the `kdl` parser sees a file: the parser recurses once per
//! nested block (ten thousand levels overflow the stack) and slows down on huge
//! lines, so both are bounded first with a clear diagnostic.
//!
//! Nesting is measured with a small scanner that skips strings and comments the way
//! KDL 2.0 defines them, so braces inside them do not count. The formatter
//! (`crate::format`) finds the same tokens with the same `skip_*` functions.

use std::borrow::Cow;
use std::ops::Range;

use crate::limits::Limits;
use crate::source::{lines, newline_at};

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
    /// More nodes in one file than the limit (given); the span is the first node
    /// past it.
    TooManyNodes { span: Range<usize>, limit: usize },
}

/// Checks the limits the parser needs and returns the text to give it: the same
/// text with the bodies of block comments replaced by spaces (their line breaks
/// kept, so every offset and line stays where it was). The parser recurses once per
/// piece of a block comment, so 24 KB of `/* * * ... */` would overflow its stack;
/// a blank comment is one piece.
impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::LongLine { line, limit, .. } => {
                write!(f, "line {line} is longer than {limit} bytes")
            }
            Problem::DeepNesting { limit, .. } => {
                write!(f, "blocks are nested more than {limit} levels deep")
            }
            Problem::TooManyNodes { limit, .. } => {
                write!(f, "the file has more than {limit} nodes")
            }
        }
    }
}

pub(crate) fn prepare<'t>(text: &'t str, limits: &Limits) -> Result<Cow<'t, str>, Problem> {
    if let Some(problem) = long_line(text, limits.kdl_line_bytes) {
        return Err(problem);
    }
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut comments: Vec<Range<usize>> = Vec::new();
    // Nodes are counted where something other than a comment starts a line or
    // follows `;`, `{` or `}` (a continued line counts as one more: an estimate
    // that only errs upwards).
    let (mut nodes, mut at_node_start) = (0usize, true);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if let Some(len) = newline_at(bytes, i) {
            at_node_start = true;
            i += len;
            continue;
        }
        let starts_comment = b == b'/' && matches!(bytes.get(i + 1), Some(b'/' | b'*'));
        if at_node_start && !matches!(b, b' ' | b'\t' | b';' | b'{' | b'}') && !starts_comment {
            nodes += 1;
            at_node_start = false;
            if nodes > limits.kdl_nodes {
                return Err(Problem::TooManyNodes {
                    span: i..i + 1,
                    limit: limits.kdl_nodes,
                });
            }
        }
        match b {
            b';' => {
                at_node_start = true;
                i += 1;
            }
            b'{' => {
                at_node_start = true;
                depth += 1;
                if depth > limits.nesting {
                    return Err(Problem::DeepNesting {
                        span: i..i + 1,
                        limit: limits.nesting,
                    });
                }
                i += 1;
            }
            b'}' => {
                at_node_start = true;
                depth = depth.saturating_sub(1);
                i += 1;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => i = skip_line(bytes, i),
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                // The body, without `/*` and, if the comment is closed, `*/`.
                let (end, still_open) = block_comment(bytes, i);
                comments.push(i + 2..if still_open == 0 { end - 2 } else { end });
                i = end;
            }
            b'"' => i = skip_quoted(bytes, i),
            b'#' => i = raw_string_end(bytes, i).unwrap_or(i + 1),
            _ => i += 1,
        }
    }
    if comments.is_empty() {
        return Ok(Cow::Borrowed(text));
    }
    let mut blanked = bytes.to_vec();
    for body in comments {
        let mut j = body.start;
        while j < body.end {
            match newline_at(bytes, j) {
                Some(len) => j += len,
                None => {
                    blanked[j] = b' ';
                    j += 1;
                }
            }
        }
    }
    // Whole characters were replaced by as many spaces as they had bytes, and line
    // breaks kept: still UTF-8.
    Ok(Cow::Owned(
        String::from_utf8(blanked).unwrap_or_else(|_| text.to_string()),
    ))
}

fn long_line(text: &str, limit: usize) -> Option<Problem> {
    for (index, line) in lines(text).enumerate() {
        if line.len() > limit {
            // Point at the byte where the line crosses the limit.
            let at = crate::source::floor_char_boundary(text, line.start + limit);
            let next = text[at..].chars().next().map_or(0, char::len_utf8);
            return Some(Problem::LongLine {
                line: index + 1,
                span: at..at + next,
                limit,
            });
        }
    }
    None
}

/// A `//` comment: where the line break that ends it starts.
fn skip_line(bytes: &[u8], i: usize) -> usize {
    (i..bytes.len())
        .find(|&j| newline_at(bytes, j).is_some())
        .unwrap_or(bytes.len())
}

/// `/* ... */`, which nests in KDL: where the comment starting at `i` ends (the
/// end of the text if it is never closed).
pub(crate) fn skip_block_comment(bytes: &[u8], i: usize) -> usize {
    block_comment(bytes, i).0
}

/// Where the comment starting at `i` ends, and how many levels are still open
/// there (0 when it is closed).
fn block_comment(bytes: &[u8], mut i: usize) -> (usize, usize) {
    let mut depth = 0usize;
    while i < bytes.len() {
        if bytes[i..].starts_with(b"/*") {
            depth += 1;
            i += 2;
        } else if bytes[i..].starts_with(b"*/") {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return (i, 0);
            }
        } else {
            i += 1;
        }
    }
    (i, depth)
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
            prepare(text, &Limits::default()),
            Err(Problem::DeepNesting { .. })
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
    fn counts_nodes_not_comments() {
        let limits = Limits {
            kdl_nodes: 3,
            ..Limits::default()
        };
        assert!(prepare("a\n// x\n/* y */\nb { c; }\n", &limits).is_ok());
        assert!(matches!(
            prepare("a\nb\nc\nd\n", &limits),
            Err(Problem::TooManyNodes { span, .. }) if span == (6..7)
        ));
        // Every KDL line break starts a node.
        assert!(prepare("a\u{85}b\u{2028}c\u{0B}d", &limits).is_err());
    }

    #[test]
    fn finds_long_lines() {
        let text = format!("a 1\n{}\n", "x".repeat(MAX_KDL_LINE_BYTES + 1));
        assert!(matches!(
            prepare(&text, &Limits::default()),
            Err(Problem::LongLine { line: 2, .. })
        ));
    }
}
