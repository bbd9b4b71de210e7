//! One module per subcommand. Each returns the run's [`Status`] or a usage/I-O
//! error, which `main` prints and maps to exit code 2.

mod apply;
mod build;
mod check;
mod diff;
mod dns;
mod dump;
mod explain;
mod lookup;
mod man;
mod origins;
mod output;
mod progress;
mod reformat;
mod serve;

pub use serve::ListenAddress;

use std::fmt;

use crate::cli::{Command, TerminalArgs};

/// How a command ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// No errors (warnings allowed).
    Ok = 0,
    /// The input has errors.
    Errors = 1,
    /// Usage error, unreadable input path, I/O failure.
    Usage = 2,
    /// `diff --exit-code`: the sides differ.
    Differ = 3,
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
pub fn run(command: Command, terminal: &TerminalArgs) -> Result<Status, UsageError> {
    match command {
        Command::Check(args) => check::run(&args, terminal),
        Command::Build(args) => build::run(&args, terminal),
        Command::Lookup(args) => lookup::run(&args, terminal),
        Command::Dump(args) => dump::run(&args),
        Command::Apply(args) => apply::run(&args, terminal),
        Command::Diff(args) => diff::run(&args, terminal),
        Command::Serve(args) => serve::run(&args),
        Command::Fmt(args) => reformat::run(&args, terminal),
        Command::Completions(args) => {
            let mut out = Vec::new();
            clap_complete::generate(
                args.shell,
                &mut <crate::cli::Cli as clap::CommandFactory>::command(),
                "isptab",
                &mut out,
            );
            output::write_stdout(&String::from_utf8_lossy(&out))?;
            Ok(Status::Ok)
        }
        Command::Man(args) => man::run(&args, terminal),
        Command::Explain(args) => explain::run(&args),
        Command::Defaults => {
            output::write_stdout(isptab::compiler::defaults::TEXT)?;
            Ok(Status::Ok)
        }
    }
}
