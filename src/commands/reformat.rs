//! `isptab fmt [FILE]... [--check]`: rewrite files in the canonical layout
//! (atomically), or list those that would change.
//!
//! The files are opened inside the project root (`--root`, or the directory of the
//! first FILE) like every file `check` reads, and replaced in the directory they
//! were found in, through its descriptor: fmt never writes outside the root. A FILE
//! that is a symbolic link is refused rather than written through or replaced.

use std::path::{Path, PathBuf};

use isptab::compiler::confined::{ReadFailure, Refused, Root, read_limited, replace};
use isptab::compiler::limits::MAX_KDL_FILE_BYTES;

use super::{Status, UsageError, output};
use crate::cli::{FmtArgs, TerminalArgs};

pub fn run(args: &FmtArgs, terminal: &TerminalArgs) -> Result<Status, UsageError> {
    let files = if args.files.is_empty() {
        vec![PathBuf::from("isptab.kdl")]
    } else {
        args.files.clone()
    };
    let root_dir = match &args.root {
        Some(dir) => dir.clone(),
        None => files[0].parent().unwrap_or(Path::new("")).to_path_buf(),
    };
    let root = Root::open(&root_dir).map_err(|e| {
        UsageError(format!(
            "cannot open the project root `{}`: {e}",
            output::shown_path(&root_dir)
        ))
    })?;
    let mut status = Status::Ok;
    let mut changed = 0;
    for path in &files {
        let shown = output::shown_path(path);
        let refused = |r: Refused| match r {
            Refused::Symlink => UsageError(format!(
                "cannot format `{shown}`: it is a symbolic link; isptab fmt rewrites regular files only, never through a link (format the file it points to)"
            )),
            Refused::Outside => UsageError(format!(
                "cannot format `{shown}`: it is outside the project root (the directory of the first FILE, or `--root DIR`)"
            )),
            r => UsageError(format!("cannot read `{shown}`: {}", r.reason())),
        };
        let rel = root
            .relative(path)
            .ok_or(Refused::Outside)
            .map_err(refused)?;
        let mut opened = root.open_file(&rel, false).map_err(refused)?;
        let bytes = read_limited(&mut opened, MAX_KDL_FILE_BYTES).map_err(|e| match e {
            ReadFailure::TooLarge(size) => UsageError(format!(
                "cannot format `{shown}`: it is {size} bytes; the limit for a KDL file is {MAX_KDL_FILE_BYTES}"
            )),
            ReadFailure::Io(e) => UsageError(format!("cannot read `{shown}`: {e}")),
        })?;
        let Ok(text) = String::from_utf8(bytes) else {
            output::write_stderr(&format!(
                "error: `{shown}` is not UTF-8 text; run `isptab check` for details\n"
            ))?;
            status = Status::Errors;
            continue;
        };
        let formatted = match isptab::compiler::canonical::format(&text) {
            Ok(formatted) => formatted,
            Err(e) => {
                output::write_stderr(&format!(
                    "error: `{shown}` is not valid KDL ({}); run `isptab check` for details\n",
                    isptab::semantics::escape::escape(&e.to_string())
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
            replace(
                std::os::fd::AsFd::as_fd(&opened.parent),
                &opened.name,
                formatted.as_bytes(),
            )
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
