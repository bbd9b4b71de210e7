//! `isptab serve`: a lookup server speaking Postfix's socketmap protocol
//! (`socketmap_table(5)`): netstring requests `MAP KEY`, replies `OK DATA`,
//! `NOTFOUND `, `TEMP REASON` or `PERM REASON`.
//!
//! One thread per connection, at most `--max-connections` of them; each request
//! is answered from the table current when it arrives ([`current`]), and a
//! connection that is idle, slow or malformed is closed ([`netstring`]). SIGHUP
//! reloads the table, SIGTERM and SIGINT stop the server cleanly: no new
//! connections, open ones end after the request they are answering.

mod current;
mod listen;
mod log;
mod maps;
mod netstring;

use std::collections::HashMap;
use std::io::{BufReader, BufWriter, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use isptab::compiler::resolve::Resolver;
use isptab::semantics::escape::escape;

use self::current::Current;
pub use self::listen::Address as ListenAddress;
use self::listen::{Connection, Listener};
use self::log::Level;
use self::maps::{Answering, Reply, Template};
use self::netstring::ReadError;
use super::{Status, UsageError};
use crate::cli::ServeArgs;

/// How long a shutdown waits for open connections to finish their request.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// What every connection shares.
struct Shared {
    current: Current,
    template: Template,
    resolver: Option<Resolver>,
    idle: Duration,
    stopping: AtomicBool,
    /// Open connections (a second handle each, to end them on shutdown).
    open: Mutex<HashMap<u64, Connection>>,
}

pub fn run(args: &ServeArgs) -> Result<Status, UsageError> {
    let template = Template::new(&args.transport).map_err(UsageError)?;
    let current = Current::start(&args.table).map_err(UsageError)?;
    if args.master_cf {
        super::output::write_stdout(&master_cf(&current, &template, args)?)?;
        return Ok(Status::Ok);
    }
    if args.listen.is_empty() {
        return Err(UsageError(
            "give an address to listen on: --listen inet:127.0.0.1:9900 or --listen unix:PATH"
                .into(),
        ));
    }
    if !(args.idle_timeout.is_finite() && args.idle_timeout > 0.0) {
        return Err(UsageError(
            "--idle-timeout must be a positive number of seconds".into(),
        ));
    }
    let resolver = match args.dns.resolve {
        true => Some(super::dns::resolver(&args.dns)?),
        false => None,
    };
    let mut listeners = Vec::new();
    for address in &args.listen {
        match Listener::bind(address, args.socket_mode) {
            Ok(listener) => listeners.push(listener),
            Err(e) => {
                listeners.iter().for_each(Listener::remove);
                return Err(UsageError(e));
            }
        }
    }
    let shared = Arc::new(Shared {
        current,
        template,
        resolver,
        idle: Duration::from_secs_f64(args.idle_timeout.min(1e9)),
        stopping: AtomicBool::new(false),
        open: Mutex::new(HashMap::new()),
    });
    let signals = watch_signals(&shared);
    if let Err(e) = signals {
        listeners.iter().for_each(Listener::remove);
        return Err(UsageError(format!("cannot handle signals: {e}")));
    }
    watch_file(&shared);
    let loaded = shared.current.get();
    for listener in &listeners {
        log::event(
            Level::Info,
            "listening",
            &[
                ("address", &listener.shown()),
                ("table", &args.table.display()),
                ("records", &loaded.table.records().len()),
                ("max-connections", &args.max_connections),
            ],
        );
    }
    drop(loaded);
    accept_until_stopped(&shared, &listeners, args.max_connections);
    // Open connections end after the request they are answering.
    for connection in lock(&shared.open).values() {
        connection.stop_reading();
    }
    let deadline = Instant::now() + SHUTDOWN_GRACE;
    while !lock(&shared.open).is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    listeners.iter().for_each(Listener::remove);
    log::event(Level::Info, "stopped", &[]);
    Ok(Status::Ok)
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// SIGHUP reloads the table; SIGTERM and SIGINT stop the server.
fn watch_signals(shared: &Arc<Shared>) -> std::io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGHUP, SIGINT, SIGTERM])?;
    let shared = Arc::clone(shared);
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            for signal in signals.forever() {
                if signal == SIGHUP {
                    shared.current.check(true);
                } else {
                    let name = if signal == SIGTERM {
                        "SIGTERM"
                    } else {
                        "SIGINT"
                    };
                    log::event(Level::Info, "stopping", &[("signal", &name)]);
                    shared.stopping.store(true, Ordering::Release);
                    break;
                }
            }
        })?;
    Ok(())
}

