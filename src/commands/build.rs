//! `isptab build`: check, compile, and replace the output atomically. On any error
//! nothing is written and an existing table is left as it was. `--check` writes
//! nothing and says whether OUT is up to date.

use std::time::Instant;

use isptab::table;

use super::check::{check_report, inputs, options, or_failure_document, print};
use super::progress::Progress;
use super::{Status, UsageError, output};
use crate::cli::{BuildArgs, TerminalArgs};

pub fn run(args: &BuildArgs, terminal: &TerminalArgs) -> Result<Status, UsageError> {
    let started = Instant::now();
    let progress = Progress::start(
        output::stderr_is_terminal() && !terminal.quiet,
        "checking the configuration",
    );
    let checked = or_failure_document(args.report.format, || {
        check_report(&args.report)?;
        Ok(isptab::check(
            &inputs(&args.sources)?,
            &options(&args.sources, &args.levels)?,
        )?)
    })?;
    progress.set("compiling the table");
    let out = output::shown_path(&args.output);
    // Compiled only without errors (only a clean check has a model); the
    // diagnostics are printed either way.
    let compiled = checked
        .model()
        .ok()
        .map(|model| table::compile(&model).map(|bytes| (model, bytes)));
    drop(progress);
    print(&checked, &args.report, terminal, false)?;
    let (model, bytes) = match compiled {
        Some(Ok(compiled)) => compiled,
        Some(Err(e)) if args.check => {
            output::write_stderr(&format!("cannot tell whether {out} is up to date: {e}\n"))?;
            return Ok(Status::Errors);
        }
        Some(Err(e)) => {
            output::write_stderr(&format!("{out} not written: {e}\n"))?;
            return Ok(Status::Errors);
        }
        None if args.check => {
            output::write_stderr(&format!(
                "cannot tell whether {out} is up to date: the configuration has errors\n"
            ))?;
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
    isptab::compiler::atomic::write(&args.output, &bytes)
        .map_err(|e| UsageError(format!("cannot write `{out}`: {e}")))?;
    if !terminal.quiet {
        output::write_stderr(&format!(
            "wrote {out}: {}, {} in {}\n",
            output::counts(
                model.records.len(),
                model.pattern_count(),
                model.mx_pattern_count()
            ),
            output::human_bytes(bytes.len()),
            output::human_duration(started.elapsed()),
        ))?;
    }
    Ok(Status::Ok)
}

/// `build --check`: compares OUT with what the sources compile to. OUT is read
/// only if it is a regular file (not through a symlink, which `build` would
/// replace), and no more of it than the new table's length and one byte.
fn up_to_date(
    args: &BuildArgs,
    terminal: &TerminalArgs,
    bytes: &[u8],
) -> Result<Status, UsageError> {
    let out = output::shown_path(&args.output);
    let message = match read_existing(&args.output, bytes.len() + 1) {
        Ok(Some(existing)) if existing == bytes => {
            if !terminal.quiet {
                output::write_stderr(&format!("{out} is up to date\n"))?;
            }
            return Ok(Status::Ok);
        }
        Ok(Some(_)) => format!(
            "{out} is stale: it differs from what the sources compile to; run `{}` to rebuild it",
            rebuild_command(args)
        ),
        Ok(None) => format!(
            "{out} is missing; run `{}` to create it",
            rebuild_command(args)
        ),
        Err(Existing::Symlink) => format!(
            "{out} is a symbolic link; `isptab build` would replace it with the table, so it is not up to date"
        ),
        Err(Existing::NotRegular(kind)) => {
            return Err(UsageError(format!(
                "cannot check `{out}`: it is {kind}, not a table file"
            )));
        }
        Err(Existing::Io(e)) => return Err(UsageError(format!("cannot read `{out}`: {e}"))),
    };
    output::write_stderr(&format!("error: {message}\n"))?;
    Ok(Status::Errors)
}

/// The `isptab build` command that writes OUT from the same sources: the files,
/// the defaults and root options and `-o OUT`, each word quoted for a POSIX
/// shell when it needs it (and escaped for the terminal, like every path shown).
fn rebuild_command(args: &BuildArgs) -> String {
    let sources = &args.sources;
    let mut words: Vec<String> = vec!["isptab".into(), "build".into()];
    let path = |p: &std::path::Path| shell_word(&output::shown_path(p));
    words.extend(sources.files.iter().map(|f| path(f)));
    if sources.no_defaults {
        words.push("--no-defaults".into());
    }
    if let Some(defaults) = &sources.defaults {
        words.extend(["--defaults".into(), path(defaults)]);
    }
    if let Some(root) = &sources.root {
        words.extend(["--root".into(), path(root)]);
    }
    words.extend(["-o".into(), path(&args.output)]);
    words.join(" ")
}

/// A word as a POSIX shell reads it: as it is when it holds only characters
/// that need no quoting, else in single quotes.
fn shell_word(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_./:=@%+,-".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// Why an existing OUT cannot be compared.
enum Existing {
    Symlink,
    NotRegular(&'static str),
    Io(std::io::Error),
}

/// The bytes of OUT, at most `limit` of them; `None` when there is no OUT.
fn read_existing(path: &std::path::Path, limit: usize) -> Result<Option<Vec<u8>>, Existing> {
    use rustix::fs::{FileType, Mode, OFlags};
    use std::io::Read;
    let flags =
        OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::NOCTTY | OFlags::CLOEXEC;
    let fd = match rustix::fs::open(path, flags, Mode::empty()) {
        Ok(fd) => fd,
        Err(rustix::io::Errno::NOENT) => return Ok(None),
        Err(rustix::io::Errno::LOOP) => return Err(Existing::Symlink),
        Err(e) => return Err(Existing::Io(e.into())),
    };
    let stat = rustix::fs::fstat(&fd).map_err(|e| Existing::Io(e.into()))?;
    let kind = FileType::from_raw_mode(stat.st_mode);
    if kind != FileType::RegularFile {
        return Err(Existing::NotRegular(
            isptab::compiler::confined::describe_type(kind),
        ));
    }
    let mut bytes = Vec::new();
    std::fs::File::from(fd)
        .take(limit as u64)
        .read_to_end(&mut bytes)
        .map_err(Existing::Io)?;
    Ok(Some(bytes))
}
