//! The wire format's constants and the hashing both the writer and the reader use.
//! `schema/table-format.md` specifies the same thing byte by byte for readers in
//! other languages.

use xxhash_rust::xxh3::xxh3_64_with_seed;

/// The first eight bytes of every table: a non-ASCII byte, `ISPT`, CR LF and
/// Ctrl-Z, so text-mode transfers and truncated copies are caught (as in PNG).
pub const MAGIC: [u8; 8] = [0x89, b'I', b'S', b'P', b'T', 0x0D, 0x0A, 0x1A];
/// Written as a little-endian `u32`; a reader that sees other bytes is reading a
/// table with the wrong byte order.
pub const ENDIAN_CHECK: u32 = 0x0102_0304;
/// Incompatible changes bump the major version; readers reject other majors.
pub const MAJOR: u16 = 1;
/// Compatible additions bump the minor version; readers accept higher minors.
pub const MINOR: u16 = 0;

/// Size of the fixed header.
pub const HEADER_LEN: usize = 64;
/// Size of one section directory entry.
pub const DIR_ENTRY_LEN: usize = 32;
/// Every section starts at a multiple of this (a cache line).
pub const ALIGN: usize = 64;
/// The most sections a reader accepts.
pub const MAX_SECTIONS: usize = 32;

/// Bytes in a bucket: one cache line.
pub const BUCKET_LEN: usize = 64;

/// Size of one record in the RECORDS section.
pub const RECORD_LEN: usize = 32;
/// Size of one rule set in the RULE_SETS section.
pub const RULE_SET_LEN: usize = 8;
/// Size of one rule in the RULES section.
pub const RULE_LEN: usize = 16;
/// Size of one entry in the GLOBS section.
pub const GLOB_LEN: usize = 8;
/// Size of the META section.
pub const META_LEN: usize = 64;

/// Size of a bucket entry's header: tag, length, record and kind.
pub const ENTRY_HEADER_LEN: usize = 4;
/// Keys up to this many bytes are stored in the bucket itself; longer ones in
/// LONG_KEYS, with a 4-byte offset in the bucket.
pub const INLINE_MAX: usize = 40;
/// The kind bit in an entry's record field.
pub const KIND_BIT: u16 = 0x8000;

/// The most records a table holds: record ids are 15 bits (the 16th is the key
/// kind in bucket entries).
pub const MAX_RECORDS: usize = 0x7fff;

/// Section kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u32)]
pub enum SectionKind {
    /// Counts, and each index's seed and bucket count.
    Meta = 1,
    /// The hash index of exact names: buckets of whole entries.
    ExactIndex = 2,
    /// The hash index of suffix rules (usually small, so it stays in cache).
    SuffixIndex = 3,
    /// Keys too long to be stored inline.
    LongKeys = 4,
    /// One fixed-size entry per record.
    Records = 5,
    /// Record names, header names and values, glob texts.
    Strings = 6,
    /// Deduplicated header rule sets.
    RuleSets = 7,
    /// The header rules the rule sets point into.
    Rules = 8,
    /// The globs, in precedence order.
    Globs = 9,
}

impl SectionKind {
    /// Every kind, in file order.
    pub const ALL: [SectionKind; 9] = [
        SectionKind::Meta,
        SectionKind::ExactIndex,
        SectionKind::SuffixIndex,
        SectionKind::LongKeys,
        SectionKind::Records,
        SectionKind::Strings,
        SectionKind::RuleSets,
        SectionKind::Rules,
        SectionKind::Globs,
    ];

    /// The kind with this number.
    pub fn from_u32(n: u32) -> Option<SectionKind> {
        SectionKind::ALL.into_iter().find(|k| *k as u32 == n)
    }

    /// The name used in messages and the spec.
    pub fn name(self) -> &'static str {
        match self {
            SectionKind::Meta => "META",
            SectionKind::ExactIndex => "EXACT_INDEX",
            SectionKind::SuffixIndex => "SUFFIX_INDEX",
            SectionKind::LongKeys => "LONG_KEYS",
            SectionKind::Records => "RECORDS",
            SectionKind::Strings => "STRINGS",
            SectionKind::RuleSets => "RULE_SETS",
            SectionKind::Rules => "RULES",
            SectionKind::Globs => "GLOBS",
        }
    }
}

/// Key kinds, as stored in bucket entries and mixed into the hash.
pub const KIND_EXACT: u8 = 0;
/// `*.suffix`; the key is the suffix without `*.`.
pub const KIND_SUFFIX: u8 = 1;

/// The pattern kind of a key kind (anything but `KIND_EXACT` is a suffix rule:
/// the kind is one bit of the entry).
pub fn pattern_kind(kind: u8) -> crate::domain::PatternKind {
    if kind == KIND_EXACT {
        crate::domain::PatternKind::Exact
    } else {
        crate::domain::PatternKind::Suffix
    }
}

/// Encoding codes in records.
pub const ENCODINGS: [crate::model::Encoding; 3] = crate::model::Encoding::ALL;

/// Rule operations.
pub const OP_ADD: u8 = 0;
/// `remove NAME`.
pub const OP_REMOVE: u8 = 1;

