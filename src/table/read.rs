//! Reading a table: validation on open (O(1) in the number of domains) and lookups.
//!
//! Opening checks the header, the directory and the small sections (records, header
//! rules, rule sets, globs) and keeps their positions: no string is copied, so
//! memory stays proportional to the small sections whatever the bytes say. The big
//! sections (the two hash indexes, the long keys) are never scanned on open: every
//! read from them is bounds checked, bucket numbers always fall inside the index,
//! an entry never reads past its bucket, and a key is only trusted after its bytes
//! compare equal to the query. So a corrupted table gives errors or wrong answers,
//! never a panic or an out-of-bounds read; [`Table::verify`] finds the corruption.

use std::fmt;
use std::ops::Range;
use std::sync::OnceLock;

use super::format::*;
use crate::domain::PatternKind;
use crate::model::{Encoding, Part};

/// Why bytes are not a valid table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatError {
    kind: FormatErrorKind,
}

/// What is wrong with a table.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FormatErrorKind {
    /// Shorter than the header.
    TooShort(usize),
    /// The first bytes are not the table's magic label.
    NotATable,
    /// Written with another byte order.
    WrongEndianness,
    /// A major version this reader does not read.
    UnsupportedVersion(u16, u16),
    /// The length recorded in the header differs from the actual length (a
    /// truncated or extended file).
    WrongLength {
        /// Recorded.
        expected: u64,
        /// Actual.
        actual: usize,
    },
    /// The header or directory checksum does not match.
    HeaderChecksum,
    /// The header asks for features this reader does not have.
    UnknownFeatures(u64),
    /// The directory is malformed (count, bounds, alignment, overlap, duplicates).
    Directory(String),
    /// A section's checksum does not match (from [`Table::verify`]).
    SectionChecksum(&'static str),
    /// A section's contents are malformed.
    Section(&'static str, String),
    /// Bytes outside every section are not zero (from [`Table::verify`]): nothing
    /// reads them, so they are damage or hidden data.
    /// The file offset of the first such byte.
    Padding(usize),
}

impl FormatError {
    /// What is wrong.
    pub fn kind(&self) -> &FormatErrorKind {
        &self.kind
    }

    pub(super) fn section(section: &'static str, message: impl Into<String>) -> FormatError {
        FormatErrorKind::Section(section, message.into()).into()
    }
}

impl From<FormatErrorKind> for FormatError {
    fn from(kind: FormatErrorKind) -> Self {
        FormatError { kind }
    }
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            FormatErrorKind::TooShort(n) => write!(f, "{n} bytes is too short for a table"),
            FormatErrorKind::NotATable => f.write_str("not an isptab table (wrong magic bytes)"),
            FormatErrorKind::WrongEndianness => {
                f.write_str("the table was written with another byte order")
            }
            FormatErrorKind::UnsupportedVersion(major, minor) => {
                write!(
                    f,
                    "table format {major}.{minor}; this isptab reads format {MAJOR}.x"
                )
            }
            FormatErrorKind::WrongLength { expected, actual } => write!(
                f,
                "the table should be {expected} bytes but is {actual} (truncated or appended to?)"
            ),
            FormatErrorKind::HeaderChecksum => f.write_str("the header checksum does not match"),
            FormatErrorKind::UnknownFeatures(bits) => {
                write!(
                    f,
                    "the table needs features this isptab does not have (flags {bits:#x})"
                )
            }
            FormatErrorKind::Directory(m) => write!(f, "bad section directory: {m}"),
            FormatErrorKind::SectionChecksum(s) => {
                write!(f, "the checksum of section {s} does not match")
            }
            FormatErrorKind::Section(s, m) => write!(f, "bad section {s}: {m}"),
            FormatErrorKind::Padding(at) => {
                write!(f, "a non-zero byte at offset {at}, outside every section")
            }
        }
    }
}

impl std::error::Error for FormatError {}

