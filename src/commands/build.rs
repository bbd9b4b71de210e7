//! `isptab build`: check, compile, and replace the output atomically. On any error
//! nothing is written and an existing table is left as it was.

use std::time::Instant;

use isptab::table;

use super::check::{inputs, options, print};
use super::{Status, UsageError, output};
use crate::cli::BuildArgs;

pub fn run(args: &BuildArgs) -> Result<Status, UsageError> {
    let started = Instant::now();
    let checked = isptab::check(
        &inputs(&args.sources)?,
        &options(&args.sources, &args.levels)?,
    )?;
    print(&checked, args.format, false)?;
    let out = args.output.display();
    let config = match &checked.config {
        Some(config) if !checked.has_errors() => config,
        _ => {
            output::write_stderr(&format!(
                "{out} not written: the configuration has errors\n"
            ))?;
            return Ok(Status::Errors);
        }
    };
    let bytes = match table::compile(config) {
        Ok(bytes) => bytes,
        Err(e) => {
            output::write_stderr(&format!("{out} not written: {e}\n"))?;
            return Ok(Status::Errors);
        }
    };
    isptab::atomic::write(&args.output, &bytes)
        .map_err(|e| UsageError(format!("cannot write `{out}`: {e}")))?;
    let patterns: usize = config.records.iter().map(|r| r.patterns.len()).sum();
    output::write_stderr(&format!(
        "wrote {out}: {} records, {patterns} patterns, {} in {}\n",
        config.records.len(),
        output::human_bytes(bytes.len()),
        output::human_duration(started.elapsed()),
    ))?;
    Ok(Status::Ok)
}
