//! Showing text that isptab did not write: record names, file names, source lines,
//! lookup queries. That text comes from pull requests and from stdin, and it ends
//! up on terminals and in CI logs, which act on some of what they print: ESC starts
//! terminal control sequences (OSC 52 writes the clipboard), bidi overrides make a
//! line read differently from what it is, and a CI runner executes a log line
//! such as `::add-mask::x` or `##[error]x` as a command.
//!
//! So every renderer passes such text through [`escape`] (or [`json`] for JSON
//! documents): control characters, bidi controls, line separators and other
//! invisible format characters become visible escapes (`\u{1b}`, `\n`), and the
//! two-character sequences CI runners look for are broken up the same way
//! (`:\u{3a}`, `#\u{23}[`). Ordinary text, including every valid domain and
//! non-ASCII letters, is returned as it is.
//!
//! ```
//! use isptab::semantics::escape::escape;
//! assert_eq!(escape("Mail.ru"), "Mail.ru");
//! assert_eq!(escape("X\n::error::boom"), "X\\n:\\u{3a}error:\\u{3a}boom");
//! assert_eq!(escape("evil\u{202e}txt.kdl"), "evil\\u{202e}txt.kdl");
//! ```

use std::borrow::Cow;

/// Whether `c` is shown escaped: control characters (C0, DEL, C1), bidi controls,
/// the line and paragraph separators, and the invisible format characters and
/// fillers (Unicode's default-ignorable code points).
pub fn is_unsafe(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_control();
    }
    c.is_control()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{034F}'
                | '\u{0600}'..='\u{0605}'
                | '\u{061C}'
                | '\u{06DD}'
                | '\u{070F}'
                | '\u{0890}'..='\u{0891}'
                | '\u{08E2}'
                | '\u{115F}'..='\u{1160}'
                | '\u{17B4}'..='\u{17B5}'
                | '\u{180B}'..='\u{180F}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FEFF}'
                | '\u{FFA0}'
                | '\u{FFF0}'..='\u{FFFB}'
                | '\u{FFFE}'..='\u{FFFF}'
                | '\u{110BD}'
                | '\u{110CD}'
                | '\u{13430}'..='\u{1343F}'
                | '\u{1BCA0}'..='\u{1BCA3}'
                | '\u{1D173}'..='\u{1D17A}'
                | '\u{E0000}'..='\u{E0FFF}'
        )
}

/// Whether the character at byte `i` of `text` (which is `c`) starts a sequence
/// a CI runner reads as a command: the second `:` of `::`, or the second `#` of
/// `##[`, `##vso[` or `##teamcity[`.
fn breaks_command(text: &str, i: usize, c: char, colons: bool) -> bool {
    let before = &text[..i];
    let after = &text[i + c.len_utf8()..];
    match c {
        ':' => colons && before.ends_with(':'),
        '#' => {
            before.ends_with('#')
                && (after.starts_with('[')
                    || after.starts_with("vso[")
                    || after.starts_with("teamcity["))
        }
        _ => false,
    }
}

/// `text` with every unsafe character (see [`is_unsafe`]) and every command
/// sequence escaped visibly; borrowed when nothing needed escaping.
pub fn escape(text: &str) -> Cow<'_, str> {
    escape_with(text, true, visible)
}

/// Like [`escape`], for a line of source shown in a report: a tab stays a tab
/// (the renderer lays it out) and `::` stays (a snippet line starts with its line
/// number, never with the file's text).
pub fn escape_snippet(text: &str) -> Cow<'_, str> {
    escape_with(text, false, |out, c| match c {
        '\t' => out.push('\t'),
        c => visible(out, c),
    })
}

