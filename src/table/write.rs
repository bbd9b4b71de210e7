//! Compiling a model into the bytes of a table.
//!
//! Everything is laid out in model order and every choice is deterministic (fixed
//! seeds, no hash-map iteration), so the same model gives the same bytes on every
//! run and every machine. A model built by hand is checked on the way: a compiled
//! table is valid whatever the model said.

use std::collections::{HashMap, HashSet};
use std::fmt;

use xxhash_rust::xxh3::xxh3_64;

use super::buckets::{self, Key};
use super::hash::header_checksum;
use super::layout::{
    self, KIND_EXACT, KIND_SUFFIX, MAX_RECORDS, SectionKind, align, directory, header, meta,
    mx_meta,
};
use crate::semantics::encoding::Part;
use crate::semantics::header::{self as header_rules, HeaderOp};
use crate::semantics::model::Model;
use crate::semantics::pattern::{Pattern, PatternKind, label_bit};

/// A model that does not fit the format, or that no clean configuration gives.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CompileError {
    /// More records than 15-bit record ids can name.
    TooManyRecords(usize),
    /// A section would pass 4 GiB, the reach of its 32-bit offsets.
    TooLarge(&'static str),
    /// A record name longer than 65,535 bytes.
    NameTooLong(String),
    /// A record name that is not a valid record name (empty, padded, invisible
    /// characters), or the same name twice (compared ignoring case).
    BadName(String),
    /// The same pattern twice, or a pattern in the list of another kind.
    BadPattern(String),
    /// A header rule the MTA could not write (a bad name, a control character,
    /// a line over 998 octets).
    BadHeaderRule(String),
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let short = |s: &str| -> String { s.chars().take(40).collect() };
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
            CompileError::NameTooLong(name) => {
                write!(
                    f,
                    "the record name `{}...` is longer than 65,535 bytes",
                    short(name)
                )
            }
            CompileError::BadName(name) => write!(
                f,
                "the record name `{}` is not valid, or given twice",
                crate::semantics::escape::escape(&short(name))
            ),
            CompileError::BadPattern(p) => write!(
                f,
                "the pattern `{}` is given twice, or in the list of another kind",
                crate::semantics::escape::escape(&short(p))
            ),
            CompileError::BadHeaderRule(name) => write!(
                f,
                "the header rule for `{}` cannot be written into a message",
                crate::semantics::escape::escape(&short(name))
            ),
        }
    }
}

impl std::error::Error for CompileError {}

fn u32_of(n: usize, section: &'static str) -> Result<u32, CompileError> {
    u32::try_from(n).map_err(|_| CompileError::TooLarge(section))
}

/// Strings stored once each, in order of first use.
#[derive(Default)]
struct StringTable {
    bytes: Vec<u8>,
    seen: HashMap<String, u32>,
}

