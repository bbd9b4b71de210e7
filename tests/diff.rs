//! `isptab diff` through the binary: realistic changes (a provider split, an
//! encoding change in an included file, a rename, a new defaults file between
//! two tables, a moved glob and MX pattern) in all three formats, the JSON
//! validated against schema/diff.schema.json; `--git` in a throwaway repository;
//! impact over weighted queries; exit codes; escaping of what the inputs hold.

#![cfg(feature = "cli")]

mod support;

use std::path::Path;

use support::{git, isptab, project};

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("UTF-8 output")
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8(out.stderr.clone()).expect("UTF-8 output")
}

fn validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string("schema/diff.schema.json").expect("the schema");
    let schema: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    jsonschema::validator_for(&schema).expect("a valid JSON Schema")
}

/// Runs `diff ARGS` in all three formats, snapshots each (`diff__NAME_FORMAT`),
/// validates the JSON and returns it.
fn diff_formats(dir: &Path, name: &str, args: &[&str]) -> serde_json::Value {
    let mut json = serde_json::Value::Null;
    for format in ["human", "markdown", "json"] {
        let mut all = vec!["diff", "--format", format];
        all.extend_from_slice(args);
        let out = isptab(dir, &all);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{name} {format}: {}",
            stderr(&out)
        );
        let text = stdout(&out);
        insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false, omit_expression => true }, {
            insta::assert_snapshot!(format!("diff__{name}_{format}"), text);
        });
        if format == "json" {
            json = serde_json::from_str(&text).expect("one JSON document");
            let errors: Vec<String> = validator()
                .iter_errors(&json)
                .map(|e| format!("{e} at {}", e.instance_path()))
                .collect();
            assert!(errors.is_empty(), "{name}: {errors:#?}");
        }
    }
    json
}

const ACME_DEFAULTS: &str = r#"
isp "Acme" {
    domains "acme.example" "acme.de" "acme.fr" "*.acme.example"
    mx "mx.acme.example"
}
isp "Other" {
    domains "other.example"
}
"#;

#[test]
fn a_provider_split_with_weighted_queries() {
    let dir = project(&[
        ("defaults.kdl", ACME_DEFAULTS),
        (
            "old.kdl",
            "isp \"Shop\" {\n    domains \"shop.example\"\n}\n",
        ),
        (
            "new.kdl",
            "isp \"Shop\" {\n    domains \"shop.example\"\n}\nisp \"Acme Europe\" {\n    domains \"acme.de\" \"acme.fr\" from=\"Acme\"\n    encoding html=\"base64\"\n}\n",
        ),
        (
            "queries.txt",
            "# exported from the MTA's log\n120\tacme.de\n30\tjane@ACME.FR\n500\tacme.example\n7\tshop.example\nnot a domain\n2 eu.acme.example\n",
        ),
    ]);
    let json = diff_formats(
        dir.path(),
        "provider_split",
        &[
            "--defaults",
            "defaults.kdl",
            "old.kdl",
            "new.kdl",
            "--queries",
            "queries.txt",
        ],
    );
    assert_eq!(json["moved"].as_array().unwrap().len(), 2);
    assert_eq!(json["moved"][0]["from"], "Acme");
    assert_eq!(json["moved"][0]["to"], "Acme Europe");
    assert_eq!(json["moved"][0]["origin"], "new.kdl:5");
    let impact = &json["impact"];
    assert_eq!(
        (impact["queries"].as_u64(), impact["weight"].as_u64()),
        (Some(5), Some(659))
    );
    assert_eq!(
        (
            impact["changed"].as_u64(),
            impact["changed_weight"].as_u64()
        ),
        (Some(2), Some(150))
    );
    assert_eq!(impact["invalid"], 1);
    assert_eq!(
        impact["pairs"][0]["examples"],
        serde_json::json!(["acme.de", "jane@ACME.FR"])
    );
}

