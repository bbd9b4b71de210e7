//! Loading and merging: reads the layers (defaults, then each input file with its
//! includes expanded in place), applies `isp`, `override`, `delete` and moves in
//! order, and records where every pattern and setting came from.
//!
//! It runs in two phases. First every file reachable through `include` is read and
//! parsed, so that syntax errors, missing files and include cycles are all reported
//! together. If any of those failed, the merge does not run: a record defined in a
//! file that did not parse would otherwise show up as a cascade of `unknown-isp`
//! and `duplicate-domain` errors. Then the documents are merged.

use kdl::{KdlDocument, KdlNode};
use std::collections::HashMap;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::merge::Merger;
use super::{Config, Origin};
use crate::diagnostics::{Diagnostic, Severity};
use crate::limits::Limits;
use crate::rules::{
    Code, empty_file, include_cycle, limit_exceeded, outside_root, unreadable_file,
};
use crate::source::{FileId, SourceMap, Span};
use crate::syntax::{self, NodeReader, StrValue};

/// Which records form the first layer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum DefaultsSource {
    /// The records built into the binary (`isptab defaults` prints them).
    #[default]
    Builtin,
    /// None (`--no-defaults`).
    None,
    /// The records of another file (`--defaults FILE`).
    File(PathBuf),
}

/// One input of a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    /// A file on disk; its path is shown as given.
    Path(PathBuf),
    /// Text in memory, shown under `name`; includes resolve against the working
    /// directory.
    Text {
        /// The name shown in diagnostics.
        name: String,
        /// The KDL text.
        text: String,
    },
}

/// A file named on the command line (or as `--defaults`) that cannot be read. This is
/// a usage problem (exit code 2), not a diagnostic about the configuration.
#[derive(Debug)]
pub struct InputError {
    /// The path as given.
    pub path: PathBuf,
    /// Why it cannot be read.
    pub reason: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot read `{}`: {}", self.path.display(), self.reason)
    }
}

impl std::error::Error for InputError {}

/// The result of loading: every file read, the merged configuration (absent when
/// files could not be read or parsed), and every diagnostic found on the way.
#[derive(Debug)]
pub struct Loaded {
    /// Every file read, in load order.
    pub sources: SourceMap,
    /// The merged configuration, unless reading or parsing failed.
    pub config: Option<Config>,
    /// Diagnostics, unsorted, before level flags are applied.
    pub diagnostics: Vec<Diagnostic>,
}

/// The name the built-in defaults are shown under.
pub const DEFAULTS_NAME: &str = "<defaults>";

/// Loads the defaults and the inputs and merges them. Lints over the merged
/// configuration are not run here (see [`crate::check`]).
pub fn load(
    inputs: &[Input],
    defaults: &DefaultsSource,
    limits: &Limits,
    root: Option<&Path>,
) -> Result<Loaded, InputError> {
    let root = match root {
        Some(dir) => Some(std::fs::canonicalize(dir).map_err(|e| InputError {
            path: dir.to_path_buf(),
            reason: e.to_string(),
        })?),
        None => None,
    };
    let mut files = Files {
        limits: limits.clone(),
        root,
        ..Files::default()
    };
    let mut layers = Vec::new();
    match defaults {
        DefaultsSource::Builtin => {
            let id = files.sources.add(DEFAULTS_NAME, crate::defaults::TEXT);
            files.info.insert(
                id,
                FileInfo {
                    real: None,
                    root: PathBuf::from("."),
                },
            );
            files.parse(id, None);
            layers.push((id, Origin::Default));
        }
        DefaultsSource::None => {}
        DefaultsSource::File(path) => {
            layers.extend(
                files
                    .load_root(&Input::Path(path.clone()), true)?
                    .map(|id| (id, Origin::Default)),
            );
        }
    }
    for input in inputs {
        layers.extend(
            files
                .load_root(input, false)?
                .map(|id| (id, Origin::Custom)),
        );
    }
    // An empty file defines nothing, so it cannot cause follow-on errors; anything
    // else that failed here leaves records undefined.
    let loading_failed = files
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error && d.code != Code::EmptyFile);
    let mut diagnostics = std::mem::take(&mut files.diagnostics);
    let config = if loading_failed {
        None
    } else {
        let mut merger = Merger::new(&mut files);
        for (id, origin) in layers {
            merger.layer(id, origin);
        }
        let (config, merge_diagnostics) = merger.finish();
        diagnostics.extend(merge_diagnostics);
        Some(config)
    };
    Ok(Loaded {
        sources: files.sources,
        config,
        diagnostics,
    })
}

