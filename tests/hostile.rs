//! Hand-forged hostile tables: each case breaks one rule of
//! `schema/table-format.md` in a valid table and expects the specific error, at
//! open (`Table::from_bytes`) or at the full check (`Table::verify`). Whatever
//! opens is then looked up and dumped, which must not panic.
//!
//! Each case is its own test, named after it (`cargo test --test hostile
//! record_count_off_by_one`), and `each_broken_rule_gives_its_error` renders
//! every case's message into one snapshot. Every offset, size and section kind
//! comes from [`isptab::table::layout`]; the numbers left in the cases are the
//! values they deliberately write.
//!
//! The format has no linked structures (every reference is an offset and length
//! checked against its section, or an index into a fixed-size array checked
//! against its count), so there is no cycle to forge: a lookup reads one bucket
//! per candidate key, and a bucket scan reads at most `MAX_BUCKET` summaries.
//! Counts are checked against section lengths before anything is
//! allocated, so a huge count costs nothing.

// These use the compiler.
#![cfg(feature = "compiler")]

use std::ops::Range;

use isptab::table::layout::{
    self, Field, SectionKind, bucket, directory, entry, glob, header, meta, record, rule, rule_set,
    summary,
};
use isptab::table::{self, Table, TableErrorKind};
use isptab::{DefaultsSource, Input, Options};
use xxhash_rust::xxh3::xxh3_64;

/// A valid table with every kind of pattern (of domains and of MX hosts), a long
/// key, a non-ASCII record name and header rules.
fn valid_table() -> Vec<u8> {
    let text = r#"
isp "Acme" {
    domains "acme.example" "*.acme.example" "mx?.corp.example"
    domains "outbound.relay-pool.bulk-delivery.example.net"
    mx "inbound.acme.example" "*.mx.acme.example" "relay?.acme-mail.example"
    encoding html="base64"
    headers {
        remove "X-Priority"
        add "X-Campaign" "spring"
    }
}
isp "Почта" {
    domains "other.example" "*.co.other.example" "other.**"
}
"#;
    let checked = isptab::check(
        &[Input::Text {
            name: "hostile.kdl".into(),
            text: text.into(),
        }],
        &Options {
            defaults: DefaultsSource::None,
            ..Options::default()
        },
    )
    .unwrap();
    assert!(!checked.has_errors());
    table::compile(&checked.into_model().unwrap()).unwrap()
}

/// The header is the first [`header::LEN`] bytes of the file: its fields' offsets
/// are file offsets.
const HEADER: usize = 0;

/// A table being forged: reads and writes of a [`Field`] of the structure at a
/// file offset, and the checksums recomputed so that a case reaches the check it
/// aims at.
struct Forge {
    bytes: Vec<u8>,
}

impl Forge {
    fn new() -> Forge {
        Forge {
            bytes: valid_table(),
        }
    }

    /// The field's bytes in the structure at `at`.
    fn get<const N: usize>(&self, at: usize, field: Field) -> [u8; N] {
        assert_eq!(field.size, N, "{}", field.name);
        self.bytes[field.range(at)].try_into().unwrap()
    }

    fn u8(&self, at: usize, field: Field) -> u8 {
        u8::from_le_bytes(self.get(at, field))
    }

    fn u16(&self, at: usize, field: Field) -> u16 {
        u16::from_le_bytes(self.get(at, field))
    }

    fn u32(&self, at: usize, field: Field) -> u32 {
        u32::from_le_bytes(self.get(at, field))
    }

    fn u64(&self, at: usize, field: Field) -> u64 {
        u64::from_le_bytes(self.get(at, field))
    }

    /// Writes the field of the structure at `at` (little-endian bytes of the
    /// field's size).
    fn put(&mut self, at: usize, field: Field, le_bytes: &[u8]) -> &mut Self {
        assert_eq!(field.size, le_bytes.len(), "{}", field.name);
        self.bytes[field.range(at)].copy_from_slice(le_bytes);
        self
    }

    fn put_u8(&mut self, at: usize, field: Field, v: u8) -> &mut Self {
        self.put(at, field, &v.to_le_bytes())
    }

    fn put_u16(&mut self, at: usize, field: Field, v: u16) -> &mut Self {
        self.put(at, field, &v.to_le_bytes())
    }

    fn put_u32(&mut self, at: usize, field: Field, v: u32) -> &mut Self {
        self.put(at, field, &v.to_le_bytes())
    }

    fn put_u64(&mut self, at: usize, field: Field, v: u64) -> &mut Self {
        self.put(at, field, &v.to_le_bytes())
    }

    fn section_count(&self) -> usize {
        self.u32(HEADER, header::SECTION_COUNT) as usize
    }

    /// The file offset of the `i`th directory entry (or of where it would be).
    fn dir_at(i: usize) -> usize {
        header::LEN + directory::LEN * i
    }

