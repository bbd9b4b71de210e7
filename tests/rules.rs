//! Every diagnostic code has: a fixture that fires it, a fixture that must not (and
//! gives no diagnostic at all), an insta snapshot of what the user sees, and an
//! explanation with the four sections whose examples really fail and pass. Each
//! code has its own module of tests (see `per_code!`).

// These use the compiler.
#![cfg(feature = "compiler")]

use std::path::{Path, PathBuf};

use isptab::compiler::diagnostics::render_plain;
use isptab::compiler::rules::Code;
use isptab::{Checked, Input, Options};

fn fixture_dir(code: Code) -> PathBuf {
    Path::new("tests/fixtures/rules").join(code.name())
}

fn check(paths: &[PathBuf]) -> Checked {
    let inputs: Vec<Input> = paths.iter().cloned().map(Input::Path).collect();
    isptab::check(&inputs, &Options::default()).expect("fixture files exist")
}

fn codes(checked: &Checked) -> Vec<&'static str> {
    checked.diagnostics.iter().map(|d| d.code.name()).collect()
}

#[test]
fn every_code_has_both_fixtures() {
    let missing: Vec<String> = Code::ALL
        .iter()
        .flat_map(|&code| ["fires.kdl", "passes.kdl"].map(|f| fixture_dir(code).join(f)))
        .filter(|p| !p.is_file())
        .map(|p| p.display().to_string())
        .collect();
    assert!(missing.is_empty(), "missing fixtures: {missing:#?}");
}

/// Codes only `check --resolve` gives: their fixtures and explanations are
/// checked against a real DNS server in tests/dns.rs (`dns_codes_fire_...`);
/// here, that they stay silent offline.
const NEEDS_DNS: &[Code] = &[Code::UndeliverableDomain, Code::MxOfOtherRecord];

/// Offline, a DNS code's fixture is clean: nothing is resolved without
/// `--resolve`.
fn clean_offline(code: Code, path: &Path) {
    let checked = check(&[path.to_path_buf()]);
    assert!(
        checked.diagnostics.is_empty(),
        "{code}: {} gave offline\n{}",
        path.display(),
        render_plain(&checked.sources, &checked.diagnostics)
    );
}

/// `fires.kdl` gives the code, and what the user sees is snapshotted as
/// `rules__{code}__fires`.
fn fires_fixture_fires(code: Code) {
    let path = fixture_dir(code).join("fires.kdl");
    assert!(path.is_file(), "{code}: missing fixture {}", path.display());
    if NEEDS_DNS.contains(&code) {
        return clean_offline(code, &path);
    }
    let checked = check(&[path]);
    assert!(
        codes(&checked).contains(&code.name()),
        "{code}: fires.kdl gave {:?}\n{}",
        codes(&checked),
        render_plain(&checked.sources, &checked.diagnostics)
    );
    let rendered = render_plain(&checked.sources, &checked.diagnostics);
    insta::with_settings!({
        snapshot_path => "../snapshots",
        prepend_module_to_snapshot => false,
        omit_expression => true,
        description => format!("isptab check tests/fixtures/rules/{code}/fires.kdl"),
    }, {
        insta::assert_snapshot!(format!("rules__{code}__fires"), rendered);
    });
}

/// `passes.kdl` gives no diagnostic at all.
fn passes_fixture_is_clean(code: Code) {
    let path = fixture_dir(code).join("passes.kdl");
    assert!(path.is_file(), "{code}: missing fixture {}", path.display());
    let checked = check(&[path]);
    assert!(
        checked.diagnostics.is_empty(),
        "{code}: passes.kdl gave\n{}",
        render_plain(&checked.sources, &checked.diagnostics)
    );
}

/// The fenced `kdl` blocks of a Markdown section.
fn kdl_blocks<'a>(markdown: &'a str, heading: &str) -> Vec<&'a str> {
    let Some(start) = markdown.find(&format!("## {heading}\n")) else {
        return Vec::new();
    };
    let section = &markdown[start..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |i| i + 3)];
    section
        .split("```kdl\n")
        .skip(1)
        .filter_map(|b| b.split("\n```").next())
        .collect()
}

/// Writes an example to a fresh directory: the text goes to `isptab.kdl`, except
/// that a line `// file: NAME` starts another file.
fn write_example(dir: &Path, example: &str) -> PathBuf {
    let mut name = "isptab.kdl".to_string();
    let mut files: Vec<(String, String)> = vec![(name.clone(), String::new())];
    for line in example.lines() {
        if let Some(next) = line.strip_prefix("// file: ") {
            name = next.trim().to_string();
            files.push((name.clone(), String::new()));
            continue;
        }
        let body = &mut files.last_mut().expect("one file at least").1;
        body.push_str(line);
        body.push('\n');
    }
    for (name, text) in &files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir.join("isptab.kdl")
}

/// Codes whose failing example cannot be shown in a few lines.
const NOT_RUNNABLE: &[&str] = &["limit-exceeded"];

