//! `isptab serve` over its sockets: the socketmap protocol (every reply kind,
//! malformed, over-long and slow requests), limits, reloading a replaced table,
//! SIGHUP and SIGTERM, Unix sockets, and a load test with the table replaced
//! twenty times while 32 clients ask.
#![cfg(feature = "cli")]

mod support;

use std::io::{BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use support::{Server, ask, build, command, project, read_reply};

/// Whether the server closed the connection (a read gives its end).
fn closed(stream: &mut TcpStream) -> bool {
    let mut rest = Vec::new();
    stream.read_to_end(&mut rest).is_ok() && rest.is_empty()
}

const RECORDS: &str = r#"
isp "Acme Mail" {
    domains "acme.example" "*.acme.example"
    mx "*.mx.acme.example"
}
isp "Почта" {
    domains "pochta.example"
}
isp "acme mail!" {
    domains "acme-mail.example"
}
"#;

fn table_dir() -> tempfile::TempDir {
    let dir = project(&[("isptab.kdl", RECORDS)]);
    build(dir.path(), "isptab.kdl", "t.isptab");
    dir
}

#[test]
fn maps_and_replies() {
    let dir = table_dir();
    let server = Server::start(dir.path(), &["--table", "t.isptab"], "inet:127.0.0.1:0");
    let mut c = server.connect();
    assert_eq!(ask(&mut c, "isp user@acme.example"), "OK Acme Mail");
    assert_eq!(ask(&mut c, "isp A.B.ACME.example."), "OK Acme Mail");
    assert_eq!(ask(&mut c, "isp user@gmail.com"), "OK Gmail");
    // Slugs: lowercase ASCII; two names with the same slug, and a name with no
    // ASCII letter, get a hash of their name.
    let acme = ask(&mut c, "slug acme.example");
    let other = ask(&mut c, "slug acme-mail.example");
    assert!(acme.starts_with("OK acme-mail-") && acme.len() == "OK acme-mail-".len() + 8);
    assert!(
        other.starts_with("OK acme-mail-") && other != acme,
        "{other}"
    );
    assert!(ask(&mut c, "slug pochta.example").starts_with("OK isp-"));
    assert_eq!(ask(&mut c, "slug gmail.com"), "OK gmail");
    assert_eq!(ask(&mut c, "transport x@gmail.com"), "OK smtp-gmail:");
    // Misses, invalid keys and Postfix's parent-domain keys are NOTFOUND.
    for key in ["nowhere.example", ".acme.example", "", "a..b", "user@"] {
        assert_eq!(ask(&mut c, &format!("isp {key}")), "NOTFOUND ", "{key:?}");
    }
    // MX patterns need --resolve: without it a hosted domain is not found.
    assert_eq!(ask(&mut c, "isp hosted.example"), "NOTFOUND ");
    assert!(ask(&mut c, "nope gmail.com").starts_with("PERM no map `nope`"));
    assert!(ask(&mut c, "isp").starts_with("PERM expected `MAP KEY`"));
    // Pipelined requests are answered in order.
    c.write_all(b"13:isp gmail.com,16:isp acme.example,")
        .unwrap();
    assert_eq!(read_reply(&mut c).unwrap(), "OK Gmail");
    assert_eq!(read_reply(&mut c).unwrap(), "OK Acme Mail");
    assert_eq!(server.stop(), Some(0));
}

#[test]
fn bad_requests_get_perm_and_a_closed_connection() {
    let dir = table_dir();
    let server = Server::start(dir.path(), &["--table", "t.isptab"], "inet:127.0.0.1:0");
    for (bytes, reply) in [
        (
            &b"5000:"[..],
            "PERM request of 5000 bytes, longer than 4096 bytes",
        ),
        (b"99999999999999999999:", "PERM request of 9999999999 bytes"),
        (
            b"x",
            "PERM not a netstring: a request begins with its length",
        ),
        (
            b"3;abc,",
            "PERM not a netstring: expected `:` after the length",
        ),
        (
            b"3:abc;",
            "PERM not a netstring: expected `,` after the data",
        ),
        (
            b"013:isp gmail.com,",
            "PERM not a netstring: a length has no leading zeros",
        ),
    ] {
        let mut c = server.connect();
        c.write_all(bytes).unwrap();
        let got = read_reply(&mut c).unwrap();
        assert!(got.starts_with(reply), "{bytes:?}: {got}");
        assert!(closed(&mut c), "{bytes:?}");
    }
    // A client that closes mid-request, and one that sends garbage bytes.
    let mut c = server.connect();
    c.write_all(b"10:isp").unwrap();
    drop(c);
    let mut c = server.connect();
    c.write_all(&[0xff; 10_000]).unwrap();
    assert!(read_reply(&mut c).unwrap().starts_with("PERM"));
    // The server still answers.
    assert_eq!(ask(&mut server.connect(), "isp gmail.com"), "OK Gmail");
    assert!(server.log().iter().any(|l| l.contains("event=bad-request")));
    assert!(server.log().iter().all(|l| l.starts_with("ts=")));
    assert_eq!(server.stop(), Some(0));
}

#[test]
fn idle_and_slow_clients_are_closed() {
    let dir = table_dir();
    let server = Server::start(
        dir.path(),
        &["--table", "t.isptab", "--idle-timeout", "1"],
        "inet:127.0.0.1:0",
    );
    let start = Instant::now();
    let mut idle = server.connect();
    assert!(closed(&mut idle));
    assert!(start.elapsed() < Duration::from_secs(10));
    // A request that trickles in is cut off after 10 seconds.
    let mut slow = server.connect();
    let start = Instant::now();
    slow.write_all(b"4000:").unwrap();
    while start.elapsed() < Duration::from_secs(13) {
        if slow.write_all(b"a").is_err() {
            break;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    let got = read_reply(&mut slow).unwrap_or_default();
    assert!(got.contains("not complete within 10 seconds"), "{got}");
    assert_eq!(server.stop(), Some(0));
}

#[test]
fn connections_beyond_the_limit_are_closed() {
    let dir = table_dir();
    let server = Server::start(
        dir.path(),
        &["--table", "t.isptab", "--max-connections", "2"],
        "inet:127.0.0.1:0",
    );
    let mut held: Vec<TcpStream> = (0..2).map(|_| server.connect()).collect();
    for c in &mut held {
        assert_eq!(ask(c, "isp gmail.com"), "OK Gmail");
    }
    let mut third = server.connect();
    assert!(closed(&mut third));
    assert!(server.wait_for_log("event=connections-refused", Duration::from_secs(5)));
    drop(held);
    // Freed slots are used again.
    let start = Instant::now();
    loop {
        let mut c = server.connect();
        let _ = write!(c, "13:isp gmail.com,");
        if let Ok(reply) = read_reply(&mut c) {
            assert_eq!(reply, "OK Gmail");
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "no slot freed");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(server.stop(), Some(0));
}

/// A table whose record for `acme.example` is named `name`.
fn config(name: &str) -> String {
    format!("isp \"{name}\" {{\n    domains \"acme.example\" \"*.acme.example\"\n}}\n")
}

/// Replaces `t.isptab` by rename, as `isptab build` does.
fn replace(dir: &Path, from: &Path) {
    let temporary = dir.join(".t.isptab.new");
    std::fs::copy(from, &temporary).unwrap();
    std::fs::rename(&temporary, dir.join("t.isptab")).unwrap();
}

#[test]
fn reloads_on_rename_and_sighup_and_keeps_the_old_table_when_the_new_fails() {
    let dir = project(&[("one.kdl", &config("One")), ("two.kdl", &config("Two"))]);
    build(dir.path(), "one.kdl", "t.isptab");
    build(dir.path(), "two.kdl", "two.isptab");
    let server = Server::start(dir.path(), &["--table", "t.isptab"], "inet:127.0.0.1:0");
    let mut c = server.connect();
    assert_eq!(ask(&mut c, "isp acme.example"), "OK One");
    // Rename: the open connection sees the new table within a second.
    replace(dir.path(), &dir.path().join("two.isptab"));
    let start = Instant::now();
    while ask(&mut c, "isp acme.example") != "OK Two" {
        assert!(start.elapsed() < Duration::from_secs(2), "not reloaded");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        start.elapsed() <= Duration::from_secs(1),
        "{:?}",
        start.elapsed()
    );
    // A broken file: logged, the old table kept.
    let mut bytes = std::fs::read(dir.path().join("t.isptab")).unwrap();
    bytes.truncate(bytes.len() / 2);
    std::fs::write(dir.path().join("broken"), &bytes).unwrap();
    replace(dir.path(), &dir.path().join("broken"));
    assert!(server.wait_for_log("event=reload-failed", Duration::from_secs(5)));
    assert_eq!(ask(&mut c, "isp acme.example"), "OK Two");
    // A huge file that is not a table: refused from its header, at once.
    let huge = std::fs::File::create(dir.path().join("huge")).unwrap();
    huge.set_len(64 << 30).unwrap();
    std::fs::rename(dir.path().join("huge"), dir.path().join("t.isptab")).unwrap();
    assert!(server.wait_for_log("wrong magic bytes", Duration::from_secs(5)));
    assert_eq!(ask(&mut c, "isp acme.example"), "OK Two");
    // SIGHUP reloads at once (here: the same broken file, failing again), and
    // then a good one.
    build(dir.path(), "one.kdl", "t.isptab");
    server.signal("-HUP");
    assert!(server.wait_for_log("forced=true", Duration::from_secs(5)));
    assert_eq!(ask(&mut c, "isp acme.example"), "OK One");
    // A missing file keeps the table too.
    std::fs::remove_file(dir.path().join("t.isptab")).unwrap();
    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(ask(&mut c, "isp acme.example"), "OK One");
    assert_eq!(server.stop(), Some(0));
}

#[test]
fn unix_sockets_and_clean_shutdown() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::net::UnixStream;
    let dir = table_dir();
    let socket: PathBuf = dir.path().join("isptab.sock");
    // A stale socket (no server) is replaced.
    drop(std::os::unix::net::UnixListener::bind(&socket).unwrap());
    let listen = format!("unix:{}", socket.display());
    let server = Server::start(
        dir.path(),
        &["--table", "t.isptab", "--socket-mode", "660"],
        &listen,
    );
    let mode = std::fs::metadata(&socket).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o660);
    let mut c = UnixStream::connect(&socket).unwrap();
    let transport = ask(&mut c, "transport user@acme.example");
    assert!(transport.starts_with("OK smtp-acme-mail-"), "{transport}");
    // A second server on the same socket is refused while the first runs.
    let second = command(
        dir.path(),
        &["serve", "--table", "t.isptab", "--listen", &listen],
    )
    .output()
    .unwrap();
    assert_eq!(second.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&second.stderr).contains("already listens"));
    // Another server that took the path (after the socket was removed) keeps
    // its socket when the first one stops.
    std::fs::remove_file(&socket).unwrap();
    let other = Server::start(dir.path(), &["--table", "t.isptab"], &listen);
    let mut c2 = UnixStream::connect(&socket).unwrap();
    assert_eq!(ask(&mut c2, "isp gmail.com"), "OK Gmail");
    // SIGTERM: the open connection is closed, exit 0; the other server's socket
    // stays, and goes when it stops.
    assert_eq!(server.stop(), Some(0));
    assert!(socket.exists());
    assert_eq!(ask(&mut c2, "isp gmail.com"), "OK Gmail");
    drop(c2);
    assert_eq!(other.stop(), Some(0));
    assert!(!socket.exists());
    let mut rest = Vec::new();
    assert_eq!(c.read_to_end(&mut rest).unwrap_or(0), 0);
    // Not a socket: refused, left alone.
    std::fs::write(&socket, "data").unwrap();
    let refused = command(
        dir.path(),
        &["serve", "--table", "t.isptab", "--listen", &listen],
    )
    .output()
    .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("is not a socket"));
    assert_eq!(std::fs::read_to_string(&socket).unwrap(), "data");
}

