//! A message's MIME tree as byte ranges of its text, read from `mail-parser`'s
//! parse: every part's header fields, its body, its content type and its
//! transfer encoding, so the rewrite splices bytes and copies the rest.

use std::ops::Range;

use mail_parser::{HeaderName, Message, MessageParser, MessagePart, PartType};

use super::ApplyError;
use crate::semantics::encoding::Part;

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

    /// Which of the record's encodings is for it: `html` for `text/html`,
    /// `text` for `text/plain`, `global` for every other part.
    pub fn applies(&self) -> Part {
        match self.content_type.as_str() {
            "text/html" => Part::Html,
            "text/plain" => Part::Text,
            _ => Part::Global,
        }
    }

    /// Whether the part is text (`text/*`): line breaks are part of its meaning.
    pub fn is_text(&self) -> bool {
        self.content_type.starts_with("text/")
    }
}

/// The shape of a tree: each part's path and what it holds, in order.
pub fn outline(root: &Node) -> Vec<(&[usize], std::mem::Discriminant<Body>)> {
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        match &node.body {
            Body::Multipart { parts, .. } => stack.extend(parts.iter().rev()),
            Body::Message(inner) => stack.push(inner),
            Body::Leaf | Body::Opaque(_) => {}
        }
        out.push((node.path.as_slice(), std::mem::discriminant(&node.body)));
    }
    out
}

/// The tree of a message; bytes without a header field are not a message.
pub fn parse(message: &[u8]) -> Result<Node, ApplyError> {
    // The parser is not ours: a panic in it (it has debug assertions on
    // malformed structures) is a message it cannot parse, not a crash.
    let parsed = std::panic::catch_unwind(|| MessageParser::default().parse(message))
        .map_err(|_| ApplyError::Parse)?
        .ok_or(ApplyError::Parse)?;
    let mut root = tree(&parsed, message)?;
    if root.fields.is_empty() {
        return Err(ApplyError::Parse);
    }
    verify(message, &mut root)?;
    Ok(root)
}

/// Checks the parser's tree against the bytes as RFC 5322 and RFC 2046 read
/// them: every header block is fields then an empty line, every multipart's
/// parts are exactly what its delimiter lines delimit, every message starts
/// where its part's body does. The parser is more lenient than the RFCs
/// (boundaries as prefixes, delimiters inside lines, header lines without a
/// colon); where the two readings differ, a part inside the message is left as
/// it is, and the message itself is refused rather than rewritten from a wrong
/// structure.
fn verify(raw: &[u8], node: &mut Node) -> Result<(), ApplyError> {
    // A header cut inside its last line reads differently once a field follows.
    if node
        .fields
        .last()
        .is_some_and(|f| !raw[f.range.clone()].ends_with(b"\n"))
    {
        return Err(ApplyError::Truncated);
    }
    let failure = match header_reads_plainly(raw, node) {
        Err(reason) => Some(reason),
        Ok(()) => match &mut node.body {
            Body::Multipart { boundary, parts } => {
                match layout_matches(raw, node.body_range.clone(), boundary, parts) {
                    Err(reason) => Some(reason),
                    Ok(()) => {
                        for part in parts.iter_mut() {
                            verify(raw, part)?;
                        }
                        None
                    }
                }
            }
            Body::Message(inner) => {
                // It ends inside the part (`build` checked); what follows it
                // there (an epilogue) is copied as it is.
                if inner.start == node.body_range.start {
                    verify(raw, inner)?;
                    None
                } else {
                    Some("the message in it does not start at the part's body")
                }
            }
            Body::Leaf | Body::Opaque(_) => None,
        },
    };
    match failure {
        Some(reason) if node.path.is_empty() => Err(structure(reason)),
        Some(reason) => {
            node.body = Body::Opaque(reason);
            Ok(())
        }
        None => Ok(()),
    }
}

/// Whether a part's header block reads the same to any parser (RFC 5322
/// section 2.2): fields one after another from the part's start (after an
/// mbox `From ` line at the very start of the message), each a name and a
/// colon with continuation lines that start with white space, then an empty
/// line before the body, or no body at all.
fn header_reads_plainly(raw: &[u8], node: &Node) -> Result<(), &'static str> {
    const NOT_A_FIELD: &str = "its header has a line that is neither a field nor a continuation";
    let mut at = node.start;
    if let Some(first) = node.fields.first()
        && node.start == 0
        && first.range.start > 0
    {
        let line = &raw[..first.range.start];
        if !(line.starts_with(b"From ") && line.iter().filter(|&&b| b == b'\n').count() == 1) {
            return Err(NOT_A_FIELD);
        }
        at = first.range.start;
    }
    for field in &node.fields {
        if field.range.start != at {
            return Err(NOT_A_FIELD);
        }
        let mut lines = raw[field.range.clone()].split_inclusive(|&b| b == b'\n');
        let first = lines.next().unwrap_or_default();
        let name_len = first
            .iter()
            .take_while(|&&b| b.is_ascii_graphic() && b != b':')
            .count();
        let after_name = first[name_len..].trim_ascii_start();
        if name_len == 0 || !after_name.starts_with(b":") {
            return Err(NOT_A_FIELD);
        }
        if lines.any(|line| !line.starts_with(b" ") && !line.starts_with(b"\t")) {
            return Err(NOT_A_FIELD);
        }
        at = field.range.end;
    }
    let Some(separator) = raw.get(at..node.body_range.start) else {
        return Err(NOT_A_FIELD);
    };
    let no_body = node.body_range.start == at && node.body_range.is_empty();
    if no_body || separator == b"\n" || separator == b"\r\n" {
        Ok(())
    } else if separator.is_empty() {
        Err("its header is not ended by an empty line")
    } else {
        Err(NOT_A_FIELD)
    }
}

