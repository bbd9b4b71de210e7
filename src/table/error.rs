//! Why bytes are not a valid table.

use std::fmt;

use super::layout::MAJOR;

/// Why bytes are not a valid table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableError {
    kind: TableErrorKind,
}

/// What is wrong with a table.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TableErrorKind {
    /// Shorter than the header.
    TooShort(usize),
    /// The first bytes are not the table's magic label.
    NotATable,
    /// Written with another byte order.
    WrongEndianness,
    /// A major version this reader does not read.
    UnsupportedVersion(u16, u16),
    /// The length recorded in the header differs from the actual length (a
    /// truncated or extended file).
    WrongLength {
        /// Recorded.
        expected: u64,
        /// Actual.
        actual: usize,
    },
    /// The header or directory checksum does not match.
    HeaderChecksum,
    /// The header asks for features this reader does not have.
    UnknownFeatures(u64),
    /// The directory is malformed (count, bounds, alignment, overlap, duplicates).
    Directory(String),
    /// A section's checksum does not match (from [`Table::verify`](crate::table::Table::verify)).
    SectionChecksum(&'static str),
    /// A section's contents are malformed.
    Section(&'static str, String),
    /// Bytes outside every section are not zero (from [`Table::verify`](crate::table::Table::verify)): nothing
    /// reads them, so they are damage or hidden data.
    /// The file offset of the first such byte.
    Padding(usize),
}

impl TableError {
    /// What is wrong.
    pub fn kind(&self) -> &TableErrorKind {
        &self.kind
    }

    pub(super) fn section(section: &'static str, message: impl Into<String>) -> TableError {
        TableErrorKind::Section(section, message.into()).into()
    }
}

impl From<TableErrorKind> for TableError {
    fn from(kind: TableErrorKind) -> Self {
        TableError { kind }
    }
}

impl fmt::Display for TableError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            TableErrorKind::TooShort(n) => write!(f, "{n} bytes is too short for a table"),
            TableErrorKind::NotATable => f.write_str("not an isptab table (wrong magic bytes)"),
            TableErrorKind::WrongEndianness => {
                f.write_str("the table was written with another byte order")
            }
            TableErrorKind::UnsupportedVersion(major, minor) => {
                write!(
                    f,
                    "table format {major}.{minor}; this isptab reads format {MAJOR}.x"
                )
            }
            TableErrorKind::WrongLength { expected, actual } => write!(
                f,
                "the table should be {expected} bytes but is {actual} (truncated or appended to?)"
            ),
            TableErrorKind::HeaderChecksum => f.write_str("the header checksum does not match"),
            TableErrorKind::UnknownFeatures(bits) => {
                write!(
                    f,
                    "the table needs features this isptab does not have (flags {bits:#x})"
                )
            }
            TableErrorKind::Directory(m) => write!(f, "bad section directory: {m}"),
            TableErrorKind::SectionChecksum(s) => {
                write!(f, "the checksum of section {s} does not match")
            }
            TableErrorKind::Section(s, m) => write!(f, "bad section {s}: {m}"),
            TableErrorKind::Padding(at) => {
                write!(f, "a non-zero byte at offset {at}, outside every section")
            }
        }
    }
}

impl std::error::Error for TableError {}
