//! A record applied to a message: the reference implementation of what a
//! record's encodings and header rules mean (feature `apply`).
//!
//! [`apply`] takes a message's bytes and a record's [`Shape`] and returns the
//! message an MTA following the record would send, with a [`Report`] of what
//! changed:
//!
//! - **Headers**: every `remove` first (the field name matched ignoring case,
//!   every occurrence), then the `add`s in order at the end of the header block,
//!   folded at white space to lines of 78 characters where the value allows and
//!   never past 998; non-ASCII words become RFC 2047 encoded-words unless
//!   [`Options::smtputf8`] says the peer takes UTF-8 (RFC 6532).
//! - **Encodings**: each leaf `text/html` part gets the record's `html`
//!   encoding, each leaf `text/plain` part its `text` encoding, every other leaf
//!   its `global` encoding. Multipart and `message/*` parts keep their identity
//!   encoding (RFC 2045 section 6.4); one labelled `7bit` over a part that is now
//!   8bit is labelled `8bit`. `8bit` is written only where the data is valid 8bit
//!   (RFC 2045 section 2.8: no NUL, lines of at most 998 octets, CR and LF only as
//!   the message's line break); elsewhere the part falls back to
//!   quoted-printable (text) or base64 (anything else) and the report says so.
//!   Decoding an output part gives exactly the bytes decoding the input part
//!   gave.
//! - **Byte-exact where nothing changes**: a part whose encoding stays is copied
//!   as it is, and so is every header field no rule names; a part that cannot be
//!   changed (an unknown encoding, a body that does not decode) is copied and
//!   reported. A `DKIM-Signature` that covers a changed header or the body is
//!   reported as no longer verifying: an MTA signs after applying.
//!
//! A message whose lines end in LF alone (a file on Unix) is taken as written
//! with LF line breaks: what isptab writes into it uses LF too, and 8bit there
//! means LF line breaks and no CR.
//!
//! ```
//! use isptab::apply::{Options, Shape, apply};
//! use isptab::semantics::encoding::{Effective, Encoding};
//! use isptab::semantics::header::HeaderOp;
//!
//! let shape = Shape {
//!     encodings: Effective::new(Encoding::Base64, Encoding::QuotedPrintable, Encoding::EightBit),
//!     headers: vec![
//!         HeaderOp::Remove { name: "x-mailer".into() },
//!         HeaderOp::Add { name: "X-Campaign".into(), value: "spring".into() },
//!     ],
//! };
//! let message = b"From: a@example.com\r\nX-Mailer: old\r\nSubject: hi\r\n\r\nHello\r\n";
//! let applied = apply(message, &shape, &Options::default())?;
//! assert_eq!(
//!     applied.message,
//!     b"From: a@example.com\r\nSubject: hi\r\nX-Campaign: spring\r\n\r\nHello\r\n"
//! );
//! // The text part was valid 7bit, which 8bit data may be: it is kept.
//! assert_eq!(applied.report.parts[0].action, isptab::apply::Action::Kept);
//! # Ok::<(), isptab::apply::ApplyError>(())
//! ```

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;

use serde::Serialize;

use crate::semantics::encoding::{Effective, Encoding, Part};
use crate::semantics::header::{self, HeaderOp};
use crate::semantics::model::Record;
use crate::table::RecordRef;

mod dkim;
mod fold;
mod mime;
pub mod transfer;

use mime::{Body, Cte, Node};
use transfer::{Delimiters, LineBreak, NotPlain, Plain};

pub use dkim::Signature;
pub use mime::MAX_DEPTH;

/// What a record does to a message: its encodings in effect and its header rules
/// in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Shape {
    /// The encodings of the global, html and text parts.
    pub encodings: Effective,
    /// The header rules: every remove is applied, then the adds in order.
    pub headers: Vec<HeaderOp>,
}

impl Shape {
    /// The shape of a model's record.
    pub fn of_record(record: &Record) -> Shape {
        Shape {
            encodings: record.encodings,
            headers: record.headers.clone(),
        }
    }

    /// The shape of a table's record.
    pub fn of_table_record(record: RecordRef<'_>) -> Shape {
        Shape {
            encodings: record.encodings(),
            headers: record.header_rules().map(|r| r.to_header_op()).collect(),
        }
    }
}

/// How to apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// The peer takes UTF-8 in headers (SMTPUTF8, RFC 6531/6532): added values
    /// stay as they are instead of becoming encoded-words.
    pub smtputf8: bool,
    /// The largest message taken, in bytes (at most `u32::MAX`). Memory is linear
    /// in the message: a few copies of it at most.
    pub max_size: usize,
}

