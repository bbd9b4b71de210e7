//! The conformance suite for readers written in other languages
//! (`tests/conformance/README.md`): tables compiled from the examples and from
//! edge-case configurations, each with its queries and the answers the
//! precedence function of the model gives, and its records.
//!
//! `cargo test --test conformance` regenerates every file in memory and fails,
//! naming the first file that differs, unless the checked-in suite is exactly
//! what this isptab writes; then it runs every query through the reader
//! (`Table::load`, as `isptab lookup --table` does) to prove that the table
//! answers what the file says. `ISPTAB_REGENERATE=1 cargo test --test
//! conformance` rewrites the suite.

// These compile configurations.
#![cfg(feature = "compiler")]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use isptab::semantics::encoding::Part;
use isptab::semantics::header::HeaderOp;
use isptab::semantics::matcher::{Match, Target};
use isptab::semantics::model::{Model, Record};
use isptab::semantics::pattern::{Pattern, PatternKind};
use isptab::semantics::precedence::Precedence;
use isptab::semantics::query::Answer;
use isptab::table::layout::{SectionKind, directory, header};
use isptab::table::{self, RuleOp, Table, TableMatch};
use isptab::{DefaultsSource, Input, Options};
use xxhash_rust::xxh3::xxh3_64;

const SUITE: &str = "tests/conformance";

