//! Phase one of loading: reading every file reachable through `include` inside
//! the project root (through [`confined`](crate::compiler::confined)), within the
//! limits on each file and on all of them, and parsing it, so that syntax errors,
//! missing files and include cycles are all reported together; and, for phase
//! two, reading the domains files the merge asks for.

use kdl::{KdlDocument, KdlNode};
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::rc::Rc;

use super::inputs::{Input, InputError};
use crate::compiler::confined::{Identity, Opened, ReadFailure, Refused, Root, read_limited};
use crate::compiler::diagnostics::Diagnostic;
use crate::compiler::limits::Limits;
use crate::compiler::rules::{
    empty_file, include_cycle, limit_exceeded, outside_root, unreadable_file,
};
use crate::compiler::source::{FileId, SourceMap, Span};
use crate::compiler::syntax::{self, NodeReader, StrValue};

/// Why a file named in a configuration could not be read.
enum ReadError {
    Refused(Refused),
    TooLarge(u64),
    /// Reading it would pass the limit on bytes read in all (the limit given).
    TotalTooLarge(usize),
    /// Too many files in all (the limit given).
    TooManyFiles(usize),
}

impl From<Refused> for ReadError {
    fn from(r: Refused) -> Self {
        ReadError::Refused(r)
    }
}

impl From<ReadFailure> for ReadError {
    fn from(f: ReadFailure) -> Self {
        match f {
            ReadFailure::TooLarge(size) => ReadError::TooLarge(size),
            ReadFailure::Io(e) => ReadError::Refused(Refused::Io(e)),
        }
    }
}

impl ReadError {
    /// The diagnostic for a file named at `site` (an `include` or a
    /// `domains-file`) that could not be read.
    fn diagnostic(&self, site: Span, display: &str, limit: usize) -> Diagnostic {
        match self {
            ReadError::TooLarge(size) => {
                limit_exceeded::included_file_too_large(site, display, *size, limit)
            }
            ReadError::TotalTooLarge(limit) => limit_exceeded::total_bytes(site, display, *limit),
            ReadError::TooManyFiles(limit) => limit_exceeded::too_many_files(site, display, *limit),
            ReadError::Refused(Refused::Outside) => outside_root::new(site, display),
            ReadError::Refused(Refused::Directory) => unreadable_file::directory(site, display),
            ReadError::Refused(r) => unreadable_file::new(site, display, &r.reason()),
        }
    }
}

/// A file read: which file it is, the directory its paths resolve against
/// (relative to its root), and its bytes.
struct ReadFile {
    identity: Identity,
    base: PathBuf,
    bytes: Vec<u8>,
}

/// The path shown for `target`, written in a file shown as `parent_display`.
fn display_join(parent_display: &str, target: &str) -> String {
    let parent = Path::new(parent_display).parent().unwrap_or(Path::new(""));
    parent.join(target).to_string_lossy().into_owned()
}

/// Where a loaded file is: the root its paths must stay inside, and the directory
/// (relative to the root, symlinks resolved) its relative paths start from.
/// `None` for the built-in defaults, which name no files; a text input whose
/// working directory is outside the root has a root but no base.
#[derive(Clone)]
pub(super) struct FileInfo {
    pub(super) root: Option<Rc<Root>>,
    pub(super) base: Option<PathBuf>,
}

/// Phase one: reading and parsing every reachable file.
#[derive(Default)]
pub(super) struct Files {
    pub(super) limits: Limits,
    /// The project root (`--root`, or the first input file's directory).
    root: Option<Rc<Root>>,
    pub(super) sources: SourceMap,
    pub(super) docs: HashMap<FileId, KdlDocument>,
    pub(super) info: HashMap<FileId, FileInfo>,
    /// KDL files by identity: each is processed once, whatever path reached it.
    by_identity: HashMap<Identity, FileId>,
    /// The file each `include` node (file, node offset) resolved to.
    pub(super) includes: HashMap<(FileId, usize), FileId>,
    /// The `include` string that first loaded each included file.
    include_sites: HashMap<FileId, Span>,
    /// Domains files already read, by identity.
    domains_files: HashMap<Identity, FileId>,
    /// Bytes and files read so far, against the limits on all files.
    bytes_read: u64,
    files_read: usize,
    pub(super) diagnostics: Vec<Diagnostic>,
}

impl Files {
    /// Nothing read yet.
    pub(super) fn new(limits: Limits) -> Files {
        Files {
            limits,
            ..Files::default()
        }
    }

    /// Opens the project root named by `--root`.
    pub(super) fn open_root(&mut self, dir: &Path) -> Result<Rc<Root>, InputError> {
        let root = Rc::new(Root::open(dir).map_err(|e| InputError {
            path: dir.to_path_buf(),
            reason: e.to_string(),
        })?);
        self.root = Some(root.clone());
        Ok(root)
    }

