//! `isptab build`: check, compile, and replace the output atomically. On any error
//! nothing is written and an existing table is left as it was. `--check` writes
//! nothing and says whether OUT is up to date.

use std::time::Instant;

use isptab::table;

use super::check::{inputs, options, print};
use super::progress::Progress;
use super::{Status, UsageError, output};
use crate::cli::{BuildArgs, TerminalArgs};

pub fn run(args: &BuildArgs, terminal: &TerminalArgs) -> Result<Status, UsageError> {
    let started = Instant::now();
    let progress = Progress::start(
        output::stderr_is_terminal() && !terminal.quiet,
        "checking the configuration",
    );
    let checked = isptab::check(
        &inputs(&args.sources)?,
        &options(&args.sources, &args.levels)?,
    )?;
    progress.set("compiling the table");
    let out = args.output.display();
    // Compiled only without errors; the diagnostics are printed either way.
    let compiled = checked
        .config
        .as_ref()
        .filter(|_| !checked.has_errors())
        .map(|config| table::compile(config).map(|bytes| (config, bytes)));
    drop(progress);
    print(&checked, args.format, terminal, false)?;
    let (config, bytes) = match compiled {
        Some(Ok(compiled)) => compiled,
        Some(Err(e)) => {
            output::write_stderr(&format!("{out} not written: {e}\n"))?;
            return Ok(Status::Errors);
        }
        None => {
            output::write_stderr(&format!(
                "{out} not written: the configuration has errors\n"
            ))?;
            return Ok(Status::Errors);
        }
    };
    if args.check {
        return up_to_date(args, terminal, &bytes);
    }
    isptab::atomic::write(&args.output, &bytes)
        .map_err(|e| UsageError(format!("cannot write `{out}`: {e}")))?;
    if !terminal.quiet {
        output::write_stderr(&format!(
            "wrote {out}: {} records, {} patterns, {} in {}\n",
            config.records.len(),
            config.pattern_count(),
            output::human_bytes(bytes.len()),
            output::human_duration(started.elapsed()),
        ))?;
    }
    Ok(Status::Ok)
}

/// `build --check`: compares OUT with what the sources compile to.
fn up_to_date(
    args: &BuildArgs,
    terminal: &TerminalArgs,
    bytes: &[u8],
) -> Result<Status, UsageError> {
    let out = args.output.display();
    let message = match std::fs::read(&args.output) {
        Ok(existing) if existing == bytes => {
            if !terminal.quiet {
                output::write_stderr(&format!("{out} is up to date\n"))?;
            }
            return Ok(Status::Ok);
        }
        Ok(_) => format!(
            "{out} is stale: it differs from what the sources compile to; run `isptab build` again"
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            format!("{out} is missing; run `isptab build` to create it")
        }
        Err(e) => return Err(UsageError(format!("cannot read `{out}`: {e}"))),
    };
    output::write_stderr(&format!("error: {message}\n"))?;
    Ok(Status::Errors)
}
