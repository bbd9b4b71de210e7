//! Opening files inside a root directory: once, and never through a symlink that
//! leads out of it.
//!
//! Configuration files come from pull requests that CI checks, so every path in
//! them is untrusted: `include "../../etc/passwd"`, a symlink planted in the
//! repository, or a directory swapped for a symlink between a check and an open.
//! So a path is never checked and then opened again by name. It is resolved one
//! component at a time from the root directory's descriptor: each component is
//! opened with `O_NOFOLLOW` relative to the descriptor of the directory before it;
//! a symlink is read and its target resolved the same way (an absolute target only
//! if it names a place inside the root); `..` never climbs above the root. What is
//! read is what was resolved. Nothing outside the root is ever looked up, so an
//! outside path that does not exist is refused exactly like one that does.
//!
//! The last component is opened non-blocking and checked with `fstat` before a byte
//! is read: a directory, a FIFO, a device or a socket is refused, and at most a
//! limit is read.

use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io::{self, Read};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Component, Path, PathBuf};

use rustix::fs::{FileType, Mode, OFlags};

/// Linux's limit on symlinks followed in one lookup.
const MAX_SYMLINKS: usize = 40;

/// Why a path inside a root could not be opened.
#[derive(Debug)]
pub enum Refused {
    /// It leads outside the root (lexically, or through a symlink).
    Outside,
    /// Nothing is there.
    Missing,
    /// It is a directory.
    Directory,
    /// It is not a regular file: "a FIFO", "a character device", ...
    NotRegular(&'static str),
    /// The last component is a symlink and the caller does not follow it.
    Symlink,
    /// Anything else the system said.
    Io(io::Error),
}

impl Refused {
    /// A short reason, for messages: "no such file", "it is a FIFO, not a regular
    /// file".
    pub fn reason(&self) -> String {
        match self {
            Refused::Outside => "it leads outside the project root".into(),
            Refused::Missing => "no such file".into(),
            Refused::Directory => "it is a directory, not a file".into(),
            Refused::NotRegular(kind) => format!("it is {kind}, not a regular file"),
            Refused::Symlink => "it is a symbolic link".into(),
            Refused::Io(e) => e.to_string(),
        }
    }
}

/// Which file a descriptor is: the same file reached by two paths (a hard link, a
/// symlink) has the same identity.
pub type Identity = (u64, u64);

/// A file opened inside a root.
#[derive(Debug)]
pub struct Opened {
    /// The open file (a regular file).
    pub file: File,
    /// Its device and inode.
    pub identity: Identity,
    /// Its size when it was opened.
    pub size: u64,
    /// Where it is, relative to the root, symlinks resolved.
    pub resolved: PathBuf,
    /// The directory it is in, and its name there (to replace it).
    pub parent: OwnedFd,
    /// Its name in `parent`.
    pub name: OsString,
}

/// A directory that paths must stay inside.
#[derive(Debug)]
pub struct Root {
    fd: OwnedFd,
    /// The directory as given, made absolute (`.` and `..` removed lexically).
    typed: PathBuf,
    /// The directory with symlinks resolved.
    real: PathBuf,
}

/// The root's directory descriptor (to replace files in it with [`replace`]).
impl AsFd for Root {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl Root {
    /// Opens a root directory. The path itself is the caller's choice (the command
    /// line names it), so symlinks in it are followed.
    pub fn open(dir: &Path) -> io::Result<Root> {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        let fd = rustix::fs::open(
            dir,
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )?;
        Ok(Root {
            fd,
            typed: absolute(dir),
            real: std::fs::canonicalize(dir)?,
        })
    }

    /// Where `path` (absolute, or relative to the working directory) is inside the
    /// root, judged lexically; `None` when it is outside.
    pub fn relative(&self, path: &Path) -> Option<PathBuf> {
        let path = absolute(path);
        path.strip_prefix(&self.typed)
            .or_else(|_| path.strip_prefix(&self.real))
            .ok()
            .map(Path::to_path_buf)
    }