/// The default [`Options::max_size`]: 128 MiB.
pub const DEFAULT_MAX_SIZE: usize = 128 << 20;

impl Default for Options {
    fn default() -> Options {
        Options {
            smtputf8: false,
            max_size: DEFAULT_MAX_SIZE,
        }
    }
}

/// Why a message could not be rewritten. Nothing is written then.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApplyError {
    /// The message is larger than [`Options::max_size`].
    TooLarge {
        /// Its size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The bytes have no header block to parse as a message.
    Parse,
    /// The message ends inside a header line (the last field has no line
    /// break), so a field cannot be added after it without changing how it
    /// reads.
    Truncated,
    /// The parser's view of the MIME structure does not describe the bytes
    /// (parts out of their container or out of order, a part in two places, a
    /// multipart whose delimiter lines do not match its parts): mail-parser
    /// 0.11 gets some nestings of `message/rfc822` in `message/rfc822` and
    /// multiparts without parts wrong, and such a message is refused rather
    /// than rewritten from a wrong structure.
    Structure {
        /// What did not match, as the error shows it.
        reason: &'static str,
    },
    /// Multiparts or messages nested deeper than [`MAX_DEPTH`].
    TooDeep {
        /// The limit.
        limit: usize,
    },
}

impl fmt::Display for ApplyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApplyError::TooLarge { size, limit } => write!(
                f,
                "the message is {size} bytes, more than the limit of {limit} bytes"
            ),
            ApplyError::Parse => {
                f.write_str("the input is not a message: it does not start with a header block")
            }
            ApplyError::Truncated => f.write_str(
                "the message ends inside its header: the last header line has no line break",
            ),
            ApplyError::Structure { reason } => write!(
                f,
                "the message's MIME structure could not be read consistently ({reason}), so it is not rewritten"
            ),
            ApplyError::TooDeep { limit } => write!(
                f,
                "the message nests multiparts or messages more than {limit} deep"
            ),
        }
    }
}

impl std::error::Error for ApplyError {}

/// The rewritten message and what changed.
#[derive(Clone, Debug)]
pub struct Applied {
    /// The message to send.
    pub message: Vec<u8>,
    /// What was done.
    pub report: Report,
}

/// What applying a record did (`schema/apply.schema.json` is its JSON).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Whether any byte changed.
    pub changed: bool,
    /// `crlf` or `lf`: the line break the message was taken to use.
    pub line_break: &'static str,
    /// Header fields removed: each name a rule removed, with how many fields.
    pub removed: Vec<Removed>,
    /// Header fields added to the message's header, in order: what the encodings
    /// needed (`Content-Transfer-Encoding` where there was none, `MIME-Version`),
    /// then the rules' adds.
    pub added: Vec<String>,
    /// Rules that were not applied (a value that cannot be written), with why.
    pub skipped: Vec<Skipped>,
    /// Every leaf part (and part copied because it could not be seen into), in
    /// order.
    pub parts: Vec<PartReport>,
    /// Every DKIM signature of the message and whether it still verifies.
    pub dkim: Vec<Signature>,
}

/// Fields removed by a rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Removed {
    /// The rule's field name.
    pub name: String,
    /// How many fields it removed (0: there was none).
    pub count: usize,
}

/// A rule not applied.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// The field name.
    pub name: String,
    /// Why.
    pub reason: String,
}

/// What happened to one part.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PartReport {
    /// Its position: `message` for the message itself, `1.2` for the second part
    /// of the first part.
    pub path: String,
    /// Its content type, `type/subtype`.
    pub content_type: String,
    /// Which encoding of the record applies: `global`, `html` or `text`.
    pub applies: &'static str,
    /// The encoding the record asks for.
    pub wanted: &'static str,
    /// Its transfer encoding before (`7bit` when it had none).
    pub before: String,
    /// And after.
    pub after: String,
    /// What was done.
    pub action: Action,
    /// Why, for a fallback or a part left as it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// What was done to a part.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Its encoding already was the record's (or 7bit where 8bit was asked):
    /// copied as it is.
    Kept,
    /// Re-encoded to the record's encoding.
    Reencoded,
    /// The body copied, its label changed (to `8bit`, from `binary` or from a
    /// `7bit` that was not).
    Relabelled,
    /// 8bit was asked but is not valid for the data: quoted-printable or base64
    /// instead (re-encoded, or kept when it already was).
    Fallback,
    /// Could not be changed (an unknown encoding, a body that does not decode, a
    /// part that could not be seen into): copied as it is.
    Left,
}