impl StringTable {
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

/// Compiles a model into table bytes.
pub fn compile(model: &Model) -> Result<Vec<u8>, CompileError> {
    if model.records.len() > MAX_RECORDS {
        return Err(CompileError::TooManyRecords(model.records.len()));
    }
    let mut strings = StringTable::default();
    let mut domains = SetKeys::default();
    let mut mx = SetKeys::default();
    let mut records: Vec<u8> = Vec::with_capacity(model.records.len() * layout::record::LEN);
    let mut rule_sets: Vec<u8> = Vec::new();
    let mut rules: Vec<u8> = Vec::new();
    let mut set_ids: HashMap<&[HeaderOp], u32> = HashMap::new();
    let mut names: HashSet<String> = HashSet::new();

    for (id, record) in model.records.iter().enumerate() {
        let id = id as u16;
        if record.name.is_empty()
            || crate::semantics::record_name::check(&record.name).is_err()
            || !names.insert(record.name.to_lowercase())
        {
            return Err(CompileError::BadName(record.name.clone()));
        }
        // Header rules: one set per distinct list.
        let set = match set_ids.get(record.headers.as_slice()) {
            Some(&set) => set,
            None => {
                let set = set_ids.len() as u32;
                let first = u32_of(rules.len() / layout::rule::LEN, "RULES")?;
                for op in &record.headers {
                    if !header_rules::is_writable(op) {
                        return Err(CompileError::BadHeaderRule(op.name().to_string()));
                    }
                    let code = match op {
                        HeaderOp::Add { .. } => layout::rule::ADD,
                        HeaderOp::Remove { .. } => layout::rule::REMOVE,
                    };
                    use layout::rule as r;
                    let mut entry = [0u8; r::LEN];
                    r::OP.put(&mut entry, &[code]);
                    r::NAME_LENGTH.put(&mut entry, &(op.name().len() as u16).to_le_bytes());
                    r::NAME_OFFSET.put(&mut entry, &strings.add(op.name())?.to_le_bytes());
                    r::VALUE_OFFSET.put(&mut entry, &strings.add(op.value())?.to_le_bytes());
                    let value_len = u32_of(op.value().len(), "RULES")?;
                    r::VALUE_LENGTH.put(&mut entry, &value_len.to_le_bytes());
                    rules.extend_from_slice(&entry);
                }
                let mut entry = [0u8; layout::rule_set::LEN];
                layout::rule_set::FIRST_RULE.put(&mut entry, &first.to_le_bytes());
                let count = record.headers.len() as u32;
                layout::rule_set::RULE_COUNT.put(&mut entry, &count.to_le_bytes());
                rule_sets.extend_from_slice(&entry);
                set_ids.insert(&record.headers, set);
                set
            }
        };

        // Exact names and suffixes go to the indexes; globs, in order, to GLOBS.
        for (list, kind) in [
            (&record.exact, PatternKind::Exact),
            (&record.suffix, PatternKind::Suffix),
            (&record.globs, PatternKind::Glob),
        ] {
            for pattern in list {
                if pattern.kind() != kind {
                    return Err(CompileError::BadPattern(pattern.to_string()));
                }
                domains.add(pattern, id, &mut strings)?;
            }
        }
        for pattern in &record.mx {
            mx.add(pattern, id, &mut strings)?;
        }

        let name_len = u16::try_from(record.name.len())
            .map_err(|_| CompileError::NameTooLong(record.name.clone()))?;
        use layout::record as r;
        let mut entry = [0u8; r::LEN];
        r::NAME_OFFSET.put(&mut entry, &strings.add(&record.name)?.to_le_bytes());
        r::NAME_LENGTH.put(&mut entry, &name_len.to_le_bytes());
        r::FLAGS.put(&mut entry, &[if record.default { r::DEFAULT } else { 0 }]);
        for (field, part) in [
            (r::ENCODING_GLOBAL, Part::Global),
            (r::ENCODING_HTML, Part::Html),
            (r::ENCODING_TEXT, Part::Text),
        ] {
            field.put(
                &mut entry,
                &[layout::encoding_code(record.encodings.get(part))],
            );
        }
        r::RULE_SET.put(&mut entry, &set.to_le_bytes());
        let count = u32_of(record.pattern_count(), "RECORDS")?;
        r::PATTERN_COUNT.put(&mut entry, &count.to_le_bytes());
        let count = u32_of(record.mx.len(), "RECORDS")?;
        r::MX_PATTERN_COUNT.put(&mut entry, &count.to_le_bytes());
        records.extend_from_slice(&entry);
    }

    // Each index depends only on its set of keys (the builder orders them);
    // equal keys share a bucket, so a duplicate costs nothing to find.
    let index = |keys: &Vec<Key<'_>>, name: &'static str| -> Result<buckets::Built, CompileError> {
        let built = buckets::build(keys)
            .map_err(|dup| CompileError::BadPattern(String::from_utf8_lossy(dup).into_owned()))?;
        u32_of(built.bytes.len(), name)?;
        Ok(built)
    };
    let exact = index(&domains.exact, "EXACT_INDEX")?;
    let suffix = index(&domains.suffix, "SUFFIX_INDEX")?;
    let mx_exact = index(&mx.exact, "MX_EXACT_INDEX")?;
    let mx_suffix = index(&mx.suffix, "MX_SUFFIX_INDEX")?;
    let mut m = [0u8; meta::LEN];
    for (field, n) in [
        (meta::RECORD_COUNT, model.records.len()),
        (
            meta::RULE_SET_COUNT,
            rule_sets.len() / layout::rule_set::LEN,
        ),
        (meta::RULE_COUNT, rules.len() / layout::rule::LEN),
    ] {
        field.put(&mut m, &u32_of(n, "META")?.to_le_bytes());
    }
    domains.describe(&mut m, meta::SET, &exact, &suffix)?;
    let mut mx_m = [0u8; mx_meta::LEN];
    mx.describe(&mut mx_m, mx_meta::SET, &mx_exact, &mx_suffix)?;

    let sections: [(SectionKind, &[u8]); 12] = [
        (SectionKind::Meta, &m),
        (SectionKind::ExactIndex, &exact.bytes),
        (SectionKind::SuffixIndex, &suffix.bytes),
        (SectionKind::Records, &records),
        (SectionKind::Strings, &strings.bytes),
        (SectionKind::RuleSets, &rule_sets),
        (SectionKind::Rules, &rules),
        (SectionKind::Globs, &domains.globs),
        (SectionKind::MxMeta, &mx_m),
        (SectionKind::MxExactIndex, &mx_exact.bytes),
        (SectionKind::MxSuffixIndex, &mx_suffix.bytes),
        (SectionKind::MxGlobs, &mx.globs),
    ];
    Ok(assemble(&sections))
}

/// The keys and globs of one set of patterns (the domains' or the MX hosts')
/// while a model is compiled.
#[derive(Default)]
struct SetKeys<'m> {
    exact: Vec<Key<'m>>,
    suffix: Vec<Key<'m>>,
    /// GLOBS entries, in precedence order.
    globs: Vec<u8>,
    glob_texts: HashSet<&'m str>,
    suffix_labels: u128,
    patterns: usize,
}

