//! A message's MIME tree as byte ranges of its text, read from `mail-parser`'s
//! parse: every part's header fields, its body, its content type and its
//! transfer encoding, so the rewrite splices bytes and copies the rest.

use std::ops::Range;

use mail_parser::{HeaderName, Message, MessageParser, MessagePart, PartType};

use super::{ApplyError, transfer};

/// The deepest nesting of multiparts and messages taken: each level is a frame
/// of the rewrite's recursion, and real mail nests a few levels (a forward of a
/// forward of an alternative is five).
pub const MAX_DEPTH: usize = 100;

/// A header field: the whole field with its line break and continuation lines.
#[derive(Clone, Debug)]
pub struct Field {
    /// The field name, as written.
    pub name: String,
    /// The field, from its name to the end of its line break.
    pub range: Range<usize>,
    /// The field body.
    pub value: Range<usize>,
}

/// A part's Content-Transfer-Encoding, as its header says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cte {
    /// No header: 7bit.
    Absent,
    /// `7bit`
    SevenBit,
    /// `8bit`
    EightBit,
    /// `binary`
    Binary,
    /// `quoted-printable`
    QuotedPrintable,
    /// `base64`
    Base64,
    /// Anything else (`x-uuencode`, a typo), lowercased.
    Unknown(String),
}

impl Cte {
    fn parse(token: &str) -> Cte {
        let token = token.trim().to_ascii_lowercase();
        match token.as_str() {
            "7bit" => Cte::SevenBit,
            "8bit" => Cte::EightBit,
            "binary" => Cte::Binary,
            "quoted-printable" => Cte::QuotedPrintable,
            "base64" => Cte::Base64,
            _ => Cte::Unknown(token),
        }
    }

    /// As a report shows it (`7bit` when there is no header).
    pub fn as_str(&self) -> &str {
        match self {
            Cte::Absent | Cte::SevenBit => "7bit",
            Cte::EightBit => "8bit",
            Cte::Binary => "binary",
            Cte::QuotedPrintable => "quoted-printable",
            Cte::Base64 => "base64",
            Cte::Unknown(token) => token,
        }
    }

    /// Whether the body is the data itself (7bit, 8bit, binary).
    pub fn is_identity(&self) -> bool {
        matches!(
            self,
            Cte::Absent | Cte::SevenBit | Cte::EightBit | Cte::Binary
        )
    }
}

/// What a part holds.
#[derive(Debug)]
pub enum Body {
    /// A multipart with its delimiter and its parts.
    Multipart {
        /// The boundary parameter.
        boundary: Vec<u8>,
        /// The parts, in order.
        parts: Vec<Node>,
    },
    /// A `message/*` part (not encoded) and the message in it.
    Message(Box<Node>),
    /// A leaf: data with a transfer encoding.
    Leaf,
    /// A container the parser could not see into (a multipart without a usable
    /// boundary, an encoded or unparsable `message/*`): copied as it is.
    Opaque(&'static str),
}

/// A part of the message (the message itself is the root).
#[derive(Debug)]
pub struct Node {
    /// Its position: the indexes of its ancestors' parts, 1-based (the root's is
    /// empty).
    pub path: Vec<usize>,
    /// Where it starts (its first header field).
    pub start: usize,
    /// Its header fields, in order.
    pub fields: Vec<Field>,
    /// Where a new field goes: after the last field (or at the start of an empty
    /// header block).
    pub header_end: usize,
    /// Its body.
    pub body_range: Range<usize>,
    /// `type/subtype`, lowercased (the default when there is no Content-Type).
    pub content_type: String,
    /// Its transfer encoding.
    pub cte: Cte,
    /// What it holds.
    pub body: Body,
}

impl Node {
    /// The path as a report shows it: `1.2`, or `message` for the root.
    pub fn path_text(&self) -> String {
        if self.path.is_empty() {
            return "message".to_string();
        }
        let parts: Vec<String> = self.path.iter().map(usize::to_string).collect();
        parts.join(".")
    }