#[test]
fn usage_errors() {
    let dir = table_dir();
    for (args, message) in [
        (&["--table", "t.isptab"][..], "give an address to listen on"),
        (
            &["--table", "missing.isptab", "--listen", "inet:127.0.0.1:0"],
            "cannot read",
        ),
        (
            &["--table", "t.isptab", "--listen", "tcp:1"],
            "is not an address",
        ),
        (
            &[
                "--table",
                "t.isptab",
                "--listen",
                "inet:127.0.0.1:0",
                "--transport",
                "{name}",
            ],
            "placeholder other than",
        ),
        (
            &["--table", "t.isptab", "--socket-mode", "999"],
            "is not a mode",
        ),
        (
            &["--table", "t.isptab", "--master-cf", "--transport", "relay"],
            "TRANSPORT:NEXTHOP",
        ),
        (
            &[
                "--table",
                "t.isptab",
                "--master-cf",
                "--transport",
                "relay:[{slug}.example]",
            ],
            "needs `{slug}` in the transport",
        ),
        (
            &["--table", "t.isptab", "--transport", "smtp\u{202e}-{slug}:"],
            "invisible",
        ),
        (
            &[
                "--table",
                "t.isptab",
                "--listen",
                "inet:127.0.0.1:0",
                "--max-connections",
                "0",
            ],
            "0 is not in",
        ),
        (
            &[
                "--table",
                "t.isptab",
                "--listen",
                "inet:127.0.0.1:0",
                "--idle-timeout",
                "1e-12",
            ],
            "at least",
        ),
    ] {
        let mut all = vec!["serve"];
        all.extend_from_slice(args);
        let out = command(dir.path(), &all).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(message), "{args:?}: {err}");
    }
}

