//! Structured logs on stderr, one line per event in logfmt
//! (`ts=… level=info event=reload records=81 path="/etc/isptab.isptab"`): every
//! line begins with `ts=`, and every value isptab did not write is quoted and
//! escaped (see `isptab::semantics::escape`).

use std::fmt::Write as _;
use std::io::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

/// How serious an event is.
#[derive(Clone, Copy)]
pub enum Level {
    /// Normal operation: listening, a table loaded, stopped.
    Info,
    /// Something a client did wrong, or a limit reached.
    Warn,
    /// The server could not do what it should (a table that fails to load).
    Error,
}

/// Writes one event with its fields.
pub fn event(level: Level, event: &str, fields: &[(&str, &dyn std::fmt::Display)]) {
    let level = match level {
        Level::Info => "info",
        Level::Warn => "warn",
        Level::Error => "error",
    };
    let mut line = format!(
        "ts={} level={level} event={event}",
        timestamp(SystemTime::now())
    );
    for (key, value) in fields {
        let _ = write!(line, " {key}={}", quoted(&value.to_string()));
    }
    line.push('\n');
    // A log that cannot be written is not a reason to stop answering.
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

/// A value as logfmt shows it: bare when it is plain, else quoted and escaped.
fn quoted(value: &str) -> String {
    let plain = !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._:/@+-[]".contains(&b));
    if plain {
        return value.to_string();
    }
    // Quoted as KDL quotes a string: `\\` and `\"`, and what escape() escapes
    // shown as `\n`, `\u{1b}`, so a literal backslash never reads as an escape.
    isptab::semantics::escape::kdl_string(value)
}

/// RFC 3339 in UTC with milliseconds.
fn timestamp(time: SystemTime) -> String {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let (days, seconds) = (since.as_secs() / 86_400, since.as_secs() % 86_400);
    let (year, month, day) = civil_from_days(days as i64);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60,
        since.subsec_millis()
    )
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard
/// Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn timestamps_and_values() {
        let t = UNIX_EPOCH + Duration::from_millis(1_764_648_000_123);
        assert_eq!(timestamp(t), "2025-12-02T04:00:00.123Z");
        assert_eq!(timestamp(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400); // 2000-02-29
        assert_eq!(timestamp(leap), "2000-02-29T00:00:00.000Z");
        assert_eq!(quoted("inet:127.0.0.1:25"), "inet:127.0.0.1:25");
        assert_eq!(quoted("a b"), "\"a b\"");
        assert_eq!(quoted("x\"\n"), "\"x\\\"\\n\"");
        assert_eq!(quoted("a\\n"), "\"a\\\\n\"");
        assert_eq!(quoted(""), "\"\"");
    }
}
