//! Domain names: normalization (case, trailing dot, IDN to A-labels by UTS 46) and
//! validation with the offending part located. A name is labels of letters,
//! digits and inner hyphens, 1-63 bytes each, at most 253 bytes in all, with a
//! last label that is not all digits (an IP address is not a mail domain).

use std::fmt;
use std::ops::Range;

/// The longest domain name, in bytes (RFC 1035).
pub const MAX_NAME_LEN: usize = 253;
/// The longest label, in bytes.
pub const MAX_LABEL_LEN: usize = 63;

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

/// `'_'` as `` `_` `` or, for invisible characters, as `U+0009`.
pub(crate) fn describe_char(c: char) -> String {
    if c.is_control() || c.is_whitespace() {
        format!("U+{:04X}", c as u32)
    } else {
        format!("`{c}`")
    }
}

pub(crate) fn trim(input: &str) -> (usize, &str) {
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
pub(crate) fn normalize_name(
    name: &str,
    offset: usize,
    min_labels: usize,
) -> Result<String, DomainError> {
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

pub(crate) fn is_name_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.'
}

pub(crate) fn label_ranges(name: &str) -> impl Iterator<Item = Range<usize>> + '_ {
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
