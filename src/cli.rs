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
    #[command(flatten)]
    #[allow(missing_docs)]
    pub terminal: TerminalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// How output looks on a terminal.
#[derive(Debug, Args)]
pub struct TerminalArgs {
    /// When to colour diagnostics: auto (on a terminal, unless NO_COLOR is set),
    /// always, never.
    #[arg(long, value_enum, default_value_t, global = true)]
    pub color: ColorChoice,
    /// Print diagnostics only: no summary lines, no progress.
    #[arg(long, short, global = true)]
    pub quiet: bool,
}

/// `--color`
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless NO_COLOR is set.
    #[default]
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check configuration files and report every problem.
    Check(CheckArgs),
    /// Check configuration files and compile them into a table (written atomically;
    /// nothing is written when there are errors).
    Build(BuildArgs),
    /// Find the record for domains or email addresses.
    Lookup(LookupArgs),
    /// Print a table as a configuration (KDL) or as JSON, after a full check of it.
    Dump(DumpArgs),
    /// Rewrite a message as the MTA would send it to a recipient: the record's
    /// header rules and transfer encodings applied; the message on stdout, a
    /// report on stderr.
    Apply(ApplyArgs),
    /// Answer lookups over Postfix's socketmap protocol (maps `isp`, `slug`,
    /// `transport`), reloading the table when it is replaced.
    Serve(ServeArgs),
    /// Compare two tables or configurations by meaning: records added, removed
    /// and renamed, patterns moved, encodings and header rules changed, and which
    /// recipients get another record.
    Diff(DiffArgs),
    /// Explain a diagnostic code: what it means, why, an example and the fix.
    Explain(ExplainArgs),
    /// Print the built-in default records (a KDL file).
    Defaults,
    /// Rewrite configuration files in the canonical layout.
    Fmt(FmtArgs),
    /// Print a shell completion script.
    Completions(CompletionsArgs),
    /// Print a man page (roff): isptab(1), a subcommand's, or isptab-config(5);
    /// or write them all into a directory.
    Man(ManArgs),
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
    /// Includes and domains files must be inside DIR (default: the directory of
    /// the first FILE).
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
}

/// Changes to the level of warning codes.
#[derive(Debug, Args)]
pub struct LevelArgs {
    /// Do not report CODE (a warning code, or `warnings` for all).
    #[arg(long, value_name = "CODE", value_delimiter = ',', value_parser = CodeNames::LEVELS, hide_possible_values = true)]
    pub allow: Vec<String>,
    /// Report CODE as a warning.
    #[arg(long, value_name = "CODE", value_delimiter = ',', value_parser = CodeNames::LEVELS, hide_possible_values = true)]
    pub warn: Vec<String>,
    /// Report CODE as an error (`--deny warnings`: every warning).
    #[arg(long, value_name = "CODE", value_delimiter = ',', value_parser = CodeNames::LEVELS, hide_possible_values = true)]
    pub deny: Vec<String>,
}

/// The value of `--allow`, `--warn`, `--deny` and `explain CODE`: any text is
/// taken (the commands check it, suggesting the nearest code, as before), and
/// the codes of the registry are offered to shell completions as possible
/// values (hidden in `--help`, which would list them all).
#[derive(Clone, Copy, Debug)]
pub struct CodeNames {
    /// Offer only the warning codes and `warnings` (the level flags), or every
    /// code (`explain`).
    levels: bool,
}

impl CodeNames {
    /// For the level flags: the warning codes and `warnings`.
    pub const LEVELS: CodeNames = CodeNames { levels: true };
    /// For `explain`: every code.
    pub const ALL: CodeNames = CodeNames { levels: false };
}

impl clap::builder::TypedValueParser for CodeNames {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        clap::builder::StringValueParser::new().parse_ref(cmd, arg, value)
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        use isptab::compiler::codes::{Code, Severity};
        let levels = self.levels;
        let group = levels
            .then(|| clap::builder::PossibleValue::new("warnings").help("every warning code"));
        let codes = Code::ALL
            .iter()
            .filter(move |c| !levels || c.rule().severity == Severity::Warning)
            .map(|c| clap::builder::PossibleValue::new(c.name()).help(c.rule().summary));
        Some(Box::new(group.into_iter().chain(codes)))
    }
}

