//! The `isptab` binary end to end: exit codes, output formats, and bad input of
//! every kind (each gives a clear diagnostic and exit code 1 or 2, never a panic).

// These drive the `isptab` binary.
#![cfg(feature = "cli")]

use std::path::Path;
use std::process::{Command, Output};

use tempfile::TempDir;

mod support;

fn isptab(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_isptab"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run isptab")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A temporary directory holding the given files.
fn project(files: &[(&str, &[u8])]) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    dir
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(out)))
}

/// The codes of a `--format json` report.
fn codes(out: &Output) -> Vec<String> {
    json(out)["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

fn assert_no_panic(out: &Output) {
    let err = stderr(out);
    assert!(!err.contains("panicked"), "panic: {err}");
    assert!(out.status.code().is_some(), "killed by a signal: {err}");
}

#[test]
fn examples_check_clean() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for example in [
        "examples/small-company.kdl",
        "examples/split-provider.kdl",
        "examples/layered/isptab.kdl",
    ] {
        let out = isptab(root, &["check", example, "--format", "json"]);
        assert_eq!(out.status.code(), Some(0), "{example}: {}", stdout(&out));
        assert_eq!(codes(&out), Vec::<String>::new(), "{example}");
        let human = isptab(root, &["check", example]);
        assert_eq!(human.status.code(), Some(0));
        assert!(
            stderr(&human).starts_with("no problems found in "),
            "{}",
            stderr(&human)
        );
    }
}

#[test]
fn duplicate_against_defaults_labels_both_sides_in_json() {
    let dir = project(&[(
        "isptab.kdl",
        b"isp \"Acme\" {\n    domains \"acme.example\" \"GMail.com\"\n}\n",
    )]);
    let out = isptab(dir.path(), &["check", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let report = json(&out);
    let d = &report["diagnostics"][0];
    assert_eq!(d["code"], "duplicate-domain");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["file"], "isptab.kdl");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(2), Some(28))
    );
    assert_eq!(
        (d["end_line"].as_u64(), d["end_column"].as_u64()),
        (Some(2), Some(39))
    );
    assert!(d["help"].as_str().unwrap().contains("from=\"Gmail\""));
    let label = &d["labels"][0];
    assert_eq!(label["file"], "<defaults>");
    let defaults = isptab(dir.path(), &["defaults"]);
    let line = stdout(&defaults)
        .lines()
        .position(|l| l.contains("\"gmail.com\""))
        .unwrap()
        + 1;
    assert_eq!(label["line"].as_u64(), Some(line as u64));
    assert_eq!(
        report["summary"],
        serde_json::json!({"errors": 1, "warnings": 0})
    );
    // Fields in the documented order.
    let text = stdout(&out);
    let positions: Vec<usize> = [
        "code",
        "severity",
        "message",
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
        "help",
        "labels",
    ]
    .iter()
    .map(|k| text.find(&format!("\"{k}\":")).unwrap())
    .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");
    insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("cli__duplicate_against_defaults_json", stdout(&out));
        let human = isptab(dir.path(), &["check"]);
        insta::assert_snapshot!("cli__duplicate_against_defaults_human", stderr(&human));
        let short = isptab(dir.path(), &["check", "--format", "short"]);
        insta::assert_snapshot!("cli__duplicate_against_defaults_short", stdout(&short));
    });
}

#[test]
fn exit_codes() {
    let dir = project(&[
        ("clean.kdl", b"isp \"Acme\" { domains \"acme.example\" }\n"),
        (
            "warning.kdl",
            b"isp \"Acme\" { domains \"acme.example\" \"acme.example\" }\n",
        ),
        ("error.kdl", b"isp \"Acme\" { domains \"gmail.com\" }\n"),
        (
            "other-defaults.kdl",
            b"isp \"Other\" { domains \"other.example\" }\n",
        ),
    ]);
    let code = |args: &[&str]| isptab(dir.path(), args).status.code();
    assert_eq!(code(&["check", "clean.kdl"]), Some(0));
    assert_eq!(code(&["check", "warning.kdl"]), Some(0));
    assert_eq!(
        code(&["check", "warning.kdl", "--deny", "warnings"]),
        Some(1)
    );
    assert_eq!(
        code(&["check", "warning.kdl", "--deny", "redundant-domain"]),
        Some(1)
    );
    assert_eq!(code(&["check", "error.kdl"]), Some(1));
    assert_eq!(code(&["check", "missing.kdl"]), Some(2));
    assert_eq!(code(&["check"]), Some(2), "no ./isptab.kdl");
    assert_eq!(
        code(&["check", "clean.kdl", "--allow", "duplicate-domain"]),
        Some(2)
    );
    assert_eq!(
        code(&["check", "clean.kdl", "--allow", "redundant-domian"]),
        Some(2)
    );
    assert_eq!(code(&["check", "clean.kdl", "--bogus"]), Some(2));
    assert_eq!(code(&["check", "error.kdl", "--no-defaults"]), Some(0));
    assert_eq!(
        code(&["check", "error.kdl", "--defaults", "other-defaults.kdl"]),
        Some(0)
    );
    assert_eq!(
        code(&["check", "error.kdl", "--defaults", "nope.kdl"]),
        Some(2)
    );
    let allowed = isptab(
        dir.path(),
        &[
            "check",
            "warning.kdl",
            "--allow",
            "redundant-domain",
            "--format",
            "json",
        ],
    );
    assert_eq!(codes(&allowed), Vec::<String>::new());
    let typo = isptab(
        dir.path(),
        &["check", "clean.kdl", "--allow", "redundant-domian"],
    );
    assert!(
        stderr(&typo).contains("did you mean `redundant-domain`?"),
        "{}",
        stderr(&typo)
    );
    let missing = isptab(dir.path(), &["check", "missing.kdl"]);
    assert!(
        stderr(&missing).contains("missing.kdl"),
        "{}",
        stderr(&missing)
    );
}

#[test]
fn explain_every_code_and_list() {
    let dir = tempfile::tempdir().unwrap();
    for code in isptab::compiler::rules::Code::ALL {
        let out = isptab(dir.path(), &["explain", code.name()]);
        assert_eq!(out.status.code(), Some(0), "{code}");
        assert!(stdout(&out).contains("## How to fix"), "{code}");
    }
    let list = isptab(dir.path(), &["explain", "--list"]);
    assert_eq!(
        stdout(&list).lines().count(),
        isptab::compiler::rules::Code::ALL.len()
    );
    let unknown = isptab(dir.path(), &["explain", "duplicate-domian"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("did you mean `duplicate-domain`?"));
}

#[test]
fn defaults_print_and_check_clean() {
    let dir = tempfile::tempdir().unwrap();
    let out = isptab(dir.path(), &["defaults"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out), isptab::compiler::defaults::TEXT);
    std::fs::write(dir.path().join("defaults.kdl"), stdout(&out)).unwrap();
    // The defaults, checked as a file of their own over no defaults: no warnings.
    let checked = isptab(
        dir.path(),
        &["check", "defaults.kdl", "--no-defaults", "--format", "json"],
    );
    assert_eq!(codes(&checked), Vec::<String>::new());
    assert_eq!(checked.status.code(), Some(0));
}

/// Bad input gets a diagnostic, not a panic: one test per kind of bad input.
mod bad_input {
    use super::*;

    /// Checks `{name}.kdl`, holding `bytes`, in a project that also has a
    /// directory `sub` and a domains file `binary.txt` that is not text: exit code
    /// 1 and `code` among the diagnostics, in JSON and in human output. Returns
    /// the project for further checks.
    fn gets_a_diagnostic(name: &str, bytes: &[u8], code: &str) -> TempDir {
        let dir = project(&[
            ("sub/x.kdl", b"isp \"Sub\" { domains \"sub.example\" }\n"),
            ("binary.txt", b"a.example\n\x00\x9f\x92\x96\n"),
        ]);
        let file = format!("{name}.kdl");
        std::fs::write(dir.path().join(&file), bytes).unwrap();
        let out = isptab(dir.path(), &["check", &file, "--format", "json"]);
        assert_no_panic(&out);
        assert_eq!(out.status.code(), Some(1), "{name}: {}", stdout(&out));
        assert!(
            codes(&out).contains(&code.to_string()),
            "{name}: {:?}",
            codes(&out)
        );
        let human = isptab(dir.path(), &["check", &file]);
        assert_no_panic(&human);
        assert_eq!(human.status.code(), Some(1));
        dir
    }

    #[test]
    fn empty() {
        gets_a_diagnostic("empty", b"", "empty-file");
    }

    #[test]
    fn only_blank_lines() {
        gets_a_diagnostic("only-blank-lines", b"\n  \n\t\n", "empty-file");
    }

    #[test]
    fn garbage() {
        let mut garbage = Vec::new();
        let mut x: u32 = 12345;
        for _ in 0..100_000 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            garbage.push((x >> 16) as u8);
        }
        gets_a_diagnostic("garbage", &garbage, "syntax");
    }

    #[test]
    fn invalid_utf8() {
        let dir = gets_a_diagnostic(
            "invalid-utf8",
            b"isp \"A\xff\" { domains \"a.example\" }\n",
            "syntax",
        );
        // Invalid UTF-8: the diagnostic says where.
        let out = isptab(
            dir.path(),
            &["check", "invalid-utf8.kdl", "--format", "short"],
        );
        assert!(
            stdout(&out).starts_with(
                "invalid-utf8.kdl:1:7: error[syntax]: the file is not valid UTF-8: byte 0xFF"
            ),
            "{}",
            stdout(&out)
        );
    }

    #[test]
    fn deep() {
        let deep = format!("isp \"x\" {}{}", "{ a ".repeat(10_000), "}".repeat(10_000));
        gets_a_diagnostic("deep", deep.as_bytes(), "limit-exceeded");
    }

    #[test]
    fn long_line() {
        let long_line = format!(
            "isp \"x\" {{ domains {} }}",
            "\"a.example\" ".repeat(1_000_000)
        );
        gets_a_diagnostic("long-line", long_line.as_bytes(), "limit-exceeded");
    }

    #[test]
    fn include_dir() {
        gets_a_diagnostic("include-dir", b"include \"sub\"\n", "unreadable-file");
    }

    #[test]
    fn include_self() {
        gets_a_diagnostic(
            "include-self",
            b"include \"include-self.kdl\"\n",
            "include-cycle",
        );
    }

    #[test]
    fn missing_list() {
        gets_a_diagnostic(
            "missing-list",
            b"isp \"A\" { domains-file \"nope.txt\" }\n",
            "unreadable-file",
        );
    }

    #[test]
    fn binary_list() {
        let dir = gets_a_diagnostic(
            "binary-list",
            b"isp \"A\" { domains-file \"binary.txt\" }\n",
            "unreadable-file",
        );
        // Reported where it is named, quoting none of it.
        let out = isptab(
            dir.path(),
            &["check", "binary-list.kdl", "--format", "short"],
        );
        assert!(
            stdout(&out).starts_with("binary-list.kdl:1:24: error[unreadable-file]")
                && stdout(&out).contains("is not a text file"),
            "{}",
            stdout(&out)
        );
    }
}

