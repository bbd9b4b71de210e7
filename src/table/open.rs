//! Opening a table: validation of the header, the directory and the small
//! sections, O(1) in the number of domains.
//!
//! Opening keeps positions, not copies: no string is copied, so memory stays
//! proportional to the small sections whatever the bytes say. The big sections
//! (the hash indexes) are never scanned on open, only their lengths checked
//! against their last bucket heads: every read from them is bounds checked,
//! bucket numbers always fall inside the index, a bucket scan reads at most
//! `MAX_BUCKET` summaries, and a key is only trusted after its bytes compare
//! equal to the query. So a corrupted table gives errors or wrong answers,
//! never a panic or an out-of-bounds read; [`Table::verify`] finds the corruption.

use std::fmt;
use std::ops::Range;
use std::sync::OnceLock;

use super::buckets::Buckets;
use super::error::{TableError, TableErrorKind};
use super::hash::header_checksum;
use super::layout::{self, KIND_EXACT, KIND_SUFFIX, SectionKind, directory, header, meta, mx_meta};
use crate::semantics::encoding::Effective;
use crate::semantics::glob_index::GlobIndex;

/// A compiled table over some bytes: a borrowed slice, an owned vector
/// ([`Table::load`]), or a memory map (`Table::open`).
pub struct Table<B> {
    pub(super) bytes: B,
    pub(super) parsed: Parsed,
}

impl<B> fmt::Debug for Table<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Table")
            .field("version", &self.parsed.version)
            .field("records", &self.parsed.records.len())
            .field("exact_buckets", &self.parsed.domains.exact.bucket_count)
            .finish_non_exhaustive()
    }
}

impl<B: AsRef<[u8]>> Table<B> {
    /// Validates the header, the directory and the small sections, in time and
    /// memory independent of the number of domains.
    pub fn from_bytes(bytes: B) -> Result<Table<B>, TableError> {
        let parsed = parse(bytes.as_ref())?;
        Ok(Table { bytes, parsed })
    }

    #[inline]
    pub(super) fn data(&self) -> &[u8] {
        self.bytes.as_ref()
    }

    #[inline]
    pub(super) fn section(&self, kind: SectionKind) -> &[u8] {
        // Ranges were checked against the length on open.
        &self.data()[self.parsed.section(kind)]
    }

    /// The arrays of one of the table's indexes.
    #[inline]
    pub(super) fn buckets(&self, index: Index) -> Buckets<'_> {
        Buckets::split(self.section(index.section), index.lengths)
    }

    /// The format version the table was written with.
    pub fn version(&self) -> (u16, u16) {
        self.parsed.version
    }

    /// The total size in bytes.
    pub fn len(&self) -> usize {
        self.data().len()
    }

    /// Whether the table has no bytes (never true for a valid table).
    pub fn is_empty(&self) -> bool {
        self.data().is_empty()
    }

    /// How many records the table holds.
    pub fn record_count(&self) -> usize {
        self.parsed.records.len()
    }
}

/// What a header rule does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleOp {
    /// Add the header.
    Add,
    /// Remove every occurrence of the header.
    Remove,
}

/// A record's place in the table, as validated on open.
#[derive(Clone, Debug)]
pub(super) struct RecordInfo {
    /// The name's bytes (absolute offsets in the file).
    pub name: Range<usize>,
    pub default: bool,
    pub encodings: Effective,
    pub rule_set: usize,
    pub pattern_count: usize,
    pub mx_pattern_count: usize,
}

#[derive(Clone, Debug)]
pub(super) struct RuleInfo {
    pub op: RuleOp,
    pub name: Range<usize>,
    pub value: Range<usize>,
}

#[derive(Clone, Debug)]
pub(super) struct GlobInfo {
    pub text: Range<usize>,
    pub record: u16,
}

/// A directory entry: the section's kind, its bytes and their checksum.
pub(super) type DirEntry = (SectionKind, Range<usize>, u64);