/// How diagnostics are printed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Graphical reports with source snippets, on stderr.
    #[default]
    Human,
    /// One line per diagnostic, `FILE:LINE:COL: SEVERITY[CODE]: MESSAGE`, on stdout.
    Short,
    /// One JSON document on stdout.
    Json,
    /// SARIF 2.1.0 on stdout, for code-scanning dashboards.
    Sarif,
    /// GitHub Actions workflow commands on stdout (annotations on the diff).
    Github,
}

/// How the diagnostics of `check` and `build` are reported.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Output format of the diagnostics.
    #[arg(long, value_enum, default_value_t)]
    pub format: ReportFormat,
    /// With --format sarif: where the explanations of the codes are published.
    /// Each rule's helpUri is URL followed by the code, or URL with `{code}`
    /// replaced by it (e.g. https://git.example.com/isptab/src/compiler/rules/explain/{code}.md).
    /// Without it, rules have no helpUri; their help holds the whole explanation.
    #[arg(long, value_name = "URL")]
    pub help_uri_base: Option<String>,
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
    #[command(flatten)]
    #[allow(missing_docs)]
    pub dns: DnsArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub report: ReportArgs,
}

/// `isptab explain`
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The code, such as `duplicate-domain`.
    #[arg(
        value_name = "CODE",
        required_unless_present = "list",
        value_parser = CodeNames::ALL,
        hide_possible_values = true
    )]
    pub code: Option<String>,
    /// List every code with its severity and summary.
    #[arg(long)]
    pub list: bool,
}

/// `isptab build`
#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub sources: SourceArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub levels: LevelArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub report: ReportArgs,
    /// The table file to write.
    #[arg(short, long, value_name = "OUT")]
    pub output: PathBuf,
    /// Write nothing: exit 0 if OUT is byte-identical to what the sources compile
    /// to, 1 if it is stale or missing.
    #[arg(long)]
    pub check: bool,
}

/// How lookup answers are printed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum LookupFormat {
    /// `QUERY<TAB>ISP<TAB>KIND<TAB>PATTERN`, `-` where there is no match.
    #[default]
    Text,
    /// One JSON object per line: query, domain, isp, match, pattern.
    Json,
}

/// `isptab lookup`
#[derive(Debug, Args)]
pub struct LookupArgs {
    /// Domains or email addresses; `-` reads one query per line from stdin.
    #[arg(value_name = "QUERY", required = true)]
    pub queries: Vec<String>,
    /// Answer from a compiled table.
    #[arg(long, value_name = "T", conflicts_with_all = ["config", "no_defaults", "defaults"])]
    pub table: Option<PathBuf>,
    /// Compile these configuration files in memory first (repeatable; default
    /// ./isptab.kdl).
    #[arg(long, value_name = "FILE")]
    pub config: Vec<PathBuf>,
    /// With --config: use no default records.
    #[arg(long, conflicts_with = "defaults")]
    pub no_defaults: bool,
    /// With --config: use the records of FILE as the defaults.
    #[arg(long, value_name = "FILE")]
    pub defaults: Option<PathBuf>,
    /// The MX hosts of every query, in preference order (repeatable): queries
    /// that no domain pattern matches are matched by their MX hosts; `.` alone is
    /// a null MX.
    #[arg(long = "mx", value_name = "HOST", conflicts_with_all = ["mx_in_input", "resolve"])]
    pub mx: Vec<String>,
    /// Each stdin line is `QUERY MXHOST...` (whitespace separated, in preference
    /// order; `.` alone is a null MX; no host means the domain has no MX records).
    #[arg(long, conflicts_with = "resolve")]
    pub mx_in_input: bool,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub dns: DnsArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: LookupFormat,
    /// Exit 1 when any query got no record (a miss, an invalid query, a null
    /// MX, a DNS failure); every query is still answered. Without it, lookup
    /// exits 0 whatever the answers.
    #[arg(long)]
    pub fail_on_miss: bool,
    /// Under each answer, what the record does to a message: the encoding in
    /// effect for each part and the header rules, each with the FILE:LINE that
    /// set it when answering from --config (a table keeps only the values).
    #[arg(long)]
    pub explain: bool,
}

/// How `apply` prints its report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum ApplyFormat {
    /// A few lines for people.
    #[default]
    Text,
    /// One JSON document (schema/apply.schema.json).
    Json,
}

