//! Terminal facts and writing results: colour only on a terminal and never with
//! `NO_COLOR`; a closed pipe (`isptab ... | head`) is not an error.

use std::io::{IsTerminal, Write};

use crate::cli::ColorChoice;

/// Whether to colour output written to stderr.
pub fn stderr_color(choice: ColorChoice) -> bool {
    color(choice, || std::io::stderr().is_terminal())
}

/// Whether to colour output written to stdout.
pub fn stdout_color(choice: ColorChoice) -> bool {
    color(choice, || std::io::stdout().is_terminal())
}

/// `auto` colours a terminal unless `NO_COLOR` is set (and not empty).
fn color(choice: ColorChoice, is_terminal: impl FnOnce() -> bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
            !no_color && is_terminal()
        }
    }
}

/// Whether stderr is a terminal (progress is shown only there).
pub fn stderr_is_terminal() -> bool {
    std::io::stderr().is_terminal()
}

/// The width to wrap stderr reports at.
pub fn stderr_width() -> usize {
    terminal_size::terminal_size_of(std::io::stderr())
        .map(|(w, _)| w.0 as usize)
        .unwrap_or(100)
        .clamp(60, 160)
}

/// A path for a message, escaped (it may come from a pull request).
pub fn shown_path(path: &std::path::Path) -> String {
    isptab::semantics::escape::escape(&path.to_string_lossy()).into_owned()
}

/// Writes `text` to stdout, treating a closed pipe as success.
pub fn write_stdout(text: &str) -> std::io::Result<()> {
    ignore_broken_pipe(std::io::stdout().lock().write_all(text.as_bytes()))
}

/// Writes `text` to stderr.
pub fn write_stderr(text: &str) -> std::io::Result<()> {
    ignore_broken_pipe(std::io::stderr().lock().write_all(text.as_bytes()))
}

fn ignore_broken_pipe(result: std::io::Result<()>) -> std::io::Result<()> {
    match result {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// `812 B`, `12.3 KiB`, `86.0 MiB`.
pub fn human_bytes(n: usize) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut value = n as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// `850 µs`, `12 ms`, `2.31 s`.
pub fn human_duration(d: std::time::Duration) -> String {
    let micros = d.as_micros();
    match micros {
        0..1_000 => format!("{micros} µs"),
        1_000..1_000_000 => format!("{} ms", micros / 1_000),
        _ => format!("{:.2} s", d.as_secs_f64()),
    }
}

/// "63 records, 832 patterns" and ", 13 MX patterns" when there are any.
pub fn counts(records: usize, patterns: usize, mx_patterns: usize) -> String {
    let mut text = format!("{records} records, {patterns} patterns");
    match mx_patterns {
        0 => {}
        1 => text.push_str(", 1 MX pattern"),
        n => text.push_str(&format!(", {n} MX patterns")),
    }
    text
}
