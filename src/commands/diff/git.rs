//! `diff --git REV`: the configuration files as they are at a revision. The
//! directory the configuration may read (the first file's, as for the working
//! tree) is listed at the commit (`git ls-tree -r -z -l`, literal pathspecs)
//! and its blobs are written, as committed, into a temporary directory by one
//! `git cat-file --batch`; the configuration is read from there with the same
//! confinement as any configuration: a symbolic link in the revision is
//! refused like one in the working tree.
//!
//! Not `git archive`: it applies `.gitattributes` (`export-subst` rewrites
//! contents, `export-ignore` drops files), so what it gives is not what was
//! committed. Here no attribute applies: no `export-*`, no end-of-line or
//! `ident` conversion, no filter (a file stored with Git LFS is read as its
//! pointer).
//!
//! What is written: the whole directory (which files the configuration reads is
//! known only as it is read), regular blobs as files (mode 0644), symbolic
//! links as symbolic links with their target. Submodules are not followed (a
//! commit in the tree is skipped; a message naming a path inside one says so).
//! A blob larger than [`MAX_DOMAINS_FILE_BYTES`] is not read from git: a sparse
//! file of its size stands for it, so that the loader refuses it by its size,
//! unread, with the same `limit-exceeded` as in the working tree; if the rest
//! holds more than [`MAX_TOTAL_BYTES`] (more than a configuration can read),
//! nothing is written and the diff stops. Entries whose names are not UTF-8 (no
//! `include` or `domains-file` can name them) or have an empty, `.` or `..`
//! component (git does not make them) are skipped, as is an entry whose place
//! is already taken or whose parent is not a directory this module made (never
//! through a symbolic link): nothing is written outside the temporary
//! directory.

use std::collections::HashSet;
use std::ffi::OsStr;
use std::fs::{DirBuilder, OpenOptions};
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::process::{ChildStdout, Command, Stdio};

use isptab::compiler::limits::{MAX_DOMAINS_FILE_BYTES, MAX_TOTAL_BYTES};

use super::super::UsageError;

/// Longest symbolic link target written (Linux's `PATH_MAX`, less the NUL).
const MAX_LINK_TARGET: u64 = 4095;

/// The files of a revision, unpacked.
pub struct Revision {
    /// The revision as given.
    rev: String,
    /// Holds the files; removed on drop.
    dir: tempfile::TempDir,
    /// The configuration files, inside `dir`.
    pub files: Vec<PathBuf>,
    /// The directory they may read, inside `dir`.
    pub root: PathBuf,
    /// The files as given, for the label.
    given: Vec<String>,
    /// The submodules under the directory (paths in the repository), which
    /// are not followed.
    submodules: Vec<String>,
}

impl Revision {
    /// `HEAD:isptab.kdl`.
    pub fn label(&self) -> String {
        self.given
            .iter()
            .map(|f| format!("{}:{f}", self.rev))
            .collect::<Vec<_>>()
            .join(" + ")
    }

    /// The name to show for a file read from the revision: `REV:` and its path
    /// in the repository.
    pub fn shown(&self, name: &str) -> Option<String> {
        let rest = Path::new(name).strip_prefix(self.dir.path()).ok()?;
        Some(format!("{}:{}", self.rev, rest.display()))
    }

    /// A message with every path inside the revision's directory shown as
    /// `REV:path`; one naming a path inside a submodule says that submodules
    /// are not read.
    pub fn in_message(&self, text: &str) -> String {
        let dir = format!("{}/", self.dir.path().display());
        let mut text = text.replace(&dir, &format!("{}:", self.rev));
        let note = self
            .submodules
            .iter()
            .find(|sub| {
                let shown = format!("{}:{sub}", self.rev);
                text.match_indices(&shown).any(|(at, _)| {
                    matches!(text.as_bytes().get(at + shown.len()), Some(b'/' | b'`'))
                })
            })
            .map(|sub| submodule_note(sub));
        if let Some(note) = note {
            text.push_str(&note);
        }
        text
    }
}

/// ` (`sub` is a git submodule, ...)`.
fn submodule_note(sub: &str) -> String {
    format!(" (`{sub}` is a git submodule: diff --git does not read submodules)")
}