/// Record flag: the record came from the defaults layer.
pub const RECORD_DEFAULT: u8 = 1;

/// The hash of one candidate key: where it may sit and how to recognize it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Probe {
    /// The non-zero tag stored in the entry's first byte.
    pub tag: u8,
    /// The first bucket.
    pub first: usize,
    /// The second bucket (different from the first when there are two or more).
    pub second: usize,
}

/// Maps `x` uniformly onto `0..n` without division (Lemire's fast range).
fn fast_range(x: u32, n: u32) -> u32 {
    ((u64::from(x) * u64::from(n)) >> 32) as u32
}

/// The finalizer of MurmurHash3: spreads the bits of a 32-bit value.
fn fmix32(mut h: u32) -> u32 {
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^ (h >> 16)
}

/// Hashes a key of a kind into an index: xxh3-64 with the index's seed plus the
/// kind (each index holds one kind; the kind is part of the seed all the same).
pub fn probe(seed: u64, kind: u8, key: &[u8], buckets: u32) -> Probe {
    let h = xxh3_64_with_seed(key, seed.wrapping_add(u64::from(kind)));
    let tag = ((h >> 56) as u8).max(1);
    let low = h as u32;
    let first = fast_range(low, buckets);
    let mut second = fast_range(fmix32(low ^ 0x5bd1_e995), buckets);
    if second == first && buckets > 1 {
        second = (first + 1) % buckets;
    }
    Probe {
        tag,
        first: first as usize,
        second: second as usize,
    }
}

/// The bytes an entry for a key of `len` bytes takes in a bucket.
pub fn entry_len(len: usize) -> usize {
    ENTRY_HEADER_LEN + if len <= INLINE_MAX { len } else { 4 }
}

/// Rounds up to the section alignment.
pub fn align(n: usize) -> usize {
    n.div_ceil(ALIGN) * ALIGN
}

/// Where the header checksum is stored.
pub const HEADER_CHECKSUM: std::ops::Range<usize> = 40..48;
/// Where the required-feature flags are stored (none are defined: any set bit
/// means a feature this reader does not have).
pub const HEADER_FLAGS: std::ops::Range<usize> = 32..40;

/// xxh3-64 of the header and the directory, the checksum field read as zero.
pub fn header_checksum(header_and_directory: &[u8]) -> u64 {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    hasher.update(&header_and_directory[..HEADER_CHECKSUM.start]);
    hasher.update(&[0; 8]);
    hasher.update(&header_and_directory[HEADER_CHECKSUM.end..]);
    hasher.digest()
}

/// Reads a little-endian `u16` at `at`, if it is in bounds.
pub fn read_u16(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(
        bytes.get(at..at.checked_add(2)?)?.try_into().ok()?,
    ))
}

/// Reads a little-endian `u32` at `at`, if it is in bounds.
pub fn read_u32(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(
        bytes.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}

/// Reads a little-endian `u64` at `at`, if it is in bounds.
pub fn read_u64(bytes: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(
        bytes.get(at..at.checked_add(8)?)?.try_into().ok()?,
    ))
}

/// One entry of a bucket, as stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry<'a> {
    /// The tag byte (never zero).
    pub tag: u8,
    /// `KIND_EXACT` or `KIND_SUFFIX`.
    pub kind: u8,
    /// The record id.
    pub record: u16,
    /// The key's length.
    pub len: usize,
    /// The key bytes if inline, or the offset of a long key in LONG_KEYS.
    pub key: EntryKey<'a>,
    /// Where the next entry starts in the bucket.
    pub next: usize,
}

/// Where an entry's key bytes are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryKey<'a> {
    /// In the bucket.
    Inline(&'a [u8]),
    /// In LONG_KEYS at this offset.
    Long(usize),
}

impl<'a> Entry<'a> {
    /// The key bytes, inline or looked up in `long_keys`.
    pub fn key(&self, long_keys: &'a [u8]) -> Option<&'a [u8]> {
        match self.key {
            EntryKey::Inline(bytes) => Some(bytes),
            EntryKey::Long(at) => long_keys.get(at..at.checked_add(self.len)?),
        }
    }
}

/// Reads the entry at `at` in a bucket; `None` at the end of the bucket (a zero
/// tag or no room for another entry) or if the entry runs past it.
pub fn read_entry(bucket: &[u8], at: usize) -> Option<Entry<'_>> {
    let tag = *bucket.get(at)?;
    if tag == 0 {
        return None;
    }
    let len = usize::from(*bucket.get(at + 1)?);
    let field = read_u16(bucket, at + 2)?;
    let body = at + ENTRY_HEADER_LEN;
    let (key, next) = if len <= INLINE_MAX {
        (EntryKey::Inline(bucket.get(body..body + len)?), body + len)
    } else {
        (EntryKey::Long(read_u32(bucket, body)? as usize), body + 4)
    };
    Some(Entry {
        tag,
        kind: u8::from(field & KIND_BIT != 0),
        record: field & !KIND_BIT,
        len,
        key,
        next,
    })
}
