//! What a table hands out: records, their header rules, and the answer to a
//! lookup, all borrowed from the table's bytes (nothing is copied).

use std::fmt;

use super::open::{Parsed, RecordInfo, RuleOp, Table, text};
use crate::semantics::encoding::{Effective, Encoding, Part};
use crate::semantics::header::HeaderOp;
use crate::semantics::pattern::PatternKind;

/// A header rule of a record in a table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TableRule<'t> {
    /// Add or remove.
    pub op: RuleOp,
    /// The field name.
    pub name: &'t str,
    /// The field body (empty for `Remove`).
    pub value: &'t str,
}

impl TableRule<'_> {
    /// The rule as the model holds it.
    pub fn to_header_op(&self) -> HeaderOp {
        match self.op {
            RuleOp::Add => HeaderOp::Add {
                name: self.name.to_string(),
                value: self.value.to_string(),
            },
            RuleOp::Remove => HeaderOp::Remove {
                name: self.name.to_string(),
            },
        }
    }
}

/// A record of a table.
#[derive(Clone, Copy)]
pub struct RecordRef<'t> {
    data: &'t [u8],
    parsed: &'t Parsed,
    id: u16,
}

impl fmt::Debug for RecordRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecordRef")
            .field("id", &self.id)
            .field("name", &self.name())
            .finish()
    }
}

impl<'t> RecordRef<'t> {
    fn info(&self) -> &'t RecordInfo {
        &self.parsed.records[usize::from(self.id)]
    }

    /// The record's id: its position in configuration order.
    pub fn id(&self) -> u16 {
        self.id
    }

    /// The record's name.
    pub fn name(&self) -> &'t str {
        text(self.data, self.info().name.clone())
    }

    /// Whether it is a default record.
    pub fn is_default(&self) -> bool {
        self.info().default
    }

    /// The encodings in effect for the global, html and text parts.
    pub fn encodings(&self) -> Effective {
        self.info().encodings
    }

    /// The encoding in effect for a part.
    pub fn encoding(&self, part: Part) -> Encoding {
        self.info().encodings.get(part)
    }

    /// How many patterns the record has.
    pub fn pattern_count(&self) -> usize {
        self.info().pattern_count
    }

    /// How many MX patterns the record has.
    pub fn mx_pattern_count(&self) -> usize {
        self.info().mx_pattern_count
    }

    /// The header rules, in order (the MTA applies every remove, then the adds).
    pub fn header_rules(&self) -> impl ExactSizeIterator<Item = TableRule<'t>> + 't {
        let (data, parsed) = (self.data, self.parsed);
        let set = parsed
            .rule_sets
            .get(self.info().rule_set)
            .cloned()
            .unwrap_or(0..0);
        parsed.rules[set].iter().map(move |r| TableRule {
            op: r.op,
            name: text(data, r.name.clone()),
            value: text(data, r.value.clone()),
        })
    }
}

/// A pattern that answered a lookup.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MatchedPattern<'t> {
    /// How it matched.
    pub kind: PatternKind,
    /// The stored key: the name, the suffix without `*.`, or the glob.
    pub key: &'t str,
}

impl fmt::Display for MatchedPattern<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.kind == PatternKind::Suffix {
            f.write_str("*.")?;
        }
        f.write_str(self.key)
    }
}

/// The answer to a lookup.
#[derive(Clone, Copy, Debug)]
pub struct TableMatch<'t> {
    /// The record that applies.
    pub record: RecordRef<'t>,
    /// The pattern that matched.
    pub pattern: MatchedPattern<'t>,
}

impl<B: AsRef<[u8]>> Table<B> {
    /// The record with this id.
    pub fn record(&self, id: u16) -> Option<RecordRef<'_>> {
        (usize::from(id) < self.parsed.records.len()).then_some(RecordRef {
            data: self.data(),
            parsed: &self.parsed,
            id,
        })
    }

    /// Every record, in configuration order.
    pub fn records(&self) -> impl ExactSizeIterator<Item = RecordRef<'_>> {
        (0..self.parsed.records.len()).map(|i| RecordRef {
            data: self.data(),
            parsed: &self.parsed,
            id: i as u16,
        })
    }
}