/// Why a file could not be read.
enum ReadError {
    Missing,
    Directory,
    TooLarge(u64),
    Io(std::io::Error),
}

impl ReadError {
    fn reason(&self, limit: usize) -> String {
        match self {
            ReadError::Missing => "no such file".into(),
            ReadError::Directory => unreadable_file::IS_DIRECTORY.into(),
            ReadError::TooLarge(size) => format!("it is {size} bytes; the limit is {limit}"),
            ReadError::Io(e) => e.to_string(),
        }
    }

    /// The diagnostic for a file named at `site` (an `include` or a
    /// `domains-file`) that could not be read.
    fn diagnostic(&self, site: Span, display: &str, limit: usize) -> Diagnostic {
        match self {
            ReadError::TooLarge(size) => {
                limit_exceeded::included_file_too_large(site, display, *size, limit)
            }
            ReadError::Directory => unreadable_file::directory(site, display),
            e => unreadable_file::new(site, display, &e.reason(limit)),
        }
    }
}

/// Reads at most `limit` bytes of a regular file (a FIFO or a device could
/// otherwise never end).
fn read_file(path: &Path, limit: usize) -> Result<Vec<u8>, ReadError> {
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => ReadError::Missing,
        _ => ReadError::Io(e),
    })?;
    if meta.is_dir() {
        return Err(ReadError::Directory);
    }
    if meta.len() > limit as u64 {
        return Err(ReadError::TooLarge(meta.len()));
    }
    let file = std::fs::File::open(path).map_err(ReadError::Io)?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() > limit {
        return Err(ReadError::TooLarge(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Whether `path` stays inside `root` once `.` and `..` are taken into account
/// (before any symlink is followed).
fn lexically_inside(path: &Path, root: &Path) -> bool {
    use std::path::Component;
    let mut normal = PathBuf::new();
    for part in path.components() {
        match part {
            Component::ParentDir => {
                if !normal.pop() {
                    return false;
                }
            }
            Component::CurDir => {}
            other => normal.push(other),
        }
    }
    normal.starts_with(root)
}

/// The path shown for `target`, written in a file shown as `parent_display`.
fn display_join(parent_display: &str, target: &str) -> String {
    let parent = Path::new(parent_display).parent().unwrap_or(Path::new(""));
    parent.join(target).to_string_lossy().into_owned()
}

/// Where a loaded file lives on disk (`None` for text inputs and the built-ins),
/// and the directory its includes and domains files must stay inside.
struct FileInfo {
    real: Option<PathBuf>,
    root: PathBuf,
}

impl FileInfo {
    /// The directory relative paths in this file resolve against.
    fn base_dir(&self) -> PathBuf {
        directory_of(self.real.as_deref())
    }
}

/// The directory of a file on disk, or the working directory for text inputs.
/// Absolute, so that it compares with the (canonical) project root.
fn directory_of(real: Option<&Path>) -> PathBuf {
    real.and_then(Path::parent)
        .map(Path::to_path_buf)
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Phase one: reading and parsing every reachable file.
#[derive(Default)]
pub(super) struct Files {
    pub(super) limits: Limits,
    /// The project root (`--root`, or the first input file's directory).
    root: Option<PathBuf>,
    pub(super) sources: SourceMap,
    pub(super) docs: HashMap<FileId, KdlDocument>,
    info: HashMap<FileId, FileInfo>,
    by_path: HashMap<PathBuf, FileId>,
    /// The file each `include` node (file, node offset) resolved to.
    pub(super) includes: HashMap<(FileId, usize), FileId>,
    /// The `include` string that first loaded each included file.
    include_sites: HashMap<FileId, Span>,
    /// Domains files already read, by canonical path.
    domains_files: HashMap<PathBuf, FileId>,
    diagnostics: Vec<Diagnostic>,
}

impl Files {
    /// Loads a file named on the command line. Its includes must stay inside the
    /// project root; those of a `--defaults` file inside that file's directory.
    fn load_root(&mut self, input: &Input, defaults: bool) -> Result<Option<FileId>, InputError> {
        let (display, real, bytes) = match input {
            Input::Text { name, text } => (name.clone(), None, text.clone().into_bytes()),
            Input::Path(path) => {
                let error = |reason: String| InputError {
                    path: path.clone(),
                    reason,
                };
                let real = std::fs::canonicalize(path).map_err(|e| match e.kind() {
                    std::io::ErrorKind::NotFound => error("no such file".into()),
                    _ => error(e.to_string()),
                })?;
                if self.by_path.contains_key(&real) {
                    // Named twice, or already included: each file is processed once.
                    return Ok(None);
                }
                let bytes = match read_file(&real, self.limits.kdl_file_bytes) {
                    Ok(bytes) => bytes,
                    Err(ReadError::TooLarge(size)) => {
                        // Too large is about the content: report it as a diagnostic.
                        let id = self.sources.add(path.to_string_lossy(), "");
                        self.diagnostics.push(limit_exceeded::file_too_large(
                            Span::new(id, 0..0),
                            size,
                            self.limits.kdl_file_bytes,
                        ));
                        return Ok(None);
                    }
                    Err(e) => return Err(error(e.reason(self.limits.kdl_file_bytes))),
                };
                (path.to_string_lossy().into_owned(), Some(real), bytes)
            }
        };
        let own_dir = directory_of(real.as_deref());
        let root = if defaults {
            own_dir
        } else {
            self.root.get_or_insert(own_dir).clone()
        };
        let id = self.add(display, real, bytes, root);
        if let Some(id) = id {
            self.parse(id, Some(&mut vec![id]));
        }
        Ok(id)
    }

    /// Adds a file's bytes to the source map; `None` (with a diagnostic) when the
    /// bytes are not UTF-8.
    fn add(
        &mut self,
        display: String,
        real: Option<PathBuf>,
        bytes: Vec<u8>,
        root: PathBuf,
    ) -> Option<FileId> {
        let (id, ok) = match syntax::decode(&mut self.sources, display, bytes) {
            Ok(id) => (id, true),
            Err(d) => {
                let id = d.primary.span.file;
                self.diagnostics.push(d);
                (id, false)
            }
        };
        if let Some(real) = &real {
            self.by_path.insert(real.clone(), id);
        }
        self.info.insert(id, FileInfo { real, root });
        ok.then_some(id)
    }

    /// Parses a file and loads its includes. `stack` is the chain of files being
    /// included (for cycle detection); the defaults have none.
    fn parse(&mut self, id: FileId, stack: Option<&mut Vec<FileId>>) {
        let Some(doc) = syntax::parse(&self.sources, id, &self.limits, &mut self.diagnostics)
        else {
            return;
        };
        if doc.nodes().is_empty() && self.sources.get(id).text().trim().is_empty() {
            let name = self.sources.get(id).name();
            self.diagnostics.push(match self.include_site(id) {
                Some(site) => empty_file::included(site, name),
                None => empty_file::kdl(id),
            });
        }
        if let Some(stack) = stack {
            for node in doc.nodes() {
                if node.name().value() == "include" {
                    self.include(id, node, stack);
                }
            }
        }
        self.docs.insert(id, doc);
    }

    /// Follows one `include` node. Malformed nodes are left to the merge, which
    /// reports them.
    fn include(&mut self, from: FileId, node: &KdlNode, stack: &mut Vec<FileId>) {
        let mut ignored = Vec::new();
        let text = self.sources.get(from).text().clone();
        let mut reader = NodeReader::new(node, from, &text);
        let Some(target) = reader.single_string("a file path", &mut ignored) else {
            return;
        };
        let site = target.span;
        let display = display_join(self.sources.get(from).name(), target.value);
        let real = match self.resolve(from, &target, &display) {
            Ok(real) => real,
            Err(d) => {
                self.diagnostics.push(d);
                return;
            }
        };
        if let Some(&existing) = self.by_path.get(&real) {
            if let Some(pos) = stack.iter().position(|&f| f == existing) {
                let chain: Vec<String> = stack[pos..]
                    .iter()
                    .chain([&existing])
                    .map(|&f| self.sources.get(f).name().to_string())
                    .collect();
                let sites: Vec<Span> = stack[pos + 1..]
                    .iter()
                    .filter_map(|f| self.include_site(*f))
                    .collect();
                self.diagnostics
                    .push(include_cycle::new(site, &chain, &sites));
            } else {
                // Included before: each file is processed once, where it first appears.
                self.includes.insert((from, node.span().offset()), existing);
            }
            return;
        }
        if stack.len() >= self.limits.include_depth {
            self.diagnostics.push(limit_exceeded::include_depth(
                site,
                stack.len() + 1,
                self.limits.include_depth,
            ));
            return;
        }
        let bytes = match read_file(&real, self.limits.kdl_file_bytes) {
            Ok(bytes) => bytes,
            Err(e) => {
                let limit = self.limits.kdl_file_bytes;
                self.diagnostics.push(e.diagnostic(site, &display, limit));
                return;
            }
        };
        let root = self.info[&from].root.clone();
        let Some(id) = self.add(display, Some(real), bytes, root) else {
            return;
        };
        self.includes.insert((from, node.span().offset()), id);
        self.include_sites.insert(id, site);
        stack.push(id);
        self.parse(id, Some(stack));
        stack.pop();
    }

    /// Where a path written in `from` leads: the file's canonical path (symlinks
    /// resolved), if it exists and lies inside the root of `from`. A path that
    /// leads outside is refused before anything is read from it.
    fn resolve(
        &self,
        from: FileId,
        target: &StrValue<'_>,
        display: &str,
    ) -> Result<PathBuf, Diagnostic> {
        let info = &self.info[&from];
        let path = info.base_dir().join(target.value);
        let outside = || outside_root::new(target.span, display);
        if !lexically_inside(&path, &info.root) {
            return Err(outside());
        }
        let real = std::fs::canonicalize(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => {
                unreadable_file::new(target.span, display, "no such file")
            }
            _ => unreadable_file::new(target.span, display, &e.to_string()),
        })?;
        if !real.starts_with(&info.root) {
            return Err(outside());
        }
        Ok(real)
    }

    fn include_site(&self, file: FileId) -> Option<Span> {
        self.include_sites.get(&file).copied()
    }

    /// Reads a domains file named in `from` (cached: a list used twice is read once).
    pub(super) fn domains_file(
        &mut self,
        from: FileId,
        path: &StrValue<'_>,
    ) -> Result<FileId, Diagnostic> {
        let display = display_join(self.sources.get(from).name(), path.value);
        let real = self.resolve(from, path, &display)?;
        if let Some(&id) = self.domains_files.get(&real) {
            return Ok(id);
        }
        let limit = self.limits.domains_file_bytes;
        let bytes =
            read_file(&real, limit).map_err(|e| e.diagnostic(path.span, &display, limit))?;
        let id = syntax::decode(&mut self.sources, display, bytes)?;
        let root = self.info[&from].root.clone();
        self.info.insert(
            id,
            FileInfo {
                real: Some(real.clone()),
                root,
            },
        );
        self.domains_files.insert(real, id);
        Ok(id)
    }
}