/// One of the two hash indexes.
#[derive(Clone, Copy, Debug)]
pub(super) struct Index {
    /// `KIND_EXACT` or `KIND_SUFFIX`.
    pub kind: u8,
    pub section: SectionKind,
    pub seed: u64,
    pub bucket_count: u32,
    /// The lengths of the bucket heads and of the summaries in the section
    /// ([`Buckets::split`]).
    pub lengths: (usize, usize),
}

/// One set of patterns: the domains' (steps 1-3) or the MX hosts' (step 4), each
/// with two hash indexes and a list of globs.
pub(super) struct Patterns {
    /// The name of its meta section, for messages.
    pub meta_name: &'static str,
    pub exact: Index,
    pub suffix: Index,
    pub globs_section: SectionKind,
    pub pattern_count: usize,
    pub exact_count: u32,
    pub suffix_labels: u128,
    pub globs: Vec<GlobInfo>,
    pub glob_index: OnceLock<GlobIndex>,
}

/// Everything validated on open; positions only, no copies of the table's bytes.
pub(super) struct Parsed {
    pub version: (u16, u16),
    sections: [Range<usize>; SectionKind::ALL.len()],
    pub directory: Vec<DirEntry>,
    /// Where the directory ends.
    pub directory_end: usize,
    /// Every section's bytes, unknown kinds included, sorted and non-empty.
    pub all_sections: Vec<Range<usize>>,
    pub domains: Patterns,
    pub mx: Patterns,
    pub records: Vec<RecordInfo>,
    pub rules: Vec<RuleInfo>,
    pub rule_sets: Vec<Range<usize>>,
}

impl Parsed {
    #[inline]
    pub fn section(&self, kind: SectionKind) -> Range<usize> {
        self.sections[kind.position()].clone()
    }
}

/// Text at a position validated on open.
#[inline]
pub(super) fn text(data: &[u8], range: Range<usize>) -> &str {
    data.get(range)
        .and_then(|b| std::str::from_utf8(b).ok())
        .unwrap_or("")
}

