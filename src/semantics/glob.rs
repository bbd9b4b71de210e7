//! The glob dialect: globs over the labels of a domain. `*` and `?` stay within a
//! label, `[...]` classes and `{a,b}` alternatives too (never across a dot), and
//! `**` as a whole label spans any run of labels. Normalized like names (case, a
//! trailing dot, Unicode labels without wildcards to A-labels), validated with the
//! offending part located, and compiled with globset.
//!
//! What is accepted is exactly the grammar of stored globs in
//! `schema/table-format.md` (section 11.1): the compiler rejects everything else,
//! the full check rejects a stored glob outside it, and a reader never matches
//! one (`is_stored_glob`), so globset's extensions (nested alternatives, POSIX
//! classes, ranges chained as `[a-c-e]`) never decide an answer.

use std::ops::Range;

use globset::{Glob, GlobBuilder};

use super::name::{MAX_LABEL_LEN, MAX_NAME_LEN, describe_char, is_name_char, label_ranges};

/// Why a glob is invalid, and where (byte range in the input).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GlobError {
    /// What is wrong, as a sentence fragment.
    pub message: String,
    /// The offending part of the input.
    pub at: Range<usize>,
}

const GLOB_CHARS: &[char] = &['*', '?', '[', ']', '{', '}', ',', '!', '^'];

/// A problem found in one label: the message and the byte range in the label.
type LabelError = (String, Range<usize>);

/// Normalizes and validates a glob (trimmed, trailing dot removed, starting at byte
/// `offset` of the input). Nothing is compiled: readers match stored globs from
/// their text (`glob_match.rs`), and the grammar is within what globset accepts
/// (the property test there compiles every stored glob it makes).
pub(crate) fn normalize_glob(glob: &str, offset: usize) -> Result<String, GlobError> {
    normalize_glob_text(glob, offset)
}

/// Whether `text` is a glob as a table stores it: in the grammar of stored globs
/// and in normal form. A reader matches only these; anything else in GLOBS or
/// MX_GLOBS (only a forged or corrupted table holds it) matches nothing.
pub(crate) fn is_stored_glob(text: &str) -> bool {
    let wild = text.contains(['*', '?', '[', ']', '{', '}']);
    let suffix_form = text
        .strip_prefix("*.")
        .is_some_and(|rest| !rest.contains(['*', '?', '[', ']', '{', '}']));
    text.is_ascii()
        && wild
        && !suffix_form
        && normalize_glob_text(text, 0).is_ok_and(|normal| normal == text)
}

