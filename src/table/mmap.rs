//! The one place with `unsafe` code: mapping a table file into memory.

#![allow(unsafe_code)]

use std::path::Path;

use memmap2::Mmap;

use super::file::OpenError;
use super::open::Table;

impl Table<Mmap> {
    /// Maps a table file and validates it like [`Table::from_bytes`].
    ///
    /// The map is read-only and private. It stays valid as long as nobody changes
    /// the file in place: `isptab build` never does (it writes a new file and
    /// renames it over the old one, so a mapped old table keeps its own inode).
    ///
    /// **Replace tables only by rename.** If another program truncates the file
    /// while it is mapped (`cp` or `rsync --inplace` over it), the next lookup that
    /// touches a page past the new end gets SIGBUS and the process dies; bytes
    /// rewritten in place give wrong answers until [`Table::verify`] notices. A
    /// caller that cannot rule that out reads the table with [`Table::load`]
    /// instead, as the `isptab` command does. To pick up a new table, open the path
    /// again when its inode (or mtime) changes; the old map stays valid meanwhile.
    ///
    /// Only a regular file is opened (a FIFO or a device is refused without
    /// blocking).
    pub fn open(path: impl AsRef<Path>) -> Result<Table<Mmap>, OpenError> {
        let (file, _) = super::file::open_regular(path.as_ref())?;
        // SAFETY: the mapping is read-only, and memmap2 keeps it alive for as long
        // as the `Mmap` lives. The remaining hazard is another process changing or
        // truncating the file while it is mapped, which Rust cannot rule out; the
        // table contract (written by temp file + fsync + rename, never in place)
        // excludes it. Every read through the map is bounds checked.
        let map = unsafe { Mmap::map(&file) }.map_err(OpenError::Io)?;
        Table::from_bytes(map).map_err(OpenError::Table)
    }
}
