//! `diff --git REV`: the configuration files as they are at a revision. The
//! directory the configuration may read (the first file's, as for the working
//! tree) is exported from git (`git archive`, unpacked by `tar`) into a
//! temporary directory, and read from there with the same confinement as any
//! configuration: a symbolic link in the revision is refused like one in the
//! working tree.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::super::UsageError;

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
    /// `REV:path`.
    pub fn in_message(&self, text: &str) -> String {
        let dir = format!("{}/", self.dir.path().display());
        text.replace(&dir, &format!("{}:", self.rev))
    }
}

/// Unpacks the directory of the first of `files` (paths in the working tree) as
/// it is at `rev`.
pub fn checkout(rev: &str, files: &[PathBuf]) -> Result<Revision, UsageError> {
    // A revision is passed to git as an argument: never as an option.
    if rev.is_empty() || rev.starts_with('-') || rev.chars().any(char::is_control) {
        return Err(UsageError(format!("`{rev}` is not a revision")));
    }
    let top = PathBuf::from(git(Path::new("."), &["rev-parse", "--show-toplevel"])?.trim_end());
    let top = top
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
    let commit = commit.trim_end().to_string();

    let mut relative = Vec::new();
    for file in files {
        let parent = match file.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let shown = super::super::output::shown_path(file);
        let parent = parent
            .canonicalize()
            .map_err(|e| UsageError(format!("cannot read `{shown}`: {e}")))?;
        let name = file
            .file_name()
            .ok_or_else(|| UsageError(format!("`{shown}` is not a file name")))?;
        let inside = parent
            .strip_prefix(&top)
            .map_err(|_| UsageError(format!("`{shown}` is outside the repository")))?
            .join(name);
        relative.push(inside);
    }
    let root_relative = relative
        .first()
        .and_then(|f| f.parent())
        .map(Path::to_path_buf)
        .unwrap_or_default();

    let dir = tempfile::Builder::new()
        .prefix("isptab-diff-")
        .tempdir()
        .map_err(|e| UsageError(format!("cannot make a temporary directory: {e}")))?;
    let mut archive = Command::new("git");
    archive
        .arg("-C")
        .arg(&top)
        .args(["archive", "--format=tar", &commit, "--"]);
    if !root_relative.as_os_str().is_empty() {
        archive.arg(&root_relative);
    }
    let mut archive = archive
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| UsageError(format!("cannot run git: {e}")))?;
    let tar = Command::new("tar")
        .args([
            "-x",
            "--no-same-owner",
            "--no-same-permissions",
            "-f",
            "-",
            "-C",
        ])
        .arg(dir.path())
        .stdin(
            archive
                .stdout
                .take()
                .ok_or_else(|| UsageError("cannot run git".into()))?,
        )
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| UsageError(format!("cannot run tar: {e}")))?;
    let archived = archive
        .wait_with_output()
        .map_err(|e| UsageError(format!("cannot run git: {e}")))?;
    if !archived.status.success() {
        return Err(UsageError(format!(
            "`{}` does not exist at {rev}: {}",
            root_relative.display(),
            String::from_utf8_lossy(&archived.stderr).trim()
        )));
    }
    if !tar.status.success() {
        return Err(UsageError(format!(
            "cannot unpack the files of {rev}: {}",
            String::from_utf8_lossy(&tar.stderr).trim()
        )));
    }
    let files: Vec<PathBuf> = relative.iter().map(|r| dir.path().join(r)).collect();
    for (file, r) in files.iter().zip(&relative) {
        if file.symlink_metadata().is_err() {
            return Err(UsageError(format!(
                "`{}` does not exist at {rev}",
                r.display()
            )));
        }
    }
    Ok(Revision {
        rev: rev.to_string(),
        root: dir.path().join(&root_relative),
        files,
        given: relative.iter().map(|r| r.display().to_string()).collect(),
        dir,
    })
}

/// Runs git in `dir`; its stdout, or an error with its stderr.
fn git(dir: &Path, args: &[&str]) -> Result<String, UsageError> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| UsageError(format!("cannot run git: {e}")))?;
    if !out.status.success() {
        return Err(UsageError(format!(
            "git {}: {}",
            args.first().unwrap_or(&""),
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    String::from_utf8(out.stdout)
        .map_err(|_| UsageError("git printed a path that is not UTF-8".into()))
}
