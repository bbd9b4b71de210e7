//! The reader without the compiler, as an MTA links it (`--no-default-features`,
//! `--features mmap`): a model built by hand compiles into a table that opens
//! from bytes, from a file read into memory and from a memory map, answers with
//! the precedence of the design, verifies, and raises back to the same model. A
//! model no clean configuration could give is refused by `compile`.

use isptab::semantics::encoding::{Effective, Encoding, Part};
use isptab::semantics::header::HeaderOp;
use isptab::semantics::model::{Model, Record};
use isptab::semantics::pattern::{Pattern, PatternKind};
use isptab::table::{self, CompileError, Table};

fn record(name: &str, patterns: &[&str]) -> Record {
    let mut record = Record::new(name);
    for p in patterns {
        record.push(Pattern::parse(p).unwrap());
    }
    record
}

fn model() -> Model {
    let mut acme = record(
        "Acme Mail",
        &["acme.example", "*.acme.example", "mx?.corp.example"],
    );
    acme.encodings = Effective::new(
        Encoding::QuotedPrintable,
        Encoding::Base64,
        Encoding::QuotedPrintable,
    );
    acme.headers = vec![
        HeaderOp::Remove {
            name: "X-Priority".into(),
        },
        HeaderOp::Add {
            name: "X-Campaign".into(),
            value: "spring".into(),
        },
    ];
    let mut other = record(
        "Почта",
        &["other.example", "*.co.other.example", "other.**"],
    );
    other.default = true;
    Model {
        records: vec![acme, other],
    }
}

fn answers<B: AsRef<[u8]>>(table: &Table<B>) {
    let found = |q: &str| {
        table.lookup(q).found().map(|m| {
            (
                m.record.name().to_string(),
                m.pattern.kind,
                m.pattern.to_string(),
            )
        })
    };
    assert_eq!(
        found("User@Acme.Example"),
        Some((
            "Acme Mail".into(),
            PatternKind::Exact,
            "acme.example".into()
        ))
    );
    assert_eq!(
        found("eu.acme.example"),
        Some((
            "Acme Mail".into(),
            PatternKind::Suffix,
            "*.acme.example".into()
        ))
    );
    assert_eq!(
        found("mx1.corp.example"),
        Some((
            "Acme Mail".into(),
            PatternKind::Glob,
            "mx?.corp.example".into()
        ))
    );
    assert_eq!(
        found("a.co.other.example"),
        Some((
            "Почта".into(),
            PatternKind::Suffix,
            "*.co.other.example".into()
        ))
    );
    assert_eq!(
        found("other.co.uk"),
        Some(("Почта".into(), PatternKind::Glob, "other.**".into()))
    );
    assert_eq!(found("nobody.example"), None);
    let hit = table.lookup("acme.example").found().copied().unwrap();
    assert_eq!(hit.record.encoding(Part::Html), Encoding::Base64);
    assert_eq!(hit.record.header_rules().len(), 2);
    table.verify().unwrap();
    assert_eq!(table.to_model().unwrap(), model());
}

#[test]
fn a_hand_built_model_compiles_opens_and_answers() {
    let bytes = table::compile(&model()).unwrap();
    answers(&Table::from_bytes(bytes.as_slice()).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.isptab");
    std::fs::write(&path, &bytes).unwrap();
    answers(&Table::load(&path).unwrap());
    #[cfg(feature = "mmap")]
    answers(&Table::open(&path).unwrap());
}

#[test]
fn compile_refuses_what_no_clean_configuration_gives() {
    let twice = Model {
        records: vec![record("A", &["a.example"]), record("B", &["a.example"])],
    };
    assert!(matches!(
        table::compile(&twice),
        Err(CompileError::BadPattern(_))
    ));
    // More copies of one key than a bucket holds: still a duplicate, found at
    // once (no other seed could spread copies of one key).
    let names: Vec<&str> = vec!["a.example"; 200];
    let crowded = Model {
        records: vec![record("A", &names)],
    };
    assert!(matches!(
        table::compile(&crowded),
        Err(CompileError::BadPattern(p)) if p == "a.example"
    ));
    let same_name = Model {
        records: vec![record("A", &["a.example"]), record("a", &["b.example"])],
    };
    assert!(matches!(
        table::compile(&same_name),
        Err(CompileError::BadName(_))
    ));
    let padded = Model {
        records: vec![record(" A", &["a.example"])],
    };
    assert!(matches!(
        table::compile(&padded),
        Err(CompileError::BadName(_))
    ));
    let mut injected = record("A", &["a.example"]);
    injected.headers.push(HeaderOp::Add {
        name: "X-A".into(),
        value: "a\r\nBcc: b@example.com".into(),
    });
    let injected = Model {
        records: vec![injected],
    };
    assert!(matches!(
        table::compile(&injected),
        Err(CompileError::BadHeaderRule(_))
    ));
    let mut misfiled = record("A", &["a.example"]);
    misfiled.exact.push(Pattern::parse("*.b.example").unwrap());
    let misfiled = Model {
        records: vec![misfiled],
    };
    assert!(matches!(
        table::compile(&misfiled),
        Err(CompileError::BadPattern(_))
    ));
}

/// `Table::load` reads the header before the rest: a huge file that is not a
/// table (here 64 GiB, sparse) is refused for what it is, without reading or
/// reserving its size; a table cut short is refused for its length.
#[test]
fn load_looks_at_the_header_first() {
    use isptab::table::{OpenError, TableErrorKind};
    let dir = tempfile::tempdir().unwrap();
    let huge = dir.path().join("huge");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(64 << 30)
        .unwrap();
    match Table::load(&huge) {
        Err(OpenError::Table(e)) => assert_eq!(e.kind(), &TableErrorKind::NotATable),
        other => panic!("{:?}", other.map(|t| t.len())),
    }
    let bytes = table::compile(&model()).unwrap();
    let cut = dir.path().join("cut");
    std::fs::write(&cut, &bytes[..bytes.len() - 1]).unwrap();
    match Table::load(&cut) {
        Err(OpenError::Table(e)) => {
            assert!(
                matches!(e.kind(), TableErrorKind::WrongLength { .. }),
                "{e}"
            )
        }
        other => panic!("{:?}", other.map(|t| t.len())),
    }
    let short = dir.path().join("short");
    std::fs::write(&short, &bytes[..10]).unwrap();
    assert!(matches!(
        Table::load(&short),
        Err(OpenError::Table(e)) if e.kind() == &TableErrorKind::TooShort(10)
    ));
}
