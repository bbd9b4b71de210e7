//! The wire layout, named once: every constant, section kind, code and field
//! offset of `schema/table-format.md`, used by the writer, the reader, the full
//! check and the hostile-table tests alike (a test compares the spec's field
//! tables with the [`Field`] lists here). A field knows where it is and how to
//! read and write itself, so no offset is written as a literal anywhere else.

use std::ops::Range;

use crate::semantics::encoding::Encoding;
use crate::semantics::pattern::PatternKind;

/// The first eight bytes of every table: a non-ASCII byte, `ISPT`, CR LF and
/// Ctrl-Z, so text-mode transfers and truncated copies are caught (as in PNG).
pub const MAGIC: [u8; 8] = [0x89, b'I', b'S', b'P', b'T', 0x0D, 0x0A, 0x1A];
/// Written as a little-endian `u32`; a reader that sees other bytes is reading a
/// table with the wrong byte order.
pub const ENDIAN_CHECK: u32 = 0x0102_0304;
/// Incompatible changes bump the major version; readers reject other majors.
pub const MAJOR: u16 = 2;
/// Compatible additions bump the minor version; readers accept higher minors.
/// (2.0 replaced the cuckoo buckets of 1.x with hash-sorted buckets.)
pub const MINOR: u16 = 0;

/// Every section starts at a multiple of this (a cache line).
pub const ALIGN: usize = 64;
/// The most sections a reader accepts.
pub const MAX_SECTIONS: usize = 32;
/// Keys per bucket on average: the writer makes `ceil(keys / LOAD)` buckets
/// (at least one). Eight keep the bucket heads and the summary, the bytes a
/// lookup reads before it touches an entry, at 3 bytes a key.
pub const LOAD: usize = 8;
/// The most entries a bucket holds (the writer picks another seed if a bucket
/// would hold more, and a reader never scans more): it bounds every lookup.
pub const MAX_BUCKET: usize = 64;
/// The most records a table holds: record ids are 15 bits (the 16th is the key
/// kind in index entries).
pub const MAX_RECORDS: usize = crate::semantics::model::MAX_RECORDS;
/// The longest header name or value a table may hold (a header line is at most 998
/// octets); it also bounds the work of checking rules on open.
pub const MAX_RULE_TEXT: usize = crate::semantics::header::MAX_LINE;

/// One fixed-size field of a structure: its name in the spec, where it starts in
/// the structure and how many bytes it takes (0 for the variable-length key).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field {
    /// The name in `schema/table-format.md`.
    pub name: &'static str,
    /// The offset in its structure.
    pub offset: usize,
    /// The size in bytes.
    pub size: usize,
}

impl Field {
    const fn new(name: &'static str, offset: usize, size: usize) -> Field {
        Field { name, offset, size }
    }

    /// The field's bytes in a structure that starts at `at`.
    #[inline]
    pub fn range(self, at: usize) -> Range<usize> {
        at + self.offset..at + self.offset + self.size
    }

    #[inline]
    fn bytes<const N: usize>(self, structure: &[u8]) -> Option<[u8; N]> {
        structure.get(self.range(0))?.try_into().ok()
    }

    /// Reads a one-byte field, if the structure is long enough.
    #[inline]
    pub fn u8(self, structure: &[u8]) -> Option<u8> {
        structure.get(self.offset).copied()
    }

    /// Reads a little-endian `u16` field.
    #[inline]
    pub fn u16(self, structure: &[u8]) -> Option<u16> {
        self.bytes(structure).map(u16::from_le_bytes)
    }

    /// Reads a little-endian `u32` field.
    #[inline]
    pub fn u32(self, structure: &[u8]) -> Option<u32> {
        self.bytes(structure).map(u32::from_le_bytes)
    }

    /// Reads a little-endian `u64` field.
    #[inline]
    pub fn u64(self, structure: &[u8]) -> Option<u64> {
        self.bytes(structure).map(u64::from_le_bytes)
    }

    /// Reads a little-endian `u128` field.
    #[inline]
    pub fn u128(self, structure: &[u8]) -> Option<u128> {
        self.bytes(structure).map(u128::from_le_bytes)
    }

    /// Writes the field's little-endian bytes (`value.to_le_bytes()`, of the
    /// field's size) into a structure.
    pub fn put(self, structure: &mut [u8], le_bytes: &[u8]) {
        debug_assert_eq!(le_bytes.len(), self.size, "{}", self.name);
        structure[self.range(0)].copy_from_slice(le_bytes);
    }
}

