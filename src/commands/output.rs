//! Terminal facts and writing results: colour only on a terminal and never with
//! `NO_COLOR`; a closed pipe (`isptab ... | head`) is not an error.

use std::io::{IsTerminal, Write};

/// Whether to colour output written to stderr.
pub fn stderr_color() -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    !no_color && std::io::stderr().is_terminal()
}

/// The width to wrap stderr reports at.
pub fn stderr_width() -> usize {
    terminal_size::terminal_size_of(std::io::stderr())
        .map(|(w, _)| w.0 as usize)
        .unwrap_or(100)
        .clamp(60, 160)
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
