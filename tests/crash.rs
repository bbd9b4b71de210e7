//! Crash safety of `isptab build`: killed at random moments, it leaves the old
//! table or the new one, whole, never a mix; the next build cleans up what killed
//! runs left; and a reader that mapped the old table keeps its answers while a new
//! one is renamed into place.

// These drive the `isptab` binary.
#![cfg(feature = "cli")]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use isptab::table::Table;

/// A configuration big enough that a build takes a noticeable time.
fn write_config(dir: &Path, name: &str, marker: &str, n: usize) {
    let mut list = String::with_capacity(n * 24);
    for i in 0..n {
        list.push_str(&format!("d{i:x}.{marker}.example\n"));
    }
    std::fs::write(dir.join(format!("{name}.txt")), list).unwrap();
    std::fs::write(
        dir.join(format!("{name}.kdl")),
        format!("isp \"{marker}\" {{\n    domains-file \"{name}.txt\"\n}}\n"),
    )
    .unwrap();
}

fn build(dir: &Path, name: &str, out: &str) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_isptab"))
        .args(["build", "--no-defaults", &format!("{name}.kdl"), "-o", out])
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

#[test]
fn killed_builds_leave_a_whole_table() {
    let dir = tempfile::tempdir().unwrap();
    write_config(dir.path(), "a", "alpha", 30_000);
    write_config(dir.path(), "b", "beta", 30_000);
    // The two complete tables a reader may find.
    let mut references = Vec::new();
    for name in ["a", "b"] {
        assert!(
            build(dir.path(), name, &format!("{name}.isptab"))
                .wait()
                .unwrap()
                .success()
        );
        references.push(std::fs::read(dir.path().join(format!("{name}.isptab"))).unwrap());
    }
    std::fs::copy(dir.path().join("a.isptab"), dir.path().join("live.isptab")).unwrap();
    // How long a whole build takes, to spread the kills over it.
    let started = std::time::Instant::now();
    build(dir.path(), "b", "timing.isptab").wait().unwrap();
    let whole = started.elapsed().as_millis().max(20) as u64;

    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let iterations = 40;
    let (mut killed, mut killed_while_writing) = (0, 0);
    for i in 0..iterations {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let mut child = build(dir.path(), if i % 4 < 2 { "b" } else { "a" }, "live.isptab");
        // Even iterations: a random moment of the whole run (mostly the check).
        // Odd ones: the moment the temporary output appears, while it is written.
        let while_writing = i % 2 == 1;
        if while_writing {
            wait_for_temporary(dir.path(), &mut child);
        } else {
            std::thread::sleep(Duration::from_millis(state % (whole + whole / 4)));
        }
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL
            killed += 1;
            killed_while_writing += usize::from(while_writing);
        }
        child.wait().unwrap();
        let live = std::fs::read(dir.path().join("live.isptab")).unwrap();
        assert!(
            references.contains(&live),
            "iteration {i}: the live table is neither the old nor the new one"
        );
        Table::from_bytes(live.as_slice())
            .unwrap()
            .verify()
            .unwrap();
    }
    assert!(
        killed >= iterations / 4,
        "only {killed} of {iterations} builds were killed mid-way"
    );
    assert!(
        killed_while_writing >= 1,
        "no build was killed while its temporary output existed"
    );
    // A build that completes removes what killed runs left behind (those of
    // processes that are gone; this PID is above any Linux pid_max).
    let stale = dir.path().join(".live.isptab.tmp-4294967295-0");
    std::fs::write(&stale, b"half a table").unwrap();
    assert!(
        build(dir.path(), "a", "live.isptab")
            .wait()
            .unwrap()
            .success()
    );
    #[cfg(target_os = "linux")]
    assert_eq!(temporaries(dir.path(), ""), Vec::<String>::new());
    // Elsewhere they are only ignored: the output is whole either way.
    assert_eq!(
        std::fs::read(dir.path().join("live.isptab")).unwrap(),
        references[0]
    );
}

/// The temporary files next to `live.isptab` (of process `pid`, or of any
/// process for "").
fn temporaries(dir: &Path, pid: &str) -> Vec<String> {
    let prefix = format!(".live.isptab.tmp-{pid}");
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(&prefix))
        .collect()
}

/// Polls until `child` has created its temporary output (or has ended).
fn wait_for_temporary(dir: &Path, child: &mut std::process::Child) {
    let pid = format!("{}-", child.id());
    while child.try_wait().unwrap().is_none() {
        if !temporaries(dir, &pid).is_empty() {
            return;
        }
        std::thread::yield_now();
    }
}

#[test]
fn a_mapped_table_keeps_answering_while_a_new_one_replaces_it() {
    let dir = tempfile::tempdir().unwrap();
    write_config(dir.path(), "a", "alpha", 1_000);
    write_config(dir.path(), "b", "beta", 1_000);
    assert!(
        build(dir.path(), "a", "live.isptab")
            .wait()
            .unwrap()
            .success()
    );
    let old = Table::open(dir.path().join("live.isptab")).unwrap();
    assert_eq!(
        old.lookup("d1.alpha.example")
            .found()
            .unwrap()
            .record
            .name(),
        "alpha"
    );
    for round in 0..5 {
        let name = if round % 2 == 0 { "b" } else { "a" };
        assert!(
            build(dir.path(), name, "live.isptab")
                .wait()
                .unwrap()
                .success()
        );
        // The old mapping still answers from the old table, all of it.
        for i in (0..1_000).step_by(97) {
            let hit = old
                .lookup(&format!("d{i:x}.alpha.example"))
                .found()
                .map(|m| m.record.name().to_string());
            assert_eq!(hit.as_deref(), Some("alpha"));
        }
        assert!(old.lookup("d1.beta.example").found().is_none());
        old.verify().unwrap();
        let new = Table::open(dir.path().join("live.isptab")).unwrap();
        let marker = if name == "b" { "beta" } else { "alpha" };
        assert_eq!(
            new.lookup(&format!("d1.{marker}.example"))
                .found()
                .unwrap()
                .record
                .name(),
            marker
        );
    }
}