/// Whether the parser's parts of a multipart are the parts its delimiter
/// lines delimit (RFC 2046 section 5.1.1): each starts after a delimiter line
/// and ends before the line break that comes before the next delimiter line,
/// the last one before the close delimiter, which must be there.
fn layout_matches(
    raw: &[u8],
    body: Range<usize>,
    boundary: &[u8],
    parts: &[Node],
) -> Result<(), &'static str> {
    if boundary.ends_with(b" ") {
        // RFC 2046 section 5.1.1 forbids it, and parsers differ on the space.
        return Err("a multipart's boundary ends with a space");
    }
    let delimited = delimited_parts(raw, body, boundary)?;
    if delimited.is_empty() {
        // RFC 2046 section 5.1.1: a multipart has at least one part.
        return Err("a multipart has no delimiter line, so no parts");
    }
    let same = parts.len() == delimited.len()
        && parts.iter().zip(&delimited).all(|(part, range)| {
            // An empty body after an empty line right before the next
            // delimiter: the parser gives the line break to the header.
            let shared = part.body_range.is_empty()
                && matches!(
                    raw.get(range.end..part.body_range.end),
                    Some(b"\n" | b"\r\n")
                );
            part.start == range.start && (part.body_range.end == range.end || shared)
        });
    if same {
        Ok(())
    } else {
        Err("a multipart's delimiter lines do not delimit the parts the parser found")
    }
}

/// The ranges of the parts a multipart's body delimits with `--boundary`
/// lines: a delimiter line is the boundary after two hyphens at the start of
/// a line, then (for the close delimiter) two more hyphens, then only white
/// space to the end of the line.
fn delimited_parts(
    raw: &[u8],
    body: Range<usize>,
    boundary: &[u8],
) -> Result<Vec<Range<usize>>, &'static str> {
    let mut parts = Vec::new();
    let mut open: Option<usize> = None;
    let mut at = body.start;
    while at < body.end {
        let line_end = raw[at..body.end]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(body.end, |i| at + i + 1);
        let line = &raw[at..line_end];
        let kind = line
            .strip_prefix(b"--")
            .and_then(|rest| rest.strip_prefix(boundary))
            .and_then(|rest| {
                let (close, rest) = match rest.strip_prefix(b"--") {
                    Some(rest) => (true, rest),
                    None => (false, rest),
                };
                rest.iter()
                    .all(|&b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
                    .then_some(close)
            });
        if let Some(close) = kind {
            if let Some(start) = open.take() {
                // The line break before a delimiter line is the delimiter's
                // (`at` is past the delimiter line that opened the part).
                let br = 1 + usize::from(at >= start + 2 && raw[at - 2] == b'\r');
                if at < start + br {
                    return Err("a delimiter line follows another without a line break between");
                }
                parts.push(start..at - br);
            }
            if close {
                return Ok(parts);
            }
            open = Some(line_end);
        }
        at = line_end;
    }
    if open.is_some() {
        // Where the last part ends (before or after the last line break) is
        // read differently by different parsers.
        return Err("a multipart has no close delimiter");
    }
    Ok(parts)
}

