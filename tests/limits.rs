//! Every limit of `isptab::compiler::limits::Limits`, crossed: a `limit-exceeded`
//! diagnostic, never a panic, a hang or a huge allocation. Limits that take big
//! inputs to cross are lowered through the library's options.

// These use the compiler.
#![cfg(feature = "compiler")]

use std::path::Path;

use isptab::compiler::limits::Limits;
use isptab::{DefaultsSource, Input, Options};

fn check_with(dir: &Path, entry: &str, limits: Limits) -> Vec<(String, String)> {
    let options = Options {
        defaults: DefaultsSource::None,
        limits,
        ..Options::default()
    };
    let checked = isptab::check(&[Input::Path(dir.join(entry))], &options).unwrap();
    checked
        .diagnostics
        .iter()
        .map(|d| (d.code.name().to_string(), d.message.clone()))
        .collect()
}

fn exceeded(diagnostics: &[(String, String)], fragment: &str) -> bool {
    diagnostics
        .iter()
        .any(|(code, message)| code == "limit-exceeded" && message.contains(fragment))
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

#[test]
fn kdl_file_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "big.kdl",
        &format!(
            "// {}\nisp \"A\" {{ domains \"a.example\" }}\n",
            "x".repeat(3000)
        ),
    );
    let found = check_with(
        d,
        "big.kdl",
        Limits {
            kdl_file_bytes: 1000,
            ..Limits::default()
        },
    );
    assert!(
        exceeded(&found, "the limit for a KDL file is 1000 bytes"),
        "{found:?}"
    );
}

#[test]
fn kdl_line_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "line.kdl",
        &format!("isp \"A\" {{ domains {} }}\n", "\"a.example\" ".repeat(200)),
    );
    let found = check_with(
        d,
        "line.kdl",
        Limits {
            kdl_line_bytes: 100,
            ..Limits::default()
        },
    );
    assert!(
        exceeded(&found, "line 1 is longer than 100 bytes"),
        "{found:?}"
    );
}

#[test]
fn nesting() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "deep.kdl",
        &format!("isp \"A\" {}{}\n", "{ a ".repeat(33), "}".repeat(33)),
    );
    assert!(exceeded(
        &check_with(d, "deep.kdl", Limits::default()),
        "nested more than 32 levels"
    ));
}

#[test]
fn include_depth() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "inc0.kdl", "include \"inc1.kdl\"\n");
    write(d, "inc1.kdl", "include \"inc2.kdl\"\n");
    write(d, "inc2.kdl", "include \"inc3.kdl\"\n");
    write(d, "inc3.kdl", "isp \"Deep\" { domains \"deep.example\" }\n");
    let found = check_with(
        d,
        "inc0.kdl",
        Limits {
            include_depth: 2,
            ..Limits::default()
        },
    );
    assert!(
        exceeded(&found, "includes are nested 3 files deep; the limit is 2"),
        "{found:?}"
    );
    assert!(check_with(d, "inc0.kdl", Limits::default()).is_empty());
}

#[test]
fn domains_file_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "list.txt", &"a.example\n".repeat(30));
    write(d, "list.kdl", "isp \"A\" { domains-file \"list.txt\" }\n");
    let found = check_with(
        d,
        "list.kdl",
        Limits {
            domains_file_bytes: 100,
            ..Limits::default()
        },
    );
    assert!(
        exceeded(&found, "list.txt` is 300 bytes; the limit is 100 bytes"),
        "{found:?}"
    );
}

#[test]
fn domains_file_line_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "longline.txt",
        &format!("a.example # {}\n", "c".repeat(5000)),
    );
    write(
        d,
        "longline.kdl",
        "isp \"A\" { domains-file \"longline.txt\" }\n",
    );
    assert!(exceeded(
        &check_with(d, "longline.kdl", Limits::default()),
        "line 1 of the domains file is longer than 4096 bytes"
    ));
}

