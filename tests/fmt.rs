//! `isptab fmt`: idempotent, keeps comments and values, and never changes what a
//! configuration compiles to (checked on every fixture and example); through the
//! binary: `--check`, `--diff`, `-` (stdin to stdout), line breaks and the
//! byte-order mark kept.

// These drive the `isptab` binary.
#![cfg(feature = "cli")]

use std::path::{Path, PathBuf};

use isptab::{Input, Options, table};

mod support;

use support::{isptab as run, isptab_stdin};

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Every `.kdl` file under `dir`.
fn kdl_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            kdl_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "kdl") {
            out.push(path);
        }
    }
}

fn all_kdl() -> Vec<PathBuf> {
    let mut files = vec![PathBuf::from("src/defaults.kdl")];
    kdl_files(Path::new("examples"), &mut files);
    kdl_files(Path::new("tests/fixtures"), &mut files);
    files.sort();
    files
}

/// The node tree without formatting: names, entries (as values), children.
fn shape(doc: &kdl::KdlDocument) -> Vec<String> {
    doc.nodes()
        .iter()
        .map(|n| {
            let entries: Vec<String> = n
                .entries()
                .iter()
                .map(|e| {
                    format!(
                        "{:?}={:?}:{:?}",
                        e.name().map(|k| k.value()),
                        e.ty().map(|t| t.value()),
                        e.value()
                    )
                })
                .collect();
            let children = n.children().map(shape).unwrap_or_default();
            format!(
                "{}({:?})[{}]{{{}}}",
                n.name().value(),
                n.ty().map(|t| t.value()),
                entries.join(","),
                children.join(";")
            )
        })
        .collect()
}

#[test]
fn idempotent_and_same_meaning_on_every_file() {
    let mut formatted_files = 0;
    for path in all_kdl() {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        }; // the invalid UTF-8 fixture
        let Ok(before) = kdl::KdlDocument::parse_v2(&text) else {
            continue;
        };
        let once = isptab::compiler::canonical::format(&text)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let twice = isptab::compiler::canonical::format(&once).unwrap();
        assert_eq!(once, twice, "{}: not idempotent", path.display());
        let after = kdl::KdlDocument::parse_v2(&once).unwrap();
        assert_eq!(
            shape(&before),
            shape(&after),
            "{}: meaning changed",
            path.display()
        );
        // Every comment is still there.
        for line in text.lines() {
            if let Some(at) = line.find("// ") {
                let comment = line[at..].trim_end();
                if !line[..at].contains('"') {
                    assert!(
                        once.contains(comment),
                        "{}: lost {comment:?}",
                        path.display()
                    );
                }
            }
        }
        formatted_files += 1;
    }
    assert!(formatted_files > 50, "only {formatted_files} files");
}

/// Copies a directory, formatting every `.kdl` file in the copy.
fn formatted_copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            formatted_copy(&path, &target);
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let formatted = match (
            path.extension().is_some_and(|e| e == "kdl"),
            std::str::from_utf8(&bytes),
        ) {
            (true, Ok(text)) => isptab::compiler::canonical::format(text)
                .map(String::into_bytes)
                .unwrap_or(bytes),
            _ => bytes,
        };
        std::fs::write(target, formatted).unwrap();
    }
}

/// What a configuration compiles to, or the codes of its diagnostics.
fn outcome(entry: &Path) -> Result<Vec<u8>, Vec<&'static str>> {
    let checked = isptab::check(&[Input::Path(entry.to_path_buf())], &Options::default()).unwrap();
    let codes: Vec<&'static str> = checked.diagnostics.iter().map(|d| d.code.name()).collect();
    match checked.model() {
        Ok(model) => Ok(table::compile(&model).unwrap()),
        Err(_) => Err(codes),
    }
}

#[test]
fn formatting_never_changes_what_a_configuration_compiles_to() {
    let work = tempfile::tempdir().unwrap();
    let mut compared = 0;
    for dir in [Path::new("examples"), Path::new("tests/fixtures/rules")] {
        let copy = work.path().join(dir);
        formatted_copy(dir, &copy);
        for entry in all_kdl().iter().filter(|p| p.starts_with(dir)) {
            let name = entry.file_name().unwrap().to_string_lossy();
            if !(name == "fires.kdl"
                || name == "passes.kdl"
                || entry.parent() == Some(Path::new("examples"))
                || name == "isptab.kdl")
            {
                continue;
            }
            let formatted = copy.join(entry.strip_prefix(dir).unwrap());
            assert_eq!(outcome(entry), outcome(&formatted), "{}", entry.display());
            compared += 1;
        }
    }
    assert!(compared > 50, "only {compared} configurations");
}