/// Looks at the table file every [`current::CHECK_EVERY`].
fn watch_file(shared: &Arc<Shared>) {
    let shared = Arc::clone(shared);
    let spawned = std::thread::Builder::new()
        .name("reload".into())
        .spawn(move || {
            while !shared.stopping.load(Ordering::Acquire) {
                std::thread::sleep(current::CHECK_EVERY);
                shared.current.check(false);
            }
        });
    if let Err(e) = spawned {
        log::event(
            Level::Error,
            "no-reload",
            &[("error", &format!("cannot watch the table file: {e}"))],
        );
    }
}

/// Accepts connections until a signal stops the server; beyond the limit a
/// connection is closed at once (and counted in one log line a second).
fn accept_until_stopped(shared: &Arc<Shared>, listeners: &[Listener], limit: usize) {
    use rustix::event::{PollFd, PollFlags, Timespec, poll};
    let next_id = AtomicU64::new(0);
    let mut refused = 0u64;
    let mut refused_logged = Instant::now();
    while !shared.stopping.load(Ordering::Acquire) {
        let mut fds: Vec<PollFd<'_>> = listeners
            .iter()
            .map(|l| PollFd::new(l, PollFlags::IN))
            .collect();
        let tick = Timespec {
            tv_sec: 0,
            tv_nsec: 200_000_000,
        };
        if poll(&mut fds, Some(&tick)).is_err() {
            continue; // EINTR: a signal
        }
        let ready: Vec<bool> = fds.iter().map(|f| !f.revents().is_empty()).collect();
        for (listener, _) in listeners.iter().zip(ready).filter(|(_, r)| *r) {
            while let Ok(connection) = listener.accept() {
                if lock(&shared.open).len() >= limit {
                    refused += 1;
                    drop(connection);
                    continue;
                }
                let id = next_id.fetch_add(1, Ordering::Relaxed);
                start_connection(shared, id, connection);
            }
        }
        if refused > 0 && refused_logged.elapsed() >= Duration::from_secs(1) {
            log::event(
                Level::Warn,
                "connections-refused",
                &[("count", &refused), ("max-connections", &limit)],
            );
            refused = 0;
            refused_logged = Instant::now();
        }
    }
}

/// Registers a connection and answers it on its own thread.
fn start_connection(shared: &Arc<Shared>, id: u64, connection: Connection) {
    let peer = connection.peer();
    let registered = connection
        .try_clone()
        .map(|handle| lock(&shared.open).insert(id, handle));
    if let Err(e) = registered {
        log::event(
            Level::Error,
            "connection-failed",
            &[("peer", &peer), ("error", &e)],
        );
        return;
    }
    let thread_shared = Arc::clone(shared);
    let spawned = std::thread::Builder::new()
        .name("connection".into())
        .stack_size(256 * 1024)
        .spawn(move || {
            /// Unregisters the connection however its thread ends.
            struct Registered<'a>(&'a Shared, u64);
            impl Drop for Registered<'_> {
                fn drop(&mut self) {
                    lock(&self.0.open).remove(&self.1);
                }
            }
            let _registered = Registered(&thread_shared, id);
            answer_connection(&thread_shared, connection, &peer);
        });
    if let Err(e) = spawned {
        lock(&shared.open).remove(&id);
        log::event(Level::Error, "connection-failed", &[("error", &e)]);
    }
}

