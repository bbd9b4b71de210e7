//! `isptab check`: load, merge, lint and print the diagnostics.

use std::path::PathBuf;

use isptab::compiler::diagnostics::{
    HumanRenderer, Level, SarifOptions, check_help_uri_base, omitted_note, render_github,
    render_github_failure, render_json, render_json_failure, render_sarif, render_sarif_failure,
    render_short, summary_line,
};
use isptab::{Checked, DefaultsSource, Input, Levels, Options};

use super::{Status, UsageError, output};
use crate::cli::{CheckArgs, LevelArgs, ReportArgs, ReportFormat, SourceArgs, TerminalArgs};

/// The file checked when none is given.
const DEFAULT_FILE: &str = "isptab.kdl";

pub fn run(args: &CheckArgs, terminal: &TerminalArgs) -> Result<Status, UsageError> {
    let checked = or_failure_document(args.report.format, || {
        check_report(&args.report)?;
        let options = options(&args.sources, &args.levels)?;
        let inputs = inputs(&args.sources)?;
        if !args.dns.resolve {
            return Ok((isptab::check(&inputs, &options)?, None));
        }
        let resolver = super::dns::resolver(&args.dns)?;
        let (checked, dns) = isptab::compiler::check_resolving(&inputs, &options, &resolver)?;
        Ok((checked, Some(dns)))
    });
    let (checked, dns) = checked?;
    print(&checked, &args.report, terminal, !terminal.quiet)?;
    let Some(dns) = dns else {
        return Ok(status(&checked));
    };
    if !dns.failed.is_empty() {
        output::write_stderr(&dns_note(&dns))?;
    }
    Ok(status(&checked))
}

/// Runs what comes before the report; on a usage error, a machine format still
/// prints one document on stdout that carries it (a CI step that uploads the
/// output must not get an empty file), and the error goes on as usual (exit 2).
pub fn or_failure_document<T>(
    format: ReportFormat,
    before_the_report: impl FnOnce() -> Result<T, UsageError>,
) -> Result<T, UsageError> {
    let result = before_the_report();
    if let Err(UsageError(message)) = &result {
        let document = match format {
            ReportFormat::Json => Some(render_json_failure(message)),
            ReportFormat::Sarif => Some(render_sarif_failure(message)),
            ReportFormat::Github => Some(render_github_failure(message)),
            ReportFormat::Human | ReportFormat::Short => None,
        };
        if let Some(document) = document {
            output::write_stdout(&document)?;
        }
    }
    result
}

/// The human report, for commands that print diagnostics only when a
/// configuration they compile has errors.
pub const HUMAN_REPORT: ReportArgs = ReportArgs {
    format: ReportFormat::Human,
    help_uri_base: None,
};

/// Refuses report options that do not fit: `--help-uri-base` without
/// `--format sarif`, or not an absolute URI.
pub fn check_report(report: &ReportArgs) -> Result<(), UsageError> {
    let Some(base) = &report.help_uri_base else {
        return Ok(());
    };
    if report.format != ReportFormat::Sarif {
        return Err(UsageError(
            "--help-uri-base is for --format sarif (the other formats have no help URIs)".into(),
        ));
    }
    check_help_uri_base(base).map_err(|why| {
        UsageError(format!(
            "--help-uri-base `{}`: {why}",
            isptab::semantics::escape::escape(base)
        ))
    })
}

/// What a SARIF log says beyond the diagnostics: the help URIs asked for, and
/// the working directory as `%SRCROOT%` (file names are shown relative to it).
fn sarif_options(report: &ReportArgs) -> SarifOptions {
    SarifOptions {
        help_uri_base: report.help_uri_base.clone(),
        source_root: std::env::current_dir().ok(),
    }
}

/// "note: 2 of 40 domains could not be resolved (...)": failed lookups are not
/// problems of the configuration, so they are a note on stderr, not diagnostics.
fn dns_note(dns: &isptab::compiler::resolve::DnsSummary) -> String {
    use isptab::semantics::escape::escape;
    const SHOWN: usize = 3;
    let examples: Vec<String> = dns
        .failed
        .iter()
        .take(SHOWN)
        .map(|(domain, why)| format!("`{}`: {}", escape(domain), escape(why)))
        .collect();
    let more = dns.failed.len().saturating_sub(SHOWN);
    format!(
        "note: {} of {} domains could not be resolved, so their DNS checks were skipped: {}{}\n",
        dns.failed.len(),
        dns.resolved,
        examples.join("; "),
        if more > 0 {
            format!("; and {more} more")
        } else {
            String::new()
        }
    )
}

/// The inputs: the FILE arguments, or `./isptab.kdl`.
pub fn inputs(args: &SourceArgs) -> Result<Vec<Input>, UsageError> {
    if !args.files.is_empty() {
        return Ok(args.files.iter().cloned().map(Input::Path).collect());
    }
    let default = PathBuf::from(DEFAULT_FILE);
    // Whether the name exists, link or not: a symlink leading out of the project
    // is reported as `outside-root` by the loader, whether its target exists or not.
    if default.symlink_metadata().is_ok() {
        return Ok(vec![Input::Path(default)]);
    }
    Err(UsageError(format!(
        "no input files: give FILE arguments, or run where `./{DEFAULT_FILE}` exists"
    )))
}