/// What a header rule does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleOp {
    /// Add the header.
    Add,
    /// Remove every occurrence of the header.
    Remove,
}

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

/// A record's place in the table, as validated on open.
#[derive(Clone, Debug)]
struct RecordInfo {
    /// The name's bytes (absolute offsets in the file).
    name: Range<usize>,
    default: bool,
    encodings: [Encoding; 3],
    rule_set: usize,
    pattern_count: usize,
}

#[derive(Clone, Debug)]
struct RuleInfo {
    op: RuleOp,
    name: Range<usize>,
    value: Range<usize>,
}

#[derive(Clone, Debug)]
struct GlobInfo {
    text: Range<usize>,
    record: u16,
}

/// A directory entry: the section's kind, its bytes and their checksum.
pub(super) type DirEntry = (SectionKind, Range<usize>, u64);

/// Everything validated on open; positions only, no copies of the table's bytes.
struct Parsed {
    version: (u16, u16),
    sections: [Range<usize>; SectionKind::ALL.len()],
    directory: Vec<DirEntry>,
    /// Every section's bytes, unknown kinds included.
    all_sections: Vec<Range<usize>>,
    exact: Index,
    suffix: Index,
    pattern_count: usize,
    exact_count: u32,
    suffix_labels: u128,
    records: Vec<RecordInfo>,
    rules: Vec<RuleInfo>,
    rule_sets: Vec<Range<usize>>,
    globs: Vec<GlobInfo>,
    glob_index: OnceLock<crate::globs::GlobIndex>,
}

impl Parsed {
    fn section(&self, kind: SectionKind) -> Range<usize> {
        self.sections[kind as usize - 1].clone()
    }

    /// The index keys of a kind live in.
    fn index(&self, kind: u8) -> Index {
        if kind == KIND_EXACT {
            self.exact
        } else {
            self.suffix
        }
    }
}

/// One of the two hash indexes.
#[derive(Clone, Copy, Debug)]
pub(super) struct Index {
    /// `KIND_EXACT` or `KIND_SUFFIX`.
    pub kind: u8,
    pub section: SectionKind,
    pub seed: u64,
    pub bucket_count: u32,
}

/// Text at a position validated on open.
fn text(data: &[u8], range: Range<usize>) -> &str {
    data.get(range)
        .and_then(|b| std::str::from_utf8(b).ok())
        .unwrap_or("")
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
    pub fn encodings(&self) -> [Encoding; 3] {
        self.info().encodings
    }

    /// The encoding in effect for a part.
    pub fn encoding(&self, part: Part) -> Encoding {
        let [global, html, text] = self.info().encodings;
        match part {
            Part::Global => global,
            Part::Html => html,
            Part::Text => text,
        }
    }

    /// How many patterns the record has.
    pub fn pattern_count(&self) -> usize {
        self.info().pattern_count
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

/// A compiled table over some bytes: a borrowed slice, an owned vector, or a memory
/// map ([`Table::open`]).
pub struct Table<B> {
    bytes: B,
    parsed: Parsed,
}

impl<B> fmt::Debug for Table<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Table")
            .field("version", &self.parsed.version)
            .field("records", &self.parsed.records.len())
            .field("exact_buckets", &self.parsed.exact.bucket_count)
            .finish_non_exhaustive()
    }
}

/// The most labels a domain has (253 bytes, one-letter labels).
const MAX_LABELS: usize = 127;
/// Candidates hashed and touched together (a name has more only when many of
/// its suffixes could be rules).
const BATCH: usize = 8;
/// The longest header name or value a table may hold (a header line is at most 998
/// octets); it also bounds the work of checking rules on open.
const MAX_RULE_TEXT: usize = 998;

impl<B: AsRef<[u8]>> Table<B> {
    /// Validates the header, the directory and the small sections, in time and
    /// memory independent of the number of domains.
    pub fn from_bytes(bytes: B) -> Result<Table<B>, FormatError> {
        let parsed = parse(bytes.as_ref())?;
        Ok(Table { bytes, parsed })
    }