/// The fixed header, the first [`header::LEN`] bytes (spec section 3).
pub mod header {
    use super::Field;
    /// `89 49 53 50 54 0D 0A 1A`.
    pub const MAGIC: Field = Field::new("magic", 0, 8);
    /// `0x01020304`.
    pub const ENDIAN_CHECK: Field = Field::new("endian_check", 8, 4);
    /// The major version.
    pub const MAJOR: Field = Field::new("major", 12, 2);
    /// The minor version.
    pub const MINOR: Field = Field::new("minor", 14, 2);
    /// The length of the whole file.
    pub const FILE_LENGTH: Field = Field::new("file_length", 16, 8);
    /// The number of directory entries.
    pub const SECTION_COUNT: Field = Field::new("section_count", 24, 4);
    /// `64`.
    pub const HEADER_LENGTH: Field = Field::new("header_length", 28, 4);
    /// Features a reader must have; none are defined.
    pub const REQUIRED_FEATURES: Field = Field::new("required_features", 32, 8);
    /// xxh3-64 of the header and directory, this field read as zero.
    pub const HEADER_CHECKSUM: Field = Field::new("header_checksum", 40, 8);
    /// Zero.
    pub const RESERVED: Field = Field::new("reserved", 48, 16);
    /// The header's size.
    pub const LEN: usize = 64;
    /// The fields in order.
    pub const FIELDS: &[Field] = &[
        MAGIC,
        ENDIAN_CHECK,
        MAJOR,
        MINOR,
        FILE_LENGTH,
        SECTION_COUNT,
        HEADER_LENGTH,
        REQUIRED_FEATURES,
        HEADER_CHECKSUM,
        RESERVED,
    ];
}

/// One entry of the section directory, after the header (spec section 4).
pub mod directory {
    use super::Field;
    /// The section kind.
    pub const KIND: Field = Field::new("kind", 0, 4);
    /// Zero.
    pub const RESERVED: Field = Field::new("reserved", 4, 4);
    /// The section's file offset.
    pub const OFFSET: Field = Field::new("offset", 8, 8);
    /// The section's length.
    pub const LENGTH: Field = Field::new("length", 16, 8);
    /// xxh3-64 of the section.
    pub const CHECKSUM: Field = Field::new("checksum", 24, 8);
    /// An entry's size.
    pub const LEN: usize = 32;
    /// The fields in order.
    pub const FIELDS: &[Field] = &[KIND, RESERVED, OFFSET, LENGTH, CHECKSUM];
}

/// The META section (spec section 5.1).
pub mod meta {
    use super::Field;
    /// The seed of EXACT_INDEX.
    pub const EXACT_SEED: Field = Field::new("exact_seed", 0, 8);
    /// The seed of SUFFIX_INDEX.
    pub const SUFFIX_SEED: Field = Field::new("suffix_seed", 8, 8);
    /// Buckets in EXACT_INDEX.
    pub const EXACT_BUCKET_COUNT: Field = Field::new("exact_bucket_count", 16, 4);
    /// Buckets in SUFFIX_INDEX.
    pub const SUFFIX_BUCKET_COUNT: Field = Field::new("suffix_bucket_count", 20, 4);
    /// Entries in RECORDS.
    pub const RECORD_COUNT: Field = Field::new("record_count", 24, 4);
    /// Patterns of all records.
    pub const PATTERN_COUNT: Field = Field::new("pattern_count", 28, 4);
    /// Entries in GLOBS.
    pub const GLOB_COUNT: Field = Field::new("glob_count", 32, 4);
    /// Entries in RULE_SETS.
    pub const RULE_SET_COUNT: Field = Field::new("rule_set_count", 36, 4);
    /// Entries in RULES.
    pub const RULE_COUNT: Field = Field::new("rule_count", 40, 4);
    /// Entries in EXACT_INDEX.
    pub const EXACT_COUNT: Field = Field::new("exact_count", 44, 4);
    /// Bit `n` set when some suffix key has `n` labels.
    pub const SUFFIX_LABEL_MASK: Field = Field::new("suffix_label_mask", 48, 16);
    /// The section's size.
    pub const LEN: usize = 64;
    /// The fields in order.
    pub const FIELDS: &[Field] = &[
        EXACT_SEED,
        SUFFIX_SEED,
        EXACT_BUCKET_COUNT,
        SUFFIX_BUCKET_COUNT,
        RECORD_COUNT,
        PATTERN_COUNT,
        GLOB_COUNT,
        RULE_SET_COUNT,
        RULE_COUNT,
        EXACT_COUNT,
        SUFFIX_LABEL_MASK,
    ];
    /// The fields that describe the domains' set of patterns.
    pub const SET: super::SetFields = super::SetFields {
        exact_seed: EXACT_SEED,
        exact_bucket_count: EXACT_BUCKET_COUNT,
        suffix_seed: SUFFIX_SEED,
        suffix_bucket_count: SUFFIX_BUCKET_COUNT,
        pattern_count: PATTERN_COUNT,
        glob_count: GLOB_COUNT,
        exact_count: EXACT_COUNT,
        suffix_label_mask: SUFFIX_LABEL_MASK,
    };
}