/// The explanation has the four sections, and (unless the code is in
/// [`NOT_RUNNABLE`]) its first failing example gives the code and its first fix
/// does not.
fn explanation_has_sections_and_working_examples(code: Code) {
    let text = code.rule().explanation;
    for heading in ["What it does", "Why it matters", "Example", "How to fix"] {
        assert!(
            text.contains(&format!("## {heading}\n")),
            "{code}: no `## {heading}` section"
        );
    }
    if NOT_RUNNABLE.contains(&code.name()) {
        return;
    }
    let failing = kdl_blocks(text, "Example");
    let fixed = kdl_blocks(text, "How to fix");
    assert!(
        !failing.is_empty() && !fixed.is_empty(),
        "{code}: examples need ```kdl blocks"
    );
    let dir = tempfile::tempdir().unwrap();
    if NEEDS_DNS.contains(&code) {
        clean_offline(code, &write_example(&dir.path().join("bad"), failing[0]));
        return clean_offline(code, &write_example(&dir.path().join("good"), fixed[0]));
    }
    let bad = check(&[write_example(&dir.path().join("bad"), failing[0])]);
    assert!(
        codes(&bad).contains(&code.name()),
        "{code}: the example gives {:?}",
        codes(&bad)
    );
    let good = check(&[write_example(&dir.path().join("good"), fixed[0])]);
    assert!(
        !good.has_errors() && !codes(&good).contains(&code.name()),
        "{code}: the fix gives\n{}",
        render_plain(&good.sources, &good.diagnostics)
    );
}

/// One module per code, named after it in snake case, with its three tests:
/// `cargo test --test rules duplicate_domain` runs only that code's.
macro_rules! per_code {
    ($($module:ident => $variant:ident,)*) => {
        /// The codes of the modules below, with their module names.
        const LISTED: &[(&str, Code)] = &[$((stringify!($module), Code::$variant),)*];

        $(
            mod $module {
                const CODE: super::Code = super::Code::$variant;

                #[test]
                fn fires() {
                    super::fires_fixture_fires(CODE);
                }

                #[test]
                fn passes() {
                    super::passes_fixture_is_clean(CODE);
                }

                #[test]
                fn explanation() {
                    super::explanation_has_sections_and_working_examples(CODE);
                }
            }
        )*
    };
}

per_code! {
    syntax => Syntax,
    empty_file => EmptyFile,
    limit_exceeded => LimitExceeded,
    unreadable_file => UnreadableFile,
    outside_root => OutsideRoot,
    include_cycle => IncludeCycle,
    unknown_node => UnknownNode,
    unknown_property => UnknownProperty,
    invalid_value => InvalidValue,
    duplicate_setting => DuplicateSetting,
    duplicate_isp => DuplicateIsp,
    redefined_default => RedefinedDefault,
    unknown_isp => UnknownIsp,
    deleted_default => DeletedDefault,
    invalid_name => InvalidName,
    empty_isp => EmptyIsp,
    empty_override => EmptyOverride,
    invalid_domain => InvalidDomain,
    invalid_glob => InvalidGlob,
    duplicate_domain => DuplicateDomain,
    move_not_owned => MoveNotOwned,
    orphaned_pattern => OrphanedPattern,
    redundant_domain => RedundantDomain,
    unreachable_pattern => UnreachablePattern,
    broad_pattern => BroadPattern,
    invalid_mx => InvalidMx,
    duplicate_mx => DuplicateMx,
    bare_mx_domain => BareMxDomain,
    redundant_mx => RedundantMx,
    unreachable_mx => UnreachableMx,
    broad_mx => BroadMx,
    undeliverable_domain => UndeliverableDomain,
    mx_of_other_record => MxOfOtherRecord,
    invalid_encoding => InvalidEncoding,
    overridden_encoding => OverriddenEncoding,
    invalid_header_name => InvalidHeaderName,
    header_injection => HeaderInjection,
    long_header => LongHeader,
    non_ascii_header => NonAsciiHeader,
    protected_header => ProtectedHeader,
    duplicate_header_rule => DuplicateHeaderRule,
    constant_mime_header => ConstantMimeHeader,
    constant_unique_header => ConstantUniqueHeader,
    trace_header => TraceHeader,
}

/// A new code needs a line in `per_code!`, or it has no tests; each line names
/// its module after its code, once.
#[test]
fn every_code_has_its_tests() {
    let unlisted: Vec<&str> = Code::ALL
        .iter()
        .filter(|code| !LISTED.iter().any(|(_, listed)| listed == *code))
        .map(|code| code.name())
        .collect();
    assert!(
        unlisted.is_empty(),
        "codes missing from per_code! in tests/rules.rs: {unlisted:?}"
    );
    for (i, (module, code)) in LISTED.iter().enumerate() {
        assert!(Code::ALL.contains(code), "{module}: not in Code::ALL");
        assert_eq!(
            *module,
            code.name().replace('-', "_"),
            "the module for `{code}` is misnamed"
        );
        assert!(
            !LISTED[..i].iter().any(|(_, earlier)| earlier == code),
            "{code} is listed twice"
        );
    }
}
