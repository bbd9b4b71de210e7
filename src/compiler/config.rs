//! The merged configuration: records with their patterns, encodings and header
//! rules, each remembering the span it came from so every conflict can label both
//! sides. A clean one is lowered to the span-free
//! [`Model`] (`Config::to_model`); only a
//! [`Checked`](super::Checked) without errors hands it out.

use crate::compiler::source::Span;
use crate::semantics::encoding::{Encoding, EncodingSettings, Part};
use crate::semantics::header::HeaderOp;
pub use crate::semantics::model::PatternSet;
use crate::semantics::model::{Model, Record as ModelRecord};
use crate::semantics::pattern::Pattern;

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

/// Identifies one pattern: its record, its set and its position there.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PatternRef {
    /// The record.
    pub record: RecordId,
    /// The set.
    pub set: PatternSet,
    /// The position in [`Record::patterns`] or [`Record::mx`].
    pub index: u32,
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

    /// What is set, without the spans (the rule that resolves it into what is in
    /// effect lives in [`EncodingSettings`]).
    pub fn settings(&self) -> EncodingSettings {
        let mut settings = EncodingSettings::new();
        for part in Part::ALL {
            if let Some(s) = self.get(part) {
                settings.set(part, s.value);
            }
        }
        settings
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
    /// MX host patterns, in the order they were added (moves append).
    pub mx: Vec<PatternEntry>,
    /// Encoding settings.
    pub encoding: Encodings,
    /// Header rules, in order: the MTA applies every `remove`, then the `add`s in order.
    pub headers: Vec<HeaderRule>,
}

impl Record {
    /// The patterns of a set.
    pub fn patterns_in(&self, set: PatternSet) -> &[PatternEntry] {
        match set {
            PatternSet::Domains => &self.patterns,
            PatternSet::Mx => &self.mx,
        }
    }
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
        &self.record(p.record).patterns_in(p.set)[p.index as usize]
    }

    /// Every domain pattern in precedence order for globs: records in definition
    /// order, each record's patterns in the order they were added.
    pub fn patterns(&self) -> impl Iterator<Item = (PatternRef, &PatternEntry)> {
        self.patterns_in(PatternSet::Domains)
    }

    /// Every pattern of a set, in precedence order for globs.
    pub fn patterns_in(
        &self,
        set: PatternSet,
    ) -> impl Iterator<Item = (PatternRef, &PatternEntry)> {
        self.records
            .iter()
            .enumerate()
            .flat_map(move |(r, record)| {
                record
                    .patterns_in(set)
                    .iter()
                    .enumerate()
                    .map(move |(i, entry)| {
                        let p = PatternRef {
                            record: RecordId(r as u32),
                            set,
                            index: i as u32,
                        };
                        (p, entry)
                    })
            })
    }
}

impl Config {
    /// The span-free model: records in order, patterns by kind (exact names and
    /// suffix rules in the order added, globs in precedence order), encodings in
    /// effect, header rules in order.
    pub(crate) fn to_model(&self) -> Model {
        Model {
            records: self
                .records
                .iter()
                .map(|r| {
                    let mut record = ModelRecord::new(r.name.clone());
                    record.default = r.origin == Origin::Default;
                    for entry in &r.patterns {
                        record.push(entry.pattern.clone());
                    }
                    record.mx = r.mx.iter().map(|e| e.pattern.clone()).collect();
                    record.encodings = r.encoding.settings().effective();
                    record.headers = r.headers.iter().map(|h| h.op.clone()).collect();
                    record
                })
                .collect(),
        }
    }
}