/// `\t`, `\n`, `\r`, or `\u{1b}`.
fn visible(out: &mut String, c: char) {
    match c {
        '\t' => out.push_str("\\t"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
    }
}

/// Escapes `text`, writing each character that needs it with `write`; `colons`
/// says whether `::` is broken up.
fn escape_with(text: &str, colons: bool, write: impl Fn(&mut String, char)) -> Cow<'_, str> {
    // Most text (every domain, most names) is printable ASCII without `:` or
    // `#`: nothing to look at character by character.
    if text
        .bytes()
        .all(|b| (b' '..=b'~').contains(&b) && b != b':' && b != b'#')
    {
        return Cow::Borrowed(text);
    }
    let needs = |(i, c): (usize, char)| is_unsafe(c) || breaks_command(text, i, c, colons);
    let Some((first, _)) = text.char_indices().find(|&p| needs(p)) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len() + 16);
    out.push_str(&text[..first]);
    for (i, c) in text[first..].char_indices() {
        if needs((first + i, c)) {
            write(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Like [`escape`], for text that starts an output line (a file name in `short`
/// output, an echoed lookup query): a first character other than a letter, a
/// digit or one of `. / _ < " ~` is escaped too, so every line starts with text
/// isptab chose.
pub fn escape_line_start(text: &str) -> Cow<'_, str> {
    let escaped = escape(text);
    match escaped.chars().next() {
        Some(c) if !(c.is_alphanumeric() || "./_<\"~\\".contains(c)) => {
            Cow::Owned(format!("\\u{{{:x}}}{}", c as u32, &escaped[c.len_utf8()..]))
        }
        _ => escaped,
    }
}

/// A JSON document (as serialized) with the same escapes, written as JSON
/// escapes (`\u001b`, `\u003a`), so every value decodes to exactly what it was.
/// The characters escaped only ever occur inside strings in serialized JSON.
pub fn json(document: &str) -> Cow<'_, str> {
    escape_with(document, true, |out, c| match c {
        // Inside strings serde has already escaped these: a raw one is the
        // layout of the document.
        '\n' | '\r' | '\t' => out.push(c),
        c => {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    })
}

/// A string in KDL (`"..."`), with what KDL does not allow raw in a quoted string
/// (and what [`escape`] escapes) written as KDL escapes, so it reads back as
/// exactly the same string.
pub fn kdl_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for (i, c) in s.char_indices() {
        match c {
            _ if is_unsafe(c) || breaks_command(s, i, c, true) => visible(&mut out, c),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_terminals_and_runners_act_on() {
        assert_eq!(escape("plain.example"), "plain.example");
        assert_eq!(escape("Почта.рф"), "Почта.рф");
        assert_eq!(escape("a\u{1b}[31mb"), "a\\u{1b}[31mb");
        assert_eq!(escape("\u{9b}31m"), "\\u{9b}31m");
        assert_eq!(escape("\u{7}\u{0}"), "\\u{7}\\u{0}");
        assert_eq!(escape("x\u{2028}y"), "x\\u{2028}y");
        assert_eq!(escape("::add-mask::s"), ":\\u{3a}add-mask:\\u{3a}s");
        assert_eq!(escape(":::"), ":\\u{3a}\\u{3a}");
        assert_eq!(escape("##[error]x"), "#\\u{23}[error]x");
        assert_eq!(escape("##vso[task]"), "#\\u{23}vso[task]");
        assert_eq!(escape("# ## #x"), "# ## #x");
        assert_eq!(escape("a:b"), "a:b");
    }

    /// The ASCII fast path answers as the character-by-character check does:
    /// every string of up to three characters over ASCII's edges and the
    /// command characters.
    #[test]
    fn the_ascii_fast_path_agrees() {
        let alphabet = ['a', ' ', '~', ':', '#', '[', '\u{1f}', '\u{7f}', '\t', 'é'];
        let mut texts = vec![String::new()];
        for _ in 0..3 {
            let longer: Vec<String> = texts
                .iter()
                .flat_map(|t| alphabet.iter().map(move |c| format!("{t}{c}")))
                .collect();
            texts.extend(longer);
        }
        for text in &texts {
            let slow = text
                .char_indices()
                .any(|(i, c)| is_unsafe(c) || breaks_command(text, i, c, true));
            assert_eq!(matches!(escape(text), Cow::Owned(_)), slow, "{text:?}");
        }
    }

    #[test]
    fn line_starts_are_isptab_text() {
        assert_eq!(escape_line_start("isptab.kdl"), "isptab.kdl");
        assert_eq!(escape_line_start("<defaults>"), "<defaults>");
        assert_eq!(escape_line_start("-x"), "\\u{2d}x");
        assert_eq!(escape_line_start(" x"), "\\u{20}x");
        assert_eq!(escape_line_start(""), "");
    }

    #[test]
    fn json_and_kdl_escapes_are_lossless() {
        let hostile = "a\u{1b}\u{202e}::b##[c\u{e0001}\u{2028}\"\\";
        let doc = serde_json::to_string_pretty(&[hostile]).unwrap();
        let escaped = json(&doc);
        assert!(escaped.contains("[\n"), "the layout stays: {escaped}");
        assert!(!escaped.contains("::") && !escaped.contains('\u{202e}'));
        let back: Vec<String> = serde_json::from_str(&escaped).unwrap();
        assert_eq!(back, [hostile]);
        // The KDL parser comes with the compiler.
        #[cfg(feature = "compiler")]
        {
            let kdl = format!("n {}", kdl_string(hostile));
            let doc = kdl::KdlDocument::parse_v2(&kdl).unwrap();
            assert_eq!(
                doc.nodes()[0].entries()[0].value().as_string(),
                Some(hostile)
            );
        }
    }
}
