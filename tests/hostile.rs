//! Hand-forged hostile tables: each case breaks one rule of
//! `schema/table-format.md` in a valid table and expects the specific error, at
//! open (`Table::from_bytes`) or at the full check (`Table::verify`). Whatever
//! opens is then looked up and dumped, which must not panic.
//!
//! The format has no linked structures (every reference is an offset and length
//! checked against its section, or an index into a fixed-size array checked
//! against its count), so there is no cycle to forge: a lookup reads at most two
//! buckets per candidate key, and a bucket scan moves forward at least four bytes
//! per entry. Counts are checked against section lengths before anything is
//! allocated, so a huge count costs nothing.

// These use the compiler.
#![cfg(feature = "compiler")]

use std::ops::Range;

use isptab::table::{self, Table, TableErrorKind};
use isptab::{DefaultsSource, Input, Options};
use xxhash_rust::xxh3::xxh3_64;

/// A valid table with every kind of pattern, a long key, a non-ASCII record name
/// and header rules.
fn valid_table() -> Vec<u8> {
    let text = r#"
isp "Acme" {
    domains "acme.example" "*.acme.example" "mx?.corp.example"
    domains "outbound.relay-pool.bulk-delivery.example.net"
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

// Section kinds (schema/table-format.md, section 5).
const META: u32 = 1;
const EXACT_INDEX: u32 = 2;
const SUFFIX_INDEX: u32 = 3;
const LONG_KEYS: u32 = 4;
const RECORDS: u32 = 5;
const STRINGS: u32 = 6;
const RULE_SETS: u32 = 7;
const RULES: u32 = 8;
const GLOBS: u32 = 9;

/// A table being forged: field writes by file offset, and the checksums
/// recomputed so that a case reaches the check it aims at.
struct Forge {
    bytes: Vec<u8>,
}

impl Forge {
    fn new() -> Forge {
        Forge {
            bytes: valid_table(),
        }
    }

    fn u16_at(&self, at: usize) -> u16 {
        u16::from_le_bytes(self.bytes[at..at + 2].try_into().unwrap())
    }

    fn u32_at(&self, at: usize) -> u32 {
        u32::from_le_bytes(self.bytes[at..at + 4].try_into().unwrap())
    }

    fn u64_at(&self, at: usize) -> u64 {
        u64::from_le_bytes(self.bytes[at..at + 8].try_into().unwrap())
    }

    fn put_u16(&mut self, at: usize, v: u16) -> &mut Self {
        self.bytes[at..at + 2].copy_from_slice(&v.to_le_bytes());
        self
    }

    fn put_u32(&mut self, at: usize, v: u32) -> &mut Self {
        self.bytes[at..at + 4].copy_from_slice(&v.to_le_bytes());
        self
    }

    fn put_u64(&mut self, at: usize, v: u64) -> &mut Self {
        self.bytes[at..at + 8].copy_from_slice(&v.to_le_bytes());
        self
    }

    fn section_count(&self) -> usize {
        self.u32_at(24) as usize
    }

    /// The directory entry of a section kind: its file offset.
    fn dir_entry(&self, kind: u32) -> usize {
        (0..self.section_count())
            .map(|i| 64 + 32 * i)
            .find(|&at| self.u32_at(at) == kind)
            .expect("the section is in the directory")
    }

    /// A section's bytes in the file.
    fn section(&self, kind: u32) -> Range<usize> {
        let at = self.dir_entry(kind);
        let start = self.u64_at(at + 8) as usize;
        start..start + self.u64_at(at + 16) as usize
    }

    /// The file offset of `needle` in a section.
    fn find(&self, kind: u32, needle: &[u8]) -> usize {
        let range = self.section(kind);
        range.start
            + self.bytes[range]
                .windows(needle.len())
                .position(|w| w == needle)
                .expect("the bytes are in the section")
    }

    /// Every bucket entry of an index: its file offset and key length.
    fn entries(&self, kind: u32) -> Vec<(usize, usize)> {
        let range = self.section(kind);
        let mut out = Vec::new();
        for bucket in range.step_by(64) {
            let mut at = 0;
            while at + 4 <= 64 && self.bytes[bucket + at] != 0 {
                let len = usize::from(self.bytes[bucket + at + 1]);
                out.push((bucket + at, len));
                at += 4 + if len <= 40 { len } else { 4 };
            }
        }
        out
    }

    /// The header checksum, recomputed over the header and the directory.
    fn seal_header(&mut self) -> &mut Self {
        let dir_end = (64 + 32 * self.section_count()).min(self.bytes.len());
        let mut head = self.bytes[..dir_end].to_vec();
        head[40..48].fill(0);
        let sum = xxh3_64(&head);
        self.put_u64(40, sum)
    }

    /// Every section checksum, then the header checksum: only the rule the case
    /// breaks is broken.
    fn seal(&mut self) -> &mut Self {
        for i in 0..self.section_count() {
            let at = 64 + 32 * i;
            let start = self.u64_at(at + 8) as usize;
            let end = start + self.u64_at(at + 16) as usize;
            if let Some(bytes) = self.bytes.get(start..end) {
                let sum = xxh3_64(bytes);
                self.put_u64(at + 24, sum);
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

struct Case {
    name: &'static str,
    bytes: Vec<u8>,
    stage: Stage,
    /// For errors at open: the kind expected.
    kind: Option<fn(&TableErrorKind) -> bool>,
}

fn open(name: &'static str, bytes: Vec<u8>, kind: fn(&TableErrorKind) -> bool) -> Case {
    Case {
        name,
        bytes,
        stage: Stage::Open,
        kind: Some(kind),
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

fn section(name: &'static str) -> fn(&TableErrorKind) -> bool {
    macro_rules! of {
        ($($s:literal),*) => {
            match name {
                $($s => |k| matches!(k, TableErrorKind::Section($s, _)),)*
                _ => unreachable!("no such section"),
            }
        };
    }
    of!(
        "META",
        "EXACT_INDEX",
        "SUFFIX_INDEX",
        "RECORDS",
        "STRINGS",
        "RULE_SETS",
        "RULES",
        "GLOBS"
    )
}

fn cases() -> Vec<Case> {
    let f = Forge::new;
    let record = |f: &Forge, i: usize| f.section(RECORDS).start + 32 * i;
    let rule = |f: &Forge, k: usize| f.section(RULES).start + 16 * k;
    let glob = |f: &Forge, g: usize| f.section(GLOBS).start + 8 * g;
    let meta = |f: &Forge, at: usize| f.section(META).start + at;
    vec![
        // The header.
        open("shorter than the header", f().bytes[..40].to_vec(), |k| {
            matches!(k, TableErrorKind::TooShort(40))
        }),
        open(
            "wrong magic",
            {
                let mut f = f();
                f.bytes[1] = b'X';
                f.done()
            },
            |k| matches!(k, TableErrorKind::NotATable),
        ),
        open(
            "big-endian table",
            f().put_u32(8, 0x0403_0201).done(),
            |k| matches!(k, TableErrorKind::WrongEndianness),
        ),
        open("major version 2", f().put_u16(12, 2).done(), |k| {
            matches!(k, TableErrorKind::UnsupportedVersion(2, 0))
        }),
        open(
            "length field says more",
            f().put_u64(16, 1 << 40).done(),
            |k| matches!(k, TableErrorKind::WrongLength { .. }),
        ),
        open("header byte changed", f().put_u16(48, 7).done(), |k| {
            matches!(k, TableErrorKind::HeaderChecksum)
        }),
        open(
            "required feature set",
            f().put_u64(32, 1).seal_header().done(),
            |k| matches!(k, TableErrorKind::UnknownFeatures(1)),
        ),
        open(
            "header length not 64",
            f().put_u32(28, 128).seal_header().done(),
            directory,
        ),
        // The directory.
        open(
            "a billion sections",
            f().put_u32(24, 1_000_000_000).seal_header().done(),
            directory,
        ),
        open(
            "directory past the end",
            {
                let mut f = f();
                f.bytes.truncate(64);
                f.put_u64(16, 64).put_u32(24, 1).done()
            },
            directory,
        ),
        open(
            "section past the end",
            {
                let mut f = f();
                let at = f.dir_entry(GLOBS);
                let len = f.bytes.len() as u64;
                f.put_u64(at + 8, len)
                    .put_u64(at + 16, 64)
                    .seal_header()
                    .done()
            },
            directory,
        ),
        open(
            "section length overflows",
            {
                let mut f = f();
                let at = f.dir_entry(STRINGS);
                f.put_u64(at + 16, u64::MAX).seal_header().done()
            },
            directory,
        ),
        open(
            "section over the directory",
            {
                let mut f = f();
                let at = f.dir_entry(META);
                f.put_u64(at + 8, 64).seal_header().done()
            },
            directory,
        ),
        open(
            "section not aligned",
            {
                let mut f = f();
                let at = f.dir_entry(META);
                let offset = f.u64_at(at + 8);
                f.put_u64(at + 8, offset + 8).seal_header().done()
            },
            directory,
        ),
        open(
            "sections overlap",
            {
                let mut f = f();
                let records = f.section(RECORDS);
                let at = f.dir_entry(GLOBS);
                f.put_u64(at + 8, records.start as u64).seal_header().done()
            },
            directory,
        ),
        open(
            "a section twice",
            {
                let mut f = f();
                let at = f.dir_entry(GLOBS);
                f.put_u32(at, RULES).seal_header().done()
            },
            directory,
        ),
        open(
            "a section missing",
            {
                let mut f = f();
                let at = f.dir_entry(RULE_SETS);
                f.put_u32(at, 77).seal_header().done()
            },
            directory,
        ),
        // META and the counts.
        open(
            "META too short",
            {
                let mut f = f();
                let at = f.dir_entry(META);
                f.put_u64(at + 16, 32).seal_header().done()
            },
            section("META"),
        ),
        open(
            "an index without buckets",
            {
                let mut f = f();
                let at = meta(&f, 20);
                f.put_u32(at, 0).done()
            },
            section("META"),
        ),
        open(
            "four billion buckets",
            {
                let mut f = f();
                let at = meta(&f, 16);
                f.put_u32(at, u32::MAX).done()
            },
            section("EXACT_INDEX"),
        ),
        open(
            "more records than ids",
            {
                let mut f = f();
                let at = meta(&f, 24);
                f.put_u32(at, 40_000).done()
            },
            section("META"),
        ),
        open(
            "record count off by one",
            {
                let mut f = f();
                let at = meta(&f, 24);
                f.put_u32(at, 3).done()
            },
            section("RECORDS"),
        ),
        open(
            "huge rule count",
            {
                let mut f = f();
                let at = meta(&f, 40);
                f.put_u32(at, u32::MAX).done()
            },
            section("RULES"),
        ),
        // Strings and records.
        open(
            "STRINGS not UTF-8",
            {
                let mut f = f();
                let at = f.find(STRINGS, "Почта".as_bytes());
                f.bytes[at] = 0xff;
                f.done()
            },
            section("STRINGS"),
        ),
        open(
            "record name with a line break",
            {
                // `Acme` becomes `A\ncm`: a forged line in every lookup answer.
                let mut f = f();
                let at = f.find(STRINGS, b"Acme");
                f.bytes[at + 1] = b'\n';
                f.done()
            },
            section("RECORDS"),
        ),
        open(
            "record name with a bidi override",
            {
                let mut f = f();
                let at = f.find(STRINGS, "Почта".as_bytes());
                // U+202E is three bytes, like the first letter and a half: the
                // name stays UTF-8.
                f.bytes[at..at + 3].copy_from_slice("\u{202e}".as_bytes());
                f.bytes[at + 3] = b'x';
                f.done()
            },
            section("RECORDS"),
        ),
        open(
            "record name past STRINGS",
            {
                let mut f = f();
                let at = record(&f, 0);
                f.put_u32(at, u32::MAX - 2).done()
            },
            section("RECORDS"),
        ),
        open(
            "record name splits a character",
            {
                let mut f = f();
                // Start one byte into `Почта` and stop at its end: in bounds, but
                // not on a character boundary.
                let at = record(&f, 1);
                let offset = f.u32_at(at);
                let length = f.u16_at(at + 4);
                f.put_u32(at, offset + 1).put_u16(at + 4, length - 1).done()
            },
            section("RECORDS"),
        ),
        open(
            "unknown record flag",
            {
                let mut f = f();
                let at = record(&f, 0);
                f.bytes[at + 6] = 0x80;
                f.done()
            },
            section("RECORDS"),
        ),
        open(
            "unknown encoding",
            {
                let mut f = f();
                let at = record(&f, 1);
                f.bytes[at + 9] = 9;
                f.done()
            },
            section("RECORDS"),
        ),
        open(
            "rule set out of range",
            {
                let mut f = f();
                let at = record(&f, 0);
                f.put_u32(at + 12, u32::MAX).done()
            },
            section("RECORDS"),
        ),
        open(
            "rule set past the rules",
            {
                let mut f = f();
                let at = f.section(RULE_SETS).start;
                f.put_u32(at + 4, 1000).done()
            },
            section("RULE_SETS"),
        ),
        // Header rules: the MTA writes them into messages.
        open(
            "header name with a colon",
            {
                let mut f = f();
                let at = f.find(STRINGS, b"X-Campaign");
                f.bytes[at + 1] = b':';
                f.done()
            },
            section("RULES"),
        ),
        open(
            "header value with CR LF",
            {
                let mut f = f();
                let at = f.find(STRINGS, b"spring");
                f.bytes[at + 2] = b'\r';
                f.bytes[at + 3] = b'\n';
                f.done()
            },
            section("RULES"),
        ),
        open(
            "header value too long",
            {
                let mut f = f();
                let at = rule(&f, 1);
                f.put_u32(at + 12, 100_000).done()
            },
            section("RULES"),
        ),
        open(
            "unknown rule operation",
            {
                let mut f = f();
                let at = rule(&f, 0);
                f.bytes[at] = 7;
                f.done()
            },
            section("RULES"),
        ),
        open(
            "remove rule with a value",
            {
                let mut f = f();
                let remove = rule(&f, 0);
                let add = rule(&f, 1);
                let (offset, len) = (f.u32_at(add + 8), f.u32_at(add + 12));
                f.put_u32(remove + 8, offset)
                    .put_u32(remove + 12, len)
                    .done()
            },
            section("RULES"),
        ),
        // Globs.
        open(
            "glob of a record that does not exist",
            {
                let mut f = f();
                let at = glob(&f, 0);
                f.put_u16(at + 6, 5).done()
            },
            section("GLOBS"),
        ),
        open(
            "empty glob",
            {
                let mut f = f();
                let at = glob(&f, 0);
                f.put_u16(at + 4, 0).done()
            },
            section("GLOBS"),
        ),
        verify("glob that is not a glob", {
            let mut f = f();
            let at = f.find(STRINGS, b"mx?.corp");
            f.bytes[at + 2] = b'x';
            f.seal().done()
        }),
        verify("globs out of record order", {
            let mut f = f();
            let (a, b) = (glob(&f, 0), glob(&f, 1));
            let (first, second) = (f.bytes[a..a + 8].to_vec(), f.bytes[b..b + 8].to_vec());
            f.bytes[a..a + 8].copy_from_slice(&second);
            f.bytes[b..b + 8].copy_from_slice(&first);
            f.seal().done()
        }),
        // The indexes: not read on open beyond their sizes, caught by the full
        // check, and harmless to lookups meanwhile.
        verify("a bucket byte changed, checksum kept", {
            let mut f = f();
            let at = f.find(EXACT_INDEX, b"acme.example");
            f.bytes[at] ^= 0x20;
            f.done()
        }),
        verify("entry names a record that does not exist", {
            let mut f = f();
            let at = f.find(EXACT_INDEX, b"acme.example") - 4;
            f.put_u16(at + 2, 0x7ffe).seal().done()
        }),
        verify("entry of the other kind", {
            let mut f = f();
            let at = f.find(EXACT_INDEX, b"acme.example") - 4;
            f.put_u16(at + 2, 0x8000).seal().done()
        }),
        verify("long key past LONG_KEYS", {
            let mut f = f();
            let (at, _) = f
                .entries(EXACT_INDEX)
                .into_iter()
                .find(|&(_, len)| len > 40)
                .expect("a long key");
            f.put_u32(at + 4, u32::MAX - 10).seal().done()
        }),
        verify("entry runs past its bucket", {
            let mut f = f();
            // The last entry of the first bucket, made as long as an inline key
            // can be: it no longer fits.
            let bucket = f.section(EXACT_INDEX).start;
            let (at, _) = *f
                .entries(EXACT_INDEX)
                .iter()
                .rfind(|(at, _)| *at < bucket + 64)
                .expect("an entry in the first bucket");
            assert!(at + 4 + 40 > bucket + 64, "the entry would still fit");
            f.bytes[at + 1] = 40;
            f.seal().done()
        }),
        verify("key not UTF-8", {
            let mut f = f();
            let at = f.find(EXACT_INDEX, b"acme.example");
            f.bytes[at] = 0xc3;
            f.seal().done()
        }),
        verify("key not in normal form", {
            let mut f = f();
            let at = f.find(EXACT_INDEX, b"acme.example");
            f.bytes[at] = b'A';
            f.seal().done()
        }),
        verify("key in the wrong bucket", {
            let mut f = f();
            let at = f.find(SUFFIX_INDEX, b"co.other.example");
            f.bytes[at] = b'd';
            f.seal().done()
        }),
        verify("non-zero padding", {
            let mut f = f();
            let records = f.section(RECORDS);
            assert!(
                f.section(LONG_KEYS).end < records.start,
                "padding before RECORDS"
            );
            f.bytes[records.start - 1] = 1;
            f.seal().done()
        }),
        verify("META counts wrong", {
            let mut f = f();
            let at = meta(&f, 44);
            f.put_u32(at, 5).seal().done()
        }),
        verify("record pattern count wrong", {
            let mut f = f();
            let at = record(&f, 0);
            f.put_u32(at + 16, 99).seal().done()
        }),
    ]
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
    }
    let _ = table::to_kdl(table);
    let _ = table::to_json(table);
}

#[test]
fn each_broken_rule_gives_its_error() {
    let mut report = String::new();
    for case in cases() {
        let opened = Table::from_bytes(case.bytes.as_slice());
        let message = match (&case.stage, opened) {
            (Stage::Open, Ok(_)) => panic!("{}: opened", case.name),
            (Stage::Open, Err(e)) => {
                let kind = case.kind.expect("open cases name a kind");
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
        };
        report.push_str(&format!("{:?} {}: {message}\n", case.stage, case.name));
    }
    insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false, omit_expression => true }, {
        insta::assert_snapshot!("hostile__errors", report);
    });
}

#[test]
fn a_later_minor_version_and_unknown_sections_are_read() {
    let bytes = Forge::new().put_u16(14, 9).seal_header().done();
    let table = Table::from_bytes(bytes.as_slice()).unwrap();
    assert_eq!(table.version(), (1, 9));
    table.verify().unwrap();

    // A section of a kind this version does not know, in the room the directory
    // has before the first section: skipped on open, its bytes not checked.
    let mut forge = Forge::new();
    let end = forge.bytes.len();
    forge.bytes.extend_from_slice(&[0xab; 64]);
    let entry = 64 + 32 * forge.section_count();
    assert!(entry + 32 <= forge.section(META).start, "room for an entry");
    let sum = xxh3_64(&forge.bytes[end..]);
    let bytes = forge
        .put_u32(24, 10)
        .put_u64(16, end as u64 + 64)
        .put_u32(entry, 42)
        .put_u64(entry + 8, end as u64)
        .put_u64(entry + 16, 64)
        .put_u64(entry + 24, sum)
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
