//! The third floor (feature `compiler`): from KDL files to a checked
//! configuration and its model. Sources and the files they come from, the KDL
//! parser behind its guard, the canonical layout (`isptab fmt`), loading and
//! merging the layers into a spanned [`Config`], the lints and the rule registry,
//! and the diagnostics with their renderers.
//!
//! [`check`] runs it all; a [`Checked`] without errors hands out the
//! [`Model`] the table is compiled from
//! ([`Checked::into_model`]), so a configuration with errors cannot be compiled.
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
//! assert!(checked.into_model().is_err(), "a configuration with errors has no model");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Example: compile, write, open, look up
//!
//! The path an MTA's build takes: check the sources, compile the model into table
//! bytes, write them atomically, map the file, and ask which record applies to a
//! recipient.
//!
//! ```
//! use isptab::semantics::encoding::Part;
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
//! let model = isptab::check(&[input], &Options::default())?.into_model()?;
//! let bytes = table::compile(&model)?;
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("isps.isptab");
//! isptab::compiler::atomic::write(&path, &bytes)?;
//!
//! let table = Table::open(&path)?; // maps the file; O(1) in the number of domains
//! let hit = table.lookup("Jane.Doe@EU.Acme-Mail.example").found().copied().expect("a record applies");
//! assert_eq!(hit.record.name(), "Acme Mail");
//! assert_eq!(hit.record.encoding(Part::Html).as_str(), "base64");
//! assert_eq!(hit.record.header_rules().next().unwrap().name, "X-Campaign");
//! assert_eq!(table.lookup("user@gmail.com").found().unwrap().record.name(), "Gmail"); // a default record
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Example: the precedence function
//!
//! [`Matcher`](crate::semantics::matcher::Matcher) answers from the model without
//! compiling it; the table gives the same answers (a property test checks it).
//!
//! ```
//! use isptab::semantics::matcher::Matcher;
//! use isptab::{Input, Options};
//!
//! let input = Input::Text { name: "isptab.kdl".into(), text: r#"isp "Acme" { domains "*.acme.example" }"#.into() };
//! let model = isptab::check(&[input], &Options::default())?.into_model()?;
//! let matcher = Matcher::new(&model);
//!
//! let hit = matcher.lookup("eu.acme.example").expect("matched");
//! assert_eq!(model.records[hit.target.record].name, "Acme");
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
//!     let Ok(model) = checked.model() else {
//!         panic!("{}", isptab::compiler::diagnostics::render_plain(&checked.sources, &checked.diagnostics));
//!     };
//!     let bytes = isptab::table::compile(&model).expect("the configuration fits the format");
//!     let out = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("isps.isptab");
//!     isptab::compiler::atomic::write(&out, &bytes).expect("OUT_DIR is writable");
//!     // The program then embeds it: include_bytes!(concat!(env!("OUT_DIR"), "/isps.isptab"))
//!     // and reads it with isptab::table::Table::from_bytes.
//! }
//! ```

// The build.rs example is a whole `fn main`, on purpose.
#![allow(clippy::needless_doctest_main)]

pub(crate) mod analysis;
pub mod atomic;
pub mod canonical;
pub mod codes;
pub mod config;
pub mod confined;
pub mod defaults;
pub mod diagnostics;
mod domains_file;
mod files;
mod inputs;
pub mod language;
pub mod limits;
mod load;
mod merge;
mod nodes;
#[cfg(feature = "resolve")]
pub mod resolve;
pub mod rules;
pub mod source;
mod suggest;
pub(crate) mod syntax;

pub use config::Config;
pub use diagnostics::{Diagnostic, Levels, Severity};
pub use inputs::{DEFAULTS_NAME, DefaultsSource, Input, InputError};
pub use source::SourceMap;

use crate::semantics::model::Model;

/// The name in `candidates` closest to `given`, if one is a likely typo (used for
/// "did you mean" hints).
pub fn suggest_name<'a>(
    given: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    suggest::closest(given, candidates)
}

