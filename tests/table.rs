//! The compiled table through the public API: golden dumps of the examples,
//! byte-identical rebuilds, determinism, agreement with the precedence function,
//! and robustness against truncated and corrupted bytes.

// These use the compiler.
#![cfg(feature = "compiler")]

use std::path::Path;

use isptab::semantics::matcher::{Matcher, Target};
use isptab::semantics::model::Model;
use isptab::semantics::precedence::Precedence;
use isptab::semantics::query;
use isptab::table::{self, Table};
use isptab::{DefaultsSource, Input, Options};

fn check_text(name: &str, text: &str, defaults: DefaultsSource) -> isptab::Checked {
    let input = Input::Text {
        name: name.into(),
        text: text.into(),
    };
    isptab::check(
        &[input],
        &Options {
            defaults,
            ..Options::default()
        },
    )
    .unwrap()
}

fn model_of(checked: &isptab::Checked) -> Model {
    assert!(
        !checked.has_errors(),
        "{}",
        isptab::compiler::diagnostics::render_plain(&checked.sources, &checked.diagnostics)
    );
    checked.model().unwrap()
}

fn compile_path(path: &str, defaults: DefaultsSource) -> Vec<u8> {
    let checked = isptab::check(
        &[Input::Path(path.into())],
        &Options {
            defaults,
            ..Options::default()
        },
    )
    .unwrap();
    table::compile(&model_of(&checked)).unwrap()
}

/// The table's answer as (record, kind, pattern) text.
fn table_answer<B: AsRef<[u8]>>(table: &Table<B>, q: &str) -> Option<(String, String, String)> {
    table.lookup(q).found().map(|m| {
        (
            m.record.name().to_string(),
            m.pattern.kind.as_str().to_string(),
            m.pattern.to_string(),
        )
    })
}

/// A table's answer with MX hosts: (record, match kind, pattern), or the kind of
/// answer without a record.
fn table_mx_answer<B: AsRef<[u8]>>(table: &Table<B>, q: &str, hosts: &[String]) -> String {
    let answer = table.lookup_with_mx(q, hosts);
    let via_mx = answer.mx().is_some();
    match answer.found() {
        Some(m) => format!(
            "{} {} {} mx={via_mx}",
            m.record.name(),
            m.pattern.kind.as_str(),
            m.pattern
        ),
        None => format!("{:?}", std::mem::discriminant(&answer)),
    }
}

/// The precedence function's answer with MX hosts, in the same shape.
fn precedence_mx_answer(model: &Model, p: &Precedence, q: &str, hosts: &[String]) -> String {
    let answer = p.lookup_with_mx(q, hosts);
    let via_mx = answer.mx().is_some();
    match answer.found() {
        Some(m) => format!(
            "{} {} {} mx={via_mx}",
            model.records[m.target.record].name,
            m.kind.as_str(),
            m.target.pattern
        ),
        None => format!("{:?}", std::mem::discriminant(&answer)),
    }
}

/// The precedence function's answer in the same shape.
fn matcher_answer(
    model: &Model,
    matcher: &Matcher<Target>,
    q: &str,
) -> Option<(String, String, String)> {
    query::answer(q, |d| matcher.lookup(d)).found().map(|m| {
        (
            model.records[m.target.record].name.clone(),
            m.kind.as_str().to_string(),
            m.target.pattern.to_string(),
        )
    })
}

const EXAMPLES: &[&str] = &[
    "examples/small-company.kdl",
    "examples/split-provider.kdl",
    "examples/layered/isptab.kdl",
];

#[test]
fn examples_dump_and_rebuild_byte_identical() {
    for example in EXAMPLES {
        let bytes = compile_path(example, DefaultsSource::Builtin);
        assert_eq!(
            bytes,
            compile_path(example, DefaultsSource::Builtin),
            "{example}: not deterministic"
        );
        let table = Table::from_bytes(bytes.as_slice()).unwrap();
        table.verify().unwrap();
        let kdl = table::to_kdl(&table).unwrap();
        let name = Path::new(example)
            .with_extension("")
            .to_string_lossy()
            .replace('/', "_");
        insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false, omit_expression => true }, {
            insta::assert_snapshot!(format!("table__{name}__dump_kdl"), kdl);
        });
        let rebuilt = check_text("dump.kdl", &kdl, DefaultsSource::None);
        let again = table::compile(&model_of(&rebuilt)).unwrap();
        assert!(
            again == bytes,
            "{example}: dump --format kdl does not rebuild the same bytes"
        );
    }
}