/// The fields of a meta section that describe one set of patterns (`meta::SET`
/// for the domains, `mx_meta::SET` for the MX hosts): the seed and bucket count
/// of each index, and the counts.
#[derive(Clone, Copy, Debug)]
pub struct SetFields {
    /// The seed of the exact index.
    pub exact_seed: Field,
    /// Buckets in the exact index.
    pub exact_bucket_count: Field,
    /// The seed of the suffix index.
    pub suffix_seed: Field,
    /// Buckets in the suffix index.
    pub suffix_bucket_count: Field,
    /// Patterns of the set, of all records.
    pub pattern_count: Field,
    /// Entries in the set's globs section.
    pub glob_count: Field,
    /// Entries in the exact index.
    pub exact_count: Field,
    /// Bit `n` set when some suffix key has `n` labels.
    pub suffix_label_mask: Field,
}

/// The MX_META section (spec section 5.9): the MX patterns' indexes
/// and globs, laid out like the domains'.
pub mod mx_meta {
    use super::Field;
    /// The seed of MX_EXACT_INDEX.
    pub const EXACT_SEED: Field = Field::new("mx_exact_seed", 0, 8);
    /// The seed of MX_SUFFIX_INDEX.
    pub const SUFFIX_SEED: Field = Field::new("mx_suffix_seed", 8, 8);
    /// Buckets in MX_EXACT_INDEX.
    pub const EXACT_BUCKET_COUNT: Field = Field::new("mx_exact_bucket_count", 16, 4);
    /// Buckets in MX_SUFFIX_INDEX.
    pub const SUFFIX_BUCKET_COUNT: Field = Field::new("mx_suffix_bucket_count", 20, 4);
    /// MX patterns of all records.
    pub const PATTERN_COUNT: Field = Field::new("mx_pattern_count", 24, 4);
    /// Entries in MX_GLOBS.
    pub const GLOB_COUNT: Field = Field::new("mx_glob_count", 28, 4);
    /// Entries in MX_EXACT_INDEX.
    pub const EXACT_COUNT: Field = Field::new("mx_exact_count", 32, 4);
    /// Zero.
    pub const RESERVED: Field = Field::new("reserved", 36, 12);
    /// Bit `n` set when some MX suffix key has `n` labels.
    pub const SUFFIX_LABEL_MASK: Field = Field::new("mx_suffix_label_mask", 48, 16);
    /// The section's size.
    pub const LEN: usize = 64;
    /// The fields in order.
    pub const FIELDS: &[Field] = &[
        EXACT_SEED,
        SUFFIX_SEED,
        EXACT_BUCKET_COUNT,
        SUFFIX_BUCKET_COUNT,
        PATTERN_COUNT,
        GLOB_COUNT,
        EXACT_COUNT,
        RESERVED,
        SUFFIX_LABEL_MASK,
    ];
    /// The fields that describe the MX set of patterns.
    pub const SET: super::SetFields = super::SetFields {
        exact_seed: EXACT_SEED,
        exact_bucket_count: EXACT_BUCKET_COUNT,
        suffix_seed: SUFFIX_SEED,
        suffix_bucket_count: SUFFIX_BUCKET_COUNT,
        pattern_count: PATTERN_COUNT,
        glob_count: GLOB_COUNT,
        exact_count: EXACT_COUNT,
        suffix_label_mask: SUFFIX_LABEL_MASK,
    };
}

/// A bucket head of an index (spec section 5.2): where the bucket's entries
/// start. Bucket `b` holds the entries from head `b` to head `b + 1`.
pub mod bucket {
    use super::Field;
    /// The number of the bucket's first entry (its position in the summary).
    pub const FIRST_ENTRY: Field = Field::new("first_entry", 0, 4);
    /// The offset of the bucket's first entry in the entries.
    pub const FIRST_BYTE: Field = Field::new("first_byte", 4, 4);
    /// A head's size.
    pub const LEN: usize = 8;
    /// The fields in order.
    pub const FIELDS: &[Field] = &[FIRST_ENTRY, FIRST_BYTE];
}