#[test]
fn an_encoding_change_in_an_included_file() {
    let main = "include \"isps/outlook.kdl\"\nisp \"Shop\" {\n    domains \"shop.example\"\n}\n";
    let dir = project(&[
        ("old/isptab.kdl", main),
        (
            "old/isps/outlook.kdl",
            "override \"Outlook\" {\n    encoding html=\"base64\"\n}\n",
        ),
        ("new/isptab.kdl", main),
        (
            "new/isps/outlook.kdl",
            "override \"Outlook\" {\n    encoding html=\"quoted-printable\" text=\"base64\"\n    headers {\n        remove \"X-Mailer\"\n        add \"X-Campaign\" \"spring\"\n    }\n}\n",
        ),
        (
            "defaults.kdl",
            "isp \"Outlook\" {\n    domains \"outlook.example\" \"hotmail.example\"\n    headers {\n        add \"X-Old\" \"1\"\n    }\n}\n",
        ),
    ]);
    let json = diff_formats(
        dir.path(),
        "encoding_in_include",
        &[
            "--defaults",
            "defaults.kdl",
            "old/isptab.kdl",
            "new/isptab.kdl",
        ],
    );
    let changed = &json["changed"][0];
    assert_eq!(changed["record"], "Outlook");
    assert_eq!(changed["encodings"][0]["origin"], "new/isps/outlook.kdl:2");
    assert_eq!(changed["headers"]["new"][2]["name"], "X-Campaign");
    assert_eq!(changed["headers"]["origin"], "new/isps/outlook.kdl:4");
    // Both of its names keep their record, whose shaping changed.
    assert_eq!(json["impact"]["reshaped"], 2);
    assert_eq!(json["impact"]["changed"], 0);
}

#[test]
fn a_rename_is_not_a_remove_and_an_add() {
    let dir = project(&[
        (
            "old.kdl",
            "isp \"Ru Mail\" {\n    domains \"vkmail.example\" \"vk2.example\" \"vk3.example\"\n}\nisp \"Gone\" {\n    domains \"gone.example\"\n}\n",
        ),
        (
            "new.kdl",
            "isp \"VK Mail\" {\n    domains \"vkmail.example\" \"vk2.example\" \"vk3.example\" \"vk4.example\"\n}\n",
        ),
    ]);
    let json = diff_formats(
        dir.path(),
        "rename",
        &["--no-defaults", "old.kdl", "new.kdl"],
    );
    assert_eq!(json["records"]["renamed"][0]["from"], "Ru Mail");
    assert_eq!(json["records"]["renamed"][0]["to"], "VK Mail");
    assert_eq!(json["records"]["removed"][0]["name"], "Gone");
    assert_eq!(json["records"]["added"].as_array().unwrap().len(), 0);
    assert_eq!(json["changed"][0]["added"][0]["pattern"], "vk4.example");
}

#[test]
fn a_new_defaults_file_shows_between_two_tables() {
    let config = "isp \"Shop\" {\n    domains \"shop.example\"\n}\n";
    let newer = format!(
        "{ACME_DEFAULTS}\nisp \"Newcomer\" {{\n    domains \"newcomer.example\" \"*.newcomer.example\"\n}}\n"
    )
    .replace("\"*.acme.example\"", "\"*.acme.example\" \"acme.it\"")
    .replace("domains \"other.example\"", "domains \"other.example\"\n    encoding global=\"8bit\"");
    let dir = project(&[
        ("defaults-1.kdl", ACME_DEFAULTS),
        ("defaults-2.kdl", &newer),
        ("isptab.kdl", config),
    ]);
    for (defaults, out) in [
        ("defaults-1.kdl", "old.isptab"),
        ("defaults-2.kdl", "new.isptab"),
    ] {
        let built = isptab(
            dir.path(),
            &["build", "--defaults", defaults, "isptab.kdl", "-o", out],
        );
        assert_eq!(built.status.code(), Some(0), "{}", stderr(&built));
    }
    let json = diff_formats(
        dir.path(),
        "new_defaults_tables",
        &["old.isptab", "new.isptab"],
    );
    assert_eq!(json["old"]["kind"], "table");
    assert_eq!(json["records"]["added"][0]["name"], "Newcomer");
    assert_eq!(json["records"]["added"][0]["default"], true);
    // The same comparison from the configuration, one defaults file per side.
    let out = isptab(
        dir.path(),
        &[
            "diff",
            "--format",
            "json",
            "--old-defaults",
            "defaults-1.kdl",
            "--new-defaults",
            "defaults-2.kdl",
            "isptab.kdl",
            "isptab.kdl",
        ],
    );
    let from_config: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    assert_eq!(from_config["summary"], json["summary"]);
    assert_eq!(
        from_config["changed"][0]["added"][0]["origin"],
        "defaults-2.kdl:3"
    );
}

