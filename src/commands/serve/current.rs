//! The table a server answers from, and replacing it without a restart: the
//! file is looked at every [`CHECK_EVERY`] and on SIGHUP; a new file (another
//! inode, size or modification time) is read, fully verified and swapped in,
//! while requests already answering keep the table they started with. A file
//! that fails to load leaves the old table in place, and is logged once.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

use isptab::table::Table;

use super::log::{self, Level};
use super::maps;

/// How often the table file is looked at.
pub const CHECK_EVERY: Duration = Duration::from_millis(250);

/// A table read into memory (a file truncated or rewritten in place cannot
/// crash the server, as it could a memory map) with what serving needs of it.
pub struct Loaded {
    /// The table.
    pub table: Table<Vec<u8>>,
    /// Its records' slugs, by record id.
    pub slugs: Vec<String>,
    /// Which load this is (1 for the table the server started with).
    pub generation: u64,
}

/// Which file a path named when it was read: a rename, a rewrite or a touch
/// changes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Identity {
    dev: u64,
    ino: u64,
    size: u64,
    mtime: (i64, i64),
    ctime: (i64, i64),
}

fn identity(path: &Path) -> std::io::Result<Identity> {
    let m = std::fs::metadata(path)?;
    Ok(Identity {
        dev: m.dev(),
        ino: m.ino(),
        size: m.size(),
        mtime: (m.mtime(), m.mtime_nsec()),
        ctime: (m.ctime(), m.ctime_nsec()),
    })
}

/// The current table.
pub struct Current {
    path: PathBuf,
    slot: RwLock<Arc<Loaded>>,
    /// The generation in `slot`, readable without the lock.
    generation: AtomicU64,
    /// The file last tried, loaded or failed (`None`: it was missing).
    tried: Mutex<Option<Identity>>,
}

impl Current {
    /// Loads the table the server starts with.
    pub fn start(path: &Path) -> Result<Current, String> {
        let seen = identity(path).ok();
        let loaded = load(path, 1)?;
        Ok(Current {
            path: path.to_path_buf(),
            slot: RwLock::new(Arc::new(loaded)),
            generation: AtomicU64::new(1),
            tried: Mutex::new(seen),
        })
    }

    /// The table to answer from.
    pub fn get(&self) -> Arc<Loaded> {
        Arc::clone(&self.slot.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// The generation of the current table: when it differs from the one a
    /// connection holds, the connection takes the new table ([`Current::get`]).
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Loads the file again if it changed since it was last tried, or always
    /// when `forced` (SIGHUP).
    pub fn check(&self, forced: bool) {
        let mut tried = self.tried.lock().unwrap_or_else(PoisonError::into_inner);
        let now = match identity(&self.path) {
            Ok(now) => now,
            Err(e) => {
                // A missing file (between two renames, or deleted) keeps the old table.
                if tried.is_some() || forced {
                    log::event(
                        Level::Error,
                        "reload-failed",
                        &[("path", &self.path.display()), ("error", &e)],
                    );
                }
                *tried = None;
                return;
            }
        };
        if !forced && *tried == Some(now) {
            return;
        }
        let generation = self.generation() + 1;
        match load(&self.path, generation) {
            Ok(loaded) => {
                let records = loaded.table.records().len();
                *self.slot.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(loaded);
                self.generation.store(generation, Ordering::Release);
                log::event(
                    Level::Info,
                    "reloaded",
                    &[
                        ("path", &self.path.display()),
                        ("records", &records),
                        ("generation", &generation),
                        ("forced", &forced),
                    ],
                );
                *tried = Some(now);
            }
            Err(error) => {
                log::event(
                    Level::Error,
                    "reload-failed",
                    &[
                        ("path", &self.path.display()),
                        ("error", &error),
                        ("kept-generation", &self.generation()),
                    ],
                );
                *tried = Some(now);
            }
        }
    }
}

/// Reads and fully verifies a table file.
fn load(path: &Path, generation: u64) -> Result<Loaded, String> {
    let table = super::super::lookup::load(path).map_err(|e| e.0)?;
    table.verify().map_err(|e| {
        let shown = super::super::output::shown_path(path);
        format!("`{shown}` is not a valid table: {e}")
    })?;
    let slugs = maps::slugs(&table);
    Ok(Loaded {
        table,
        slugs,
        generation,
    })
}