/// Found by the `roundtrip` fuzzer: a configuration that deletes every record
/// compiles to a table without records, whose dump holds only comments. That
/// dump must rebuild the same table, not stop at `empty-file`.
#[test]
fn a_table_without_records_dumps_and_rebuilds() {
    let checked = check_text(
        "isptab.kdl",
        "isp \"A\" { domains \"a.example\" }\ndelete \"A\"\n",
        DefaultsSource::None,
    );
    let bytes = table::compile(&model_of(&checked)).unwrap();
    let table = Table::from_bytes(bytes.as_slice()).unwrap();
    table.verify().unwrap();
    assert_eq!(
        table
            .lookup("a.example")
            .found()
            .map(|m| m.record.name().to_string()),
        None
    );
    let kdl = table::to_kdl(&table).unwrap();
    let rebuilt = check_text("dump.kdl", &kdl, DefaultsSource::None);
    assert_eq!(table::compile(&model_of(&rebuilt)).unwrap(), bytes);
}

#[test]
fn examples_answer_like_the_precedence_function() {
    let queries = [
        "gmail.com",
        "user@GMail.com.",
        "yahoo.fr",
        "yahoo.co.uk",
        "mail.yahoo.co.uk",
        "gmx.at",
        "gmx.de",
        "x.corp.example",
        "a.b.corp.example",
        "corp.example",
        "partners.example",
        "northwind-traders.example",
        "eu.tailspin-toys.example",
        "tailspin-toys.example",
        "acme-mail.example",
        "deep.x.acme-mail.example",
        "o2.pl",
        "poczta.fm",
        "nothing.example",
        "",
        "bad..name",
        "почта.рф",
    ];
    for example in EXAMPLES {
        let checked = isptab::check(&[Input::Path(example.into())], &Options::default()).unwrap();
        let model = model_of(&checked);
        let matcher = Matcher::new(&model);
        let bytes = table::compile(&model).unwrap();
        let table = Table::from_bytes(bytes.as_slice()).unwrap();
        for q in queries {
            assert_eq!(
                table_answer(&table, q),
                matcher_answer(&model, &matcher, q),
                "{example}: {q}"
            );
        }
    }
}

/// A small table with every kind of pattern and header rules.
fn small_table() -> Vec<u8> {
    let text = r#"
isp "Acme" {
    domains "acme.example" "*.acme.example" "mx?.corp.example"
    encoding html="base64"
    headers {
        remove "X-Priority"
        add "X-Campaign" "spring"
    }
}
isp "Other" {
    domains "other.example" "*.co.other.example" "other.**"
    headers {
        remove "X-Priority"
        add "X-Campaign" "spring"
    }
}
"#;
    table::compile(&model_of(&check_text(
        "small.kdl",
        text,
        DefaultsSource::None,
    )))
    .unwrap()
}

const PROBES: &[&str] = &[
    "acme.example",
    "a.acme.example",
    "mx1.corp.example",
    "other.example",
    "x.co.other.example",
    "other.fr",
    "gmail.com",
];

/// Whatever the bytes, reading them gives an error or answers, never a panic.
fn exercise(bytes: &[u8]) {
    if let Ok(table) = Table::from_bytes(bytes) {
        for q in PROBES {
            let _ = table_answer(&table, q);
        }
        let _ = table.verify();
        let _ = table::to_kdl(&table);
        let _ = table::to_json(&table);
    }
}

#[test]
fn small_table_dumps_to_json() {
    let bytes = small_table();
    let table = Table::from_bytes(bytes.as_slice()).unwrap();
    insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false, omit_expression => true }, {
        insta::assert_snapshot!("table__small__dump_json", table::to_json(&table).unwrap());
        insta::assert_snapshot!("table__small__dump_kdl", table::to_kdl(&table).unwrap());
    });
}