/// A leaf part as [`apply`] sees it: for tests and tools that check a rewrite
/// (decoding an output part gives exactly the bytes decoding the input part gave).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Leaf {
    /// Its position, as in [`PartReport::path`].
    pub path: String,
    /// Its content type, `type/subtype`.
    pub content_type: String,
    /// Its transfer encoding (`7bit` when it has none).
    pub transfer_encoding: String,
    /// Its data, decoded; `None` when its encoding is unknown or its body does
    /// not decode (or it could not be seen into).
    pub data: Option<Vec<u8>>,
}

/// The leaf parts of a message, in order, with their decoded data.
pub fn leaves(message: &[u8]) -> Result<Vec<Leaf>, ApplyError> {
    let root = mime::parse(message)?;
    let mut out = Vec::new();
    let mut stack = vec![&root];
    while let Some(node) = stack.pop() {
        match &node.body {
            Body::Multipart { parts, .. } if node.cte.is_identity() => {
                stack.extend(parts.iter().rev());
            }
            Body::Message(inner) if node.cte.is_identity() => stack.push(inner),
            body => {
                let raw = &message[node.body_range.clone()];
                let data = match (&node.cte, body) {
                    (_, Body::Opaque(_)) | (Cte::Unknown(_), _) => None,
                    (Cte::QuotedPrintable, Body::Leaf) => {
                        transfer::decode_quoted_printable(raw).ok()
                    }
                    (Cte::Base64, Body::Leaf) => transfer::decode_base64(raw).ok(),
                    (_, Body::Leaf) => Some(raw.to_vec()),
                    _ => None,
                };
                out.push(Leaf {
                    path: node.path_text(),
                    content_type: node.content_type.clone(),
                    transfer_encoding: node.cte.as_str().to_string(),
                    data,
                });
            }
        }
    }
    Ok(out)
}

/// Applies a record's shape to a message. See the [module](self) documentation.
pub fn apply(message: &[u8], shape: &Shape, options: &Options) -> Result<Applied, ApplyError> {
    let limit = options.max_size.min(u32::MAX as usize);
    if message.len() > limit {
        return Err(ApplyError::TooLarge {
            size: message.len(),
            limit,
        });
    }
    let root = mime::parse(message)?;
    let br = match root.fields.first() {
        Some(f) if !message[f.range.clone()].ends_with(b"\r\n") => LineBreak::Lf,
        _ => LineBreak::CrLf,
    };
    let mut rewrite = Rewrite {
        raw: message,
        br,
        encodings: shape.encodings,
        edits: Vec::new(),
        report: Report {
            line_break: match br {
                LineBreak::CrLf => "crlf",
                LineBreak::Lf => "lf",
            },
            ..Report::default()
        },
        delimiters: Delimiters::default(),
    };
    let outcome = rewrite.node(&root)?;
    let header = rewrite.root_header(&root, outcome, shape, options);
    // Every edit so far is in the body; one that writes other bytes changes it
    // (a 7bit part re-encoded as quoted-printable may read the same).
    let body_changed = rewrite
        .edits
        .iter()
        .any(|e| message.get(e.range.clone()) != Some(&e.bytes[..]));
    rewrite.report.dkim = dkim::effects(message, &root, &header, body_changed);
    rewrite.edits.extend(header.edits(&root));
    let Rewrite {
        edits, mut report, ..
    } = rewrite;
    let rewritten = splice(message, edits)?;
    // A field removed and added again as it was gives the same bytes back.
    report.changed = rewritten != message;
    if report.changed {
        reads_as_meant(&root, &rewritten, &report)?;
    } else {
        for signature in &mut report.dkim {
            signature.verifies = true;
            signature.reasons.clear();
        }
    }
    Ok(Applied {
        message: rewritten,
        report,
    })
}

/// Whether the rewrite reads as the message it was meant to be: the same parts
/// in the same places and the header fields the report lists. The parser reads
/// some fields differently once a field follows them, so this is checked on the
/// bytes written, not assumed.
fn reads_as_meant(root: &Node, rewritten: &[u8], report: &Report) -> Result<(), ApplyError> {
    let differently = ApplyError::Structure {
        reason: "the rewritten message would read differently from what was written",
    };
    let reread = mime::parse(rewritten).map_err(|_| differently.clone())?;
    let removed: usize = report.removed.iter().map(|r| r.count).sum();
    let fields = (root.fields.len() + report.added.len()).checked_sub(removed);
    if fields != Some(reread.fields.len()) || mime::outline(root) != mime::outline(&reread) {
        return Err(differently);
    }
    Ok(())
}

