//! Netstrings (`LEN:DATA,`), the framing of Postfix's socketmap protocol, read
//! with a bound on their length and on the time one request may take, so a
//! malformed, huge or slow request costs a bounded buffer and a bounded wait.

use std::io::{self, BufRead, ErrorKind, Write};
use std::time::{Duration, Instant};

/// The longest request read (`MAP KEY`): a domain is at most 253 bytes and an
/// address 254, so a longer request cannot be a query.
pub const MAX_REQUEST: usize = 4096;

/// How long the bytes of one request may take to arrive once the first came.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Why no request was read.
#[derive(Debug)]
pub enum ReadError {
    /// The client closed the connection between requests.
    Closed,
    /// No request began within the idle timeout.
    Idle,
    /// The request declares more than [`MAX_REQUEST`] bytes.
    TooLong(u64),
    /// Not a netstring.
    Malformed(&'static str),
    /// The request did not arrive within [`REQUEST_TIMEOUT`].
    Slow,
    /// The connection failed.
    Io(io::Error),
}

/// Whether an error is a read timeout of the socket.
fn timed_out(e: &io::Error) -> bool {
    matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)
}

/// How often a read waiting on the socket wakes up to look at the clock and
/// at `stop`: the socket's read timeout.
pub const TICK: Duration = Duration::from_secs(1);

/// Reads one request into `data`. The socket's read timeout must be at most
/// [`TICK`]; `idle` bounds the wait for a request to begin, and `stop` ends that
/// wait (a shutdown; a request already begun is read to its end).
pub fn read(
    input: &mut impl BufRead,
    data: &mut Vec<u8>,
    idle: Duration,
    stop: &dyn Fn() -> bool,
) -> Result<(), ReadError> {
    data.clear();
    let waiting = Instant::now();
    // The first byte: the client may wait as long as the idle timeout allows.
    let first = loop {
        match input.fill_buf() {
            Ok([]) => return Err(ReadError::Closed),
            Ok(bytes) => break bytes[0],
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) if timed_out(&e) => {
                if stop() || waiting.elapsed() >= idle {
                    return Err(ReadError::Idle);
                }
            }
            Err(e) => return Err(ReadError::Io(e)),
        }
    };
    if !first.is_ascii_digit() {
        return Err(ReadError::Malformed("a request begins with its length"));
    }
    let started = Instant::now();
    let mut next = || -> Result<u8, ReadError> {
        loop {
            if started.elapsed() > REQUEST_TIMEOUT {
                return Err(ReadError::Slow);
            }
            match input.fill_buf() {
                Ok([]) => return Err(ReadError::Malformed("the connection closed mid-request")),
                Ok(bytes) => {
                    let byte = bytes[0];
                    input.consume(1);
                    return Ok(byte);
                }
                Err(e) if e.kind() == ErrorKind::Interrupted || timed_out(&e) => {}
                Err(e) => return Err(ReadError::Io(e)),
            }
        }
    };
    let mut length: u64 = 0;
    let mut digits = 0;
    loop {
        match next()? {
            b':' if digits > 0 => break,
            // Netstrings have no leading zeros (a length of 0 is `0:`).
            b'0'..=b'9' if digits == 1 && length == 0 => {
                return Err(ReadError::Malformed("a length has no leading zeros"));
            }
            byte @ b'0'..=b'9' if digits < 10 => {
                length = length * 10 + u64::from(byte - b'0');
                digits += 1;
            }
            b'0'..=b'9' => return Err(ReadError::TooLong(length)),
            _ => return Err(ReadError::Malformed("expected `:` after the length")),
        }
    }
    if length > MAX_REQUEST as u64 {
        return Err(ReadError::TooLong(length));
    }
    for _ in 0..length {
        data.push(next()?);
    }
    if next()? != b',' {
        return Err(ReadError::Malformed("expected `,` after the data"));
    }
    Ok(())
}

/// Writes one netstring.
pub fn write(out: &mut impl Write, data: &str) -> io::Result<()> {
    write!(out, "{}:{},", data.len(), data)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(bytes: &[u8]) -> Result<Vec<u8>, ReadError> {
        let mut data = Vec::new();
        read(&mut &bytes[..], &mut data, Duration::ZERO, &|| false).map(|()| data)
    }

    #[test]
    fn requests_and_their_errors() {
        assert_eq!(one(b"13:isp gmail.com,").unwrap(), b"isp gmail.com");
        assert_eq!(one(b"0:,").unwrap(), b"");
        assert!(matches!(one(b""), Err(ReadError::Closed)));
        assert!(matches!(one(b"x:"), Err(ReadError::Malformed(_))));
        assert!(matches!(one(b"3:abc;"), Err(ReadError::Malformed(_))));
        assert!(matches!(one(b"3abc,"), Err(ReadError::Malformed(_))));
        assert!(matches!(one(b":abc,"), Err(ReadError::Malformed(_))));
        assert!(matches!(one(b"5:abc"), Err(ReadError::Malformed(_))));
        assert!(matches!(one(b"4097:"), Err(ReadError::TooLong(4097))));
        assert!(matches!(
            one(b"013:isp gmail.com,"),
            Err(ReadError::Malformed(_))
        ));
        assert!(matches!(one(b"00:,"), Err(ReadError::Malformed(_))));
        assert!(matches!(
            one(b"99999999999999999999:"),
            Err(ReadError::TooLong(_))
        ));
        let mut out = Vec::new();
        write(&mut out, "OK Gmail").unwrap();
        assert_eq!(out, b"8:OK Gmail,");
    }
}
