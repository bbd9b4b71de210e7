//! isptab run on an untrusted pull request, and its table loaded by an MTA, as an
//! attacker would try them: one test per class of attack (paths leading out,
//! writes through links, races, output injection, parser crashes, hangs and
//! unbounded work, FIFOs and devices, wrong results). Each case runs the real
//! binary, with a watchdog: a hang fails the test instead of stalling the run.

// These drive the `isptab` binary.
#![cfg(feature = "cli")]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const SECRET: &str = "hunter2-outside-secret";

/// Runs isptab in `dir`; fails the test if it does not end within `limit`, or if
/// a signal ended it (a crash).
fn run_in(dir: &Path, args: &[&str], stdin: Option<&[u8]>, limit: Duration) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_isptab"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run isptab");
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().unwrap();
        let input = input.to_vec();
        std::thread::spawn(move || {
            let _ = pipe.write_all(&input);
        });
    }
    let pid = child.id();
    let started = Instant::now();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let watchdog = {
        let done = done.clone();
        std::thread::spawn(move || {
            while started.elapsed() < limit {
                if done.load(std::sync::atomic::Ordering::Relaxed) {
                    return false;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
            true
        })
    };
    let out = child.wait_with_output().unwrap();
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let killed = watchdog.join().unwrap();
    assert!(
        !killed,
        "isptab {args:?} did not finish within {limit:?} (a hang)"
    );
    assert!(
        out.status.code().is_some(),
        "isptab {args:?} was killed by a signal (a crash): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("panicked"),
        "isptab {args:?} panicked: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn run(dir: &Path, args: &[&str]) -> Output {
    run_in(dir, args, None, Duration::from_secs(60))
}

fn all_output(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn write(path: &Path, bytes: impl AsRef<[u8]>) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

fn symlink(target: impl AsRef<Path>, link: impl AsRef<Path>) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

const FORMATS: [&str; 5] = ["human", "short", "json", "sarif", "github"];

/// A directory with a secret outside the project (`outer/secret.txt`, and
/// `outer/passwd`, six lines) and the project in `outer/project`.
fn outer_and_project() -> (tempfile::TempDir, std::path::PathBuf) {
    let outer = tempfile::tempdir().unwrap();
    write(&outer.path().join("secret.txt"), format!("{SECRET}\n"));
    let passwd: String = (0..6).map(|i| format!("{SECRET}-{i}:x:0:0\n")).collect();
    write(&outer.path().join("passwd"), passwd);
    let project = outer.path().join("project");
    std::fs::create_dir_all(&project).unwrap();
    (outer, project)
}

/// Item 1: entry files resolve inside the root like includes; outside, they get
/// `outside-root` and nothing of them is printed, in every format.
#[test]
fn entry_files_stay_inside_the_root() {
    let (_outer, project) = outer_and_project();
    symlink("../secret.txt", project.join("isptab.kdl"));
    symlink("../passwd", project.join("passwd.kdl"));
    write(
        &project.join("ok.kdl"),
        "isp \"A\" { domains \"a.example\" }\n",
    );
    let cases: &[&[&str]] = &[
        &["check"],
        &["check", "isptab.kdl"],
        &["check", "--root", ".", "passwd.kdl"],
        &["check", "ok.kdl", "../secret.txt"],
        &["check", "ok.kdl", "passwd.kdl"],
        &["build", "passwd.kdl", "-o", "out.isptab"],
        &["check", "--defaults", "passwd.kdl", "ok.kdl"],
    ];
    for args in cases {
        for format in FORMATS {
            let mut args = args.to_vec();
            args.extend(["--format", format]);
            let out = run(&project, &args);
            let all = all_output(&out);
            assert_eq!(out.status.code(), Some(1), "{args:?}: {all}");
            assert!(all.contains("outside-root"), "{args:?}: {all}");
            assert!(!all.contains(SECRET), "{args:?} printed the secret: {all}");
        }
    }
    assert!(!project.join("out.isptab").exists());
    // `lookup --config` reads its files the same way.
    let out = run(&project, &["lookup", "--config", "passwd.kdl", "a.example"]);
    assert!(!all_output(&out).contains(SECRET));
    assert_eq!(out.status.code(), Some(1));
}

/// Item 3, second half: an outside path that does not exist is refused exactly like
/// one that does, so the output tells nothing about what is outside.
#[test]
fn no_existence_oracle_outside_the_root() {
    let outputs: Vec<Vec<String>> = [true, false]
        .into_iter()
        .map(|exists| {
            let (outer, project) = outer_and_project();
            if !exists {
                std::fs::remove_file(outer.path().join("secret.txt")).unwrap();
            }
            symlink("../secret.txt", project.join("isptab.kdl"));
            symlink(
                outer.path().join("secret.txt"),
                project.join("absolute.txt"),
            );
            symlink("../secret.txt", project.join("relative.txt"));
            write(
                &project.join("main.kdl"),
                "include \"../secret.txt\"\nisp \"A\" {\n    domains-file \"absolute.txt\"\n    domains-file \"relative.txt\"\n    domains-file \"../secret.txt\"\n}\n",
            );
            let mut outputs = Vec::new();
            for args in [&["check"][..], &["check", "main.kdl"]] {
                for format in ["short", "json"] {
                    let mut args = args.to_vec();
                    args.extend(["--format", format]);
                    let out = run(&project, &args);
                    outputs.push(format!("{:?} {}", out.status.code(), all_output(&out)));
                }
            }
            outputs
        })
        .collect();
    assert_eq!(outputs[0], outputs[1]);
    assert!(outputs[0].iter().all(|o| o.contains("outside-root")));
}

/// Item 2: a symlink at OUT is replaced by the table, never written through; the
/// mode is kept without setuid; fmt never writes through a link or outside the root.
#[test]
fn writes_never_follow_symlinks() {
    use std::os::unix::fs::PermissionsExt;
    let (outer, project) = outer_and_project();
    let victim = outer.path().join("victim.conf");
    write(&victim, "important\n");
    std::fs::set_permissions(&victim, std::fs::Permissions::from_mode(0o4755)).unwrap();
    write(
        &project.join("isptab.kdl"),
        "isp \"A\" {\n      domains \"a.example\"\n}\n",
    );
    symlink(&victim, project.join("isps.isptab"));
    let out = run(&project, &["build", "--no-defaults", "-o", "isps.isptab"]);
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "important\n");
    let meta = std::fs::symlink_metadata(project.join("isps.isptab")).unwrap();
    assert!(
        meta.file_type().is_file(),
        "the link is replaced by the table"
    );
    // A regular file's mode is kept, without its setuid, setgid and sticky bits.
    std::fs::set_permissions(
        project.join("isps.isptab"),
        std::fs::Permissions::from_mode(0o7640),
    )
    .unwrap();
    let out = run(&project, &["build", "--no-defaults", "-o", "isps.isptab"]);
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    let mode = std::fs::metadata(project.join("isps.isptab"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o7777, 0o640);

    // fmt: a symlinked file is refused, its target untouched.
    let messy = "isp   \"B\"{domains \"b.example\"}\n";
    write(&outer.path().join("outside.kdl"), messy);
    symlink("../outside.kdl", project.join("linked.kdl"));
    let out = run(&project, &["fmt", "linked.kdl"]);
    assert_eq!(out.status.code(), Some(2), "{}", all_output(&out));
    assert!(all_output(&out).contains("symbolic link"));
    assert_eq!(
        std::fs::read_to_string(outer.path().join("outside.kdl")).unwrap(),
        messy
    );
    // ... and so is a file outside the root, through a symlinked directory or not.
    symlink(outer.path(), project.join("up"));
    for path in ["up/outside.kdl", "../outside.kdl"] {
        let out = run(&project, &["fmt", "--root", ".", path]);
        assert_eq!(out.status.code(), Some(2), "{path}: {}", all_output(&out));
        assert_eq!(
            std::fs::read_to_string(outer.path().join("outside.kdl")).unwrap(),
            messy
        );
    }
    // A regular file inside is formatted in place.
    let out = run(&project, &["fmt", "isptab.kdl"]);
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    assert_eq!(
        std::fs::read_to_string(project.join("isptab.kdl")).unwrap(),
        "isp \"A\" {\n    domains \"a.example\"\n}\n"
    );
}

/// Item 3: a directory swapped for a symlink to the outside while isptab runs
/// (`renameat2(RENAME_EXCHANGE)` in a loop) never leaks the outside file: paths
/// are opened once, component by component, and what is read is what was checked.
#[test]
fn swapping_a_directory_for_a_symlink_leaks_nothing() {
    let (outer, project) = outer_and_project();
    // The outside "lists" directory holds the secret under the name the
    // configuration reads.
    write(
        &outer.path().join("lists/domains.txt"),
        format!("{SECRET}\n"),
    );
    write(&project.join("lists/domains.txt"), "inside.example\n");
    symlink(outer.path().join("lists"), project.join("swap"));
    write(
        &project.join("isptab.kdl"),
        "isp \"A\" { domains-file \"lists/domains.txt\" }\n",
    );
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let swapper = {
        let (stop, project) = (stop.clone(), project.clone());
        std::thread::spawn(move || {
            let mut swaps = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                rustix::fs::renameat_with(
                    rustix::fs::CWD,
                    project.join("lists"),
                    rustix::fs::CWD,
                    project.join("swap"),
                    rustix::fs::RenameFlags::EXCHANGE,
                )
                .unwrap();
                swaps += 1;
            }
            swaps
        })
    };
    let mut outcomes = std::collections::BTreeMap::new();
    for _ in 0..40 {
        let out = run(&project, &["check", "--no-defaults", "--format", "short"]);
        let all = all_output(&out);
        assert!(!all.contains(SECRET), "leaked: {all}");
        let outcome = if all.contains("outside-root") {
            "outside-root".to_string()
        } else if out.status.code() == Some(0) {
            "read the inside file".to_string()
        } else {
            all
        };
        *outcomes.entry(outcome).or_insert(0) += 1;
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let swaps = swapper.join().unwrap();
    assert!(swaps > 40, "the swap loop ran {swaps} times");
    assert!(outcomes.len() <= 2, "{outcomes:#?}");
}

/// Characters and sequences that terminals and CI runners act on.
const HOSTILE: [char; 9] = [
    '\u{1b}', '\u{9b}', '\u{7}', '\u{0}', '\u{202e}', '\u{2066}', '\u{200f}', '\u{85}', '\r',
];

/// Whether a line is a GitHub Actions workflow command (`::cmd ...::` after any
/// leading whitespace, as the runner trims it) or holds a legacy `##[cmd]` one.
fn is_command(line: &str) -> bool {
    line.trim_start().starts_with("::") || line.contains("##[")
}

/// Item 4: user text (record names, `from=`, file names, snippet lines,
/// domains-file lines, lookup queries) reaches no output raw: control, bidi and
/// invisible characters are escaped, and no line is a command isptab did not
/// write.
#[test]
fn no_output_injection() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let evil = "X\\n::error file=evil.kdl,line=1::INJECTED\\n::add-mask::secret";
    write(
        &d.join("isptab.kdl"),
        format!(
            "override \"{evil}\" {{ encoding html=\"base64\" }}\n\
             override \"Gmail\" {{ domains \"x.example\" from=\"Evil\\u{{1b}}]52;c;Zm9v\\u{{7}}\" }}\n\
             isp \"Bidi\" {{ domains-file \"lists\\u{{202e}}txt.kdl\" }}\n\
             isp \"List\" {{ domains-file \"list.txt\" }}\n\
             include \"::warning::x\\u{{9b}}31m.kdl\"\n\
             // ::error::from a comment ##[error]legacy\n\
             unknown-thing \"##[add-mask]x\"\n\
             isp \"Mask\" {{ domains \"::add-mask::a.example\" }}\n"
        ),
    );
    write(
        &d.join("list.txt"),
        "ok.example\n\u{1b}[31mred.example\n::error::list\u{202e}.example\n\u{9b}2J\n",
    );
    for format in FORMATS {
        let out = run(d, &["check", "--format", format]);
        assert_eq!(out.status.code(), Some(1));
        let all = all_output(&out);
        for c in HOSTILE {
            assert!(!all.contains(c), "{format}: U+{:04X} printed raw", c as u32);
        }
        let commands = all.lines().filter(|l| is_command(l)).count();
        let own = if format == "github" {
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .filter(|l| l.starts_with("::error file=") || l.starts_with("::warning file="))
                .count()
        } else {
            0
        };
        assert_eq!(
            commands, own,
            "{format}: a command isptab did not write:\n{all}"
        );
        assert!(!all.contains("INJECTED\n"), "{format}");
    }
    // Lookup answers: one line per query, escaped, every line starting with
    // isptab's text.
    write(
        &d.join("clean.kdl"),
        "isp \"Clean\" { domains \"clean.example\" }\n",
    );
    let out = run(
        d,
        &["build", "--no-defaults", "-o", "t.isptab", "clean.kdl"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    let queries = "clean.example\n::error::x\tfake\tGmail\n\u{1b}]0;title\u{7}\n##[add-mask]y\n a\u{202e}b.example\n";
    for format in ["text", "json"] {
        let out = run_in(
            d,
            &["lookup", "--table", "t.isptab", "--format", format, "-"],
            Some(queries.as_bytes()),
            Duration::from_secs(30),
        );
        assert_eq!(out.status.code(), Some(0));
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(text.lines().count(), 5, "{format}: {text}");
        for c in HOSTILE {
            assert!(!text.contains(c), "{format}: U+{:04X} echoed raw", c as u32);
        }
        assert!(!text.lines().any(is_command), "{format}: {text}");
        if format == "text" {
            assert!(text.lines().all(|l| l.split('\t').count() == 4), "{text}");
        }
    }
}

/// Item 4: record names cannot hold control, bidi or invisible characters, nor
/// whitespace at either end (`invalid-name`).
#[test]
fn record_names_are_plain() {
    let dir = tempfile::tempdir().unwrap();
    for name in [
        " Padded ",
        "Padded ",
        "Evil\\nfake.example\\tGmail",
        "A\\u{202e}B",
        "Zero\\u{200b}Width",
        "No\\u{a0}Break",
    ] {
        write(
            &dir.path().join("isptab.kdl"),
            format!("isp \"{name}\" {{ domains \"a.example\" }}\n"),
        );
        let out = run(dir.path(), &["check", "--format", "short"]);
        assert_eq!(out.status.code(), Some(1), "{name}");
        assert!(
            all_output(&out).contains("invalid-name"),
            "{name}: {}",
            all_output(&out)
        );
    }
}

/// Items 5, 6 and 7: small valid or nearly valid files that overflowed the
/// parser's stack (block comments, `//` comments ended by CR, deep nesting in fmt).
#[test]
fn small_files_never_overflow_the_stack() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let shapes: Vec<(&str, String)> = vec![
        ("comment", format!("/*{} */\n", " *".repeat(12_000))),
        ("unclosed-comment", format!("/*{}", " *".repeat(12_000))),
        (
            "nested-comments",
            format!("{}{}", "/* ".repeat(6000), "*/ ".repeat(6000)),
        ),
        ("slashes", format!("/*{}*/\n", "/ ".repeat(12_000))),
        ("cr-comment", format!("//{}", "\ra {".repeat(5000))),
        ("vt-comment", format!("//{}", "\u{b}a {".repeat(5000))),
        ("nel-comment", format!("//{}", "\u{85}a {".repeat(5000))),
        ("ls-comment", format!("//{}", "\u{2028}a {".repeat(5000))),
        (
            "deep",
            format!("{}{}", "a {".repeat(5000), "}".repeat(5000)),
        ),
        (
            "deep-cr",
            format!("{}{}", "a {\r".repeat(5000), "}\r".repeat(5000)),
        ),
        // Found by the adversarial review: slashdashes in a row, and strings
        // the guard once read differently from the parser.
        ("slashdashes", format!("{}a", "/- ".repeat(2500))),
        (
            "slashdashed-arguments",
            format!(
                "isp \"a\" {{ domains \"a.com\" {}\"b.com\" }}",
                "/- ".repeat(5000)
            ),
        ),
        (
            "raw-string-before-nesting",
            format!("x #\"\"\"\"#\n{}{}", "a {".repeat(5000), "}".repeat(5000)),
        ),
        (
            "unclosed-string-before-nesting",
            format!("x \"open\n{}{}\"", "a {".repeat(5000), "}".repeat(5000)),
        ),
        (
            "escaped-space-line-before-nesting",
            format!(
                "x \"a \\\u{a0}\n b\"\n{}{}",
                "a {".repeat(5000),
                "}".repeat(5000)
            ),
        ),
    ];
    for (name, text) in &shapes {
        let file = format!("{name}.kdl");
        write(&d.join(&file), text);
        for args in [
            vec!["check", "--no-defaults", file.as_str()],
            vec!["build", "--no-defaults", file.as_str(), "-o", "out.isptab"],
            vec![
                "lookup",
                "--no-defaults",
                "--config",
                file.as_str(),
                "a.example",
            ],
            vec!["fmt", "--check", file.as_str()],
            vec!["fmt", file.as_str()],
        ] {
            let out = run(d, &args);
            assert!(
                matches!(out.status.code(), Some(0..=2)),
                "{name} {args:?}: {}",
                all_output(&out)
            );
        }
        let _ = std::fs::remove_file(d.join("out.isptab"));
    }
}

/// Item 8: a table truncated in place while `lookup` runs: the answers already
/// computed are written and the rest still answered (the table was read into
/// memory), never SIGBUS.
#[test]
fn a_table_truncated_in_place_does_not_crash_lookup() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let domains: String = (0..20_000).map(|i| format!("d{i}.example\n")).collect();
    write(&d.join("list.txt"), domains);
    write(
        &d.join("isptab.kdl"),
        "isp \"A\" { domains-file \"list.txt\" }\n",
    );
    let out = run(d, &["build", "--no-defaults", "-o", "t.isptab"]);
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    let mut child = Command::new(env!("CARGO_BIN_EXE_isptab"))
        .args(["lookup", "--table", "t.isptab", "-"])
        .current_dir(d)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    // Read the answers meanwhile, or both ends would wait on full pipes.
    let reader = std::thread::spawn(move || {
        let mut answers = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut answers).unwrap();
        answers
    });
    writeln!(stdin, "d0.example").unwrap();
    stdin.flush().unwrap();
    // Wait until the table is read (the first answer may still be buffered:
    // give the process time to get there).
    std::thread::sleep(Duration::from_millis(500));
    std::fs::OpenOptions::new()
        .write(true)
        .open(d.join("t.isptab"))
        .unwrap()
        .set_len(100)
        .unwrap();
    for i in 1..20_000 {
        writeln!(stdin, "d{i}.example").unwrap();
    }
    drop(stdin);
    let answers = reader.join().unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "killed by a signal?");
    assert_eq!(answers.lines().count(), 20_000);
    assert!(answers.lines().all(|l| l.contains("\tA\texact\t")));
    // A table truncated before it is read is refused with a clear error.
    let out = run(d, &["lookup", "--table", "t.isptab", "d1.example"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        all_output(&out).contains("not a valid table"),
        "{}",
        all_output(&out)
    );
}

/// Items 9, 10 and 11: inputs of a few kilobytes that took exponential or
/// quadratic time (glob cover, the glob index, the redundant-domain lint over
/// shared literals, did-you-mean on huge names) finish at once.
#[test]
fn lints_and_globs_are_not_exponential_or_quadratic() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let k = 40;
    write(
        &d.join("cover.kdl"),
        format!(
            "isp \"A\" {{ domains \"{}.a\" }}\nisp \"B\" {{ domains \"{}.b\" }}\n",
            vec!["**"; k].join("."),
            vec!["*"; k].join(".")
        ),
    );
    let many: String = (0..100_000).map(|i| format!("g{i}?.zz{i}\n")).collect();
    write(&d.join("many-globs.txt"), many);
    write(
        &d.join("many-globs.kdl"),
        "isp \"G\" { domains-file \"many-globs.txt\" }\n",
    );
    let shared: String = (0..5_000).map(|i| format!("g{i}?.example\n")).collect();
    write(&d.join("shared.txt"), shared);
    let names: String = (0..200_000).map(|i| format!("name{i}.example\n")).collect();
    write(&d.join("names.txt"), names);
    write(
        &d.join("shared.kdl"),
        "isp \"G\" { domains-file \"shared.txt\" }\nisp \"N\" { domains-file \"names.txt\" }\n",
    );
    let long = |c: char| c.to_string().repeat(20_000);
    let mut suggestions = String::new();
    for c in ['a', 'b', 'c', 'd', 'e'] {
        suggestions.push_str(&format!(
            "isp \"{}\" {{ domains \"{c}.example\" }}\ndelete \"{}x\"\n",
            long(c),
            long(c)
        ));
    }
    write(&d.join("suggestions.kdl"), suggestions);
    let limit = Duration::from_secs(120);
    for file in [
        "cover.kdl",
        "many-globs.kdl",
        "shared.kdl",
        "suggestions.kdl",
    ] {
        run_in(d, &["check", "--no-defaults", file], None, limit);
    }
    let out = run_in(
        d,
        &["build", "--no-defaults", "many-globs.kdl", "-o", "g.isptab"],
        None,
        limit,
    );
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    let out = run_in(
        d,
        &["lookup", "--table", "g.isptab", "x.example", "g77x.zz77"],
        None,
        limit,
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "x.example\t-\tnone\t-\ng77x.zz77\tG\tglob\tg77?.zz77\n"
    );
}