#[test]
fn patterns() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let many: String = (0..12).map(|i| format!("p{i}.example\n")).collect();
    write(d, "many.txt", &many);
    write(d, "many.kdl", "isp \"A\" { domains-file \"many.txt\" }\n");
    let found = check_with(
        d,
        "many.kdl",
        Limits {
            patterns: 10,
            ..Limits::default()
        },
    );
    assert!(exceeded(&found, "more than 10 patterns"), "{found:?}");
    assert_eq!(
        found.iter().filter(|(c, _)| c == "limit-exceeded").count(),
        1,
        "reported once"
    );
}

#[test]
fn records_and_patterns_both_reported() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Both limits crossed: each reported, once.
    let both: String = (0..4)
        .map(|i| format!("isp \"R{i}\" {{ domains \"r{i}.example\" \"s{i}.example\" }}\n"))
        .collect();
    write(d, "both.kdl", &both);
    let found = check_with(
        d,
        "both.kdl",
        Limits {
            records: 2,
            patterns: 3,
            ..Limits::default()
        },
    );
    let limit_messages: Vec<&str> = found
        .iter()
        .filter(|(c, _)| c == "limit-exceeded")
        .map(|(_, m)| m.as_str())
        .collect();
    assert_eq!(limit_messages.len(), 2, "{limit_messages:?}");
    assert!(exceeded(&found, "more than 3 patterns"), "{found:?}");
    assert!(exceeded(&found, "more than 2 records"), "{found:?}");
}

#[test]
fn header_rules() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let rules: String = (0..4)
        .map(|i| format!("        add \"X-H{i}\" \"v\"\n"))
        .collect();
    write(
        d,
        "rules.kdl",
        &format!("isp \"A\" {{\n    domains \"a.example\"\n    headers {{\n{rules}    }}\n}}\n"),
    );
    let found = check_with(
        d,
        "rules.kdl",
        Limits {
            header_rules: 3,
            ..Limits::default()
        },
    );
    assert!(
        exceeded(&found, "`A` has more than 3 header rules"),
        "{found:?}"
    );
}

#[test]
fn the_record_limit_is_the_table_format_id_width() {
    let dir = tempfile::tempdir().unwrap();
    let text: String = (0..=isptab::compiler::limits::MAX_RECORDS)
        .map(|i| format!("isp \"R{i}\" {{ domains \"r{i}.example\" }}\n"))
        .collect();
    write(dir.path(), "records.kdl", &text);
    let found = check_with(dir.path(), "records.kdl", Limits::default());
    assert!(
        exceeded(&found, "more than 32767 records"),
        "{:?}",
        &found[..found.len().min(3)]
    );
    assert_eq!(found.len(), 1);
}

#[test]
fn nodes_per_kdl_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "nodes.kdl", &"delete \"X\"\n".repeat(11));
    let found = check_with(
        d,
        "nodes.kdl",
        Limits {
            kdl_nodes: 10,
            ..Limits::default()
        },
    );
    assert!(exceeded(&found, "more than 10 nodes"), "{found:?}");
}

#[test]
fn bytes_read_in_all() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "list.txt", &"a.example\n".repeat(30));
    write(
        d,
        "entry.kdl",
        "isp \"A\" { domains-file \"list.txt\" }\n// padding padding padding\n",
    );
    let found = check_with(
        d,
        "entry.kdl",
        Limits {
            total_bytes: 200,
            ..Limits::default()
        },
    );
    assert!(
        exceeded(
            &found,
            "would pass the limit of 200 bytes read from all files"
        ),
        "{found:?}"
    );
}

#[test]
fn files_read_in_all() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let includes: String = (0..5).map(|i| format!("include \"f{i}.kdl\"\n")).collect();
    write(d, "entry.kdl", &includes);
    for i in 0..5 {
        write(d, &format!("f{i}.kdl"), &format!("delete \"F{i}\"\n"));
    }
    let found = check_with(
        d,
        "entry.kdl",
        Limits {
            files: 3,
            ..Limits::default()
        },
    );
    assert!(
        exceeded(&found, "would pass the limit of 3 files"),
        "{found:?}"
    );
}
