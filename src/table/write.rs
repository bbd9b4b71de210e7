//! Compiling a merged configuration into the bytes of a table.
//!
//! Everything is laid out in configuration order and every choice is
//! deterministic (fixed seeds, no hash-map iteration), so the same input gives the
//! same bytes on every run and every machine.

use std::collections::HashMap;
use std::fmt;

use xxhash_rust::xxh3::xxh3_64;

use super::cuckoo::{self, Key};
use super::format::*;
use crate::domain::{PatternKind, suffix_label_bit};
use crate::model::{Config, HeaderOp, Origin, Part};

/// A configuration that does not fit the format's limits.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CompileError {
    /// More records than 15-bit record ids can name.
    TooManyRecords(usize),
    /// A section would pass 4 GiB, the reach of its 32-bit offsets.
    TooLarge(&'static str),
    /// A record name longer than 65,535 bytes.
    NameTooLong(String),
    /// A pattern longer than a domain name can be (parsing rejects these first).
    KeyTooLong(String),
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CompileError::TooManyRecords(n) => {
                write!(f, "{n} records; a table holds at most {MAX_RECORDS}")
            }
            CompileError::TooLarge(section) => {
                write!(
                    f,
                    "the {section} section would pass 4 GiB, the limit of the format"
                )
            }
            CompileError::KeyTooLong(key) => {
                write!(f, "the pattern `{key}` is longer than 253 bytes")
            }
            CompileError::NameTooLong(name) => {
                let short: String = name.chars().take(40).collect();
                write!(
                    f,
                    "the record name `{short}...` is longer than 65,535 bytes"
                )
            }
        }
    }
}

impl std::error::Error for CompileError {}

fn u32_of(n: usize, section: &'static str) -> Result<u32, CompileError> {
    u32::try_from(n).map_err(|_| CompileError::TooLarge(section))
}

/// Strings stored once each, in order of first use.
#[derive(Default)]
struct Strings {
    bytes: Vec<u8>,
    seen: HashMap<String, u32>,
}

impl Strings {
    fn add(&mut self, s: &str) -> Result<u32, CompileError> {
        if let Some(&offset) = self.seen.get(s) {
            return Ok(offset);
        }
        let offset = u32_of(self.bytes.len(), "STRINGS")?;
        u32_of(self.bytes.len() + s.len(), "STRINGS")?;
        self.bytes.extend_from_slice(s.as_bytes());
        self.seen.insert(s.to_string(), offset);
        Ok(offset)
    }
}

fn encoding_code(e: crate::model::Encoding) -> u8 {
    ENCODINGS.iter().position(|x| *x == e).unwrap_or(0) as u8
}

