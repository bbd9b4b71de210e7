//! Checks run before the `kdl` parser sees a file: the parser recurses once per
//! nested block (ten thousand levels overflow the stack) and slows down on huge
//! lines, so both are bounded first with a clear diagnostic.
//!
//! Nesting is measured with a small scanner that skips strings and comments the way
//! KDL 2.0 defines them, so braces inside them do not count. The formatter
//! (`crate::format`) finds the same tokens with the same `skip_*` functions.

use std::borrow::Cow;
use std::ops::Range;

use crate::compiler::limits::{KdlLimit, Limits, MAX_SLASHDASHES};
use crate::compiler::source::{lines, newline_at};

/// Checks the limits the parser needs and returns the text to give it: the same
/// text with the bodies of block comments replaced by spaces (their line breaks
/// kept, so every offset and line stays where it was). The parser recurses once per
/// piece of a block comment, so 24 KB of `/* * * ... */` would overflow its stack;
/// a blank comment is one piece.
pub(crate) fn prepare<'t>(text: &'t str, limits: &Limits) -> Result<Cow<'t, str>, KdlLimit> {
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
    let mut slashdashes = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if let Some(len) = newline_at(bytes, i) {
            at_node_start = true;
            i += len;
            continue;
        }
        let starts_comment = b == b'/' && matches!(bytes.get(i + 1), Some(b'/' | b'*'));
        if !starts_comment && space_at(bytes, i).is_none() && !bytes[i..].starts_with(b"/-") {
            slashdashes = 0;
        }
        if at_node_start && !matches!(b, b' ' | b'\t' | b';' | b'{' | b'}') && !starts_comment {
            nodes += 1;
            at_node_start = false;
            if nodes > limits.kdl_nodes {
                return Err(KdlLimit::TooManyNodes {
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
                    return Err(KdlLimit::DeepNesting {
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
            b'/' if bytes.get(i + 1) == Some(&b'-') => {
                // The parser recurses once per slashdash in a row.
                slashdashes += 1;
                if slashdashes > MAX_SLASHDASHES {
                    return Err(KdlLimit::Slashdashes {
                        span: i..i + 2,
                        limit: MAX_SLASHDASHES,
                    });
                }
                i += 2;
                continue;
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

fn long_line(text: &str, limit: usize) -> Option<KdlLimit> {
    for (index, line) in lines(text).enumerate() {
        if line.len() > limit {
            // Point at the byte where the line crosses the limit.
            let at = crate::compiler::source::floor_char_boundary(text, line.start + limit);
            let next = text[at..].chars().next().map_or(0, char::len_utf8);
            return Some(KdlLimit::LongLine {
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

/// The length of the KDL white space character (not a line break) at byte `i`:
/// tab, space, and the Unicode spaces KDL 2.0 counts (U+00A0, U+1680,
/// U+2000-U+200A, U+202F, U+205F, U+3000).
fn space_at(bytes: &[u8], i: usize) -> Option<usize> {
    match bytes.get(i..)? {
        [b' ' | b'\t', ..] => Some(1),
        [0xC2, 0xA0, ..] => Some(2),
        [0xE1, 0x9A, 0x80, ..] => Some(3),
        [0xE2, 0x80, 0x80..=0x8A | 0xAF, ..] => Some(3),
        [0xE2, 0x81, 0x9F, ..] => Some(3),
        [0xE3, 0x80, 0x80, ..] => Some(3),
        _ => None,
    }
}

/// Whether `"""` at `i` opens a multi-line string: KDL 2.0 requires the quotes to
/// be followed by a line break; otherwise they are not one.
fn opens_multi_line(bytes: &[u8], i: usize) -> bool {
    bytes[i..].starts_with(b"\"\"\"") && newline_at(bytes, i + 3).is_some()
}

/// A quoted string, as KDL 2.0 reads it: where the string starting at `i` ends.
/// `"""` followed by a line break opens a multi-line string, closed by `"""`;
/// anything else is a one-line string, which ends at its closing `"` or, left
/// open, at the first line break (where the parser reports it). A backslash
/// escapes one character, or a run of white space and line breaks.
pub(crate) fn skip_quoted(bytes: &[u8], i: usize) -> usize {
    let multi = opens_multi_line(bytes, i);
    let close: &[u8] = if multi { b"\"\"\"" } else { b"\"" };
    let mut j = i + close.len();
    while j < bytes.len() {
        if bytes[j] == b'\\' {
            j += 1;
            let run = j;
            while let Some(len) = newline_at(bytes, j).or_else(|| space_at(bytes, j)) {
                j += len;
            }
            if j == run && j < bytes.len() {
                j += 1;
            }
        } else if bytes[j..].starts_with(close) {
            return j + close.len();
        } else if !multi && newline_at(bytes, j).is_some() {
            return j;
        } else {
            j += 1;
        }
    }
    bytes.len()
}

/// A raw string (`#"..."#`, `##"""` + line break ... `"""##`; no escapes), as
/// KDL 2.0 reads it: where the one starting at `i` ends (a one-line raw string left
/// open ends at the line break); `None` when the hashes are not followed by a
/// quote (a keyword such as `#true`).
pub(crate) fn raw_string_end(bytes: &[u8], i: usize) -> Option<usize> {
    let hashes = bytes[i..].iter().take_while(|&&b| b == b'#').count();
    let quote = i + hashes;
    if bytes.get(quote) != Some(&b'"') {
        return None;
    }
    let multi = opens_multi_line(bytes, quote);
    let quotes = if multi { 3 } else { 1 };
    let mut close = vec![b'"'; quotes];
    close.extend(std::iter::repeat_n(b'#', hashes));
    let mut j = quote + quotes;
    while j < bytes.len() {
        if bytes[j..].starts_with(&close) {
            return Some(j + close.len());
        }
        if !multi && newline_at(bytes, j).is_some() {
            return Some(j);
        }
        j += 1;
    }
    Some(bytes.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAX_NESTING: usize = crate::compiler::limits::MAX_NESTING;
    const MAX_KDL_LINE_BYTES: usize = crate::compiler::limits::MAX_KDL_LINE_BYTES;

    fn depth_problem(text: &str) -> bool {
        matches!(
            prepare(text, &Limits::default()),
            Err(KdlLimit::DeepNesting { .. })
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
            Err(KdlLimit::TooManyNodes { span, .. }) if span == (6..7)
        ));
        // Every KDL line break starts a node.
        assert!(prepare("a\u{85}b\u{2028}c\u{0B}d", &limits).is_err());
    }

    /// Strings and comments are where the parser says they are, so nothing after
    /// a tricky one escapes the limits.
    #[test]
    fn scans_strings_like_the_parser() {
        let deep = "a {".repeat(MAX_NESTING + 1);
        for prefix in [
            "x #\"\"\"\"#\n",
            "x \"unclosed\n",
            "x #\"unclosed raw\n",
            "x \"one \\\n   line\"\n",
            "x \"nbsp \\\u{a0}\n   line\"\n",
            "x \"\"\"not multi-line\n",
            "x \"\"\"\n  multi \"\" line\n  \"\"\"\n",
            "x ##\"\"\"\n \"\"\"# still in\n \"\"\"##\n",
        ] {
            let text = format!("{prefix}{deep}");
            assert!(depth_problem(&text), "{prefix:?} hid the nesting");
        }
    }

    #[test]
    fn bounds_slashdashes_in_a_row() {
        let limits = Limits::default();
        assert!(prepare(&"/- ".repeat(MAX_SLASHDASHES), &limits).is_ok());
        for text in [
            format!("{}a", "/- ".repeat(MAX_SLASHDASHES + 1)),
            format!("a {}\"b\"", "/- ".repeat(MAX_SLASHDASHES + 1)),
            format!("{}a", "/-\n".repeat(MAX_SLASHDASHES + 1)),
        ] {
            assert!(matches!(
                prepare(&text, &limits),
                Err(KdlLimit::Slashdashes { .. })
            ));
        }
        // Slashdashes that each comment out something are not a run.
        assert!(prepare(&"/- a ".repeat(1000), &limits).is_ok());
    }

    #[test]
    fn finds_long_lines() {
        let text = format!("a 1\n{}\n", "x".repeat(MAX_KDL_LINE_BYTES + 1));
        assert!(matches!(
            prepare(&text, &Limits::default()),
            Err(KdlLimit::LongLine { line: 2, .. })
        ));
    }
}