    /// The directory entry of a section kind: its file offset.
    fn dir_entry(&self, kind: SectionKind) -> usize {
        (0..self.section_count())
            .map(Forge::dir_at)
            .find(|&at| self.u32(at, directory::KIND) == kind as u32)
            .expect("the section is in the directory")
    }

    /// A section's bytes in the file.
    fn section(&self, kind: SectionKind) -> Range<usize> {
        let at = self.dir_entry(kind);
        let start = self.u64(at, directory::OFFSET) as usize;
        start..start + self.u64(at, directory::LENGTH) as usize
    }

    /// The file offset of the `i`th entry, of `len` bytes each, of a section.
    fn element(&self, kind: SectionKind, len: usize, i: usize) -> usize {
        self.section(kind).start + len * i
    }

    /// The file offset of META.
    fn meta(&self) -> usize {
        self.section(SectionKind::Meta).start
    }

    /// The file offset of MX_META.
    fn mx_meta(&self) -> usize {
        self.section(SectionKind::MxMeta).start
    }

    /// The file offset of the `i`th entry of RECORDS.
    fn record(&self, i: usize) -> usize {
        self.element(SectionKind::Records, record::LEN, i)
    }

    /// The file offset of the `i`th entry of RULE_SETS.
    fn rule_set(&self, i: usize) -> usize {
        self.element(SectionKind::RuleSets, rule_set::LEN, i)
    }

    /// The file offset of the `i`th entry of RULES.
    fn rule(&self, i: usize) -> usize {
        self.element(SectionKind::Rules, rule::LEN, i)
    }

    /// The file offset of the `i`th entry of GLOBS.
    fn glob(&self, i: usize) -> usize {
        self.element(SectionKind::Globs, glob::LEN, i)
    }

    /// The file offset of `needle` in a section.
    fn find(&self, kind: SectionKind, needle: &[u8]) -> usize {
        let range = self.section(kind);
        range.start
            + self.bytes[range]
                .windows(needle.len())
                .position(|w| w == needle)
                .expect("the bytes are in the section")
    }

    /// The file offset of the entry of a key of an index.
    fn entry_of(&self, kind: SectionKind, key: &[u8]) -> usize {
        self.find(kind, key) - entry::KEY.offset
    }

    /// The file offset of bucket `b`'s head in EXACT_INDEX.
    fn exact_head(&self, b: usize) -> usize {
        self.section(SectionKind::ExactIndex).start + b * bucket::LEN
    }

    /// The file offset of the summaries of EXACT_INDEX.
    fn exact_summaries(&self) -> usize {
        let buckets = self.u32(self.meta(), meta::EXACT_BUCKET_COUNT) as usize;
        self.exact_head(buckets + 1)
    }

    /// The header checksum, recomputed over the header and the directory.
    fn seal_header(&mut self) -> &mut Self {
        let dir_end = Forge::dir_at(self.section_count()).min(self.bytes.len());
        let mut head = self.bytes[..dir_end].to_vec();
        head[header::HEADER_CHECKSUM.range(HEADER)].fill(0);
        let sum = xxh3_64(&head);
        self.put_u64(HEADER, header::HEADER_CHECKSUM, sum)
    }

    /// Every section checksum, then the header checksum: only the rule the case
    /// breaks is broken.
    fn seal(&mut self) -> &mut Self {
        for i in 0..self.section_count() {
            let at = Forge::dir_at(i);
            let start = self.u64(at, directory::OFFSET) as usize;
            let end = start + self.u64(at, directory::LENGTH) as usize;
            if let Some(bytes) = self.bytes.get(start..end) {
                let sum = xxh3_64(bytes);
                self.put_u64(at, directory::CHECKSUM, sum);
            }
        }
        self.seal_header()
    }

    fn done(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.bytes)
    }
}

/// Where a case must be caught.
#[derive(Debug, PartialEq)]
enum Stage {
    Open,
    Verify,
}

/// The error kinds a case at open accepts.
type Expected = Box<dyn Fn(&TableErrorKind) -> bool>;

struct Case {
    /// What the snapshot prints; the case's test is named after it.
    name: &'static str,
    bytes: Vec<u8>,
    stage: Stage,
    /// For errors at open: the kind expected.
    kind: Option<Expected>,
}

fn open(
    name: &'static str,
    bytes: Vec<u8>,
    kind: impl Fn(&TableErrorKind) -> bool + 'static,
) -> Case {
    Case {
        name,
        bytes,
        stage: Stage::Open,
        kind: Some(Box::new(kind)),
    }
}

fn verify(name: &'static str, bytes: Vec<u8>) -> Case {
    Case {
        name,
        bytes,
        stage: Stage::Verify,
        kind: None,
    }
}

fn directory(k: &TableErrorKind) -> bool {
    matches!(k, TableErrorKind::Directory(_))
}

fn section(kind: SectionKind) -> impl Fn(&TableErrorKind) -> bool {
    move |k| matches!(k, TableErrorKind::Section(name, _) if *name == kind.name())
}

/// The cases, each breaking one rule; the tests and the snapshot's order are in
/// [`tests!`] below.
mod case {
    use super::*;