/// [`normalize_glob`] without compiling the result.
fn normalize_glob_text(glob: &str, offset: usize) -> Result<String, GlobError> {
    let err = |message: String, at: Range<usize>| GlobError {
        message,
        at: offset + at.start..offset + at.end,
    };
    let mut out = String::with_capacity(glob.len());
    let mut previous: Option<Range<usize>> = None;
    for r in label_ranges(glob) {
        let label = &glob[r.clone()];
        if !out.is_empty() {
            out.push('.');
        }
        if label.is_empty() {
            let dot = r.start.min(glob.len() - 1);
            return Err(err(
                "the glob has an empty label (two dots in a row)".into(),
                dot..dot + 1,
            ));
        }
        let has_meta = label.contains(GLOB_CHARS);
        if !label.is_ascii() {
            if has_meta {
                return Err(err(
                    "a label with wildcards must be written in ASCII; write its A-label (punycode) form".into(),
                    r,
                ));
            }
            let ascii = idna::domain_to_ascii(label).map_err(|_| {
                err(
                    "this label is not a valid internationalized name".into(),
                    r.clone(),
                )
            })?;
            out.push_str(&ascii);
            previous = Some(r);
            continue;
        }
        if let Some(i) = label.find("[:") {
            return Err(err(
                "POSIX classes such as `[:digit:]` are not part of domain globs; write a range such as `[0-9]`".into(),
                r.start + i..r.start + i + 2,
            ));
        }
        if let Some((i, c)) = label
            .char_indices()
            .find(|&(_, c)| !is_name_char(c.to_ascii_lowercase()) && !GLOB_CHARS.contains(&c))
        {
            return Err(err(
                format!("{} cannot appear in a domain glob", describe_char(c)),
                r.start + i..r.start + i + 1,
            ));
        }
        if label.contains("**") && label != "**" {
            let i = label.find("**").unwrap_or(0);
            return Err(err(
                "`**` must be a whole label (`**.example.com`, `example.**`)".into(),
                r.start + i..r.start + i + 2,
            ));
        }
        if label == "**"
            && let Some(p) = &previous
            && &glob[p.clone()] == "**"
        {
            return Err(err(
                "`**.**` matches what one `**` matches; write `**` once".into(),
                p.start..r.end,
            ));
        }
        let lower = label.to_ascii_lowercase();
        check_label(&lower).map_err(|(message, at)| {
            // A class or alternatives left open in this label: closed after a
            // dot, or never.
            let message = match message.as_str() {
                OPEN_CLASS | OPEN_ALTERNATES if glob[r.end..].contains(closer(&message)) => {
                    return err(
                        format!("{message} cannot span a dot; write one pattern per alternative"),
                        r.start + at.start..r.end + 1,
                    );
                }
                OPEN_CLASS => format!("{message} is not closed"),
                OPEN_ALTERNATES => format!("{message} are not closed"),
                _ => message,
            };
            err(message, r.start + at.start..r.start + at.end)
        })?;
        if label.len() > MAX_LABEL_LEN && !has_meta {
            return Err(err(
                format!(
                    "a label is {} bytes long; the limit is {MAX_LABEL_LEN}",
                    label.len()
                ),
                r,
            ));
        }
        out.push_str(&lower);
        previous = Some(r);
    }
    if out.len() > MAX_NAME_LEN {
        return Err(err(
            format!(
                "the glob is {} bytes long; the limit is {MAX_NAME_LEN}",
                out.len()
            ),
            0..glob.len(),
        ));
    }
    Ok(out)
}

const OPEN_CLASS: &str = "a character class `[...]`";
const OPEN_ALTERNATES: &str = "alternatives `{...}`";

fn closer(open: &str) -> char {
    if open == OPEN_CLASS { ']' } else { '}' }
}

/// Parses one lowercase ASCII label other than `**` by the grammar of stored
/// globs: name characters, `*`, `?`, classes and (unnested) alternatives.
fn check_label(label: &str) -> Result<(), LabelError> {
    let b = label.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'[' => i = class(b, i)?,
            b'{' => {
                let start = i;
                i += 1;
                loop {
                    match b.get(i) {
                        None => return Err((OPEN_ALTERNATES.into(), start..start + 1)),
                        Some(b'}') => break,
                        Some(b'{') => {
                            return Err(("alternatives `{...}` cannot be nested".into(), i..i + 1));
                        }
                        Some(b'[') => i = class(b, i)?,
                        Some(&c) => {
                            if c != b',' {
                                plain(c, i)?;
                            }
                            i += 1;
                        }
                    }
                }
                i += 1;
            }
            c => {
                plain(c, i)?;
                i += 1;
            }
        }
    }
    Ok(())
}

/// A character outside classes: a name character, `*` or `?`.
fn plain(c: u8, i: usize) -> Result<(), LabelError> {
    let what = match c {
        b'a'..=b'z' | b'0'..=b'9' | b'-' | b'*' | b'?' => return Ok(()),
        b']' => "`]` closes no character class".to_string(),
        b'}' => "`}` closes no `{`".to_string(),
        b',' => "`,` separates alternatives only inside braces, as in `{a,b}`".to_string(),
        b'!' | b'^' => format!(
            "`{}` negates a character class only right after its `[`",
            char::from(c)
        ),
        c => format!("`{}` cannot appear in a domain glob", char::from(c)),
    };
    Err((what, i..i + 1))
}

