//! Domain names and patterns: normalization, validation and the three pattern kinds.
//!
//! Normalization, before anything else: trim, lowercase, drop one trailing dot, and
//! convert Unicode (IDN) names to A-labels (punycode, UTS 46). Then validation:
//! labels of letters, digits and inner hyphens, 1-63 bytes, at most 253 bytes in all,
//! at least two labels, and a last label that is not all digits (an IP address is not
//! a mail domain).
//!
//! | pattern           | kind   | matches                                             |
//! |-------------------|--------|-----------------------------------------------------|
//! | `gmail.com`       | exact  | only `gmail.com`                                    |
//! | `*.example.com`   | suffix | any name ending in `.example.com`, not the name itself |
//! | other `* ? [] {}` | glob   | glob over labels: `*`, `?`, `[..]` stay in a label; `**` spans labels |

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

/// The longest domain name, in bytes (RFC 1035).
pub const MAX_NAME_LEN: usize = 253;
/// The longest label, in bytes.
pub const MAX_LABEL_LEN: usize = 63;

/// The bit of a suffix key's label count in a suffix-label mask (counts above
/// 127 share bit 127). A lookup tries only the suffix lengths whose bit is set;
/// the table writer, its full check and the reference matcher must agree on it.
pub(crate) fn suffix_label_bit(key: &[u8]) -> u128 {
    let labels = key.iter().filter(|&&b| b == b'.').count() + 1;
    1u128 << labels.min(127)
}

/// How a pattern matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PatternKind {
    /// One name.
    Exact,
    /// `*.example.com`: every name below a suffix.
    Suffix,
    /// A glob over labels.
    Glob,
}

impl PatternKind {
    /// `exact`, `suffix` or `glob`.
    pub fn as_str(self) -> &'static str {
        match self {
            PatternKind::Exact => "exact",
            PatternKind::Suffix => "suffix",
            PatternKind::Glob => "glob",
        }
    }
}

/// A normalized pattern. Two patterns are the same pattern exactly when their texts
/// are equal.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Pattern {
    kind: PatternKind,
    text: Arc<str>,
}

impl Pattern {
    /// The kind.
    pub fn kind(&self) -> PatternKind {
        self.kind
    }

    /// The normalized text, as it would be written in a configuration.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The shared text (cheap to clone).
    pub fn text(&self) -> &Arc<str> {
        &self.text
    }

    /// For a suffix pattern `*.example.com`, `example.com`; otherwise the whole text.
    pub fn key(&self) -> &str {
        match self.kind {
            PatternKind::Suffix => &self.text[2..],
            _ => &self.text,
        }
    }

    /// Parses and normalizes a pattern.
    pub fn parse(input: &str) -> Result<Pattern, PatternError> {
        let (offset, trimmed) = trim(input);
        let body = trimmed.strip_suffix('.').unwrap_or(trimmed);
        if body.contains(['*', '?', '[', ']', '{', '}']) {
            if let Some(rest) = body.strip_prefix("*.")
                && !rest.contains(['*', '?', '[', ']', '{', '}'])
            {
                let key = normalize_name(rest, offset + 2, 1).map_err(PatternError::Domain)?;
                return Ok(Pattern::new(PatternKind::Suffix, format!("*.{key}")));
            }
            let glob = normalize_glob(body, offset).map_err(PatternError::Glob)?;
            return Ok(Pattern::new(PatternKind::Glob, glob));
        }
        let name = normalize_name(body, offset, 2).map_err(PatternError::Domain)?;
        Ok(Pattern::new(PatternKind::Exact, name))
    }

    fn new(kind: PatternKind, text: String) -> Pattern {
        Pattern {
            kind,
            text: text.into(),
        }
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Why a pattern was rejected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PatternError {
    /// An exact name or a suffix is not a valid domain name (`invalid-domain`).
    Domain(DomainError),
    /// A glob is malformed (`invalid-glob`).
    Glob(GlobError),
}

/// Why a domain name is invalid, and where (byte range in the input).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DomainError {
    /// What is wrong.
    pub kind: DomainErrorKind,
    /// The offending part of the input (byte offsets into the original text).
    pub at: Range<usize>,
}

/// What is wrong with a domain name.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DomainErrorKind {
    /// Nothing but whitespace or a dot.
    Empty,
    /// A character that cannot appear in a domain name.
    Character(char),
    /// Two dots in a row, or a leading dot.
    EmptyLabel,
    /// A label over 63 bytes (its length given).
    LabelTooLong(usize),
    /// A label that starts or ends with a hyphen.
    Hyphen,
    /// A name over 253 bytes (its length given).
    TooLong(usize),
    /// A single label (`localhost`); mail domains have at least two.
    OneLabel,
    /// The last label is all digits: an IP address, not a domain.
    NumericTld,
    /// A Unicode name that IDNA (UTS 46) rejects, or a malformed `xn--` label.
    Idna,
}

