//! `isptab fmt`: the canonical layout of a configuration file.
//!
//! Four spaces of indentation per block, one node per line (`;` separators become
//! line breaks), `{` at the end of its node's line and `}` on a line of its own,
//! single spaces between entries and none around `=`, bare-word values quoted
//! (`isp Gmail` becomes `isp "Gmail"`), at most one blank line in a row and none
//! at the start or end of a block, one line break at the end. Comments,
//! slashdashed items and the spelling of every other value (strings, raw
//! strings, numbers, keywords) are kept as written, so formatting never changes
//! what a file means; formatting twice changes nothing more.
//!
//! The file keeps its line breaks and its byte-order mark: every line ends with
//! the file's first line break outside strings and comments (LF, CRLF or CR; a
//! file whose first is NEL, VT, FF, LS or PS, or that has none, gets LF), and a
//! leading byte-order mark stays. Line breaks inside multi-line strings and
//! block comments are part of them and stay as written.
//!
//! It works on the file's tokens rather than on the `kdl` document, whose own
//! formatter drops comments at line ends.

use std::fmt;

use crate::compiler::diagnostics::Diagnostic;
use crate::compiler::source::SourceMap;

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
    Newline(&'a str),
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
            (Tok::Newline(&rest[..2]), 2)
        } else if is_newline(c) {
            (Tok::Newline(&rest[..c.len_utf8()]), c.len_utf8())
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
    /// The line break written at every line's end.
    newline: &'static str,
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
                self.out.push_str(self.newline);
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
            self.out.push_str(self.newline);
            self.line.clear();
        }
    }

    /// Whether the output so far ends with a `{` line.
    fn after_open_line(&self) -> bool {
        self.out
            .strip_suffix(self.newline)
            .is_some_and(|o| o.ends_with('{'))
    }
}

/// The line break of a file: its first line break outside strings and comments,
/// when that is LF, CRLF or CR; LF otherwise.
fn line_break(toks: &[Tok<'_>]) -> &'static str {
    match toks.iter().find_map(|t| match t {
        Tok::Newline(n) => Some(*n),
        _ => None,
    }) {
        Some("\r\n") => "\r\n",
        Some("\r") => "\r",
        _ => "\n",
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
    let (bom, body) = match text.strip_prefix('\u{FEFF}') {
        Some(body) => ("\u{FEFF}", body),
        None => ("", text),
    };
    let toks = tokens(body);
    let mut w = Writer {
        out: String::with_capacity(text.len()),
        newline: line_break(&toks),
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
        if !matches!(tok, Tok::Newline(_) | Tok::Space) {
            // Two or more line breaks in a row (a blank line) are kept as one,
            // except right after `{` and right before `}`.
            if newlines >= 2
                && w.line.is_empty()
                && !matches!(tok, Tok::Close)
                && !w.after_open_line()
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
            Tok::Newline(_) => {
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
    w.out.insert_str(0, bom);
    Ok(w.out)
}

/// What `isptab check` says about a file that [`format()`] refuses (bytes that are
/// not UTF-8, a limit of the parser's guard, text that is not KDL 2.0), the file
/// shown as `name`: the source map holding it and its diagnostics. Nothing else
/// is read (includes are not followed).
pub fn problems(name: &str, bytes: Vec<u8>) -> (SourceMap, Vec<Diagnostic>) {
    let mut sources = SourceMap::new();
    let mut out = Vec::new();
    match crate::compiler::syntax::decode(&mut sources, name.to_string(), bytes) {
        Ok(file) => {
            crate::compiler::syntax::parse(
                &sources,
                file,
                &crate::compiler::limits::Limits::default(),
                &mut out,
            );
        }
        Err(diagnostic) => out.push(diagnostic),
    }
    (sources, out)
}

#[cfg(test)]
mod tests {
    use super::{format, problems};

    #[test]
    fn canonical_layout_keeps_comments_and_values() {
        let messy = "// top\n\r\n\ninclude \"x.kdl\"   // why\r\nisp   Gmail{domains \"gmail.com\"   \"googlemail.com\"\n  /- domains \"old.example\"\n\n\n      encoding html=\"base64\" // note\n    headers {\n     add \"X-A\" #\"b\"#\n\n    }\n}\n/* block */ override \"Yahoo\" { domains \"a.example\" ; domains \"b.example\" }\ndelete (t)\"Old\"\n";
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
    fn keeps_line_breaks_and_byte_order_mark() {
        // The first line break sets the style; the others follow it.
        assert_eq!(
            format("isp \"A\" {\r\ndomains \"a.example\"\n}").unwrap(),
            "isp \"A\" {\r\n    domains \"a.example\"\r\n}\r\n"
        );
        assert_eq!(
            format("isp \"A\" {\rdomains \"a.example\"\r}\r").unwrap(),
            "isp \"A\" {\r    domains \"a.example\"\r}\r"
        );
        // NEL, FF, LS and PS become LF; so does a file without a line break.
        assert_eq!(
            format("isp \"A\" {\u{2028}}\u{85}").unwrap(),
            "isp \"A\" {\n}\n"
        );
        assert_eq!(format("delete \"A\"").unwrap(), "delete \"A\"\n");
        // A break inside a comment or a string is not the file's line break.
        let commented = "/* a\nb */ delete \"A\"\r\ndelete \"B\"\n";
        let once = format(commented).unwrap();
        assert_eq!(once, "/* a\nb */ delete \"A\"\r\ndelete \"B\"\r\n");
        assert_eq!(format(&once).unwrap(), once);
        let leading = "\r\n\ndelete \"A\" /* x\ny */\n";
        let once = format(leading).unwrap();
        assert_eq!(once, "delete \"A\" /* x\ny */\r\n");
        assert_eq!(format(&once).unwrap(), once);
        // A byte-order mark stays at the start, and blank lines after it go.
        assert_eq!(
            format("\u{FEFF}\r\n\r\nisp A {\r\n}\r\n").unwrap(),
            "\u{FEFF}isp \"A\" {\r\n}\r\n"
        );
        assert_eq!(format("\u{FEFF}").unwrap(), "\u{FEFF}");
    }

    #[test]
    fn refuses_invalid_kdl() {
        assert!(format("isp \"x\" {").is_err());
        let (sources, found) = problems("<stdin>", b"isp \"x\" {".to_vec());
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].code.name(), "syntax");
        assert_eq!(sources.get(found[0].primary.span.file).name(), "<stdin>");
        let (_, found) = problems("<stdin>", b"isp \"\xff\"".to_vec());
        assert_eq!(found[0].code.name(), "syntax");
        assert!(problems("ok.kdl", b"isp \"x\"".to_vec()).1.is_empty());
    }
}