/// Parses the class that starts at `b[start] == b'['`; gives the index after
/// its `]`. Members are letters, digits and `-`: `x-y` is a range (`x <= y`), and
/// a literal `-` comes first (after a negation) or last, so that no class reads
/// two ways.
fn class(b: &[u8], start: usize) -> Result<usize, LabelError> {
    let member = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    let mut i = start + 1;
    if matches!(b.get(i), Some(b'!' | b'^')) {
        i += 1;
    }
    let body = i;
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    loop {
        match b.get(i) {
            None => return Err((OPEN_CLASS.into(), start..start + 1)),
            Some(b']') if i == body => {
                return Err(("a character class `[]` is empty".into(), start..i + 1));
            }
            Some(b']') => return Ok(i + 1),
            Some(b'-') if b.get(i + 1) == Some(&b']') => i += 1,
            Some(&c) if member(c) => {
                if b.get(i + 1) == Some(&b'-') && b.get(i + 2).is_some_and(|&d| member(d)) {
                    let (lo, hi) = (c, b[i + 2]);
                    if lo > hi {
                        let (lo, hi) = (char::from(lo), char::from(hi));
                        return Err((
                            format!("the range `{lo}-{hi}` is backwards; write `{hi}-{lo}`"),
                            i..i + 3,
                        ));
                    }
                    i += 3;
                    if b.get(i) == Some(&b'-') && b.get(i + 1) != Some(&b']') {
                        return Err((
                            format!(
                                "`-` after the range `{}-{}` is ambiguous; put a literal `-` first or last in the class",
                                char::from(lo),
                                char::from(hi)
                            ),
                            i..i + 1,
                        ));
                    }
                } else {
                    i += 1;
                }
            }
            Some(b'-') => {
                return Err((
                    "a `-` in a character class is a range between two letters or digits, or a literal `-` first or last".into(),
                    i..i + 1,
                ));
            }
            Some(&c) => {
                return Err((
                    format!(
                        "`{}` cannot appear in a character class (letters, digits and `-` only)",
                        char::from(c)
                    ),
                    i..i + 1,
                ));
            }
        }
    }
}

/// The labels of a normalized glob.
pub(crate) fn glob_labels(glob: &str) -> impl DoubleEndedIterator<Item = &str> {
    glob.split('.')
}

/// Whether a glob label has wildcards.
pub(crate) fn is_wild(label: &str) -> bool {
    label.contains(GLOB_CHARS)
}

/// A name the glob matches, for samples (`isptab diff` asks both sides what
/// such a name gets): each wildcard stands for `x`, a class for its first member
/// (a negated one for a letter it leaves out), alternatives for the first. `None`
/// when that name is not one the glob matches, or not a valid name.
pub fn example_name(glob: &str) -> Option<String> {
    let b = glob.as_bytes();
    let mut out = String::with_capacity(glob.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'*' => {
                out.push('x');
                while b.get(i) == Some(&b'*') {
                    i += 1;
                }
            }
            b'?' => {
                out.push('x');
                i += 1;
            }
            b'[' => {
                let end = i + b[i..].iter().position(|&c| c == b']')? + 1;
                out.push(class_example(&glob[i + 1..end - 1])?);
                i = end;
            }
            b'{' => {
                let end = i + b[i..].iter().position(|&c| c == b'}')? + 1;
                let first = glob[i + 1..end - 1].split(',').next().unwrap_or("");
                out.push_str(&example_name_part(first)?);
                i = end;
            }
            c => {
                out.push(char::from(c));
                i += 1;
            }
        }
    }
    let matcher = compile_glob(glob).ok()?.compile_matcher();
    let valid = super::name::normalize_name(&out, 0, 2).is_ok_and(|n| n == out);
    (valid && matcher.is_match(out.replace('.', "/"))).then_some(out)
}

/// [`example_name`] of the inside of an alternative (no braces there).
fn example_name_part(text: &str) -> Option<String> {
    if text.is_empty() {
        return Some(String::new());
    }
    let mut out = String::new();
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'*' | b'?' => out.push('x'),
            b'[' => {
                let end = i + b[i..].iter().position(|&c| c == b']')?;
                out.push(class_example(&text[i + 1..end])?);
                i = end;
            }
            c => out.push(char::from(c)),
        }
        i += 1;
    }
    Some(out)
}

