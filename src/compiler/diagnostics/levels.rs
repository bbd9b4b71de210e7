//! `--allow`, `--warn` and `--deny`: per-code changes to the level of warnings.

use std::collections::BTreeMap;
use std::fmt;

use super::{Diagnostic, Severity};
use crate::compiler::codes::Code;

/// What to do with a warning code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Drop the diagnostic.
    Allow,
    /// Report it as a warning (the default for warning codes).
    Warn,
    /// Report it as an error.
    Deny,
}

impl Level {
    /// The word in a `lints` block.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Allow => "allow",
            Level::Warn => "warn",
            Level::Deny => "deny",
        }
    }

    /// The level a `lints` block's node names.
    pub fn parse(word: &str) -> Option<Level> {
        [Level::Allow, Level::Warn, Level::Deny]
            .into_iter()
            .find(|l| l.as_str() == word)
    }

    fn flag(self) -> &'static str {
        match self {
            Level::Allow => "--allow",
            Level::Warn => "--warn",
            Level::Deny => "--deny",
        }
    }
}

/// The level flags of one run. `warnings` names every warning code at once; a flag
/// naming a single code wins over the group.
#[derive(Clone, Debug, Default)]
pub struct Levels {
    by_code: BTreeMap<Code, Level>,
    all_warnings: Option<Level>,
}

/// A level flag that cannot be applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LevelError {
    /// The name is not a diagnostic code.
    UnknownCode {
        /// What was given.
        given: String,
        /// The closest code, if one is close.
        suggestion: Option<&'static str>,
    },
    /// An error code was given to `--allow` or `--warn`.
    CannotLower {
        /// The code.
        code: &'static str,
        /// The flag.
        flag: &'static str,
    },
    /// The same code was given to two different flags.
    Conflict {
        /// The code (or `warnings`).
        code: String,
        /// The two flags.
        flags: (&'static str, &'static str),
    },
}

impl fmt::Display for LevelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LevelError::UnknownCode { given, suggestion } => {
                write!(f, "`{given}` is not a diagnostic code")?;
                match suggestion {
                    Some(s) => write!(f, " (did you mean `{s}`?)"),
                    None => write!(f, " (run `isptab explain --list` for the codes)"),
                }
            }
            LevelError::CannotLower { code, flag } => write!(
                f,
                "`{code}` is an error and cannot be lowered with {flag}; only warnings can be"
            ),
            LevelError::Conflict { code, flags } => {
                write!(f, "`{code}` is given to both {} and {}", flags.0, flags.1)
            }
        }
    }
}

impl std::error::Error for LevelError {}

impl Levels {
    /// Default levels: every code at its own severity.
    pub fn new() -> Levels {
        Levels::default()
    }

    /// Sets the level of a code, or of every warning when `name` is `warnings`.
    pub fn set(&mut self, name: &str, level: Level) -> Result<(), LevelError> {
        if name == "warnings" {
            if let Some(old) = self.all_warnings.replace(level).filter(|&old| old != level) {
                return Err(LevelError::Conflict {
                    code: name.to_string(),
                    flags: (old.flag(), level.flag()),
                });
            }
            return Ok(());
        }
        let code = Code::from_name(name).ok_or_else(|| LevelError::UnknownCode {
            given: name.to_string(),
            suggestion: crate::compiler::suggest::closest(
                name,
                Code::ALL.iter().map(|c| c.name()).chain(["warnings"]),
            ),
        })?;
        if code.rule().severity == Severity::Error && level != Level::Deny {
            return Err(LevelError::CannotLower {
                code: code.name(),
                flag: level.flag(),
            });
        }
        if let Some(old) = self.by_code.insert(code, level).filter(|&old| old != level) {
            return Err(LevelError::Conflict {
                code: name.to_string(),
                flags: (old.flag(), level.flag()),
            });
        }
        Ok(())
    }

    /// These levels (the command line's flags) over `base` (the configuration's
    /// `lints` blocks): a flag naming a code wins over the configuration, and
    /// `--allow/--warn/--deny warnings` over everything the configuration says.
    pub fn over(&self, base: &Levels) -> Levels {
        if self.all_warnings.is_some() {
            return self.clone();
        }
        let mut levels = base.clone();
        levels
            .by_code
            .extend(self.by_code.iter().map(|(&c, &l)| (c, l)));
        levels
    }

    /// The severity a code is reported at; `None` when it is allowed.
    pub fn severity(&self, code: Code) -> Option<Severity> {
        if code.rule().severity == Severity::Error {
            return Some(Severity::Error);
        }
        match self.by_code.get(&code).copied().or(self.all_warnings) {
            Some(Level::Allow) => None,
            Some(Level::Deny) => Some(Severity::Error),
            Some(Level::Warn) | None => Some(Severity::Warning),
        }
    }

    /// Applies the levels: drops allowed warnings, raises denied ones to errors.
    pub fn apply(&self, diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
        diagnostics
            .into_iter()
            .filter_map(|mut d| {
                d.severity = self.severity(d.code)?;
                Some(d)
            })
            .collect()
    }
}
