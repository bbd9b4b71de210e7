//! `--format json`: the machine-readable report of section 6 of the design. Lines
//! and columns are 1-based, columns count characters, end positions are exclusive.

use serde::Serialize;

use super::{Diagnostic, Summary};
use crate::compiler::source::{SourceMap, Span};

/// The version of the JSON shape; bumped on any incompatible change.
pub const JSON_VERSION: u32 = 1;

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    summary: JsonSummary,
    /// Only when the run stopped before it could check anything.
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'static str,
    severity: &'static str,
    message: &'a str,
    #[serde(flatten)]
    at: Position<'a>,
    help: Option<&'a str>,
    labels: Vec<JsonLabel<'a>>,
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    message: &'a str,
    #[serde(flatten)]
    at: Position<'a>,
}

#[derive(Serialize)]
struct Position<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

#[derive(Serialize)]
struct JsonSummary {
    errors: usize,
    warnings: usize,
    /// Only when some were not shown, so the usual shape stays the documented one.
    #[serde(skip_serializing_if = "is_zero")]
    omitted: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

fn position(sources: &SourceMap, span: Span) -> Position<'_> {
    let file = sources.get(span.file);
    let start = file.location(span.start as usize);
    let end = file.location(span.end as usize);
    Position {
        file: file.name(),
        line: start.line,
        column: start.column,
        end_line: end.line,
        end_column: end.column,
    }
}

/// Renders the whole report as one JSON document (with a trailing newline).
///
/// `omitted` counts what was found but is not in `diagnostics` (see
/// [`crate::Checked::omitted`]); the summary counts everything.
pub fn render_json(sources: &SourceMap, diagnostics: &[Diagnostic], omitted: Summary) -> String {
    let summary = Summary::of(diagnostics);
    let report = Report {
        version: JSON_VERSION,
        diagnostics: diagnostics
            .iter()
            .map(|d| JsonDiagnostic {
                code: d.code.name(),
                severity: d.severity.as_str(),
                message: &d.message,
                at: position(sources, d.primary.span),
                help: d.help.as_deref(),
                labels: d
                    .secondary
                    .iter()
                    .map(|l| JsonLabel {
                        message: &l.message,
                        at: position(sources, l.span),
                    })
                    .collect(),
            })
            .collect(),
        summary: JsonSummary {
            errors: summary.errors + omitted.errors,
            warnings: summary.warnings + omitted.warnings,
            omitted: omitted.errors + omitted.warnings,
        },
        error: None,
    };
    // Serializing plain structs of strings and numbers cannot fail.
    // Values decode to exactly what they were; what a terminal or a CI runner
    // would act on is written as JSON escapes.
    let mut out =
        crate::semantics::escape::json(&serde_json::to_string_pretty(&report).unwrap_or_default())
            .into_owned();
    out.push('\n');
    out
}

/// The report of a run that stopped before it checked anything (a file that
/// cannot be read, a bad option; the command exits 2): no diagnostics, and the
/// reason in `error`, so that a CI step that uploads the output never gets an
/// empty file.
pub fn render_json_failure(message: &str) -> String {
    let report = Report {
        version: JSON_VERSION,
        diagnostics: Vec::new(),
        summary: JsonSummary {
            errors: 0,
            warnings: 0,
            omitted: 0,
        },
        error: Some(message),
    };
    let mut out =
        crate::semantics::escape::json(&serde_json::to_string_pretty(&report).unwrap_or_default())
            .into_owned();
    out.push('\n');
    out
}