/// Everything checked on open.
fn parse(data: &[u8]) -> Result<Parsed, TableError> {
    let head = read_header(data)?;
    let mut sections: [Range<usize>; SectionKind::ALL.len()] = Default::default();
    for (kind, range, _) in &head.directory {
        sections[kind.position()] = range.clone();
    }
    let range = |kind: SectionKind| sections[kind.position()].clone();
    let section = |kind: SectionKind| &data[range(kind)];
    let record_count = {
        let m = section(SectionKind::Meta);
        if m.len() != meta::LEN {
            return Err(TableError::section(
                "META",
                format!("{} bytes, expected {}", m.len(), meta::LEN),
            ));
        }
        meta::RECORD_COUNT.u32(m).unwrap_or(0) as usize
    };
    let expect_len = |kind: SectionKind,
                      unit: usize,
                      count: usize,
                      meta: SectionKind|
     -> Result<(), TableError> {
        let len = range(kind).len();
        let need = unit as u128 * count as u128;
        if len as u128 != need {
            return Err(TableError::section(
                kind.name(),
                format!(
                    "{len} bytes, but {}'s count of {count} entries needs {need}",
                    meta.name()
                ),
            ));
        }
        Ok(())
    };
    if record_count > layout::MAX_RECORDS {
        return Err(TableError::section(
            "META",
            format!("{record_count} records"),
        ));
    }
    let m = section(SectionKind::Meta);
    let count = |field: layout::Field| field.u32(m).unwrap_or(0) as usize;
    let from_meta = SectionKind::Meta;
    expect_len(
        SectionKind::Records,
        layout::record::LEN,
        record_count,
        from_meta,
    )?;
    expect_len(
        SectionKind::RuleSets,
        layout::rule_set::LEN,
        count(meta::RULE_SET_COUNT),
        from_meta,
    )?;
    expect_len(
        SectionKind::Rules,
        layout::rule::LEN,
        count(meta::RULE_COUNT),
        from_meta,
    )?;
    let strings = StringsView::new(data, range(SectionKind::Strings))?;
    let rules = parse_rules(section(SectionKind::Rules), &strings)?;
    let rule_sets = parse_rule_sets(section(SectionKind::RuleSets), rules.len())?;
    let records = parse_records(section(SectionKind::Records), &strings, rule_sets.len())?;
    let set = |shape: &SetShape| -> Result<Patterns, TableError> {
        let m = section(shape.meta);
        if m.len() != shape.meta_len {
            return Err(TableError::section(
                shape.meta.name(),
                format!("{} bytes, expected {}", m.len(), shape.meta_len),
            ));
        }
        let count = |field: layout::Field| field.u32(m).unwrap_or(0) as usize;
        // An index section's length must be what its last bucket head says
        // (everything else about it is the full check's).
        let index = |kind, at: SectionKind, seed: layout::Field, buckets: layout::Field| {
            let bucket_count = count(buckets) as u32;
            if bucket_count == 0 {
                return Err(TableError::section(
                    shape.meta.name(),
                    "an index with no buckets",
                ));
            }
            let lengths = Buckets::new(section(at), bucket_count)
                .map_err(|m| TableError::section(at.name(), m))?
                .lengths();
            Ok(Index {
                kind,
                section: at,
                seed: seed.u64(m).unwrap_or(0),
                bucket_count,
                lengths,
            })
        };
        let f = shape.fields;
        let exact = index(KIND_EXACT, shape.exact, f.exact_seed, f.exact_bucket_count)?;
        let suffix = index(
            KIND_SUFFIX,
            shape.suffix,
            f.suffix_seed,
            f.suffix_bucket_count,
        )?;
        expect_len(
            shape.globs,
            layout::glob::LEN,
            count(f.glob_count),
            shape.meta,
        )?;
        let globs = parse_globs(
            section(shape.globs),
            shape.globs.name(),
            &strings,
            record_count,
        )?;
        Ok(Patterns {
            meta_name: shape.meta.name(),
            exact,
            suffix,
            globs_section: shape.globs,
            pattern_count: count(f.pattern_count),
            exact_count: count(f.exact_count) as u32,
            suffix_labels: f.suffix_label_mask.u128(m).unwrap_or(0),
            globs,
            glob_index: OnceLock::new(),
        })
    };
    let domains = set(&DOMAINS)?;
    let mx = set(&MX)?;
    Ok(Parsed {
        version: head.version,
        sections,
        directory: head.directory,
        directory_end: head.directory_end,
        all_sections: head.all_sections,
        domains,
        mx,
        records,
        rules,
        rule_sets,
    })
}

/// Where one set of patterns lives: its meta section and the fields in it, its
/// indexes and its globs.
struct SetShape {
    meta: SectionKind,
    meta_len: usize,
    fields: layout::SetFields,
    exact: SectionKind,
    suffix: SectionKind,
    globs: SectionKind,
}

const DOMAINS: SetShape = SetShape {
    meta: SectionKind::Meta,
    meta_len: meta::LEN,
    fields: meta::SET,
    exact: SectionKind::ExactIndex,
    suffix: SectionKind::SuffixIndex,
    globs: SectionKind::Globs,
};

const MX: SetShape = SetShape {
    meta: SectionKind::MxMeta,
    meta_len: mx_meta::LEN,
    fields: mx_meta::SET,
    exact: SectionKind::MxExactIndex,
    suffix: SectionKind::MxSuffixIndex,
    globs: SectionKind::MxGlobs,
};

/// What the header and the directory say.
struct Head {
    version: (u16, u16),
    /// The known sections.
    directory: Vec<DirEntry>,
    directory_end: usize,
    /// Every section's bytes, unknown kinds included, sorted and non-empty.
    all_sections: Vec<Range<usize>>,
}