/// The tree of a parsed message.
fn tree(message: &Message<'_>, raw: &[u8]) -> Result<Node, ApplyError> {
    let mut seen = vec![false; message.parts.len()];
    let root = build(
        raw,
        &message.parts,
        &mut seen,
        0,
        Vec::new(),
        false,
        0..raw.len(),
    )?;
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

/// Marks the parts under `id` as placed: they are inside a part left as it is.
fn skip_parts_under(parts: &[MessagePart<'_>], seen: &mut [bool], id: usize) {
    let children = |id: usize| match parts.get(id).map(|p| &p.body) {
        Some(PartType::Multipart(ids)) => ids.iter().map(|&i| i as usize).collect(),
        _ => Vec::new(),
    };
    let mut stack = children(id);
    while let Some(id) = stack.pop() {
        match seen.get_mut(id) {
            Some(seen) if !*seen => *seen = true,
            _ => continue,
        }
        stack.extend(children(id));
    }
}

/// Whether a Content-Type field body is `type/subtype` then nothing or `;`
/// and parameters (RFC 2045 section 5.1), comments and white space aside.
fn content_type_reads(value: &[u8]) -> bool {
    let token = |s: &[u8]| {
        s.iter()
            .take_while(|&&b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?=".contains(&b))
            .count()
    };
    let rest = skip_blank(value);
    let n = token(rest);
    let Some(rest) = skip_blank(&rest[n..]).strip_prefix(b"/").filter(|_| n > 0) else {
        return false;
    };
    let rest = skip_blank(rest);
    let n = token(rest);
    let rest = skip_blank(&rest[n..]);
    n > 0 && (rest.is_empty() || rest.starts_with(b";"))
}

/// `s` after white space, line breaks and comments (not nested).
fn skip_blank(mut s: &[u8]) -> &[u8] {
    loop {
        s = s.trim_ascii_start();
        match s.strip_prefix(b"(") {
            Some(rest) => match rest.iter().position(|&b| b == b')') {
                Some(i) => s = &rest[i + 1..],
                None => return &[],
            },
            None => return s,
        }
    }
}

fn structure(reason: &'static str) -> ApplyError {
    ApplyError::Structure { reason }
}

/// The part `id` of `parts` and the parts under it, checked to be a tree laid
/// out inside `within` (each part once, parts in order inside their container):
/// the parser's structure is taken only when it describes the bytes.
fn build(
    raw: &[u8],
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
    // An mbox `From ` line at the start of a file is not a field (the parser
    // takes it for one): no rule removes it and nothing is added before it.
    if path.is_empty()
        && start == 0
        && fields
            .first()
            .is_some_and(|f| f.range.start == 0 && raw[f.range.clone()].starts_with(b"From "))
    {
        fields.remove(0);
    }
    let header_end = fields
        .last()
        .map_or(part.offset_header as usize, |f| f.range.end);
    let body_range = span(part.offset_body, part.offset_end.max(part.offset_body))?;
    let content_type_header = part
        .headers
        .iter()
        .find(|h| h.name == HeaderName::ContentType);
    // RFC 2045 section 5.2: a Content-Type that cannot be read means text/plain.
    let unreadable_type = content_type_header.is_some_and(|h| {
        let value = raw.get(h.offset_start as usize..h.offset_end as usize);
        !content_type_reads(value.unwrap_or_default())
    });
    let content_type = content_type_header.and_then(|h| h.value.as_content_type());
    let (content_type, boundary) = match content_type {
        _ if unreadable_type => ("text/plain".to_string(), None),
        Some(ct) if ct.subtype().is_none() => ("text/plain".to_string(), None),
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
    let is_message = matches!(part.body, PartType::Message(_));
    // Parsers differ on which of two fields counts: the part is not seen into.
    let twice = |name: HeaderName<'_>| part.headers.iter().filter(|h| h.name == name).count() > 1;
    let duplicated = twice(HeaderName::ContentType) || twice(HeaderName::ContentTransferEncoding);
    let body = match &part.body {
        _ if duplicated => {
            skip_parts_under(parts, seen, id);
            Body::Opaque("its header has two Content-Type or Content-Transfer-Encoding fields")
        }
        PartType::Multipart(_) | PartType::Message(_) if unreadable_type => {
            skip_parts_under(parts, seen, id);
            Body::Opaque("its Content-Type field cannot be read (RFC 2045 section 5.1)")
        }
        PartType::Multipart(ids) => {
            let digest = content_type == "multipart/digest";
            let mut children: Vec<Node> = Vec::with_capacity(ids.len());
            for (n, &child) in ids.iter().enumerate() {
                let from = children
                    .last()
                    .map_or(body_range.start, |c| c.body_range.end);
                children.push(build(
                    raw,
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
            // Parsed in place: its offsets are the outer message's. A message
            // the parser got wrong is left as it is (its part's place in the
            // outer message is checked against the outer delimiters).
            let mut inner_seen = vec![false; inner.parts.len()];
            let inner_root = build(
                raw,
                &inner.parts,
                &mut inner_seen,
                0,
                child_path(1),
                false,
                body_range.clone(),
            )
            .and_then(|root| every_part_placed(&inner_seen).map(|()| root));
            match inner_root {
                Ok(root) => Body::Message(Box::new(root)),
                Err(ApplyError::Structure { .. }) => {
                    Body::Opaque("the message in it could not be read consistently")
                }
                Err(e) => return Err(e),
            }
        }
        _ if content_type.starts_with("multipart/") && !is_message => {
            Body::Opaque("the multipart has no boundary that delimits its parts")
        }
        _ if content_type.starts_with("message/") && cte.is_identity() && !is_message => {
            Body::Opaque("the message in it could not be parsed")
        }
        // An encoded message is not decoded: as 8bit it would read as the
        // message it holds, a different part.
        _ if is_message || content_type.starts_with("message/") => {
            Body::Opaque("a message/* part must not be encoded (RFC 2045 section 6.4)")
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