/// Answers requests until the client closes, idles, errs or the server stops.
fn answer_connection(shared: &Shared, connection: Connection, peer: &str) {
    let read_timeout = shared.idle.min(netstring::REQUEST_TIMEOUT);
    let reader = match connection
        .configure(read_timeout, netstring::REQUEST_TIMEOUT)
        .and_then(|()| connection.try_clone())
    {
        Ok(reader) => reader,
        Err(e) => {
            log::event(
                Level::Error,
                "connection-failed",
                &[("peer", &peer), ("error", &e)],
            );
            return;
        }
    };
    let mut input = BufReader::with_capacity(8192, reader);
    let mut output = BufWriter::with_capacity(8192, connection);
    let mut loaded = shared.current.get();
    let mut request = Vec::new();
    let stop = || shared.stopping.load(Ordering::Acquire);
    loop {
        let refusal = match netstring::read(&mut input, &mut request, shared.idle, &stop) {
            Ok(()) => None,
            Err(ReadError::Closed | ReadError::Idle) => break,
            Err(ReadError::TooLong(length)) => Some(format!(
                "request of {length} bytes, longer than {} bytes",
                netstring::MAX_REQUEST
            )),
            Err(ReadError::Malformed(why)) => Some(format!("not a netstring: {why}")),
            Err(ReadError::Slow) => Some(format!(
                "request not complete within {} seconds",
                netstring::REQUEST_TIMEOUT.as_secs()
            )),
            Err(ReadError::Io(e)) => {
                log::event(
                    Level::Warn,
                    "connection-failed",
                    &[("peer", &peer), ("error", &e)],
                );
                break;
            }
        };
        if let Some(reason) = refusal {
            // The stream cannot be followed further: say why, then close it.
            log::event(
                Level::Warn,
                "bad-request",
                &[("peer", &peer), ("reason", &reason)],
            );
            let _ = netstring::write(&mut output, &Reply::Perm(reason).to_string());
            let _ = output.flush();
            break;
        }
        if shared.current.generation() != loaded.generation {
            loaded = shared.current.get();
        }
        let answering = Answering {
            table: &loaded.table,
            slugs: &loaded.slugs,
            template: &shared.template,
            resolver: shared.resolver.as_ref(),
        };
        let reply = answering.reply(&request).to_string();
        // Pipelined requests are answered together; a waiting client at once.
        let written = netstring::write(&mut output, &reply).and_then(|()| {
            if input.buffer().is_empty() {
                output.flush()
            } else {
                Ok(())
            }
        });
        if let Err(e) = written {
            log::event(
                Level::Warn,
                "connection-failed",
                &[("peer", &peer), ("error", &e)],
            );
            break;
        }
    }
    let _ = output.flush();
}

/// `--master-cf`: a master.cf service per record, named as `--transport` names
/// the record's transport.
fn master_cf(
    current: &Current,
    template: &Template,
    args: &ServeArgs,
) -> Result<String, UsageError> {
    let loaded = current.get();
    let mut text = format!(
        "# master.cf services for the records of {} (isptab serve --master-cf):\n\
         # one smtp(8) client per record, named as --transport {} names it.\n",
        escape(&args.table.display().to_string()),
        args.transport
    );
    for (record, slug) in loaded.table.records().zip(&loaded.slugs) {
        let transport = template.fill(slug);
        let Some((service, _)) = transport.split_once(':').filter(|(s, _)| !s.is_empty()) else {
            return Err(UsageError(format!(
                "--master-cf needs a transport template `SERVICE:NEXTHOP` (as `smtp-{{slug}}:`), not `{}`",
                args.transport
            )));
        };
        text.push_str(&format!(
            "# {}\n{service}  unix  -  -  -  -  -  smtp\n  -o syslog_name=postfix/{service}\n",
            escape(record.name())
        ));
    }
    Ok(text)
}