/// `isptab apply`
///
/// Exit codes: 0 when the message was written (rewritten, or unchanged because no
/// record applies), 1 when no record applies and --require-record is given or the
/// configuration has errors (nothing is written), 2 on usage errors and on a
/// message that cannot be parsed or is too large (nothing is written).
#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The message (RFC 5322); `-` or nothing reads stdin.
    #[arg(value_name = "MESSAGE")]
    pub message: Option<PathBuf>,
    /// The recipient (an address or a domain) whose record applies.
    #[arg(long, value_name = "ADDRESS", required = true)]
    pub rcpt: String,
    /// Apply a record of a compiled table.
    #[arg(long, value_name = "T", conflicts_with_all = ["config", "no_defaults", "defaults"])]
    pub table: Option<PathBuf>,
    /// Compile these configuration files in memory first (repeatable; default
    /// ./isptab.kdl).
    #[arg(long, value_name = "FILE")]
    pub config: Vec<PathBuf>,
    /// With --config: use no default records.
    #[arg(long, conflicts_with = "defaults")]
    pub no_defaults: bool,
    /// With --config: use the records of FILE as the defaults.
    #[arg(long, value_name = "FILE")]
    pub defaults: Option<PathBuf>,
    /// The peer takes UTF-8 headers (SMTPUTF8): added values are not encoded
    /// as RFC 2047 encoded-words.
    #[arg(long)]
    pub smtputf8: bool,
    /// Exit 1 and write nothing when no record applies to the recipient
    /// (without it, the message is written unchanged).
    #[arg(long)]
    pub require_record: bool,
    /// The largest message taken, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = isptab::apply::DEFAULT_MAX_SIZE)]
    pub max_size: usize,
    /// Report format (on stderr).
    #[arg(long, value_enum, default_value_t)]
    pub format: ApplyFormat,
}

/// How `diff` prints its report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// For people, on stdout (colour only on a terminal).
    #[default]
    Human,
    /// For a pull-request comment: a summary table and collapsible details.
    Markdown,
    /// One JSON document (schema/diff.schema.json).
    Json,
}

/// `isptab diff`
///
/// Exit codes: 0 whether or not the sides differ (3 with --exit-code when they
/// do), 1 when a side has errors (its diagnostics are printed, nothing is
/// compared), 2 usage or I/O error.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// OLD and NEW: each a table (recognized by its first bytes) or a
    /// configuration's entry file. With --git: the configuration files of the
    /// working tree (default ./isptab.kdl).
    #[arg(value_name = "SIDE")]
    pub sides: Vec<PathBuf>,
    /// The old side is these configuration files, applied in order (repeatable),
    /// instead of OLD.
    #[arg(long, value_name = "FILE")]
    pub old_config: Vec<PathBuf>,
    /// The new side is these configuration files (repeatable), instead of NEW.
    #[arg(long, value_name = "FILE")]
    pub new_config: Vec<PathBuf>,
    /// Compare the configuration in the working tree with the same files at REV
    /// (a commit, branch or tag), read from git with their includes and domains
    /// files.
    #[arg(long, value_name = "REV", conflicts_with = "old_config")]
    pub git: Option<String>,
    /// Configurations use no default records.
    #[arg(long, conflicts_with_all = ["defaults", "old_defaults", "new_defaults"])]
    pub no_defaults: bool,
    /// Configurations use the records of FILE as the defaults.
    #[arg(long, value_name = "FILE")]
    pub defaults: Option<PathBuf>,
    /// The old configuration uses the records of FILE as the defaults (to see
    /// what a new defaults file changes).
    #[arg(long, value_name = "FILE")]
    pub old_defaults: Option<PathBuf>,
    /// The new configuration uses the records of FILE as the defaults.
    #[arg(long, value_name = "FILE")]
    pub new_defaults: Option<PathBuf>,
    /// Recipient domains or addresses, one per line, optionally
    /// `COUNT<TAB>DOMAIN` (`-`: stdin): the report counts those that get another
    /// record. Without it, a sample made from the patterns of both sides.
    #[arg(long, value_name = "FILE")]
    pub queries: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: DiffFormat,
    /// Exit 3 when the sides differ.
    #[arg(long)]
    pub exit_code: bool,
}

