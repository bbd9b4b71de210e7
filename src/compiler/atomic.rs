//! Replacing a file so that readers see the old bytes or the new ones, never a mix:
//! write a temporary file in the same directory, fsync it, rename it over the
//! target, fsync the directory. An MTA that maps the old table keeps its own copy
//! (the old inode) until it unmaps it.
//!
//! Nothing is written through a symlink: a symlink at the target is replaced by the
//! new file (the rename replaces the link, not what it points at), and the file is
//! created with `O_EXCL | O_NOFOLLOW` relative to the directory's descriptor. The
//! new file keeps the permission bits of the regular file it replaces, but never
//! its setuid, setgid or sticky bits.

use std::io;
use std::path::Path;

use rustix::fs::{Mode, OFlags};

pub use crate::compiler::confined::TEMP_MARKER;

/// Writes `bytes` to `path` atomically (see the module docs). If anything fails,
/// the target is untouched and the temporary file is removed.
///
/// The directory part of `path` is the caller's choice and is followed as given;
/// the last component is replaced, whatever it is, unless it is a directory.
pub fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let names_a_directory = || {
        io::Error::new(
            io::ErrorKind::IsADirectory,
            "the path names a directory; give the file a name, such as `DIR/isps.isptab`",
        )
    };
    if path.as_os_str().as_encoded_bytes().ends_with(b"/") {
        return Err(names_a_directory());
    }
    let name = match path.components().next_back() {
        Some(std::path::Component::Normal(name)) => name,
        _ => return Err(names_a_directory()),
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let dir_fd = rustix::fs::open(
        dir,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| {
        let e = io::Error::from(e);
        io::Error::new(
            e.kind(),
            format!("its directory `{}` cannot be opened: {e}", dir.display()),
        )
    })?;
    crate::compiler::confined::replace(std::os::fd::AsFd::as_fd(&dir_fd), name, bytes)
}
