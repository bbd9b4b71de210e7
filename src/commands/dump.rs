//! `isptab dump T`: verify a table fully, then print it as KDL or JSON.

use isptab::table::{self, OpenError, Table};

use super::{Status, UsageError, output};
use crate::cli::{DumpArgs, DumpFormat};

pub fn run(args: &DumpArgs) -> Result<Status, UsageError> {
    let path = output::shown_path(&args.table);
    // Read into memory: a table changed in place meanwhile cannot crash the dump.
    let table = match Table::load(&args.table) {
        Ok(table) => table,
        Err(OpenError::Io(e)) => return Err(UsageError(format!("cannot read `{path}`: {e}"))),
        Err(OpenError::Table(e)) => return invalid(&path, &e),
    };
    if let Err(e) = table.verify() {
        return invalid(&path, &e);
    }
    let text = match args.format {
        DumpFormat::Kdl => table::to_kdl(&table),
        DumpFormat::Json => table::to_json(&table),
    };
    match text {
        Ok(text) => output::write_stdout(&text)?,
        Err(e) => return invalid(&path, &e),
    }
    Ok(Status::Ok)
}

/// A table that is not valid: the input has errors (exit 1).
fn invalid(path: &impl std::fmt::Display, e: &table::TableError) -> Result<Status, UsageError> {
    output::write_stderr(&format!("error: `{path}` is not a valid table: {e}\n"))?;
    Ok(Status::Errors)
}