/// Where a case's configuration comes from.
enum Source {
    /// A file, compiled over the built-in defaults (as the examples are meant).
    WithDefaults(&'static str),
    /// A file, compiled with `--no-defaults`.
    Alone(&'static str),
    /// A table compiled from a file with `--no-defaults`, whose glob texts are
    /// then replaced (same lengths) by globs outside the grammar of stored
    /// globs: what a forged table may hold, which matches nothing.
    Forged(&'static str, &'static [(&'static str, &'static str)]),
}

/// Every case: its name (of `cases/NAME.queries` and the files written) and its
/// configuration.
const CASES: &[(&str, Source)] = &[
    (
        "small-company",
        Source::WithDefaults("examples/small-company.kdl"),
    ),
    (
        "split-provider",
        Source::WithDefaults("examples/split-provider.kdl"),
    ),
    (
        "layered",
        Source::WithDefaults("examples/layered/isptab.kdl"),
    ),
    (
        "worked-example",
        Source::Alone("tests/conformance/cases/worked-example.kdl"),
    ),
    ("empty", Source::Alone("tests/conformance/cases/empty.kdl")),
    ("idn", Source::Alone("tests/conformance/cases/idn.kdl")),
    ("globs", Source::Alone("tests/conformance/cases/globs.kdl")),
    (
        "long-keys",
        Source::Alone("tests/conformance/cases/long-keys.kdl"),
    ),
    (
        "suffix-labels",
        Source::Alone("tests/conformance/cases/suffix-labels.kdl"),
    ),
    (
        "encodings-and-headers",
        Source::Alone("tests/conformance/cases/encodings-and-headers.kdl"),
    ),
    ("mx", Source::Alone("tests/conformance/cases/mx.kdl")),
    (
        "forged-globs",
        Source::Forged(
            "tests/conformance/cases/forged-globs.kdl",
            &[
                // `/` is not a glob character: through globset it would match
                // `a.b.example`, but its prefilter key `.a/b.` is in no name.
                ("a-b.*.example", "a/b.*.example"),
                // Consecutive `**` labels (the compiler says: write `**` once).
                ("**.zz.b.test", "**.**.b.test"),
                // A `-` after a range: globset reads `[a-e]`.
                ("[a-cxe]x.test", "[a-c-e]x.test"),
                // Nested alternatives and a POSIX class: globset extensions.
                ("{a,xb,c}x.test", "{a,{b,c}}.test"),
                ("[abcdefghi]y.test", "[[:alpha:]]y.test"),
                // Upper case: not the normal form.
                ("q*.test", "Q*.test"),
            ],
        ),
    ),
];

fn compile(path: &str, defaults: DefaultsSource) -> Model {
    let options = Options {
        defaults,
        ..Options::default()
    };
    let checked = isptab::check(&[Input::Path(path.into())], &options)
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    checked.model().unwrap_or_else(|_| {
        panic!(
            "{path} has errors:\n{}",
            isptab::compiler::diagnostics::render_plain(&checked.sources, &checked.diagnostics)
        )
    })
}

/// A case built: the table's bytes, the model its answers come from, and the
/// glob texts the table stores in place of the model's (forged cases).
struct Built {
    bytes: Vec<u8>,
    model: Model,
    forged: Vec<(String, String)>,
}

fn build(source: &Source) -> Built {
    match source {
        Source::WithDefaults(path) | Source::Alone(path) => {
            let defaults = match source {
                Source::WithDefaults(_) => DefaultsSource::Builtin,
                _ => DefaultsSource::None,
            };
            let model = compile(path, defaults);
            let bytes = table::compile(&model).expect("the model fits the format");
            Built {
                bytes,
                model,
                forged: Vec::new(),
            }
        }
        Source::Forged(path, replacements) => {
            let mut model = compile(path, DefaultsSource::None);
            let mut bytes = table::compile(&model).expect("the model fits the format");
            forge_globs(&mut bytes, replacements);
            // A glob outside the grammar matches nothing: the answers are those
            // of the model without it.
            for record in &mut model.records {
                record
                    .globs
                    .retain(|g| !replacements.iter().any(|(from, _)| g.as_str() == *from));
            }
            let forged = replacements
                .iter()
                .map(|&(a, b)| (a.to_string(), b.to_string()))
                .collect();
            Built {
                bytes,
                model,
                forged,
            }
        }
    }
}

/// Replaces glob texts in STRINGS (same lengths) and reseals the checksums.
fn forge_globs(bytes: &mut [u8], replacements: &[(&str, &str)]) {
    let count = header::SECTION_COUNT.u32(bytes).expect("a header") as usize;
    let entry = |i: usize| header::LEN + i * directory::LEN;
    let strings = (0..count)
        .map(entry)
        .find(|&at| directory::KIND.u32(&bytes[at..]) == Some(SectionKind::Strings as u32))
        .expect("a STRINGS section");
    let field = |bytes: &[u8], f: isptab::table::layout::Field| {
        f.u64(&bytes[strings..]).expect("a directory entry") as usize
    };
    let section = field(bytes, directory::OFFSET)
        ..field(bytes, directory::OFFSET) + field(bytes, directory::LENGTH);
    for (from, to) in replacements {
        assert_eq!(from.len(), to.len(), "{from} and {to}");
        let text = &mut bytes[section.clone()];
        let at = text
            .windows(from.len())
            .position(|w| w == from.as_bytes())
            .unwrap_or_else(|| panic!("{from} is not in STRINGS"));
        text[at..at + to.len()].copy_from_slice(to.as_bytes());
    }
    let sum = xxh3_64(&bytes[section]);
    directory::CHECKSUM.put(&mut bytes[strings..], &sum.to_le_bytes());
    let mut head = bytes[..entry(count)].to_vec();
    header::HEADER_CHECKSUM.put(&mut head, &[0; 8]);
    header::HEADER_CHECKSUM.put(bytes, &xxh3_64(&head).to_le_bytes());
}

/// One query of a case: the text and the MX hosts given with it.
struct Query {
    text: String,
    mx: Mx,
}

/// The second column of a queries or answers line.
enum Mx {
    /// `-`: no MX hosts are passed; steps 1 to 3 only.
    NotAsked,
    /// `NODATA`: the domain has no MX records (an empty list: the implicit MX).
    NoData,
    /// Hosts in preference order, separated by one space (`.` alone: a null MX).
    Hosts(Vec<String>),
}

impl Mx {
    fn parse(field: &str) -> Mx {
        match field {
            "-" => Mx::NotAsked,
            "NODATA" => Mx::NoData,
            hosts => Mx::Hosts(hosts.split(' ').map(str::to_string).collect()),
        }
    }

    fn hosts(&self) -> Option<&[String]> {
        match self {
            Mx::NotAsked => None,
            Mx::NoData => Some(&[]),
            Mx::Hosts(hosts) => Some(hosts),
        }
    }

    fn field(&self) -> String {
        match self {
            Mx::NotAsked => "-".into(),
            Mx::NoData => "NODATA".into(),
            Mx::Hosts(hosts) => hosts.join(" "),
        }
    }
}

/// Reads `cases/NAME.queries`: `QUERY` or `QUERY<TAB>MX` per line; `#` lines
/// and blank lines are comments.
fn queries(name: &str) -> Vec<Query> {
    let path = Path::new(SUITE)
        .join("cases")
        .join(format!("{name}.queries"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|line| {
            let (text, mx) = line.split_once('\t').unwrap_or((line, "-"));
            assert!(
                !text.contains(['\r', '\n']) && !mx.contains('\t'),
                "{}: {line:?}",
                path.display()
            );
            Query {
                text: text.to_string(),
                mx: Mx::parse(mx),
            }
        })
        .collect()
}

/// The last four columns of an answer: normalized domain, kind, record, pattern.
/// `found` gives a match's record name, pattern kind and pattern as written.
fn answer_fields<M>(
    answer: &Answer<'_, M>,
    found: impl Fn(&M) -> (String, PatternKind, String),
) -> [String; 4] {
    let domain = answer.domain().unwrap_or("-").to_string();
    let none = |kind: &str| [domain.clone(), kind.into(), "-".into(), "-".into()];
    match answer {
        Answer::Invalid(_) => none("invalid"),
        Answer::Miss(_) => none("none"),
        Answer::NullMx(_) => none("null-mx"),
        Answer::Hit(_, m) => {
            let (record, kind, pattern) = found(m);
            [domain, kind.as_str().into(), record, pattern]
        }
        Answer::Mx(_, mx) => match mx.found() {
            Some(m) => {
                let (record, _, pattern) = found(m);
                [domain, "mx".into(), record, pattern]
            }
            None => none("none"),
        },
    }
}

fn answer_line(query: &Query, fields: &[String; 4]) -> String {
    format!(
        "{}\t{}\t{}\n",
        query.text,
        query.mx.field(),
        fields.join("\t")
    )
}

/// The answers file, from the precedence function of the model.
fn answers(name: &str, model: &Model, queries: &[Query]) -> String {
    let precedence = Precedence::new(model);
    let name_of = |m: &Match<'_, Target>| {
        (
            model.records[m.target.record].name.clone(),
            m.kind,
            m.target.pattern.as_str().to_string(),
        )
    };
    let mut out = format!(
        "# isptab conformance answers for {name}.isptab (see README.md)\n\
         # query\tmx\tdomain\tkind\trecord\tpattern\n"
    );
    for q in queries {
        let answer = match q.mx.hosts() {
            None => precedence.lookup(&q.text),
            Some(hosts) => precedence.lookup_with_mx(&q.text, hosts),
        };
        out.push_str(&answer_line(q, &answer_fields(&answer, name_of)));
    }
    out
}

/// A record as the records file lists it.
struct RecordLines {
    name: String,
    default: bool,
    encodings: [&'static str; 3],
    rules: Vec<(&'static str, String, String)>,
    domains: Vec<(PatternKind, String)>,
    mx: Vec<(PatternKind, String)>,
}

/// Exact names sorted, then suffix rules sorted, then globs in order (the
/// order of `isptab dump`, section 13 of the spec).
fn dump_order<'p>(patterns: impl Iterator<Item = &'p Pattern>) -> Vec<(PatternKind, String)> {
    let mut keyed: Vec<(PatternKind, String)> = patterns
        .map(|p| (p.kind(), p.as_str().to_string()))
        .collect();
    let fixed = |k: PatternKind| k != PatternKind::Glob;
    let (mut sorted, globs): (Vec<_>, Vec<_>) = keyed.drain(..).partition(|(k, _)| fixed(*k));
    sorted.sort_by(|a, b| (a.0, a.1.as_bytes()).cmp(&(b.0, b.1.as_bytes())));
    sorted.extend(globs);
    sorted
}

fn record_lines(record: &Record, forged: &[(String, String)]) -> RecordLines {
    let stored = |(kind, text): (PatternKind, String)| {
        let text = forged
            .iter()
            .find(|(from, _)| *from == text)
            .map_or(text, |(_, to)| to.clone());
        (kind, text)
    };
    RecordLines {
        name: record.name.clone(),
        default: record.default,
        encodings: [Part::Global, Part::Html, Part::Text].map(|p| record.encodings.get(p).as_str()),
        rules: record
            .headers
            .iter()
            .map(|op| match op {
                HeaderOp::Add { name, value } => ("add", name.clone(), value.clone()),
                HeaderOp::Remove { name } => ("remove", name.clone(), String::new()),
            })
            .collect(),
        domains: dump_order(record.patterns())
            .into_iter()
            .map(stored)
            .collect(),
        mx: dump_order(record.mx.iter())
            .into_iter()
            .map(stored)
            .collect(),
    }
}

fn records_text(name: &str, records: &[RecordLines], verify: &str) -> String {
    let patterns: usize = records.iter().map(|r| r.domains.len()).sum();
    let mx: usize = records.iter().map(|r| r.mx.len()).sum();
    let mut out = format!(
        "# isptab conformance records of {name}.isptab (see README.md)\n\
         table\t{name}.isptab\t{}.{}\t{}\t{patterns}\t{mx}\t{verify}\n",
        table::MAJOR,
        table::MINOR,
        records.len()
    );
    for (id, r) in records.iter().enumerate() {
        let default = if r.default { "default" } else { "custom" };
        let [g, h, t] = r.encodings;
        let _ = writeln!(out, "record\t{id}\t{}\t{default}\t{g}\t{h}\t{t}", r.name);
        for (op, header, value) in &r.rules {
            match *op {
                "add" => writeln!(out, "rule\t{id}\tadd\t{header}\t{value}"),
                _ => writeln!(out, "rule\t{id}\tremove\t{header}"),
            }
            .expect("writing to a string");
        }
        for (set, list) in [("domain", &r.domains), ("mx", &r.mx)] {
            for (kind, text) in list {
                let _ = writeln!(out, "{set}\t{id}\t{}\t{text}", kind.as_str());
            }
        }
    }
    out
}

/// Every file of the suite, by path relative to the suite's directory.
fn generate() -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    for (name, source) in CASES {
        let built = build(source);
        let queries = queries(name);
        let verify = if built.forged.is_empty() {
            "verify-ok"
        } else {
            "verify-fails"
        };
        let records: Vec<RecordLines> = built
            .model
            .records
            .iter()
            .map(|r| record_lines(r, &built.forged))
            .collect();
        // The forged globs are listed where the table stores them.
        let records = if built.forged.is_empty() {
            records
        } else {
            let full = match source {
                Source::Forged(path, _) => compile(path, DefaultsSource::None),
                _ => unreachable!("only forged cases have forged globs"),
            };
            full.records
                .iter()
                .map(|r| record_lines(r, &built.forged))
                .collect()
        };
        files.push((PathBuf::from(format!("{name}.isptab")), built.bytes));
        files.push((
            PathBuf::from(format!("{name}.answers")),
            answers(name, &built.model, &queries).into_bytes(),
        ));
        files.push((
            PathBuf::from(format!("{name}.records")),
            records_text(name, &records, verify).into_bytes(),
        ));
    }
    files
}

/// The first line where two texts differ, for the failure message.
fn first_difference(expected: &[u8], found: &[u8]) -> String {
    let (a, b) = (
        String::from_utf8_lossy(expected),
        String::from_utf8_lossy(found),
    );
    let line = a
        .lines()
        .zip(b.lines())
        .position(|(x, y)| x != y)
        .unwrap_or(a.lines().count().min(b.lines().count()));
    format!(
        "line {}: checked in {:?}, generated {:?}",
        line + 1,
        b.lines().nth(line).unwrap_or("<end of file>"),
        a.lines().nth(line).unwrap_or("<end of file>")
    )
}

fn regenerating() -> bool {
    std::env::var_os("ISPTAB_REGENERATE").is_some_and(|v| v == "1")
}

#[test]
fn the_suite_is_what_isptab_generates() {
    let files = generate();
    let regenerate = regenerating();
    for (path, bytes) in &files {
        let at = Path::new(SUITE).join(path);
        if regenerate {
            std::fs::write(&at, bytes).unwrap_or_else(|e| panic!("{}: {e}", at.display()));
            continue;
        }
        let found = std::fs::read(&at).unwrap_or_default();
        if &found != bytes {
            let detail = if path.extension().is_some_and(|e| e == "isptab") {
                format!(
                    "{} bytes checked in, {} generated",
                    found.len(),
                    bytes.len()
                )
            } else {
                first_difference(bytes, &found)
            };
            panic!(
                "{} differs from what this isptab generates ({detail}).\n\
                 If the change is intended, run `ISPTAB_REGENERATE=1 cargo test --test conformance` \
                 and commit tests/conformance/.",
                at.display()
            );
        }
    }
    // No stale file: everything in the suite's directory is generated, the
    // cases' inputs and the README.
    let generated: Vec<&PathBuf> = files.iter().map(|(p, _)| p).collect();
    for entry in std::fs::read_dir(SUITE).expect("the suite's directory") {
        let name = PathBuf::from(entry.expect("a directory entry").file_name());
        let known = generated.contains(&&name)
            || name == Path::new("README.md")
            || name == Path::new("cases");
        assert!(
            known,
            "{SUITE}/{} is not part of the suite; remove it",
            name.display()
        );
    }
}

/// Every answer and record of the checked-in suite is what the reader says,
/// from the checked-in table as `isptab lookup --table` reads it.
#[test]
fn the_reader_answers_what_the_suite_says() {
    if !regenerating() {
        reader_answers_what_the_suite_says();
    }
}

fn reader_answers_what_the_suite_says() {
    for (name, source) in CASES {
        let path = Path::new(SUITE).join(format!("{name}.isptab"));
        let table = Table::load(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let forged = matches!(source, Source::Forged(..));
        assert_eq!(
            table.verify().is_ok(),
            !forged,
            "{}: verify",
            path.display()
        );

        let answers = std::fs::read_to_string(Path::new(SUITE).join(format!("{name}.answers")))
            .expect("the answers file");
        let mut count = 0;
        for line in answers.lines().filter(|l| !l.starts_with('#')) {
            let fields: Vec<&str> = line.split('\t').collect();
            let [text, mx, ..] = fields[..] else {
                panic!("{name}.answers: {line:?}")
            };
            let query = Query {
                text: text.to_string(),
                mx: Mx::parse(mx),
            };
            let of = |m: &TableMatch<'_>| {
                (
                    m.record.name().to_string(),
                    m.pattern.kind,
                    m.pattern.to_string(),
                )
            };
            let answer = match query.mx.hosts() {
                None => table.lookup(&query.text),
                Some(hosts) => table.lookup_with_mx(&query.text, hosts),
            };
            let got = answer_line(&query, &answer_fields(&answer, of));
            assert_eq!(got.trim_end_matches('\n'), line, "{name}.answers");
            count += 1;
        }
        assert!(count > 0, "{name}.answers has no query");

        // The records: names, flags, encodings and rules from the reader's
        // handles; patterns from the table raised to its model.
        let records = std::fs::read_to_string(Path::new(SUITE).join(format!("{name}.records")))
            .expect("the records file");
        let raised = table.to_model().ok();
        let mut expected_lines = Vec::new();
        for r in table.records() {
            let id = r.id();
            let default = if r.is_default() { "default" } else { "custom" };
            let [g, h, t] = [Part::Global, Part::Html, Part::Text].map(|p| r.encoding(p).as_str());
            expected_lines.push(format!(
                "record\t{id}\t{}\t{default}\t{g}\t{h}\t{t}",
                r.name()
            ));
            for rule in r.header_rules() {
                expected_lines.push(match rule.op {
                    RuleOp::Add => format!("rule\t{id}\tadd\t{}\t{}", rule.name, rule.value),
                    RuleOp::Remove => format!("rule\t{id}\tremove\t{}", rule.name),
                });
            }
            if let Some(model) = &raised {
                let record = &model.records[usize::from(id)];
                for (set, list) in [
                    ("domain", dump_order(record.patterns())),
                    ("mx", dump_order(record.mx.iter())),
                ] {
                    for (kind, text) in list {
                        expected_lines.push(format!("{set}\t{id}\t{}\t{text}", kind.as_str()));
                    }
                }
            }
        }
        let listed: Vec<&str> = records
            .lines()
            .filter(|l| {
                l.starts_with("record\t")
                    || l.starts_with("rule\t")
                    || (raised.is_some() && (l.starts_with("domain\t") || l.starts_with("mx\t")))
            })
            .collect();
        assert_eq!(listed, expected_lines, "{name}.records");
        assert!(
            forged || raised.is_some(),
            "{name}: the table raises to its model"
        );
    }
}