#[test]
fn fmt_command_rewrites_and_checks() {
    let dir = tempfile::tempdir().unwrap();
    let messy = "isp   Acme{domains \"acme.example\"   // ours\n\n\n  encoding html=\"base64\"}\n";
    std::fs::write(dir.path().join("isptab.kdl"), messy).unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_isptab"))
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    let check = run(&["fmt", "--check"]);
    assert_eq!(check.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&check.stdout), "isptab.kdl\n");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("isptab.kdl")).unwrap(),
        messy,
        "--check wrote"
    );
    assert_eq!(run(&["fmt"]).status.code(), Some(0));
    let formatted = std::fs::read_to_string(dir.path().join("isptab.kdl")).unwrap();
    insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("fmt__messy", formatted);
    });
    assert_eq!(run(&["fmt", "--check"]).status.code(), Some(0));
    std::fs::write(dir.path().join("broken.kdl"), "isp \"x\" {").unwrap();
    assert_eq!(run(&["fmt", "broken.kdl"]).status.code(), Some(1));
}

const MESSY: &str =
    "isp   Acme{domains \"acme.example\"   // ours\n\n\n  encoding html=\"base64\"}\n";

const TIDY: &str =
    "isp \"Acme\" {\n    domains \"acme.example\" // ours\n\n    encoding html=\"base64\"\n}\n";

#[test]
fn diff_prints_what_would_change_and_writes_nothing() {
    let dir = support::project(&[("isptab.kdl", MESSY), ("tidy.kdl", TIDY)]);
    let diff = run(dir.path(), &["fmt", "--diff"]);
    assert_eq!(diff.status.code(), Some(1), "{}", stderr(&diff));
    assert_eq!(
        stdout(&diff),
        "--- isptab.kdl\n+++ isptab.kdl\n@@ -1,4 +1,5 @@\n\
         -isp   Acme{domains \"acme.example\"   // ours\n\
         -\n\
         +isp \"Acme\" {\n\
         +    domains \"acme.example\" // ours\n \n\
         -  encoding html=\"base64\"}\n\
         +    encoding html=\"base64\"\n\
         +}\n"
    );
    assert_eq!(stderr(&diff), "1 of 1 would be reformatted\n");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("isptab.kdl")).unwrap(),
        MESSY,
        "--diff wrote"
    );
    // Only files that would change are shown; a formatted one exits 0.
    let both = run(dir.path(), &["fmt", "--diff", "tidy.kdl", "isptab.kdl"]);
    assert_eq!(both.status.code(), Some(1));
    assert!(
        stdout(&both).starts_with("--- isptab.kdl\n"),
        "{}",
        stdout(&both)
    );
    let tidy = run(dir.path(), &["fmt", "--diff", "tidy.kdl"]);
    assert_eq!(tidy.status.code(), Some(0));
    assert_eq!(stdout(&tidy), "");
    // A file that cannot be formatted: its diagnostics, exit 1, no diff.
    std::fs::write(dir.path().join("broken.kdl"), "isp \"x\" {").unwrap();
    let broken = run(dir.path(), &["fmt", "--diff", "broken.kdl"]);
    assert_eq!(broken.status.code(), Some(1));
    assert_eq!(stdout(&broken), "");
    assert!(
        stderr(&broken).contains("broken.kdl:1:"),
        "{}",
        stderr(&broken)
    );
    let both = run(dir.path(), &["fmt", "--diff", "--check"]);
    assert_eq!(both.status.code(), Some(2));
}

#[test]
fn diff_lines_are_escaped() {
    let hostile = "// \u{1b}]52;c;x\u{7} \u{202e}\n  ::error file=a::INJECTED\ndelete   \"A\"\n";
    let dir = support::project(&[("isptab.kdl", hostile)]);
    let diff = run(dir.path(), &["fmt", "--diff"]);
    assert_eq!(diff.status.code(), Some(1));
    let text = stdout(&diff);
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{202e}') && !text.contains('\u{7}'),
        "{text:?}"
    );
    for line in text.lines() {
        assert!(!line.trim_start().starts_with("::"), "{line:?}");
        assert!(!line.contains("::"), "{line:?}");
    }
    assert!(text.contains("\\u{1b}]52"), "{text}");
    assert!(text.contains(":\\u{3a}error"), "{text}");
}

