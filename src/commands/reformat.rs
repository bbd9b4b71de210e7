//! `isptab fmt [FILE]... [--check]`: rewrite files in the canonical layout
//! (atomically), or list those that would change.

use std::path::PathBuf;

use super::{Status, UsageError, output};
use crate::cli::{FmtArgs, TerminalArgs};

pub fn run(args: &FmtArgs, terminal: &TerminalArgs) -> Result<Status, UsageError> {
    let files = if args.files.is_empty() {
        vec![PathBuf::from("isptab.kdl")]
    } else {
        args.files.clone()
    };
    let mut status = Status::Ok;
    let mut changed = 0;
    for path in &files {
        let shown = path.display();
        let text = std::fs::read_to_string(path)
            .map_err(|e| UsageError(format!("cannot read `{shown}`: {e}")))?;
        let formatted = match isptab::format::format(&text) {
            Ok(formatted) => formatted,
            Err(e) => {
                output::write_stderr(&format!(
                    "error: `{shown}` is not valid KDL ({e}); run `isptab check` for details\n"
                ))?;
                status = Status::Errors;
                continue;
            }
        };
        if formatted == text {
            continue;
        }
        changed += 1;
        if args.check {
            output::write_stdout(&format!("{shown}\n"))?;
            status = Status::Errors;
        } else {
            isptab::atomic::write(path, formatted.as_bytes())
                .map_err(|e| UsageError(format!("cannot write `{shown}`: {e}")))?;
        }
    }
    if !terminal.quiet && !args.check {
        let verb = if changed == 1 { "file" } else { "files" };
        output::write_stderr(&format!("formatted {changed} {verb} of {}\n", files.len()))?;
    } else if !terminal.quiet && changed > 0 {
        output::write_stderr(&format!(
            "{changed} of {} would be reformatted\n",
            files.len()
        ))?;
    }
    Ok(status)
}