    // The header.

    pub(super) fn shorter_than_the_header() -> Case {
        /// Any length short of the header.
        const SHORT: usize = 40;
        const { assert!(SHORT < header::LEN) };
        open(
            "shorter than the header",
            Forge::new().bytes[..SHORT].to_vec(),
            |k| matches!(k, TableErrorKind::TooShort(SHORT)),
        )
    }

    pub(super) fn wrong_magic() -> Case {
        // `ISPT` becomes `XSPT`.
        let mut magic = layout::MAGIC;
        magic[1] = b'X';
        open(
            "wrong magic",
            Forge::new().put(HEADER, header::MAGIC, &magic).done(),
            |k| matches!(k, TableErrorKind::NotATable),
        )
    }

    pub(super) fn big_endian_table() -> Case {
        open(
            "big-endian table",
            Forge::new()
                .put_u32(
                    HEADER,
                    header::ENDIAN_CHECK,
                    layout::ENDIAN_CHECK.swap_bytes(),
                )
                .done(),
            |k| matches!(k, TableErrorKind::WrongEndianness),
        )
    }

    pub(super) fn the_next_major_version() -> Case {
        let next = layout::MAJOR + 1;
        open(
            "the next major version",
            Forge::new().put_u16(HEADER, header::MAJOR, next).done(),
            move |k| matches!(k, TableErrorKind::UnsupportedVersion(m, layout::MINOR) if *m == next),
        )
    }

    /// A 1.x table (cuckoo buckets, LONG_KEYS) is refused, not misread.
    pub(super) fn major_version_1() -> Case {
        open(
            "major version 1",
            Forge::new().put_u16(HEADER, header::MAJOR, 1).done(),
            |k| matches!(k, TableErrorKind::UnsupportedVersion(1, layout::MINOR)),
        )
    }

    pub(super) fn length_field_says_more() -> Case {
        open(
            "length field says more",
            Forge::new()
                .put_u64(HEADER, header::FILE_LENGTH, 1 << 40)
                .done(),
            |k| matches!(k, TableErrorKind::WrongLength { .. }),
        )
    }

    pub(super) fn header_byte_changed() -> Case {
        open(
            "header byte changed",
            Forge::new()
                .put(HEADER, header::RESERVED, &7u128.to_le_bytes())
                .done(),
            |k| matches!(k, TableErrorKind::HeaderChecksum),
        )
    }

    pub(super) fn required_feature_set() -> Case {
        open(
            "required feature set",
            Forge::new()
                .put_u64(HEADER, header::REQUIRED_FEATURES, 1)
                .seal_header()
                .done(),
            |k| matches!(k, TableErrorKind::UnknownFeatures(1)),
        )
    }

    pub(super) fn header_length_not_64() -> Case {
        open(
            "header length not 64",
            Forge::new()
                .put_u32(HEADER, header::HEADER_LENGTH, 128)
                .seal_header()
                .done(),
            directory,
        )
    }

    // The directory.

    pub(super) fn a_billion_sections() -> Case {
        open(
            "a billion sections",
            Forge::new()
                .put_u32(HEADER, header::SECTION_COUNT, 1_000_000_000)
                .seal_header()
                .done(),
            directory,
        )
    }

    pub(super) fn directory_past_the_end() -> Case {
        open(
            "directory past the end",
            {
                let mut f = Forge::new();
                f.bytes.truncate(header::LEN);
                f.put_u64(HEADER, header::FILE_LENGTH, header::LEN as u64)
                    .put_u32(HEADER, header::SECTION_COUNT, 1)
                    .done()
            },
            directory,
        )
    }

    pub(super) fn section_past_the_end() -> Case {
        open(
            "section past the end",
            {
                let mut f = Forge::new();
                let at = f.dir_entry(SectionKind::Globs);
                let len = f.bytes.len() as u64;
                // 64 bytes from the end of the file on.
                f.put_u64(at, directory::OFFSET, len)
                    .put_u64(at, directory::LENGTH, 64)
                    .seal_header()
                    .done()
            },
            directory,
        )
    }

    pub(super) fn section_length_overflows() -> Case {
        open(
            "section length overflows",
            {
                let mut f = Forge::new();
                let at = f.dir_entry(SectionKind::Strings);
                f.put_u64(at, directory::LENGTH, u64::MAX)
                    .seal_header()
                    .done()
            },
            directory,
        )
    }

    pub(super) fn section_over_the_directory() -> Case {
        open(
            "section over the directory",
            {
                let mut f = Forge::new();
                let at = f.dir_entry(SectionKind::Meta);
                f.put_u64(at, directory::OFFSET, header::LEN as u64)
                    .seal_header()
                    .done()
            },
            directory,
        )
    }

    pub(super) fn section_not_aligned() -> Case {
        open(
            "section not aligned",
            {
                let mut f = Forge::new();
                let at = f.dir_entry(SectionKind::Meta);
                let offset = f.u64(at, directory::OFFSET);
                // 8 bytes off.
                f.put_u64(at, directory::OFFSET, offset + 8)
                    .seal_header()
                    .done()
            },
            directory,
        )
    }