#[test]
fn bom_and_crlf_are_accepted_with_right_columns() {
    let text = "\u{feff}isp \"Acme\" {\r\n    domains \"acme.example\" \"gmail.com\"\r\n}\r\n";
    let dir = project(&[("isptab.kdl", text.as_bytes())]);
    let out = isptab(dir.path(), &["check", "--format", "json"]);
    let d = &json(&out)["diagnostics"][0];
    assert_eq!(d["code"], "duplicate-domain");
    assert_eq!(
        (
            d["line"].as_u64(),
            d["column"].as_u64(),
            d["end_column"].as_u64()
        ),
        (Some(2), Some(28), Some(39))
    );
    let clean = project(&[(
        "isptab.kdl",
        "\u{feff}isp \"Acme\" {\r\n    domains \"acme.example\"\r\n}\r\n".as_bytes(),
    )]);
    assert_eq!(isptab(clean.path(), &["check"]).status.code(), Some(0));
}

#[test]
fn columns_count_characters() {
    let dir = project(&[(
        "isptab.kdl",
        "isp \"Почта\" { domains \"почта.рф\" \"gmail.com\" }\n".as_bytes(),
    )]);
    let out = isptab(dir.path(), &["check", "--format", "json"]);
    let d = &json(&out)["diagnostics"][0];
    assert_eq!(
        (d["column"].as_u64(), d["end_column"].as_u64()),
        (Some(34), Some(45))
    );
}

