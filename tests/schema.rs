//! The schemas in `schema/` are tied to the code: the KDL schema names exactly the
//! nodes and properties the reader accepts, and every JSON output validates
//! against its JSON Schema.

// These drive the `isptab` binary.
#![cfg(feature = "cli")]

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use isptab::compiler::language::{NODES, Place};

mod support;

/// (place, node, property or "") for every node and property of a schema block.
fn schema_entries(
    doc: &kdl::KdlDocument,
    place: Place,
    out: &mut BTreeSet<(String, String, String)>,
) {
    for node in doc.nodes().iter().filter(|n| n.name().value() == "node") {
        let name = node
            .get(0)
            .and_then(|v| v.as_string())
            .expect("node has a name")
            .to_string();
        out.insert((format!("{place:?}"), name.clone(), String::new()));
        let Some(body) = node.children() else {
            continue;
        };
        for prop in body.nodes().iter().filter(|n| n.name().value() == "prop") {
            let key = prop
                .get(0)
                .and_then(|v| v.as_string())
                .expect("prop has a name")
                .to_string();
            out.insert((format!("{place:?}"), name.clone(), key));
        }
        if let Some(children) = body
            .nodes()
            .iter()
            .find(|n| n.name().value() == "children")
            .and_then(|n| n.children())
        {
            let inner = match name.as_str() {
                "headers" => Place::Headers,
                "lints" => Place::Lints,
                _ => Place::Record,
            };
            schema_entries(children, inner, out);
        }
    }
}

#[test]
fn kdl_schema_matches_the_reader() {
    let text = std::fs::read_to_string("schema/isptab.kdl").unwrap();
    let doc = kdl::KdlDocument::parse_v2(&text).expect("the schema is valid KDL 2.0");
    let document = doc
        .nodes()
        .iter()
        .find(|n| n.name().value() == "document")
        .and_then(|n| n.children())
        .unwrap();
    let mut documented = BTreeSet::new();
    schema_entries(document, Place::TopLevel, &mut documented);
    let mut accepted = BTreeSet::new();
    for node in NODES {
        accepted.insert((
            format!("{:?}", node.place),
            node.name.to_string(),
            String::new(),
        ));
        for &p in node.properties {
            accepted.insert((
                format!("{:?}", node.place),
                node.name.to_string(),
                p.to_string(),
            ));
        }
    }
    assert_eq!(
        documented, accepted,
        "schema/isptab.kdl and src/model/language.rs disagree"
    );
}

fn validator(schema: &str) -> jsonschema::Validator {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(Path::new("schema").join(schema)).unwrap())
            .unwrap();
    jsonschema::validator_for(&schema).expect("a valid JSON Schema")
}

fn assert_valid(validator: &jsonschema::Validator, instance: &serde_json::Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}: {errors:#?}");
}

fn isptab(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_isptab"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn check_json_validates() {
    let schema = validator("diagnostics.schema.json");
    let mut checked = 0;
    for code in isptab::compiler::rules::Code::ALL {
        for case in ["fires.kdl", "passes.kdl"] {
            let path = format!("tests/fixtures/rules/{code}/{case}");
            let out = isptab(&["check", &path, "--format", "json"]);
            let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_valid(&schema, &json, &path);
            checked += 1;
        }
    }
    assert!(checked >= 56);
}

