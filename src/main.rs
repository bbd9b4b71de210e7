//! The `isptab` command: parses arguments, runs the command and maps the result to
//! an exit code (0 no errors, 1 the input has errors, 2 usage or I/O error, 3
//! `diff --exit-code`: the sides differ).

#![forbid(unsafe_code)]

mod cli;
mod commands;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::run(cli.command, &cli.terminal) {
        Ok(status) => ExitCode::from(status as u8),
        Err(err) => {
            // The message may quote paths and names from the input.
            eprintln!(
                "error: {}",
                isptab::semantics::escape::escape(&err.to_string())
            );
            ExitCode::from(commands::Status::Usage as u8)
        }
    }
}