/// Item 12: a file of a million mistakes gives a bounded report: at most 100
/// diagnostics of a code, a count of the rest, memory bounded by the input.
#[test]
fn diagnostics_are_capped() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(&d.join("huge.kdl"), "a\n".repeat(2 * 1024 * 1024 - 10));
    let out = run(
        d,
        &["check", "--no-defaults", "huge.kdl", "--format", "short"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        all_output(&out).contains("more than 200000 nodes"),
        "{}",
        all_output(&out)
    );
    write(&d.join("many.kdl"), "a\n".repeat(30_000));
    write(
        &d.join("two.kdl"),
        "include \"many.kdl\"\ninclude \"many2.kdl\"\n",
    );
    write(&d.join("many2.kdl"), "b\n".repeat(30_000));
    for format in FORMATS {
        let out = run(
            d,
            &["check", "--no-defaults", "two.kdl", "--format", format],
        );
        assert_eq!(out.status.code(), Some(1));
        let all = all_output(&out);
        assert!(all.len() < 1_000_000, "{format}: {} bytes", all.len());
        if format == "json" {
            let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(report["diagnostics"].as_array().unwrap().len(), 100);
            assert_eq!(report["summary"]["errors"], 60_000);
            assert_eq!(report["summary"]["omitted"], 59_900);
        }
        if format == "short" || format == "human" {
            assert!(
                all.contains("59900 not shown"),
                "{format}: {}",
                &all[all.len() - 300..]
            );
        }
    }
}