/// Bytes to put in place of a range of the input (an empty range inserts).
struct Edit {
    range: Range<usize>,
    /// Header edits before a body edit at the same place.
    order: u8,
    bytes: Vec<u8>,
}

/// The input with the edits made; edits never overlap.
fn splice(raw: &[u8], mut edits: Vec<Edit>) -> Result<Vec<u8>, ApplyError> {
    edits.sort_by_key(|e| (e.range.start, e.order));
    let grown: usize = edits.iter().map(|e| e.bytes.len()).sum();
    let mut out = Vec::with_capacity(raw.len() + grown);
    let mut at = 0;
    for edit in edits {
        // Ranges come from the parse, nested as the parts are; an overlap would
        // be a bug, never a reason to write a broken message.
        let kept = raw.get(at..edit.range.start).ok_or(ApplyError::Parse)?;
        out.extend_from_slice(kept);
        out.extend_from_slice(&edit.bytes);
        at = edit.range.end;
    }
    out.extend_from_slice(raw.get(at..).ok_or(ApplyError::Parse)?);
    Ok(out)
}

/// What a part's rewrite asks of its container.
#[derive(Clone, Copy, Debug, Default)]
struct Outcome {
    /// The label the part's Content-Transfer-Encoding field must get.
    label: Option<&'static str>,
    /// The part now holds 8bit data it did not hold as 8bit before.
    introduced_8bit: bool,
}

struct Rewrite<'a> {
    raw: &'a [u8],
    br: LineBreak,
    encodings: Effective,
    edits: Vec<Edit>,
    report: Report,
    /// The delimiters of the multiparts around the current part.
    delimiters: Delimiters,
}