#[test]
fn every_truncation_is_an_error() {
    let bytes = small_table();
    for len in 0..bytes.len() {
        assert!(
            Table::from_bytes(&bytes[..len]).is_err(),
            "truncated to {len} bytes and still opened"
        );
    }
    let table = Table::from_bytes(bytes.as_slice()).unwrap();
    assert_eq!(table_answer(&table, "mx1.corp.example").unwrap().0, "Acme");
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(Table::from_bytes(longer.as_slice()).is_err());
}

#[test]
fn bit_flips_give_errors_or_answers_never_panics() {
    let bytes = small_table();
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut detected = 0;
    for _ in 0..5000 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let mut corrupt = bytes.clone();
        let bit = (state % (bytes.len() as u64 * 8)) as usize;
        corrupt[bit / 8] ^= 1 << (bit % 8);
        exercise(&corrupt);
        // Open may pass (big sections are not checksummed on open), but the full
        // check catches every flip, padding included.
        if !Table::from_bytes(corrupt.as_slice()).is_ok_and(|t| t.verify().is_ok()) {
            detected += 1;
        }
    }
    assert_eq!(detected, 5000, "flips the full check missed");
}

/// Random index sections behind a valid header, their last bucket heads kept:
/// open checks only an index's length against its last head, so every such
/// table opens, and lookups, the full check and the dumps meet the garbage.
#[test]
fn random_indexes_never_panic() {
    use isptab::table::layout::{SectionKind, bucket, directory, header, meta, mx_meta};
    let bytes = small_table();
    let field = |f: table::layout::Field, at: usize| {
        u64::from_le_bytes({
            let mut b = [0u8; 8];
            b[..f.size].copy_from_slice(&bytes[f.range(at)]);
            b
        }) as usize
    };
    let sections = field(header::SECTION_COUNT, 0);
    let section = |kind: SectionKind| {
        (0..sections)
            .map(|i| header::LEN + i * directory::LEN)
            .find(|&at| field(directory::KIND, at) == kind as usize)
            .map(|at| {
                let offset = field(directory::OFFSET, at);
                offset..offset + field(directory::LENGTH, at)
            })
            .unwrap()
    };
    let meta_at = section(SectionKind::Meta).start;
    let mx_at = section(SectionKind::MxMeta).start;
    // Each index, without its last head.
    let garbled: Vec<std::ops::Range<usize>> = [
        (SectionKind::ExactIndex, meta::EXACT_BUCKET_COUNT, meta_at),
        (SectionKind::SuffixIndex, meta::SUFFIX_BUCKET_COUNT, meta_at),
        (
            SectionKind::MxExactIndex,
            mx_meta::EXACT_BUCKET_COUNT,
            mx_at,
        ),
        (
            SectionKind::MxSuffixIndex,
            mx_meta::SUFFIX_BUCKET_COUNT,
            mx_at,
        ),
    ]
    .into_iter()
    .flat_map(|(kind, count, at)| {
        let range = section(kind);
        let last = range.start + field(count, at) * bucket::LEN;
        [range.start..last, last + bucket::LEN..range.end]
    })
    .collect();
    let mut state = 11u64;
    for _ in 0..500 {
        let mut garbage = bytes.clone();
        for range in &garbled {
            for byte in &mut garbage[range.clone()] {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1);
                *byte = (state >> 33) as u8;
            }
        }
        assert!(Table::from_bytes(garbage.as_slice()).is_ok());
        exercise(&garbage);
    }
}

#[test]
fn random_bytes_never_panic() {
    let mut state = 7u64;
    for len in [0usize, 7, 64, 100, 400, 4096] {
        for _ in 0..200 {
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    state = state
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1);
                    (state >> 33) as u8
                })
                .collect();
            exercise(&bytes);
        }
    }
}

mod agreement {
    //! For random configurations and random queries (near misses included), the
    //! compiled table answers exactly like the precedence function on the merged
    //! model.

    use proptest::prelude::*;

    use super::*;

    const LABELS: &[&str] = &[
        "a", "b", "mail", "gmail", "co", "uk", "com", "x1", "evil", "net",
    ];
    const GLOBS: &[&str] = &[
        "a.*",
        "*.co.*",
        "mail.**",
        "**.com",
        "x?.com",
        "[ab].uk",
        "{a,b}.net",
        "gmail.c?",
        "*.*.uk",
    ];