#[test]
fn a_moved_glob_and_mx_pattern() {
    let dir = project(&[
        (
            "old.kdl",
            "isp \"Hosting\" {\n    domains \"hosting.example\" \"mail-*.hosting.example\"\n    mx \"*.mx.hosting.example\"\n}\nisp \"Reseller\" {\n    domains \"reseller.example\"\n}\n",
        ),
        (
            "new.kdl",
            "isp \"Hosting\" {\n    domains \"hosting.example\"\n}\nisp \"Reseller\" {\n    domains \"reseller.example\" \"mail-*.hosting.example\"\n    mx \"*.mx.hosting.example\"\n}\n",
        ),
    ]);
    let json = diff_formats(
        dir.path(),
        "moved_glob",
        &["--no-defaults", "old.kdl", "new.kdl"],
    );
    let moved: Vec<(&str, &str)> = json["moved"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["pattern"].as_str().unwrap(), m["set"].as_str().unwrap()))
        .collect();
    assert_eq!(
        moved,
        [
            ("mail-*.hosting.example", "domains"),
            ("*.mx.hosting.example", "mx")
        ]
    );
    // The sample has a name the glob matches, and it changed record.
    assert_eq!(
        json["impact"]["pairs"][0]["examples"][0],
        "mail-x.hosting.example"
    );
}

