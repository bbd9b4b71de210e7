//! Where a server listens (`inet:HOST:PORT`, `unix:PATH`, as Postfix writes
//! socketmap addresses) and the connections it accepts.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream, ToSocketAddrs};
use std::os::fd::{AsFd, BorrowedFd};
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;
use std::time::Duration;

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
    /// A Unix socket, removed when the server stops.
    Unix(UnixListener, PathBuf),
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
                let listener = UnixListener::bind(path)
                    .map_err(|e| format!("cannot listen on `unix:{shown}`: {e}"))?;
                if let Some(mode) = mode {
                    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
                        .map_err(|e| format!("cannot set the mode of `{shown}`: {e}"))?;
                }
                Listener::Unix(listener, path.clone())
            }
        };
        // Accepts wait in poll, so a shutdown is never stuck in accept.
        match &listener {
            Listener::Tcp(l) => l.set_nonblocking(true),
            Listener::Unix(l, _) => l.set_nonblocking(true),
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
            Listener::Unix(_, path) => format!("unix:{}", path.display()),
        }
    }

    /// The next waiting connection, if any.
    pub fn accept(&self) -> io::Result<Connection> {
        let stream = match self {
            Listener::Tcp(l) => l.accept().map(|(s, _)| Stream::Tcp(s))?,
            Listener::Unix(l, _) => l.accept().map(|(s, _)| Stream::Unix(s))?,
        };
        Ok(Connection(stream))
    }

    /// Removes the socket file of a Unix listener.
    pub fn remove(&self) {
        if let Listener::Unix(_, path) = self {
            let _ = std::fs::remove_file(path);
        }
    }
}

impl AsFd for Listener {
    fn as_fd(&self) -> BorrowedFd<'_> {
        match self {
            Listener::Tcp(l) => l.as_fd(),
            Listener::Unix(l, _) => l.as_fd(),
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

    /// Ends reading: a read waiting for the next request returns at once.
    pub fn stop_reading(&self) {
        let _ = match &self.0 {
            Stream::Tcp(s) => s.shutdown(Shutdown::Read),
            Stream::Unix(s) => s.shutdown(Shutdown::Read),
        };
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