impl fmt::Display for DomainErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DomainErrorKind::Empty => f.write_str("the name is empty"),
            DomainErrorKind::Character(c) => {
                write!(f, "{} cannot appear in a domain name", describe_char(*c))
            }
            DomainErrorKind::EmptyLabel => {
                f.write_str("the name has an empty label (two dots in a row, or a leading dot)")
            }
            DomainErrorKind::LabelTooLong(n) => {
                write!(f, "a label is {n} bytes long; the limit is {MAX_LABEL_LEN}")
            }
            DomainErrorKind::Hyphen => f.write_str("a label cannot start or end with a hyphen"),
            DomainErrorKind::TooLong(n) => {
                write!(f, "the name is {n} bytes long; the limit is {MAX_NAME_LEN}")
            }
            DomainErrorKind::OneLabel => f.write_str("a mail domain needs at least two labels"),
            DomainErrorKind::NumericTld => {
                f.write_str("the last label is all digits; an IP address is not a mail domain")
            }
            DomainErrorKind::Idna => {
                f.write_str("the internationalized name is not valid (IDNA, UTS 46)")
            }
        }
    }
}

/// Why a glob is invalid, and where (byte range in the input).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GlobError {
    /// What is wrong, as a sentence fragment.
    pub message: String,
    /// The offending part of the input.
    pub at: Range<usize>,
}

/// `'_'` as `` `_` `` or, for invisible characters, as `U+0009`.
pub(crate) fn describe_char(c: char) -> String {
    if c.is_control() || c.is_whitespace() {
        format!("U+{:04X}", c as u32)
    } else {
        format!("`{c}`")
    }
}

fn trim(input: &str) -> (usize, &str) {
    let start = input.len() - input.trim_start().len();
    (start, input.trim())
}

/// Normalizes a domain name from user input: the name a query, an email address's
/// domain or an exact pattern stands for.
pub fn normalize_domain(input: &str) -> Result<String, DomainError> {
    let (offset, trimmed) = trim(input);
    let body = trimmed.strip_suffix('.').unwrap_or(trimmed);
    normalize_name(body, offset, 2)
}

/// Normalizes `name` (already trimmed, trailing dot removed), which starts at byte
/// `offset` of the original input; error positions are reported in the original.
fn normalize_name(name: &str, offset: usize, min_labels: usize) -> Result<String, DomainError> {
    let err = |kind, at: Range<usize>| DomainError {
        kind,
        at: offset + at.start..offset + at.end,
    };
    if name.is_empty() {
        return Err(err(DomainErrorKind::Empty, 0..0));
    }
    if name.is_ascii() {
        let lower = name.to_ascii_lowercase();
        validate(&lower, min_labels).map_err(|e| err(e.kind, e.at))?;
        // `xn--` labels must be valid punycode (checked the way Unicode input is
        // converted, so every name this produces is accepted again).
        if lower.split('.').any(|l| l.starts_with("xn--")) && idna::domain_to_ascii(&lower).is_err()
        {
            let at = label_ranges(&lower)
                .find(|r| lower[r.clone()].starts_with("xn--"))
                .unwrap_or(0..lower.len());
            return Err(err(DomainErrorKind::Idna, at));
        }
        return Ok(lower);
    }
    // A non-ASCII name: first point at plainly wrong ASCII characters, then convert.
    if let Some((i, c)) = name
        .char_indices()
        .find(|&(_, c)| c.is_ascii() && !is_name_char(c.to_ascii_lowercase()))
    {
        return Err(err(DomainErrorKind::Character(c), i..i + 1));
    }
    let ascii =
        idna::domain_to_ascii(name).map_err(|_| err(DomainErrorKind::Idna, 0..name.len()))?;
    validate(&ascii, min_labels).map_err(|e| err(e.kind, 0..name.len()))?;
    Ok(ascii)
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.'
}

fn label_ranges(name: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut start = 0;
    name.split('.').map(move |label| {
        let r = start..start + label.len();
        start = r.end + 1;
        r
    })
}