    pub(super) fn sections_overlap() -> Case {
        open(
            "sections overlap",
            {
                let mut f = Forge::new();
                let records = f.section(SectionKind::Records);
                let at = f.dir_entry(SectionKind::Globs);
                f.put_u64(at, directory::OFFSET, records.start as u64)
                    .seal_header()
                    .done()
            },
            directory,
        )
    }

    pub(super) fn a_section_twice() -> Case {
        open(
            "a section twice",
            {
                let mut f = Forge::new();
                let at = f.dir_entry(SectionKind::Globs);
                f.put_u32(at, directory::KIND, SectionKind::Rules as u32)
                    .seal_header()
                    .done()
            },
            directory,
        )
    }

    pub(super) fn a_section_missing() -> Case {
        open(
            "a section missing",
            {
                let mut f = Forge::new();
                let at = f.dir_entry(SectionKind::RuleSets);
                // A kind no version knows.
                f.put_u32(at, directory::KIND, 77).seal_header().done()
            },
            directory,
        )
    }

    // META and the counts.

    pub(super) fn meta_too_short() -> Case {
        open(
            "META too short",
            {
                let mut f = Forge::new();
                let at = f.dir_entry(SectionKind::Meta);
                f.put_u64(at, directory::LENGTH, (meta::LEN / 2) as u64)
                    .seal_header()
                    .done()
            },
            section(SectionKind::Meta),
        )
    }

    pub(super) fn an_index_without_buckets() -> Case {
        open(
            "an index without buckets",
            {
                let mut f = Forge::new();
                f.put_u32(f.meta(), meta::SUFFIX_BUCKET_COUNT, 0).done()
            },
            section(SectionKind::Meta),
        )
    }

    pub(super) fn four_billion_buckets() -> Case {
        open(
            "four billion buckets",
            {
                let mut f = Forge::new();
                f.put_u32(f.meta(), meta::EXACT_BUCKET_COUNT, u32::MAX)
                    .done()
            },
            section(SectionKind::ExactIndex),
        )
    }

    pub(super) fn more_records_than_ids() -> Case {
        open(
            "more records than ids",
            {
                let mut f = Forge::new();
                f.put_u32(f.meta(), meta::RECORD_COUNT, 40_000).done()
            },
            section(SectionKind::Meta),
        )
    }

    pub(super) fn record_count_off_by_one() -> Case {
        open(
            "record count off by one",
            {
                let mut f = Forge::new();
                let count = f.u32(f.meta(), meta::RECORD_COUNT);
                f.put_u32(f.meta(), meta::RECORD_COUNT, count + 1).done()
            },
            section(SectionKind::Records),
        )
    }

    pub(super) fn huge_rule_count() -> Case {
        open(
            "huge rule count",
            {
                let mut f = Forge::new();
                f.put_u32(f.meta(), meta::RULE_COUNT, u32::MAX).done()
            },
            section(SectionKind::Rules),
        )
    }

    // Strings and records.

    pub(super) fn strings_not_utf_8() -> Case {
        open(
            "STRINGS not UTF-8",
            {
                let mut f = Forge::new();
                let at = f.find(SectionKind::Strings, "Почта".as_bytes());
                f.bytes[at] = 0xff;
                f.done()
            },
            section(SectionKind::Strings),
        )
    }

    pub(super) fn record_name_with_a_line_break() -> Case {
        open(
            "record name with a line break",
            {
                // `Acme` becomes `A\ncm`: a forged line in every lookup answer.
                let mut f = Forge::new();
                let at = f.find(SectionKind::Strings, b"Acme");
                f.bytes[at + 1] = b'\n';
                f.done()
            },
            section(SectionKind::Records),
        )
    }

    pub(super) fn record_name_with_a_bidi_override() -> Case {
        open(
            "record name with a bidi override",
            {
                let mut f = Forge::new();
                let at = f.find(SectionKind::Strings, "Почта".as_bytes());
                // U+202E is three bytes, like the first letter and a half: the
                // name stays UTF-8.
                let bidi = "\u{202e}".as_bytes();
                f.bytes[at..at + bidi.len()].copy_from_slice(bidi);
                f.bytes[at + bidi.len()] = b'x';
                f.done()
            },
            section(SectionKind::Records),
        )
    }

    pub(super) fn record_name_past_strings() -> Case {
        open(
            "record name past STRINGS",
            {
                let mut f = Forge::new();
                f.put_u32(f.record(0), record::NAME_OFFSET, u32::MAX - 2)
                    .done()
            },
            section(SectionKind::Records),
        )
    }

    pub(super) fn record_name_splits_a_character() -> Case {
        open(
            "record name splits a character",
            {
                let mut f = Forge::new();
                // Start one byte into `Почта` and stop at its end: in bounds, but
                // not on a character boundary.
                let at = f.record(1);
                let offset = f.u32(at, record::NAME_OFFSET);
                let length = f.u16(at, record::NAME_LENGTH);
                f.put_u32(at, record::NAME_OFFSET, offset + 1)
                    .put_u16(at, record::NAME_LENGTH, length - 1)
                    .done()
            },
            section(SectionKind::Records),
        )
    }