#[test]
fn master_cf_lists_a_service_per_record() {
    let dir = table_dir();
    let out = command(dir.path(), &["serve", "--table", "t.isptab", "--master-cf"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains(
        "# Gmail\nsmtp-gmail  unix  -  -  -  -  -  smtp\n  -o syslog_name=postfix/smtp-gmail\n"
    ));
    assert!(text.contains("# Почта\nsmtp-isp-"));
}

/// The load test: 32 clients, each `ISPTAB_SERVE_QUERIES` queries (default
/// 100,000) one at a time, while the table is replaced 20 times; no error, and
/// every answer comes from a table no older than the last one a client saw.
#[test]
fn load_with_twenty_reloads() {
    const CLIENTS: usize = 32;
    const TABLES: usize = 21;
    let queries: usize = std::env::var("ISPTAB_SERVE_QUERIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let files: Vec<(String, String)> = (0..TABLES)
        .map(|i| (format!("gen{i:02}.kdl"), config(&format!("Gen {i:02}"))))
        .collect();
    let borrowed: Vec<(&str, &str)> = files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let dir = project(&borrowed);
    for i in 0..TABLES {
        let out = command(
            dir.path(),
            &[
                "build",
                "--no-defaults",
                &format!("gen{i:02}.kdl"),
                "-o",
                &format!("gen{i:02}.isptab"),
            ],
        )
        .output()
        .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    std::fs::copy(dir.path().join("gen00.isptab"), dir.path().join("t.isptab")).unwrap();
    let server = Server::start(dir.path(), &["--table", "t.isptab"], "inet:127.0.0.1:0");
    let port = server.port();
    let done = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|client| {
            let done = Arc::clone(&done);
            std::thread::spawn(move || -> Result<Vec<u32>, String> {
                let stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
                stream
                    .set_read_timeout(Some(Duration::from_secs(30)))
                    .map_err(|e| e.to_string())?;
                stream.set_nodelay(true).map_err(|e| e.to_string())?;
                let mut reader = BufReader::new(stream.try_clone().map_err(|e| e.to_string())?);
                let mut writer = stream;
                let mut newest = 0;
                let mut latencies = Vec::with_capacity(queries);
                for i in 0..queries {
                    let (request, hit) = match i % 4 {
                        0 => (format!("isp u{client}x{i}@acme.example"), true),
                        1 => (format!("isp h{i}.c{client}.acme.example"), true),
                        2 => (format!("isp n{i}.nowhere.example"), false),
                        _ => ("isp ACME.example".to_string(), true),
                    };
                    let start = Instant::now();
                    write!(writer, "{}:{request},", request.len()).map_err(|e| e.to_string())?;
                    let reply = read_reply(&mut reader)?;
                    latencies.push(start.elapsed().as_micros() as u32);
                    if !hit {
                        if reply != "NOTFOUND " {
                            return Err(format!("{request}: {reply}"));
                        }
                        continue;
                    }
                    let generation: usize = reply
                        .strip_prefix("OK Gen ")
                        .and_then(|g| g.parse().ok())
                        .ok_or_else(|| format!("{request}: {reply}"))?;
                    if generation < newest {
                        return Err(format!("{request}: Gen {generation} after Gen {newest}"));
                    }
                    newest = generation;
                }
                done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                Ok(latencies)
            })
        })
        .collect();
    // Twenty replacements while the clients run, each watched from one more
    // connection until the new table answers (the reload latency under load).
    let mut replaced = 0;
    let mut watcher = server.connect();
    let mut reload_latencies = Vec::new();
    for i in 1..TABLES {
        std::thread::sleep(Duration::from_millis(100));
        if done.load(std::sync::atomic::Ordering::Relaxed) < CLIENTS {
            replaced += 1;
        }
        replace(dir.path(), &dir.path().join(format!("gen{i:02}.isptab")));
        let replaced_at = Instant::now();
        let expected = format!("OK Gen {i:02}");
        while ask(&mut watcher, "isp acme.example") != expected {
            assert!(
                replaced_at.elapsed() < Duration::from_secs(5),
                "Gen {i:02} not answered"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        reload_latencies.push(replaced_at.elapsed());
    }
    reload_latencies.sort_unstable();
    let mut latencies = Vec::new();
    for client in clients {
        latencies.extend(
            client
                .join()
                .expect("a client thread")
                .expect("a client without errors"),
        );
    }
    let elapsed = started.elapsed();
    let total = latencies.len();
    assert_eq!(total, CLIENTS * queries);
    latencies.sort_unstable();
    eprintln!(
        "serve load: {CLIENTS} clients x {queries} queries in {:.2} s = {:.0} queries/s, \
         p50 {} us, p99 {} us, max {} us; {replaced} of 20 replacements while clients ran, \
         each answered after a median {} ms, at most {} ms",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64(),
        latencies[total / 2],
        latencies[total * 99 / 100],
        latencies[total - 1],
        reload_latencies[reload_latencies.len() / 2].as_millis(),
        reload_latencies[reload_latencies.len() - 1].as_millis(),
    );
    // Every replacement was answered within a second.
    assert!(
        reload_latencies.iter().all(|l| *l < Duration::from_secs(1)),
        "{reload_latencies:?}"
    );
    assert_eq!(replaced, 20, "the clients finished before the replacements");
    let reloads = server
        .log()
        .iter()
        .filter(|l| l.contains("event=reloaded"))
        .count();
    assert!(reloads >= 1, "{:?}", server.log());
    assert!(
        !server.log().iter().any(|l| l.contains("level=error")),
        "{:?}",
        server.log()
    );
    assert_eq!(server.stop(), Some(0));
}

#[test]
fn every_record_has_its_own_slug() {
    // Two names with one plain slug get hashed slugs; a third record is named as
    // one of those hashed slugs reads.
    let hashed = |name: &str| format!("{:08x}", xxhash_rust::xxh3::xxh3_64(name.as_bytes()) as u32);
    let third = format!("Acme {}", hashed("Acme"));
    let config = format!(
        "isp \"Acme\" {{\n    domains \"a1.example\"\n}}\nisp \"Acme!\" {{\n    domains \"a2.example\"\n}}\nisp \"{third}\" {{\n    domains \"a3.example\"\n}}\n"
    );
    let dir = project(&[("isptab.kdl", &config)]);
    build(dir.path(), "isptab.kdl", "t.isptab");
    let server = Server::start(dir.path(), &["--table", "t.isptab"], "inet:127.0.0.1:0");
    let mut c = server.connect();
    let slugs: Vec<String> = ["a1.example", "a2.example", "a3.example"]
        .iter()
        .map(|d| ask(&mut c, &format!("slug {d}")))
        .collect();
    assert_eq!(slugs[2], format!("OK acme-{}", hashed("Acme")));
    assert_ne!(slugs[0], slugs[2]);
    assert_ne!(slugs[0], slugs[1]);
    assert_ne!(slugs[1], slugs[2]);
    assert_eq!(server.stop(), Some(0));
    let out = command(dir.path(), &["serve", "--table", "t.isptab", "--master-cf"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let mut services: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("smtp-"))
        .map(|l| l.split(' ').next().unwrap_or(""))
        .collect();
    let all = services.len();
    services.sort_unstable();
    services.dedup();
    assert_eq!(services.len(), all, "{text}");
}

#[test]
fn a_request_half_sent_at_sigterm_is_answered() {
    let dir = table_dir();
    let server = Server::start(dir.path(), &["--table", "t.isptab"], "inet:127.0.0.1:0");
    let mut c = server.connect();
    assert_eq!(ask(&mut c, "isp gmail.com"), "OK Gmail");
    c.write_all(b"13:isp gm").unwrap();
    c.flush().unwrap();
    std::thread::sleep(Duration::from_millis(200));
    server.signal("-TERM");
    std::thread::sleep(Duration::from_millis(300));
    c.write_all(b"ail.com,").unwrap();
    assert_eq!(read_reply(&mut c).unwrap(), "OK Gmail");
    assert!(closed(&mut c));
    let mut server = server;
    assert_eq!(server.wait_exit(), Some(0));
    assert!(
        server.log().iter().all(|l| !l.contains("bad-request")),
        "{:?}",
        server.log()
    );
}
