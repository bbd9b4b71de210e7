//! Structured configurations (records with exact names, suffixes, globs, moves,
//! deletes, encodings and header rules): build -> dump -> build is byte-identical,
//! and the table answers like the precedence function.
#![no_main]

use arbitrary::Arbitrary;
use isptab::semantics::matcher::Matcher;
use isptab::table::{self, Table};
use isptab::{DefaultsSource, Input, Options};
use libfuzzer_sys::fuzz_target;

const LABELS: &[&str] = &[
    "a", "b", "mail", "gmail", "co", "uk", "com", "x1", "evil", "net", "xn--p1ai",
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
const ENCODINGS: &[&str] = &["quoted-printable", "base64", "8bit"];

#[derive(Arbitrary, Debug)]
enum Pattern {
    Exact(Vec<u8>),
    Suffix(Vec<u8>),
    Glob(u8),
}

#[derive(Arbitrary, Debug)]
struct Record {
    patterns: Vec<Pattern>,
    html: Option<u8>,
    header: Option<(bool, u8)>,
}

#[derive(Arbitrary, Debug)]
struct Config {
    records: Vec<Record>,
    moves: Vec<(u8, u8)>,
    delete: Option<u8>,
    queries: Vec<Vec<u8>>,
}

fn name(labels: &[u8], min: usize) -> String {
    let mut parts: Vec<&str> = labels
        .iter()
        .take(5)
        .map(|&b| LABELS[b as usize % LABELS.len()])
        .collect();
    while parts.len() < min {
        parts.push("com");
    }
    parts.join(".")
}

fn text(config: &Config) -> String {
    let mut claimed: Vec<(String, usize)> = Vec::new();
    let mut out = String::new();
    for (r, record) in config.records.iter().take(8).enumerate() {
        out.push_str(&format!("isp \"R{r}\" {{\n"));
        for p in record.patterns.iter().take(8) {
            let t = match p {
                Pattern::Exact(l) => name(l, 2),
                Pattern::Suffix(l) => format!("*.{}", name(l, 1)),
                Pattern::Glob(g) => GLOBS[*g as usize % GLOBS.len()].to_string(),
            };
            if !claimed.iter().any(|(c, _)| *c == t) {
                out.push_str(&format!("    domains \"{t}\"\n"));
                claimed.push((t, r));
            }
        }
        if let Some(e) = record.html {
            out.push_str(&format!(
                "    encoding html=\"{}\"\n",
                ENCODINGS[e as usize % 3]
            ));
        }
        if let Some((remove, n)) = record.header {
            let h = format!("X-H{}", n % 4);
            out.push_str(&if remove {
                format!("    headers {{\n        remove \"{h}\"\n    }}\n")
            } else {
                format!("    headers {{\n        add \"{h}\" \"v{n}\"\n    }}\n")
            });
        }
        out.push_str("}\n");
    }
    for (i, (pick, _)) in config.moves.iter().take(4).enumerate() {
        if claimed.is_empty() {
            break;
        }
        let k = *pick as usize % claimed.len();
        let (t, from) = claimed[k].clone();
        let from_name = if from >= 1000 {
            format!("M{}", from - 1000)
        } else {
            format!("R{from}")
        };
        out.push_str(&format!(
            "isp \"M{i}\" {{\n    domains \"{t}\" from=\"{from_name}\"\n}}\n"
        ));
        claimed[k].1 = 1000 + i;
    }
    if let (Some(d), false) = (config.delete, config.records.is_empty()) {
        out.push_str(&format!(
            "delete \"R{}\"\n",
            d as usize % config.records.len().min(8)
        ));
    }
    out
}

fuzz_target!(|config: Config| {
    let kdl = text(&config);
    let options = || Options {
        defaults: DefaultsSource::None,
        ..Options::default()
    };
    let checked = isptab::check(
        &[Input::Text {
            name: "fuzz.kdl".into(),
            text: kdl.clone(),
        }],
        &options(),
    )
    .unwrap();
    let Ok(model) = checked.model() else {
        return;
    };
    let bytes = table::compile(&model).unwrap();
    let t = Table::from_bytes(bytes.as_slice()).unwrap();
    t.verify().unwrap();
    assert!(
        t.to_model().unwrap() == model,
        "the table does not hold the model:\n{kdl}"
    );
    let dumped = table::to_kdl(&t).unwrap();
    let again = isptab::check(
        &[Input::Text {
            name: "dump.kdl".into(),
            text: dumped.clone(),
        }],
        &options(),
    )
    .unwrap();
    assert!(!again.has_errors(), "{dumped}");
    let rebuilt = table::compile(&again.model().unwrap()).unwrap();
    assert!(
        rebuilt == bytes,
        "dump did not rebuild the same bytes:\n{kdl}\n---\n{dumped}"
    );
    let matcher = Matcher::new(&model);
    for q in config.queries.iter().take(16) {
        let q = name(q, 1);
        let ours = t
            .lookup(&q)
            .found()
            .map(|m| (m.record.name().to_string(), m.pattern.to_string()));
        let theirs = isptab::semantics::query::answer(&q, |d| matcher.lookup(d))
            .found()
            .map(|m| {
                (
                    model.records[m.target.record].name.clone(),
                    m.target.pattern.to_string(),
                )
            });
        assert_eq!(ours, theirs, "{q} in\n{kdl}");
    }
});