/// Validates a lowercase ASCII name; positions are relative to `name`.
pub(crate) fn validate(name: &str, min_labels: usize) -> Result<(), DomainError> {
    let fail = |kind, at| Err(DomainError { kind, at });
    if let Some((i, c)) = name.char_indices().find(|&(_, c)| !is_name_char(c)) {
        return fail(DomainErrorKind::Character(c), i..i + c.len_utf8());
    }
    let mut labels = 0;
    let mut last = 0..0;
    for r in label_ranges(name) {
        let label = &name[r.clone()];
        if label.is_empty() {
            let dot = r.start.min(name.len().saturating_sub(1));
            return fail(DomainErrorKind::EmptyLabel, dot..dot + 1);
        }
        if label.len() > MAX_LABEL_LEN {
            return fail(DomainErrorKind::LabelTooLong(label.len()), r);
        }
        if label.starts_with('-') {
            return fail(DomainErrorKind::Hyphen, r.start..r.start + 1);
        }
        if label.ends_with('-') {
            return fail(DomainErrorKind::Hyphen, r.end - 1..r.end);
        }
        labels += 1;
        last = r;
    }
    if labels < min_labels {
        return fail(DomainErrorKind::OneLabel, 0..name.len());
    }
    if name.len() > MAX_NAME_LEN {
        return fail(DomainErrorKind::TooLong(name.len()), 0..name.len());
    }
    if name[last.clone()].bytes().all(|b| b.is_ascii_digit()) {
        return fail(DomainErrorKind::NumericTld, last);
    }
    Ok(())
}

const GLOB_CHARS: &[char] = &['*', '?', '[', ']', '{', '}', ',', '!', '^'];

/// Normalizes and validates a glob (trimmed, trailing dot removed, starting at byte
/// `offset` of the input).
fn normalize_glob(glob: &str, offset: usize) -> Result<String, GlobError> {
    let err = |message: String, at: Range<usize>| GlobError {
        message,
        at: offset + at.start..offset + at.end,
    };
    let mut out = String::with_capacity(glob.len());
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
            continue;
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
        if label.len() > MAX_LABEL_LEN && !has_meta {
            return Err(err(
                format!(
                    "a label is {} bytes long; the limit is {MAX_LABEL_LEN}",
                    label.len()
                ),
                r,
            ));
        }
        out.push_str(&label.to_ascii_lowercase());
    }
    // Classes and alternatives stay within a label (a dot inside would let a
    // wildcard cross labels); checked here for messages that point at the bracket.
    check_brackets(glob).map_err(|(m, at)| err(m, at))?;
    if out.len() > MAX_NAME_LEN {
        return Err(err(
            format!(
                "the glob is {} bytes long; the limit is {MAX_NAME_LEN}",
                out.len()
            ),
            0..glob.len(),
        ));
    }
    crate::matcher::compile_glob(&out).map_err(|e| err(e, 0..glob.len()))?;
    Ok(out)
}

/// Checks the structure of `[...]` classes and `{a,b}` alternatives: closed,
/// within one label, not nested, ranges the right way round.
fn check_brackets(glob: &str) -> Result<(), (String, Range<usize>)> {
    let mut open: Option<(char, usize)> = None;
    for (i, c) in glob.char_indices() {
        match (c, open) {
            ('[', None) => open = Some(('[', i)),
            ('{', None) => open = Some(('{', i)),
            (']', Some(('[', start))) => {
                check_ranges(glob, start + 1..i)?;
                open = None;
            }
            ('}', Some(('{', _))) => open = None,
            ('{', Some(('{', _))) => {
                return Err(("alternatives `{...}` cannot be nested".into(), i..i + 1));
            }
            (']', None) => return Err(("`]` closes no character class".into(), i..i + 1)),
            ('}', None) => return Err(("`}` closes no `{`".into(), i..i + 1)),
            ('.', Some((kind, start))) => {
                let close = if kind == '[' { ']' } else { '}' };
                let what = if kind == '[' {
                    "a character class `[...]`"
                } else {
                    "alternatives `{...}`"
                };
                return Err(if glob[i..].contains(close) {
                    (
                        format!("{what} cannot span a dot; write one pattern per alternative"),
                        start..i + 1,
                    )
                } else {
                    (format!("{what} is not closed"), start..start + 1)
                });
            }
            _ => {}
        }
    }
    match open {
        Some(('[', start)) => Err((
            "a character class `[...]` is not closed".into(),
            start..start + 1,
        )),
        Some((_, start)) => Err((
            "alternatives `{...}` are not closed".into(),
            start..start + 1,
        )),
        None => Ok(()),
    }
}

