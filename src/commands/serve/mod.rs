//! `isptab serve`: a lookup server speaking Postfix's socketmap protocol
//! (`socketmap_table(5)`): netstring requests `MAP KEY`, replies `OK DATA`,
//! `NOTFOUND `, `TEMP REASON` or `PERM REASON`.
//!
//! One thread per connection, at most `--max-connections` of them; each request
//! is answered from the table current when it arrives ([`current`]), and a
//! connection that is idle, slow or malformed is closed ([`netstring`]). SIGHUP
//! reloads the table (on the reload thread, so nothing waits for a load),
//! SIGTERM and SIGINT stop the server cleanly: no new connections, open ones end
//! after the requests they have sent.

mod current;
mod listen;
mod log;
mod maps;
mod netstring;

use std::io::{BufReader, BufWriter, ErrorKind, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

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

/// How long a shutdown waits for open connections to finish their requests.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// The shortest `--idle-timeout` (a socket timeout cannot be zero).
const MIN_IDLE: f64 = 0.001;

/// What every connection shares.
struct Shared {
    current: Current,
    template: Template,
    resolver: Option<Resolver>,
    idle: Duration,
    stopping: AtomicBool,
    /// Connections being answered.
    open: AtomicUsize,
}

impl Shared {
    fn stopping(&self) -> bool {
        self.stopping.load(Ordering::Acquire)
    }
}

pub fn run(args: &ServeArgs) -> Result<Status, UsageError> {
    // Signals first: a SIGHUP or SIGTERM that a service manager sends while the
    // table loads waits for its thread instead of killing the process.
    let signals = Signals::new([SIGHUP, SIGINT, SIGTERM])
        .map_err(|e| UsageError(format!("cannot handle signals: {e}")))?;
    let template = Template::new(&args.transport).map_err(UsageError)?;
    if !(args.idle_timeout.is_finite() && args.idle_timeout >= MIN_IDLE) {
        return Err(UsageError(format!(
            "--idle-timeout must be a number of seconds, at least {MIN_IDLE}"
        )));
    }
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
        open: AtomicUsize::new(0),
    });
    let (reload_now, reload_requests) = std::sync::mpsc::channel();
    let started = watch_signals(&shared, signals, reload_now)
        .and_then(|()| watch_file(&shared, reload_requests));
    if let Err(e) = started {
        listeners.iter().for_each(Listener::remove);
        return Err(UsageError(format!(
            "cannot start the server's threads: {e}"
        )));
    }
    let records = shared.current.get().table.records().len();
    for listener in &listeners {
        log::event(
            Level::Info,
            "listening",
            &[
                ("address", &listener.shown()),
                ("table", &args.table.display()),
                ("records", &records),
                ("max-connections", &args.max_connections),
            ],
        );
    }
    accept_until_stopped(&shared, &listeners, args.max_connections as usize);
    // Open connections see `stopping` within a tick of their socket timeout and
    // end once the requests they have sent are answered.
    let deadline = Instant::now() + SHUTDOWN_GRACE;
    while shared.open.load(Ordering::Acquire) > 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    listeners.iter().for_each(Listener::remove);
    log::event(Level::Info, "stopped", &[]);
    Ok(Status::Ok)
}

/// SIGHUP asks the reload thread to load the table now; SIGTERM and SIGINT stop
/// the server.
fn watch_signals(
    shared: &Arc<Shared>,
    mut signals: Signals,
    reload_now: Sender<()>,
) -> std::io::Result<()> {
    let shared = Arc::clone(shared);
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            for signal in signals.forever() {
                if signal == SIGHUP {
                    let _ = reload_now.send(());
                    continue;
                }
                // Later ones change nothing (and, handled here, cannot kill the
                // process before it has stopped cleanly).
                if !shared.stopping.swap(true, Ordering::AcqRel) {
                    let name = if signal == SIGTERM {
                        "SIGTERM"
                    } else {
                        "SIGINT"
                    };
                    log::event(Level::Info, "stopping", &[("signal", &name)]);
                }
            }
        })
        .map(drop)
}

/// Looks at the table file every [`current::CHECK_EVERY`], and loads it at once
/// when SIGHUP asks (several SIGHUPs waiting are one reload).
fn watch_file(shared: &Arc<Shared>, reload_requests: Receiver<()>) -> std::io::Result<()> {
    let shared = Arc::clone(shared);
    std::thread::Builder::new()
        .name("reload".into())
        .spawn(move || {
            while !shared.stopping() {
                match reload_requests.recv_timeout(current::CHECK_EVERY) {
                    Ok(()) => {
                        while reload_requests.try_recv().is_ok() {}
                        shared.current.check(true);
                    }
                    Err(RecvTimeoutError::Timeout) => shared.current.check(false),
                    Err(RecvTimeoutError::Disconnected) => {
                        std::thread::sleep(current::CHECK_EVERY);
                        shared.current.check(false);
                    }
                }
            }
        })
        .map(drop)
}

