//! The full check of a table (`Table::verify`, `isptab dump`): linear in its size,
//! unlike opening.

use xxhash_rust::xxh3::xxh3_64;

use super::error::{TableError, TableErrorKind};
use super::handles::RecordRef;
use super::hash::probe;
use super::layout::{KIND_EXACT, SectionKind, pattern_kind};
use super::open::{Patterns, Table, text};
use crate::semantics::pattern::{Pattern, PatternKind, label_bit};

impl<B: AsRef<[u8]>> Table<B> {
    /// The full check: the checksum of every known section, zeros outside every
    /// section, every entry well formed, in normal form and where its hash puts
    /// it, every glob valid and in record order, and the counts consistent. (The
    /// contents of sections of kinds this version does not know are not checked.)
    /// Linear in the table's size.
    pub fn verify(&self) -> Result<(), TableError> {
        verify(self)
    }
}

fn verify<B: AsRef<[u8]>>(table: &Table<B>) -> Result<(), TableError> {
    let data = table.data();
    let parsed = &table.parsed;
    for (kind, range, checksum) in &parsed.directory {
        if xxh3_64(&data[range.clone()]) != *checksum {
            return Err(TableErrorKind::SectionChecksum(kind.name()).into());
        }
    }
    // Bytes outside every section (known or not) are zero: with the checksums of
    // the known sections, every byte this version reads is covered.
    let mut at = parsed.directory_end;
    for range in parsed
        .all_sections
        .iter()
        .chain([&(data.len()..data.len())])
    {
        let start = at.min(range.start);
        if let Some(i) = data[start..range.start].iter().position(|&b| b != 0) {
            return Err(TableErrorKind::Padding(start + i).into());
        }
        at = at.max(range.end);
    }

    // Names are compared without case (a configuration cannot give two records
    // one name): with two, a dump would not build and a diff could not pair them.
    let mut names = std::collections::HashSet::with_capacity(table.record_count());
    for record in table.records() {
        if !names.insert(record.name().to_lowercase()) {
            return Err(TableError::section(
                SectionKind::Records.name(),
                format!("two records are named `{}`", record.name()),
            ));
        }
    }

    let domains = verify_set(table, &parsed.domains)?;
    check_pattern_counts(table, "patterns", domains.into_iter(), |r| {
        r.pattern_count()
    })?;
    let mx = verify_set(table, &parsed.mx)?;
    check_pattern_counts(table, "MX patterns", mx.into_iter(), |r| {
        r.mx_pattern_count()
    })
}

/// Checks one set of patterns (the domains' or the MX hosts'): the bucket heads
/// tile the entries; every entry is of the index's kind, names a record, holds
/// a key in normal form with its own tag, in the bucket its hash gives, and each
/// bucket's keys are in increasing byte order (so none is there twice); the
/// globs are in normal form and record order; the counts add up. Gives how many
/// patterns of the set each record has.
fn verify_set<B: AsRef<[u8]>>(table: &Table<B>, set: &Patterns) -> Result<Vec<usize>, TableError> {
    let data = table.data();
    let (mut keys, mut exact, mut suffix_labels) = (0usize, 0u32, 0u128);
    let mut per_record = vec![0usize; table.record_count()];
    for index in [set.exact, set.suffix] {
        let buckets = table.buckets(index);
        buckets
            .check_heads(index.bucket_count)
            .map_err(|m| TableError::section(index.section.name(), m))?;
        for b in 0..index.bucket_count as usize {
            let bad =
                |m: String| TableError::section(index.section.name(), format!("bucket {b}: {m}"));
            let mut previous: Option<&[u8]> = None;
            for entry in buckets.bucket(b) {
                if entry.kind != index.kind {
                    return Err(bad("an entry of the other kind".into()));
                }
                let Some(count) = per_record.get_mut(usize::from(entry.record)) else {
                    return Err(bad(format!("an entry names record {}", entry.record)));
                };
                *count += 1;
                let key = entry
                    .key
                    .ok_or_else(|| bad("an entry runs past the section".into()))?;
                let text =
                    std::str::from_utf8(key).map_err(|_| bad("a key is not UTF-8".into()))?;
                let kind = pattern_kind(entry.kind);
                let written = match kind {
                    PatternKind::Exact => text.to_string(),
                    _ => format!("*.{text}"),
                };
                match Pattern::parse(&written) {
                    Ok(p) if p.kind() == kind && p.as_str() == written => {}
                    _ => return Err(bad(format!("`{written}` is not a pattern in normal form"))),
                }
                let p = probe(index.seed, entry.kind, key, index.bucket_count);
                if p.tag != entry.tag || p.bucket != b {
                    return Err(bad(format!("`{written}` is not where its hash puts it")));
                }
                if previous.is_some_and(|before| before >= key) {
                    return Err(bad(format!(
                        "`{written}` is not after the key before it (stored twice, or out of order)"
                    )));
                }
                previous = Some(key);
                keys += 1;
                if entry.kind == KIND_EXACT {
                    exact += 1;
                } else {
                    suffix_labels |= label_bit(key);
                }
            }
        }
    }
    let globs_name = set.globs_section.name();
    let globs: Vec<(&str, u16)> = set
        .globs
        .iter()
        .map(|g| (text(data, g.text.clone()), g.record))
        .collect();
    let normal = |g: &str| matches!(Pattern::parse(g), Ok(p) if p.kind() == PatternKind::Glob && p.as_str() == g);
    if let Some((bad, _)) = globs.iter().find(|(g, _)| !normal(g)) {
        return Err(TableError::section(
            globs_name,
            format!("`{bad}` is not a glob in normal form"),
        ));
    }
    // Precedence is configuration order: records in order, so globs are grouped by
    // record (a dump prints them under their records and must rebuild the order).
    if globs.windows(2).any(|w| w[0].1 > w[1].1) {
        return Err(TableError::section(
            globs_name,
            "globs are not in record order",
        ));
    }
    let declared = (set.exact_count, set.suffix_labels, set.pattern_count);
    if declared != (exact, suffix_labels, keys + globs.len()) {
        return Err(TableError::section(
            set.meta_name,
            "the counts do not match the indexes and the globs",
        ));
    }
    // Per-record pattern counts (open checked that every glob's record exists).
    for (_, record) in &globs {
        if let Some(count) = per_record.get_mut(usize::from(*record)) {
            *count += 1;
        }
    }
    Ok(per_record)
}

/// Each record's count of `what` (in RECORDS, read by `declared`) against the
/// number of index entries and globs that name it, given in record order.
pub(super) fn check_pattern_counts<B: AsRef<[u8]>>(
    table: &Table<B>,
    what: &str,
    found: impl Iterator<Item = usize>,
    declared: impl Fn(&RecordRef<'_>) -> usize,
) -> Result<(), TableError> {
    for (record, found) in table.records().zip(found) {
        let expected = declared(&record);
        if found != expected {
            return Err(TableError::section(
                "RECORDS",
                format!(
                    "record `{}` has {found} {what}, {expected} expected",
                    record.name(),
                ),
            ));
        }
    }
    Ok(())
}