    fn data(&self) -> &[u8] {
        self.bytes.as_ref()
    }

    fn section(&self, kind: SectionKind) -> &[u8] {
        // Ranges were checked against the length on open.
        &self.data()[self.parsed.section(kind)]
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

    /// Every entry of both indexes: the index, the bucket number and the entry, in
    /// bucket order. Stops at the first malformed entry of a bucket (only a
    /// corrupted table has one).
    pub(super) fn entries(&self) -> impl Iterator<Item = (Index, usize, Entry<'_>)> {
        [self.parsed.exact, self.parsed.suffix]
            .into_iter()
            .flat_map(move |index| {
                self.section(index.section)
                    .chunks_exact(BUCKET_LEN)
                    .enumerate()
                    .flat_map(move |(b, bucket)| {
                        let mut at = 0;
                        std::iter::from_fn(move || {
                            let entry = read_entry(bucket, at)?;
                            at = entry.next;
                            Some((index, b, entry))
                        })
                    })
            })
    }

    /// Every record's patterns: exact names and suffix rules (sorted by kind and
    /// text; the index keeps no order among them, and none is needed: they never
    /// compete), then its globs in precedence order.
    pub fn patterns_by_record(&self) -> Result<Vec<Vec<MatchedPattern<'_>>>, FormatError> {
        let long_keys = self.section(SectionKind::LongKeys);
        let mut out: Vec<Vec<MatchedPattern<'_>>> = vec![Vec::new(); self.parsed.records.len()];
        for (index, b, entry) in self.entries() {
            let bad =
                |m: &str| FormatError::section(index.section.name(), format!("bucket {b}: {m}"));
            let key = entry
                .key(long_keys)
                .ok_or_else(|| bad("a long key is out of bounds"))?;
            let key = std::str::from_utf8(key).map_err(|_| bad("a key is not UTF-8"))?;
            let kind = pattern_kind(entry.kind);
            out.get_mut(usize::from(entry.record))
                .ok_or_else(|| bad("an entry names a record that does not exist"))?
                .push(MatchedPattern { kind, key });
        }
        for list in &mut out {
            list.sort_by(|a, b| (a.kind, a.key).cmp(&(b.kind, b.key)));
        }
        for g in &self.parsed.globs {
            out[usize::from(g.record)].push(MatchedPattern {
                kind: PatternKind::Glob,
                key: text(self.data(), g.text.clone()),
            });
        }
        self.check_pattern_counts(out.iter().map(Vec::len))?;
        Ok(out)
    }