impl<'m> SetKeys<'m> {
    /// Files a pattern of record `id`: exact names and suffixes as index keys,
    /// globs as entries in order.
    fn add(
        &mut self,
        pattern: &'m Pattern,
        id: u16,
        strings: &mut StringTable,
    ) -> Result<(), CompileError> {
        self.patterns += 1;
        let key = pattern.key().as_bytes();
        match pattern.kind() {
            PatternKind::Glob => {
                let text = pattern.as_str();
                if !self.glob_texts.insert(text) {
                    return Err(CompileError::BadPattern(text.to_string()));
                }
                use layout::glob as g;
                let mut entry = [0u8; g::LEN];
                g::TEXT_OFFSET.put(&mut entry, &strings.add(text)?.to_le_bytes());
                g::TEXT_LENGTH.put(&mut entry, &(text.len() as u16).to_le_bytes());
                g::RECORD.put(&mut entry, &id.to_le_bytes());
                self.globs.extend_from_slice(&entry);
            }
            PatternKind::Exact => self.exact.push(Key {
                kind: KIND_EXACT,
                key,
                record: id,
            }),
            PatternKind::Suffix => {
                self.suffix_labels |= label_bit(key);
                self.suffix.push(Key {
                    kind: KIND_SUFFIX,
                    key,
                    record: id,
                });
            }
        }
        Ok(())
    }

    /// Writes the set's seeds, bucket counts and counts into its meta section.
    fn describe(
        &self,
        meta: &mut [u8],
        f: layout::SetFields,
        exact: &buckets::Built,
        suffix: &buckets::Built,
    ) -> Result<(), CompileError> {
        f.exact_seed.put(meta, &exact.seed.to_le_bytes());
        f.exact_bucket_count
            .put(meta, &exact.bucket_count.to_le_bytes());
        f.suffix_seed.put(meta, &suffix.seed.to_le_bytes());
        f.suffix_bucket_count
            .put(meta, &suffix.bucket_count.to_le_bytes());
        for (field, n) in [
            (f.pattern_count, self.patterns),
            (f.glob_count, self.globs.len() / layout::glob::LEN),
            (f.exact_count, self.exact.len()),
        ] {
            field.put(meta, &u32_of(n, "META")?.to_le_bytes());
        }
        f.suffix_label_mask
            .put(meta, &self.suffix_labels.to_le_bytes());
        Ok(())
    }
}

/// Lays out the header, the directory and the sections, each section aligned.
fn assemble(sections: &[(SectionKind, &[u8])]) -> Vec<u8> {
    let dir_len = sections.len() * directory::LEN;
    let mut offset = align(header::LEN + dir_len);
    let mut dir = vec![0u8; dir_len];
    for (i, (kind, bytes)) in sections.iter().enumerate() {
        let entry = &mut dir[i * directory::LEN..][..directory::LEN];
        directory::KIND.put(entry, &(*kind as u32).to_le_bytes());
        directory::OFFSET.put(entry, &(offset as u64).to_le_bytes());
        directory::LENGTH.put(entry, &(bytes.len() as u64).to_le_bytes());
        directory::CHECKSUM.put(entry, &xxh3_64(bytes).to_le_bytes());
        offset = align(offset + bytes.len());
    }
    let file_len = offset;
    let mut out = vec![0u8; header::LEN];
    header::MAGIC.put(&mut out, &layout::MAGIC);
    header::ENDIAN_CHECK.put(&mut out, &layout::ENDIAN_CHECK.to_le_bytes());
    header::MAJOR.put(&mut out, &layout::MAJOR.to_le_bytes());
    header::MINOR.put(&mut out, &layout::MINOR.to_le_bytes());
    header::FILE_LENGTH.put(&mut out, &(file_len as u64).to_le_bytes());
    header::SECTION_COUNT.put(&mut out, &(sections.len() as u32).to_le_bytes());
    header::HEADER_LENGTH.put(&mut out, &(header::LEN as u32).to_le_bytes());
    // Required features: none. The checksum is filled in below.
    out.extend_from_slice(&dir);
    let checksum = header_checksum(&out);
    header::HEADER_CHECKSUM.put(&mut out, &checksum.to_le_bytes());
    for (_, bytes) in sections {
        out.resize(align(out.len()), 0);
        out.extend_from_slice(bytes);
    }
    out.resize(file_len, 0);
    out
}
