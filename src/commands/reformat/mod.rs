//! `isptab fmt [FILE]... [--check | --diff]` and `isptab fmt -`: rewrite files in
//! the canonical layout (atomically), list those that would change, print a
//! unified diff of what would change, or format stdin to stdout (for editors).
//!
//! The files are opened inside the project root (`--root`, or the directory of the
//! first FILE) like every file `check` reads, and replaced in the directory they
//! were found in, through its descriptor: fmt never writes outside the root. A FILE
//! that is a symbolic link is refused rather than written through or replaced.
//! A file that cannot be formatted gets the diagnostics `check` would give it
//! (stdin is shown as `<stdin>`).

mod diff;

use std::io::Read;
use std::path::{Path, PathBuf};

use isptab::compiler::confined::{ReadFailure, Refused, Root, read_limited, replace};
use isptab::compiler::diagnostics::HumanRenderer;
use isptab::compiler::limits::MAX_KDL_FILE_BYTES;
use isptab::semantics::escape::escape_line_start;

use super::{Status, UsageError, output};
use crate::cli::{FmtArgs, TerminalArgs};

/// The name stdin is shown under.
const STDIN_NAME: &str = "<stdin>";

/// What fmt does with a file that would change.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Replace it (stdin: write the formatted text to stdout).
    Write,
    /// List it.
    Check,
    /// Print a unified diff.
    Diff,
}

pub fn run(args: &FmtArgs, terminal: &TerminalArgs) -> Result<Status, UsageError> {
    let mode = match (args.check, args.diff) {
        (_, true) => Mode::Diff,
        (true, false) => Mode::Check,
        (false, false) => Mode::Write,
    };
    if args.files.iter().any(|f| f.as_os_str() == "-") {
        if args.files.len() > 1 {
            return Err(UsageError(
                "`-` formats stdin to stdout and takes no other FILE".into(),
            ));
        }
        if args.root.is_some() {
            return Err(UsageError(
                "`--root` confines FILEs; `-` formats stdin, which has no root".into(),
            ));
        }
        return stdin(mode, terminal);
    }
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
            ReadFailure::TooLarge(size) => too_large(&shown, size),
            ReadFailure::Io(e) => UsageError(format!("cannot read `{shown}`: {e}")),
        })?;
        let name = path.to_string_lossy();
        let Some((text, formatted)) = formatted(&name, bytes, terminal)? else {
            status = Status::Errors;
            continue;
        };
        if formatted == text {
            continue;
        }
        changed += 1;
        match mode {
            Mode::Check => {
                output::write_stdout(&format!("{}\n", escape_line_start(&name)))?;
                status = Status::Errors;
            }
            Mode::Diff => {
                output::write_stdout(&diff::unified(&name, &text, &formatted))?;
                status = Status::Errors;
            }
            Mode::Write => {
                replace(
                    std::os::fd::AsFd::as_fd(&opened.parent),
                    &opened.name,
                    formatted.as_bytes(),
                )
                .map_err(|e| UsageError(format!("cannot write `{shown}`: {e}")))?;
            }
        }
    }
    if !terminal.quiet && mode == Mode::Write {
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

/// `isptab fmt -`: stdin formatted to stdout (written whole, changed or not),
/// or checked, or diffed. Nothing goes to stdout when it cannot be formatted.
fn stdin(mode: Mode, terminal: &TerminalArgs) -> Result<Status, UsageError> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(MAX_KDL_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| UsageError(format!("cannot read {STDIN_NAME}: {e}")))?;
    if bytes.len() > MAX_KDL_FILE_BYTES {
        return Err(too_large(STDIN_NAME, bytes.len() as u64));
    }
    let Some((text, formatted)) = formatted(STDIN_NAME, bytes, terminal)? else {
        return Ok(Status::Errors);
    };
    let changed = formatted != text;
    match mode {
        Mode::Write => {
            output::write_stdout(&formatted)?;
            return Ok(Status::Ok);
        }
        Mode::Check if changed => output::write_stdout(&format!("{STDIN_NAME}\n"))?,
        Mode::Diff if changed => {
            output::write_stdout(&diff::unified(STDIN_NAME, &text, &formatted))?
        }
        Mode::Check | Mode::Diff => return Ok(Status::Ok),
    }
    if !terminal.quiet {
        output::write_stderr(&format!("{STDIN_NAME} would be reformatted\n"))?;
    }
    Ok(Status::Errors)
}

fn too_large(shown: &str, size: u64) -> UsageError {
    UsageError(format!(
        "cannot format `{shown}`: it is {size} bytes; the limit for a KDL file is {MAX_KDL_FILE_BYTES}"
    ))
}

/// The text of a file (shown as `name`) and its canonical layout; `None` when it
/// cannot be formatted, after printing what `check` says about it on stderr.
fn formatted(
    name: &str,
    bytes: Vec<u8>,
    terminal: &TerminalArgs,
) -> Result<Option<(String, String)>, UsageError> {
    let refused = match String::from_utf8(bytes) {
        Ok(text) => match isptab::compiler::canonical::format(&text) {
            Ok(formatted) => return Ok(Some((text, formatted))),
            Err(e) => (text.into_bytes(), e.to_string()),
        },
        Err(e) => (e.into_bytes(), "it is not UTF-8 text".to_string()),
    };
    let (bytes, reason) = refused;
    let (sources, diagnostics) = isptab::compiler::canonical::problems(name, bytes);
    if diagnostics.is_empty() {
        // `check` reads it, but it cannot be formatted: say why in one line.
        output::write_stderr(&format!(
            "error: cannot format `{}`: {}\n",
            isptab::semantics::escape::escape(name),
            isptab::semantics::escape::escape(&reason)
        ))?;
    } else {
        let renderer =
            HumanRenderer::new(output::stderr_color(terminal.color), output::stderr_width());
        output::write_stderr(&renderer.render_each(&sources, &diagnostics))?;
    }
    Ok(None)
}
