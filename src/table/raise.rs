//! A table raised back to the model it was compiled from (`Table::to_model`), for
//! `dump`, comparisons and everything that works on records rather than bytes.

use super::error::TableError;
use super::layout::pattern_kind;
use super::open::{Patterns, Table, text};
use super::verify::check_pattern_counts;
use crate::semantics::model::{Model, Record};
use crate::semantics::pattern::{Pattern, PatternKind};

impl<B: AsRef<[u8]>> Table<B> {
    /// The model the table holds: every record with its patterns (exact names and
    /// suffix rules sorted: the index keeps no order among them, and none is
    /// needed; globs in precedence order), effective encodings and header rules.
    /// `compile(&table.to_model()?)` gives the same bytes. A stored key that is
    /// not a pattern in normal form, or pattern counts that do not add up, are an
    /// error (only a corrupted table has them); the full check
    /// ([`Table::verify`]) finds everything else.
    pub fn to_model(&self) -> Result<Model, TableError> {
        let mut records: Vec<Record> = self
            .records()
            .map(|r| {
                let mut record = Record::new(r.name());
                record.default = r.is_default();
                record.encodings = r.encodings();
                record.headers = r.header_rules().map(|rule| rule.to_header_op()).collect();
                record
            })
            .collect();
        for (record, patterns) in records
            .iter_mut()
            .zip(self.raise_set(&self.parsed.domains)?)
        {
            for pattern in patterns {
                record.push(pattern);
            }
            sort_by_text(&mut record.exact);
            sort_by_text(&mut record.suffix);
        }
        for (record, mut patterns) in records.iter_mut().zip(self.raise_set(&self.parsed.mx)?) {
            // As for domains: exact hosts sorted, suffix rules sorted, then the
            // globs in precedence order (the sort is stable).
            patterns.sort_by(|a, b| {
                a.kind().cmp(&b.kind()).then_with(|| match a.kind() {
                    PatternKind::Glob => std::cmp::Ordering::Equal,
                    _ => a.as_str().cmp(b.as_str()),
                })
            });
            record.mx = patterns;
        }
        check_pattern_counts(
            self,
            "patterns",
            records.iter().map(Record::pattern_count),
            |r| r.pattern_count(),
        )?;
        check_pattern_counts(
            self,
            "MX patterns",
            records.iter().map(|r| r.mx.len()),
            |r| r.mx_pattern_count(),
        )?;
        Ok(Model { records })
    }
}

/// Sorts patterns by their text. Most comparisons are settled by the first
/// eight bytes, compared as one integer (a name holds no NUL, so zero padding
/// keeps the order), rather than by a call to `memcmp` each.
fn sort_by_text(patterns: &mut Vec<Pattern>) {
    let prefix = |p: &Pattern| {
        let mut bytes = [0u8; 8];
        let text = p.as_str().as_bytes();
        let n = text.len().min(8);
        bytes[..n].copy_from_slice(&text[..n]);
        u64::from_be_bytes(bytes)
    };
    let mut keyed: Vec<(u64, Pattern)> = patterns.drain(..).map(|p| (prefix(&p), p)).collect();
    keyed.sort_unstable_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| after_prefix(&a.1).cmp(after_prefix(&b.1)))
    });
    patterns.extend(keyed.into_iter().map(|(_, p)| p));
}

/// A pattern's text after the eight bytes of its sort prefix.
fn after_prefix(p: &Pattern) -> &[u8] {
    p.as_str().as_bytes().get(8..).unwrap_or_default()
}

impl<B: AsRef<[u8]>> Table<B> {
    /// The patterns of one set, per record: index entries in bucket order, then
    /// the globs in precedence order.
    fn raise_set(&self, set: &Patterns) -> Result<Vec<Vec<Pattern>>, TableError> {
        let mut records: Vec<Vec<Pattern>> = vec![Vec::new(); self.record_count()];
        for index in [set.exact, set.suffix] {
            let buckets = self.buckets(index);
            for b in 0..index.bucket_count as usize {
                let bad =
                    |m: &str| TableError::section(index.section.name(), format!("bucket {b}: {m}"));
                for entry in buckets.bucket(b) {
                    let key = entry
                        .key
                        .ok_or_else(|| bad("an entry runs past the section"))?;
                    let key = std::str::from_utf8(key).map_err(|_| bad("a key is not UTF-8"))?;
                    let kind = pattern_kind(entry.kind);
                    let written = match kind {
                        PatternKind::Suffix => format!("*.{key}"),
                        _ => key.to_string(),
                    };
                    let pattern = Pattern::parse(&written)
                        .ok()
                        .filter(|p| p.kind() == kind && p.as_str() == written)
                        .ok_or_else(|| bad("a key is not a pattern in normal form"))?;
                    records
                        .get_mut(usize::from(entry.record))
                        .ok_or_else(|| bad("an entry names a record that does not exist"))?
                        .push(pattern);
                }
            }
        }
        for g in &set.globs {
            let written = text(self.data(), g.text.clone());
            let pattern = Pattern::parse(written)
                .ok()
                .filter(|p| p.kind() == PatternKind::Glob && p.as_str() == written)
                .ok_or_else(|| {
                    TableError::section(
                        set.globs_section.name(),
                        format!("`{written}` is not a glob in normal form"),
                    )
                })?;
            records[usize::from(g.record)].push(pattern);
        }
        Ok(records)
    }
}