/// The summary of one entry of an index (spec section 5.2): what a lookup
/// compares before it reads the entry.
pub mod summary {
    use super::Field;
    /// The key's tag: the top byte of its hash.
    pub const TAG: Field = Field::new("tag", 0, 1);
    /// The key's length.
    pub const KEY_LENGTH: Field = Field::new("key_length", 1, 1);
    /// A summary's size.
    pub const LEN: usize = 2;
    /// The fields in order.
    pub const FIELDS: &[Field] = &[TAG, KEY_LENGTH];
}

/// One entry of an index (spec section 5.2): the record, then the key.
pub mod entry {
    use super::Field;
    /// The record id (bits 0..14) and the key kind (bit 15).
    pub const RECORD_KIND: Field = Field::new("record_kind", 0, 2);
    /// The key itself (its length is in the summary).
    pub const KEY: Field = Field::new("key", 2, 0);
    /// The bytes before the key.
    pub const HEADER_LEN: usize = 2;
    /// The kind bit in `record_kind`: set for a suffix rule.
    pub const KIND_BIT: u16 = 0x8000;
    /// The fields in order.
    pub const FIELDS: &[Field] = &[RECORD_KIND, KEY];
}

/// An entry of RECORDS (spec section 5.4).
pub mod record {
    use super::Field;
    /// The name's offset in STRINGS.
    pub const NAME_OFFSET: Field = Field::new("name_offset", 0, 4);
    /// The name's length.
    pub const NAME_LENGTH: Field = Field::new("name_length", 4, 2);
    /// Bit 0: a default record.
    pub const FLAGS: Field = Field::new("flags", 6, 1);
    /// Zero.
    pub const RESERVED_7: Field = Field::new("reserved", 7, 1);
    /// The encoding code of the message as a whole and other parts.
    pub const ENCODING_GLOBAL: Field = Field::new("encoding_global", 8, 1);
    /// The encoding code of `text/html` parts.
    pub const ENCODING_HTML: Field = Field::new("encoding_html", 9, 1);
    /// The encoding code of `text/plain` parts.
    pub const ENCODING_TEXT: Field = Field::new("encoding_text", 10, 1);
    /// Zero.
    pub const RESERVED_11: Field = Field::new("reserved", 11, 1);
    /// The index of the record's rule set.
    pub const RULE_SET: Field = Field::new("rule_set", 12, 4);
    /// The number of the record's patterns.
    pub const PATTERN_COUNT: Field = Field::new("pattern_count", 16, 4);
    /// The number of the record's MX patterns.
    pub const MX_PATTERN_COUNT: Field = Field::new("mx_pattern_count", 20, 4);
    /// Zero.
    pub const RESERVED_24: Field = Field::new("reserved", 24, 8);
    /// An entry's size.
    pub const LEN: usize = 32;
    /// Flag: the record came from the defaults layer.
    pub const DEFAULT: u8 = 1;
    /// The fields in order.
    pub const FIELDS: &[Field] = &[
        NAME_OFFSET,
        NAME_LENGTH,
        FLAGS,
        RESERVED_7,
        ENCODING_GLOBAL,
        ENCODING_HTML,
        ENCODING_TEXT,
        RESERVED_11,
        RULE_SET,
        PATTERN_COUNT,
        MX_PATTERN_COUNT,
        RESERVED_24,
    ];
}

/// An entry of RULE_SETS (spec section 5.6).
pub mod rule_set {
    use super::Field;
    /// The index of the set's first rule in RULES.
    pub const FIRST_RULE: Field = Field::new("first_rule", 0, 4);
    /// The number of rules.
    pub const RULE_COUNT: Field = Field::new("rule_count", 4, 4);
    /// An entry's size.
    pub const LEN: usize = 8;
    /// The fields in order.
    pub const FIELDS: &[Field] = &[FIRST_RULE, RULE_COUNT];
}

/// An entry of RULES (spec section 5.7).
pub mod rule {
    use super::Field;
    /// [`ADD`] or [`REMOVE`].
    pub const OP: Field = Field::new("op", 0, 1);
    /// Zero.
    pub const RESERVED: Field = Field::new("reserved", 1, 1);
    /// The header name's length.
    pub const NAME_LENGTH: Field = Field::new("name_length", 2, 2);
    /// The header name's offset in STRINGS.
    pub const NAME_OFFSET: Field = Field::new("name_offset", 4, 4);
    /// The value's offset in STRINGS.
    pub const VALUE_OFFSET: Field = Field::new("value_offset", 8, 4);
    /// The value's length (zero for a remove).
    pub const VALUE_LENGTH: Field = Field::new("value_length", 12, 4);
    /// An entry's size.
    pub const LEN: usize = 16;
    /// `add NAME VALUE`.
    pub const ADD: u8 = 0;
    /// `remove NAME`.
    pub const REMOVE: u8 = 1;
    /// The fields in order.
    pub const FIELDS: &[Field] = &[
        OP,
        RESERVED,
        NAME_LENGTH,
        NAME_OFFSET,
        VALUE_OFFSET,
        VALUE_LENGTH,
    ];
}