    /// Whether the part is text (`text/*`): line breaks are part of its meaning.
    pub fn is_text(&self) -> bool {
        self.content_type.starts_with("text/")
    }
}

/// The tree of a message; bytes without a header field are not a message.
pub fn parse(message: &[u8]) -> Result<Node, ApplyError> {
    // The parser is not ours: a panic in it (it has debug assertions on
    // malformed structures) is a message it cannot parse, not a crash.
    let parsed = std::panic::catch_unwind(|| MessageParser::default().parse(message))
        .map_err(|_| ApplyError::Parse)?
        .ok_or(ApplyError::Parse)?;
    let root = tree(&parsed, message.len())?;
    if root.fields.is_empty() {
        return Err(ApplyError::Parse);
    }
    delimited(message, &root, &mut Vec::new())?;
    Ok(root)
}

/// Whether the tree accounts for every delimiter line: each multipart has one
/// delimiter per part between its parts, and no part holds a delimiter of a
/// multipart around it (which would mean a part the parser did not see). The
/// parser finds delimiters more loosely than RFC 2046; a message on which the
/// two readings differ is refused rather than rewritten in part.
fn delimited(raw: &[u8], node: &Node, enclosing: &mut Vec<Vec<u8>>) -> Result<(), ApplyError> {
    // A header cut inside its last line reads differently once a field follows.
    if node
        .fields
        .last()
        .is_some_and(|f| !raw[f.range.clone()].ends_with(b"\n"))
    {
        return Err(ApplyError::Truncated);
    }
    match &node.body {
        Body::Multipart { boundary, parts } => {
            let mut at = node.body_range.start;
            let mut open = 0;
            for part in parts {
                open += delimiter_lines(&raw[at..part.start.max(at)], boundary);
                at = part.body_range.end.max(at);
            }
            open += delimiter_lines(&raw[at..node.body_range.end.max(at)], boundary);
            if open == 0 {
                // RFC 2046 section 5.1.1: a multipart has at least one part.
                return Err(structure("a multipart has no delimiter line, so no parts"));
            }
            if open != parts.len() {
                return Err(structure(
                    "a multipart's delimiter lines do not match the parts the parser found",
                ));
            }
            enclosing.push(boundary.clone());
            for part in parts {
                delimited(raw, part, enclosing)?;
            }
            enclosing.pop();
            Ok(())
        }
        Body::Message(inner) => delimited(raw, inner, enclosing),
        Body::Leaf | Body::Opaque(_) => {
            if transfer::has_boundary_line(&raw[node.body_range.clone()], enclosing) {
                Err(structure(
                    "a part holds a delimiter line of a multipart around it",
                ))
            } else {
                Ok(())
            }
        }
    }
}

/// How many lines of `data` are the delimiter `--boundary` (not the close
/// delimiter `--boundary--`).
fn delimiter_lines(data: &[u8], boundary: &[u8]) -> usize {
    data.split(|&b| b == b'\n')
        .filter(|line| {
            line.strip_prefix(b"--")
                .and_then(|rest| rest.strip_prefix(boundary))
                .is_some_and(|rest| !rest.starts_with(b"--"))
        })
        .count()
}

/// The tree of a parsed message.
fn tree(message: &Message<'_>, len: usize) -> Result<Node, ApplyError> {
    let mut seen = vec![false; message.parts.len()];
    let root = build(&message.parts, &mut seen, 0, Vec::new(), false, 0..len)?;
    every_part_placed(&seen)?;
    Ok(root)
}

/// Every part the parser found is in the tree (a part it filed under the wrong
/// message would otherwise go unseen).
fn every_part_placed(seen: &[bool]) -> Result<(), ApplyError> {
    if seen.iter().all(|&s| s) {
        Ok(())
    } else {
        Err(structure("a part the parser found is in no container"))
    }
}

fn structure(reason: &'static str) -> ApplyError {
    ApplyError::Structure { reason }
}

/// The part `id` of `parts` and the parts under it, checked to be a tree laid
/// out inside `within` (each part once, parts in order inside their container):
/// the parser's structure is taken only when it describes the bytes.
fn build(
    parts: &[MessagePart<'_>],
    seen: &mut [bool],
    id: usize,
    path: Vec<usize>,
    in_digest: bool,
    within: Range<usize>,
) -> Result<Node, ApplyError> {
    if path.len() > MAX_DEPTH {
        return Err(ApplyError::TooDeep { limit: MAX_DEPTH });
    }
    let part = parts
        .get(id)
        .ok_or(structure("a part refers to a part the parser did not find"))?;
    match seen.get_mut(id) {
        Some(seen) if !*seen => *seen = true,
        _ => return Err(structure("a part is in two places")),
    }
    let len = within.end;
    let start = part.offset_header as usize;
    let outside = structure("a part is outside its container or out of order");
    if start < within.start || start > within.end {
        return Err(outside);
    }
    let span = |a: u32, b: u32| -> Result<Range<usize>, ApplyError> {
        let (a, b) = (a as usize, b as usize);
        if start <= a && a <= b && b <= len {
            Ok(a..b)
        } else {
            Err(outside.clone())
        }
    };
    let mut fields = Vec::with_capacity(part.headers.len());
    for h in &part.headers {
        fields.push(Field {
            name: h.name.as_str().to_string(),
            range: span(h.offset_field, h.offset_end)?,
            value: span(h.offset_start, h.offset_end)?,
        });
    }
    let header_end = fields
        .last()
        .map_or(part.offset_header as usize, |f| f.range.end);
    let body_range = span(part.offset_body, part.offset_end.max(part.offset_body))?;
    let content_type = part
        .headers
        .iter()
        .find_map(|h| (h.name == HeaderName::ContentType).then(|| h.value.as_content_type())?);
    let (content_type, boundary) = match content_type {
        Some(ct) => (
            format!(
                "{}/{}",
                ct.ctype().to_ascii_lowercase(),
                ct.subtype().unwrap_or("").to_ascii_lowercase()
            ),
            ct.attribute("boundary").map(|b| b.as_bytes().to_vec()),
        ),
        None if in_digest => ("message/rfc822".to_string(), None),
        None => ("text/plain".to_string(), None),
    };
    let cte = part
        .headers
        .iter()
        .find(|h| h.name == HeaderName::ContentTransferEncoding)
        .map_or(Cte::Absent, |h| {
            Cte::parse(h.value.as_text().unwrap_or_default())
        });
    let child_path = |n: usize| {
        let mut p = path.clone();
        p.push(n);
        p
    };
    let body = match &part.body {
        PartType::Multipart(ids) => {
            let digest = content_type == "multipart/digest";
            let mut children: Vec<Node> = Vec::with_capacity(ids.len());
            for (n, &child) in ids.iter().enumerate() {
                let from = children
                    .last()
                    .map_or(body_range.start, |c| c.body_range.end);
                children.push(build(
                    parts,
                    seen,
                    child as usize,
                    child_path(n + 1),
                    digest,
                    from..body_range.end,
                )?);
            }
            Body::Multipart {
                boundary: boundary.unwrap_or_default(),
                parts: children,
            }
        }
        PartType::Message(inner) if part.encoding == mail_parser::Encoding::None => {
            // Parsed in place: its offsets are the outer message's.
            let mut inner_seen = vec![false; inner.parts.len()];
            let inner_root = build(
                &inner.parts,
                &mut inner_seen,
                0,
                child_path(1),
                false,
                body_range.clone(),
            )?;
            every_part_placed(&inner_seen)?;
            Body::Message(Box::new(inner_root))
        }
        PartType::Message(_) => {
            Body::Opaque("a message/* part must not be encoded (RFC 2045 section 6.4)")
        }
        _ if content_type.starts_with("multipart/") => {
            Body::Opaque("the multipart has no boundary that delimits its parts")
        }
        _ if content_type.starts_with("message/") && cte.is_identity() => {
            Body::Opaque("the message in it could not be parsed")
        }
        _ => Body::Leaf,
    };
    Ok(Node {
        path,
        start,
        fields,
        header_end,
        body_range,
        content_type,
        cte,
        body,
    })
}
