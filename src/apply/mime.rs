//! A message's MIME tree as byte ranges of its text, read from `mail-parser`'s
//! parse: every part's header fields, its body, its content type and its
//! transfer encoding, so the rewrite splices bytes and copies the rest.

use std::ops::Range;

use mail_parser::{HeaderName, Message, MessagePart, PartType};

use super::ApplyError;

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

/// The tree of a parsed message.
pub fn tree(message: &Message<'_>, len: usize) -> Result<Node, ApplyError> {
    let parts = &message.parts;
    build(parts, 0, Vec::new(), false, len)
}

fn build(
    parts: &[MessagePart<'_>],
    id: usize,
    path: Vec<usize>,
    in_digest: bool,
    len: usize,
) -> Result<Node, ApplyError> {
    if path.len() > MAX_DEPTH {
        return Err(ApplyError::TooDeep { limit: MAX_DEPTH });
    }
    let part = parts.get(id).ok_or(ApplyError::Parse)?;
    let span = |a: u32, b: u32| -> Result<Range<usize>, ApplyError> {
        let (a, b) = (a as usize, b as usize);
        if a <= b && b <= len {
            Ok(a..b)
        } else {
            Err(ApplyError::Parse)
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
            let mut children = Vec::with_capacity(ids.len());
            for (n, &child) in ids.iter().enumerate() {
                children.push(build(
                    parts,
                    child as usize,
                    child_path(n + 1),
                    digest,
                    len,
                )?);
            }
            Body::Multipart {
                boundary: boundary.unwrap_or_default(),
                parts: children,
            }
        }
        PartType::Message(inner) if part.encoding == mail_parser::Encoding::None => {
            // Parsed in place: its offsets are the outer message's.
            Body::Message(Box::new(build(&inner.parts, 0, child_path(1), false, len)?))
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
        fields,
        header_end,
        body_range,
        content_type,
        cte,
        body,
    })
}