    pub(super) fn unknown_record_flag() -> Case {
        open(
            "unknown record flag",
            {
                let mut f = Forge::new();
                f.put_u8(f.record(0), record::FLAGS, 0x80).done()
            },
            section(SectionKind::Records),
        )
    }

    pub(super) fn unknown_encoding() -> Case {
        open(
            "unknown encoding",
            {
                let mut f = Forge::new();
                f.put_u8(f.record(1), record::ENCODING_HTML, 9).done()
            },
            section(SectionKind::Records),
        )
    }

    pub(super) fn rule_set_out_of_range() -> Case {
        open(
            "rule set out of range",
            {
                let mut f = Forge::new();
                f.put_u32(f.record(0), record::RULE_SET, u32::MAX).done()
            },
            section(SectionKind::Records),
        )
    }

    pub(super) fn rule_set_past_the_rules() -> Case {
        open(
            "rule set past the rules",
            {
                let mut f = Forge::new();
                f.put_u32(f.rule_set(0), rule_set::RULE_COUNT, 1000).done()
            },
            section(SectionKind::RuleSets),
        )
    }

    // Header rules: the MTA writes them into messages.

    pub(super) fn header_name_with_a_colon() -> Case {
        open(
            "header name with a colon",
            {
                let mut f = Forge::new();
                let at = f.find(SectionKind::Strings, b"X-Campaign");
                f.bytes[at + 1] = b':';
                f.done()
            },
            section(SectionKind::Rules),
        )
    }

    pub(super) fn header_value_with_cr_lf() -> Case {
        open(
            "header value with CR LF",
            {
                let mut f = Forge::new();
                let at = f.find(SectionKind::Strings, b"spring");
                f.bytes[at + 2] = b'\r';
                f.bytes[at + 3] = b'\n';
                f.done()
            },
            section(SectionKind::Rules),
        )
    }

    pub(super) fn header_value_too_long() -> Case {
        open(
            "header value too long",
            {
                let mut f = Forge::new();
                f.put_u32(f.rule(1), rule::VALUE_LENGTH, 100_000).done()
            },
            section(SectionKind::Rules),
        )
    }

    pub(super) fn unknown_rule_operation() -> Case {
        open(
            "unknown rule operation",
            {
                let mut f = Forge::new();
                f.put_u8(f.rule(0), rule::OP, 7).done()
            },
            section(SectionKind::Rules),
        )
    }

    pub(super) fn remove_rule_with_a_value() -> Case {
        open(
            "remove rule with a value",
            {
                let mut f = Forge::new();
                let remove = f.rule(0);
                let add = f.rule(1);
                let (offset, len) = (
                    f.u32(add, rule::VALUE_OFFSET),
                    f.u32(add, rule::VALUE_LENGTH),
                );
                f.put_u32(remove, rule::VALUE_OFFSET, offset)
                    .put_u32(remove, rule::VALUE_LENGTH, len)
                    .done()
            },
            section(SectionKind::Rules),
        )
    }

    // Globs.

    pub(super) fn glob_of_a_record_that_does_not_exist() -> Case {
        open(
            "glob of a record that does not exist",
            {
                let mut f = Forge::new();
                f.put_u16(f.glob(0), glob::RECORD, 5).done()
            },
            section(SectionKind::Globs),
        )
    }

    pub(super) fn empty_glob() -> Case {
        open(
            "empty glob",
            {
                let mut f = Forge::new();
                f.put_u16(f.glob(0), glob::TEXT_LENGTH, 0).done()
            },
            section(SectionKind::Globs),
        )
    }

    pub(super) fn glob_that_is_not_a_glob() -> Case {
        verify("glob that is not a glob", {
            let mut f = Forge::new();
            let at = f.find(SectionKind::Strings, b"mx?.corp");
            f.bytes[at + 2] = b'x';
            f.seal().done()
        })
    }

    /// `mx?.corp` made `m/?.corp`: outside the grammar of stored globs. A
    /// reader never matches it (through globset it would match `m.x.corp...`,
    /// which its prefilter key never finds).
    pub(super) fn glob_outside_the_grammar() -> Case {
        verify("glob outside the grammar", {
            let mut f = Forge::new();
            let at = f.find(SectionKind::Strings, b"mx?.corp");
            f.bytes[at + 1] = b'/';
            let bytes = f.seal().done();
            let table = Table::from_bytes(&bytes[..]).expect("globs are not parsed on open");
            assert!(table.lookup("m.a.corp.example").found().is_none());
            bytes
        })
    }

