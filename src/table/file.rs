//! Opening table files: only regular files, never blocking, and [`Table::load`],
//! which reads a table into memory for callers that cannot guarantee the file is
//! replaced only by rename.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use rustix::fs::{FileType, Mode, OFlags};

use super::error::TableError;
use super::layout::header;
use super::open::Table;

/// Why a table file could not be opened.
#[derive(Debug)]
pub enum OpenError {
    /// The file could not be opened, read or mapped.
    Io(std::io::Error),
    /// The bytes are not a valid table.
    Table(TableError),
}

impl std::fmt::Display for OpenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OpenError::Io(e) => e.fmt(f),
            OpenError::Table(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for OpenError {}

/// Opens a table file for reading and returns it with its size. A FIFO, a device,
/// a socket or a directory is refused before anything is read (opening is
/// non-blocking, so a FIFO without a writer cannot hang the caller).
pub(super) fn open_regular(path: &Path) -> Result<(File, u64), OpenError> {
    let fd = rustix::fs::open(
        path,
        OFlags::RDONLY | OFlags::NONBLOCK | OFlags::NOCTTY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| OpenError::Io(e.into()))?;
    let stat = rustix::fs::fstat(&fd).map_err(|e| OpenError::Io(e.into()))?;
    let kind = FileType::from_raw_mode(stat.st_mode);
    if kind != FileType::RegularFile {
        let (kind, what) = match kind {
            FileType::Directory => (io::ErrorKind::IsADirectory, "a directory"),
            FileType::Fifo => (io::ErrorKind::InvalidInput, "a FIFO"),
            FileType::CharacterDevice => (io::ErrorKind::InvalidInput, "a character device"),
            FileType::BlockDevice => (io::ErrorKind::InvalidInput, "a block device"),
            FileType::Socket => (io::ErrorKind::InvalidInput, "a socket"),
            _ => (io::ErrorKind::InvalidInput, "a special file"),
        };
        return Err(OpenError::Io(io::Error::new(
            kind,
            format!("it is {what}, not a table file"),
        )));
    }
    Ok((File::from(fd), stat.st_size as u64))
}

impl Table<Vec<u8>> {
    /// Reads a table file into memory and validates it like [`Table::from_bytes`].
    ///
    /// Unlike `Table::open`, the table keeps working whatever happens to the
    /// file afterwards: truncated, rewritten in place or deleted, the bytes read
    /// stay valid. A file changed while it is being read gives an error (its length
    /// no longer matches its header, or a checksum fails in [`Table::verify`]),
    /// never a crash. It costs one copy of the file in memory.
    pub fn load(path: impl AsRef<Path>) -> Result<Table<Vec<u8>>, OpenError> {
        let (file, size) = open_regular(path.as_ref())?;
        Table::read_from(file, size)
    }

    /// Reads a table from a file already open (a regular file of `size` bytes,
    /// as `fstat` gave it), like [`Table::load`]: for callers that open files
    /// their own way (inside a project root, say).
    pub fn read_from(mut file: File, size: u64) -> Result<Table<Vec<u8>>, OpenError> {
        // The header first: a file that is not a table of its own size (a large
        // file put in the wrong place) is refused before it is read whole.
        let mut start = Vec::with_capacity(header::LEN);
        (&mut file)
            .take(header::LEN as u64)
            .read_to_end(&mut start)
            .map_err(OpenError::Io)?;
        super::open::check_start(&start, usize::try_from(size).unwrap_or(usize::MAX))
            .map_err(OpenError::Table)?;
        let mut bytes = start;
        bytes
            .try_reserve_exact((size as usize).saturating_sub(bytes.len()))
            .map_err(|e| OpenError::Io(io::Error::new(io::ErrorKind::OutOfMemory, e)))?;
        // At most one byte more than its size: a file that grows meanwhile is
        // caught by the length check, not read without end.
        file.take(size.saturating_add(1).saturating_sub(header::LEN as u64))
            .read_to_end(&mut bytes)
            .map_err(OpenError::Io)?;
        Table::from_bytes(bytes).map_err(OpenError::Table)
    }
}
