//! The full check of a table (`Table::verify`, `isptab dump`): linear in its size,
//! unlike opening.

use xxhash_rust::xxh3::xxh3_64;

use super::format::*;
use super::read::{FormatError, FormatErrorKind, Table};
use crate::domain::{Pattern, PatternKind};

pub(super) fn verify<B: AsRef<[u8]>>(table: &Table<B>) -> Result<(), FormatError> {
    let data = table.raw();
    for (kind, range, checksum) in table.directory() {
        if xxh3_64(&data[range.clone()]) != *checksum {
            return Err(FormatErrorKind::SectionChecksum(kind.name()).into());
        }
    }
    // The padding between sections is zero, so no byte of the file goes unchecked.
    let mut covered: Vec<std::ops::Range<usize>> = table
        .directory()
        .iter()
        .map(|(_, r, _)| r.clone())
        .collect();
    covered.sort_by_key(|r| r.start);
    let mut at = HEADER_LEN + table.directory_len() * DIR_ENTRY_LEN;
    for range in covered.iter().chain([&(data.len()..data.len())]) {
        if data[at.min(range.start)..range.start]
            .iter()
            .any(|&b| b != 0)
        {
            return Err(FormatError::section(
                "padding",
                format!("non-zero bytes between {at} and {}", range.start),
            ));
        }
        at = at.max(range.end);
    }

    // Every bucket: well-formed entries, then zeros; every key in normal form, in
    // one of its own two buckets, with its own tag, and only once.
    let buckets = table.buckets();
    let long_keys = table.long_keys();
    let (seed, bucket_count) = (table.seed(), table.bucket_count());
    let (mut index_keys, mut exact, mut suffix_labels) = (0usize, 0u32, 0u128);
    for (b, bucket) in buckets.chunks_exact(BUCKET_LEN).enumerate() {
        let bad = |m: String| FormatError::section("BUCKETS", format!("bucket {b}: {m}"));
        let mut at = 0;
        while let Some(entry) = read_entry(bucket, at) {
            at = entry.next;
            if usize::from(entry.record) >= table.record_count() {
                return Err(bad(format!("an entry names record {}", entry.record)));
            }
            let key = entry
                .key(long_keys)
                .ok_or_else(|| bad("a long key is out of bounds".into()))?;
            let text = std::str::from_utf8(key).map_err(|_| bad("a key is not UTF-8".into()))?;
            let (written, kind) = match entry.kind {
                KIND_EXACT => (text.to_string(), PatternKind::Exact),
                _ => (format!("*.{text}"), PatternKind::Suffix),
            };
            match Pattern::parse(&written) {
                Ok(p) if p.kind() == kind && p.as_str() == written => {}
                _ => return Err(bad(format!("`{written}` is not a pattern in normal form"))),
            }
            if (entry.len <= INLINE_MAX) != matches!(entry.key, EntryKey::Inline(_))
                || entry.len != key.len()
            {
                return Err(bad(format!("`{written}` is stored the wrong way")));
            }
            let p = probe(seed, entry.kind, key, bucket_count);
            if p.tag != entry.tag || (b != p.first && b != p.second) {
                return Err(bad(format!("`{written}` is not where its hash puts it")));
            }
            let copies = [p.first, p.second]
                .iter()
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .map(|&other| {
                    count_key(
                        &buckets[other * BUCKET_LEN..(other + 1) * BUCKET_LEN],
                        long_keys,
                        entry.kind,
                        key,
                    )
                })
                .sum::<usize>();
            if copies != 1 {
                return Err(bad(format!("`{written}` is stored {copies} times")));
            }
            index_keys += 1;
            if entry.kind == KIND_EXACT {
                exact += 1;
            } else {
                suffix_labels |= 1u128 << key.split(|&c| c == b'.').count().min(127);
            }
        }
        if bucket[at..].iter().any(|&x| x != 0) {
            return Err(bad("bytes after the last entry".into()));
        }
    }
    let globs: Vec<(&str, u16)> = table.glob_entries().collect();
    if let Some((bad, _)) = globs.iter().find(|(g, _)| !matches!(Pattern::parse(g), Ok(p) if p.kind() == PatternKind::Glob && p.as_str() == *g)) {
        return Err(FormatError::section("GLOBS", format!("`{bad}` is not a glob in normal form")));
    }
    if table.index_counts() != (index_keys, exact, suffix_labels, index_keys + globs.len()) {
        return Err(FormatError::section(
            "META",
            "the counts do not match the index and the globs",
        ));
    }
    // Per-record pattern counts.
    table.patterns_by_record()?;
    Ok(())
}

/// How many entries of a bucket hold this key.
fn count_key(bucket: &[u8], long_keys: &[u8], kind: u8, key: &[u8]) -> usize {
    let mut at = 0;
    let mut n = 0;
    while let Some(entry) = read_entry(bucket, at) {
        at = entry.next;
        if entry.kind == kind && entry.len == key.len() && entry.key(long_keys) == Some(key) {
            n += 1;
        }
    }
    n
}
