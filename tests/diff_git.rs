//! `isptab diff --git REV` reads the blobs as committed, in a throwaway
//! repository: `.gitattributes` (`export-subst`, `export-ignore`) changes
//! nothing, directory names are not pathspec magic, the repository's path is
//! taken byte for byte, symbolic links inside the revision are kept, submodules
//! are named when an include reaches into one, and a file missing from the
//! working tree is reported as such.

#![cfg(feature = "cli")]

mod support;

use std::path::Path;
use std::process::Output;

use support::{git, isptab, project};

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("UTF-8 output")
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).expect("UTF-8 output")
}

/// A repository at `dir/repo_name` holding `files`, committed once.
fn committed(dir: &Path, repo_name: &str) -> std::path::PathBuf {
    let repo = dir.join(repo_name);
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "first"]);
    repo
}

/// `diff --no-defaults --git HEAD ARGS` in `dir`, which must find no differences.
fn assert_no_differences(dir: &Path, args: &[&str]) {
    let mut all = vec!["diff", "--no-defaults", "--git", "HEAD", "--exit-code"];
    all.extend_from_slice(args);
    let out = isptab(dir, &all);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let text = stdout(&out);
    assert_eq!(text.lines().nth(1), Some("no differences"), "{text}");
}

#[test]
fn export_subst_is_not_applied() {
    let dir = project(&[
        (
            "repo/isptab.kdl",
            "isp \"Shop $Format:%h$\" {\n    domains \"shop.example\"\n}\n",
        ),
        ("repo/.gitattributes", "*.kdl export-subst\n"),
    ]);
    let repo = committed(dir.path(), "repo");
    assert_no_differences(&repo, &[]);
}

#[test]
fn export_ignore_does_not_hide_an_included_file() {
    let dir = project(&[
        ("repo/isptab.kdl", "include \"inc.kdl\"\n"),
        (
            "repo/inc.kdl",
            "isp \"Shop\" {\n    domains-file \"shop.txt\"\n}\n",
        ),
        ("repo/shop.txt", "shop.example\n"),
        (
            "repo/.gitattributes",
            "inc.kdl export-ignore\nshop.txt export-ignore\n",
        ),
    ]);
    let repo = committed(dir.path(), "repo");
    assert_no_differences(&repo, &[]);
}

#[test]
fn a_directory_whose_name_starts_with_a_colon_is_not_pathspec_magic() {
    let dir = project(&[
        ("repo/:x/isptab.kdl", "include \"inc.kdl\"\n"),
        (
            "repo/:x/inc.kdl",
            "isp \"Shop\" {\n    domains \"shop.example\"\n}\n",
        ),
    ]);
    let repo = committed(dir.path(), "repo");
    assert_no_differences(&repo.join(":x"), &[]);
    // A change is seen, and named with the directory.
    std::fs::write(
        repo.join(":x/inc.kdl"),
        "isp \"Shop\" {\n    domains \"shop.example\" \"shop2.example\"\n}\n",
    )
    .expect("write");
    let out = isptab(
        &repo.join(":x"),
        &["diff", "--no-defaults", "--git", "HEAD", "--format", "json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    assert_eq!(json["old"]["source"], "HEAD::x/isptab.kdl");
    assert_eq!(json["changed"][0]["added"][0]["pattern"], "shop2.example");
}

#[test]
fn a_repository_path_ending_in_a_space_works() {
    let dir = project(&[(
        "sp /isptab.kdl",
        "isp \"Shop\" {\n    domains \"shop.example\"\n}\n",
    )]);
    let repo = committed(dir.path(), "sp ");
    assert_no_differences(&repo, &[]);
}

#[test]
fn symbolic_links_inside_the_revision_are_kept() {
    let dir = project(&[
        ("repo/isptab.kdl", "include \"alias.kdl\"\n"),
        (
            "repo/isps/shop.kdl",
            "isp \"Shop\" {\n    domains \"shop.example\"\n}\n",
        ),
    ]);
    std::os::unix::fs::symlink("isps/shop.kdl", dir.path().join("repo/alias.kdl"))
        .expect("a symbolic link");
    let repo = committed(dir.path(), "repo");
    assert_no_differences(&repo, &[]);
}

#[test]
fn a_missing_file_is_named_on_the_side_it_is_missing_from() {
    let dir = project(&[(
        "repo/isptab.kdl",
        "isp \"Shop\" {\n    domains \"shop.example\"\n}\n",
    )]);
    let repo = committed(dir.path(), "repo");
    // Not in the working tree (nor at HEAD).
    let out = isptab(
        &repo,
        &["diff", "--no-defaults", "--git", "HEAD", "missing.kdl"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("`missing.kdl` does not exist in the working tree"),
        "{}",
        stderr(&out)
    );
    let out = isptab(
        &repo,
        &[
            "diff",
            "--no-defaults",
            "--git",
            "HEAD",
            "nodir/missing.kdl",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("`nodir/missing.kdl` does not exist in the working tree"),
        "{}",
        stderr(&out)
    );
    // In the working tree, not at HEAD.
    std::fs::write(
        repo.join("new.kdl"),
        "isp \"New\" {\n    domains \"new.example\"\n}\n",
    )
    .expect("write");
    let out = isptab(
        &repo,
        &["diff", "--no-defaults", "--git", "HEAD", "new.kdl"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("`new.kdl` does not exist at HEAD"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn an_include_inside_a_submodule_names_the_submodule() {
    let dir = project(&[(
        "repo/isptab.kdl",
        "isp \"Shop\" {\n    domains \"shop.example\"\n}\n",
    )]);
    let repo = committed(dir.path(), "repo");
    // A submodule entry (a commit in the tree); its commit need not be here.
    let head = git(&repo, &["rev-parse", "HEAD"]);
    let cacheinfo = format!("160000,{},sub", head.trim_end());
    git(&repo, &["update-index", "--add", "--cacheinfo", &cacheinfo]);
    std::fs::write(repo.join("isptab.kdl"), "include \"sub/x.kdl\"\n").expect("write");
    git(&repo, &["add", "isptab.kdl"]);
    git(&repo, &["commit", "-q", "-m", "a submodule"]);
    std::fs::create_dir(repo.join("sub")).expect("a directory");
    std::fs::write(
        repo.join("sub/x.kdl"),
        "isp \"Shop\" {\n    domains \"shop.example\"\n}\n",
    )
    .expect("write");
    let out = isptab(&repo, &["diff", "--no-defaults", "--git", "HEAD"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("`sub` is a git submodule"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("isptab-diff-"), "{}", stderr(&out));
}