    /// The project root, the working directory when none was set (text inputs).
    fn root_or_cwd(&mut self) -> Result<Rc<Root>, InputError> {
        match &self.root {
            Some(root) => Ok(root.clone()),
            None => self.open_root(Path::new(".")),
        }
    }

    /// Loads a file named on the command line. It must be inside the project root
    /// (by default its own directory, for the first file), like everything it
    /// includes; a `--defaults` file must be inside its own directory.
    pub(super) fn load_root(
        &mut self,
        input: &Input,
        defaults: bool,
    ) -> Result<Option<FileId>, InputError> {
        let path = match input {
            Input::Text { name, text } => {
                let root = self.root_or_cwd()?;
                let base = root.relative(Path::new("."));
                let info = FileInfo {
                    root: Some(root),
                    base,
                };
                let id = self.add(name.clone(), info, text.clone().into_bytes());
                if let Some(id) = id {
                    self.parse(id, Some(&mut vec![id]));
                }
                return Ok(id);
            }
            Input::Path(path) => path,
        };
        let error = |reason: String| InputError {
            path: path.clone(),
            reason,
        };
        let display = path.to_string_lossy().into_owned();
        // The root and the path inside it.
        let (root, rel) = match (&self.root, defaults) {
            (Some(root), false) => (root.clone(), root.relative(path)),
            _ => {
                let name = match path.components().next_back() {
                    Some(Component::Normal(name)) => PathBuf::from(name),
                    _ => return Err(error(Refused::Directory.reason())),
                };
                let dir = path.parent().unwrap_or(Path::new(""));
                let root = if defaults {
                    Rc::new(Root::open(dir).map_err(|e| error(e.to_string()))?)
                } else {
                    self.open_root(dir)?
                };
                (root, Some(name))
            }
        };
        let opened = match rel.map(|rel| root.open_file(&rel, true)) {
            Some(Ok(opened)) => opened,
            None | Some(Err(Refused::Outside)) => {
                // Not opened, let alone read: reported like an include outside.
                let id = self.sources.add(display.clone(), "");
                self.diagnostics
                    .push(outside_root::entry(Span::new(id, 0..0), &display));
                return Ok(None);
            }
            Some(Err(r)) => return Err(error(r.reason())),
        };
        if self.by_identity.contains_key(&opened.identity) {
            // Named twice, or already included: each file is processed once.
            return Ok(None);
        }
        let limit = self.limits.kdl_file_bytes;
        let read = match self.read(opened, limit) {
            Ok(read) => read,
            Err(ReadError::Refused(r)) => return Err(error(r.reason())),
            Err(e) => {
                // Too large is about the content: report it as a diagnostic.
                let id = self.sources.add(display.clone(), "");
                let span = Span::new(id, 0..0);
                self.diagnostics.push(match e {
                    ReadError::TooLarge(size) => limit_exceeded::file_too_large(span, size, limit),
                    e => e.diagnostic(span, &display, limit),
                });
                return Ok(None);
            }
        };
        let info = FileInfo {
            root: Some(root),
            base: Some(read.base),
        };
        let id = self.add(display, info, read.bytes);
        if let Some(id) = id {
            self.by_identity.insert(read.identity, id);
            self.parse(id, Some(&mut vec![id]));
        }
        Ok(id)
    }

    /// Reads an opened file within the limits on one file and on all files.
    fn read(&mut self, mut opened: Opened, limit: usize) -> Result<ReadFile, ReadError> {
        if self.files_read >= self.limits.files {
            return Err(ReadError::TooManyFiles(self.limits.files));
        }
        let left = (self.limits.total_bytes as u64).saturating_sub(self.bytes_read);
        let total_too_large = || ReadError::TotalTooLarge(self.limits.total_bytes);
        if opened.size > left && opened.size <= limit as u64 {
            return Err(total_too_large());
        }
        let bytes = read_limited(&mut opened, limit.min(left as usize)).map_err(|e| match e {
            // Within the limit on one file: it was the limit on all files.
            ReadFailure::TooLarge(size) if size <= limit as u64 => total_too_large(),
            e => e.into(),
        })?;
        self.files_read += 1;
        self.bytes_read += bytes.len() as u64;
        Ok(ReadFile {
            identity: opened.identity,
            base: opened
                .resolved
                .parent()
                .map_or_else(PathBuf::new, Path::to_path_buf),
            bytes,
        })
    }

