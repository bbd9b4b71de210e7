//! The merged configuration: records with their patterns, encodings and header
//! rules, each remembering the span it came from so every conflict can label both
//! sides.

mod domains_file;
pub mod language;
mod load;
mod merge;
pub mod record_name;

pub(crate) use load::load;
pub use load::{DEFAULTS_NAME, DefaultsSource, Input, InputError};

use std::fmt;

use crate::domain::Pattern;
use crate::source::Span;

/// Where a record was first defined.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Origin {
    /// In the defaults layer (built in, or `--defaults FILE`). Cannot be deleted.
    Default,
    /// In the operator's files.
    Custom,
}

/// Identifies a record in a [`Config`] (its position in definition order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RecordId(pub u32);

/// Identifies one pattern: its record and its position among the record's patterns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PatternRef {
    /// The record.
    pub record: RecordId,
    /// The position in [`Record::patterns`].
    pub index: u32,
}

/// A MIME content-transfer-encoding (RFC 2045).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// `quoted-printable`
    QuotedPrintable,
    /// `base64`
    Base64,
    /// `8bit`
    EightBit,
}

impl Encoding {
    /// Every encoding, in the order they are documented.
    pub const ALL: [Encoding; 3] = [
        Encoding::QuotedPrintable,
        Encoding::Base64,
        Encoding::EightBit,
    ];

    /// The RFC 2045 token.
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::QuotedPrintable => "quoted-printable",
            Encoding::Base64 => "base64",
            Encoding::EightBit => "8bit",
        }
    }

    /// Parses a token, ignoring ASCII case.
    pub fn parse(token: &str) -> Option<Encoding> {
        Encoding::ALL
            .into_iter()
            .find(|e| e.as_str().eq_ignore_ascii_case(token))
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A part of a message whose encoding can be set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Part {
    /// The message as a whole and any part not covered below.
    Global,
    /// `text/html` parts.
    Html,
    /// `text/plain` parts.
    Text,
}

impl Part {
    /// Every part, in property order.
    pub const ALL: [Part; 3] = [Part::Global, Part::Html, Part::Text];

    /// The property name in `encoding`.
    pub fn as_str(self) -> &'static str {
        match self {
            Part::Global => "global",
            Part::Html => "html",
            Part::Text => "text",
        }
    }
}

/// A value and the span that set it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setting<T> {
    /// The value.
    pub value: T,
    /// Where it was set.
    pub span: Span,
}

/// The encodings set for a record; unset parts follow the defaults of section 1.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Encodings {
    /// `global`, if set.
    pub global: Option<Setting<Encoding>>,
    /// `html`, if set.
    pub html: Option<Setting<Encoding>>,
    /// `text`, if set.
    pub text: Option<Setting<Encoding>>,
}

impl Encodings {
    /// The setting of one part.
    pub fn get(&self, part: Part) -> Option<&Setting<Encoding>> {
        match part {
            Part::Global => self.global.as_ref(),
            Part::Html => self.html.as_ref(),
            Part::Text => self.text.as_ref(),
        }
    }

    pub(crate) fn set(&mut self, part: Part, setting: Setting<Encoding>) {
        match part {
            Part::Global => self.global = Some(setting),
            Part::Html => self.html = Some(setting),
            Part::Text => self.text = Some(setting),
        }
    }

    /// The encoding in effect for a part: unset `global` is quoted-printable, unset
    /// `html` and `text` inherit `global`.
    pub fn effective(&self, part: Part) -> Encoding {
        let global = self
            .global
            .as_ref()
            .map_or(Encoding::QuotedPrintable, |s| s.value);
        match part {
            Part::Global => global,
            _ => self.get(part).map_or(global, |s| s.value),
        }
    }
}

/// What a header rule does.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum HeaderOp {
    /// Add the header `name: value`.
    Add {
        /// Field name, as written.
        name: String,
        /// Field body.
        value: String,
    },
    /// Remove every occurrence of the header (matched case-insensitively).
    Remove {
        /// Field name, as written.
        name: String,
    },
}

impl HeaderOp {
    /// The field name.
    pub fn name(&self) -> &str {
        match self {
            HeaderOp::Add { name, .. } | HeaderOp::Remove { name } => name,
        }
    }
}

/// One header rule and where it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeaderRule {
    /// The rule.
    pub op: HeaderOp,
    /// The rule's node (`add "X-Campaign" "bulk"`).
    pub span: Span,
}

/// One pattern of a record and where it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatternEntry {
    /// The normalized pattern.
    pub pattern: Pattern,
    /// The pattern as written (a string in a KDL file, or a line of a domains file).
    pub span: Span,
    /// Whether the pattern was written in the defaults layer.
    pub from_defaults: bool,
}

/// One ISP record after the merge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// The name, as first written.
    pub name: String,
    /// The name's string in the `isp` node that defined the record.
    pub name_span: Span,
    /// Where it was defined.
    pub origin: Origin,
    /// Patterns, in the order they were added (moves append).
    pub patterns: Vec<PatternEntry>,
    /// Encoding settings.
    pub encoding: Encodings,
    /// Header rules, in order: the MTA applies every `remove`, then the `add`s in order.
    pub headers: Vec<HeaderRule>,
}

/// The merged configuration: every live record in definition order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Config {
    /// The records.
    pub records: Vec<Record>,
}

impl Config {
    /// The record with this id.
    pub fn record(&self, id: RecordId) -> &Record {
        &self.records[id.0 as usize]
    }

    /// How many patterns the records hold.
    pub fn pattern_count(&self) -> usize {
        self.records.iter().map(|r| r.patterns.len()).sum()
    }

    /// The pattern with this reference.
    pub fn pattern(&self, p: PatternRef) -> &PatternEntry {
        &self.record(p.record).patterns[p.index as usize]
    }

    /// Every pattern in precedence order for globs: records in definition order,
    /// each record's patterns in the order they were added.
    pub fn patterns(&self) -> impl Iterator<Item = (PatternRef, &PatternEntry)> {
        self.records.iter().enumerate().flat_map(|(r, record)| {
            record.patterns.iter().enumerate().map(move |(i, entry)| {
                let p = PatternRef {
                    record: RecordId(r as u32),
                    index: i as u32,
                };
                (p, entry)
            })
        })
    }

    /// The record named `name` (compared case-insensitively).
    pub fn find(&self, name: &str) -> Option<RecordId> {
        self.records
            .iter()
            .position(|r| r.name.to_lowercase() == name.to_lowercase())
            .map(|i| RecordId(i as u32))
    }
}
