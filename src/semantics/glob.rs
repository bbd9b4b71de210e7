//! The glob dialect: globs over the labels of a domain. `*` and `?` stay within a
//! label, `[...]` classes and `{a,b}` alternatives too (never across a dot), and
//! `**` as a whole label spans any run of labels. Normalized like names (case, a
//! trailing dot, Unicode labels without wildcards to A-labels), validated with the
//! offending part located, and compiled with globset.

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

/// Normalizes and validates a glob (trimmed, trailing dot removed, starting at byte
/// `offset` of the input).
pub(crate) fn normalize_glob(glob: &str, offset: usize) -> Result<String, GlobError> {
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
    compile_glob(&out).map_err(|e| err(e, 0..glob.len()))?;
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
    use crate::semantics::pattern::{Pattern, PatternError};

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