/// Item 13: a FIFO or a device anywhere a file is read is refused at once, with a
/// clear error, instead of blocking forever or reading without end.
#[test]
fn fifos_and_devices_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    rustix::fs::mkfifoat(
        rustix::fs::CWD,
        d.join("fifo"),
        rustix::fs::Mode::from(0o644),
    )
    .unwrap();
    write(&d.join("include.kdl"), "include \"fifo\"\n");
    write(&d.join("list.kdl"), "isp \"A\" { domains-file \"fifo\" }\n");
    write(&d.join("ok.kdl"), "isp \"A\" { domains \"a.example\" }\n");
    symlink("/dev/zero", d.join("zero.isptab"));
    symlink("/dev/zero", d.join("zero.kdl"));
    let limit = Duration::from_secs(20);
    let cases: &[(&[&str], i32, &str)] = &[
        (&["check", "--no-defaults", "include.kdl"], 1, "FIFO"),
        (&["check", "--no-defaults", "list.kdl"], 1, "FIFO"),
        (&["check", "--no-defaults", "fifo"], 2, "FIFO"),
        (
            &["check", "--no-defaults", "zero.kdl", "--root", "/"],
            2,
            "character device",
        ),
        (&["lookup", "--table", "fifo", "a.example"], 2, "FIFO"),
        (
            &["lookup", "--table", "zero.isptab", "a.example"],
            2,
            "character device",
        ),
        (&["dump", "fifo"], 2, "FIFO"),
        (
            &["build", "--check", "--no-defaults", "ok.kdl", "-o", "fifo"],
            2,
            "FIFO",
        ),
        (
            &[
                "build",
                "--check",
                "--no-defaults",
                "ok.kdl",
                "-o",
                "zero.isptab",
            ],
            1,
            "symbolic link",
        ),
        (&["fmt", "fifo"], 2, "FIFO"),
        (&["fmt", "/dev/zero"], 2, "character device"),
    ];
    for (args, code, says) in cases {
        let out = run_in(d, args, None, limit);
        let all = all_output(&out);
        assert_eq!(out.status.code(), Some(*code), "{args:?}: {all}");
        assert!(all.contains(says), "{args:?}: {all}");
    }
}