    /// Each record's pattern count (in RECORDS) against the number of index
    /// entries and globs that name it, given in record order.
    pub(super) fn check_pattern_counts(
        &self,
        found: impl Iterator<Item = usize>,
    ) -> Result<(), FormatError> {
        for (record, found) in self.records().zip(found) {
            if found != record.pattern_count() {
                return Err(FormatError::section(
                    "RECORDS",
                    format!(
                        "record `{}` has {found} patterns, {} expected",
                        record.name(),
                        record.pattern_count()
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Looks up a query: an email address or a domain, in any case, with or without
    /// a trailing dot, Unicode or punycode.
    pub fn lookup<'q>(&self, query: &'q str) -> crate::query::Answer<'q, TableMatch<'_>> {
        crate::query::answer(query, |domain| self.lookup_domain(domain))
    }

    /// Looks up a normalized domain (lowercase ASCII, no trailing dot): the exact
    /// name, then suffix rules from the longest suffix, then globs in order.
    pub fn lookup_domain(&self, domain: &str) -> Option<TableMatch<'_>> {
        let d = domain.as_bytes();
        if d.len() > crate::domain::MAX_NAME_LEN {
            return None;
        }
        // The candidate keys in precedence order: the name itself (start 0), then
        // each suffix, longest first, whose label count some suffix rule has.
        let mut starts = [0u8; MAX_LABELS + 1];
        let mut n = 0;
        let first_suffix = usize::from(self.parsed.exact_count > 0);
        n += first_suffix;
        let mask = self.parsed.suffix_labels;
        if mask != 0 {
            let mut dots = [0u8; MAX_LABELS];
            let mut count = 0;
            for (i, &b) in d.iter().enumerate() {
                if b == b'.' && count < dots.len() {
                    dots[count] = i as u8;
                    count += 1;
                }
            }
            for (j, &dot) in dots[..count].iter().enumerate() {
                // The suffix after dot `j` has `count - j` labels.
                if mask & (1u128 << (count - j)) != 0 {
                    starts[n] = dot + 1;
                    n += 1;
                }
            }
        }
        for (i, batch) in starts[..n].chunks(BATCH).enumerate() {
            let exact_first = i == 0 && first_suffix == 1;
            if let Some(found) = self.probe_batch(d, batch, exact_first) {
                return Some(found);
            }
        }
        self.glob_lookup(domain)
    }

    /// Probes a batch of candidates (key starts in `d`; the first is the exact name
    /// when `exact_first`). Every key is a function of the query alone, so all are
    /// hashed and their buckets touched first: the cache misses overlap instead of
    /// following one another. Then they are checked in order, each against the
    /// whole keys stored in its two buckets.
    fn probe_batch(&self, d: &[u8], batch: &[u8], exact_first: bool) -> Option<TableMatch<'_>> {
        let kind_of = |i: usize| {
            if i == 0 && exact_first {
                KIND_EXACT
            } else {
                KIND_SUFFIX
            }
        };
        let mut probes = [(0u8, 0u32, 0u32); BATCH];
        let mut touched = 0u8;
        for (i, (p, &start)) in probes.iter_mut().zip(batch).enumerate() {
            let index = self.parsed.index(kind_of(i));
            let buckets = self.section(index.section);
            let h = probe(
                index.seed,
                index.kind,
                &d[usize::from(start)..],
                index.bucket_count,
            );
            *p = (h.tag, h.first as u32, h.second as u32);
            touched ^= buckets.get(h.first * BUCKET_LEN).copied().unwrap_or(0);
            touched ^= buckets.get(h.second * BUCKET_LEN).copied().unwrap_or(0);
        }
        std::hint::black_box(touched);
        let long_keys = self.section(SectionKind::LongKeys);
        for (i, (&(tag, first, second), &start)) in probes.iter().zip(batch).enumerate() {
            let kind = kind_of(i);
            let buckets = self.section(self.parsed.index(kind).section);
            let key = &d[usize::from(start)..];
            for b in [first, second] {
                let at = b as usize * BUCKET_LEN;
                let Some(bucket) = buckets
                    .get(at..at + BUCKET_LEN)
                    .and_then(|s| <&[u8; BUCKET_LEN]>::try_from(s).ok())
                else {
                    continue;
                };
                if let Some((record, stored)) = find_in_bucket(bucket, tag, kind, key, long_keys)
                    && let (Some(record), Ok(stored)) =
                        (self.record(record), std::str::from_utf8(stored))
                {
                    let kind = pattern_kind(kind);
                    return Some(TableMatch {
                        record,
                        pattern: MatchedPattern { kind, key: stored },
                    });
                }
            }
        }
        None
    }

    /// The globs, indexed on first use. A glob that does not compile (a corrupted
    /// table) never matches; [`Table::verify`] reports it.
    fn glob_lookup(&self, domain: &str) -> Option<TableMatch<'_>> {
        if self.parsed.globs.is_empty() {
            return None;
        }
        let index = self.parsed.glob_index.get_or_init(|| {
            crate::globs::GlobIndex::new(
                self.parsed
                    .globs
                    .iter()
                    .map(|g| text(self.data(), g.text.clone())),
            )
        });
        let glob = &self.parsed.globs[index.first_match(domain, |_| true)?];
        Some(TableMatch {
            record: self.record(glob.record)?,
            pattern: MatchedPattern {
                kind: PatternKind::Glob,
                key: text(self.data(), glob.text.clone()),
            },
        })
    }

    /// The full check: the checksum of every known section, zeros outside every
    /// section, every entry well formed, in normal form and where its hash puts
    /// it, every glob valid and in record order, and the counts consistent. (The
    /// contents of sections of kinds this version does not know are not checked.)
    /// Linear in the table's size.
    pub fn verify(&self) -> Result<(), FormatError> {
        super::verify::verify(self)
    }

    pub(super) fn raw(&self) -> &[u8] {
        self.data()
    }

    pub(super) fn directory(&self) -> &[DirEntry] {
        &self.parsed.directory
    }

    /// Where the directory ends: the header's section count times the entry size.
    pub(super) fn directory_end(&self) -> usize {
        HEADER_LEN + read_u32(self.data(), 24).unwrap_or(0) as usize * DIR_ENTRY_LEN
    }

    /// Every section's bytes, unknown kinds included, sorted and non-empty.
    pub(super) fn all_sections(&self) -> &[Range<usize>] {
        &self.parsed.all_sections
    }

    /// The two indexes and their buckets.
    pub(super) fn indexes(&self) -> [(Index, &[u8]); 2] {
        [self.parsed.exact, self.parsed.suffix].map(|i| (i, self.section(i.section)))
    }

    pub(super) fn long_keys(&self) -> &[u8] {
        self.section(SectionKind::LongKeys)
    }

    /// The globs in precedence order: text and record.
    pub(super) fn glob_entries(&self) -> impl Iterator<Item = (&str, u16)> {
        self.parsed
            .globs
            .iter()
            .map(|g| (text(self.data(), g.text.clone()), g.record))
    }

    /// The counts META declares: exact names, suffix label mask, all patterns.
    pub(super) fn meta_counts(&self) -> (u32, u128, usize) {
        (
            self.parsed.exact_count,
            self.parsed.suffix_labels,
            self.parsed.pattern_count,
        )
    }
}

/// Finds `key` of `kind` in a bucket: the record and the stored key bytes.
/// Entries are read in order until a zero tag or the end of the bucket; nothing
/// is read past the bucket except a long key, which is bounds checked.
fn find_in_bucket<'t>(
    bucket: &'t [u8; BUCKET_LEN],
    tag: u8,
    kind: u8,
    key: &[u8],
    long_keys: &'t [u8],
) -> Option<(u16, &'t [u8])> {
    let mut at = 0;
    while let Some(entry) = read_entry(bucket, at) {
        if entry.tag == tag
            && entry.kind == kind
            && entry.len == key.len()
            && let Some(stored) = entry.key(long_keys)
            && stored == key
        {
            return Some((entry.record, stored));
        }
        at = entry.next;
    }
    None
}

/// Everything checked on open.
fn parse(data: &[u8]) -> Result<Parsed, FormatError> {
    let (version, directory, all_sections) = read_header(data)?;
    let mut sections: [Range<usize>; SectionKind::ALL.len()] = Default::default();
    for (kind, range, _) in &directory {
        sections[*kind as usize - 1] = range.clone();
    }
    let range = |kind: SectionKind| sections[kind as usize - 1].clone();
    let section = |kind: SectionKind| &data[range(kind)];
    let meta = section(SectionKind::Meta);
    if meta.len() != META_LEN {
        return Err(FormatError::section(
            "META",
            format!("{} bytes, expected {META_LEN}", meta.len()),
        ));
    }
    let m = |at: usize| read_u32(meta, at).unwrap_or(0) as usize;
    let exact = Index {
        kind: KIND_EXACT,
        section: SectionKind::ExactIndex,
        seed: read_u64(meta, 0).unwrap_or(0),
        bucket_count: m(16) as u32,
    };
    let suffix = Index {
        kind: KIND_SUFFIX,
        section: SectionKind::SuffixIndex,
        seed: read_u64(meta, 8).unwrap_or(0),
        bucket_count: m(20) as u32,
    };
    let (record_count, pattern_count, glob_count, rule_set_count, rule_count) =
        (m(24), m(28), m(32), m(36), m(40));
    let exact_count = m(44) as u32;
    let suffix_labels = u128::from_le_bytes(meta[48..64].try_into().unwrap_or([0; 16]));
    let expect_len = |kind: SectionKind, unit: usize, count: usize| -> Result<(), FormatError> {
        let len = range(kind).len();
        let need = unit as u128 * count as u128;
        if len as u128 != need {
            return Err(FormatError::section(
                kind.name(),
                format!("{len} bytes, but META's count of {count} entries needs {need}"),
            ));
        }
        Ok(())
    };
    if exact.bucket_count == 0 || suffix.bucket_count == 0 {
        return Err(FormatError::section("META", "an index with no buckets"));
    }
    if record_count > MAX_RECORDS {
        return Err(FormatError::section(
            "META",
            format!("{record_count} records"),
        ));
    }
    expect_len(
        SectionKind::ExactIndex,
        BUCKET_LEN,
        exact.bucket_count as usize,
    )?;
    expect_len(
        SectionKind::SuffixIndex,
        BUCKET_LEN,
        suffix.bucket_count as usize,
    )?;
    expect_len(SectionKind::Records, RECORD_LEN, record_count)?;
    expect_len(SectionKind::RuleSets, RULE_SET_LEN, rule_set_count)?;
    expect_len(SectionKind::Rules, RULE_LEN, rule_count)?;
    expect_len(SectionKind::Globs, GLOB_LEN, glob_count)?;
    let strings = Strings::new(data, range(SectionKind::Strings))?;
    let rules = parse_rules(section(SectionKind::Rules), &strings)?;
    let rule_sets = parse_rule_sets(section(SectionKind::RuleSets), rules.len())?;
    let records = parse_records(section(SectionKind::Records), &strings, rule_sets.len())?;
    let globs = parse_globs(section(SectionKind::Globs), &strings, record_count)?;
    Ok(Parsed {
        version,
        sections,
        directory,
        all_sections,
        exact,
        suffix,
        pattern_count,
        exact_count,
        suffix_labels,
        records,
        rules,
        rule_sets,
        globs,
        glob_index: OnceLock::new(),
    })
}

/// The version, the known sections, and every section's bytes.
type Header = ((u16, u16), Vec<DirEntry>, Vec<Range<usize>>);

/// Checks the header and the directory.
fn read_header(data: &[u8]) -> Result<Header, FormatError> {
    if data.len() < HEADER_LEN {
        return Err(FormatErrorKind::TooShort(data.len()).into());
    }
    if data[..8] != MAGIC {
        return Err(FormatErrorKind::NotATable.into());
    }
    if read_u32(data, 8) != Some(ENDIAN_CHECK) {
        return Err(FormatErrorKind::WrongEndianness.into());
    }
    let major = read_u16(data, 12).unwrap_or(0);
    let minor = read_u16(data, 14).unwrap_or(0);
    if major != MAJOR {
        return Err(FormatErrorKind::UnsupportedVersion(major, minor).into());
    }
    let file_len = read_u64(data, 16).unwrap_or(0);
    if file_len != data.len() as u64 {
        return Err(FormatErrorKind::WrongLength {
            expected: file_len,
            actual: data.len(),
        }
        .into());
    }
    let count = read_u32(data, 24).unwrap_or(0) as usize;
    if count > MAX_SECTIONS {
        return Err(FormatErrorKind::Directory(format!(
            "{count} sections (at most {MAX_SECTIONS})"
        ))
        .into());
    }
    let header_len = read_u32(data, 28).unwrap_or(0);
    if header_len != HEADER_LEN as u32 {
        return Err(FormatErrorKind::Directory(format!(
            "header length {header_len}, expected {HEADER_LEN}"
        ))
        .into());
    }
    let dir_end = HEADER_LEN + count * DIR_ENTRY_LEN;
    let head = data
        .get(..dir_end)
        .ok_or_else(|| FormatErrorKind::Directory("past the end of the file".into()))?;
    if read_u64(data, HEADER_CHECKSUM.start) != Some(header_checksum(head)) {
        return Err(FormatErrorKind::HeaderChecksum.into());
    }
    let flags = read_u64(data, HEADER_FLAGS.start).unwrap_or(0);
    if flags != 0 {
        return Err(FormatErrorKind::UnknownFeatures(flags).into());
    }
    let bad = |m: String| FormatError::from(FormatErrorKind::Directory(m));
    let mut directory = Vec::with_capacity(count);
    let mut all = Vec::with_capacity(count);
    for i in 0..count {
        let at = HEADER_LEN + i * DIR_ENTRY_LEN;
        let kind_n = read_u32(data, at).unwrap_or(0);
        let offset = read_u64(data, at + 8).unwrap_or(u64::MAX);
        let len = read_u64(data, at + 16).unwrap_or(u64::MAX);
        let checksum = read_u64(data, at + 24).unwrap_or(0);
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
        if !(offset as usize).is_multiple_of(ALIGN) {
            return Err(bad(format!(
                "section {i} at {offset} is not {ALIGN}-byte aligned"
            )));
        }
        all.push(offset as usize..end as usize);
        // Unknown kinds are skipped: a later minor version may add sections.
        let Some(kind) = SectionKind::from_u32(kind_n) else {
            continue;
        };
        if directory.iter().any(|(k, _, _)| *k == kind) {
            return Err(bad(format!("section {} appears twice", kind.name())));
        }
        directory.push((kind, offset as usize..end as usize, checksum));
    }
    for kind in SectionKind::ALL {
        if !directory.iter().any(|(k, _, _)| *k == kind) {
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
    Ok(((major, minor), directory, all))
}

/// The STRINGS section, validated once as UTF-8 so that slices of it need only a
/// boundary check.
struct Strings<'a> {
    start: usize,
    text: &'a str,
}

impl<'a> Strings<'a> {
    fn new(data: &'a [u8], range: Range<usize>) -> Result<Strings<'a>, FormatError> {
        let text = std::str::from_utf8(&data[range.clone()])
            .map_err(|_| FormatError::section("STRINGS", "not UTF-8"))?;
        Ok(Strings {
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
    ) -> Result<Range<usize>, FormatError> {
        let start = offset as usize;
        let end = start.saturating_add(len);
        if end > self.text.len()
            || !self.text.is_char_boundary(start)
            || !self.text.is_char_boundary(end)
        {
            return Err(FormatError::section(section, "a string is out of bounds"));
        }
        Ok(self.start + start..self.start + end)
    }

    fn str(&self, absolute: &Range<usize>) -> &str {
        &self.text[absolute.start - self.start..absolute.end - self.start]
    }
}

/// Rules are checked here, on open, because the MTA writes them into messages: a
/// name must be a valid field name and a value must hold no control character.
fn parse_rules(rules: &[u8], strings: &Strings<'_>) -> Result<Vec<RuleInfo>, FormatError> {
    rules
        .chunks_exact(RULE_LEN)
        .map(|r| {
            let name_len = usize::from(read_u16(r, 2).unwrap_or(0));
            let value_len = read_u32(r, 12).unwrap_or(0) as usize;
            if name_len > MAX_RULE_TEXT || value_len > MAX_RULE_TEXT {
                return Err(FormatError::section(
                    "RULES",
                    "a header name or value is too long",
                ));
            }
            let name = strings.get(read_u32(r, 4).unwrap_or(0), name_len, "RULES")?;
            let value = strings.get(read_u32(r, 8).unwrap_or(0), value_len, "RULES")?;
            let name_text = strings.str(&name);
            if name_text.is_empty()
                || !name_text
                    .bytes()
                    .all(|b| matches!(b, b'!'..=b'9' | b';'..=b'~'))
            {
                return Err(FormatError::section("RULES", "an invalid header name"));
            }
            if strings
                .str(&value)
                .chars()
                .any(|c| c.is_control() && c != '\t')
            {
                return Err(FormatError::section(
                    "RULES",
                    "a control character in a header value",
                ));
            }
            let op = match r[0] {
                OP_ADD => RuleOp::Add,
                OP_REMOVE if value.is_empty() => RuleOp::Remove,
                OP_REMOVE => {
                    return Err(FormatError::section("RULES", "a remove rule with a value"));
                }
                op => {
                    return Err(FormatError::section(
                        "RULES",
                        format!("unknown rule operation {op}"),
                    ));
                }
            };
            Ok(RuleInfo { op, name, value })
        })
        .collect()
}

fn parse_rule_sets(sets: &[u8], rule_count: usize) -> Result<Vec<Range<usize>>, FormatError> {
    sets.chunks_exact(RULE_SET_LEN)
        .map(|s| {
            let first = read_u32(s, 0).unwrap_or(0) as usize;
            let end = first.saturating_add(read_u32(s, 4).unwrap_or(0) as usize);
            if end > rule_count {
                return Err(FormatError::section(
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
    strings: &Strings<'_>,
    rule_sets: usize,
) -> Result<Vec<RecordInfo>, FormatError> {
    records
        .chunks_exact(RECORD_LEN)
        .map(|r| {
            let name = strings.get(
                read_u32(r, 0).unwrap_or(0),
                usize::from(read_u16(r, 4).unwrap_or(0)),
                "RECORDS",
            )?;
            // Names are printed by every reader: the compiler's rule holds here too.
            let text = strings.str(&name);
            if text.is_empty() || crate::model::record_name::check(text).is_err() {
                return Err(FormatError::section(
                    "RECORDS",
                    "a record name is empty, padded, or holds an invisible character",
                ));
            }
            let flags = r[6];
            if flags & !RECORD_DEFAULT != 0 {
                return Err(FormatError::section(
                    "RECORDS",
                    format!("unknown record flags {flags:#x}"),
                ));
            }
            let mut encodings = [Encoding::QuotedPrintable; 3];
            for (i, e) in encodings.iter_mut().enumerate() {
                *e = *ENCODINGS.get(usize::from(r[8 + i])).ok_or_else(|| {
                    FormatError::section("RECORDS", format!("unknown encoding {}", r[8 + i]))
                })?;
            }
            let rule_set = read_u32(r, 12).unwrap_or(0) as usize;
            if rule_set >= rule_sets {
                return Err(FormatError::section("RECORDS", "rule set out of bounds"));
            }
            Ok(RecordInfo {
                name,
                default: flags & RECORD_DEFAULT != 0,
                encodings,
                rule_set,
                pattern_count: read_u32(r, 16).unwrap_or(0) as usize,
            })
        })
        .collect()
}

fn parse_globs(
    globs: &[u8],
    strings: &Strings<'_>,
    record_count: usize,
) -> Result<Vec<GlobInfo>, FormatError> {
    globs
        .chunks_exact(GLOB_LEN)
        .map(|g| {
            let len = usize::from(read_u16(g, 4).unwrap_or(0));
            let record = read_u16(g, 6).unwrap_or(u16::MAX);
            if len == 0 || len > crate::domain::MAX_NAME_LEN || usize::from(record) >= record_count
            {
                return Err(FormatError::section(
                    "GLOBS",
                    "an entry is not a glob of a known record",
                ));
            }
            let text = strings.get(read_u32(g, 0).unwrap_or(0), len, "GLOBS")?;
            Ok(GlobInfo { text, record })
        })
        .collect()
}