/// An entry of GLOBS (spec section 5.8).
pub mod glob {
    use super::Field;
    /// The glob's offset in STRINGS.
    pub const TEXT_OFFSET: Field = Field::new("text_offset", 0, 4);
    /// The glob's length.
    pub const TEXT_LENGTH: Field = Field::new("text_length", 4, 2);
    /// The record id.
    pub const RECORD: Field = Field::new("record", 6, 2);
    /// An entry's size.
    pub const LEN: usize = 8;
    /// The fields in order.
    pub const FIELDS: &[Field] = &[TEXT_OFFSET, TEXT_LENGTH, RECORD];
}

/// Section kinds (spec section 4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u32)]
pub enum SectionKind {
    /// Counts, and each index's seed and bucket count.
    Meta = 1,
    /// The hash index of exact names: bucket heads, summaries, entries.
    ExactIndex = 2,
    /// The hash index of suffix rules (usually small, so it stays in cache).
    SuffixIndex = 3,
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
    /// Counts, seeds and bucket counts of the MX indexes.
    MxMeta = 10,
    /// The hash index of exact MX hosts.
    MxExactIndex = 11,
    /// The hash index of MX suffix rules.
    MxSuffixIndex = 12,
    /// The MX globs, in precedence order.
    MxGlobs = 13,
}

impl SectionKind {
    /// Every kind, in file order.
    pub const ALL: [SectionKind; 12] = [
        SectionKind::Meta,
        SectionKind::ExactIndex,
        SectionKind::SuffixIndex,
        SectionKind::Records,
        SectionKind::Strings,
        SectionKind::RuleSets,
        SectionKind::Rules,
        SectionKind::Globs,
        SectionKind::MxMeta,
        SectionKind::MxExactIndex,
        SectionKind::MxSuffixIndex,
        SectionKind::MxGlobs,
    ];

    /// The first minor version (of this major) that requires the section:
    /// every section of 2.0 is required from 2.0 on.
    pub fn since_minor(self) -> u16 {
        0
    }

    /// The kind's position in [`SectionKind::ALL`] (kind numbers have a gap:
    /// 4 was LONG_KEYS in 1.x). Every lookup asks, so it is arithmetic.
    #[inline]
    pub fn position(self) -> usize {
        let n = self as usize;
        if n < 4 { n - 1 } else { n - 2 }
    }

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
            SectionKind::Records => "RECORDS",
            SectionKind::Strings => "STRINGS",
            SectionKind::RuleSets => "RULE_SETS",
            SectionKind::Rules => "RULES",
            SectionKind::Globs => "GLOBS",
            SectionKind::MxMeta => "MX_META",
            SectionKind::MxExactIndex => "MX_EXACT_INDEX",
            SectionKind::MxSuffixIndex => "MX_SUFFIX_INDEX",
            SectionKind::MxGlobs => "MX_GLOBS",
        }
    }
}

/// Key kinds, as stored in bucket entries and mixed into the hash.
pub const KIND_EXACT: u8 = 0;
/// `*.suffix`; the key is the suffix without `*.`.
pub const KIND_SUFFIX: u8 = 1;

/// The pattern kind of a key kind (anything but `KIND_EXACT` is a suffix rule:
/// the kind is one bit of the entry).
#[inline]
pub fn pattern_kind(kind: u8) -> PatternKind {
    if kind == KIND_EXACT {
        PatternKind::Exact
    } else {
        PatternKind::Suffix
    }
}

/// The encoding codes of RECORDS (spec section 5.4): an explicit table, so that
/// reordering [`Encoding`] cannot change the format.
pub const ENCODING_CODES: [(u8, Encoding); 3] = [
    (0, Encoding::QuotedPrintable),
    (1, Encoding::Base64),
    (2, Encoding::EightBit),
];

/// The code of an encoding.
pub fn encoding_code(encoding: Encoding) -> u8 {
    ENCODING_CODES
        .iter()
        .find(|(_, e)| *e == encoding)
        .map_or(0, |(code, _)| *code)
}

/// The encoding of a code, if it is one.
pub fn encoding_of(code: u8) -> Option<Encoding> {
    ENCODING_CODES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, e)| *e)
}

/// Rounds up to the section alignment.
pub fn align(n: usize) -> usize {
    n.div_ceil(ALIGN) * ALIGN
}
