//! isptab compiles and lints the ISP records of a bulk-mail MTA.
//!
//! An ISP record names an email provider, lists the recipient domains it serves and
//! says how mail to them is shaped (transfer encodings, headers to add or remove).
//! isptab reads KDL files, merges them over built-in default records, reports
//! every conflict with a diagnostic that labels both sides, and compiles the
//! result into one table file an MTA memory-maps.
//!
//! The crate is built in floors, each depending only on the ones below:
//!
//! | floor | module | feature | what |
//! |---|---|---|---|
//! | semantics | [`semantics`] | always | names, the glob dialect, patterns, encodings, header rules, the span-free [`Model`](semantics::model::Model), the precedence function, queries, escaping |
//! | table | [`table`] | always (`mmap` for `Table::open`) | the wire layout, [`compile`](table::compile) from a model, open, lookup, verify, [`to_model`](table::Table::to_model) |
//! | apply | `apply` | `apply` | a record applied to a message's bytes: header rules, transfer encodings, the report (what MTAs send) |
//! | compiler | `compiler` | `compiler` | sources, KDL, `fmt`, loading and merging, lints, diagnostics (`compiler::check`) |
//! | command line | the `isptab` binary | `cli` | clap, completions, man page, progress |
//!
//! An MTA that only reads tables depends on `isptab` with `default-features =
//! false` (and `features = ["mmap"]` to map files): no KDL parser, no diagnostics,
//! no clap.
//!
//! # Example: a table without the compiler
//!
//! A model can be built by hand; compiling checks it, so the table is valid
//! whatever the model said.
//!
//! ```
//! use isptab::semantics::model::{Model, Record};
//! use isptab::semantics::pattern::Pattern;
//! use isptab::table::{self, Table};
//!
//! let mut acme = Record::new("Acme Mail");
//! acme.push(Pattern::parse("acme-mail.example")?);
//! acme.push(Pattern::parse("*.acme-mail.example")?);
//! let model = Model { records: vec![acme] };
//!
//! let bytes = table::compile(&model)?;
//! let table = Table::from_bytes(bytes.as_slice())?;
//! let hit = table.lookup("Jane.Doe@EU.Acme-Mail.example").found().copied().expect("a record applies");
//! assert_eq!(hit.record.name(), "Acme Mail");
//! assert_eq!(hit.pattern.to_string(), "*.acme-mail.example");
//! assert!(table.lookup("nobody.example").found().is_none());
//! assert_eq!(table.to_model()?, model);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The compiler's own examples (checking a configuration, compiling it, a
//! `build.rs`) are in the `compiler` module's documentation.

// No unsafe code, except in `table::mmap`, which maps a table file (and says why
// that is sound).
#![deny(unsafe_code)]
#![deny(missing_docs)]

pub mod semantics;
pub mod table;

#[cfg(feature = "apply")]
pub mod apply;

#[cfg(feature = "compiler")]
pub mod compiler;

#[cfg(feature = "compiler")]
pub use compiler::{
    Checked, Config, DefaultsSource, Diagnostic, HasErrors, Input, InputError, Levels, Options,
    Severity, SourceMap, check,
};
