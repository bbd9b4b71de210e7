//! What the tests that drive the `isptab` binary as a long-running process share:
//! a project directory, a table built in it, a child that answers line by line,
//! and `isptab serve` with a socketmap client.
#![allow(dead_code)] // each test file uses a part

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Output, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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

/// Runs the binary with `input` on stdin (written from another thread, so a
/// large input cannot block on a full output pipe), stdout and stderr captured.
pub fn isptab_stdin(dir: &Path, args: &[&str], input: &str) -> Output {
    let mut child = command(dir, args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start isptab");
    let mut stdin = child.stdin.take().expect("piped stdin");
    let input = input.to_string();
    let writer = std::thread::spawn(move || {
        // The child may exit before reading everything (a usage error).
        let _ = stdin.write_all(input.as_bytes());
    });
    let output = child.wait_with_output().expect("wait for isptab");
    writer.join().expect("the stdin writer");
    output
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

/// A running server and what it logs.
pub struct Server {
    child: Child,
    log: Arc<Mutex<Vec<String>>>,
    address: String,
}

impl Server {
    /// Starts `isptab serve ARGS --listen ADDRESS` in `dir` and waits until it
    /// listens (`inet:127.0.0.1:0` picks a free port).
    pub fn start(dir: &Path, args: &[&str], listen: &str) -> Server {
        let mut all = vec!["serve"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--listen", listen]);
        let mut child = command(dir, &all)
            .stderr(Stdio::piped())
            .spawn()
            .expect("start isptab serve");
        let stderr = child.stderr.take().expect("piped stderr");
        let log = Arc::new(Mutex::new(Vec::new()));
        let (send, listening) = std::sync::mpsc::channel();
        let lines = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if line.contains("event=listening") {
                    let _ = send.send(line.clone());
                }
                lines.lock().unwrap().push(line);
            }
        });
        let line = listening
            .recv_timeout(Duration::from_secs(20))
            .unwrap_or_else(|_| panic!("the server did not start: {:?}", log.lock().unwrap()));
        let address = line
            .split(' ')
            .find_map(|f| f.strip_prefix("address="))
            .expect("the address in the log")
            .to_string();
        Server {
            child,
            log,
            address,
        }
    }

    pub fn port(&self) -> u16 {
        let port = self.address.rsplit(':').next().expect("a port");
        port.parse().expect("a port number")
    }

    pub fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(("127.0.0.1", self.port())).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .expect("a timeout");
        stream
    }

    pub fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// Waits until a logged line contains `text`.
    pub fn wait_for_log(&self, text: &str, within: Duration) -> bool {
        let start = Instant::now();
        while start.elapsed() < within {
            if self.log().iter().any(|l| l.contains(text)) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    pub fn signal(&self, signal: &str) {
        let done = std::process::Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(done.success());
    }

    /// SIGTERM, then the exit code.
    pub fn stop(mut self) -> Option<i32> {
        self.signal("-TERM");
        self.wait_exit()
    }

    /// The exit code, once the server has stopped by itself (within 20 s).
    pub fn wait_exit(&mut self) -> Option<i32> {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status.code();
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "the server did not stop"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One request, one reply (the reply's netstring payload).
pub fn ask(stream: &mut impl ReadWrite, request: &str) -> String {
    write!(stream, "{}:{request},", request.len()).expect("send a request");
    stream.flush().expect("flush");
    read_reply(stream).expect("a reply")
}

pub trait ReadWrite: Read + Write {}
impl<T: Read + Write> ReadWrite for T {}

pub fn read_reply(stream: &mut impl Read) -> Result<String, String> {
    let mut length = 0usize;
    let mut byte = [0u8];
    loop {
        stream.read_exact(&mut byte).map_err(|e| e.to_string())?;
        match byte[0] {
            b':' => break,
            d @ b'0'..=b'9' => length = length * 10 + usize::from(d - b'0'),
            other => return Err(format!("bad byte {other}")),
        }
    }
    let mut data = vec![0; length + 1];
    stream.read_exact(&mut data).map_err(|e| e.to_string())?;
    assert_eq!(data.pop(), Some(b','));
    String::from_utf8(data).map_err(|e| e.to_string())
}

/// Runs git in `dir` with a fixed identity (no global configuration needed);
/// its stdout. A failing git fails the test.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