/// Item 14: a query line of megabytes without a newline is answered `invalid`
/// on one short line, echoed cut; memory does not grow with it.
#[test]
fn lookup_caps_query_lines() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        &d.join("isptab.kdl"),
        "isp \"A\" { domains \"a.example\" }\n",
    );
    run(d, &["build", "--no-defaults", "-o", "t.isptab"]);
    let mut input = vec![b'a'; 20 << 20];
    input.extend_from_slice(b"\na.example\n");
    let out = run_in(
        d,
        &["lookup", "--table", "t.isptab", "-"],
        Some(&input),
        Duration::from_secs(60),
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{}", &text[..200.min(text.len())]);
    assert!(lines[0].len() < 200, "{}", lines[0]);
    assert!(lines[0].contains("20971520 bytes, cut") && lines[0].ends_with("\t-\tinvalid\t-"));
    assert_eq!(lines[1], "a.example\tA\texact\ta.example");
}

/// Item 15: `fmt` keeps files that use VT (and the other KDL line breaks) valid
/// and meaning the same.
#[test]
fn fmt_keeps_every_line_break_kind() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (name, nl) in [
        ("vt", "\u{b}"),
        ("ff", "\u{c}"),
        ("cr", "\r"),
        ("nel", "\u{85}"),
        ("ls", "\u{2028}"),
        ("ps", "\u{2029}"),
        ("crlf", "\r\n"),
    ] {
        let text = [
            "// a comment",
            "isp \"A\" {",
            "  domains \"a.example\" // why",
            "",
            "",
            "  encoding html=\"base64\"",
            "}",
            "override \"A\" { domains \"b.example\" }",
        ]
        .join(nl);
        let file = format!("{name}.kdl");
        write(&d.join(&file), &text);
        run(d, &["build", "--no-defaults", &file, "-o", "before.isptab"]);
        let out = run(d, &["fmt", &file]);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", all_output(&out));
        let out = run(d, &["build", "--no-defaults", &file, "-o", "after.isptab"]);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", all_output(&out));
        assert_eq!(
            std::fs::read(d.join("before.isptab")).unwrap(),
            std::fs::read(d.join("after.isptab")).unwrap(),
            "{name}"
        );
    }
}