/// Unpacks the directory of the first of `files` (paths in the working tree) as
/// it is at `rev`.
pub fn checkout(rev: &str, files: &[PathBuf]) -> Result<Revision, UsageError> {
    // A revision is passed to git as an argument: never as an option.
    if rev.is_empty() || rev.starts_with('-') || rev.chars().any(char::is_control) {
        return Err(UsageError(format!("`{rev}` is not a revision")));
    }
    let top = git(Path::new("."), &["rev-parse", "--show-toplevel"])?;
    // The path, byte for byte: only the newline git ends it with is not part of it.
    let top = top.strip_suffix(b"\n").unwrap_or(&top);
    let top = Path::new(OsStr::from_bytes(top))
        .canonicalize()
        .map_err(|e| UsageError(format!("cannot read the repository: {e}")))?;
    let commit = git(
        &top,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            &format!("{rev}^{{commit}}"),
        ],
    )
    .map_err(|_| UsageError(format!("`{rev}` is not a revision of this repository")))?;
    let commit = String::from_utf8_lossy(&commit).trim_end().to_string();

    let mut relative = Vec::new();
    for file in files {
        relative.push(in_repository(&top, file)?);
    }
    let root_relative = relative
        .first()
        .and_then(|f| f.parent())
        .map(Path::to_path_buf)
        .unwrap_or_default();

    let tree = list(&top, &commit, &root_relative, rev)?;
    let dir = tempfile::Builder::new()
        .prefix("isptab-diff-")
        .tempdir()
        .map_err(|e| UsageError(format!("cannot make a temporary directory: {e}")))?;
    write(&top, &tree.entries, dir.path(), rev)?;

    let files: Vec<PathBuf> = relative.iter().map(|r| dir.path().join(r)).collect();
    for (file, r) in files.iter().zip(&relative) {
        if file.symlink_metadata().is_err() {
            let inside = tree
                .submodules
                .iter()
                .find(|sub| r.starts_with(sub.as_str()))
                .map(|sub| submodule_note(sub))
                .unwrap_or_default();
            return Err(UsageError(format!(
                "`{}` does not exist at {rev}{inside}",
                r.display()
            )));
        }
    }
    Ok(Revision {
        rev: rev.to_string(),
        root: dir.path().join(&root_relative),
        files,
        given: relative.iter().map(|r| r.display().to_string()).collect(),
        submodules: tree.submodules,
        dir,
    })
}

/// The path of `file` (in the working tree) in the repository at `top`.
fn in_repository(top: &Path, file: &Path) -> Result<PathBuf, UsageError> {
    let shown = super::super::output::shown_path(file);
    let missing = |e: io::Error| {
        if e.kind() == io::ErrorKind::NotFound {
            UsageError(format!("`{shown}` does not exist in the working tree"))
        } else {
            UsageError(format!("cannot read `{shown}`: {e}"))
        }
    };
    let parent = match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let parent = parent.canonicalize().map_err(missing)?;
    let name = file
        .file_name()
        .ok_or_else(|| UsageError(format!("`{shown}` is not a file name")))?;
    // The file itself (not what a symbolic link names: the loader decides).
    parent.join(name).symlink_metadata().map_err(missing)?;
    Ok(parent
        .strip_prefix(top)
        .map_err(|_| UsageError(format!("`{shown}` is outside the repository")))?
        .join(name))
}

/// What an entry of the tree becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A regular blob, written from git.
    File,
    /// A regular blob too large to read: a sparse file of its size.
    TooLarge,
    /// A symbolic link; its blob is the target.
    Link,
}

/// A blob of the tree to write.
struct Entry {
    kind: Kind,
    oid: String,
    size: u64,
    /// Relative, of normal components only.
    path: PathBuf,
}

/// The tree of the directory at the commit.
struct Tree {
    entries: Vec<Entry>,
    submodules: Vec<String>,
}

/// Lists the blobs under `dir` (relative to the top; empty for all) at `commit`.
fn list(top: &Path, commit: &str, dir: &Path, rev: &str) -> Result<Tree, UsageError> {
    let mut args: Vec<&OsStr> = ["ls-tree", "-r", "-z", "--full-tree", "-l", commit, "--"]
        .into_iter()
        .map(OsStr::new)
        .collect();
    if !dir.as_os_str().is_empty() {
        args.push(dir.as_os_str());
    }
    let out = git_os(top, &args)?;
    let mut tree = Tree {
        entries: Vec::new(),
        submodules: Vec::new(),
    };
    let mut total: u64 = 0;
    for record in out.split(|&b| b == 0).filter(|r| !r.is_empty()) {
        // `<mode> <type> <oid> <size>\t<path>`: the path may hold tabs, the rest not.
        let bad = || UsageError(format!("git ls-tree printed an unexpected line for {rev}"));
        let tab = record.iter().position(|&b| b == b'\t').ok_or_else(bad)?;
        let (meta, name) = (&record[..tab], &record[tab + 1..]);
        let meta = std::str::from_utf8(meta).map_err(|_| bad())?;
        let mut fields = meta.split_ascii_whitespace();
        let (Some(mode), Some(kind), Some(oid), Some(size), None) = (
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
        ) else {
            return Err(bad());
        };
        let Some(path) = safe_path(name) else {
            continue;
        };
        match (mode, kind) {
            ("160000", "commit") => {
                tree.submodules.push(path.display().to_string());
                continue;
            }
            (_, "blob") => {}
            _ => continue,
        }
        let size: u64 = size.parse().map_err(|_| bad())?;
        let kind = if mode == "120000" {
            if size > MAX_LINK_TARGET {
                continue;
            }
            Kind::Link
        } else if size > MAX_DOMAINS_FILE_BYTES as u64 {
            Kind::TooLarge
        } else {
            Kind::File
        };
        if kind != Kind::TooLarge {
            total += size;
        }
        tree.entries.push(Entry {
            kind,
            oid: oid.to_string(),
            size,
            path,
        });
    }
    if total > MAX_TOTAL_BYTES as u64 {
        let at = if dir.as_os_str().is_empty() {
            "the repository".to_string()
        } else {
            format!("`{}`", dir.display())
        };
        return Err(UsageError(format!(
            "{at} holds {total} bytes at {rev}, more than a configuration can read ({MAX_TOTAL_BYTES}): \
             keep the configuration in a directory of its own"
        )));
    }
    Ok(tree)
}

