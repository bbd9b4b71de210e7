//! One module per subcommand. Each returns the run's [`Status`] or a usage/I-O
//! error, which `main` prints and maps to exit code 2.

mod build;
mod check;
mod dump;
mod explain;
mod lookup;
mod output;

use std::fmt;

use crate::cli::Command;

/// How a command ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// No errors (warnings allowed).
    Ok = 0,
    /// The input has errors.
    Errors = 1,
    /// Usage error, unreadable input path, I/O failure.
    Usage = 2,
}

/// A failure that is not about the input's content: exit code 2.
#[derive(Debug)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<E: std::error::Error> From<E> for UsageError {
    fn from(err: E) -> Self {
        UsageError(err.to_string())
    }
}

/// Runs a subcommand.
pub fn run(command: Command) -> Result<Status, UsageError> {
    match command {
        Command::Check(args) => check::run(&args),
        Command::Build(args) => build::run(&args),
        Command::Lookup(args) => lookup::run(&args),
        Command::Dump(args) => dump::run(&args),
        Command::Explain(args) => explain::run(&args),
        Command::Defaults => {
            output::write_stdout(isptab::defaults::TEXT)?;
            Ok(Status::Ok)
        }
    }
}
