//! What a run reads: the files named by the caller (or text in memory), and the
//! defaults layer under them.

use std::fmt;
use std::path::PathBuf;

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

/// The name the built-in defaults are shown under.
pub const DEFAULTS_NAME: &str = "<defaults>";