/// A path from the tree, if it is UTF-8 and made of normal components only.
fn safe_path(name: &[u8]) -> Option<PathBuf> {
    let name = std::str::from_utf8(name).ok()?;
    if name
        .split('/')
        .any(|c| c.is_empty() || c == "." || c == "..")
    {
        return None;
    }
    Some(PathBuf::from(name))
}

/// Writes the entries into `dir`, their blobs read by one `git cat-file --batch`.
fn write(top: &Path, entries: &[Entry], dir: &Path, rev: &str) -> Result<(), UsageError> {
    let mut cat = Command::new("git")
        .arg("-C")
        .arg(top)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| UsageError(format!("cannot run git: {e}")))?;
    let (Some(stdin), Some(stdout)) = (cat.stdin.take(), cat.stdout.take()) else {
        return Err(UsageError("cannot run git".into()));
    };
    let oids: Vec<String> = entries
        .iter()
        .filter(|e| e.kind != Kind::TooLarge)
        .map(|e| e.oid.clone())
        .collect();
    // Fed from a thread: git answers while it reads.
    let feeder = std::thread::spawn(move || -> io::Result<()> {
        let mut stdin = BufWriter::new(stdin);
        for oid in oids {
            writeln!(stdin, "{oid}")?;
        }
        stdin.flush()
    });
    let mut writer = Writer {
        dir,
        made: HashSet::new(),
        git: BufReader::new(stdout),
        rev,
    };
    let written = entries.iter().try_for_each(|e| writer.entry(e));
    drop(writer);
    if written.is_err() {
        // Stops git, and the feeder with it.
        let _ = cat.kill();
    }
    let done = cat.wait_with_output();
    let _ = feeder.join();
    written?;
    let done = done.map_err(|e| UsageError(format!("cannot run git: {e}")))?;
    if !done.status.success() {
        return Err(UsageError(format!(
            "git cat-file: {}",
            String::from_utf8_lossy(&done.stderr).trim()
        )));
    }
    Ok(())
}

/// Writes entries in order, reading their blobs from git.
struct Writer<'a> {
    dir: &'a Path,
    /// The directories made (relative): the only ones written into.
    made: HashSet<PathBuf>,
    git: BufReader<ChildStdout>,
    rev: &'a str,
}

