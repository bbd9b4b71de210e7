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
//! # Example: compile, open, look up
//!
//! The path an MTA's build takes: check the sources, compile the merged
//! configuration into table bytes, write them atomically, map the file, and ask
//! which record applies to a recipient.
//!
//! ```
//! use isptab::model::Part;
//! use isptab::table::{self, Table};
//! use isptab::{Input, Options};
//!
//! let config = r#"
//! isp "Acme Mail" {
//!     domains "acme-mail.example" "*.acme-mail.example"
//!     encoding html="base64"
//!     headers {
//!         add "X-Campaign" "spring"
//!     }
//! }
//! "#;
//! let input = Input::Text { name: "isptab.kdl".into(), text: config.into() };
//! let checked = isptab::check(&[input], &Options::default())?;
//! assert!(!checked.has_errors());
//!
//! let bytes = table::compile(checked.config.as_ref().expect("no errors"))?;
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("isps.isptab");
//! isptab::atomic::write(&path, &bytes)?;
//!
//! let table = Table::open(&path)?; // maps the file; O(1) in the number of domains
//! let hit = table.lookup("Jane.Doe@EU.Acme-Mail.example").found().copied().expect("a record applies");
//! assert_eq!(hit.record.name(), "Acme Mail");
//! assert_eq!(hit.pattern.to_string(), "*.acme-mail.example");
//! assert_eq!(hit.record.encoding(Part::Html).as_str(), "base64");
//! assert_eq!(hit.record.header_rules().next().unwrap().name, "X-Campaign");
//! assert_eq!(table.lookup("user@gmail.com").found().unwrap().record.name(), "Gmail"); // a default record
//! assert!(table.lookup("nobody.example").found().is_none());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Example: the precedence function
//!
//! [`matcher::Matcher`] answers from the merged configuration without compiling it;
//! the table gives the same answers (a property test checks it).
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
//! assert!(matcher.lookup("acme.example").is_none());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Example: compiling in a `build.rs`
//!
//! A service that embeds its table can compile the configuration at build time and
//! fail the build with the diagnostics when the configuration is wrong:
//!
//! ```no_run
//! // build.rs
//! fn main() {
//!     println!("cargo::rerun-if-changed=isptab.kdl");
//!     let input = isptab::Input::Path("isptab.kdl".into());
//!     let checked = isptab::check(&[input], &isptab::Options::default()).expect("isptab.kdl is readable");
//!     if checked.has_errors() {
//!         panic!("{}", isptab::diagnostics::render_plain(&checked.sources, &checked.diagnostics));
//!     }
//!     let config = checked.config.as_ref().expect("no errors");
//!     let bytes = isptab::table::compile(config).expect("the configuration fits the format");
//!     let out = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("isps.isptab");
//!     isptab::atomic::write(&out, &bytes).expect("OUT_DIR is writable");
//!     // The program then embeds it: include_bytes!(concat!(env!("OUT_DIR"), "/isps.isptab"))
//!     // and reads it with isptab::table::Table::from_bytes.
//! }
//! ```

// No unsafe code, except in `table::mmap`, which maps a table file (and says why
// that is sound).
#![deny(unsafe_code)]
#![deny(missing_docs)]
// The build.rs example in the crate docs is a whole `fn main`, on purpose.
#![allow(clippy::needless_doctest_main)]

pub mod atomic;
pub mod confined;
pub mod defaults;
pub mod diagnostics;
pub mod domain;
pub mod escape;
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
    /// Resource limits on the inputs.
    pub limits: limits::Limits,
    /// The directory includes and domains files must stay inside; by default the
    /// directory of the first input file.
    pub root: Option<std::path::PathBuf>,
}

/// The result of [`check`].
#[derive(Debug)]
pub struct Checked {
    /// Every file read.
    pub sources: SourceMap,
    /// The merged configuration, when every file could be read and parsed. It may
    /// still have errors; see [`Checked::has_errors`].
    pub config: Option<Config>,
    /// The diagnostics shown, levels applied, sorted by file, offset and code: at
    /// most [`diagnostics::MAX_PER_CODE`] of a code and
    /// [`diagnostics::MAX_SHOWN`] in all.
    pub diagnostics: Vec<Diagnostic>,
    /// How many more errors and warnings were found than are shown.
    pub omitted: diagnostics::Summary,
}

impl Checked {
    /// Whether any diagnostic is an error (after level flags), shown or not.
    pub fn has_errors(&self) -> bool {
        self.omitted.errors > 0
            || self
                .diagnostics
                .iter()
                .any(|d| d.severity == Severity::Error)
    }
}

/// Loads the defaults and the inputs, merges them and runs every lint.
///
/// Errors only when an input named by the caller cannot be read at all (a usage
/// problem); everything wrong inside the files is a [`Diagnostic`].
pub fn check(inputs: &[Input], options: &Options) -> Result<Checked, InputError> {
    let loaded = model::load(
        inputs,
        &options.defaults,
        &options.limits,
        options.root.as_deref(),
    )?;
    let mut collected = loaded.diagnostics;
    if let Some(config) = &loaded.config {
        lint::run(config, &mut collected);
    }
    let (diagnostics, omitted) = collected.finish(&options.levels);
    Ok(Checked {
        sources: loaded.sources,
        config: loaded.config,
        diagnostics,
        omitted,
    })
}
