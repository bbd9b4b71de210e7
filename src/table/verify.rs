//! The full check of a table (`Table::verify`, `isptab dump`): linear in its size,
//! unlike opening.

use xxhash_rust::xxh3::xxh3_64;

use super::format::*;
use super::read::{FormatError, FormatErrorKind, Table};

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
    let header_end = HEADER_LEN + table.directory_len() * DIR_ENTRY_LEN;
    let mut at = header_end;
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
    // Every record's keys parse and belong to it; exact and suffix keys are in the
    // index; glob keys are the GLOBS list, in order.
    let keys = table.keys_section();
    let mut globs = Vec::new();
    let mut index_keys = 0;
    let mut covered = 0;
    for (id, record) in table.records().iter().enumerate() {
        let range = table.record_keys(record);
        if range.start != covered {
            return Err(FormatError::section(
                "KEYS",
                format!(
                    "record `{}` does not start where the previous ended",
                    record.name
                ),
            ));
        }
        covered = range.end;
        let mut at = range.start;
        while at < range.end {
            let entry =
                read_key_entry(keys, at).filter(|e| at + KEY_HEADER_LEN + e.key.len() <= range.end);
            let entry =
                entry.ok_or_else(|| FormatError::section("KEYS", format!("bad entry at {at}")))?;
            if usize::from(entry.record) != id {
                return Err(FormatError::section(
                    "KEYS",
                    format!(
                        "entry at {at} names record {} inside record {id}",
                        entry.record
                    ),
                ));
            }
            match entry.kind {
                KIND_GLOB => globs.push(at),
                KIND_EXACT | KIND_SUFFIX => {
                    index_keys += 1;
                    if !table.index_has(entry.kind, entry.key, at as u32) {
                        return Err(FormatError::section(
                            "BUCKETS",
                            format!("the key at {at} is not in the index"),
                        ));
                    }
                }
                k => {
                    return Err(FormatError::section(
                        "KEYS",
                        format!("unknown kind {k} at {at}"),
                    ));
                }
            }
            at += KEY_HEADER_LEN + entry.key.len();
        }
        table.patterns(record)?;
    }
    if covered != keys.len() {
        return Err(FormatError::section(
            "KEYS",
            "bytes after the last record's keys",
        ));
    }
    if table.index_len() != index_keys {
        return Err(FormatError::section(
            "BUCKETS",
            "the index holds keys no record has",
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
    Ok(())
}
