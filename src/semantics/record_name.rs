//! What a record name may hold. Names are printed in diagnostics, in lookup answers
//! and in MTA logs, and compared by operators reading them, so they must look like
//! what they are: no control, bidi or invisible characters, no space other than
//! U+0020, and none at either end (`" Padded "` and `"Padded"` would be two
//! records that print alike). The compiler and the table reader apply the same
//! rule.

use std::ops::Range;

/// What is wrong with a record name, and where (a byte range of the name).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameError {
    /// What is wrong.
    pub kind: NameErrorKind,
    /// Where, in bytes of the name.
    pub at: Range<usize>,
}

/// What is wrong with a record name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameErrorKind {
    /// Whitespace at the start or the end.
    Padded,
    /// A control, bidi or invisible character (given).
    Invisible(char),
    /// A space other than U+0020 (given).
    OddSpace(char),
}

impl std::fmt::Display for NameErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NameErrorKind::Padded => f.write_str("the name starts or ends with whitespace"),
            NameErrorKind::Invisible(c) => write!(
                f,
                "the name holds U+{:04X}, a control, bidi or invisible character",
                *c as u32
            ),
            NameErrorKind::OddSpace(c) => write!(
                f,
                "the name holds U+{:04X}, a space other than U+0020",
                *c as u32
            ),
        }
    }
}

/// Checks a record name.
pub fn check(name: &str) -> Result<(), NameError> {
    let trimmed_start = name.len() - name.trim_start().len();
    if trimmed_start > 0 {
        return Err(NameError {
            kind: NameErrorKind::Padded,
            at: 0..trimmed_start,
        });
    }
    let trimmed = name.trim_end().len();
    if trimmed < name.len() {
        return Err(NameError {
            kind: NameErrorKind::Padded,
            at: trimmed..name.len(),
        });
    }
    for (i, c) in name.char_indices() {
        let at = i..i + c.len_utf8();
        if super::escape::is_unsafe(c) {
            return Err(NameError {
                kind: NameErrorKind::Invisible(c),
                at,
            });
        }
        if c.is_whitespace() && c != ' ' {
            return Err(NameError {
                kind: NameErrorKind::OddSpace(c),
                at,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(check("Mail.ru").is_ok());
        assert!(check("Почта России").is_ok());
        assert_eq!(check(" Padded").unwrap_err().at, 0..1);
        assert_eq!(check("Padded  ").unwrap_err().at, 6..8);
        assert_eq!(
            check("Evil\nfake").unwrap_err().kind,
            NameErrorKind::Invisible('\n')
        );
        assert_eq!(check("a\u{202e}b").unwrap_err().at, 1..4);
        assert_eq!(
            check("a\u{a0}b").unwrap_err().kind,
            NameErrorKind::OddSpace('\u{a0}')
        );
    }
}
