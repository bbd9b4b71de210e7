//! Arbitrary bytes as a configuration file, through check and build: never a
//! panic; a configuration without errors compiles to a table that opens, verifies
//! and answers like the precedence function.
#![no_main]

use std::io::Write;

use isptab::semantics::matcher::Matcher;
use isptab::table::{self, Table};
use isptab::{DefaultsSource, Input, Options};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("isptab-fuzz-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join("isptab.kdl");
    let Ok(mut file) = std::fs::File::create(&path) else {
        return;
    };
    let _ = file.write_all(data);
    drop(file);
    // Without the defaults: parsing them on every run would slow the fuzzer 40x.
    {
        let options = Options {
            defaults: DefaultsSource::None,
            ..Options::default()
        };
        let Ok(checked) = isptab::check(&[Input::Path(path.clone())], &options) else {
            return;
        };
        // What people and CI logs read: nothing a terminal or a runner acts on.
        let shown =
            isptab::compiler::diagnostics::render_plain(&checked.sources, &checked.diagnostics)
                + &isptab::compiler::diagnostics::render_short(
                    &checked.sources,
                    &checked.diagnostics,
                );
        for line in shown.lines() {
            assert!(
                !line.chars().any(isptab::semantics::escape::is_unsafe),
                "unescaped: {line:?}"
            );
            assert!(
                !line.trim_start().starts_with("::") && !line.contains("##["),
                "a workflow command: {line:?}"
            );
        }
        let _ =
            isptab::compiler::diagnostics::render_github(&checked.sources, &checked.diagnostics);
        let _ = isptab::compiler::diagnostics::render_json(
            &checked.sources,
            &checked.diagnostics,
            checked.omitted,
        );
        let _ = isptab::compiler::diagnostics::render_sarif(&checked.sources, &checked.diagnostics);
        let Ok(model) = checked.model() else {
            return;
        };
        let bytes = table::compile(&model).expect("a configuration without errors compiles");
        let table = Table::from_bytes(bytes.as_slice()).expect("a compiled table opens");
        table.verify().expect("a compiled table verifies");
        let matcher = Matcher::new(&model);
        let precedence = isptab::semantics::precedence::Precedence::new(&model);
        for record in &model.records {
            for pattern in record.patterns() {
                let q = pattern
                    .as_str()
                    .replace("*.", "x.")
                    .replace(['*', '?', '[', ']', '{', '}', ','], "a");
                let ours = table
                    .lookup(&q)
                    .found()
                    .map(|m| m.record.name().to_string());
                let theirs = isptab::semantics::query::answer(&q, |d| matcher.lookup(d))
                    .found()
                    .map(|m| model.records[m.target.record].name.clone());
                assert_eq!(ours, theirs, "{q}");
            }
            // Each MX pattern as a host: the table and the precedence function
            // agree on step 4.
            for pattern in &record.mx {
                let host = pattern
                    .as_str()
                    .replace("*.", "mx.")
                    .replace(['*', '?', '[', ']', '{', '}', ','], "a");
                let hosts = [host.as_str()];
                let ours = table
                    .lookup_with_mx("hosted.example", &hosts)
                    .found()
                    .map(|m| m.record.name().to_string());
                let theirs = precedence
                    .lookup_with_mx("hosted.example", &hosts)
                    .found()
                    .map(|m| model.records[m.target.record].name.clone());
                assert_eq!(ours, theirs, "MX {host}");
            }
        }
    }
    // A file fmt accepts comes out valid and formatted for good.
    if let Ok(formatted) = isptab::compiler::canonical::format(&String::from_utf8_lossy(data)) {
        assert_eq!(
            isptab::compiler::canonical::format(&formatted).as_deref(),
            Ok(formatted.as_str()),
            "fmt is not idempotent or broke the file"
        );
    }
});
