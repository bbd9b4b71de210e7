//! `isptab fmt`: idempotent, keeps comments and values, and never changes what a
//! configuration compiles to (checked on every fixture and example).

// These drive the `isptab` binary.
#![cfg(feature = "cli")]

use std::path::{Path, PathBuf};

use isptab::{Input, Options, table};

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
