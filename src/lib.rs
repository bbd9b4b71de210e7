//! isptab compiles and lints the ISP records of a bulk-mail MTA.
//!
//! An ISP record names an email provider, lists the recipient domains it serves and
//! says how mail to them is shaped (transfer encodings, headers to add or remove).
//! isptab reads KDL files, merges them over built-in default records, and reports
//! every conflict with a diagnostic that labels both sides.
//!
//! # Example: check a configuration
//!
//! ```
//! use isptab::{Input, Options};
//!
//! let config = r#"
//! isp "Acme Mail" {
//!     domains "acme-mail.example" "*.acme-mail.example"
//!     encoding html="base64"
//! }
//! isp "Copycat" {
//!     domains "gmail.com"
//! }
//! "#;
//! let input = Input::Text { name: "isptab.kdl".into(), text: config.into() };
//! let checked = isptab::check(&[input], &Options::default())?;
//!
//! // `gmail.com` belongs to the built-in record "Gmail".
//! assert_eq!(checked.diagnostics.len(), 1);
//! assert_eq!(checked.diagnostics[0].code.name(), "duplicate-domain");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Example: which record applies to a recipient
//!
//! ```
//! use isptab::{Input, Options, matcher::Matcher};
//!
//! let input = Input::Text { name: "isptab.kdl".into(), text: r#"isp "Acme" { domains "*.acme.example" }"#.into() };
//! let checked = isptab::check(&[input], &Options::default())?;
//! let config = checked.config.expect("no errors");
//! let matcher = Matcher::new(&config);
//!
//! let hit = matcher.lookup("eu.acme.example").expect("matched");
//! assert_eq!(config.record(hit.pattern.record).name, "Acme");
//! assert_eq!(config.record(matcher.lookup("gmail.com").unwrap().pattern.record).name, "Gmail");
//! assert!(matcher.lookup("acme.example").is_none());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

// No unsafe code, except in `table::mmap`, which maps a table file (and says why
// that is sound).
#![deny(unsafe_code)]
#![deny(missing_docs)]

pub mod atomic;
pub mod defaults;
pub mod diagnostics;
pub mod domain;
pub mod format;
mod globs;
pub mod limits;
mod lint;
pub mod matcher;
pub mod model;
pub mod query;
pub mod rules;
pub mod source;
mod suggest;

/// The name in `candidates` closest to `given`, if one is a likely typo (used for
/// "did you mean" hints).
pub fn suggest_name<'a>(
    given: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    suggest::closest(given, candidates)
}
mod syntax;
pub mod table;

pub use diagnostics::{Diagnostic, Levels, Severity};
pub use model::{Config, DefaultsSource, Input, InputError};
pub use source::SourceMap;

/// Options of a check.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The defaults layer.
    pub defaults: DefaultsSource,
    /// Level changes from `--allow/--warn/--deny`.
    pub levels: Levels,
}

/// The result of [`check`].
#[derive(Debug)]
pub struct Checked {
    /// Every file read.
    pub sources: SourceMap,
    /// The merged configuration, when every file could be read and parsed. It may
    /// still have errors; see [`Checked::has_errors`].
    pub config: Option<Config>,
    /// Every diagnostic, levels applied, sorted by file, offset and code.
    pub diagnostics: Vec<Diagnostic>,
}

impl Checked {
    /// Whether any diagnostic is an error (after level flags).
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }
}

/// Loads the defaults and the inputs, merges them and runs every lint.
///
/// Errors only when an input named by the caller cannot be read at all (a usage
/// problem); everything wrong inside the files is a [`Diagnostic`].
pub fn check(inputs: &[Input], options: &Options) -> Result<Checked, InputError> {
    let loaded = model::load(inputs, &options.defaults)?;
    let mut diagnostics = loaded.diagnostics;
    if let Some(config) = &loaded.config {
        diagnostics.extend(lint::run(config));
    }
    let mut diagnostics = options.levels.apply(diagnostics);
    diagnostics::sort(&mut diagnostics);
    Ok(Checked {
        sources: loaded.sources,
        config: loaded.config,
        diagnostics,
    })
}