/// Items 16 and 17: a dump escapes what KDL does not allow raw (bidi marks,
/// U+FEFF, line separators) so it rebuilds the same bytes; lookup answers are one
/// line per query.
#[test]
fn dumps_escape_and_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let value = "a\\u{200e}b\\u{202e}c\\u{2066}d\\u{feff}e\\u{2028}f\\u{2029}g::h##[i";
    write(
        &d.join("isptab.kdl"),
        format!(
            "isp \"Bidi\" {{\n    domains \"bidi.example\"\n    headers {{\n        add \"X-Tag\" \"{value}\"\n    }}\n}}\n"
        ),
    );
    let out = run(
        d,
        &[
            "build",
            "--no-defaults",
            "-o",
            "t.isptab",
            "--allow",
            "non-ascii-header",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    let out = run(d, &["dump", "t.isptab"]);
    assert_eq!(out.status.code(), Some(0));
    let dump = String::from_utf8(out.stdout).unwrap();
    for c in [
        '\u{200e}', '\u{202e}', '\u{2066}', '\u{feff}', '\u{2028}', '\u{2029}',
    ] {
        assert!(!dump.contains(c), "U+{:04X} raw in the dump", c as u32);
    }
    write(&d.join("dump.kdl"), &dump);
    let out = run(
        d,
        &[
            "build",
            "--no-defaults",
            "dump.kdl",
            "-o",
            "again.isptab",
            "--allow",
            "non-ascii-header",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    assert_eq!(
        std::fs::read(d.join("t.isptab")).unwrap(),
        std::fs::read(d.join("again.isptab")).unwrap()
    );
    let out = run(d, &["dump", "t.isptab", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        json["records"][0]["headers"][0]["value"],
        "a\u{200e}b\u{202e}c\u{2066}d\u{feff}e\u{2028}f\u{2029}g::h##[i"
    );
}

/// Item 18: a CR-only file is lines, not one long line; every format gives the
/// same line and column.
#[test]
fn cr_only_files_have_lines() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let record = "isp \"R{i}\" {\r    domains \"r{i}.example\"\r}\r";
    let big: String = (0..3000)
        .map(|i| record.replace("{i}", &i.to_string()))
        .collect();
    assert!(big.len() > 100_000);
    write(&d.join("big.kdl"), &big);
    let out = run(d, &["check", "--no-defaults", "big.kdl"]);
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    write(
        &d.join("small.kdl"),
        "// first\risp \"A\" {\r    domains \"a.example\" \"b..example\"\r}\r",
    );
    let short = String::from_utf8(
        run(
            d,
            &["check", "--no-defaults", "small.kdl", "--format", "short"],
        )
        .stdout,
    )
    .unwrap();
    assert!(short.starts_with("small.kdl:3:28:"), "{short}");
    let github = String::from_utf8(
        run(
            d,
            &["check", "--no-defaults", "small.kdl", "--format", "github"],
        )
        .stdout,
    )
    .unwrap();
    assert!(github.contains("line=3,col=28,"), "{github}");
    let human = String::from_utf8(run(d, &["check", "--no-defaults", "small.kdl"]).stderr).unwrap();
    assert!(human.contains("small.kdl:3:28]"), "{human}");
    let json: serde_json::Value = serde_json::from_slice(
        &run(
            d,
            &["check", "--no-defaults", "small.kdl", "--format", "json"],
        )
        .stdout,
    )
    .unwrap();
    assert_eq!(
        (
            json["diagnostics"][0]["line"].as_u64(),
            json["diagnostics"][0]["column"].as_u64()
        ),
        (Some(3), Some(28))
    );
}

/// Item 19: the stale-temporary cleanup removes only the names isptab writes;
/// bad output and table paths say what is wrong with which path.
#[test]
fn small_things_about_paths() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        &d.join("isptab.kdl"),
        "isp \"A\" { domains \"a.example\" }\n",
    );
    for keep in [
        ".t.isptab.tmp-999998-keepme",
        ".t.isptab.tmp-999998-",
        ".t.isptab.tmp-x-1",
    ] {
        write(&d.join(keep), "keep");
    }
    write(&d.join(".t.isptab.tmp-999998-3"), "stale");
    let out = run(d, &["build", "--no-defaults", "-o", "t.isptab"]);
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    for keep in [
        ".t.isptab.tmp-999998-keepme",
        ".t.isptab.tmp-999998-",
        ".t.isptab.tmp-x-1",
    ] {
        assert!(d.join(keep).exists(), "{keep} was removed");
    }
    assert!(!d.join(".t.isptab.tmp-999998-3").exists());
    std::fs::create_dir(d.join("outdir")).unwrap();
    for (args, says) in [
        (
            &["build", "--no-defaults", "-o", "outdir/"][..],
            "`outdir/`: the path names a directory",
        ),
        (
            &["build", "--no-defaults", "-o", "outdir"],
            "`outdir`: it is a directory",
        ),
        (
            &["build", "--no-defaults", "-o", "missing/t.isptab"],
            "`missing/t.isptab`: its directory `missing` cannot be opened",
        ),
        (
            &["lookup", "--table", ".", "a.example"],
            "`.`: it is a directory, not a table file",
        ),
        (
            &["dump", "outdir"],
            "`outdir`: it is a directory, not a table file",
        ),
    ] {
        let out = run(d, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            all_output(&out).contains(says),
            "{args:?}: {}",
            all_output(&out)
        );
    }
}