    /// Adds a file's bytes to the source map; `None` (with a diagnostic) when the
    /// bytes are not UTF-8.
    fn add(&mut self, display: String, info: FileInfo, bytes: Vec<u8>) -> Option<FileId> {
        let (id, ok) = match syntax::decode(&mut self.sources, display, bytes) {
            Ok(id) => (id, true),
            Err(d) => {
                let id = d.primary.span.file;
                self.diagnostics.push(d);
                (id, false)
            }
        };
        self.info.insert(id, info);
        ok.then_some(id)
    }

    /// Parses a file and loads its includes. `stack` is the chain of files being
    /// included (for cycle detection); the defaults have none.
    pub(super) fn parse(&mut self, id: FileId, stack: Option<&mut Vec<FileId>>) {
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
        let limit = self.limits.kdl_file_bytes;
        let opened = match self.open(from, target.value) {
            Ok(opened) => opened,
            Err(e) => {
                self.diagnostics.push(e.diagnostic(site, &display, limit));
                return;
            }
        };
        if has_extension(target.value, &["txt", "csv", "list", "lst"]) {
            // A list of domains named where a KDL file belongs: not read as KDL
            // (checked once it is known to be inside the root, which comes first).
            self.diagnostics.push(unreadable_file::wrong_kind(
                site,
                &display,
                "it is a list, not a KDL file",
                &format!(
                    "a list of domains is read with `domains-file {}` inside a record; `include` takes KDL files",
                    kdl_quoted(target.value)
                ),
            ));
            return;
        }
        if let Some(&existing) = self.by_identity.get(&opened.identity) {
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
        let root = self.info[&from].root.clone();
        let read = match self.read(opened, limit) {
            Ok(read) => read,
            Err(e) => {
                self.diagnostics.push(e.diagnostic(site, &display, limit));
                return;
            }
        };
        let info = FileInfo {
            root,
            base: Some(read.base),
        };
        let Some(id) = self.add(display, info, read.bytes) else {
            return;
        };
        self.by_identity.insert(read.identity, id);
        self.includes.insert((from, node.span().offset()), id);
        self.include_sites.insert(id, site);
        stack.push(id);
        self.parse(id, Some(stack));
        stack.pop();
    }

    /// Opens a path written in `from`, inside its root. A path that leads outside
    /// is refused before anything is looked up.
    fn open(&self, from: FileId, written: &str) -> Result<Opened, ReadError> {
        let info = &self.info[&from];
        let (Some(root), Some(base)) = (&info.root, &info.base) else {
            return Err(Refused::Outside.into());
        };
        let written = Path::new(written);
        let rel = if written.is_absolute() {
            root.relative(written).ok_or(Refused::Outside)?
        } else {
            base.join(written)
        };
        Ok(root.open_file(&rel, true)?)
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
        let limit = self.limits.domains_file_bytes;
        let fail = |e: ReadError| e.diagnostic(path.span, &display, limit);
        let opened = self.open(from, path.value).map_err(fail)?;
        if has_extension(path.value, &["kdl"]) {
            return Err(unreadable_file::wrong_kind(
                path.span,
                &display,
                "it is a KDL file, not a list of domains",
                &format!(
                    "a KDL file is read with `include {}` at the top level; `domains-file` takes a list, one domain per line",
                    kdl_quoted(path.value)
                ),
            ));
        }
        if let Some(&id) = self.domains_files.get(&opened.identity) {
            return Ok(id);
        }
        let root = self.info[&from].root.clone();
        let read = self.read(opened, limit).map_err(fail)?;
        if let Some(at) = binary_at(&read.bytes) {
            // Not text (an image, an archive, a table): said without quoting it.
            return Err(unreadable_file::not_text(
                path.span,
                &display,
                at,
                read.bytes[at],
            ));
        }
        let id = syntax::decode(&mut self.sources, display, read.bytes)?;
        self.info.insert(
            id,
            FileInfo {
                root,
                base: Some(read.base),
            },
        );
        self.domains_files.insert(read.identity, id);
        Ok(id)
    }
}

/// Where a file shows it is not text: the first NUL or control byte other than
/// the whitespace of text files (tab, line breaks, form feed) in its first 8 KiB.
fn binary_at(bytes: &[u8]) -> Option<usize> {
    bytes
        .iter()
        .take(8 << 10)
        .position(|&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0B | 0x0C)) || b == 0x7F)
}

/// Whether a path ends in one of `extensions` (compared without case).
fn has_extension(path: &str, extensions: &[&str]) -> bool {
    Path::new(path)
        .extension()
        .and_then(|x| x.to_str())
        .is_some_and(|x| extensions.iter().any(|e| x.eq_ignore_ascii_case(e)))
}

/// A path as a KDL string, for a suggestion (escaped for the terminal too).
fn kdl_quoted(path: &str) -> String {
    crate::semantics::escape::kdl_string(path)
}