/// What went wrong with connections since it was last logged: logged at most
/// once a second, so a flood of clients cannot flood the log.
#[derive(Default)]
struct Tally {
    refused: u64,
    failed: u64,
    last_error: Option<String>,
}

impl Tally {
    fn log_every_second(&mut self, since: &mut Instant, limit: usize) {
        if since.elapsed() < Duration::from_secs(1) {
            return;
        }
        if self.refused > 0 {
            log::event(
                Level::Warn,
                "connections-refused",
                &[("count", &self.refused), ("max-connections", &limit)],
            );
        }
        if let Some(error) = &self.last_error {
            log::event(
                Level::Error,
                "connections-failed",
                &[("count", &self.failed), ("error", error)],
            );
        }
        *self = Tally::default();
        *since = Instant::now();
    }
}

/// Accepts connections until a signal stops the server; beyond the limit a
/// connection is closed at once.
fn accept_until_stopped(shared: &Arc<Shared>, listeners: &[Listener], limit: usize) {
    use rustix::event::{PollFd, PollFlags, Timespec, poll};
    let mut tally = Tally::default();
    let mut logged = Instant::now();
    while !shared.stopping() {
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
            loop {
                let connection = match listener.accept() {
                    Ok(connection) => connection,
                    Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                    Err(e) => {
                        // Out of descriptors, say: the connection waits in the
                        // backlog; pause rather than spin on it.
                        tally.failed += 1;
                        tally.last_error = Some(format!("cannot accept: {e}"));
                        std::thread::sleep(Duration::from_millis(50));
                        break;
                    }
                };
                if shared.open.load(Ordering::Acquire) >= limit {
                    tally.refused += 1;
                    continue;
                }
                if let Err(e) = start_connection(shared, connection) {
                    tally.failed += 1;
                    tally.last_error = Some(e.to_string());
                }
            }
        }
        tally.log_every_second(&mut logged, limit);
    }
}

/// Configures a connection and answers it on its own thread.
fn start_connection(shared: &Arc<Shared>, connection: Connection) -> std::io::Result<()> {
    let read_timeout = shared.idle.min(netstring::TICK);
    connection.configure(read_timeout, netstring::REQUEST_TIMEOUT)?;
    let reader = connection.try_clone()?;
    let peer = connection.peer();
    shared.open.fetch_add(1, Ordering::AcqRel);
    let thread_shared = Arc::clone(shared);
    let spawned = std::thread::Builder::new()
        .name("connection".into())
        .stack_size(256 * 1024)
        .spawn(move || {
            /// Counts the connection out however its thread ends.
            struct Open<'a>(&'a Shared);
            impl Drop for Open<'_> {
                fn drop(&mut self) {
                    self.0.open.fetch_sub(1, Ordering::AcqRel);
                }
            }
            let _open = Open(&thread_shared);
            answer_connection(&thread_shared, reader, connection, &peer);
        });
    if let Err(e) = spawned {
        shared.open.fetch_sub(1, Ordering::AcqRel);
        return Err(e);
    }
    Ok(())
}

/// Answers requests until the client closes, idles, errs or the server stops.
fn answer_connection(shared: &Shared, reader: Connection, writer: Connection, peer: &str) {
    let mut input = BufReader::with_capacity(8192, reader);
    let mut output = BufWriter::with_capacity(8192, writer);
    let mut loaded = shared.current.get();
    let mut request = Vec::new();
    let stop = || shared.stopping();
    loop {
        if stop() && input.buffer().is_empty() {
            break;
        }
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
            let error = match e.kind() {
                ErrorKind::WouldBlock | ErrorKind::TimedOut => format!(
                    "the client did not read its replies for {} seconds",
                    netstring::REQUEST_TIMEOUT.as_secs()
                ),
                _ => e.to_string(),
            };
            log::event(
                Level::Warn,
                "connection-failed",
                &[("peer", &peer), ("error", &error)],
            );
            return;
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
        escape(&args.transport)
    );
    for (record, slug) in loaded.table.records().zip(&loaded.slugs) {
        let Some(service) = template.service(slug) else {
            return Err(UsageError(format!(
                "--master-cf needs `{{slug}}` in the transport of the template (as `smtp-{{slug}}:`), not `{}`",
                escape(&args.transport)
            )));
        };
        text.push_str(&format!(
            "# {}\n{service}  unix  -  -  -  -  -  smtp\n  -o syslog_name=postfix/{service}\n",
            escape(record.name())
        ));
    }
    Ok(text)
}