/// Checks what the first [`header::LEN`] bytes of a file of `total` bytes say
/// about it: the magic label, the byte order, the major version and the length.
/// [`Table::load`] asks this before it reads the rest, so a large file that is
/// not a table is never read whole.
pub(super) fn check_start(start: &[u8], total: usize) -> Result<(), TableError> {
    if start.len() < header::LEN {
        return Err(TableErrorKind::TooShort(start.len()).into());
    }
    if start[header::MAGIC.range(0)] != layout::MAGIC {
        return Err(TableErrorKind::NotATable.into());
    }
    if header::ENDIAN_CHECK.u32(start) != Some(layout::ENDIAN_CHECK) {
        return Err(TableErrorKind::WrongEndianness.into());
    }
    let major = header::MAJOR.u16(start).unwrap_or(0);
    let minor = header::MINOR.u16(start).unwrap_or(0);
    if major != layout::MAJOR {
        return Err(TableErrorKind::UnsupportedVersion(major, minor).into());
    }
    let file_len = header::FILE_LENGTH.u64(start).unwrap_or(0);
    if file_len != total as u64 {
        return Err(TableErrorKind::WrongLength {
            expected: file_len,
            actual: total,
        }
        .into());
    }
    Ok(())
}

/// Checks the header and the directory.
fn read_header(data: &[u8]) -> Result<Head, TableError> {
    check_start(data, data.len())?;
    let major = header::MAJOR.u16(data).unwrap_or(0);
    let minor = header::MINOR.u16(data).unwrap_or(0);
    let count = header::SECTION_COUNT.u32(data).unwrap_or(0) as usize;
    if count > layout::MAX_SECTIONS {
        return Err(TableErrorKind::Directory(format!(
            "{count} sections (at most {})",
            layout::MAX_SECTIONS
        ))
        .into());
    }
    let header_len = header::HEADER_LENGTH.u32(data).unwrap_or(0);
    if header_len != header::LEN as u32 {
        return Err(TableErrorKind::Directory(format!(
            "header length {header_len}, expected {}",
            header::LEN
        ))
        .into());
    }
    let dir_end = header::LEN + count * directory::LEN;
    let head = data
        .get(..dir_end)
        .ok_or_else(|| TableErrorKind::Directory("past the end of the file".into()))?;
    if header::HEADER_CHECKSUM.u64(data) != Some(header_checksum(head)) {
        return Err(TableErrorKind::HeaderChecksum.into());
    }
    let flags = header::REQUIRED_FEATURES.u64(data).unwrap_or(0);
    if flags != 0 {
        return Err(TableErrorKind::UnknownFeatures(flags).into());
    }
    let bad = |m: String| TableError::from(TableErrorKind::Directory(m));
    let mut known = Vec::with_capacity(count);
    let mut all = Vec::with_capacity(count);
    for i in 0..count {
        let entry = &data[header::LEN + i * directory::LEN..][..directory::LEN];
        let kind_n = directory::KIND.u32(entry).unwrap_or(0);
        let offset = directory::OFFSET.u64(entry).unwrap_or(u64::MAX);
        let len = directory::LENGTH.u64(entry).unwrap_or(u64::MAX);
        let checksum = directory::CHECKSUM.u64(entry).unwrap_or(0);
        let end = offset
            .checked_add(len)
            .ok_or_else(|| bad(format!("section {i} overflows")))?;
        if end > data.len() as u64 {
            return Err(bad(format!(
                "section {i} ({offset}..{end}) is outside the file"
            )));
        }
        if offset < dir_end as u64 {
            return Err(bad(format!(
                "section {i} ({offset}..{end}) overlaps the header or the directory"
            )));
        }
        if !(offset as usize).is_multiple_of(layout::ALIGN) {
            return Err(bad(format!(
                "section {i} at {offset} is not {}-byte aligned",
                layout::ALIGN
            )));
        }
        all.push(offset as usize..end as usize);
        // Unknown kinds are skipped: a later minor version may add sections. So
        // are kinds of a later minor than the table's (in a table of an earlier
        // minor, that kind number meant nothing yet).
        let Some(kind) = SectionKind::from_u32(kind_n).filter(|k| minor >= k.since_minor()) else {
            continue;
        };
        if known.iter().any(|(k, _, _)| *k == kind) {
            return Err(bad(format!("section {} appears twice", kind.name())));
        }
        known.push((kind, offset as usize..end as usize, checksum));
    }
    for kind in SectionKind::ALL {
        let present = known.iter().any(|(k, _, _)| *k == kind);
        if !present && minor >= kind.since_minor() {
            return Err(bad(format!("section {} is missing", kind.name())));
        }
    }
    // Sections may not overlap (empty ones overlap nothing).
    all.retain(|r| !r.is_empty());
    all.sort_by_key(|r| r.start);
    if let Some(w) = all.windows(2).find(|w| w[0].end > w[1].start) {
        return Err(bad(format!(
            "the sections at {:?} and {:?} overlap",
            w[0], w[1]
        )));
    }
    Ok(Head {
        version: (major, minor),
        directory: known,
        directory_end: dir_end,
        all_sections: all,
    })
}

