//! `isptab fmt --diff`: a unified diff of a file against its formatted text.
//!
//! The lines come from the input, so each is escaped like all text isptab shows
//! (control and bidi characters, `::`); every output line starts with the diff's
//! own `---`, `+++`, `@@`, ` `, `-`, `+` or `\`. A line break other than the
//! formatted file's own (a CRLF in an LF file, a NEL) is shown escaped at the end
//! of its line, so a change of line breaks alone is visible.

use std::time::{Duration, Instant};

use isptab::compiler::source::newline_at;
use isptab::semantics::escape::escape;
use similar::{Algorithm, DiffTag};

/// Lines of context around each change.
const CONTEXT: usize = 3;

/// How long the search for the shortest diff may take before it settles for a
/// longer one (a 4 MiB file reindented throughout).
const DEADLINE: Duration = Duration::from_secs(2);

/// The lines of `text`, each with its line break (every KDL line break counts);
/// the last has none when the text does not end with one.
fn lines(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let (mut start, mut i) = (0, 0);
    while i < bytes.len() {
        // Line breaks start with bytes that never continue a UTF-8 character, so
        // `i` is a character boundary after one.
        match newline_at(bytes, i) {
            Some(len) => {
                i += len;
                out.push(&text[start..i]);
                start = i;
            }
            None => i += 1,
        }
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// A line without its line break, and the break.
fn split_break(line: &str) -> (&str, &str) {
    let bytes = line.as_bytes();
    let at = (0..bytes.len())
        .find(|&i| newline_at(bytes, i) == Some(bytes.len() - i))
        .unwrap_or(bytes.len());
    line.split_at(at)
}

/// A unified diff of `old` (the file as it is) and `new` (as `isptab fmt` would
/// write it), both shown as `name`; empty when they are the same.
pub fn unified(name: &str, old: &str, new: &str) -> String {
    let old_lines = lines(old);
    let new_lines = lines(new);
    // The formatted file's line break; lines that end otherwise show theirs.
    let newline = new_lines.first().map_or("\n", |l| split_break(l).1);
    let ops = similar::capture_diff_slices_deadline(
        Algorithm::Myers,
        &old_lines,
        &new_lines,
        Instant::now().checked_add(DEADLINE),
    );
    let groups = similar::group_diff_ops(ops, CONTEXT);
    if groups.is_empty() {
        return String::new();
    }
    let name = escape(name);
    let mut out = format!("--- {name}\n+++ {name}\n");
    let line = |out: &mut String, mark: char, text: &str| {
        let (content, end) = split_break(text);
        out.push(mark);
        out.push_str(&escape(content));
        if !end.is_empty() && end != newline {
            out.push_str(&escape(end));
        }
        out.push('\n');
        if end.is_empty() {
            out.push_str("\\ No newline at end of file\n");
        }
    };
    for group in groups {
        let (Some(first), Some(last)) = (group.first(), group.last()) else {
            continue;
        };
        let old_range = first.old_range().start..last.old_range().end;
        let new_range = first.new_range().start..last.new_range().end;
        out.push_str(&format!(
            "@@ -{} +{} @@\n",
            hunk_range(old_range),
            hunk_range(new_range)
        ));
        for op in &group {
            let (tag, old_at, new_at) = op.as_tag_tuple();
            match tag {
                DiffTag::Equal => {
                    for l in &old_lines[old_at] {
                        line(&mut out, ' ', l);
                    }
                }
                DiffTag::Delete | DiffTag::Insert | DiffTag::Replace => {
                    for l in &old_lines[old_at] {
                        line(&mut out, '-', l);
                    }
                    for l in &new_lines[new_at] {
                        line(&mut out, '+', l);
                    }
                }
            }
        }
    }
    out
}

/// `START,COUNT` of a hunk (1-based; `START` alone for one line; an empty range
/// starts at the line before it).
fn hunk_range(range: std::ops::Range<usize>) -> String {
    match range.len() {
        1 => format!("{}", range.start + 1),
        0 => format!("{},0", range.start),
        n => format!("{},{n}", range.start + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::unified;

    #[test]
    fn hunks_context_and_escapes() {
        assert_eq!(unified("a.kdl", "x\n", "x\n"), "");
        let old = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n";
        let new = "a\nB\nc\nd\ne\nf\ng\nh\ni\nj\nk\n";
        assert_eq!(
            unified("a.kdl", old, new),
            "--- a.kdl\n+++ a.kdl\n@@ -1,5 +1,5 @@\n a\n-b\n+B\n c\n d\n e\n@@ -8,3 +8,4 @@\n h\n i\n j\n+k\n"
        );
        assert_eq!(
            unified("x\u{1b}.kdl", "::error::x", "::error::x\n"),
            "--- x\\u{1b}.kdl\n+++ x\\u{1b}.kdl\n@@ -1 +1 @@\n-:\\u{3a}error:\\u{3a}x\n\\ No newline at end of file\n+:\\u{3a}error:\\u{3a}x\n"
        );
        // A line break that is not the file's own shows.
        assert_eq!(
            unified("a.kdl", "a\r\nb\n", "a\r\nb\r\n"),
            "--- a.kdl\n+++ a.kdl\n@@ -1,2 +1,2 @@\n a\n-b\\n\n+b\n"
        );
        assert_eq!(
            unified("a.kdl", "\n\na\n", "a\n"),
            "--- a.kdl\n+++ a.kdl\n@@ -1,3 +1 @@\n-\n-\n a\n"
        );
        assert_eq!(
            unified("a.kdl", "", "a\n"),
            "--- a.kdl\n+++ a.kdl\n@@ -0,0 +1 @@\n+a\n"
        );
    }
}
