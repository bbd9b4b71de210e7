//! Patterns: the three kinds a record lists (an exact name, `*.suffix` for every
//! name below a suffix, a glob over labels), normalized so that two patterns are
//! the same pattern exactly when their texts are equal.
//!
//! | pattern           | kind   | matches                                             |
//! |-------------------|--------|-----------------------------------------------------|
//! | `gmail.com`       | exact  | only `gmail.com`                                    |
//! | `*.example.com`   | suffix | any name ending in `.example.com`, not the name itself |
//! | other `* ? [] {}` | glob   | glob over labels: `*`, `?`, `[..]` stay in a label; `**` spans labels |

use std::fmt;
use std::sync::Arc;

use super::glob::{GlobError, normalize_glob};
use super::name::{DomainError, normalize_name, trim};
use super::query::is_normal;

/// The bit of a suffix key's label count in a suffix-label mask (counts above
/// 127 share bit 127). A lookup tries only the suffix lengths whose bit is set;
/// the table writer, its full check and the reference matcher must agree on it.
pub(crate) fn label_bit(key: &[u8]) -> u128 {
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
                // Already normal (every key a table holds): nothing to convert.
                if is_normal(rest.as_bytes()) {
                    return Ok(Pattern::new(PatternKind::Suffix, format!("*.{rest}")));
                }
                let key = normalize_name(rest, offset + 2, 1).map_err(PatternError::Domain)?;
                return Ok(Pattern::new(PatternKind::Suffix, format!("*.{key}")));
            }
            let glob = normalize_glob(body, offset).map_err(PatternError::Glob)?;
            return Ok(Pattern::new(PatternKind::Glob, glob));
        }
        if is_normal(body.as_bytes()) {
            return Ok(Pattern::new(PatternKind::Exact, body.to_string()));
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

impl PatternError {
    /// The offending part of the input (byte offsets into the text parsed).
    pub fn at(&self) -> &std::ops::Range<usize> {
        match self {
            PatternError::Domain(e) => &e.at,
            PatternError::Glob(e) => &e.at,
        }
    }
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PatternError::Domain(e) => write!(f, "invalid domain: {}", e.kind),
            PatternError::Glob(e) => write!(f, "invalid glob: {}", e.message),
        }
    }
}

impl std::error::Error for PatternError {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::semantics::name::DomainErrorKind;
    use std::ops::Range;

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
}