#[test]
fn no_differences_and_exit_codes() {
    let dir = project(&[
        ("a.kdl", "isp \"Shop\" {\n    domains \"shop.example\"\n}\n"),
        (
            "b.kdl",
            "isp \"Shop\" {\n    domains \"shop.example\" \"shop.de\"\n}\n",
        ),
        (
            "bad.kdl",
            "isp \"Shop\" {\n    domains \"shop..example\"\n}\n",
        ),
    ]);
    let same = isptab(
        dir.path(),
        &["diff", "--no-defaults", "--exit-code", "a.kdl", "a.kdl"],
    );
    assert_eq!(same.status.code(), Some(0));
    assert!(
        stdout(&same).contains("no differences"),
        "{}",
        stdout(&same)
    );
    let differ = isptab(dir.path(), &["diff", "--no-defaults", "a.kdl", "b.kdl"]);
    assert_eq!(differ.status.code(), Some(0));
    let differ = isptab(
        dir.path(),
        &["diff", "--no-defaults", "--exit-code", "a.kdl", "b.kdl"],
    );
    assert_eq!(differ.status.code(), Some(3));
    // A side with errors is never compared: its diagnostics, exit 1, no report.
    let bad = isptab(
        dir.path(),
        &[
            "diff",
            "--no-defaults",
            "--format",
            "json",
            "a.kdl",
            "bad.kdl",
        ],
    );
    assert_eq!(bad.status.code(), Some(1));
    assert!(stdout(&bad).is_empty());
    assert!(stderr(&bad).contains("bad.kdl:2"), "{}", stderr(&bad));
    // A damaged table is an input error too.
    std::fs::write(dir.path().join("broken.isptab"), b"\x89ISPT\r\n\x1a\x04\x03\x02\x01 and then nothing that a table needs, at least sixty-four bytes long")
        .unwrap();
    let broken = isptab(
        dir.path(),
        &["diff", "--no-defaults", "a.kdl", "broken.isptab"],
    );
    assert_eq!(broken.status.code(), Some(1), "{}", stderr(&broken));
    assert!(stderr(&broken).contains("is not a valid table"));
    // Usage errors.
    for args in [
        &["diff", "a.kdl"][..],
        &["diff", "a.kdl", "b.kdl", "a.kdl"],
        &["diff", "a.kdl", "missing.kdl"],
        &["diff", "--git", "-x", "a.kdl"],
    ] {
        let out = isptab(dir.path(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn what_the_inputs_hold_is_escaped() {
    let dir = project(&[
        ("a.kdl", "isp \"Shop\" {\n    domains \"shop.example\"\n}\n"),
        (
            "b.kdl",
            "isp \"Shop\" {\n    domains \"shop.example\"\n}\nisp \"Evil](https://x.example) <b>*|\" {\n    domains \"evil.example\"\n}\nisp \"cc @octocat #1\" {\n    domains \"www.ping.example\"\n}\n",
        ),
        ("queries.txt", "3\t\u{202e}\u{1b}[31m@evil.example\n"),
    ]);
    let markdown = isptab(
        dir.path(),
        &[
            "diff",
            "--no-defaults",
            "--format",
            "markdown",
            "a.kdl",
            "b.kdl",
            "--queries",
            "queries.txt",
        ],
    );
    let text = stdout(&markdown);
    assert!(
        text.contains(r"<code>Evil\]\(https\:\/\/x\.example\) \<b\>\*\|</code>"),
        "{text}"
    );
    // Mentions, issue references and autolinks are not made inside `<code>`.
    assert!(text.contains(r"<code>cc \@octocat \#1</code>"), "{text}");
    assert!(text.contains(r"<code>www\.ping\.example</code>"), "{text}");
    assert!(
        !text.contains('\u{202e}') && !text.contains('\u{1b}'),
        "{text}"
    );
    let human = isptab(
        dir.path(),
        &[
            "diff",
            "--no-defaults",
            "a.kdl",
            "b.kdl",
            "--queries",
            "queries.txt",
        ],
    );
    let text = stdout(&human);
    assert!(text.contains(r"\u{202e}\u{1b}[31m@evil.example"), "{text}");
    for line in text.lines() {
        assert!(
            line.is_empty() || line.starts_with(' ') || line.starts_with(char::is_alphabetic),
            "a line starts with text isptab did not choose: {line:?}"
        );
    }
    let json = isptab(
        dir.path(),
        &[
            "diff",
            "--no-defaults",
            "--format",
            "json",
            "a.kdl",
            "b.kdl",
            "--queries",
            "queries.txt",
        ],
    );
    let value: serde_json::Value = serde_json::from_str(&stdout(&json)).expect("JSON");
    // JSON keeps the exact text (escaped as JSON escapes).
    assert_eq!(
        value["impact"]["pairs"][0]["examples"][0],
        "\u{202e}\u{1b}[31m@evil.example"
    );
    assert!(!stdout(&json).contains('\u{1b}'));
}

#[test]
fn git_compares_the_working_tree_with_a_revision() {
    let dir = project(&[
        (
            "repo/config/isptab.kdl",
            "include \"isps/shop.kdl\"\nisp \"Bulk\" {\n    domains-file \"bulk.txt\"\n}\n",
        ),
        (
            "repo/config/isps/shop.kdl",
            "isp \"Shop\" {\n    domains \"shop.example\"\n}\n",
        ),
        ("repo/config/bulk.txt", "bulk1.example\nbulk2.example\n"),
    ]);
    let repo = dir.path().join("repo");
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "first"]);
    // The working tree changes an included file and the domains file.
    std::fs::write(
        repo.join("config/bulk.txt"),
        "bulk1.example\nbulk3.example\n",
    )
    .unwrap();
    std::fs::write(
        repo.join("config/isps/shop.kdl"),
        "isp \"Shop\" {\n    domains \"shop.example\"\n    encoding text=\"8bit\"\n}\n",
    )
    .unwrap();
    let config = repo.join("config");
    let out = isptab(
        &config,
        &[
            "diff",
            "--no-defaults",
            "--git",
            "HEAD",
            "--format",
            "json",
            "isptab.kdl",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    assert_eq!(json["old"]["source"], "HEAD:config/isptab.kdl");
    assert_eq!(json["old"]["kind"], "git");
    assert_eq!(json["new"]["source"], "isptab.kdl");
    let changed = &json["changed"];
    let bulk = changed
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["record"] == "Bulk")
        .expect("Bulk changed");
    assert_eq!(bulk["added"][0]["pattern"], "bulk3.example");
    assert_eq!(bulk["added"][0]["origin"], "bulk.txt:2");
    assert_eq!(bulk["removed"][0]["origin"], "HEAD:config/bulk.txt:2");
    let shop = changed
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["record"] == "Shop")
        .expect("Shop changed");
    assert_eq!(shop["encodings"][0]["origin"], "isps/shop.kdl:3");
    // The default file name, and the human format.
    let human = isptab(&config, &["diff", "--no-defaults", "--git", "HEAD"]);
    assert_eq!(human.status.code(), Some(0), "{}", stderr(&human));
    assert!(
        stdout(&human).starts_with("isptab diff: HEAD:config/isptab.kdl"),
        "{}",
        stdout(&human)
    );
    // Unchanged: no differences.
    git(&repo, &["commit", "-q", "-am", "second"]);
    let same = isptab(
        &config,
        &["diff", "--no-defaults", "--git", "HEAD", "--exit-code"],
    );
    assert_eq!(same.status.code(), Some(0), "{}", stdout(&same));
    // Unknown revisions and files the revision does not have are usage errors.
    let unknown = isptab(&config, &["diff", "--no-defaults", "--git", "nope"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        stderr(&unknown).contains("not a revision"),
        "{}",
        stderr(&unknown)
    );
}

#[test]
fn git_refuses_a_symbolic_link_in_the_revision() {
    let dir = project(&[("repo/isptab.kdl", "include \"evil.kdl\"\n")]);
    let repo = dir.path().join("repo");
    std::os::unix::fs::symlink("/etc/passwd", repo.join("evil.kdl")).unwrap();
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "a link"]);
    let out = isptab(&repo, &["diff", "--no-defaults", "--git", "HEAD"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(!stderr(&out).contains("root:x:"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("`HEAD:evil.kdl` is outside the project root"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("isptab-diff-"), "{}", stderr(&out));
}

/// Runs `diff --no-defaults --format json ARGS` and returns the document.
fn diff_json(dir: &Path, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["diff", "--no-defaults", "--format", "json"];
    all.extend_from_slice(args);
    let out = isptab(dir, &all);
    assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
    serde_json::from_str(&stdout(&out)).expect("one JSON document")
}

#[test]
fn a_name_in_another_case_and_globs_in_another_order_are_listed() {
    let dir = project(&[
        (
            "a.kdl",
            "isp \"Shop\" {\n    domains \"shop.example\"\n}\nisp \"Globs\" {\n    domains \"a*.g.example\" \"b*.g.example\"\n}\n",
        ),
        (
            "b.kdl",
            "isp \"SHOP\" {\n    domains \"shop.example\"\n}\nisp \"Globs\" {\n    domains \"b*.g.example\" \"a*.g.example\"\n}\n",
        ),
    ]);
    let json = diff_json(dir.path(), &["a.kdl", "b.kdl"]);
    let renamed = &json["records"]["renamed"];
    assert_eq!(renamed.as_array().map(Vec::len), Some(1), "{json:#}");
    assert_eq!(renamed[0]["from"], "Shop");
    assert_eq!(renamed[0]["to"], "SHOP");
    let changed = json["changed"].as_array().expect("changed");
    assert_eq!(changed.len(), 1, "{json:#}");
    assert_eq!(changed[0]["record"], "Globs");
    assert_eq!(changed[0]["globs_reordered"], true);
    for format in ["human", "markdown"] {
        let out = isptab(
            dir.path(),
            &[
                "diff",
                "--no-defaults",
                "--format",
                format,
                "a.kdl",
                "b.kdl",
            ],
        );
        let text = stdout(&out);
        assert!(text.contains("globs in another order"), "{text}");
        assert!(text.contains("SHOP"), "{text}");
    }
}

/// Globs that all share their literal key make every glob's sample name try
/// every glob before it: the sample names only some of them, and says so.
#[test]
fn the_sample_of_many_globs_stays_near_linear() {
    let globs: String = (0..4000)
        .map(|i| format!("    domains \"?{i}?.same.example\"\n"))
        .collect();
    let dir = project(&[
        ("a.kdl", &format!("isp \"Old\" {{\n{globs}}}\n")),
        ("b.kdl", &format!("isp \"New\" {{\n{globs}}}\n")),
    ]);
    let json = diff_json(dir.path(), &["a.kdl", "b.kdl"]);
    let impact = &json["impact"];
    let left_out = impact["globs_not_sampled"].as_u64().expect("a count");
    // 4,000 globs on a side: every second one named (a pattern on both sides is
    // sampled once, with the old side).
    assert_eq!(left_out, 2000, "{impact:#}");
    assert_eq!(impact["queries"], 2000, "{impact:#}");
    let out = isptab(dir.path(), &["diff", "--no-defaults", "a.kdl", "b.kdl"]);
    assert!(
        stdout(&out).contains("2000 globs got no sample name"),
        "{}",
        stdout(&out)
    );
}

/// A side or a query file is opened as the compiler opens an entry file: a
/// symbolic link that leads out of its directory is refused, never read, and a
/// FIFO never blocks.
#[test]
fn sides_and_query_files_stay_in_their_directory() {
    let outside = project(&[(
        "secret.kdl",
        "isp \"Secret Record\" {\n    domains \"secret.example\"\n}\n",
    )]);
    isptab(
        outside.path(),
        &[
            "build",
            "--no-defaults",
            "secret.kdl",
            "-o",
            "secret.isptab",
        ],
    );
    std::fs::write(outside.path().join("queries.txt"), "secret.example\n").unwrap();
    let dir = project(&[("a.kdl", "isp \"Shop\" {\n    domains \"shop.example\"\n}\n")]);
    for (link, target) in [
        ("table.isptab", "secret.isptab"),
        ("config.kdl", "secret.kdl"),
        ("queries.txt", "queries.txt"),
    ] {
        std::os::unix::fs::symlink(outside.path().join(target), dir.path().join(link)).unwrap();
    }
    for side in ["table.isptab", "config.kdl"] {
        let out = isptab(dir.path(), &["diff", "--no-defaults", "a.kdl", side]);
        assert_eq!(out.status.code(), Some(1), "{side}: {}", stderr(&out));
        assert!(stderr(&out).contains("outside"), "{side}: {}", stderr(&out));
        let all = format!("{}{}", stdout(&out), stderr(&out));
        assert!(!all.contains("Secret"), "{side}: {all}");
    }
    let fifo = dir.path().join("fifo");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    for queries in ["queries.txt", "fifo"] {
        let out = isptab(
            dir.path(),
            &[
                "diff",
                "--no-defaults",
                "a.kdl",
                "a.kdl",
                "--queries",
                queries,
            ],
        );
        assert_eq!(out.status.code(), Some(2), "{queries}: {}", stderr(&out));
        assert!(stderr(&out).contains("cannot read"), "{}", stderr(&out));
    }
    // A FIFO as a side is refused too.
    let out = isptab(dir.path(), &["diff", "--no-defaults", "a.kdl", "fifo"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[test]
fn queries_and_sources_are_read_as_written() {
    let dir = project(&[
        ("a.kdl", "isp \"Shop\" {\n    domains \"shop.example\"\n}\n"),
        (
            "::warning::b.kdl",
            "isp \"Shop\" {\n    domains \"shop.de\"\n}\n",
        ),
        // A byte order mark, and counts whose sum is past 2^64.
        (
            "queries.txt",
            "\u{feff}shop.example\n18446744073709551615\tshop.de\n18446744073709551615\tshop.de\n",
        ),
    ]);
    let json = diff_json(
        dir.path(),
        &["a.kdl", "::warning::b.kdl", "--queries", "queries.txt"],
    );
    // The JSON holds the name as it is (its string escaping is JSON's).
    assert_eq!(json["new"]["source"], "::warning::b.kdl", "{json:#}");
    let impact = &json["impact"];
    assert_eq!(impact["invalid"], 0, "{impact:#}");
    assert_eq!(impact["queries"], 3, "{impact:#}");
    assert_eq!(
        impact["weight"].as_f64(),
        Some(1.0 + 2.0 * 18446744073709551615.0),
        "{impact:#}"
    );
    // The human report shows it escaped: no line starts with a workflow command.
    let out = isptab(
        dir.path(),
        &["diff", "--no-defaults", "a.kdl", "::warning::b.kdl"],
    );
    assert!(
        stdout(&out).lines().all(|l| !l.starts_with("::")),
        "{}",
        stdout(&out)
    );
    // A file that starts like a table but is cut short is a broken table, not
    // a configuration with a syntax error.
    let table = dir.path().join("a.isptab");
    isptab(
        dir.path(),
        &["build", "--no-defaults", "a.kdl", "-o", "a.isptab"],
    );
    let bytes = std::fs::read(&table).unwrap();
    std::fs::write(dir.path().join("short.isptab"), &bytes[..40]).unwrap();
    let out = isptab(
        dir.path(),
        &["diff", "--no-defaults", "a.kdl", "short.isptab"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("is not a valid table"),
        "{}",
        stderr(&out)
    );
}