/// The defaults layer and the level flags.
pub fn options(sources: &SourceArgs, levels: &LevelArgs) -> Result<Options, UsageError> {
    let defaults = match (&sources.defaults, sources.no_defaults) {
        (Some(path), _) => DefaultsSource::File(path.clone()),
        (None, true) => DefaultsSource::None,
        (None, false) => DefaultsSource::Builtin,
    };
    let mut flags = Levels::new();
    for (names, level) in [
        (&levels.allow, Level::Allow),
        (&levels.warn, Level::Warn),
        (&levels.deny, Level::Deny),
    ] {
        for name in names {
            flags.set(name.trim(), level)?;
        }
    }
    Ok(Options {
        limits: isptab::compiler::limits::Limits::default(),
        root: sources.root.clone(),
        defaults,
        levels: flags,
    })
}

/// Prints the diagnostics in the chosen format; `confirm` adds a line saying all is
/// well when there is nothing to report (human format only).
pub fn print(
    checked: &Checked,
    report: &ReportArgs,
    terminal: &TerminalArgs,
    confirm: bool,
) -> Result<(), UsageError> {
    let format = report.format;
    let (sources, diagnostics) = (&checked.sources, &checked.diagnostics);
    let omitted = checked.omitted;
    // The line-per-diagnostic formats end with a line of isptab's own when some
    // diagnostics were not shown.
    let note = (!omitted.is_empty()).then(|| omitted_note(omitted));
    match format {
        ReportFormat::Human => {
            let renderer =
                HumanRenderer::new(output::stderr_color(terminal.color), output::stderr_width());
            let mut text = renderer.render_each(sources, diagnostics);
            if !terminal.quiet {
                text.push_str(&summary_line(diagnostics, omitted));
            }
            if diagnostics.is_empty() && omitted.is_empty() && confirm {
                text = format!("no problems found in {}\n", scope(checked));
            }
            if checked.allowed > 0 && (confirm || !terminal.quiet) {
                // Say what the levels hid, so "no problems" is not taken at its word.
                let n = checked.allowed;
                text.push_str(&format!(
                    "{n} warning{} allowed (--allow or a `lints` block) not shown\n",
                    if n == 1 { "" } else { "s" }
                ));
            }
            output::write_stderr(&text)?;
        }
        ReportFormat::Short => {
            let mut text = render_short(sources, diagnostics);
            if let Some(note) = note {
                text.push_str(&format!("isptab: {note}\n"));
            }
            output::write_stdout(&text)?;
        }
        ReportFormat::Json => output::write_stdout(&render_json(sources, diagnostics, omitted))?,
        ReportFormat::Sarif => {
            output::write_stdout(&render_sarif(sources, diagnostics, &sarif_options(report)))?
        }
        ReportFormat::Github => {
            let mut text = render_github(sources, diagnostics);
            if let Some(note) = note {
                text.push_str(&format!("::notice title=isptab::{note}\n"));
            }
            output::write_stdout(&text)?;
        }
    }
    if !terminal.quiet {
        output::write_stderr(&skipped_notes(&checked.skipped))?;
    }
    Ok(())
}

/// "note: `free.txt`: 124 lines left out of `Free` (skip-owned=#true), owned
/// by other records: gmail.com (Gmail), ...": what a file asked to skip is
/// not a problem, so it is a note on stderr in every format.
fn skipped_notes(skipped: &[isptab::compiler::SkippedOwned]) -> String {
    use isptab::semantics::escape::escape;
    let mut text = String::new();
    for s in skipped {
        let examples: Vec<String> = s
            .examples
            .iter()
            .map(|(pattern, owner)| format!("{} ({})", escape(pattern), escape(owner)))
            .collect();
        let more = if s.count > examples.len() {
            ", ..."
        } else {
            ""
        };
        text.push_str(&format!(
            "note: `{}`: {} left out of `{}` (skip-owned=#true), owned by other records: {}{more}\n",
            escape(&s.file),
            isptab::compiler::diagnostics::plural(s.count, "line"),
            escape(&s.record),
            examples.join(", "),
        ));
    }
    text
}

/// "3 files (65 records, 862 patterns, 13 MX patterns)".
pub fn scope(checked: &Checked) -> String {
    // The built-in records are not one of "your" files.
    let files = checked
        .sources
        .iter()
        .filter(|f| f.name() != isptab::compiler::DEFAULTS_NAME)
        .count();
    let mut text = format!("{files} file{}", if files == 1 { "" } else { "s" });
    if let Some(config) = &checked.config {
        let mx: usize = config.records.iter().map(|r| r.mx.len()).sum();
        text.push_str(&format!(
            " ({})",
            output::counts(config.records.len(), config.pattern_count(), mx)
        ));
    }
    text
}

/// 1 when any diagnostic is an error.
pub fn status(checked: &Checked) -> Status {
    if checked.has_errors() {
        Status::Errors
    } else {
        Status::Ok
    }
}
