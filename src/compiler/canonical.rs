//! `isptab fmt`: the canonical layout of a configuration file.
//!
//! Four spaces of indentation per block, one node per line (`;` separators become
//! line breaks), `{` at the end of its node's line and `}` on a line of its own,
//! single spaces between entries and none around `=`, bare-word values quoted
//! (`isp Gmail` becomes `isp "Gmail"`), at most one blank line in a row and none
//! at the start or end of a block, one newline at the end. Comments, slashdashed
//! items and every value's spelling (strings, raw strings, numbers) are kept as
//! written, so formatting never changes what a file means; formatting twice
//! changes nothing more.
//!
//! It works on the file's tokens rather than on the `kdl` document, whose own
//! formatter drops comments at line ends.

use std::fmt;

use crate::compiler::syntax::guard::{raw_string_end, skip_block_comment, skip_quoted};

/// Why a file cannot be formatted: it is not valid KDL 2.0 (`isptab check` says
/// where).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotKdl {
    message: String,
}

impl fmt::Display for NotKdl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for NotKdl {}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok<'a> {
    Space,
    Newline,
    LineComment(&'a str),
    BlockComment(&'a str),
    SlashDash,
    Str(&'a str),
    Atom(&'a str),
    Open,
    Close,
    Semi,
    Eq,
    LParen,
    RParen,
    Continuation,
}

use crate::compiler::source::is_newline;

/// Splits KDL text into tokens. The text has been parsed successfully first, so
/// this only needs to find token boundaries.
fn tokens(text: &str) -> Vec<Tok<'_>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        let c = rest.chars().next().unwrap_or(' ');
        let (tok, len) = if rest.starts_with("\r\n") {
            (Tok::Newline, 2)
        } else if is_newline(c) {
            (Tok::Newline, c.len_utf8())
        } else if c.is_whitespace() || c == '\u{FEFF}' {
            let n = rest
                .find(|c: char| !(c.is_whitespace() || c == '\u{FEFF}') || is_newline(c))
                .unwrap_or(rest.len());
            (Tok::Space, n)
        } else if rest.starts_with("//") {
            let n = rest.find(is_newline).unwrap_or(rest.len());
            (Tok::LineComment(&rest[..n]), n)
        } else if rest.starts_with("/*") {
            let n = skip_block_comment(rest.as_bytes(), 0);
            (Tok::BlockComment(&rest[..n]), n)
        } else if rest.starts_with("/-") {
            (Tok::SlashDash, 2)
        } else if c == '"' {
            let n = skip_quoted(rest.as_bytes(), 0);
            (Tok::Str(&rest[..n]), n)
        } else if let Some(n) = (c == '#')
            .then(|| raw_string_end(rest.as_bytes(), 0))
            .flatten()
        {
            (Tok::Str(&rest[..n]), n)
        } else {
            match c {
                '{' => (Tok::Open, 1),
                '}' => (Tok::Close, 1),
                ';' => (Tok::Semi, 1),
                '=' => (Tok::Eq, 1),
                '(' => (Tok::LParen, 1),
                ')' => (Tok::RParen, 1),
                '\\' => (Tok::Continuation, 1),
                _ => {
                    let n = rest
                        .find(|c: char| {
                            c.is_whitespace() || is_newline(c) || "{}();=\\\"/".contains(c)
                        })
                        .unwrap_or(rest.len())
                        .max(c.len_utf8());
                    (Tok::Atom(&rest[..n]), n)
                }
            }
        };
        out.push(tok);
        i += len;
    }
    out
}

/// Whether a bare word is a string (an identifier) rather than a number or a
/// keyword, so that it can be written quoted.
fn is_identifier(word: &str) -> bool {
    let mut chars = word.chars();
    let first = chars.next().unwrap_or('0');
    let second = chars.next();
    !(first.is_ascii_digit()
        || first == '#'
        || ((first == '-' || first == '+' || first == '.')
            && second.is_some_and(|c| c.is_ascii_digit()))
        || (first == '.' && second.is_none()))
}

/// The output, a line at a time.
struct Writer {
    out: String,
    line: String,
    /// The block depth the current line started at.
    line_depth: usize,
    depth: usize,
    blank_pending: bool,
    /// Inside `( )` (a type name is not quoted).
    in_type: bool,
    /// The next word starts a node (its name).
    node_start: bool,
    /// The previous token leaves no space before the next one (`=`, `(`, `)`).
    glued: bool,
    /// The current line continues the previous one (`\` line continuation).
    continued: bool,
    /// A `{` was just written: what follows goes on the next line, unless it is a
    /// comment.
    after_open: bool,
}

impl Writer {
    fn push(&mut self, piece: &str, space_before: bool) {
        if self.line.is_empty() {
            self.line_depth = self.depth + usize::from(self.continued);
            if self.blank_pending && !self.out.is_empty() {
                self.out.push('\n');
            }
            self.blank_pending = false;
        } else if space_before && !self.glued {
            self.line.push(' ');
        }
        self.line.push_str(piece);
        self.glued = false;
    }

    fn flush(&mut self) {
        if !self.line.is_empty() {
            self.out.push_str(&"    ".repeat(self.line_depth));
            self.out.push_str(&self.line);
            self.out.push('\n');
            self.line.clear();
        }
    }
}

/// Formats KDL text (see the module docs). Fails only when the text is not valid
/// KDL 2.0.
pub fn format(text: &str) -> Result<String, NotKdl> {
    // The same guard as `check`: the parser must not see what would overflow it.
    let prepared =
        crate::compiler::syntax::guard::prepare(text, &crate::compiler::limits::Limits::default())
            .map_err(|p| NotKdl {
                message: p.to_string(),
            })?;
    crate::compiler::syntax::parse_guarded(&prepared)
        .ok_or_else(|| NotKdl {
            message: "the KDL parser failed on this file".into(),
        })?
        .map_err(|e| NotKdl {
            message: e
                .diagnostics
                .first()
                .and_then(|d| d.message.clone())
                .unwrap_or_else(|| "invalid KDL".into()),
        })?;
    let toks = tokens(text);
    let mut w = Writer {
        out: String::with_capacity(text.len()),
        line: String::new(),
        line_depth: 0,
        depth: 0,
        blank_pending: false,
        in_type: false,
        node_start: true,
        glued: false,
        continued: false,
        after_open: false,
    };
    let mut newlines = 0;
    for (i, &tok) in toks.iter().enumerate() {
        if tok != Tok::Newline && tok != Tok::Space {
            // Two or more line breaks in a row (a blank line) are kept as one,
            // except right after `{` and right before `}`.
            if newlines >= 2
                && w.line.is_empty()
                && !matches!(tok, Tok::Close)
                && !w.out.ends_with("{\n")
            {
                w.blank_pending = true;
            }
            newlines = 0;
            if w.after_open && !matches!(tok, Tok::LineComment(_)) {
                w.flush();
            }
            w.after_open = false;
        }
        match tok {
            Tok::Space => {}
            Tok::Newline => {
                newlines += 1;
                w.flush();
                if w.continued && newlines == 1 {
                    // The node goes on after a line continuation.
                } else {
                    w.continued = false;
                    w.node_start = true;
                }
            }
            Tok::Semi => {
                w.flush();
                w.node_start = true;
            }
            Tok::LineComment(c) | Tok::BlockComment(c) => w.push(c, true),
            Tok::SlashDash => w.push("/-", true),
            Tok::Continuation => {
                w.push("\\", true);
                w.continued = true;
            }
            Tok::Open => {
                w.push("{", true);
                w.depth += 1;
                w.node_start = true;
                w.after_open = true;
            }
            Tok::Close => {
                w.flush();
                w.depth = w.depth.saturating_sub(1);
                w.blank_pending = false;
                w.push("}", true);
                w.node_start = true;
            }
            Tok::Eq => {
                w.push("=", false);
                w.glued = true;
            }
            Tok::LParen => {
                w.push("(", true);
                w.in_type = true;
                w.glued = true;
            }
            Tok::RParen => {
                w.push(")", false);
                w.in_type = false;
                w.glued = true;
            }
            Tok::Str(s) => {
                w.push(s, true);
                w.node_start = false;
            }
            Tok::Atom(a) => {
                let is_key = toks[i + 1..].iter().find(|t| **t != Tok::Space) == Some(&Tok::Eq);
                if w.node_start || w.in_type || is_key || !is_identifier(a) {
                    w.push(a, true);
                } else {
                    w.push(&format!("\"{a}\""), true);
                }
                if !w.in_type {
                    w.node_start = false;
                }
            }
        }
    }
    w.flush();
    Ok(w.out)
}

#[cfg(test)]
mod tests {
    use super::format;

    #[test]
    fn canonical_layout_keeps_comments_and_values() {
        let messy = "// top\r\n\n\ninclude \"x.kdl\"   // why\nisp   Gmail{domains \"gmail.com\"   \"googlemail.com\"\n  /- domains \"old.example\"\n\n\n      encoding html=\"base64\" // note\n    headers {\n     add \"X-A\" #\"b\"#\n\n    }\n}\n/* block */ override \"Yahoo\" { domains \"a.example\" ; domains \"b.example\" }\ndelete (t)\"Old\"\n";
        let formatted = format(messy).unwrap();
        assert_eq!(
            formatted,
            "// top\n\ninclude \"x.kdl\" // why\nisp \"Gmail\" {\n    domains \"gmail.com\" \"googlemail.com\"\n    /- domains \"old.example\"\n\n    encoding html=\"base64\" // note\n    headers {\n        add \"X-A\" #\"b\"#\n    }\n}\n/* block */ override \"Yahoo\" {\n    domains \"a.example\"\n    domains \"b.example\"\n}\ndelete (t)\"Old\"\n"
        );
        assert_eq!(format(&formatted).unwrap(), formatted);
    }

    #[test]
    fn quotes_bare_values_not_names_keys_or_numbers() {
        assert_eq!(
            format("isp Acme default=#true { domains acme.example }").unwrap(),
            "isp \"Acme\" default=#true {\n    domains \"acme.example\"\n}\n"
        );
        assert_eq!(
            format("x 1 -2 0x1f #null key=val").unwrap(),
            "x 1 -2 0x1f #null key=\"val\"\n"
        );
    }

    #[test]
    fn refuses_invalid_kdl() {
        assert!(format("isp \"x\" {").is_err());
    }
}