/// Options of a check.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The defaults layer.
    pub defaults: DefaultsSource,
    /// Level changes from `--allow/--warn/--deny`.
    pub levels: Levels,
    /// Resource limits on the inputs.
    pub limits: limits::Limits,
    /// The directory every file read must stay inside; by default the directory
    /// of the first input file.
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
    /// Warnings found but allowed by the levels (`--allow`, `lints` blocks), not
    /// counted above.
    pub allowed: usize,
    /// The lines each `domains-file ... skip-owned=#true` left out because
    /// other records own them (not problems: the file asked for it).
    pub skipped: Vec<SkippedOwned>,
}

/// Lines a `domains-file ... skip-owned=#true` left out: other records own them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkippedOwned {
    /// The domains file, as reports name it.
    pub file: String,
    /// The record the file was read into.
    pub record: String,
    /// How many lines were left out.
    pub count: usize,
    /// The first few: the pattern, and the record that owns it.
    pub examples: Vec<(String, String)>,
}

/// Why a checked configuration has no model: it has errors (its diagnostics say
/// which), or it could not be read or parsed at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HasErrors {
    /// How many errors, shown or not.
    pub errors: usize,
}

impl std::fmt::Display for HasErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the configuration has {}",
            diagnostics::plural(self.errors, "error")
        )
    }
}

impl std::error::Error for HasErrors {}

impl Checked {
    /// Whether any diagnostic is an error (after level flags), shown or not.
    pub fn has_errors(&self) -> bool {
        self.omitted.errors > 0
            || self
                .diagnostics
                .iter()
                .any(|d| d.severity == Severity::Error)
    }

    /// The model of a configuration without errors: what [`crate::table::compile`]
    /// takes. Warnings do not stop it (unless a level flag made them errors).
    pub fn into_model(self) -> Result<Model, HasErrors> {
        self.model()
    }

    /// Like [`into_model`](Self::into_model), keeping the diagnostics and sources.
    pub fn model(&self) -> Result<Model, HasErrors> {
        match &self.config {
            Some(config) if !self.has_errors() => Ok(config.to_model()),
            _ => Err(HasErrors {
                errors: (diagnostics::Summary::of(&self.diagnostics).errors + self.omitted.errors)
                    .max(1),
            }),
        }
    }
}

/// Loads the defaults and the inputs, merges them and runs every lint.
///
/// Errors only when an input named by the caller cannot be read at all (a usage
/// problem); everything wrong inside the files is a [`Diagnostic`].
pub fn check(inputs: &[Input], options: &Options) -> Result<Checked, InputError> {
    check_then(inputs, options, |_, _| {})
}

/// Like [`check`], and then resolves the MX records of every exact domain of the
/// operator's files with `resolver` and runs the DNS lints
/// (`undeliverable-domain`, `mx-of-other-record`); levels apply to them as to
/// the others. Also says which lookups failed (their checks are skipped).
#[cfg(feature = "resolve")]
pub fn check_resolving(
    inputs: &[Input],
    options: &Options,
    resolver: &resolve::Resolver,
) -> Result<(Checked, resolve::DnsSummary), InputError> {
    let mut summary = resolve::DnsSummary::default();
    let checked = check_then(inputs, options, |config, out| {
        summary = resolve::lint(config, resolver, out);
    })?;
    Ok((checked, summary))
}

/// Loads, merges and lints, running `more` lints on a merged configuration.
fn check_then(
    inputs: &[Input],
    options: &Options,
    more: impl FnOnce(&Config, &mut diagnostics::Collected),
) -> Result<Checked, InputError> {
    let loaded = load::load(
        inputs,
        &options.defaults,
        &options.limits,
        options.root.as_deref(),
    )?;
    let mut collected = loaded.diagnostics;
    if let Some(config) = &loaded.config {
        rules::lint(config, &mut collected);
        more(config, &mut collected);
    }
    let levels = options.levels.over(&loaded.levels);
    let (diagnostics, omitted, allowed) = collected.finish(&levels);
    Ok(Checked {
        sources: loaded.sources,
        config: loaded.config,
        diagnostics,
        omitted,
        allowed,
        skipped: loaded.skipped,
    })
}