/// A run that stops before it checks anything (exit 2) still prints one JSON
/// document, with the reason in `error`, for `check` and `build` alike.
#[test]
fn a_usage_error_is_a_json_document_too() {
    let schema = validator("diagnostics.schema.json");
    for args in [
        &[
            "check",
            "tests/fixtures/no-such-file.kdl",
            "--format",
            "json",
        ][..],
        &["check", "--deny", "no-such-code", "--format", "json"],
        &[
            "build",
            "tests/fixtures/no-such-file.kdl",
            "-o",
            "/nonexistent/x",
            "--format",
            "json",
        ],
    ] {
        let out = isptab(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let json: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: not one JSON document: {e}"));
        assert_valid(&schema, &json, &format!("{args:?}"));
        let error = json["error"].as_str().expect("an error");
        assert!(!error.is_empty() && json["diagnostics"] == serde_json::json!([]));
    }
}

#[test]
fn dump_and_lookup_json_validate() {
    let dump_schema = validator("dump.schema.json");
    let lookup_schema = validator("lookup.schema.json");
    let dir = tempfile::tempdir().unwrap();
    for example in [
        "examples/small-company.kdl",
        "examples/split-provider.kdl",
        "examples/layered/isptab.kdl",
    ] {
        let table = dir.path().join("t.isptab");
        let table = table.to_str().unwrap();
        assert!(isptab(&["build", example, "-o", table]).status.success());
        let dump: serde_json::Value =
            serde_json::from_slice(&isptab(&["dump", table, "--format", "json"]).stdout).unwrap();
        assert_valid(&dump_schema, &dump, example);
        let out = isptab(&[
            "lookup",
            "--table",
            table,
            "--format",
            "json",
            "gmail.com",
            "a.b.corp.example",
            "nobody.example",
            "not a domain",
            "x@ymail.com",
        ]);
        assert!(out.status.success(), "{example}");
        let lines = String::from_utf8(out.stdout).unwrap();
        assert_eq!(lines.lines().count(), 5, "one line per query: {lines}");
        for line in lines.lines() {
            assert_valid(&lookup_schema, &serde_json::from_str(line).unwrap(), line);
        }
        // `--explain`, from the table and from the sources.
        for source in [["--table", table], ["--config", example]] {
            let out = isptab(&[
                "lookup",
                source[0],
                source[1],
                "--explain",
                "--format",
                "json",
                "gmail.com",
                "hotmail.de",
                "nobody.example",
            ]);
            assert!(out.status.success(), "{example}");
            let lines = String::from_utf8(out.stdout).unwrap();
            assert_eq!(lines.lines().count(), 3, "{lines}");
            for line in lines.lines() {
                let json: serde_json::Value = serde_json::from_str(line).unwrap();
                assert_valid(&lookup_schema, &json, line);
                assert_eq!(
                    json["explain"].is_object(),
                    !json["isp"].is_null(),
                    "{line}"
                );
            }
        }
        // With MX hosts: every shape of step 4's answer.
        let mx = isptab_stdin(
            &[
                "lookup",
                "--table",
                table,
                "--format",
                "json",
                "--mx-in-input",
                "-",
            ],
            "a.example aspmx.l.google.com alt1.aspmx.l.google.com\n\
             b.example aspmx.l.google.com mx.other.example\n\
             c.example .\n\
             d.example\n\
             e.example bad..host\n\
             gmail.com aspmx.l.google.com\n",
        );
        let lines = String::from_utf8(mx.stdout).unwrap();
        assert_eq!(lines.lines().count(), 6, "{lines}");
        for line in lines.lines() {
            assert_valid(&lookup_schema, &serde_json::from_str(line).unwrap(), line);
        }
    }
}

fn isptab_stdin(args: &[&str], input: &str) -> std::process::Output {
    support::isptab_stdin(Path::new("."), args, input)
}

#[test]
fn apply_json_validates() {
    let schema = validator("apply.schema.json");
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("isptab.kdl");
    std::fs::write(
        &config,
        "isp \"Acme\" {\n    domains \"acme.example\"\n    encoding global=\"8bit\" html=\"base64\"\n    headers {\n        remove \"X-Mailer\"\n        add \"X-A\" \"b\"\n    }\n}\n",
    )
    .unwrap();
    let config = config.to_str().unwrap();
    // Every kind of part the corpus has: kept, re-encoded, fallback, left.
    let corpus = Path::new("tests/fixtures/apply/messages/cpython");
    let mut reports = 0;
    for entry in std::fs::read_dir(corpus).unwrap() {
        let path = entry.unwrap().path();
        for rcpt in ["a@acme.example", "a@other.example"] {
            let out = isptab(&[
                "apply",
                "--no-defaults",
                "--config",
                config,
                "--rcpt",
                rcpt,
                "--format",
                "json",
                path.to_str().unwrap(),
            ]);
            let what = format!("{} {rcpt}", path.display());
            let err = String::from_utf8_lossy(&out.stderr);
            // Refused with a reason and no output: CPython's expected text of
            // a digest (no header), and messages RFC 2046 and mail-parser read
            // differently (a boundary reused inside, a delimiter inside a
            // part, a header line without a colon, a part with no line break
            // before the next delimiter); tests/integration/apply.sh checks
            // with Python that each is ambiguous.
            let ambiguous = "MIME structure could not be read consistently";
            let refused = [
                ("msg_19.eml", "not a message"),
                ("msg_15.eml", ambiguous),
                ("msg_35.eml", ambiguous),
                ("msg_37.eml", ambiguous),
                ("msg_38.eml", ambiguous),
                ("msg_42.eml", ambiguous),
            ];
            if let Some((_, why)) = refused.iter().find(|(name, _)| path.ends_with(name)) {
                assert_eq!(out.status.code(), Some(2), "{what}: {err}");
                assert!(err.contains(why) && out.stdout.is_empty(), "{what}: {err}");
                continue;
            }
            assert_eq!(out.status.code(), Some(0), "{what}: {err}");
            let json: serde_json::Value = serde_json::from_slice(&out.stderr)
                .unwrap_or_else(|e| panic!("{what}: not one JSON document: {e}"));
            assert_valid(&schema, &json, &what);
            reports += 1;
        }
    }
    assert!(reports >= 40);
}
