//! What the tests that drive the `isptab` binary as a long-running process share:
//! a project directory, a table built in it, and a child that answers line by line.
#![allow(dead_code)] // each test file uses a part

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Output, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Duration;

use tempfile::TempDir;

/// How long a test waits for one answer before it fails (a lost answer must fail
/// the test, not hang it).
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(20);

/// The binary under test.
pub fn command(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_isptab"));
    command.args(args).current_dir(dir).env("NO_COLOR", "1");
    command
}

/// Runs the binary to its end.
pub fn isptab(dir: &Path, args: &[&str]) -> Output {
    command(dir, args).output().expect("run isptab")
}

/// A temporary directory holding the given files.
pub fn project(files: &[(&str, &str)]) -> TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    for (name, text) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create a directory");
        }
        std::fs::write(path, text).expect("write a file");
    }
    dir
}

/// `isptab build FILE -o OUT` in `dir`, which must succeed.
pub fn build(dir: &Path, file: &str, out: &str) {
    let done = isptab(dir, &["build", file, "-o", out]);
    assert_eq!(
        done.status.code(),
        Some(0),
        "build {file}: {}",
        String::from_utf8_lossy(&done.stderr)
    );
}

/// A child process fed line by line, whose output lines are read as they come.
pub struct Coprocess {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
}

impl Coprocess {
    /// Starts the binary with piped stdin and stdout (stderr is inherited).
    pub fn start(dir: &Path, args: &[&str]) -> Coprocess {
        let mut child = command(dir, args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start isptab");
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("piped stdout");
        let (send, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        Coprocess {
            child,
            stdin,
            lines,
        }
    }

    /// Writes one line (without closing stdin).
    pub fn send(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin still open");
        stdin
            .write_all(format!("{line}\n").as_bytes())
            .and_then(|()| stdin.flush())
            .expect("write to the child");
    }

    /// Takes stdin, to write from another thread; closing it ends the input.
    pub fn take_stdin(&mut self) -> ChildStdin {
        self.stdin.take().expect("stdin still open")
    }

    /// The next output line; fails the test if none comes in time.
    pub fn next_line(&self) -> String {
        match self.lines.recv_timeout(ANSWER_TIMEOUT) {
            Ok(line) => line,
            Err(RecvTimeoutError::Timeout) => panic!("no answer within {ANSWER_TIMEOUT:?}"),
            Err(RecvTimeoutError::Disconnected) => panic!("the child closed its output"),
        }
    }

    /// Sends a line and waits for the one line that answers it.
    pub fn ask(&mut self, line: &str) -> String {
        self.send(line);
        self.next_line()
    }

    /// Closes stdin and waits for the exit code; the remaining lines are returned.
    pub fn finish(mut self) -> (Option<i32>, Vec<String>) {
        drop(self.stdin.take());
        let status = self.child.wait().expect("wait for the child");
        (status.code(), self.lines.iter().collect())
    }
}

impl Drop for Coprocess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