/// Compiles a merged configuration (one without errors) into table bytes.
pub fn compile(config: &Config) -> Result<Vec<u8>, CompileError> {
    if config.records.len() > MAX_RECORDS {
        return Err(CompileError::TooManyRecords(config.records.len()));
    }
    let mut strings = Strings::default();
    let mut exact_keys: Vec<Key<'_>> = Vec::new();
    let mut suffix_keys: Vec<Key<'_>> = Vec::new();
    let mut globs: Vec<u8> = Vec::new();
    let mut records: Vec<u8> = Vec::with_capacity(config.records.len() * RECORD_LEN);
    let mut rule_sets: Vec<u8> = Vec::new();
    let mut rules: Vec<u8> = Vec::new();
    let mut set_ids: HashMap<Vec<HeaderOp>, u32> = HashMap::new();
    let mut counts = Counts::default();

    for (id, record) in config.records.iter().enumerate() {
        let id = id as u16;
        // Header rules: one set per distinct list.
        let ops: Vec<HeaderOp> = record.headers.iter().map(|r| r.op.clone()).collect();
        let set = match set_ids.get(&ops) {
            Some(&set) => set,
            None => {
                let set = set_ids.len() as u32;
                let first = u32_of(rules.len() / RULE_LEN, "RULES")?;
                for op in &ops {
                    let (code, name, value) = match op {
                        HeaderOp::Add { name, value } => (OP_ADD, name, value.as_str()),
                        HeaderOp::Remove { name } => (OP_REMOVE, name, ""),
                    };
                    let name_len =
                        u16::try_from(name.len()).map_err(|_| CompileError::TooLarge("RULES"))?;
                    rules.push(code);
                    rules.push(0);
                    rules.extend_from_slice(&name_len.to_le_bytes());
                    rules.extend_from_slice(&strings.add(name)?.to_le_bytes());
                    rules.extend_from_slice(&strings.add(value)?.to_le_bytes());
                    rules.extend_from_slice(&u32_of(value.len(), "RULES")?.to_le_bytes());
                }
                rule_sets.extend_from_slice(&first.to_le_bytes());
                rule_sets.extend_from_slice(&(ops.len() as u32).to_le_bytes());
                set_ids.insert(ops, set);
                set
            }
        };

        // Exact names and suffixes go to the index; globs, in order, to GLOBS.
        for entry in &record.patterns {
            let pattern = &entry.pattern;
            match pattern.kind() {
                PatternKind::Glob => {
                    let text = pattern.as_str();
                    globs.extend_from_slice(&strings.add(text)?.to_le_bytes());
                    globs.extend_from_slice(&(text.len() as u16).to_le_bytes());
                    globs.extend_from_slice(&id.to_le_bytes());
                }
                kind => {
                    let (kind, key) = match kind {
                        PatternKind::Exact => (KIND_EXACT, pattern.as_str()),
                        _ => (KIND_SUFFIX, pattern.key()),
                    };
                    // Patterns are at most 253 bytes (checked when they were parsed).
                    if key.len() > crate::domain::MAX_NAME_LEN {
                        return Err(CompileError::KeyTooLong(key.to_string()));
                    }
                    let entry = Key {
                        kind,
                        key: key.as_bytes(),
                        record: id,
                    };
                    if kind == KIND_EXACT {
                        exact_keys.push(entry);
                    } else {
                        counts.suffix_labels |= suffix_label_bit(key.as_bytes());
                        suffix_keys.push(entry);
                    }
                }
            }
        }

        let name_len = u16::try_from(record.name.len())
            .map_err(|_| CompileError::NameTooLong(record.name.clone()))?;
        let flags = if record.origin == Origin::Default {
            RECORD_DEFAULT
        } else {
            0
        };
        records.extend_from_slice(&strings.add(&record.name)?.to_le_bytes());
        records.extend_from_slice(&name_len.to_le_bytes());
        records.push(flags);
        records.push(0);
        for part in Part::ALL {
            records.push(encoding_code(record.encoding.effective(part)));
        }
        records.push(0);
        records.extend_from_slice(&set.to_le_bytes());
        records.extend_from_slice(&u32_of(record.patterns.len(), "RECORDS")?.to_le_bytes());
        records.resize(records.len() + 12, 0);
        counts.patterns += record.patterns.len();
    }

    // Each index depends only on its set of keys: they go in sorted by a hash of
    // the key (cheaper to sort by than the bytes), then by the bytes. The order
    // is 16 bytes per key (a cached (hash, key) would be 32: this runs at peak
    // memory).
    let mut long_keys = Vec::new();
    let mut index = |keys: &mut Vec<Key<'_>>| {
        let mut order: Vec<(u64, u32)> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| (xxh3_64(k.key), i as u32))
            .collect();
        order.sort_unstable_by(|a, b| {
            a.0.cmp(&b.0)
                .then_with(|| keys[a.1 as usize].key.cmp(keys[b.1 as usize].key))
        });
        *keys = order.into_iter().map(|(_, i)| keys[i as usize]).collect();
        cuckoo::build(keys, &mut long_keys)
    };
    let exact = index(&mut exact_keys);
    let suffix = index(&mut suffix_keys);
    u32_of(long_keys.len(), "LONG_KEYS")?;
    let mut meta = Vec::with_capacity(META_LEN);
    meta.extend_from_slice(&exact.seed.to_le_bytes());
    meta.extend_from_slice(&suffix.seed.to_le_bytes());
    meta.extend_from_slice(&exact.bucket_count.to_le_bytes());
    meta.extend_from_slice(&suffix.bucket_count.to_le_bytes());
    for n in [
        config.records.len(),
        counts.patterns,
        globs.len() / GLOB_LEN,
        rule_sets.len() / RULE_SET_LEN,
        rules.len() / RULE_LEN,
        exact_keys.len(),
    ] {
        meta.extend_from_slice(&u32_of(n, "META")?.to_le_bytes());
    }
    meta.extend_from_slice(&counts.suffix_labels.to_le_bytes());
    debug_assert_eq!(meta.len(), META_LEN);

    let sections: [(SectionKind, &[u8]); 9] = [
        (SectionKind::Meta, &meta),
        (SectionKind::ExactIndex, &exact.buckets),
        (SectionKind::SuffixIndex, &suffix.buckets),
        (SectionKind::LongKeys, &long_keys),
        (SectionKind::Records, &records),
        (SectionKind::Strings, &strings.bytes),
        (SectionKind::RuleSets, &rule_sets),
        (SectionKind::Rules, &rules),
        (SectionKind::Globs, &globs),
    ];
    Ok(assemble(&sections))
}

#[derive(Default)]
struct Counts {
    patterns: usize,
    /// Bit `n` is set when some suffix key has `n` labels.
    suffix_labels: u128,
}

/// Lays out the header, the directory and the sections, each section aligned.
fn assemble(sections: &[(SectionKind, &[u8])]) -> Vec<u8> {
    let dir_len = sections.len() * DIR_ENTRY_LEN;
    let mut offset = align(HEADER_LEN + dir_len);
    let mut directory = Vec::with_capacity(dir_len);
    for (kind, bytes) in sections {
        directory.extend_from_slice(&(*kind as u32).to_le_bytes());
        directory.extend_from_slice(&0u32.to_le_bytes());
        directory.extend_from_slice(&(offset as u64).to_le_bytes());
        directory.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
        directory.extend_from_slice(&xxh3_64(bytes).to_le_bytes());
        offset = align(offset + bytes.len());
    }
    let file_len = offset;
    let mut out = Vec::with_capacity(file_len);
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&ENDIAN_CHECK.to_le_bytes());
    out.extend_from_slice(&MAJOR.to_le_bytes());
    out.extend_from_slice(&MINOR.to_le_bytes());
    out.extend_from_slice(&(file_len as u64).to_le_bytes());
    out.extend_from_slice(&(sections.len() as u32).to_le_bytes());
    out.extend_from_slice(&(HEADER_LEN as u32).to_le_bytes());
    out.extend_from_slice(&0u64.to_le_bytes()); // required feature flags: none
    out.extend_from_slice(&0u64.to_le_bytes()); // header checksum, filled in below
    out.resize(HEADER_LEN, 0);
    out.extend_from_slice(&directory);
    let checksum = header_checksum(&out);
    out[HEADER_CHECKSUM].copy_from_slice(&checksum.to_le_bytes());
    for (_, bytes) in sections {
        out.resize(align(out.len()), 0);
        out.extend_from_slice(bytes);
    }
    out.resize(file_len, 0);
    out
}
