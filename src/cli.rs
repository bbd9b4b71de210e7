//! The command-line interface: clap definitions only. Doc comments here are the
//! `--help` text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Compile and lint the ISP records of a bulk-mail MTA.
///
/// Reads KDL files (default `./isptab.kdl`), merges them over the built-in default
/// records and reports every conflict. Exit codes: 0 no errors, 1 the input has
/// errors, 2 usage or I/O error.
#[derive(Debug, Parser)]
#[command(name = "isptab", version, max_term_width = 100)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check configuration files and report every problem.
    Check(CheckArgs),
    /// Explain a diagnostic code: what it means, why, an example and the fix.
    Explain(ExplainArgs),
    /// Print the built-in default records (a KDL file).
    Defaults,
}

/// The configuration files to read and the defaults layer under them.
#[derive(Debug, Args)]
pub struct SourceArgs {
    /// Configuration files, applied in order (default: ./isptab.kdl).
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Use no default records.
    #[arg(long, conflicts_with = "defaults")]
    pub no_defaults: bool,
    /// Use the records of FILE as the defaults instead of the built-in ones.
    #[arg(long, value_name = "FILE")]
    pub defaults: Option<PathBuf>,
}

/// Changes to the level of warning codes.
#[derive(Debug, Args)]
pub struct LevelArgs {
    /// Do not report CODE (a warning code, or `warnings` for all).
    #[arg(long, value_name = "CODE", value_delimiter = ',')]
    pub allow: Vec<String>,
    /// Report CODE as a warning.
    #[arg(long, value_name = "CODE", value_delimiter = ',')]
    pub warn: Vec<String>,
    /// Report CODE as an error (`--deny warnings`: every warning).
    #[arg(long, value_name = "CODE", value_delimiter = ',')]
    pub deny: Vec<String>,
}

/// How diagnostics are printed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Graphical reports with source snippets, on stderr.
    #[default]
    Human,
    /// One line per diagnostic, `FILE:LINE:COL: SEVERITY[CODE]: MESSAGE`, on stdout.
    Short,
    /// One JSON document on stdout.
    Json,
}

/// `isptab check`
#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub sources: SourceArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub levels: LevelArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// `isptab explain`
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The code, such as `duplicate-domain`.
    #[arg(value_name = "CODE", required_unless_present = "list")]
    pub code: Option<String>,
    /// List every code with its severity and summary.
    #[arg(long)]
    pub list: bool,
}
