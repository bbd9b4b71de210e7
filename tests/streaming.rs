//! `isptab lookup ... -` as a co-process: each line is answered as soon as it is
//! read, without stdin being closed, in every output format and MX mode.
#![cfg(feature = "cli")]

mod support;

use support::{Coprocess, build, project};

const RECORDS: &str = r#"
isp "Acme Mail" {
    domains "acme-mail.example" "*.acme.example"
    mx "*.mx.acme-mail.example"
}
"#;

#[test]
fn every_line_is_answered_before_the_next_is_written() {
    let dir = project(&[("isptab.kdl", RECORDS)]);
    build(dir.path(), "isptab.kdl", "t.isptab");
    let mut lookup = Coprocess::start(dir.path(), &["lookup", "--table", "t.isptab", "-"]);
    assert_eq!(
        lookup.ask("user@gmail.com"),
        "user@gmail.com\tGmail\texact\tgmail.com"
    );
    assert_eq!(
        lookup.ask("a.b.acme.example"),
        "a.b.acme.example\tAcme Mail\tsuffix\t*.acme.example"
    );
    assert_eq!(lookup.ask(""), "\t-\tinvalid\t-");
    assert_eq!(lookup.ask("nowhere.example"), "nowhere.example\t-\tnone\t-");
    let (code, rest) = lookup.finish();
    assert_eq!((code, rest), (Some(0), vec![]));
}

#[test]
fn json_mx_in_input_and_sources_stream_too() {
    let dir = project(&[("isptab.kdl", RECORDS)]);
    build(dir.path(), "isptab.kdl", "t.isptab");
    let mut json = Coprocess::start(
        dir.path(),
        &["lookup", "--table", "t.isptab", "--format", "json", "-"],
    );
    let answer: serde_json::Value =
        serde_json::from_str(&json.ask("acme-mail.example")).expect("a JSON line");
    assert_eq!(answer["isp"], "Acme Mail");
    assert_eq!(json.finish().0, Some(0));

    let mut mx = Coprocess::start(
        dir.path(),
        &["lookup", "--table", "t.isptab", "--mx-in-input", "-"],
    );
    assert_eq!(
        mx.ask("hosted.example in1.mx.acme-mail.example"),
        "hosted.example\tAcme Mail\tmx\t*.mx.acme-mail.example"
    );
    assert_eq!(mx.ask("hosted.example ."), "hosted.example\t-\tnull-mx\t-");
    assert_eq!(mx.finish().0, Some(0));

    // Compiled in memory from the configuration: the same code path.
    let mut sources = Coprocess::start(dir.path(), &["lookup", "--config", "isptab.kdl", "-"]);
    assert_eq!(
        sources.ask("x.acme.example"),
        "x.acme.example\tAcme Mail\tsuffix\t*.acme.example"
    );
    assert_eq!(sources.finish().0, Some(0));
}

#[test]
fn a_batch_still_answers_every_line_in_order() {
    // Written all at once and closed: the answers come in order, none lost.
    let dir = project(&[("isptab.kdl", RECORDS)]);
    build(dir.path(), "isptab.kdl", "t.isptab");
    let mut lookup = Coprocess::start(dir.path(), &["lookup", "--table", "t.isptab", "-"]);
    let queries: Vec<String> = (0..50_000).map(|i| format!("n{i}.acme.example")).collect();
    let writer = {
        let mut lines = queries.join("\n");
        lines.push('\n');
        let mut stdin = lookup.take_stdin();
        std::thread::spawn(move || {
            use std::io::Write;
            stdin.write_all(lines.as_bytes()).expect("write the batch");
        })
    };
    for query in &queries {
        assert_eq!(
            lookup.next_line(),
            format!("{query}\tAcme Mail\tsuffix\t*.acme.example")
        );
    }
    writer.join().expect("the writer");
    assert_eq!(lookup.finish(), (Some(0), vec![]));
}

#[test]
fn a_line_is_answered_while_the_next_is_still_being_written() {
    // One write holds a whole line and the start of the next: the first gets its
    // answer before the second is finished.
    let dir = project(&[("isptab.kdl", RECORDS)]);
    build(dir.path(), "isptab.kdl", "t.isptab");
    for args in [
        &["lookup", "--table", "t.isptab", "-"][..],
        &["lookup", "--table", "t.isptab", "--mx-in-input", "-"],
        &["lookup", "--config", "isptab.kdl", "--format", "json", "-"],
    ] {
        let mut lookup = Coprocess::start(dir.path(), args);
        let mut stdin = lookup.take_stdin();
        use std::io::Write;
        stdin.write_all(b"acme-mail.example\nx.acme").unwrap();
        stdin.flush().unwrap();
        assert!(lookup.next_line().contains("acme-mail.example"), "{args:?}");
        stdin.write_all(b".example\n").unwrap();
        stdin.flush().unwrap();
        assert!(lookup.next_line().contains("x.acme.example"), "{args:?}");
        drop(stdin);
        assert_eq!(lookup.finish(), (Some(0), vec![]));
    }
}

#[test]
fn an_over_long_line_is_invalid_in_every_mode() {
    let dir = project(&[("isptab.kdl", RECORDS)]);
    build(dir.path(), "isptab.kdl", "t.isptab");
    let long = format!("acme-mail.example {}", "x ".repeat(3000));
    for args in [
        &["lookup", "--table", "t.isptab", "-"][..],
        &["lookup", "--table", "t.isptab", "--mx-in-input", "-"],
        &[
            "lookup",
            "--table",
            "t.isptab",
            "--mx",
            "a.mx.acme-mail.example",
            "-",
        ],
    ] {
        let mut lookup = Coprocess::start(dir.path(), args);
        let answer = lookup.ask(&long);
        assert!(
            answer.ends_with("... (6018 bytes, cut)\t-\tinvalid\t-"),
            "{args:?}: {answer}"
        );
        assert_eq!(lookup.finish().0, Some(0));
    }
}

#[test]
fn a_read_error_is_reported_as_one() {
    let dir = project(&[("isptab.kdl", RECORDS)]);
    build(dir.path(), "isptab.kdl", "t.isptab");
    let out = support::command(dir.path(), &["lookup", "--table", "t.isptab", "-"])
        .stdin(std::fs::File::open(dir.path()).unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot read the queries"), "{err}");
}