/// Rejects backwards ranges such as `[9-0]` in the class body at `body`.
fn check_ranges(glob: &str, body: Range<usize>) -> Result<(), (String, Range<usize>)> {
    let chars: Vec<(usize, char)> = glob[body.clone()].char_indices().collect();
    let skip = usize::from(matches!(chars.first(), Some((_, '!' | '^'))));
    for w in chars[skip.min(chars.len())..].windows(3) {
        if let [(i, a), (_, '-'), (_, b)] = w
            && a > b
        {
            let at = body.start + i;
            return Err((
                format!("the range `{a}-{b}` is backwards; write `{b}-{a}`"),
                at..at + 3,
            ));
        }
    }
    if chars.len() == skip {
        return Err((
            "a character class `[]` is empty".into(),
            body.start - 1..body.end + 1,
        ));
    }
    Ok(())
}

/// The labels of a normalized glob.
pub(crate) fn glob_labels(glob: &str) -> impl DoubleEndedIterator<Item = &str> {
    glob.split('.')
}

/// Whether a glob label has wildcards.
pub(crate) fn is_wild(label: &str) -> bool {
    label.contains(GLOB_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact(s: &str) -> String {
        let p = Pattern::parse(s).unwrap();
        assert_eq!(p.kind(), PatternKind::Exact, "{s}");
        p.as_str().to_string()
    }

    fn domain_err(s: &str) -> (DomainErrorKind, Range<usize>) {
        match Pattern::parse(s) {
            Err(PatternError::Domain(e)) => (e.kind, e.at),
            other => panic!("{s}: {other:?}"),
        }
    }

    #[test]
    fn normalizes_case_dots_and_idn() {
        assert_eq!(exact(" Gmail.COM. "), "gmail.com");
        assert_eq!(exact("Почта.РФ."), "xn--80a1acny.xn--p1ai");
        assert_eq!(exact("xn--80a1acny.xn--p1ai"), "xn--80a1acny.xn--p1ai");
        // What normalization produces, it accepts again.
        assert_eq!(exact("ab--cd.рф"), "ab--cd.xn--p1ai");
        assert_eq!(exact("ab--cd.xn--p1ai"), "ab--cd.xn--p1ai");
        assert_eq!(
            Pattern::parse("*.Example.com").unwrap().as_str(),
            "*.example.com"
        );
        assert_eq!(
            Pattern::parse("*.Example.com").unwrap().kind(),
            PatternKind::Suffix
        );
        assert_eq!(Pattern::parse("*.com").unwrap().key(), "com");
        assert_eq!(Pattern::parse("Yahoo.*").unwrap().kind(), PatternKind::Glob);
        assert_eq!(Pattern::parse("yahoo.**").unwrap().as_str(), "yahoo.**");
    }

    #[test]
    fn points_at_the_bad_part() {
        assert_eq!(
            domain_err("gm_ail.com"),
            (DomainErrorKind::Character('_'), 2..3)
        );
        assert_eq!(domain_err("  a..com"), (DomainErrorKind::EmptyLabel, 4..5));
        assert_eq!(domain_err("-a.com"), (DomainErrorKind::Hyphen, 0..1));
        assert_eq!(domain_err("localhost"), (DomainErrorKind::OneLabel, 0..9));
        assert_eq!(domain_err("10.0.0.1"), (DomainErrorKind::NumericTld, 7..8));
        assert_eq!(domain_err("x.xn--zz.com").0, DomainErrorKind::Idna);
        let long = format!("{}.com", "a".repeat(64));
        assert_eq!(
            domain_err(&long),
            (DomainErrorKind::LabelTooLong(64), 0..64)
        );
        assert_eq!(domain_err("").0, DomainErrorKind::Empty);
        assert_eq!(
            domain_err("почта@mail.ru"),
            (DomainErrorKind::Character('@'), 10..11)
        );
    }

    #[test]
    fn rejects_bad_globs() {
        for bad in [
            "a**.com",
            "[a.b].com",
            "{a.b,c}.com",
            "a b.*",
            "x.[z-a]",
            "x.{a,b",
        ] {
            assert!(
                matches!(Pattern::parse(bad), Err(PatternError::Glob(_))),
                "{bad}"
            );
        }
    }
}
