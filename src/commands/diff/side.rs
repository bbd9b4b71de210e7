//! One side of a diff: a table, or a configuration compiled in memory (from the
//! working tree or from a git revision), as a model, a table to answer queries
//! and, for a configuration, where each record, pattern and setting was written.

use std::path::{Component, Path, PathBuf};

use isptab::compiler::confined::{Opened, Refused, Root};
use isptab::semantics::escape::escape;
use isptab::semantics::model::Model;
use isptab::table::layout::MAGIC;
use isptab::table::{self, OpenError, Table};
use isptab::{Checked, DefaultsSource, Input, Options};

use super::super::origins::Origins;
use super::super::{UsageError, output};
use crate::cli::TerminalArgs;

/// A side, ready to compare.
pub struct Side {
    /// How the side is named in the report (`old.isptab`, `HEAD:isptab.kdl`).
    pub label: String,
    /// `table`, `config` or `git`.
    pub kind: &'static str,
    /// Its records.
    pub model: Model,
    /// Its compiled form, answering queries.
    pub table: Table<Vec<u8>>,
    /// Where things were written (configurations only).
    pub origins: Option<Origins>,
}

/// What a side is read from.
pub enum Source {
    /// A path given alone: a table if its first bytes say so, else an entry file.
    Path(PathBuf),
    /// Configuration files, in order.
    Config(Vec<PathBuf>),
    /// Configuration files read from a git revision (see [`super::git`]).
    Git(super::git::Revision),
}

/// A side that cannot be compared, and why (printed by the caller, so that the
/// two sides, loaded at once, do not mix their reports).
pub enum HasErrors {
    /// A table that is not valid.
    Table(String),
    /// A configuration with errors.
    Config(Box<Checked>),
}

impl HasErrors {
    /// Prints the problems on stderr.
    pub fn print(&self, terminal: &TerminalArgs) -> Result<(), UsageError> {
        match self {
            HasErrors::Table(message) => output::write_stderr(message)?,
            HasErrors::Config(checked) => {
                super::super::check::print(
                    checked,
                    &super::super::check::HUMAN_REPORT,
                    terminal,
                    false,
                )?;
            }
        }
        Ok(())
    }
}

/// Loads a side: `Ok(Err(..))` when its input has errors, `Err(..)` on a usage
/// or I/O problem.
pub fn load(
    source: &Source,
    defaults: &DefaultsSource,
) -> Result<Result<Side, HasErrors>, UsageError> {
    let (files, label, kind, root) = match source {
        Source::Path(path) => {
            // The label is raw (each format escapes it); messages show it escaped.
            let label = path.to_string_lossy().into_owned();
            let shown = output::shown_path(path);
            match open_table(path) {
                Sniffed::Table(read) => match *read {
                    Ok(table) => return from_table(table, label),
                    Err(OpenError::Table(e)) => return Ok(Err(invalid_table(&shown, &e))),
                    Err(OpenError::Io(e)) => {
                        return Err(UsageError(format!("cannot read `{shown}`: {e}")));
                    }
                },
                // An entry file, or a path the compiler refuses with its own words.
                Sniffed::NotATable => (vec![path.clone()], label, "config", None),
            }
        }
        Source::Config(files) => {
            let label = files
                .iter()
                .map(|f| f.to_string_lossy())
                .collect::<Vec<_>>()
                .join(" + ");
            (files.clone(), label, "config", None)
        }
        Source::Git(revision) => (
            revision.files.clone(),
            revision.label(),
            "git",
            Some(revision.root.clone()),
        ),
    };
    let options = Options {
        defaults: defaults.clone(),
        root,
        ..Options::default()
    };
    let inputs: Vec<Input> = files.into_iter().map(Input::Path).collect();
    let mut checked = isptab::check(&inputs, &options)?;
    if let Source::Git(revision) = source {
        checked.sources.rename(|name| revision.shown(name));
        for d in &mut checked.diagnostics {
            d.message = revision.in_message(&d.message);
            d.help = d.help.as_deref().map(|h| revision.in_message(h));
            for label in std::iter::once(&mut d.primary).chain(&mut d.secondary) {
                label.message = revision.in_message(&label.message);
            }
        }
    }
    let Ok(model) = checked.model() else {
        return Ok(Err(HasErrors::Config(Box::new(checked))));
    };
    let bytes = table::compile(&model)
        .map_err(|e| UsageError(format!("cannot compile `{}`: {e}", escape(&label))))?;
    let table = Table::from_bytes(bytes).map_err(|e| UsageError(format!("internal error: {e}")))?;
    Ok(Ok(Side {
        label,
        kind,
        model,
        table,
        origins: Some(Origins::new(checked)),
    }))
}

/// What a side's path holds.
enum Sniffed {
    /// A file that starts like a table, read as one.
    Table(Box<Result<Table<Vec<u8>>, OpenError>>),
    /// Anything else: left to the compiler, which reads entry files.
    NotATable,
}

/// Opens a side's path the way the compiler opens an entry file (inside its own
/// directory, symbolic links followed only while they stay there, a regular file
/// only) and reads it as a table if it starts with the table's magic. A path the
/// compiler would refuse is not read here either: the compiler reports it.
fn open_table(path: &Path) -> Sniffed {
    use std::os::unix::fs::FileExt;

    let Ok(opened) = open_in_own_directory(path) else {
        return Sniffed::NotATable;
    };
    let mut magic = [0u8; MAGIC.len()];
    match opened.file.read_exact_at(&mut magic, 0) {
        Ok(()) if magic == MAGIC => {
            Sniffed::Table(Box::new(Table::read_from(opened.file, opened.size)))
        }
        _ => Sniffed::NotATable,
    }
}

/// Opens a regular file inside its own directory (symbolic links followed only
/// while they stay there; never blocking on a FIFO), as the compiler opens an
/// entry file.
pub fn open_in_own_directory(path: &Path) -> Result<Opened, String> {
    let Some(Component::Normal(name)) = path.components().next_back() else {
        return Err(Refused::Directory.reason());
    };
    let dir = path.parent().unwrap_or(Path::new(""));
    let root = Root::open(dir).map_err(|e| e.to_string())?;
    root.open_file(Path::new(name), true)
        .map_err(|refused| refused.reason())
}

/// A table side: fully checked first, as `dump` does (its names end up in the
/// report).
fn from_table(table: Table<Vec<u8>>, label: String) -> Result<Result<Side, HasErrors>, UsageError> {
    let model = table.verify().and_then(|()| table.to_model());
    match model {
        Ok(model) => Ok(Ok(Side {
            label,
            kind: "table",
            model,
            table,
            origins: None,
        })),
        Err(e) => Ok(Err(invalid_table(&escape(&label), &e))),
    }
}

fn invalid_table(shown: &str, e: &table::TableError) -> HasErrors {
    HasErrors::Table(format!("error: `{shown}` is not a valid table: {e}\n"))
}