    /// Opens the regular file at `rel` (relative to the root) for reading; see the
    /// module docs. With `follow_last` false, a symlink as the last component is
    /// refused instead of followed (for files that are rewritten in place).
    pub fn open_file(&self, rel: &Path, follow_last: bool) -> Result<Opened, Refused> {
        // Refused on its text first (nothing is looked up for a path that climbs out),
        // then walked with `..` meaning the parent of where the walk really is.
        if !stays_inside(rel) {
            return Err(Refused::Outside);
        }
        let mut pending = raw_components(rel).ok_or(Refused::Outside)?;
        pending.reverse();
        // The directories below the root that the walk is in, with their names.
        let mut dirs: Vec<(OwnedFd, OsString)> = Vec::new();
        let mut links = 0;
        while let Some(part) = pending.pop() {
            let name = match part {
                Part::Parent => {
                    dirs.pop().ok_or(Refused::Outside)?;
                    continue;
                }
                Part::Name(name) => name,
            };
            let last = pending.is_empty();
            let at = dirs.last().map_or(self.fd.as_fd(), |(fd, _)| fd.as_fd());
            let flags = if last {
                OFlags::RDONLY | OFlags::NONBLOCK | OFlags::NOCTTY
            } else {
                OFlags::RDONLY | OFlags::DIRECTORY
            } | OFlags::NOFOLLOW
                | OFlags::CLOEXEC;
            let error = match rustix::fs::openat(at, &name, flags, Mode::empty()) {
                Ok(fd) if last => return self.finish(fd, dirs, name),
                Ok(fd) => {
                    dirs.push((fd, name));
                    continue;
                }
                Err(e) => e,
            };
            // `O_NOFOLLOW` refuses a symlink (ELOOP, or ENOTDIR with
            // `O_DIRECTORY`); read it and go where it points.
            let target = match rustix::fs::readlinkat(at, &name, Vec::new()) {
                Ok(target) => target,
                // Not a symlink (any more): it was swapped meanwhile; look again,
                // as many times as a lookup may follow links.
                Err(rustix::io::Errno::INVAL)
                    if matches!(error, rustix::io::Errno::LOOP | rustix::io::Errno::NOTDIR)
                        && links < MAX_SYMLINKS =>
                {
                    links += 1;
                    pending.push(Part::Name(name));
                    continue;
                }
                Err(_) => {
                    return Err(match error {
                        rustix::io::Errno::NOENT => Refused::Missing,
                        e => Refused::Io(e.into()),
                    });
                }
            };
            if last && !follow_last {
                return Err(Refused::Symlink);
            }
            links += 1;
            if links > MAX_SYMLINKS {
                return Err(Refused::Io(rustix::io::Errno::LOOP.into()));
            }
            let target = PathBuf::from(OsString::from_vec(target.into_bytes()));
            let target = if target.is_absolute() {
                dirs.clear();
                self.relative(&target).ok_or(Refused::Outside)?
            } else {
                target
            };
            let mut parts = raw_components(&target).ok_or(Refused::Outside)?;
            parts.reverse();
            pending.extend(parts);
        }
        // The path named the root itself, or ended in `..`.
        Err(Refused::Directory)
    }

    /// Checks what the last component opened to and wraps it up.
    fn finish(
        &self,
        fd: OwnedFd,
        mut dirs: Vec<(OwnedFd, OsString)>,
        name: OsString,
    ) -> Result<Opened, Refused> {
        let stat = rustix::fs::fstat(&fd).map_err(|e| Refused::Io(e.into()))?;
        match FileType::from_raw_mode(stat.st_mode) {
            FileType::RegularFile => {}
            FileType::Directory => return Err(Refused::Directory),
            other => return Err(Refused::NotRegular(describe_type(other))),
        }
        let mut resolved: PathBuf = dirs.iter().map(|(_, n)| n.as_os_str()).collect();
        resolved.push(&name);
        let parent = match dirs.pop() {
            Some((fd, _)) => fd,
            None => rustix::io::dup(&self.fd).map_err(|e| Refused::Io(e.into()))?,
        };
        Ok(Opened {
            file: File::from(fd),
            identity: (stat.st_dev as u64, stat.st_ino as u64),
            size: stat.st_size as u64,
            resolved,
            parent,
            name,
        })
    }
}

/// "a FIFO", "a character device", ...: what a file that is not regular is.
pub fn describe_type(kind: FileType) -> &'static str {
    match kind {
        FileType::Fifo => "a FIFO",
        FileType::CharacterDevice => "a character device",
        FileType::BlockDevice => "a block device",
        FileType::Socket => "a socket",
        FileType::Symlink => "a symbolic link",
        FileType::Directory => "a directory",
        _ => "a special file",
    }
}

/// Why a file could not be read whole.
#[derive(Debug)]
pub enum ReadFailure {
    /// It holds more than the limit (its size given).
    TooLarge(u64),
    /// Reading failed.
    Io(io::Error),
}

/// Reads an opened file, at most `limit` bytes (the size from `fstat` is only a
/// hint: the file may grow while it is read).
pub fn read_limited(opened: &mut Opened, limit: usize) -> Result<Vec<u8>, ReadFailure> {
    if opened.size > limit as u64 {
        return Err(ReadFailure::TooLarge(opened.size));
    }
    let mut bytes = Vec::new();
    bytes
        .try_reserve_exact(opened.size as usize)
        .map_err(|e| ReadFailure::Io(io::Error::new(io::ErrorKind::OutOfMemory, e)))?;
    (&mut opened.file)
        .take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadFailure::Io)?;
    if bytes.len() > limit {
        return Err(ReadFailure::TooLarge(bytes.len() as u64));
    }
    Ok(bytes)
}

/// One step of a path.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Parent,
    Name(OsString),
}