    fn name(min: usize, max: usize) -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(LABELS), min..=max).prop_map(|l| l.join("."))
    }

    #[derive(Clone, Debug)]
    enum Pat {
        Exact(String),
        Suffix(String),
        Glob(&'static str),
    }

    impl Pat {
        fn text(&self) -> String {
            match self {
                Pat::Exact(n) => n.clone(),
                Pat::Suffix(n) => format!("*.{n}"),
                Pat::Glob(g) => g.to_string(),
            }
        }
    }

    fn pattern() -> impl Strategy<Value = Pat> {
        prop_oneof![
            4 => name(2, 4).prop_map(Pat::Exact),
            3 => name(1, 3).prop_map(Pat::Suffix),
            1 => prop::sample::select(GLOBS).prop_map(Pat::Glob),
        ]
    }

    /// A configuration as text: records with domain and MX patterns (each
    /// claimed once in its set), some moved to a later record with `from=`, some
    /// records deleted.
    fn configuration() -> impl Strategy<Value = String> {
        (
            prop::collection::vec(
                prop::collection::vec((pattern(), any::<bool>()), 0..6),
                1..6,
            ),
            prop::collection::vec(any::<(u8, u8)>(), 0..4),
            prop::option::of(any::<u8>()),
        )
            .prop_map(|(records, moves, delete)| {
                // (node, pattern) -> owner: `domains` and `mx` have owners of their own.
                let mut owner: Vec<((&str, String), usize)> = Vec::new();
                let mut blocks: Vec<Vec<String>> = vec![Vec::new(); records.len()];
                for (r, patterns) in records.iter().enumerate() {
                    for (p, mx) in patterns {
                        let key = (if *mx { "mx" } else { "domains" }, p.text());
                        if !owner.iter().any(|(k, _)| *k == key) {
                            blocks[r].push(format!("    {} \"{}\"", key.0, key.1));
                            owner.push((key, r));
                        }
                    }
                }
                let mut out = String::new();
                for (r, lines) in blocks.iter().enumerate() {
                    out.push_str(&format!("isp \"R{r}\" {{\n{}\n}}\n", lines.join("\n")));
                }
                // Moves, into a new record, from the current owner.
                for (i, (pick, _)) in moves.iter().enumerate() {
                    if owner.is_empty() {
                        break;
                    }
                    let k = *pick as usize % owner.len();
                    let ((node, text), from) = owner[k].clone();
                    out.push_str(&format!(
                        "isp \"M{i}\" {{\n    {node} \"{text}\" from=\"{}\"\n}}\n",
                        record_name(from)
                    ));
                    owner[k].1 = 1000 + i;
                }
                if let Some(d) = delete {
                    let r = d as usize % records.len();
                    out.push_str(&format!("delete \"R{r}\"\n"));
                    owner.retain(|(_, o)| *o != r);
                }
                out
            })
    }

    fn record_name(index: usize) -> String {
        if index >= 1000 {
            format!("M{}", index - 1000)
        } else {
            format!("R{index}")
        }
    }

    fn queries() -> impl Strategy<Value = Vec<String>> {
        prop::collection::vec(
            prop_oneof![
                6 => name(1, 6),
                1 => name(2, 4).prop_map(|n| format!("User@{}.", n.to_uppercase())),
                1 => name(2, 3).prop_map(|n| format!("{n}.evil.net")),
                1 => name(2, 3).prop_map(|n| format!("x{n}")),
            ],
            1..40,
        )
    }

    /// MX sets: none (the implicit MX), a null MX, or hosts in preference order.
    fn mx_sets() -> impl Strategy<Value = Vec<Vec<String>>> {
        prop::collection::vec(
            prop_oneof![
                1 => Just(Vec::new()),
                1 => Just(vec![".".to_string()]),
                6 => prop::collection::vec(
                    prop_oneof![
                        4 => name(2, 5),
                        1 => name(1, 3).prop_map(|n| format!("MX1.{}.", n.to_uppercase())),
                        1 => Just("bad..host".to_string()),
                    ],
                    1..4,
                ),
                // Hosts sharing a parent (the table remembers a parent's suffix match).
                2 => name(1, 4).prop_map(|p| vec![format!("mx1.{p}"), format!("mx2.{p}"), format!("a.mx2.{p}"), format!("mx3.{p}")]),
            ],
            1..6,
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 3000, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn table_agrees_with_the_precedence_function(text in configuration(), qs in queries(), mx in mx_sets()) {
            let checked = check_text("random.kdl", &text, DefaultsSource::None);
            prop_assert!(!checked.has_errors(), "{text}\n{}", isptab::compiler::diagnostics::render_plain(&checked.sources, &checked.diagnostics));
            let model = checked.model().unwrap();
            let matcher = Matcher::new(&model);
            let bytes = table::compile(&model).unwrap();
            let table = Table::from_bytes(bytes.as_slice()).unwrap();
            // The table holds the model: raised back, it is the same model.
            prop_assert_eq!(&table.to_model().unwrap(), &model, "{}", text);
            let precedence = Precedence::new(&model);
            for q in &qs {
                prop_assert_eq!(table_answer(&table, q), matcher_answer(&model, &matcher, q), "query {} in\n{}", q, text);
                for hosts in &mx {
                    prop_assert_eq!(
                        table_mx_answer(&table, q, hosts),
                        precedence_mx_answer(&model, &precedence, q, hosts),
                        "query {} with MX {:?} in\n{}", q, hosts, text
                    );
                }
            }
            // Every MX pattern answers for a host it matches, for any domain.
            for record in &model.records {
                for pattern in &record.mx {
                    let host = match pattern.kind() {
                        isptab::semantics::pattern::PatternKind::Exact => pattern.to_string(),
                        isptab::semantics::pattern::PatternKind::Suffix => format!("mx.{}", pattern.key()),
                        isptab::semantics::pattern::PatternKind::Glob => continue,
                    };
                    let hosts = [host];
                    prop_assert_eq!(
                        table_mx_answer(&table, "hosted.invalid-tld.zz", &hosts),
                        precedence_mx_answer(&model, &precedence, "hosted.invalid-tld.zz", &hosts)
                    );
                    prop_assert!(table.lookup_with_mx("hosted.zz", &hosts).found().is_some() || table.lookup("hosted.zz").found().is_some());
                }
            }
            // Every pattern answers for itself (exact names) or its subdomains.
            for record in &model.records {
                for pattern in record.patterns() {
                    let q = match pattern.kind() {
                        isptab::semantics::pattern::PatternKind::Exact => pattern.to_string(),
                        isptab::semantics::pattern::PatternKind::Suffix => format!("zz.{}", pattern.key()),
                        isptab::semantics::pattern::PatternKind::Glob => continue,
                    };
                    prop_assert_eq!(table_answer(&table, &q), matcher_answer(&model, &matcher, &q));
                }
            }
        }
    }
}

/// A text input (no file of its own) resolves `include` and `domains-file`
/// against the working directory, which is also its project root: paths inside
/// it are read, paths that leave it are refused.
#[test]
fn a_text_input_reads_files_under_the_working_directory() {
    // Cargo runs integration tests in the package root.
    let text = "include \"examples/small-company.kdl\"\n\
                isp \"Hosted\" { domains-file \"tests/fixtures/rules/outside-root/hosted-domains.txt\" }\n";
    let checked = check_text("inline.kdl", text, DefaultsSource::Builtin);
    let bytes = table::compile(&model_of(&checked)).unwrap();
    let table = Table::from_bytes(bytes.as_slice()).unwrap();
    for (domain, record) in [
        ("hosted-two.example", "Hosted"),
        ("acme-mail.example", "Acme Hosted Mail"),
    ] {
        let found = table.lookup(domain).found().map(|m| m.record.name());
        assert_eq!(found, Some(record), "{domain}");
    }
    let outside = check_text(
        "inline.kdl",
        "include \"../outside.kdl\"\n",
        DefaultsSource::None,
    );
    let codes: Vec<&str> = outside.diagnostics.iter().map(|d| d.code.name()).collect();
    assert_eq!(codes, ["outside-root"]);
}