    /// `Почта` named `Acme` (the first record's name string): two records of one
    /// name, which no configuration can give.
    pub(super) fn two_records_of_one_name() -> Case {
        verify("two records of one name", {
            let mut f = Forge::new();
            let (first, second) = (f.record(0), f.record(1));
            let (offset, length) = (
                f.u32(first, record::NAME_OFFSET),
                f.u16(first, record::NAME_LENGTH),
            );
            f.put_u32(second, record::NAME_OFFSET, offset)
                .put_u16(second, record::NAME_LENGTH, length)
                .seal()
                .done()
        })
    }

    pub(super) fn globs_out_of_record_order() -> Case {
        verify("globs out of record order", {
            let mut f = Forge::new();
            let (a, b) = (f.glob(0), f.glob(1));
            let (first, second) = (
                f.bytes[a..a + glob::LEN].to_vec(),
                f.bytes[b..b + glob::LEN].to_vec(),
            );
            f.bytes[a..a + glob::LEN].copy_from_slice(&second);
            f.bytes[b..b + glob::LEN].copy_from_slice(&first);
            f.seal().done()
        })
    }

    // The indexes: not read on open beyond their sizes, caught by the full
    // check, and harmless to lookups meanwhile.

    pub(super) fn a_bucket_byte_changed_checksum_kept() -> Case {
        verify("a bucket byte changed, checksum kept", {
            let mut f = Forge::new();
            let at = f.find(SectionKind::ExactIndex, b"acme.example");
            f.bytes[at] ^= 0x20;
            f.done()
        })
    }

    pub(super) fn entry_names_a_record_that_does_not_exist() -> Case {
        verify("entry names a record that does not exist", {
            let mut f = Forge::new();
            let at = f.entry_of(SectionKind::ExactIndex, b"acme.example");
            f.put_u16(at, entry::RECORD_KIND, 0x7ffe).seal().done()
        })
    }

    pub(super) fn entry_of_the_other_kind() -> Case {
        verify("entry of the other kind", {
            let mut f = Forge::new();
            let at = f.entry_of(SectionKind::ExactIndex, b"acme.example");
            let field = f.u16(at, entry::RECORD_KIND);
            f.put_u16(at, entry::RECORD_KIND, field | entry::KIND_BIT)
                .seal()
                .done()
        })
    }

    pub(super) fn key_length_changed_in_the_summary() -> Case {
        verify("key length changed in the summary", {
            let mut f = Forge::new();
            let at = f.exact_summaries();
            let len = f.u8(at, summary::KEY_LENGTH);
            f.put_u8(at, summary::KEY_LENGTH, len + 1).seal().done()
        })
    }

    pub(super) fn tag_changed_in_the_summary() -> Case {
        verify("tag changed in the summary", {
            let mut f = Forge::new();
            let at = f.exact_summaries();
            let tag = f.u8(at, summary::TAG);
            f.put_u8(at, summary::TAG, tag ^ 1).seal().done()
        })
    }

    pub(super) fn bucket_head_out_of_place() -> Case {
        verify("bucket head out of place", {
            let mut f = Forge::new();
            // The first bucket claims to start at the second entry.
            let at = f.exact_head(0);
            f.put_u32(at, bucket::FIRST_ENTRY, 1).seal().done()
        })
    }

    pub(super) fn index_longer_than_its_last_head_says() -> Case {
        open(
            "index longer than its last head says",
            {
                let mut f = Forge::new();
                let buckets = f.u32(f.meta(), meta::EXACT_BUCKET_COUNT) as usize;
                let at = f.exact_head(buckets);
                let total = f.u32(at, bucket::FIRST_BYTE);
                f.put_u32(at, bucket::FIRST_BYTE, total - 1).seal().done()
            },
            section(SectionKind::ExactIndex),
        )
    }

    pub(super) fn key_not_utf_8() -> Case {
        verify("key not UTF-8", {
            let mut f = Forge::new();
            let at = f.find(SectionKind::ExactIndex, b"acme.example");
            f.bytes[at] = 0xc3;
            f.seal().done()
        })
    }

    pub(super) fn key_not_in_normal_form() -> Case {
        verify("key not in normal form", {
            let mut f = Forge::new();
            let at = f.find(SectionKind::ExactIndex, b"acme.example");
            f.bytes[at] = b'A';
            f.seal().done()
        })
    }

    pub(super) fn key_in_the_wrong_bucket() -> Case {
        verify("key in the wrong bucket", {
            let mut f = Forge::new();
            let at = f.find(SectionKind::SuffixIndex, b"co.other.example");
            f.bytes[at] = b'd';
            f.seal().done()
        })
    }

    pub(super) fn non_zero_padding() -> Case {
        verify("non-zero padding", {
            let mut f = Forge::new();
            let records = f.section(SectionKind::Records);
            assert!(
                f.section(SectionKind::SuffixIndex).end < records.start,
                "padding before RECORDS"
            );
            f.bytes[records.start - 1] = 1;
            f.seal().done()
        })
    }

    pub(super) fn meta_counts_wrong() -> Case {
        verify("META counts wrong", {
            let mut f = Forge::new();
            f.put_u32(f.meta(), meta::EXACT_COUNT, 5).seal().done()
        })
    }