#[test]
fn stdin_to_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let out = isptab_stdin(dir.path(), &["fmt", "-"], MESSY);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), TIDY);
    assert_eq!(stderr(&out), "", "an editor reads stderr as a failure");
    // Formatted text comes back as it is.
    let out = isptab_stdin(dir.path(), &["fmt", "-"], TIDY);
    assert_eq!(
        (out.status.code(), stdout(&out)),
        (Some(0), TIDY.to_string())
    );
    // --check and --diff name it <stdin>.
    let check = isptab_stdin(dir.path(), &["fmt", "--check", "-"], MESSY);
    assert_eq!(check.status.code(), Some(1));
    assert_eq!(stdout(&check), "<stdin>\n");
    let check = isptab_stdin(dir.path(), &["fmt", "--check", "-"], TIDY);
    assert_eq!(
        (check.status.code(), stdout(&check)),
        (Some(0), String::new())
    );
    let diff = isptab_stdin(dir.path(), &["fmt", "--diff", "-"], MESSY);
    assert_eq!(diff.status.code(), Some(1));
    assert!(stdout(&diff).starts_with("--- <stdin>\n+++ <stdin>\n@@ -1,4 +1,5 @@\n"));
    // Not KDL: the diagnostics name <stdin>, stdout stays empty (the editor keeps
    // its buffer), exit 1.
    let broken = isptab_stdin(
        dir.path(),
        &["fmt", "-"],
        "isp \"A\" {\n    domains \"a.example\"\n",
    );
    assert_eq!(broken.status.code(), Some(1));
    assert_eq!(stdout(&broken), "");
    assert!(
        stderr(&broken).contains("<stdin>:1:"),
        "{}",
        stderr(&broken)
    );
    assert!(stderr(&broken).contains("syntax"), "{}", stderr(&broken));
    // Nothing is read beside it: an include is not followed.
    let include = isptab_stdin(dir.path(), &["fmt", "-"], "include   \"missing.kdl\"\n");
    assert_eq!(include.status.code(), Some(0));
    assert_eq!(stdout(&include), "include \"missing.kdl\"\n");
    // `-` stands alone.
    std::fs::write(dir.path().join("a.kdl"), TIDY).unwrap();
    let mixed = isptab_stdin(dir.path(), &["fmt", "-", "a.kdl"], MESSY);
    assert_eq!(mixed.status.code(), Some(2));
    assert_eq!(stdout(&mixed), "");
    let rooted = isptab_stdin(dir.path(), &["fmt", "--root", ".", "-"], MESSY);
    assert_eq!(rooted.status.code(), Some(2));
    // Too large for a KDL file: a usage error, nothing on stdout.
    let huge = "// x\n".repeat(isptab::compiler::limits::MAX_KDL_FILE_BYTES / 5 + 1);
    let huge = isptab_stdin(dir.path(), &["fmt", "-"], &huge);
    assert_eq!(huge.status.code(), Some(2));
    assert_eq!(stdout(&huge), "");
    assert!(stderr(&huge).contains("<stdin>"), "{}", stderr(&huge));
}

#[test]
fn line_breaks_and_byte_order_mark_are_kept() {
    let crlf = MESSY.replace('\n', "\r\n");
    let bom = format!("\u{FEFF}{MESSY}");
    let dir = support::project(&[("crlf.kdl", &crlf), ("bom.kdl", &bom)]);
    let done = run(dir.path(), &["fmt", "crlf.kdl", "bom.kdl"]);
    assert_eq!(done.status.code(), Some(0), "{}", stderr(&done));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("crlf.kdl")).unwrap(),
        TIDY.replace('\n', "\r\n")
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("bom.kdl")).unwrap(),
        format!("\u{FEFF}{TIDY}")
    );
    let again = run(dir.path(), &["fmt", "--check", "crlf.kdl", "bom.kdl"]);
    assert_eq!(again.status.code(), Some(0), "{}", stdout(&again));
    // Through stdin too.
    let piped = isptab_stdin(dir.path(), &["fmt", "-"], &crlf);
    assert_eq!(stdout(&piped), TIDY.replace('\n', "\r\n"));
    // A file of mixed line breaks gets its first one throughout; --diff shows
    // the line whose break changes.
    std::fs::write(
        dir.path().join("mixed.kdl"),
        "delete \"A\"\r\ndelete \"B\"\n",
    )
    .unwrap();
    let diff = run(dir.path(), &["fmt", "--diff", "mixed.kdl"]);
    assert_eq!(
        stdout(&diff),
        "--- mixed.kdl\n+++ mixed.kdl\n@@ -1,2 +1,2 @@\n delete \"A\"\n-delete \"B\"\\n\n+delete \"B\"\n"
    );
}
