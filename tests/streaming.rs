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