    // The MX sections.

    pub(super) fn mx_section_missing() -> Case {
        open(
            "MX section missing",
            {
                let mut f = Forge::new();
                let at = f.dir_entry(SectionKind::MxSuffixIndex);
                f.put_u32(at, directory::KIND, 99).seal_header().done()
            },
            directory,
        )
    }

    pub(super) fn mx_meta_with_no_buckets() -> Case {
        open(
            "MX_META with no buckets",
            {
                let mut f = Forge::new();
                f.put_u32(f.mx_meta(), layout::mx_meta::EXACT_BUCKET_COUNT, 0)
                    .seal()
                    .done()
            },
            section(SectionKind::MxMeta),
        )
    }

    pub(super) fn mx_glob_count_off_by_one() -> Case {
        open(
            "MX glob count off by one",
            {
                let mut f = Forge::new();
                f.put_u32(f.mx_meta(), layout::mx_meta::GLOB_COUNT, 2)
                    .seal()
                    .done()
            },
            section(SectionKind::MxGlobs),
        )
    }

    pub(super) fn mx_glob_of_an_unknown_record() -> Case {
        open(
            "MX glob of an unknown record",
            {
                let mut f = Forge::new();
                let at = f.element(SectionKind::MxGlobs, glob::LEN, 0);
                f.put_u16(at, glob::RECORD, 7).seal().done()
            },
            section(SectionKind::MxGlobs),
        )
    }

    pub(super) fn mx_meta_counts_wrong() -> Case {
        verify("MX_META counts wrong", {
            let mut f = Forge::new();
            f.put_u32(f.mx_meta(), layout::mx_meta::EXACT_COUNT, 3)
                .seal()
                .done()
        })
    }

    pub(super) fn record_mx_pattern_count_wrong() -> Case {
        verify("record MX pattern count wrong", {
            let mut f = Forge::new();
            f.put_u32(f.record(1), record::MX_PATTERN_COUNT, 1)
                .seal()
                .done()
        })
    }

    pub(super) fn record_pattern_count_wrong() -> Case {
        verify("record pattern count wrong", {
            let mut f = Forge::new();
            f.put_u32(f.record(0), record::PATTERN_COUNT, 99)
                .seal()
                .done()
        })
    }
}

/// A case's name as a test name: `record count off by one` is
/// `record_count_off_by_one`.
fn snake_case(name: &str) -> String {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_ascii_lowercase)
        .collect::<Vec<_>>()
        .join("_")
}

/// Checks a case: open fails with the kind expected, or open succeeds, lookups
/// and dumps do not panic and the full check fails. Returns the error message.
fn outcome(case: &Case) -> String {
    let opened = Table::from_bytes(case.bytes.as_slice());
    match (&case.stage, opened) {
        (Stage::Open, Ok(_)) => panic!("{}: opened", case.name),
        (Stage::Open, Err(e)) => {
            let kind = case.kind.as_ref().expect("open cases name a kind");
            assert!(kind(e.kind()), "{}: {:?}", case.name, e.kind());
            e.to_string()
        }
        (Stage::Verify, Err(e)) => panic!("{}: did not open: {e}", case.name),
        (Stage::Verify, Ok(table)) => {
            exercise(&table);
            let e = table
                .verify()
                .expect_err(&format!("{}: passed the full check", case.name));
            e.to_string()
        }
    }
}

/// One test per case, named after it, and [`CASES`], every case in the
/// snapshot's order. A case left out here is dead code (a warning); one listed
/// twice is a duplicate test.
macro_rules! tests {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                let case = case::$name();
                assert_eq!(stringify!($name), snake_case(case.name), "named after its case");
                outcome(&case);
            }
        )*

        /// Every case, in the snapshot's order.
        const CASES: &[fn() -> Case] = &[$(case::$name),*];
    };
}

tests! {
    // The header.
    shorter_than_the_header,
    wrong_magic,
    big_endian_table,
    the_next_major_version,
    major_version_1,
    length_field_says_more,
    header_byte_changed,
    required_feature_set,
    header_length_not_64,
    // The directory.
    a_billion_sections,
    directory_past_the_end,
    section_past_the_end,
    section_length_overflows,
    section_over_the_directory,
    section_not_aligned,
    sections_overlap,
    a_section_twice,
    a_section_missing,
    // META and the counts.
    meta_too_short,
    an_index_without_buckets,
    four_billion_buckets,
    more_records_than_ids,
    record_count_off_by_one,
    huge_rule_count,
    // Strings and records.
    strings_not_utf_8,
    record_name_with_a_line_break,
    record_name_with_a_bidi_override,
    record_name_past_strings,
    record_name_splits_a_character,
    unknown_record_flag,
    unknown_encoding,
    rule_set_out_of_range,
    rule_set_past_the_rules,
    // Header rules.
    header_name_with_a_colon,
    header_value_with_cr_lf,
    header_value_too_long,
    unknown_rule_operation,
    remove_rule_with_a_value,
    // Globs.
    glob_of_a_record_that_does_not_exist,
    empty_glob,
    glob_that_is_not_a_glob,
    two_records_of_one_name,
    glob_outside_the_grammar,
    globs_out_of_record_order,
    // The indexes.
    a_bucket_byte_changed_checksum_kept,
    entry_names_a_record_that_does_not_exist,
    entry_of_the_other_kind,
    key_length_changed_in_the_summary,
    tag_changed_in_the_summary,
    bucket_head_out_of_place,
    index_longer_than_its_last_head_says,
    key_not_utf_8,
    key_not_in_normal_form,
    key_in_the_wrong_bucket,
    non_zero_padding,
    meta_counts_wrong,
    record_pattern_count_wrong,
    // The MX sections.
    mx_section_missing,
    mx_meta_with_no_buckets,
    mx_glob_count_off_by_one,
    mx_glob_of_an_unknown_record,
    mx_meta_counts_wrong,
    record_mx_pattern_count_wrong,
}