impl Rewrite<'_> {
    fn node(&mut self, node: &Node) -> Result<Outcome, ApplyError> {
        match &node.body {
            Body::Leaf => Ok(self.leaf(node)),
            Body::Opaque(reason) => {
                self.left(node, node.applies(), reason.to_string());
                Ok(Outcome::default())
            }
            _ if !node.cte.is_identity() => {
                self.left(
                    node,
                    Part::Global,
                    format!(
                        "a {} part must not be encoded (RFC 2045 section 6.4)",
                        node.content_type
                    ),
                );
                Ok(Outcome::default())
            }
            Body::Multipart { boundary, parts } => {
                self.delimiters.push(boundary);
                let mut introduced = false;
                for part in parts {
                    introduced |= self.child(part)?;
                }
                self.delimiters.pop();
                Ok(self.container(node, introduced))
            }
            // The message is still inside the multiparts around it: their
            // delimiters stay in force.
            Body::Message(inner) => {
                let introduced = self.child(inner)?;
                Ok(self.container(node, introduced))
            }
        }
    }

    /// Rewrites a part inside the message and its Content-Transfer-Encoding
    /// field; whether it introduced 8bit data.
    fn child(&mut self, node: &Node) -> Result<bool, ApplyError> {
        let outcome = self.node(node)?;
        if let Some(label) = outcome.label {
            let mut plan = HeaderPlan::new(node);
            plan.set_encoding(node, label, self.br);
            self.edits.extend(plan.edits(node));
        }
        Ok(outcome.introduced_8bit)
    }

    /// A container over parts that now hold 8bit data is labelled 8bit when its
    /// label said 7bit.
    fn container(&self, node: &Node, introduced: bool) -> Outcome {
        let label = (introduced && matches!(node.cte, Cte::Absent | Cte::SevenBit))
            .then_some(Encoding::EightBit.as_str());
        Outcome {
            label,
            introduced_8bit: introduced,
        }
    }

    fn left(&mut self, node: &Node, applies: Part, reason: String) {
        self.report.parts.push(PartReport {
            path: node.path_text(),
            content_type: node.content_type.clone(),
            applies: applies.as_str(),
            wanted: self.encodings.get(applies).as_str(),
            before: node.cte.as_str().to_string(),
            after: node.cte.as_str().to_string(),
            action: Action::Left,
            reason: Some(reason),
        });
    }

    fn leaf(&mut self, node: &Node) -> Outcome {
        let applies = node.applies();
        let wanted = self.encodings.get(applies);
        let body = &self.raw[node.body_range.clone()];
        let data = match &node.cte {
            Cte::Unknown(token) => {
                let reason = format!("its transfer encoding `{token}` is not one isptab knows");
                self.left(node, applies, reason);
                return Outcome::default();
            }
            Cte::QuotedPrintable => transfer::decode_quoted_printable(body).map(Cow::Owned),
            Cte::Base64 => transfer::decode_base64(body).map(Cow::Owned),
            _ => Ok(Cow::Borrowed(body)),
        };
        let data = match data {
            Ok(data) => data,
            Err(why) => {
                self.left(node, applies, why.reason().to_string());
                return Outcome::default();
            }
        };
        let decision = self.decide(node, wanted, &data);
        let mut outcome = Outcome::default();
        let label = decision.encoding.map(Encoding::as_str);
        match decision.action {
            Action::Kept | Action::Left => {}
            Action::Relabelled => outcome.label = label,
            Action::Reencoded | Action::Fallback if decision.same_encoding => {}
            Action::Reencoded | Action::Fallback => {
                let mut bytes = match decision.encoding {
                    Some(Encoding::QuotedPrintable) => {
                        transfer::encode_quoted_printable(&data, node.is_text(), self.br)
                    }
                    Some(Encoding::Base64) => transfer::encode_base64(&data, self.br),
                    Some(Encoding::EightBit) | None => data.to_vec(),
                };
                // The body of a message ends at the end of the input: a line break
                // there stays (a multipart's part ends before its delimiter's).
                if node.path.is_empty()
                    && decision.encoding == Some(Encoding::Base64)
                    && body.ends_with(b"\n")
                {
                    bytes.extend_from_slice(self.br.bytes());
                }
                self.edits.push(Edit {
                    range: node.body_range.clone(),
                    order: 1,
                    bytes,
                });
                outcome.label = label;
            }
        }
        outcome.introduced_8bit = decision.encoding == Some(Encoding::EightBit)
            && decision.high
            && node.cte != Cte::EightBit;
        self.report.parts.push(PartReport {
            path: node.path_text(),
            content_type: node.content_type.clone(),
            applies: applies.as_str(),
            wanted: wanted.as_str(),
            before: node.cte.as_str().to_string(),
            after: label.unwrap_or(node.cte.as_str()).to_string(),
            action: decision.action,
            reason: decision.reason,
        });
        outcome
    }

    /// What to do with a leaf's decoded data.
    fn decide(&self, node: &Node, wanted: Encoding, data: &[u8]) -> Decision {
        let current = match node.cte {
            Cte::QuotedPrintable => Some(Encoding::QuotedPrintable),
            Cte::Base64 => Some(Encoding::Base64),
            _ => None,
        };
        let encode_as = |encoding: Encoding, action: Action, reason: Option<String>| Decision {
            action: if current == Some(encoding) && action == Action::Reencoded {
                Action::Kept
            } else {
                action
            },
            encoding: Some(encoding),
            same_encoding: current == Some(encoding),
            high: false,
            reason,
        };
        if wanted != Encoding::EightBit {
            return encode_as(wanted, Action::Reencoded, None);
        }
        let plain = transfer::plain(data, self.br).and_then(|p| {
            // Decoded data can hold what an identity body cannot: a delimiter.
            if current.is_some() && self.delimiters.found_in(data) {
                Err(NotPlain::Delimiter)
            } else {
                Ok(p)
            }
        });
        match plain {
            Ok(plain) => {
                let high = plain == Plain::EightBit;
                let action = match (&node.cte, plain) {
                    (Cte::EightBit, _) | (Cte::Absent | Cte::SevenBit, Plain::SevenBit) => {
                        Action::Kept
                    }
                    (Cte::Absent | Cte::SevenBit | Cte::Binary, _) => Action::Relabelled,
                    _ => Action::Reencoded,
                };
                Decision {
                    action,
                    encoding: match action {
                        Action::Kept => None,
                        _ => Some(Encoding::EightBit),
                    },
                    same_encoding: false,
                    high,
                    reason: None,
                }
            }
            Err(why) => {
                let fallback = if node.is_text() {
                    Encoding::QuotedPrintable
                } else {
                    Encoding::Base64
                };
                let reason = format!("8bit is not valid here: {}", why.reason());
                encode_as(fallback, Action::Fallback, Some(reason))
            }
        }
    }

    /// The message's own header: its Content-Transfer-Encoding (and
    /// MIME-Version) when the encodings need it, then the record's rules.
    fn root_header(
        &mut self,
        root: &Node,
        outcome: Outcome,
        shape: &Shape,
        options: &Options,
    ) -> HeaderPlan {
        let br = self.br;
        let mut plan = HeaderPlan::new(root);
        if let Some(label) = outcome.label {
            plan.set_encoding(root, label, br);
            if !root
                .fields
                .iter()
                .any(|f| f.name.eq_ignore_ascii_case("MIME-Version"))
            {
                plan.append(
                    "MIME-Version",
                    fold::field("MIME-Version", "1.0", false, br),
                );
            }
        }
        for op in &shape.headers {
            if let HeaderOp::Remove { name } = op {
                let count = plan.remove(root, name);
                self.report.removed.push(Removed {
                    name: name.clone(),
                    count,
                });
            }
        }
        for op in &shape.headers {
            if let HeaderOp::Add { name, value } = op {
                if !header::is_writable(op) {
                    self.report.skipped.push(Skipped {
                        name: name.clone(),
                        reason: "the field cannot be written: a bad name, a control character or a line longer than 998 octets".to_string(),
                    });
                    continue;
                }
                plan.append(name, fold::field(name, value, options.smtputf8, br));
            }
        }
        self.report.added = plan.appended.iter().map(|(n, _)| n.clone()).collect();
        plan
    }
}

