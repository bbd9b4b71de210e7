//! A header field written into a message: `Name: value` folded to lines of at
//! most 78 characters where the value has white space to fold at (RFC 5322
//! section 2.2.3), non-ASCII words as RFC 2047 encoded-words unless the peer
//! takes UTF-8 headers (RFC 6532).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::transfer::LineBreak;

/// The line length folding aims for (RFC 5322 section 2.1.1 recommends 78).
const FOLD_AT: usize = 78;

/// The most bytes of text one encoded-word carries: `=?UTF-8?B?` and `?=` around
/// 60 base64 characters make 72, within the 75 of RFC 2047 section 2.
const WORD_BYTES: usize = 45;

/// The field `name: value` with its line break, folded; `utf8` keeps non-ASCII
/// text as it is (SMTPUTF8), otherwise it is encoded.
pub fn field(name: &str, value: &str, utf8: bool, br: LineBreak) -> Vec<u8> {
    let value = if needs_encoding(value, utf8) {
        encode_words(value, utf8)
    } else {
        value.to_string()
    };
    let mut out = Vec::with_capacity(name.len() + value.len() + 8);
    out.extend_from_slice(name.as_bytes());
    out.push(b':');
    let mut column = name.len() + 1;
    let text = if value.is_empty() {
        String::new()
    } else {
        format!(" {value}")
    };
    // Fold before a run of white space's last character, where a non-white
    // character follows: no line is only white space, and unfolding (removing
    // the breaks) gives the value back.
    let mut rest = text.as_str();
    while !rest.is_empty() {
        let (chunk, after) = rest.split_at(next_fold_point(rest));
        // The first chunk moves to a line of its own only if it fits there.
        let first = column == name.len() + 1;
        if column + chunk.len() > FOLD_AT && (!first || chunk.len() <= FOLD_AT) {
            out.extend_from_slice(br.bytes());
            column = 0;
        }
        out.extend_from_slice(chunk.as_bytes());
        column += chunk.len();
        rest = after;
    }
    out.extend_from_slice(br.bytes());
    out
}

/// Where the chunk starting at `text` (which starts at a fold point) ends: at
/// the next fold point, or the end.
fn next_fold_point(text: &str) -> usize {
    let bytes = text.as_bytes();
    (1..bytes.len())
        .find(|&i| is_wsp(bytes[i]) && bytes.get(i + 1).is_some_and(|&n| !is_wsp(n)))
        .unwrap_or(bytes.len())
}

fn is_wsp(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// Whether a word must be an encoded-word: non-ASCII (without SMTPUTF8), or
/// text a reader would take for an encoded-word and decode.
fn word_needs_encoding(word: &str, utf8: bool) -> bool {
    // Anything like an encoded-word inside a word is encoded too: a reader
    // may decode `=?...?=` wherever it finds it.
    (!utf8 && !word.is_ascii()) || word.contains("=?")
}

fn needs_encoding(value: &str, utf8: bool) -> bool {
    value
        .split([' ', '\t'])
        .any(|w| word_needs_encoding(w, utf8))
}

/// The value with each run of words that need encoding (and the white space
/// between them) replaced by encoded-words; other words and the white space
/// around runs stay, so a reader decodes exactly the value (white space between
/// adjacent encoded-words is dropped by readers, RFC 2047 section 6.2).
fn encode_words(value: &str, utf8: bool) -> String {
    // Words and the white space between them, as byte ranges of `value`.
    let mut tokens: Vec<(bool, usize, usize)> = Vec::new();
    for (i, c) in value.char_indices() {
        let ws = c == ' ' || c == '\t';
        match tokens.last_mut() {
            Some((was_ws, _, end)) if *was_ws == ws => *end = i + c.len_utf8(),
            _ => tokens.push((ws, i, i + c.len_utf8())),
        }
    }
    let encode = |t: &(bool, usize, usize)| !t.0 && word_needs_encoding(&value[t.1..t.2], utf8);
    let mut out = String::with_capacity(value.len() * 2);
    let mut i = 0;
    while let Some(token) = tokens.get(i) {
        if !encode(token) {
            out.push_str(&value[token.1..token.2]);
            i += 1;
            continue;
        }
        let mut last = i;
        while tokens.get(last + 2).is_some_and(encode) {
            last += 2;
        }
        out.push_str(&encoded_words(&value[token.1..tokens[last].2]));
        i = last + 1;
    }
    out
}

/// `text` as `=?UTF-8?B?...?=` words, split between characters, separated by
/// spaces.
fn encoded_words(text: &str) -> String {
    let mut words = Vec::new();
    let mut start = 0;
    while start < text.len() {
        let mut end = (start + WORD_BYTES).min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        words.push(format!(
            "=?UTF-8?B?{}?=",
            STANDARD.encode(&text.as_bytes()[start..end])
        ));
        start = end;
    }
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(name: &str, value: &str, utf8: bool) -> String {
        String::from_utf8(field(name, value, utf8, LineBreak::Lf)).unwrap()
    }

    #[test]
    fn short_ascii_fields_are_one_line() {
        assert_eq!(show("X-Tag", "a b", false), "X-Tag: a b\n");
        assert_eq!(show("X-Empty", "", false), "X-Empty:\n");
    }

    #[test]
    fn long_values_fold_at_white_space_and_unfold_to_the_value() {
        let value = "word ".repeat(40) + "end";
        let text = show("List-Id", &value, false);
        for line in text.lines() {
            assert!(line.len() <= 78, "{line:?}");
            assert!(!line.trim().is_empty());
        }
        let unfolded = text.replace('\n', "");
        assert_eq!(unfolded, format!("List-Id: {value}"));
    }

    #[test]
    fn a_word_longer_than_a_line_stays_whole() {
        let value = "x".repeat(200);
        assert_eq!(show("X-Long", &value, false), format!("X-Long: {value}\n"));
    }

    #[test]
    fn non_ascii_words_are_encoded_unless_utf8() {
        assert_eq!(
            show("X-Note", "caf\u{e9} au lait", false),
            "X-Note: =?UTF-8?B?Y2Fmw6k=?= au lait\n"
        );
        assert_eq!(
            show("X-Note", "caf\u{e9} cr\u{e8}me ok", false),
            "X-Note: =?UTF-8?B?Y2Fmw6kgY3LDqG1l?= ok\n"
        );
        assert_eq!(show("X-Note", "caf\u{e9}", true), "X-Note: caf\u{e9}\n");
        assert_eq!(
            show("X-Note", "=?x?q?y?=", true),
            "X-Note: =?UTF-8?B?PT94P3E/eT89?=\n"
        );
    }

    #[test]
    fn long_non_ascii_text_is_several_short_words() {
        let value = "\u{e9}".repeat(100);
        let text = show("Subject", &value, false);
        for line in text.lines() {
            assert!(line.len() <= 78, "{line:?}");
        }
        assert!(text.matches("=?UTF-8?B?").count() >= 5);
    }
}