/// Lookups, the dumps and the full check on a table that opened: errors or
/// answers, never a panic.
fn exercise(table: &Table<&[u8]>) {
    for q in [
        "acme.example",
        "a.acme.example",
        "mx1.corp.example",
        "outbound.relay-pool.bulk-delivery.example.net",
        "x.co.other.example",
        "other.fr",
        "gmail.com",
    ] {
        if let Some(m) = table.lookup(q).found() {
            let _ = (m.record.name(), m.record.encodings(), m.pattern.to_string());
            let _ = m.record.header_rules().count();
        }
        let hosts = [
            "inbound.acme.example",
            "a.mx.acme.example",
            "relay1.acme-mail.example",
        ];
        for n in 0..=hosts.len() {
            if let Some(m) = table.lookup_with_mx(q, &hosts[..n]).found() {
                let _ = (m.record.name(), m.pattern.to_string());
            }
        }
        let _ = table.lookup_with_mx(q, &["."]);
    }
    let _ = table::to_kdl(table);
    let _ = table::to_json(table);
}

#[test]
fn each_broken_rule_gives_its_error() {
    let mut report = String::new();
    for case in CASES.iter().map(|case| case()) {
        let message = outcome(&case);
        report.push_str(&format!("{:?} {}: {message}\n", case.stage, case.name));
    }
    insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false, omit_expression => true }, {
        insta::assert_snapshot!("hostile__errors", report);
    });
}

#[test]
fn a_later_minor_version_and_unknown_sections_are_read() {
    let bytes = Forge::new()
        .put_u16(HEADER, header::MINOR, 9)
        .seal_header()
        .done();
    let table = Table::from_bytes(bytes.as_slice()).unwrap();
    assert_eq!(table.version(), (layout::MAJOR, 9));
    table.verify().unwrap();

    // A section of a kind this version does not know, its directory entry in
    // room made after the directory (every section moved one cache line on):
    // skipped on open, its bytes not checked.
    let mut forge = Forge::new();
    let count = forge.section_count();
    let entry = Forge::dir_at(count);
    let room = layout::ALIGN;
    forge
        .bytes
        .splice(entry..entry, std::iter::repeat_n(0, room));
    for i in 0..count {
        let at = Forge::dir_at(i);
        let offset = forge.u64(at, directory::OFFSET);
        forge.put_u64(at, directory::OFFSET, offset + room as u64);
    }
    let end = forge.bytes.len();
    let unknown = [0xab; 64];
    forge.bytes.extend_from_slice(&unknown);
    assert!(
        entry + directory::LEN <= forge.section(SectionKind::Meta).start,
        "room for an entry"
    );
    let sum = xxh3_64(&forge.bytes[end..]);
    let (start, len) = (end as u64, unknown.len() as u64);
    let bytes = forge
        .put_u32(HEADER, header::SECTION_COUNT, count as u32 + 1)
        .put_u64(HEADER, header::FILE_LENGTH, start + len)
        .put_u32(entry, directory::KIND, 42)
        .put_u64(entry, directory::OFFSET, start)
        .put_u64(entry, directory::LENGTH, len)
        .put_u64(entry, directory::CHECKSUM, sum)
        .seal_header()
        .done();
    let table = Table::from_bytes(bytes.as_slice()).unwrap();
    table.verify().unwrap();
    let found = table
        .lookup("acme.example")
        .found()
        .map(|m| m.record.name().to_string());
    assert_eq!(found.as_deref(), Some("Acme"));
}

#[test]
fn the_valid_table_passes() {
    let bytes = valid_table();
    let table = Table::from_bytes(bytes.as_slice()).unwrap();
    table.verify().unwrap();
    exercise(&table);
    let found = |q: &str| table.lookup(q).found().map(|m| m.record.name().to_string());
    assert_eq!(found("x.co.other.example").as_deref(), Some("Почта"));
    assert_eq!(
        found("outbound.relay-pool.bulk-delivery.example.net").as_deref(),
        Some("Acme")
    );
}