#[test]
fn a_million_line_domains_file() {
    let mut list = String::with_capacity(20_000_000);
    for i in 0..1_000_000u32 {
        list.push_str(&format!("m{i:x}.example.net\n"));
    }
    let dir = project(&[
        ("isptab.kdl", b"isp \"Big\" { domains-file \"big.txt\" }\n"),
        ("big.txt", list.as_bytes()),
    ]);
    let out = isptab(dir.path(), &["check", "--no-defaults"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("(1 records, 1000000 patterns)"),
        "{}",
        stderr(&out)
    );
}

fn isptab_stdin(dir: &Path, args: &[&str], input: &str) -> Output {
    support::isptab_stdin(dir, args, input)
}

const SPLIT: &[u8] = b"isp \"Yahoo Europe\" {\n    domains \"yahoo.fr\" from=\"Yahoo\"\n    domains \"*.yahoo.fr\" \"yahoomail.*\"\n}\n";

#[test]
fn build_then_lookup_and_dump() {
    let dir = project(&[("isptab.kdl", SPLIT)]);
    let out = isptab(dir.path(), &["build", "-o", "isps.isptab"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let summary = stderr(&out);
    assert!(
        summary.starts_with("wrote isps.isptab: 82 records, 814 patterns, 13 MX patterns, "),
        "{summary}"
    );
    assert!(summary.contains(" KiB in "), "{summary}");

    let queries = "yahoo.fr\nUser@Mail.Yahoo.FR.\nyahoo.de\nyahoomail.de\nyahoo.co.uk\nnobody.example\n\nnot a domain\n";
    let from_table = isptab_stdin(
        dir.path(),
        &["lookup", "--table", "isps.isptab", "-"],
        queries,
    );
    assert_eq!(from_table.status.code(), Some(0));
    assert_eq!(
        stdout(&from_table),
        "yahoo.fr\tYahoo Europe\texact\tyahoo.fr\n\
         User@Mail.Yahoo.FR.\tYahoo Europe\tsuffix\t*.yahoo.fr\n\
         yahoo.de\tYahoo\texact\tyahoo.de\n\
         yahoomail.de\tYahoo Europe\tglob\tyahoomail.*\n\
         yahoo.co.uk\tYahoo\texact\tyahoo.co.uk\n\
         nobody.example\t-\tnone\t-\n\
         \t-\tinvalid\t-\n\
         not a domain\t-\tinvalid\t-\n"
    );
    // The same answers from the sources, compiled in memory.
    let from_config = isptab_stdin(
        dir.path(),
        &["lookup", "--config", "isptab.kdl", "-"],
        queries,
    );
    assert_eq!(stdout(&from_config), stdout(&from_table));
    let default_config = isptab_stdin(dir.path(), &["lookup", "-"], queries);
    assert_eq!(stdout(&default_config), stdout(&from_table));

    let json = isptab(
        dir.path(),
        &[
            "lookup",
            "--table",
            "isps.isptab",
            "--format",
            "json",
            "yahoo.es",
            "x@y",
            "a.yahoo.fr",
        ],
    );
    assert_eq!(
        stdout(&json),
        "{\"query\":\"yahoo.es\",\"domain\":\"yahoo.es\",\"isp\":\"Yahoo\",\"match\":\"exact\",\"pattern\":\"yahoo.es\"}\n\
         {\"query\":\"x@y\",\"domain\":null,\"isp\":null,\"match\":\"invalid\",\"pattern\":null}\n\
         {\"query\":\"a.yahoo.fr\",\"domain\":\"a.yahoo.fr\",\"isp\":\"Yahoo Europe\",\"match\":\"suffix\",\"pattern\":\"*.yahoo.fr\"}\n"
    );

    // dump --format kdl, then build --no-defaults: the same bytes.
    let dump = isptab(dir.path(), &["dump", "isps.isptab"]);
    assert_eq!(dump.status.code(), Some(0));
    std::fs::write(dir.path().join("dumped.kdl"), stdout(&dump)).unwrap();
    let rebuilt = isptab(
        dir.path(),
        &[
            "build",
            "--no-defaults",
            "dumped.kdl",
            "-o",
            "rebuilt.isptab",
        ],
    );
    assert_eq!(rebuilt.status.code(), Some(0), "{}", stderr(&rebuilt));
    assert_eq!(
        std::fs::read(dir.path().join("isps.isptab")).unwrap(),
        std::fs::read(dir.path().join("rebuilt.isptab")).unwrap()
    );
    let json = isptab(dir.path(), &["dump", "isps.isptab", "--format", "json"]);
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&json.stdout).unwrap()["summary"]["records"],
        82
    );
}

#[test]
fn a_failed_build_leaves_the_old_table_untouched() {
    let dir = project(&[
        ("good.kdl", SPLIT),
        ("bad.kdl", b"isp \"Copy\" { domains \"gmail.com\" }\n"),
    ]);
    assert_eq!(
        isptab(dir.path(), &["build", "good.kdl", "-o", "isps.isptab"])
            .status
            .code(),
        Some(0)
    );
    let before = std::fs::read(dir.path().join("isps.isptab")).unwrap();
    let out = isptab(dir.path(), &["build", "bad.kdl", "-o", "isps.isptab"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("isps.isptab not written"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read(dir.path().join("isps.isptab")).unwrap(),
        before
    );
    // Nothing else was left behind.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
    // An output directory that does not exist is an I/O error.
    assert_eq!(
        isptab(dir.path(), &["build", "good.kdl", "-o", "nope/isps.isptab"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        std::fs::read(dir.path().join("isps.isptab")).unwrap(),
        before
    );
}

/// `dump` and `lookup` reject bad tables: one test per kind of bad table.
mod bad_table {
    use super::*;

    /// A project with a good table `isps.isptab`, `junk.isptab` that is not a
    /// table, and `flipped.isptab`, a copy of the good one with one bit changed.
    fn tables() -> TempDir {
        let dir = project(&[
            ("isptab.kdl", SPLIT),
            ("junk.isptab", b"not a table at all"),
        ]);
        assert_eq!(
            isptab(dir.path(), &["build", "-o", "isps.isptab"])
                .status
                .code(),
            Some(0)
        );
        let mut bytes = std::fs::read(dir.path().join("isps.isptab")).unwrap();
        let last = bytes.len() - 100;
        bytes[last] ^= 0x40;
        std::fs::write(dir.path().join("flipped.isptab"), &bytes).unwrap();
        dir
    }

    fn dump_exits_with(table: &str, code: i32) {
        let dir = tables();
        let out = isptab(dir.path(), &["dump", table]);
        assert_no_panic(&out);
        assert_eq!(out.status.code(), Some(code), "{table}: {}", stderr(&out));
    }

    #[test]
    fn dump_junk() {
        dump_exits_with("junk.isptab", 1);
    }

    #[test]
    fn dump_flipped() {
        dump_exits_with("flipped.isptab", 1);
    }

    #[test]
    fn dump_missing() {
        dump_exits_with("missing.isptab", 2);
    }

    #[test]
    fn lookup_junk() {
        let dir = tables();
        let out = isptab(
            dir.path(),
            &["lookup", "--table", "junk.isptab", "gmail.com"],
        );
        assert_eq!(out.status.code(), Some(2));
        assert!(
            stderr(&out).contains("not a valid table"),
            "{}",
            stderr(&out)
        );
    }
}

#[test]
fn build_check_says_whether_the_table_is_current() {
    let dir = project(&[("isptab.kdl", SPLIT)]);
    let check = |dir: &Path| isptab(dir, &["build", "--check", "-o", "isps.isptab"]);
    let missing = check(dir.path());
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        stderr(&missing).contains("isps.isptab is missing"),
        "{}",
        stderr(&missing)
    );
    assert!(
        !dir.path().join("isps.isptab").exists(),
        "--check wrote the table"
    );
    assert_eq!(
        isptab(dir.path(), &["build", "-o", "isps.isptab"])
            .status
            .code(),
        Some(0)
    );
    let current = check(dir.path());
    assert_eq!(current.status.code(), Some(0), "{}", stderr(&current));
    assert!(stderr(&current).contains("is up to date"));
    let before = std::fs::read(dir.path().join("isps.isptab")).unwrap();
    std::fs::write(
        dir.path().join("isptab.kdl"),
        [SPLIT, b"isp \"New\" { domains \"new.example\" }\n"].concat(),
    )
    .unwrap();
    let stale = check(dir.path());
    assert_eq!(stale.status.code(), Some(1));
    assert!(
        stderr(&stale).contains("isps.isptab is stale"),
        "{}",
        stderr(&stale)
    );
    assert_eq!(
        std::fs::read(dir.path().join("isps.isptab")).unwrap(),
        before
    );
    // The command to run is spelled out, with the files and options given, and
    // runs as printed.
    std::fs::rename(
        dir.path().join("isptab.kdl"),
        dir.path().join("my isps.kdl"),
    )
    .unwrap();
    let stale = isptab(
        dir.path(),
        &[
            "build",
            "--check",
            "--root",
            ".",
            "my isps.kdl",
            "-o",
            "isps.isptab",
        ],
    );
    let text = stderr(&stale);
    let command = text
        .split("run `")
        .nth(1)
        .and_then(|rest| rest.split('`').next())
        .unwrap_or_else(|| panic!("no command in {text}"));
    assert_eq!(
        command,
        "isptab build 'my isps.kdl' --root . -o isps.isptab"
    );
    let words: Vec<&str> = vec!["build", "my isps.kdl", "--root", ".", "-o", "isps.isptab"];
    assert_eq!(isptab(dir.path(), &words).status.code(), Some(0));
    // With errors, --check says it cannot tell, never that it wrote nothing.
    std::fs::write(
        dir.path().join("bad.kdl"),
        "isp \"Bad\" {\n    domains \"a..b\"\n}\n",
    )
    .unwrap();
    let bad = isptab(
        dir.path(),
        &["build", "--check", "bad.kdl", "-o", "isps.isptab"],
    );
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        stderr(&bad).contains("cannot tell whether isps.isptab is up to date"),
        "{}",
        stderr(&bad)
    );
    assert!(!stderr(&bad).contains("not written"), "{}", stderr(&bad));
}

#[test]
fn ci_formats() {
    let dir = project(&[
        (
            "isptab.kdl",
            b"include \"regional.kdl\"\nisp \"Copy, Inc.\" {\n    domains \"gmail.com\"\n}\n",
        ),
        (
            "regional.kdl",
            b"isp \"Regional\" {\n    domains \"regional.example\" \"regional.example\"\n}\n",
        ),
    ]);
    let github = isptab(dir.path(), &["check", "--format", "github"]);
    assert_eq!(github.status.code(), Some(1));
    insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("cli__github", stdout(&github));
    });
    let sarif = isptab(dir.path(), &["check", "--format", "sarif"]);
    assert_eq!(sarif.status.code(), Some(1));
    let log = json(&sarif);
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(
        run["tool"]["driver"]["rules"].as_array().unwrap().len(),
        isptab::compiler::rules::Code::ALL.len()
    );
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    for result in results {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(
            run["tool"]["driver"]["rules"][index]["id"],
            result["ruleId"]
        );
    }
    let duplicate = results
        .iter()
        .find(|r| r["ruleId"] == "duplicate-domain")
        .unwrap();
    assert_eq!(duplicate["level"], "error");
    // File names are relative to %SRCROOT%, the working directory.
    let at = &duplicate["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(at["uri"], "isptab.kdl");
    assert_eq!(at["uriBaseId"], "%SRCROOT%");
    let srcroot = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap();
    let real = dir.path().canonicalize().unwrap();
    assert!(
        srcroot.starts_with("file:///") && srcroot.ends_with('/'),
        "{srcroot}"
    );
    assert!(
        srcroot
            .trim_end_matches('/')
            .ends_with(&*real.file_name().unwrap().to_string_lossy()),
        "{srcroot} is not {}",
        real.display()
    );
    let included = results
        .iter()
        .find(|r| r["ruleId"] == "redundant-domain")
        .unwrap();
    assert_eq!(
        included["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "regional.kdl"
    );
    // The defaults are the artifact isptab:defaults, described in run.artifacts,
    // and their line comes along.
    let defaults = &duplicate["relatedLocations"][0]["physicalLocation"];
    assert_eq!(defaults["artifactLocation"]["uri"], "isptab:defaults");
    assert_eq!(defaults["artifactLocation"]["index"], 0);
    assert!(defaults["artifactLocation"].get("uriBaseId").is_none());
    assert!(
        defaults["region"]["snippet"]["text"]
            .as_str()
            .unwrap()
            .contains("\"gmail.com\""),
        "{defaults}"
    );
    assert_eq!(run["artifacts"][0]["location"]["uri"], "isptab:defaults");
    assert!(
        run["artifacts"][0]["description"]["text"]
            .as_str()
            .unwrap()
            .contains("isptab defaults")
    );
    // Each rule carries its whole explanation; no help URI unless asked for.
    let rule = &run["tool"]["driver"]["rules"][duplicate["ruleIndex"].as_u64().unwrap() as usize];
    assert_eq!(rule["id"], "duplicate-domain");
    assert_eq!(rule["name"], "DuplicateDomain");
    assert!(rule.get("helpUri").is_none(), "{rule}");
    assert!(run["tool"]["driver"].get("informationUri").is_none());
    let explanation = isptab::compiler::rules::Code::DuplicateDomain
        .rule()
        .explanation;
    assert_eq!(rule["help"]["markdown"], explanation);
    let text = rule["help"]["text"].as_str().unwrap();
    assert!(text.contains("How to fix\n") && !text.contains("## ") && !text.contains("```"));
    assert!(text.contains("    isp \"Google Workspace\" {"), "{text}");
    for rule in run["tool"]["driver"]["rules"].as_array().unwrap() {
        let code = isptab::compiler::rules::Code::from_name(rule["id"].as_str().unwrap()).unwrap();
        assert_eq!(rule["help"]["markdown"], code.rule().explanation);
    }
    // --help-uri-base: the base followed by the code, or {code} replaced.
    let with_base = |base: &str| {
        isptab(
            dir.path(),
            &["check", "--format", "sarif", "--help-uri-base", base],
        )
    };
    let uris = |out: &Output| -> Vec<String> {
        json(out)["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["helpUri"].as_str().unwrap().to_string())
            .collect()
    };
    let based = with_base("https://docs.example/isptab/rules/");
    assert_eq!(based.status.code(), Some(1));
    assert!(uris(&based).contains(&"https://docs.example/isptab/rules/duplicate-domain".into()));
    let templated = with_base("https://git.example/isptab/src/compiler/rules/explain/{code}.md");
    assert!(
        uris(&templated)
            .contains(&"https://git.example/isptab/src/compiler/rules/explain/empty-isp.md".into())
    );
    // Not a URI, or not SARIF: a usage error (SARIF still prints a failed run's log).
    let bad = with_base("docs.example/rules/");
    assert_eq!(bad.status.code(), Some(2));
    assert_eq!(
        json(&bad)["runs"][0]["invocations"][0]["executionSuccessful"],
        false
    );
    assert!(
        stderr(&bad).contains("not an absolute URI"),
        "{}",
        stderr(&bad)
    );
    let human = isptab(
        dir.path(),
        &["check", "--help-uri-base", "https://docs.example/"],
    );
    assert_eq!(human.status.code(), Some(2));
    assert!(
        stderr(&human).contains("--format sarif"),
        "{}",
        stderr(&human)
    );
    // An absolute FILE inside the working directory is relative to %SRCROOT%
    // too; one outside it is a file:// URI of its own.
    let absolute = dir.path().join("isptab.kdl");
    let absolute = isptab(
        dir.path(),
        &["check", "--format", "sarif", &absolute.to_string_lossy()],
    );
    let log = json(&absolute);
    for result in log["runs"][0]["results"].as_array().unwrap() {
        let at = &result["locations"][0]["physicalLocation"]["artifactLocation"];
        assert_eq!(at["uriBaseId"], "%SRCROOT%", "{at}");
        assert!(!at["uri"].as_str().unwrap().starts_with('/'), "{at}");
    }
    let elsewhere = tempfile::tempdir().unwrap();
    let outside = isptab(
        elsewhere.path(),
        &[
            "check",
            "--format",
            "sarif",
            &dir.path().join("isptab.kdl").to_string_lossy(),
        ],
    );
    let log = json(&outside);
    let at = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert!(at["uri"].as_str().unwrap().starts_with("file:///"), "{at}");
    assert!(at.get("uriBaseId").is_none(), "{at}");
}

#[test]
fn terminal_manners() {
    let dir = project(&[
        ("isptab.kdl", b"isp \"A\" { domains \"gmail.com\" }\n"),
        ("ok.kdl", b"isp \"A\" { domains \"a.example\" }\n"),
    ]);
    let plain = isptab(dir.path(), &["check"]);
    assert!(
        !stderr(&plain).contains('\u{1b}'),
        "colour without a terminal"
    );
    let forced = Command::new(env!("CARGO_BIN_EXE_isptab"))
        .args(["check", "--color", "always"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        stderr(&forced).contains('\u{1b}'),
        "--color always gave no colour"
    );
    let never = Command::new(env!("CARGO_BIN_EXE_isptab"))
        .args(["check", "--color", "never"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(!stderr(&never).contains('\u{1b}'));
    assert!(stderr(&plain).contains("1 error and 0 warnings found"));
    let quiet = isptab(dir.path(), &["check", "--quiet"]);
    assert!(!stderr(&quiet).contains("found"), "{}", stderr(&quiet));
    assert!(stderr(&quiet).contains("duplicate-domain"));
    assert_eq!(isptab(dir.path(), &["-q", "check", "ok.kdl"]).stderr, b"");
    let built = isptab(dir.path(), &["build", "ok.kdl", "-o", "t.isptab"]);
    let summary = stderr(&built);
    assert!(
        summary.contains(" B in ") || summary.contains(" KiB in "),
        "{summary}"
    );
    assert!(
        !summary.contains('\u{1b}') && !summary.contains('\r'),
        "a progress bar without a terminal"
    );
}

#[test]
fn completions_and_man_page() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = isptab(dir.path(), &["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let script = stdout(&out);
        assert!(
            script.contains("isptab")
                && script.contains("lookup")
                && script.contains("--no-defaults"),
            "{shell}"
        );
    }
    let man = isptab(dir.path(), &["man"]);
    assert_eq!(man.status.code(), Some(0));
    let page = stdout(&man);
    assert!(
        page.starts_with(".ie") || page.contains(".TH isptab"),
        "{}",
        &page[..200.min(page.len())]
    );
    assert!(page.contains("explain"));
}

/// The subcommands `isptab --help` lists (but `help`).
fn subcommands(dir: &Path) -> Vec<String> {
    let help = stdout(&isptab(dir, &["--help"]));
    help.split("Commands:\n")
        .nth(1)
        .expect("a command list")
        .lines()
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_string)
        .collect()
}

/// The long options a `--help` lists.
fn long_options(help: &str) -> Vec<String> {
    help.lines()
        .map(str::trim_start)
        .filter(|l| l.starts_with('-'))
        .filter_map(|l| {
            l.split([',', ' '])
                .map(|w| w.trim())
                .find(|w| w.starts_with("--"))
                .map(|w| w.split('=').next().unwrap_or(w).to_string())
        })
        .collect()
}

/// Every man page a page refers to, `isptab-check(1)` or `.BR isptab\-check (1)`,
/// as file names (`isptab-check.1`).
fn references(page: &str) -> Vec<String> {
    let text = page
        .replace("\\-", "-")
        .replace("\\fB", "")
        .replace("\\fR", "");
    let mut out = Vec::new();
    let mut rest = text.as_str();
    while let Some(at) = rest.find("isptab") {
        let after = &rest[at..];
        let name_len = after
            .find(|c: char| !(c.is_ascii_lowercase() || c == '-'))
            .unwrap_or(after.len());
        let name = &after[..name_len];
        let tail = after[name_len..].trim_start_matches(' ');
        let section = tail
            .strip_prefix('(')
            .and_then(|t| t.split_once(')'))
            .map(|(s, _)| s)
            .filter(|s| s.len() == 1 && s.chars().all(|c| c.is_ascii_digit()));
        if let Some(section) = section {
            out.push(format!("{name}.{section}"));
        }
        rest = &after[name_len..];
    }
    out
}

/// `isptab man`: a page per subcommand with every option it takes, the
/// configuration language's page with every node and property, SEE ALSO and
/// SUBCOMMANDS naming only pages that exist; `--dir` writes them all.
#[test]
fn man_pages() {
    let dir = project(&[]);
    let written = isptab(dir.path(), &["man", "--dir", "man"]);
    assert_eq!(written.status.code(), Some(0), "{}", stderr(&written));
    let mut files: Vec<String> = std::fs::read_dir(dir.path().join("man"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let subcommands = subcommands(dir.path());
    assert!(subcommands.len() >= 11, "{subcommands:?}");
    let mut expected: Vec<String> = subcommands
        .iter()
        .map(|s| format!("isptab-{s}.1"))
        .chain(["isptab.1".to_string(), "isptab-config.5".to_string()])
        .collect();
    expected.sort();
    assert_eq!(files, expected);
    let read = |name: &str| std::fs::read_to_string(dir.path().join("man").join(name)).unwrap();
    // Each page is what `isptab man PAGE` prints.
    assert_eq!(read("isptab.1"), stdout(&isptab(dir.path(), &["man"])));
    assert_eq!(
        read("isptab-config.5"),
        stdout(&isptab(dir.path(), &["man", "config"]))
    );
    for sub in &subcommands {
        let name = format!("isptab-{sub}.1");
        let page = read(&name);
        assert_eq!(page, stdout(&isptab(dir.path(), &["man", sub])), "{name}");
        assert!(
            page.contains(&format!(
                "\n.TH isptab-{sub} 1  \"isptab {}\"",
                env!("CARGO_PKG_VERSION")
            )),
            "{name}: {}",
            &page[..120]
        );
        // Every option of the subcommand, globals included.
        let shown = page.replace("\\-", "-");
        let options = long_options(&stdout(&isptab(dir.path(), &[sub, "--help"])));
        assert!(
            options.contains(&"--help".to_string()),
            "{sub}: {options:?}"
        );
        for option in options {
            assert!(shown.contains(&option), "{name} lacks {option}");
        }
    }
    // The configuration language: every node and every property.
    let config = read("isptab-config.5").replace("\\-", "-");
    assert!(
        config.starts_with(".TH \"isptab-config\" 5 "),
        "{}",
        &config[..80]
    );
    for node in isptab::compiler::language::NODES {
        assert!(
            config.contains(&format!("\\fB{} ", node.name)),
            "isptab-config(5) does not describe `{}`",
            node.name
        );
        for property in node.properties {
            assert!(
                config.contains(&format!("{property}=")),
                "isptab-config(5) lacks `{property}=` of `{}`",
                node.name
            );
        }
    }
    // SEE ALSO (and SUBCOMMANDS) name only pages that are generated, and every
    // page has one.
    for file in &files {
        let page = read(file);
        assert!(page.contains(".SH \"SEE ALSO\"\n"), "{file}");
        let refs = references(&page);
        let see_also = references(page.split(".SH \"SEE ALSO\"").nth(1).unwrap());
        assert!(!see_also.is_empty(), "{file}");
        for r in refs {
            assert!(
                files.contains(&r),
                "{file} refers to {r}, which is not generated"
            );
        }
    }
    // The main page's SEE ALSO names every other page.
    let main = references(read("isptab.1").split(".SH \"SEE ALSO\"").nth(1).unwrap());
    for file in files.iter().filter(|f| *f != "isptab.1") {
        assert!(main.contains(file), "isptab(1) does not name {file}");
    }
    // groff reads every page without a warning, where groff is installed.
    for file in &files {
        let Ok(out) = Command::new("groff")
            .args(["-man", "-Tutf8", "-ww", "-z"])
            .arg(dir.path().join("man").join(file))
            .output()
        else {
            break;
        };
        assert_eq!(stderr(&out), "", "groff on {file}");
    }
    // An unknown page is a usage error; completions offer the pages.
    let unknown = isptab(dir.path(), &["man", "nope"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("config"), "{}", stderr(&unknown));
    let bash = stdout(&isptab(dir.path(), &["completions", "bash"]));
    let man_case = bash
        .split("isptab__subcmd__man)\n")
        .nth(1)
        .and_then(|rest| rest.lines().next())
        .unwrap();
    assert!(
        man_case.contains(" check ") && man_case.contains(" config"),
        "{man_case}"
    );
}

/// `man --dir`: pages replaced atomically in DIR (created if missing), never
/// through a symbolic link: a page that is one is refused and nothing is written.
#[test]
fn man_dir_refuses_links() {
    let dir = project(&[("secret", b"keep me\n")]);
    let pages = dir.path().join("pages");
    std::fs::create_dir(&pages).unwrap();
    std::fs::write(pages.join("isptab.1"), "old\n").unwrap();
    std::os::unix::fs::symlink(dir.path().join("secret"), pages.join("isptab-fmt.1")).unwrap();
    let refused = isptab(dir.path(), &["man", "--dir", "pages"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("`isptab-fmt.1` there is a symbolic link; nothing was written"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("secret")).unwrap(),
        "keep me\n"
    );
    assert_eq!(
        std::fs::read_to_string(pages.join("isptab.1")).unwrap(),
        "old\n"
    );
    assert!(!pages.join("isptab-check.1").exists());
    // A directory where a page goes is refused too.
    std::fs::remove_file(pages.join("isptab-fmt.1")).unwrap();
    std::fs::create_dir(pages.join("isptab-fmt.1")).unwrap();
    assert_eq!(
        isptab(dir.path(), &["man", "--dir", "pages"]).status.code(),
        Some(2)
    );
    std::fs::remove_dir(pages.join("isptab-fmt.1")).unwrap();
    // Otherwise every page is replaced, and no temporary file is left.
    let done = isptab(dir.path(), &["man", "--dir", "pages"]);
    assert_eq!(done.status.code(), Some(0), "{}", stderr(&done));
    assert!(
        std::fs::read_to_string(pages.join("isptab.1"))
            .unwrap()
            .contains(".TH isptab 1")
    );
    let names: Vec<String> = std::fs::read_dir(&pages)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 14, "{names:?}");
    assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");
    // A missing DIR is created (its parent must exist).
    assert_eq!(
        isptab(dir.path(), &["man", "--dir", "new"]).status.code(),
        Some(0)
    );
    assert!(dir.path().join("new/isptab-config.5").is_file());
    assert_eq!(
        isptab(dir.path(), &["man", "--dir", "a/b"]).status.code(),
        Some(2)
    );
    // PAGE and --dir do not go together.
    assert_eq!(
        isptab(dir.path(), &["man", "check", "--dir", "new"])
            .status
            .code(),
        Some(2)
    );
}

/// Shell completions offer the diagnostic codes after `--allow`, `--warn` and
/// `--deny` (the warning codes and `warnings`) and for `explain CODE` (every
/// code); bash's script is run to see what it offers.
#[test]
fn completions_offer_the_codes() {
    use isptab::compiler::codes::{Code, Severity};
    let dir = tempfile::tempdir().unwrap();
    let script = stdout(&isptab(dir.path(), &["completions", "bash"]));
    // The script's case for the level flags lists the warning codes, not errors.
    for flag in ["--allow", "--warn", "--deny"] {
        let case = script
            .split(&format!("                {flag})\n"))
            .nth(1)
            .and_then(|rest| rest.split(";;").next())
            .unwrap_or_else(|| panic!("no {flag} case"));
        for code in Code::ALL {
            let listed = case.contains(&format!(" {} ", code.name()))
                || case.contains(&format!(" {}\"", code.name()));
            assert_eq!(
                listed,
                code.rule().severity == Severity::Warning,
                "{flag} {}: {case}",
                code.name()
            );
        }
        assert!(case.contains("\"warnings "), "{case}");
    }
    let explain = script
        .split("isptab__subcmd__explain)\n")
        .nth(1)
        .and_then(|rest| rest.lines().next())
        .expect("the explain case");
    for code in Code::ALL {
        assert!(explain.contains(code.name()), "explain: {}", code.name());
    }
    // What bash offers, when there is a bash to ask.
    let complete = |words: &str| -> Option<String> {
        let cword = words.split(' ').count() - 1;
        let out = Command::new("bash")
            .arg("-c")
            .arg(format!(
                "source /dev/stdin <<'EOF'\n{script}\nEOF\nCOMP_WORDS=({words}); COMP_CWORD={cword}; \
                 _isptab isptab \"${{COMP_WORDS[$COMP_CWORD]}}\" \"${{COMP_WORDS[$COMP_CWORD-1]}}\"; \
                 echo \"${{COMPREPLY[*]}}\""
            ))
            .output()
            .ok()?;
        Some(String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    if let Some(offered) = complete("isptab check --allow redundant") {
        assert_eq!(offered, "redundant-domain redundant-mx");
        assert_eq!(
            complete("isptab build --deny warn").as_deref(),
            Some("warnings")
        );
        assert_eq!(complete("isptab check --warn syn").as_deref(), Some(""));
        assert_eq!(
            complete("isptab explain duplicate-i").as_deref(),
            Some("duplicate-isp")
        );
    }
    // zsh and fish offer them too (clap_complete's powershell and elvish
    // scripts complete no values); the values are still checked as before.
    for shell in ["zsh", "fish"] {
        let script = stdout(&isptab(dir.path(), &["completions", shell]));
        assert!(script.contains("duplicate-header-rule"), "{shell}");
    }
    let unknown = isptab(dir.path(), &["check", "--allow", "nope"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("`nope` is not a diagnostic code"));
    let misspelt = isptab(dir.path(), &["explain", "dupliate-domain"]);
    assert_eq!(misspelt.status.code(), Some(2));
    assert!(stderr(&misspelt).contains("did you mean `duplicate-domain`?"));
    // --help does not list 38 codes.
    let help = stdout(&isptab(dir.path(), &["check", "--help"]));
    assert!(!help.contains("possible values: warnings"), "{help}");
}

#[test]
fn paths_stay_inside_the_project_root() {
    let outer = tempfile::tempdir().unwrap();
    let secret = "hunter2-top-secret";
    std::fs::write(
        outer.path().join("secret.kdl"),
        format!("isp \"{secret}\" {{ domains \"{secret}\" }}\n"),
    )
    .unwrap();
    std::fs::write(outer.path().join("secret.txt"), format!("{secret}\n")).unwrap();
    let project = outer.path().join("project");
    std::fs::create_dir_all(project.join("lists")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        outer.path().join("secret.txt"),
        project.join("lists/link.txt"),
    )
    .unwrap();
    let cases: &[(&str, &str)] = &[
        ("up.kdl", "include \"../secret.kdl\"\n"),
        (
            "absolute.kdl",
            &format!(
                "include \"{}\"\n",
                outer.path().join("secret.kdl").display()
            ),
        ),
        ("list.kdl", "isp \"A\" { domains-file \"../secret.txt\" }\n"),
        (
            "symlink.kdl",
            "isp \"A\" { domains-file \"lists/link.txt\" }\n",
        ),
    ];
    for (name, text) in cases {
        std::fs::write(project.join(name), text).unwrap();
        for format in ["human", "json", "sarif", "github", "short"] {
            let out = isptab(&project, &["check", name, "--format", format]);
            assert_eq!(out.status.code(), Some(1), "{name}");
            let all = format!("{}{}", stdout(&out), stderr(&out));
            assert!(all.contains("outside-root"), "{name} {format}: {all}");
            assert!(
                !all.contains(secret),
                "{name} {format} printed the file: {all}"
            );
        }
    }
    // `--root` can widen the root to a directory that holds both.
    let widened = isptab(
        &project,
        &["check", "list.kdl", "--root", "..", "--format", "short"],
    );
    // The file is read now: its line is not a domain.
    assert_eq!(widened.status.code(), Some(1), "{}", stderr(&widened));
    assert!(
        !stdout(&widened).contains("outside-root")
            && stdout(&widened).contains("secret.txt:1:1: error[invalid-domain]"),
        "{}",
        stdout(&widened)
    );
    // Inside the root, a symlink to a file inside the root is fine.
    std::fs::write(project.join("lists/real.txt"), "inside.example\n").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        project.join("lists/real.txt"),
        project.join("lists/inner-link.txt"),
    )
    .unwrap();
    std::fs::write(
        project.join("inner.kdl"),
        "isp \"A\" { domains-file \"lists/inner-link.txt\" }\n",
    )
    .unwrap();
    assert_eq!(
        isptab(&project, &["check", "inner.kdl"]).status.code(),
        Some(0)
    );
}

/// Step 4 through the command line, without DNS: the MX hosts of every query from
/// `--mx`, or of each stdin line from `--mx-in-input`; every kind of answer, in
/// both formats, against a compiled table and against sources.
#[test]
fn lookup_with_mx_hosts() {
    const MX: &str = r#"
isp "Acme Mail" {
    domains "acme-mail.example"
    mx "*.mx.acme-mail.example" "relay?.acme-mail.example"
}
isp "Self Hosted" {
    mx "self-hosted.example"
}
"#;
    let dir = project(&[("isptab.kdl", MX.as_bytes())]);
    let out = isptab(dir.path(), &["build", "-o", "t.isptab"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // `--mx` gives the same hosts to every query; a domain pattern still wins.
    let given = isptab(
        dir.path(),
        &[
            "lookup",
            "--table",
            "t.isptab",
            "--mx",
            "in1.MX.acme-mail.example.",
            "--mx",
            "relay2.acme-mail.example",
            "hosted.example",
            "gmail.com",
        ],
    );
    assert_eq!(given.status.code(), Some(0), "{}", stderr(&given));
    assert_eq!(
        stdout(&given),
        "hosted.example\tAcme Mail\tmx\t*.mx.acme-mail.example\n\
         gmail.com\tGmail\texact\tgmail.com\n"
    );
    let lines = "\
both-hosts.example in1.mx.acme-mail.example relay1.acme-mail.example
mixed.example in1.mx.acme-mail.example aspmx.l.google.com
workspace.example aspmx.l.google.com alt1.aspmx.l.google.com
no-mail.example .
self-hosted.example
bad-host.example not_a_host..example
user@gmail.com aspmx.l.google.com

";
    for (format, name) in [
        ("text", "cli__lookup_mx_in_input_text"),
        ("json", "cli__lookup_mx_in_input_json"),
    ] {
        for source in [
            &["--table", "t.isptab"][..],
            &["--config", "isptab.kdl"][..],
        ] {
            let mut args = vec!["lookup", "--mx-in-input", "--format", format];
            args.extend_from_slice(source);
            args.push("-");
            let out = isptab_stdin(dir.path(), &args, lines);
            assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
            insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
                insta::assert_snapshot!(name, stdout(&out));
            });
        }
    }
    // `--mx-in-input` reads stdin: a query on the command line is a usage error.
    let no_stdin = isptab(dir.path(), &["lookup", "--mx-in-input", "a.example"]);
    assert_eq!(no_stdin.status.code(), Some(2));
    assert!(
        stderr(&no_stdin).contains("--mx-in-input"),
        "{}",
        stderr(&no_stdin)
    );
    // And it does not mix with `--mx` or `--resolve`.
    let both = isptab(
        dir.path(),
        &["lookup", "--mx-in-input", "--mx", "h.example", "-"],
    );
    assert_eq!(both.status.code(), Some(2));
    let bad_dns = isptab(
        dir.path(),
        &["lookup", "--resolve", "--dns", "nowhere", "a.example"],
    );
    assert_eq!(bad_dns.status.code(), Some(2));
    assert!(stderr(&bad_dns).contains("IP:PORT"), "{}", stderr(&bad_dns));
}

/// `lookup` exits 0 whatever the answers; with `--fail-on-miss`, 1 when any query
/// got no record (a miss, an invalid query, a null MX), every query still
/// answered; from arguments, stdin and `--mx` alike.
#[test]
fn lookup_fail_on_miss() {
    let dir = project(&[("isptab.kdl", SPLIT)]);
    let run = |args: &[&str], stdin: &str| {
        let mut all = vec!["lookup", "--config", "isptab.kdl"];
        all.extend_from_slice(args);
        isptab_stdin(dir.path(), &all, stdin)
    };
    let hits = ["yahoo.fr", "user@mail.yahoo.fr"];
    for fail in [false, true] {
        let flag: &[&str] = if fail { &["--fail-on-miss"] } else { &[] };
        let all_hit = run(&[flag, &hits].concat(), "");
        assert_eq!(all_hit.status.code(), Some(0), "{}", stderr(&all_hit));
        for (args, stdin) in [
            (&["yahoo.fr", "nobody.example"][..], ""),
            (&["-"], "yahoo.fr\nnot a domain\n"),
            (&["--mx", ".", "nobody.example"], ""),
            (&["--format", "json", "-"], "yahoo.fr\n\nyahoo.de\n"),
        ] {
            let out = run(&[flag, args].concat(), stdin);
            let expected = if fail { 1 } else { 0 };
            assert_eq!(
                out.status.code(),
                Some(expected),
                "{args:?}: {}",
                stderr(&out)
            );
            let lines = stdout(&out).lines().count();
            let queries = args
                .iter()
                .filter(|a| a.contains('.') && **a != ".")
                .count()
                + stdin.lines().count();
            assert_eq!(lines, queries, "{args:?}: every query answered");
        }
    }
}

/// A third-party list that overlaps the defaults: the lines one other record
/// owns are one diagnostic with a count once there are more than three of
/// them (fewer are one each), every help points at `skip-owned=#true`, and with
/// it the file takes only what nobody owns, summed up in one note.
#[test]
fn domains_file_lines_other_records_own() {
    let list = b"gmail.com\ngooglemail.com\nhotmail.com\nlive.com\nmsn.com\noutlook.com\nwindowslive.com\nnew-free.example\nother-free.example\n";
    let config =
        |extra: &str| format!("isp \"Freemail\" {{\n    domains-file \"free.txt\"{extra}\n}}\n");
    let dir = project(&[("isptab.kdl", config("").as_bytes()), ("free.txt", list)]);
    let out = isptab(dir.path(), &["check", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let report = json(&out);
    let messages: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        [
            "`gmail.com` is claimed by both `Freemail` and `Gmail`",
            "`googlemail.com` is claimed by both `Freemail` and `Gmail`",
            "5 domains of `free.txt` are already claimed by `Outlook.com`",
        ]
    );
    for d in report["diagnostics"].as_array().unwrap() {
        assert!(
            d["help"].as_str().unwrap().contains("skip-owned=#true"),
            "{d}"
        );
    }
    let human = isptab(dir.path(), &["check"]);
    insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("cli__domains_file_lines_other_records_own", stderr(&human));
    });

    std::fs::write(dir.path().join("isptab.kdl"), config(" skip-owned=#true")).unwrap();
    let out = isptab(dir.path(), &["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains(
        "note: `free.txt`: 7 lines left out of `Freemail` (skip-owned=#true), owned by other records: gmail.com (Gmail), googlemail.com (Gmail), hotmail.com (Outlook.com), ...\n"
    ), "{}", stderr(&out));
    let answers = stdout(&isptab(
        dir.path(),
        &["lookup", "new-free.example", "gmail.com"],
    ));
    assert_eq!(
        answers,
        "new-free.example\tFreemail\texact\tnew-free.example\ngmail.com\tGmail\texact\tgmail.com\n"
    );
    let quiet = isptab(dir.path(), &["--quiet", "check"]);
    assert!(!stderr(&quiet).contains("note:"), "{}", stderr(&quiet));

    std::fs::write(
        dir.path().join("isptab.kdl"),
        config(" skip-owned=#true from=\"Gmail\""),
    )
    .unwrap();
    let out = isptab(dir.path(), &["check", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json(&out)["diagnostics"][0]["code"], "invalid-value");

    // A line left out is freed later (its owner gives it up): it matches
    // nothing, so the merge says so when it ends.
    let freed = format!(
        "{}override \"Gmail\" {{\n    remove-domains \"googlemail.com\"\n}}\n",
        config(" skip-owned=#true")
    );
    std::fs::write(dir.path().join("isptab.kdl"), freed).unwrap();
    let out = isptab(dir.path(), &["check", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json(&out);
    let d = &report["diagnostics"][0];
    assert_eq!(d["code"], "orphaned-pattern", "{report}");
    assert_eq!(
        d["message"],
        "1 line of `free.txt` that skip-owned=#true left to other records no longer has one"
    );
    assert_eq!(report["diagnostics"].as_array().unwrap().len(), 1);
    // Taken back by a record afterwards: nothing to say.
    let taken = format!(
        "{}override \"Gmail\" {{\n    remove-domains \"googlemail.com\"\n}}\nisp \"G2\" {{\n    domains \"googlemail.com\"\n}}\n",
        config(" skip-owned=#true")
    );
    std::fs::write(dir.path().join("isptab.kdl"), taken).unwrap();
    let out = isptab(dir.path(), &["check", "--format", "json"]);
    assert_eq!(
        json(&out)["diagnostics"],
        serde_json::json!([]),
        "{}",
        stdout(&out)
    );
}

/// `remove-domains` takes a pattern out of its record: it then matches no
/// record, until a later `domains` claims it.
#[test]
fn remove_domains_takes_a_pattern_out() {
    let removed = b"override \"Gmail\" {\n    remove-domains \"googlemail.com\"\n}\n";
    let dir = project(&[("isptab.kdl", removed)]);
    let answers = stdout(&isptab(
        dir.path(),
        &["lookup", "googlemail.com", "gmail.com"],
    ));
    assert_eq!(
        answers,
        "googlemail.com\t-\tnone\t-\ngmail.com\tGmail\texact\tgmail.com\n"
    );
    let claimed = [
        &removed[..],
        b"isp \"Googlemail\" {\n    domains \"googlemail.com\"\n}\n",
    ]
    .concat();
    let dir = project(&[("isptab.kdl", &claimed)]);
    let answers = stdout(&isptab(dir.path(), &["lookup", "googlemail.com"]));
    assert_eq!(
        answers,
        "googlemail.com\tGooglemail\texact\tgooglemail.com\n"
    );
}

/// A `lints` block sets levels for every run of the configuration (in any file,
/// included ones too); a flag naming the code wins over it, and a flag naming
/// `warnings` wins over everything the block says. A bad block is reported,
/// every entry on its own.
#[test]
fn lints_block_sets_levels_and_flags_override() {
    let wide = b"include \"levels.kdl\"\nisp \"Wide\" {\n    domains \"*.com\"\n}\n";
    let run = |levels: &str, flags: &[&str]| {
        let dir = project(&[("isptab.kdl", wide), ("levels.kdl", levels.as_bytes())]);
        isptab(dir.path(), &[&["check"][..], flags].concat())
    };
    let shown = |out: &Output| stderr(out).contains("broad-pattern");
    let allow = "lints {\n    allow \"broad-pattern\"\n}\n";
    let deny = "lints {\n    deny \"broad-pattern\"\n}\n";
    let out = run("// no levels\n", &[]);
    assert!(out.status.success() && shown(&out), "{}", stderr(&out));
    let out = run(allow, &[]);
    assert!(out.status.success() && !shown(&out), "{}", stderr(&out));
    assert!(stderr(&out).contains("1 warning allowed (--allow or a `lints` block) not shown"));
    let out = run(allow, &["--warn", "broad-pattern"]);
    assert!(
        out.status.success() && shown(&out),
        "a flag wins: {}",
        stderr(&out)
    );
    let out = run(deny, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let out = run(deny, &["--allow", "broad-pattern"]);
    assert!(out.status.success() && !shown(&out), "{}", stderr(&out));
    let out = run(deny, &["--warn", "warnings"]);
    assert!(
        out.status.success() && shown(&out),
        "`warnings` wins: {}",
        stderr(&out)
    );

    let bad = "lints {\n    allow \"broad-pattern\" \"brod-pattern\"\n    warn \"duplicate-domain\"\n    deny \"broad-pattern\"\n    ignore \"x\"\n}\nlints\nlints {\n    allow \"undeliverable-domain \"\n}\n";
    let out = run(bad, &[]);
    assert_eq!(out.status.code(), Some(1));
    insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("cli__lints_block_errors", stderr(&out));
    });
}

/// `lookup --explain` shows what the answering record does to a message: from
/// sources, with the `FILE:LINE` of each setting (the defaults' own lines
/// included); from a table, the values it holds and no origins. A miss gets no
/// explanation, and the answer's line stays what it is without the flag.
#[test]
fn lookup_explain() {
    let config = br#"override "Outlook.com" {
    encoding html="base64"
    headers {
        add "X-Campaign" "spring"
        remove "X-Priority"
    }
}
isp "Mine" {
    domains "*.mine.example"
}
"#;
    let dir = project(&[("isptab.kdl", config)]);
    let queries = ["hotmail.de", "a.mine.example", "nobody.example"];
    let explained = isptab(
        dir.path(),
        &[&["lookup", "--explain"][..], &queries].concat(),
    );
    assert_eq!(explained.status.code(), Some(0), "{}", stderr(&explained));
    let text = stdout(&explained);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "hotmail.de\tOutlook.com\texact\thotmail.de");
    let row = |word: &str, value: &str| {
        lines
            .iter()
            .find(|l| l.starts_with(&format!("  {word:<8} {value} ")))
            .unwrap_or_else(|| panic!("no `{word} {value}` row in\n{text}"))
            .split_whitespace()
            .last()
            .unwrap()
            .to_string()
    };
    assert!(
        row("record", "Outlook.com").starts_with("<defaults>:"),
        "{text}"
    );
    assert!(
        row("pattern", "hotmail.de").starts_with("<defaults>:"),
        "{text}"
    );
    assert_eq!(row("html", "base64"), "isptab.kdl:2");
    assert_eq!(row("global", "quoted-printable"), "default");
    assert_eq!(row("add", "X-Campaign: spring"), "isptab.kdl:4");
    assert_eq!(row("remove", "X-Priority"), "isptab.kdl:5");
    assert!(text.contains("a.mine.example\tMine\tsuffix\t*.mine.example\n  record   Mine"));
    assert!(text.contains("  pattern  *.mine.example"), "{text}");
    assert!(text.contains("  headers  none"), "{text}");
    assert!(text.ends_with("nobody.example\t-\tnone\t-\n"), "{text}");

    let plain = stdout(&isptab(dir.path(), &[&["lookup"][..], &queries].concat()));
    let first_lines: Vec<&str> = lines
        .iter()
        .filter(|l| !l.starts_with("  "))
        .copied()
        .collect();
    assert_eq!(first_lines, plain.lines().collect::<Vec<_>>());

    let built = isptab(dir.path(), &["build", "-o", "t.isptab"]);
    assert!(built.status.success(), "{}", stderr(&built));
    let from_table = stdout(&isptab(
        dir.path(),
        &["lookup", "--table", "t.isptab", "--explain", "hotmail.de"],
    ));
    assert!(from_table.contains("  html     base64\n"), "{from_table}");
    assert!(
        from_table.contains("  add      X-Campaign: spring\n"),
        "{from_table}"
    );
    assert!(
        !from_table.contains(".kdl:"),
        "a table holds no origins: {from_table}"
    );
}

/// The README's pre-commit snippet names the release it documents (the crate's
/// version, tagged in the repository), and its opening example writes its
/// table where `.gitignore` keeps it out of commits.
#[test]
fn readme_release_tag_and_ignored_example_output() {
    let readme = std::fs::read_to_string("README.md").expect("README.md");
    let rev = readme
        .lines()
        .find_map(|l| l.trim().strip_prefix("rev: "))
        .and_then(|r| r.split_whitespace().next())
        .expect("a `rev:` in the pre-commit snippet");
    assert_eq!(rev, format!("v{}", env!("CARGO_PKG_VERSION")));
    let first_example = readme.split("```console").nth(1).expect("an example");
    let first_example = first_example.split("```").next().unwrap();
    let outputs: Vec<&str> = first_example
        .split_whitespace()
        .skip_while(|w| *w != "-o")
        .skip(1)
        .take(1)
        .collect();
    assert_eq!(outputs.len(), 1, "{first_example}");
    let in_git = Command::new("git")
        .args(["rev-parse", "--git-dir"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !in_git {
        return; // a source tarball: nothing to ask git
    }
    let ignored = Command::new("git")
        .args(["check-ignore", "-q", "--no-index", outputs[0]])
        .status()
        .unwrap();
    assert!(
        ignored.success(),
        "`{}` is not ignored by .gitignore",
        outputs[0]
    );
    let any_tag = Command::new("git").args(["tag", "-l"]).output().unwrap();
    if any_tag.stdout.is_empty() {
        return; // a clone made without tags (shallow, single-branch): nothing to check
    }
    let tags = Command::new("git")
        .args(["tag", "-l", rev])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&tags.stdout).trim(),
        rev,
        "the README documents {rev}: tag it (`git tag {rev}`)"
    );
}

/// The README's Diagnostics section names every warning code (the ones an
/// operator can allow or deny).
#[test]
fn readme_lists_every_warning_code() {
    let readme = std::fs::read_to_string("README.md").expect("README.md");
    let section = readme
        .split("## Diagnostics")
        .nth(1)
        .expect("a Diagnostics section");
    let missing: Vec<&str> = isptab::compiler::codes::Code::ALL
        .iter()
        .filter(|c| c.rule().severity == isptab::compiler::diagnostics::Severity::Warning)
        .map(|c| c.name())
        .filter(|name| !section.contains(&format!("`{name}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "warnings missing from the README: {missing:?}"
    );
}

/// The README's command synopsis names every subcommand and every value of each
/// subcommand's `--format` (what `--help` lists).
#[test]
fn readme_synopsis_lists_every_command_and_format() {
    let readme = std::fs::read_to_string("README.md").expect("README.md");
    let synopsis = readme
        .split("## Commands\n\n```\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a synopsis block under ## Commands");
    let dir = project(&[]);
    let help = stdout(&isptab(dir.path(), &["--help"]));
    let commands: Vec<&str> = help
        .split("Commands:\n")
        .nth(1)
        .expect("a command list")
        .lines()
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .collect();
    assert!(commands.len() >= 11, "{commands:?}");
    for command in commands {
        let lines: Vec<&str> = synopsis
            .lines()
            .skip_while(|l| {
                !l.starts_with(&format!("isptab {command} ")) && *l != format!("isptab {command}")
            })
            .collect();
        assert!(
            !lines.is_empty(),
            "`isptab {command}` is not in the synopsis"
        );
        let help = stdout(&isptab(dir.path(), &[command, "--help"]));
        let Some(format) = help.split("--format <FORMAT>").nth(1) else {
            continue;
        };
        let values: Vec<&str> = format
            .split("[default")
            .next()
            .unwrap_or("")
            .lines()
            .filter_map(|l| l.trim().strip_prefix("- "))
            .filter_map(|l| l.split(':').next())
            .collect();
        // The command's own lines: its first, and those indented under it.
        let own: String = std::iter::once(lines[0])
            .chain(
                lines[1..]
                    .iter()
                    .copied()
                    .take_while(|l| l.starts_with(' ')),
            )
            .collect::<Vec<_>>()
            .join("\n");
        let listed = values.join("|");
        assert!(
            own.contains(&format!("--format {listed}")) || own.contains("--format ..."),
            "`isptab {command}`: the synopsis should say --format {listed}:\n{own}"
        );
    }
}

/// On a usage error, the GitHub and SARIF formats still print their kind of
/// output (an `::error` annotation, a SARIF log of a failed run); the human and
/// short formats print nothing on stdout. The message is on stderr in every case.
#[test]
fn usage_errors_in_machine_formats() {
    let dir = project(&[]);
    let run = |format: &str| {
        isptab(
            dir.path(),
            &["check", "missing\u{1b}[31m.kdl", "--format", format],
        )
    };
    let github = run("github");
    assert_eq!(github.status.code(), Some(2));
    let text = stdout(&github);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(
        text.starts_with("::error title=isptab::cannot read"),
        "{text}"
    );
    assert!(!text.contains('\u{1b}'), "{text}");
    let sarif = run("sarif");
    assert_eq!(sarif.status.code(), Some(2));
    let log = json(&sarif);
    assert_eq!(log["version"], "2.1.0");
    let invocation = &log["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    assert_eq!(
        invocation["toolExecutionNotifications"][0]["level"],
        "error"
    );
    for format in ["human", "short"] {
        let out = run(format);
        assert_eq!(out.status.code(), Some(2));
        assert!(stdout(&out).is_empty(), "{format}: {}", stdout(&out));
        assert!(
            stderr(&out).contains("cannot read"),
            "{format}: {}",
            stderr(&out)
        );
    }
}

/// A configuration file given as a table gets told about `--config`.
#[test]
fn a_configuration_given_as_a_table() {
    let dir = project(&[("isptab.kdl", SPLIT)]);
    let out = isptab(dir.path(), &["lookup", "--table", "isptab.kdl", "yahoo.fr"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("give it with --config"),
        "{}",
        stderr(&out)
    );
    // A damaged table is not called a configuration.
    std::fs::write(
        dir.path().join("x.isptab"),
        "not a table at all, but long enough to have a header of sixty-four bytes",
    )
    .unwrap();
    let out = isptab(dir.path(), &["lookup", "--table", "x.isptab", "yahoo.fr"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!stderr(&out).contains("--config"), "{}", stderr(&out));
}

/// A domains file that is not text is reported at the `domains-file` that
/// names it, and none of its bytes is printed.
#[test]
fn a_binary_domains_file_is_not_quoted() {
    let dir = project(&[
        (
            "isptab.kdl",
            b"isp \"Relay\" {\n    domains-file \"relay.bin\"\n}\n",
        ),
        (
            "relay.bin",
            b"relay.example\nPK\x03\x04\x00\x00SECRET-BYTES\xff\xfe\n",
        ),
        (
            "text.kdl",
            b"isp \"Relay\" {\n    domains-file \"relay.txt\"\n}\n",
        ),
        ("relay.txt", b"relay.example\n# a comment\tand a tab\n"),
    ]);
    let out = isptab(dir.path(), &["check", "--no-defaults", "isptab.kdl"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stderr(&out);
    assert!(
        text.contains("is not a text file (byte 0x03 at offset 16)"),
        "{text}"
    );
    assert!(text.contains("isptab.kdl:2:"), "{text}");
    assert!(
        !text.contains("SECRET") && !text.contains("relay.example"),
        "{text}"
    );
    let out = isptab(dir.path(), &["check", "--no-defaults", "text.kdl"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// A KDL file given as a domains file is refused unread, with the node to use.
#[test]
fn a_kdl_file_as_a_domains_file() {
    let dir = project(&[
        (
            "isptab.kdl",
            b"isp \"Relay\" {\n    domains-file \"relay.kdl\"\n}\n",
        ),
        (
            "relay.kdl",
            b"isp \"Other\" {\n    domains \"other.example\"\n}\n",
        ),
    ]);
    let out = isptab(dir.path(), &["check", "--no-defaults", "isptab.kdl"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stderr(&out);
    assert!(
        text.contains("it is a KDL file, not a list of domains"),
        "{text}"
    );
    assert!(text.contains("include \"relay.kdl\""), "{text}");
    // One diagnostic: its lines are not read as domains.
    assert!(text.contains("1 error"), "{text}");
}

/// Summary lines count the user's files (not `<defaults>`), help does not point
/// at default records that are not loaded, and one mistake is one diagnostic.
#[test]
fn summaries_and_help_say_what_is_there() {
    let dir = project(&[
        ("clean.kdl", b"isp \"A\" {\n    domains \"a.example\"\n}\n"),
        (
            "nope.kdl",
            b"override \"Nope\" {\n    encoding html=\"base64\"\n}\n",
        ),
        (
            "nel.kdl",
            "override \"Gmail\" {\n    headers {\n        add \"X-A\" \"a\\u{85}b\"\n    }\n}\n"
                .as_bytes(),
        ),
    ]);
    let clean = isptab(dir.path(), &["check", "clean.kdl"]);
    assert!(
        stderr(&clean).starts_with("no problems found in 1 file ("),
        "{}",
        stderr(&clean)
    );
    for (args, defaults) in [
        (&["check", "nope.kdl"][..], true),
        (&["check", "--no-defaults", "nope.kdl"], false),
    ] {
        let text = stderr(&isptab(dir.path(), args));
        assert!(text.contains("no record named `Nope`"), "{text}");
        assert_eq!(
            text.contains("isptab defaults"),
            defaults,
            "{args:?}: {text}"
        );
    }
    // What the levels hide is counted, so "no problems" is not taken at its word.
    std::fs::write(
        dir.path().join("broad.kdl"),
        "isp \"A\" {\n    domains \"a.example\" \"*.co.uk\"\n}\n",
    )
    .unwrap();
    let allowed = isptab(
        dir.path(),
        &["check", "--allow", "broad-pattern", "broad.kdl"],
    );
    assert_eq!(allowed.status.code(), Some(0));
    assert!(
        stderr(&allowed).contains("no problems found in 1 file")
            && stderr(&allowed)
                .contains("1 warning allowed (--allow or a `lints` block) not shown"),
        "{}",
        stderr(&allowed)
    );
    let nel = isptab(dir.path(), &["check", "--format", "short", "nel.kdl"]);
    let text = stdout(&nel);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.contains("error[header-injection]"), "{text}");
}

/// A label longer than a shown line (a 1,000-character header value) is clipped
/// like a long line is: no report line holds the whole value.
#[test]
fn long_values_are_clipped_in_reports() {
    let value = "v".repeat(1000);
    let text = format!(
        "override \"Gmail\" {{\n    headers {{\n        add \"X-A\" \"{value}\"\n    }}\n}}\n"
    );
    let dir = project(&[("long.kdl", text.as_bytes())]);
    let out = isptab(dir.path(), &["check", "long.kdl"]);
    assert_eq!(out.status.code(), Some(1));
    let report = stderr(&out);
    assert!(report.contains("long-header"), "{report}");
    let widest = report.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    assert!(widest <= 220, "a line of {widest} characters:\n{report}");
}

/// Helps write KDL that works as written: names are quoted as KDL strings, a
/// move is offered only when one record owns the lines, a source deleted too
/// is not offered back, and a second removal says it is one.
#[test]
fn helps_are_kdl_that_works() {
    let helps = |config: &str, list: &[u8]| -> Vec<(String, String, String)> {
        let dir = project(&[("isptab.kdl", config.as_bytes()), ("free.txt", list)]);
        let out = isptab(dir.path(), &["check", "--no-defaults", "--format", "json"]);
        json(&out)["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                let s = |k: &str| d[k].as_str().unwrap_or("").to_string();
                (s("code"), s("message"), s("help"))
            })
            .collect()
    };
    // A record name with a quote and a backslash is written as a KDL string.
    let quoted = helps(
        "isp \"Say \\\"hi\\\" \\\\o/\" {\n    domains \"a.example\"\n}\nisp \"B\" {\n    domains \"a.example\"\n}\n",
        b"x.example\n",
    );
    assert_eq!(quoted[0].0, "duplicate-domain", "{quoted:?}");
    assert!(
        quoted[0].2.contains(r#"from="Say \"hi\" \\o/""#),
        "{quoted:?}"
    );
    // Lines of two owners: `from=` would move only one owner's lines.
    let two_owners = helps(
        "isp \"A\" {\n    domains \"a1.example\" \"a2.example\" \"a3.example\" \"a4.example\"\n}\nisp \"B\" {\n    domains \"b1.example\"\n}\nisp \"F\" {\n    domains-file \"free.txt\"\n}\n",
        b"a1.example\na2.example\na3.example\na4.example\nb1.example\n",
    );
    let grouped = two_owners
        .iter()
        .find(|d| d.1.starts_with("4 domains"))
        .expect("grouped");
    assert!(!grouped.2.contains("from=\"A\""), "{grouped:?}");
    assert!(grouped.2.contains("2 records own lines"), "{grouped:?}");
    let one_owner = helps(
        "isp \"A\" {\n    domains \"a1.example\" \"a2.example\" \"a3.example\" \"a4.example\"\n}\nisp \"F\" {\n    domains-file \"free.txt\"\n}\n",
        b"a1.example\na2.example\na3.example\na4.example\n",
    );
    assert!(
        one_owner[0].2.contains("write `from=\"A\"`"),
        "{one_owner:?}"
    );
    // The record moved from is deleted too: no `override` of it.
    let both_deleted = helps(
        "isp \"A\" {\n    domains \"a.example\" \"keep.example\"\n}\nisp \"B\" {\n    domains \"a.example\" from=\"A\"\n}\ndelete \"B\"\ndelete \"A\"\n",
        b"x.example\n",
    );
    assert_eq!(both_deleted.len(), 1, "{both_deleted:?}");
    assert!(!both_deleted[0].2.contains("override"), "{both_deleted:?}");
    assert!(
        both_deleted[0].2.contains("`A` was deleted too"),
        "{both_deleted:?}"
    );
    // Removed twice: said as such, not "no record owns it".
    let twice = helps(
        "isp \"A\" {\n    domains \"a.example\" \"b.example\"\n}\noverride \"A\" {\n    remove-domains \"a.example\" \"a.example\"\n}\n",
        b"x.example\n",
    );
    assert_eq!(twice.len(), 1, "{twice:?}");
    assert_eq!(
        twice[0].1,
        "`a.example` cannot be removed from `A`: it was removed already"
    );
}

/// The other side of a conflict is cut from its own rendering at the line that
/// starts its snippet: a file name holding `╭─[` (in the message and the
/// snippet's header) leaks no line of that rendering into the report.
#[test]
fn other_side_snippet_is_found_by_its_line_not_its_glyph() {
    let other = "a╭─[x.kdl";
    let include = format!("include \"{other}\"\ninclude \"b.kdl\"\n");
    let dir = project(&[
        ("isptab.kdl", include.as_bytes()),
        (other, b"isp \"A\" {\n    domains \"x.example\"\n}\n"),
        ("b.kdl", b"isp \"B\" {\n    domains \"x.example\"\n}\n"),
    ]);
    for color in ["never", "always"] {
        let out = isptab(dir.path(), &["check", "--no-defaults", "--color", color]);
        assert_eq!(out.status.code(), Some(1));
        let text = stderr(&out);
        assert!(!text.contains("see "), "{text}");
        assert_eq!(text.matches("x.kdl:2:13").count(), 1, "{text}");
    }
}

/// Two records reading one domains file is one diagnostic on the two
/// `domains-file` nodes (not one per line with both labels on the same line),
/// and the `from=` its help offers makes the configuration build.
#[test]
fn a_domains_file_read_by_two_records() {
    let config = |from: &str| {
        format!(
            "isp \"A\" {{\n    domains-file \"x.txt\"\n}}\nisp \"B\" {{\n    domains-file \"x.txt\"{from}\n}}\n"
        )
    };
    let dir = project(&[
        ("isptab.kdl", config("").as_bytes()),
        (
            "x.txt",
            b"one.example\ntwo.example\nthree.example\nfour.example\n",
        ),
    ]);
    let out = isptab(dir.path(), &["check", "--no-defaults", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let report = json(&out);
    let diagnostics = report["diagnostics"].as_array().unwrap();
    assert_eq!(diagnostics.len(), 1, "{report}");
    let d = &diagnostics[0];
    assert_eq!(
        d["message"],
        "`x.txt` is read by both `B` and `A`: its 4 domains are claimed twice"
    );
    assert_eq!((&d["file"], &d["line"]), (&"isptab.kdl".into(), &5.into()));
    assert_eq!(d["labels"][0]["line"], 2);
    assert!(
        d["help"]
            .as_str()
            .unwrap()
            .contains(r#"`domains-file "x.txt" from="A"`"#)
    );
    let human = isptab(dir.path(), &["check", "--no-defaults"]);
    insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("cli__a_domains_file_read_by_two_records", stderr(&human));
    });

    std::fs::write(dir.path().join("isptab.kdl"), config(" from=\"A\"")).unwrap();
    let out = isptab(dir.path(), &["check", "--no-defaults", "--format", "short"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let both = stdout(&out) + &stderr(&out);
    assert!(both.contains("empty-isp"), "{both}");
}
