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

    // Every record's keys parse, are normalized patterns, and belong to it; exact
    // and suffix keys are in the index; glob keys are the GLOBS list, in order.
    let keys = table.keys_section();
    let mut globs = Vec::new();
    let (mut index_keys, mut exact, mut suffix_labels) = (0usize, 0u32, 0u128);
    let mut next = 0;
    for record in table.records() {
        let range = table.record_keys(record);
        if range.start != next {
            return Err(FormatError::section(
                "KEYS",
                format!(
                    "record `{}` does not start where the previous one ended",
                    record.name()
                ),
            ));
        }
        next = range.end;
        for pattern in table.patterns(record)? {
            let text = pattern.to_string();
            let normalized = Pattern::parse(&text).map_err(|_| {
                FormatError::section("KEYS", format!("`{text}` is not a valid pattern"))
            })?;
            if normalized.as_str() != text || normalized.kind() != pattern.kind {
                return Err(FormatError::section(
                    "KEYS",
                    format!("`{text}` is not in normal form"),
                ));
            }
        }
        let mut at = range.start;
        while at < range.end {
            let Some(entry) = read_key_entry(keys, at) else {
                break;
            };
            if usize::from(entry.record) != usize::from(record.id()) {
                return Err(FormatError::section(
                    "KEYS",
                    format!(
                        "the entry at {at} names record {} inside record {}",
                        entry.record,
                        record.id()
                    ),
                ));
            }
            match entry.kind {
                KIND_GLOB => globs.push(at),
                kind => {
                    index_keys += 1;
                    if kind == KIND_EXACT {
                        exact += 1;
                    } else {
                        suffix_labels |= 1u128 << entry.key.split(|&b| b == b'.').count().min(127);
                    }
                    if !table.index_has(kind, entry.key, at as u32) {
                        return Err(FormatError::section(
                            "BUCKETS",
                            format!("the key at {at} is not in the index"),
                        ));
                    }
                }
            }
            at += KEY_HEADER_LEN + entry.key.len();
        }
    }
    if next != keys.len() {
        return Err(FormatError::section(
            "KEYS",
            "bytes after the last record's keys",
        ));
    }
    if table.index_len() != index_keys || table.index_counts() != (index_keys, exact, suffix_labels)
    {
        return Err(FormatError::section(
            "META",
            "the index counts do not match the keys",
        ));
    }
    let listed: Vec<&str> = table.glob_entries().map(|(text, _)| text).collect();
    let found: Vec<&str> = globs
        .iter()
        .filter_map(|&at| read_key_entry(keys, at))
        .map(|e| std::str::from_utf8(e.key).unwrap_or(""))
        .collect();
    if listed != found {
        return Err(FormatError::section(
            "GLOBS",
            "the glob list does not match the glob keys",
        ));
    }
    if let Some(bad) = listed
        .iter()
        .find(|g| Pattern::parse(g).map(|p| p.kind()) != Ok(PatternKind::Glob))
    {
        return Err(FormatError::section(
            "GLOBS",
            format!("`{bad}` is not a valid glob"),
        ));
    }
    Ok(())
}