/// The STRINGS section, validated once as UTF-8 so that slices of it need only a
/// boundary check.
struct StringsView<'a> {
    start: usize,
    text: &'a str,
}

impl<'a> StringsView<'a> {
    fn new(data: &'a [u8], range: Range<usize>) -> Result<StringsView<'a>, TableError> {
        let text = std::str::from_utf8(&data[range.clone()])
            .map_err(|_| TableError::section("STRINGS", "not UTF-8"))?;
        Ok(StringsView {
            start: range.start,
            text,
        })
    }

    /// The absolute range of the string at (`offset`, `len`), if it is whole
    /// characters inside the section.
    fn get(
        &self,
        offset: u32,
        len: usize,
        section: &'static str,
    ) -> Result<Range<usize>, TableError> {
        let start = offset as usize;
        let end = start.saturating_add(len);
        if end > self.text.len()
            || !self.text.is_char_boundary(start)
            || !self.text.is_char_boundary(end)
        {
            return Err(TableError::section(section, "a string is out of bounds"));
        }
        Ok(self.start + start..self.start + end)
    }

    fn str(&self, absolute: &Range<usize>) -> &str {
        &self.text[absolute.start - self.start..absolute.end - self.start]
    }
}

/// Rules are checked here, on open, because the MTA writes them into messages:
/// the same rules as the compiler's (a field name, no control character in a
/// value, a line that fits).
fn parse_rules(rules: &[u8], strings: &StringsView<'_>) -> Result<Vec<RuleInfo>, TableError> {
    use crate::semantics::header;
    use layout::rule;
    rules
        .chunks_exact(rule::LEN)
        .map(|r| {
            let name_len = usize::from(rule::NAME_LENGTH.u16(r).unwrap_or(0));
            let value_len = rule::VALUE_LENGTH.u32(r).unwrap_or(0) as usize;
            if name_len > layout::MAX_RULE_TEXT || value_len > layout::MAX_RULE_TEXT {
                return Err(TableError::section(
                    "RULES",
                    "a header name or value is too long",
                ));
            }
            let name = strings.get(rule::NAME_OFFSET.u32(r).unwrap_or(0), name_len, "RULES")?;
            let value = strings.get(rule::VALUE_OFFSET.u32(r).unwrap_or(0), value_len, "RULES")?;
            if !header::is_valid_name(strings.str(&name)) {
                return Err(TableError::section("RULES", "an invalid header name"));
            }
            if header::control_char(strings.str(&value)).is_some() {
                return Err(TableError::section(
                    "RULES",
                    "a control character in a header value",
                ));
            }
            let op = match rule::OP.u8(r).unwrap_or(u8::MAX) {
                rule::ADD => RuleOp::Add,
                rule::REMOVE if value.is_empty() => RuleOp::Remove,
                rule::REMOVE => {
                    return Err(TableError::section("RULES", "a remove rule with a value"));
                }
                op => {
                    return Err(TableError::section(
                        "RULES",
                        format!("unknown rule operation {op}"),
                    ));
                }
            };
            Ok(RuleInfo { op, name, value })
        })
        .collect()
}

fn parse_rule_sets(sets: &[u8], rule_count: usize) -> Result<Vec<Range<usize>>, TableError> {
    use layout::rule_set;
    sets.chunks_exact(rule_set::LEN)
        .map(|s| {
            let first = rule_set::FIRST_RULE.u32(s).unwrap_or(0) as usize;
            let end = first.saturating_add(rule_set::RULE_COUNT.u32(s).unwrap_or(0) as usize);
            if end > rule_count {
                return Err(TableError::section(
                    "RULE_SETS",
                    "a rule set is out of bounds",
                ));
            }
            Ok(first..end)
        })
        .collect()
}

fn parse_records(
    records: &[u8],
    strings: &StringsView<'_>,
    rule_sets: usize,
) -> Result<Vec<RecordInfo>, TableError> {
    use layout::record;
    records
        .chunks_exact(record::LEN)
        .map(|r| {
            let name = strings.get(
                record::NAME_OFFSET.u32(r).unwrap_or(0),
                usize::from(record::NAME_LENGTH.u16(r).unwrap_or(0)),
                "RECORDS",
            )?;
            // Names are printed by every reader: the compiler's rule holds here too.
            let text = strings.str(&name);
            if text.is_empty() || crate::semantics::record_name::check(text).is_err() {
                return Err(TableError::section(
                    "RECORDS",
                    "a record name is empty, padded, or holds an invisible character",
                ));
            }
            let flags = record::FLAGS.u8(r).unwrap_or(u8::MAX);
            if flags & !record::DEFAULT != 0 {
                return Err(TableError::section(
                    "RECORDS",
                    format!("unknown record flags {flags:#x}"),
                ));
            }
            let encoding = |field: layout::Field| {
                let code = field.u8(r).unwrap_or(u8::MAX);
                layout::encoding_of(code).ok_or_else(|| {
                    TableError::section("RECORDS", format!("unknown encoding {code}"))
                })
            };
            let encodings = Effective::new(
                encoding(record::ENCODING_GLOBAL)?,
                encoding(record::ENCODING_HTML)?,
                encoding(record::ENCODING_TEXT)?,
            );
            let rule_set = record::RULE_SET.u32(r).unwrap_or(u32::MAX) as usize;
            if rule_set >= rule_sets {
                return Err(TableError::section("RECORDS", "rule set out of bounds"));
            }
            Ok(RecordInfo {
                name,
                default: flags & record::DEFAULT != 0,
                encodings,
                rule_set,
                pattern_count: record::PATTERN_COUNT.u32(r).unwrap_or(0) as usize,
                mx_pattern_count: record::MX_PATTERN_COUNT.u32(r).unwrap_or(0) as usize,
            })
        })
        .collect()
}

fn parse_globs(
    globs: &[u8],
    section: &'static str,
    strings: &StringsView<'_>,
    record_count: usize,
) -> Result<Vec<GlobInfo>, TableError> {
    use layout::glob;
    globs
        .chunks_exact(glob::LEN)
        .map(|g| {
            let len = usize::from(glob::TEXT_LENGTH.u16(g).unwrap_or(0));
            let record = glob::RECORD.u16(g).unwrap_or(u16::MAX);
            if len == 0
                || len > crate::semantics::name::MAX_NAME_LEN
                || usize::from(record) >= record_count
            {
                return Err(TableError::section(
                    section,
                    "an entry is not a glob of a known record",
                ));
            }
            let text = strings.get(glob::TEXT_OFFSET.u32(g).unwrap_or(0), len, section)?;
            Ok(GlobInfo { text, record })
        })
        .collect()
}