/// `isptab serve`
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The table to answer from; replaced by rename (as `isptab build` does), it
    /// is loaded again within a second, and at once on SIGHUP.
    #[arg(long, value_name = "T")]
    pub table: PathBuf,
    /// Where to listen: `inet:HOST:PORT` or `unix:PATH` (repeatable); Postfix
    /// then asks `socketmap:inet:HOST:PORT:isp`.
    #[arg(long, value_name = "ADDRESS")]
    pub listen: Vec<crate::commands::ListenAddress>,
    /// What the `transport` map answers; `{slug}` stands for the record's slug.
    #[arg(long, value_name = "TEMPLATE", default_value = "smtp-{slug}:")]
    pub transport: String,
    /// Print a master.cf service for each record (named by --transport) and exit.
    #[arg(long)]
    pub master_cf: bool,
    /// Connections served at once; more are closed at once.
    #[arg(long, value_name = "N", default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: u32,
    /// Seconds a connection may wait between requests before it is closed.
    #[arg(long, value_name = "SECONDS", default_value_t = 60.0)]
    pub idle_timeout: f64,
    /// The permissions of a `unix:` socket, in octal (e.g. 660).
    #[arg(long, value_name = "MODE", value_parser = parse_mode)]
    pub socket_mode: Option<u32>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub dns: DnsArgs,
}

fn parse_mode(text: &str) -> Result<u32, String> {
    u32::from_str_radix(text, 8)
        .ok()
        .filter(|m| *m <= 0o777)
        .ok_or_else(|| format!("`{text}` is not a mode: write octal digits, e.g. 660"))
}

/// Resolving MX records in DNS (`lookup`, `check`, `serve`).
#[derive(Debug, Args)]
pub struct DnsArgs {
    /// Look up the MX records in DNS of queries that no domain pattern matches
    /// (`lookup`, `serve`), or of every exact domain of the configuration
    /// (`check`).
    #[arg(long)]
    pub resolve: bool,
    /// With --resolve: ask this DNS server (IP:PORT, or IP for port 53) instead
    /// of the system's (/etc/resolv.conf).
    #[arg(long, value_name = "IP:PORT", requires = "resolve")]
    pub dns: Option<String>,
    /// With --resolve: seconds to wait for each answer.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 5.0,
        requires = "resolve"
    )]
    pub dns_timeout: f64,
}

/// What `dump` prints.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum DumpFormat {
    /// A configuration that `isptab build --no-defaults` turns into the same table.
    #[default]
    Kdl,
    /// One JSON document.
    Json,
}

/// `isptab dump`
#[derive(Debug, Args)]
pub struct DumpArgs {
    /// The table file.
    #[arg(value_name = "T")]
    pub table: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: DumpFormat,
}

/// `isptab fmt`
///
/// Exit codes: 0 formatted (or, with --check and --diff, nothing would change),
/// 1 a file would change (--check, --diff) or cannot be formatted, 2 usage or
/// I/O error.
#[derive(Debug, Args)]
pub struct FmtArgs {
    /// Files to format (default: ./isptab.kdl); `-` alone reads stdin and writes
    /// the formatted text to stdout (for editors).
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Write nothing: list the files that would change and exit 1 if any would.
    #[arg(long, conflicts_with = "diff")]
    pub check: bool,
    /// Write nothing: print a unified diff of what would change (lines escaped
    /// like all output) and exit 1 if anything would.
    #[arg(long)]
    pub diff: bool,
    /// The files must be inside DIR (default: the directory of the first FILE).
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
}

/// `isptab man`
#[derive(Debug, Args)]
pub struct ManArgs {
    /// The page to print: a subcommand (`check` prints isptab-check(1)) or
    /// `config` (isptab-config(5), the configuration language). Default:
    /// isptab(1).
    #[arg(value_name = "PAGE", value_parser = ManPages, conflicts_with = "dir")]
    pub page: Option<String>,
    /// Write every page into DIR instead (isptab.1, isptab-SUBCOMMAND.1 for each
    /// subcommand, isptab-config.5), each replaced atomically; DIR is created if
    /// it does not exist (not its parents), and a page that is a symbolic link
    /// is refused (nothing is written).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// The name of the configuration language's page in `isptab man PAGE`.
pub const CONFIG_PAGE: &str = "config";

/// The pages of `isptab man PAGE`: the subcommands (but `help`) and `config`.
pub fn man_pages() -> Vec<String> {
    let command = <Cli as clap::CommandFactory>::command();
    command
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .filter(|name| name != "help")
        .chain(std::iter::once(CONFIG_PAGE.to_string()))
        .collect()
}

/// `PAGE` of `isptab man`: one of [`man_pages`] (offered to completions).
#[derive(Clone, Copy, Debug)]
pub struct ManPages;

impl clap::builder::TypedValueParser for ManPages {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        clap::builder::PossibleValuesParser::new(man_pages()).parse_ref(cmd, arg, value)
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(
            man_pages()
                .into_iter()
                .map(clap::builder::PossibleValue::new),
        ))
    }
}

/// `isptab completions`
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}