impl Writer<'_> {
    /// Writes one entry (its blob is the next answer of git, unless too large).
    fn entry(&mut self, entry: &Entry) -> Result<(), UsageError> {
        let rev = self.rev;
        if entry.kind != Kind::TooLarge {
            self.header(entry)?;
        }
        let placed = self.parents(&entry.path)?;
        let path = self.dir.join(&entry.path);
        let cannot = |e: io::Error| {
            UsageError(format!(
                "cannot write `{}` of {rev}: {e}",
                entry.path.display()
            ))
        };
        // What git sends for the entry: nothing for a blob not asked for.
        let wanted = if entry.kind == Kind::TooLarge {
            0
        } else {
            entry.size
        };
        let mut blob = (&mut self.git).take(wanted);
        match (placed, entry.kind) {
            (false, _) => drain(&mut blob, wanted, rev)?,
            (true, Kind::File | Kind::TooLarge) => match create(&path) {
                Ok(mut file) => {
                    if entry.kind == Kind::TooLarge {
                        file.set_len(entry.size).map_err(cannot)?;
                    } else {
                        let copied = io::copy(&mut blob, &mut file).map_err(cannot)?;
                        if copied != entry.size {
                            return Err(short(rev));
                        }
                    }
                }
                // Only a name seen twice (or twice on a case-insensitive
                // file system): the first stays.
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    drain(&mut blob, wanted, rev)?;
                }
                Err(e) => return Err(cannot(e)),
            },
            (true, Kind::Link) => {
                let mut target = Vec::new();
                blob.read_to_end(&mut target)
                    .map_err(|e| from_git(rev, &e))?;
                if target.len() as u64 != entry.size {
                    return Err(short(rev));
                }
                // A target git cannot check out (empty, or holding a NUL) is skipped.
                if !target.is_empty() && !target.contains(&0) {
                    match std::os::unix::fs::symlink(OsStr::from_bytes(&target), &path) {
                        Ok(()) => {}
                        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                        Err(e) => return Err(cannot(e)),
                    }
                }
            }
        }
        if entry.kind != Kind::TooLarge {
            let mut end = [0u8; 1];
            self.git
                .read_exact(&mut end)
                .map_err(|e| from_git(rev, &e))?;
            if end != *b"\n" {
                return Err(UsageError(format!(
                    "cannot read the files of {rev} from git: an unexpected answer"
                )));
            }
        }
        Ok(())
    }

    /// Reads git's `<oid> blob <size>` line for `entry`.
    fn header(&mut self, entry: &Entry) -> Result<(), UsageError> {
        let rev = self.rev;
        let mut line = Vec::new();
        (&mut self.git)
            .take(1024)
            .read_until(b'\n', &mut line)
            .map_err(|e| from_git(rev, &e))?;
        if line.is_empty() {
            return Err(short(rev));
        }
        let expected = format!("{} blob {}\n", entry.oid, entry.size);
        if line != expected.as_bytes() {
            return Err(UsageError(format!(
                "cannot read `{}` at {rev}: git cat-file: {}",
                entry.path.display(),
                String::from_utf8_lossy(&line).trim()
            )));
        }
        Ok(())
    }

    /// Makes the parent directories of `path` inside the directory; false
    /// (nothing made) when one exists and is not a directory made here.
    fn parents(&mut self, path: &Path) -> Result<bool, UsageError> {
        let mut at = PathBuf::new();
        let Some(parent) = path.parent() else {
            return Ok(true);
        };
        for part in parent.iter() {
            at.push(part);
            if self.made.contains(&at) {
                continue;
            }
            match DirBuilder::new().mode(0o755).create(self.dir.join(&at)) {
                Ok(()) => {
                    self.made.insert(at.clone());
                }
                // A file or a symbolic link (a directory made here is in `made`).
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Ok(false),
                Err(e) => {
                    return Err(UsageError(format!(
                        "cannot write `{}` of {}: {e}",
                        at.display(),
                        self.rev
                    )));
                }
            }
        }
        Ok(true)
    }
}

/// Reads the rest of a blob of `size` bytes into nothing.
fn drain(blob: &mut impl Read, size: u64, rev: &str) -> Result<(), UsageError> {
    let read = io::copy(blob, &mut io::sink()).map_err(|e| from_git(rev, &e))?;
    if read != size {
        return Err(short(rev));
    }
    Ok(())
}

/// Reading the blobs of `rev` from git failed.
fn from_git(rev: &str, e: &io::Error) -> UsageError {
    UsageError(format!("cannot read the files of {rev} from git: {e}"))
}

/// Git's answer ended before the blob did.
fn short(rev: &str) -> UsageError {
    UsageError(format!(
        "cannot read the files of {rev} from git: its answer ended early"
    ))
}

/// A new file (never an existing one, never through a symbolic link).
fn create(path: &Path) -> io::Result<std::fs::File> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o644)
        .open(path)
}

/// Runs git in `dir`; its stdout, or an error with its stderr.
fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, UsageError> {
    let args: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
    git_os(dir, &args)
}

/// [`git`] with arguments that may not be UTF-8; pathspecs are literal.
fn git_os(dir: &Path, args: &[&OsStr]) -> Result<Vec<u8>, UsageError> {
    let out = Command::new("git")
        .arg("--literal-pathspecs")
        .arg("-C")
        .arg(dir)
        .args(args)
        // Incompatible with literal pathspecs.
        .env_remove("GIT_GLOB_PATHSPECS")
        .env_remove("GIT_NOGLOB_PATHSPECS")
        .env_remove("GIT_ICASE_PATHSPECS")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| UsageError(format!("cannot run git: {e}")))?;
    if !out.status.success() {
        let first = args
            .first()
            .map(|a| a.to_string_lossy())
            .unwrap_or_default();
        return Err(UsageError(format!(
            "git {first}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(out.stdout)
}