/// A character a class matches (its body, without the brackets).
fn class_example(body: &str) -> Option<char> {
    match body.strip_prefix(['!', '^']) {
        Some(members) => "xqz0a".chars().find(|&c| !class_has(members, c)),
        None => body.chars().next(),
    }
}

/// Whether a class body (without its brackets and negation) has `c`.
fn class_has(members: &str, c: char) -> bool {
    let m: Vec<char> = members.chars().collect();
    let mut i = 0;
    while i < m.len() {
        if i + 2 < m.len() && m[i + 1] == '-' {
            if (m[i]..=m[i + 2]).contains(&c) {
                return true;
            }
            i += 3;
        } else {
            if m[i] == c {
                return true;
            }
            i += 1;
        }
    }
    false
}

/// Compiles a normalized domain glob: labels become path components so that `*`
/// and `?` never cross a dot and `**` spans whole labels.
pub(crate) fn compile_glob(glob: &str) -> Result<Glob, String> {
    GlobBuilder::new(&glob.replace('.', "/"))
        .literal_separator(true)
        .backslash_escape(false)
        // `x{,-a}.com` matches `x.com` too.
        .empty_alternates(true)
        .build()
        .map_err(|e| e.kind().to_string())
}

#[cfg(test)]
mod tests {
    use super::is_stored_glob;
    use crate::semantics::pattern::{Pattern, PatternError, PatternKind};

    #[test]
    fn rejects_bad_globs() {
        for bad in [
            "a**.com",
            "[a.b].com",
            "{a.b,c}.com",
            "a b.*",
            "x.[z-a]",
            "x.{a,b",
            // Outside the grammar of stored globs (table-format.md, 11.1).
            "**.**.b.test",
            "a.**.**",
            "[a-c-e].test",
            "[--a].test",
            "[a--].test",
            "{a,{b,c}}.test",
            "[[:alpha:]].test",
            "[*?].test",
            "[{]}.test",
            "a,b.*",
            "x!.*",
            "x^.*",
            "a/b.*",
            "a\\b.*",
        ] {
            assert!(
                matches!(Pattern::parse(bad), Err(PatternError::Glob(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn accepts_the_grammar() {
        for good in [
            "[-a].test",
            "[a-].test",
            "[!-a].test",
            "[^a-c-].test",
            "[-].test",
            "[--].test",
            "x{,-a}.test",
            "x{}.test",
            "{[ab],c?}.test",
            "**",
            "**.*.**",
            "a.**.b.**",
        ] {
            let p = Pattern::parse(good).unwrap_or_else(|e| panic!("{good}: {e}"));
            assert_eq!(p.kind(), PatternKind::Glob, "{good}");
            assert!(is_stored_glob(p.as_str()), "{good}");
        }
    }

    #[test]
    fn example_names_are_matched_by_their_globs() {
        use super::example_name;
        for (glob, name) in [
            ("mx?.example.com", Some("mxx.example.com")),
            ("*.mail.*.example", Some("x.mail.x.example")),
            ("**.example.com", Some("x.example.com")),
            ("mx[0-9].example.com", Some("mx0.example.com")),
            ("mx[!x].example.com", Some("mxq.example.com")),
            ("{eu,us}-mx.example.com", Some("eu-mx.example.com")),
            ("x{,-a}.com", Some("x.com")),
            ("a{b[c-d],e}.com", Some("abc.com")),
        ] {
            assert_eq!(example_name(glob).as_deref(), name, "{glob}");
        }
    }

    #[test]
    fn stored_globs_are_normal_glob_texts() {
        assert!(is_stored_glob("mx?.example.com"));
        // Not normal: case, a suffix rule's or an exact name's form.
        assert!(!is_stored_glob("MX?.example.com"));
        assert!(!is_stored_glob("*.example.com"));
        assert!(!is_stored_glob("example.com"));
        assert!(!is_stored_glob("a/b.*"));
        assert!(!is_stored_glob("**.**.b.test"));
        assert!(!is_stored_glob("ü*.test"));
    }
}