/// How a leaf is written.
struct Decision {
    action: Action,
    /// The encoding written (`None`: the body and label stay).
    encoding: Option<Encoding>,
    /// The body already is in `encoding`: copied.
    same_encoding: bool,
    /// The data holds bytes above 127.
    high: bool,
    reason: Option<String>,
}

/// Changes to one part's header fields.
pub(crate) struct HeaderPlan {
    /// Per field: `None` untouched, `Some(None)` removed, `Some(Some(b))`
    /// replaced by `b`.
    fields: Vec<Option<Option<Vec<u8>>>>,
    /// New fields at the end, with their names.
    appended: Vec<(String, Vec<u8>)>,
}

impl HeaderPlan {
    fn new(node: &Node) -> HeaderPlan {
        HeaderPlan {
            fields: vec![None; node.fields.len()],
            appended: Vec::new(),
        }
    }

    /// The first Content-Transfer-Encoding field says `label`, the others go;
    /// with none, one is added.
    fn set_encoding(&mut self, node: &Node, label: &str, br: LineBreak) {
        const NAME: &str = "Content-Transfer-Encoding";
        let mut first = true;
        for (i, f) in node.fields.iter().enumerate() {
            if f.name.eq_ignore_ascii_case(NAME) {
                let bytes = first.then(|| fold::field(&f.name, label, false, br));
                self.fields[i] = Some(bytes);
                first = false;
            }
        }
        if first {
            self.append(NAME, fold::field(NAME, label, false, br));
        }
    }

    fn append(&mut self, name: &str, bytes: Vec<u8>) {
        self.appended.push((name.to_string(), bytes));
    }

    /// Removes every field named `name` (ignoring case), those already there and
    /// those added so far; how many there were.
    fn remove(&mut self, node: &Node, name: &str) -> usize {
        let mut count = 0;
        for (i, f) in node.fields.iter().enumerate() {
            if f.name.eq_ignore_ascii_case(name) && !matches!(self.fields[i], Some(None)) {
                self.fields[i] = Some(None);
                count += 1;
            }
        }
        let before = self.appended.len();
        self.appended.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        count + before - self.appended.len()
    }

    /// Whether the field at `i` is removed or replaced.
    fn touched(&self, i: usize) -> bool {
        self.fields.get(i).is_some_and(Option::is_some)
    }

    /// The edits of the plan. A new field goes after the last one, which ends in
    /// a line break (`mime::parse` refuses a header cut inside its last line).
    fn edits(&self, node: &Node) -> Vec<Edit> {
        let mut edits = Vec::new();
        for (f, change) in node.fields.iter().zip(&self.fields) {
            if let Some(bytes) = change {
                edits.push(Edit {
                    range: f.range.clone(),
                    order: 0,
                    bytes: bytes.clone().unwrap_or_default(),
                });
            }
        }
        if !self.appended.is_empty() {
            let at = node.header_end;
            let mut bytes = Vec::new();
            for (_, field) in &self.appended {
                bytes.extend_from_slice(field);
            }
            edits.push(Edit {
                range: at..at,
                order: 0,
                bytes,
            });
        }
        edits
    }
}
