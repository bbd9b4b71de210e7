//! Where a server listens (`inet:HOST:PORT`, `unix:PATH`, as Postfix writes
//! socketmap addresses) and the connections it accepts.

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream, ToSocketAddrs};
use std::os::fd::{AsFd, BorrowedFd};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;
use std::time::Duration;

use rustix::fs::Mode;

/// A `--listen` address.
#[derive(Clone, Debug)]
pub enum Address {
    /// `inet:HOST:PORT`
    Inet(String),
    /// `unix:PATH`
    Unix(PathBuf),
}

impl std::str::FromStr for Address {
    type Err = String;

    fn from_str(text: &str) -> Result<Address, String> {
        if let Some(host_port) = text.strip_prefix("inet:") {
            return Ok(Address::Inet(host_port.to_string()));
        }
        if let Some(path) = text.strip_prefix("unix:").filter(|p| !p.is_empty()) {
            return Ok(Address::Unix(PathBuf::from(path)));
        }
        Err(format!(
            "`{text}` is not an address: write `inet:HOST:PORT` (e.g. inet:127.0.0.1:9900) or `unix:PATH`"
        ))
    }
}

/// A bound listener.
pub enum Listener {
    /// TCP.
    Tcp(TcpListener),
    /// A Unix socket, removed when the server stops if the file at its path is
    /// still the one it bound (device and inode).
    Unix(UnixListener, PathBuf, (u64, u64)),
}

impl Listener {
    /// Binds an address. An existing Unix socket is replaced only when no server
    /// answers on it; any other file there is left alone and is an error.
    pub fn bind(address: &Address, mode: Option<u32>) -> Result<Listener, String> {
        let listener = match address {
            Address::Inet(host_port) => {
                let addr = host_port
                    .to_socket_addrs()
                    .map_err(|e| format!("cannot resolve `inet:{host_port}`: {e}"))?
                    .next()
                    .ok_or_else(|| format!("`inet:{host_port}` names no address"))?;
                let listener = TcpListener::bind(addr)
                    .map_err(|e| format!("cannot listen on `inet:{host_port}`: {e}"))?;
                Listener::Tcp(listener)
            }
            Address::Unix(path) => {
                let shown = path.display();
                if let Ok(meta) = std::fs::symlink_metadata(path) {
                    if !meta.file_type().is_socket() {
                        return Err(format!("`{shown}` exists and is not a socket"));
                    }
                    if UnixStream::connect(path).is_ok() {
                        return Err(format!("a server already listens on `unix:{shown}`"));
                    }
                    std::fs::remove_file(path)
                        .map_err(|e| format!("cannot remove the stale socket `{shown}`: {e}"))?;
                }
                // The mode is set by the umask at bind, not by a chmod of the
                // path afterwards (which would follow whatever is there then).
                // No other thread runs yet, so the process-wide umask is ours.
                let old =
                    mode.map(|m| rustix::process::umask(Mode::from_bits_truncate(!m & 0o777)));
                let bound = UnixListener::bind(path);
                if let Some(old) = old {
                    rustix::process::umask(old);
                }
                let listener =
                    bound.map_err(|e| format!("cannot listen on `unix:{shown}`: {e}"))?;
                let meta = std::fs::symlink_metadata(path)
                    .map_err(|e| format!("cannot look at `unix:{shown}`: {e}"))?;
                let identity = (meta.dev(), meta.ino());
                Listener::Unix(listener, path.clone(), identity)
            }
        };
        // Accepts wait in poll, so a shutdown is never stuck in accept.
        match &listener {
            Listener::Tcp(l) => l.set_nonblocking(true),
            Listener::Unix(l, ..) => l.set_nonblocking(true),
        }
        .map_err(|e| format!("cannot configure the listener: {e}"))?;
        Ok(listener)
    }

    /// The address as a client writes it (with the port given by the system
    /// for port 0).
    pub fn shown(&self) -> String {
        match self {
            Listener::Tcp(l) => match l.local_addr() {
                Ok(addr) => format!("inet:{addr}"),
                Err(_) => "inet:?".to_string(),
            },
            Listener::Unix(_, path, _) => format!("unix:{}", path.display()),
        }
    }

    /// The next waiting connection, if any.
    pub fn accept(&self) -> io::Result<Connection> {
        let stream = match self {
            Listener::Tcp(l) => l.accept().map(|(s, _)| Stream::Tcp(s))?,
            Listener::Unix(l, ..) => l.accept().map(|(s, _)| Stream::Unix(s))?,
        };
        Ok(Connection(stream))
    }

    /// Removes the socket file of a Unix listener, unless another file (another
    /// server's socket) has taken its path since.
    pub fn remove(&self) {
        if let Listener::Unix(_, path, identity) = self
            && let Ok(meta) = std::fs::symlink_metadata(path)
            && (meta.dev(), meta.ino()) == *identity
        {
            let _ = std::fs::remove_file(path);
        }
    }
}

impl AsFd for Listener {
    fn as_fd(&self) -> BorrowedFd<'_> {
        match self {
            Listener::Tcp(l) => l.as_fd(),
            Listener::Unix(l, ..) => l.as_fd(),
        }
    }
}

enum Stream {
    Tcp(TcpStream),
    Unix(UnixStream),
}

/// An accepted connection.
pub struct Connection(Stream);

impl Connection {
    /// Blocking reads and writes with these timeouts.
    pub fn configure(&self, read: Duration, write: Duration) -> io::Result<()> {
        match &self.0 {
            Stream::Tcp(s) => {
                s.set_nonblocking(false)?;
                s.set_nodelay(true)?;
                s.set_read_timeout(Some(read))?;
                s.set_write_timeout(Some(write))
            }
            Stream::Unix(s) => {
                s.set_nonblocking(false)?;
                s.set_read_timeout(Some(read))?;
                s.set_write_timeout(Some(write))
            }
        }
    }

    /// A second handle on the same connection.
    pub fn try_clone(&self) -> io::Result<Connection> {
        Ok(Connection(match &self.0 {
            Stream::Tcp(s) => Stream::Tcp(s.try_clone()?),
            Stream::Unix(s) => Stream::Unix(s.try_clone()?),
        }))
    }

    /// Who is connected (for logs).
    pub fn peer(&self) -> String {
        match &self.0 {
            Stream::Tcp(s) => s
                .peer_addr()
                .map_or_else(|_| "inet:?".into(), |a| format!("inet:{a}")),
            Stream::Unix(_) => "unix".to_string(),
        }
    }
}

impl Read for Connection {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match &mut self.0 {
            Stream::Tcp(s) => s.read(buf),
            Stream::Unix(s) => s.read(buf),
        }
    }
}

impl Write for Connection {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.0 {
            Stream::Tcp(s) => s.write(buf),
            Stream::Unix(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.0 {
            Stream::Tcp(s) => s.flush(),
            Stream::Unix(s) => s.flush(),
        }
    }
}