/// The steps of a relative path; `None` for an absolute one.
fn raw_components(path: &Path) -> Option<Vec<Part>> {
    let mut out = Vec::new();
    for c in path.components() {
        match c {
            Component::Normal(n) => out.push(Part::Name(n.to_os_string())),
            Component::ParentDir => out.push(Part::Parent),
            Component::CurDir => {}
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(out)
}

/// The steps of a relative path with `..` applied lexically; `None` when it is
/// absolute or climbs above its start. (A path is refused on its text before
/// anything is looked up, so the walk never touches a name outside the root.)
fn components(path: &Path) -> Option<Vec<Part>> {
    let mut out = Vec::new();
    for part in raw_components(path)? {
        match part {
            Part::Parent => {
                out.pop()?;
            }
            name => out.push(name),
        }
    }
    Some(out)
}

/// `path` made absolute against the working directory, with `.` and `..` removed
/// lexically (`..` at `/` stays at `/`).
pub fn absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .unwrap_or_else(|_| PathBuf::from("/"))
            .join(path)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::ParentDir => {
                if out.parent().is_some() {
                    out.pop();
                }
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Whether `relative` (a path relative to some directory) stays inside it.
pub fn stays_inside(relative: &Path) -> bool {
    components(relative).is_some()
}

/// The temporary files `replace` writes are `.NAME.tmp-PID-N`.
pub const TEMP_MARKER: &str = ".tmp-";

/// Replaces the file `name` in directory `dir` with `bytes`, so that readers see
/// the old bytes or the new ones, never a mix: a temporary file in the same
/// directory, fsynced, renamed over `name`, then the directory fsynced. A symlink at
/// `name` is replaced by the file, never written through. The new file keeps the
/// permission bits of the regular file it replaces, without setuid, setgid or
/// sticky bits.
pub fn replace(dir: BorrowedFd<'_>, name: &OsStr, bytes: &[u8]) -> io::Result<()> {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    remove_stale_temporaries(dir, name);
    let old = rustix::fs::statat(dir, name, rustix::fs::AtFlags::SYMLINK_NOFOLLOW).ok();
    if let Some(old) = &old
        && FileType::from_raw_mode(old.st_mode) == FileType::Directory
    {
        return Err(io::Error::new(
            io::ErrorKind::IsADirectory,
            "it is a directory; give the file a name inside it",
        ));
    }
    let mut temp = OsString::from(".");
    temp.push(name);
    temp.push(format!(
        "{TEMP_MARKER}{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| -> io::Result<()> {
        let fd = rustix::fs::openat(
            dir,
            &temp,
            OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::from_raw_mode(0o666),
        )?;
        if let Some(old) = old.filter(|s| FileType::from_raw_mode(s.st_mode).is_file()) {
            rustix::fs::fchmod(&fd, Mode::from_raw_mode(old.st_mode & 0o777))?;
        }
        let mut file = File::from(fd);
        io::Write::write_all(&mut file, bytes)?;
        file.sync_all()?;
        drop(file);
        rustix::fs::renameat(dir, &temp, dir, name)?;
        rustix::fs::fsync(dir)?;
        Ok(())
    })();
    if result.is_err() {
        let _ = rustix::fs::unlinkat(dir, &temp, rustix::fs::AtFlags::empty());
    }
    result
}

/// Whether `file_name` is a temporary file of [`replace`] for `name`:
/// `.NAME.tmp-PID-N`, both numbers decimal, nothing else; the PID is returned.
fn temporary_of(file_name: &[u8], name: &[u8]) -> Option<u32> {
    let rest = file_name.strip_prefix(b".")?.strip_prefix(name)?;
    let rest = rest.strip_prefix(TEMP_MARKER.as_bytes())?;
    let (pid, n) = std::str::from_utf8(rest).ok()?.split_once('-')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (digits(pid) && digits(n)).then(|| pid.parse().ok())?
}

/// Removes temporary files a killed run left next to `name` (those whose process
/// is gone). Only where `/proc` tells which processes exist (Linux); elsewhere stale
/// files are only ignored (every run picks a new name).
fn remove_stale_temporaries(dir: BorrowedFd<'_>, name: &OsStr) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = rustix::fs::Dir::read_from(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_bytes();
        let Some(pid) = temporary_of(file_name, name.as_bytes()) else {
            continue;
        };
        if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = rustix::fs::unlinkat(dir, entry.file_name(), rustix::fs::AtFlags::empty());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporaries_match_exactly_what_replace_writes() {
        assert_eq!(temporary_of(b".t.isptab.tmp-123-0", b"t.isptab"), Some(123));
        for other in [
            &b".t.isptab.tmp-999998-keepme"[..],
            b".t.isptab.tmp-123-",
            b".t.isptab.tmp--1",
            b".t.isptab.tmp-12a-1",
            b".t.isptab.tmp-1-2-3",
            b"t.isptab.tmp-1-2",
            b".u.isptab.tmp-1-2",
        ] {
            assert_eq!(temporary_of(other, b"t.isptab"), None, "{other:?}");
        }
    }

    #[test]
    fn lexical_steps() {
        assert!(stays_inside(Path::new("a/../b")));
        assert!(stays_inside(Path::new("./a")));
        assert!(!stays_inside(Path::new("a/../../b")));
        assert!(!stays_inside(Path::new("/etc/passwd")));
        assert_eq!(absolute(Path::new("/a/./b/../c")), PathBuf::from("/a/c"));
        assert_eq!(absolute(Path::new("/../a")), PathBuf::from("/a"));
    }
}
