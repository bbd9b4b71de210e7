//! `--format sarif`: SARIF 2.1.0 for code-scanning dashboards, built with the
//! `serde-sarif` types. Every code is a rule (with its summary, explanation and a
//! help URI); every diagnostic a result with its primary location and, as related
//! locations, the other sides of a conflict.

use serde_sarif::sarif;

use super::{Diagnostic, Label, Severity};
use crate::compiler::codes::Code;
use crate::compiler::source::SourceMap;

/// Where each code is documented: its variant of [`Code`] on docs.rs.
pub fn help_uri(code: Code) -> String {
    format!(
        "https://docs.rs/isptab/{}/isptab/rules/enum.Code.html#variant.{}",
        env!("CARGO_PKG_VERSION"),
        code.variant_name()
    )
}

/// A file name as a URI: an absolute path becomes a `file://` URI, a relative one
/// a relative reference; reserved characters are percent-encoded (`<defaults>`
/// becomes `%3Cdefaults%3E`).
fn uri(name: &str) -> String {
    let path = name.replace('\\', "/");
    let mut out = String::with_capacity(path.len() + 7);
    if path.starts_with('/') {
        out.push_str("file://");
    }
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn location(sources: &SourceMap, label: &Label, id: Option<i64>) -> sarif::Location {
    let file = sources.get(label.span.file);
    let start = file.location(label.span.start as usize);
    let end = file.location(label.span.end as usize);
    let region = sarif::Region::builder()
        .start_line(start.line as i64)
        .start_column(start.column as i64)
        .end_line(end.line as i64)
        .end_column(end.column as i64)
        .build();
    let physical = sarif::PhysicalLocation::builder()
        .artifact_location(
            sarif::ArtifactLocation::builder()
                .uri(uri(file.name()))
                .build(),
        )
        .region(region)
        .build();
    let message = sarif::Message::builder()
        .text(label.message.clone())
        .build();
    match id {
        Some(id) => sarif::Location::builder()
            .id(id)
            .physical_location(physical)
            .message(message)
            .build(),
        None => sarif::Location::builder()
            .physical_location(physical)
            .message(message)
            .build(),
    }
}

fn rule(code: Code) -> sarif::ReportingDescriptor {
    let rule = code.rule();
    let text = |s: &str| {
        sarif::MultiformatMessageString::builder()
            .text(s.to_string())
            .build()
    };
    sarif::ReportingDescriptor::builder()
        .id(code.name())
        .short_description(text(rule.summary))
        .full_description(text(rule.summary))
        .help(
            sarif::MultiformatMessageString::builder()
                .text(rule.explanation.to_string())
                .markdown(rule.explanation.to_string())
                .build(),
        )
        .help_uri(help_uri(code))
        .default_configuration(
            sarif::ReportingConfiguration::builder()
                .level(serde_json::json!(rule.severity.as_str()))
                .build(),
        )
        .build()
}

/// Renders the whole report as one SARIF document (with a trailing newline).
pub fn render_sarif(sources: &SourceMap, diagnostics: &[Diagnostic]) -> String {
    let driver = sarif::ToolComponent::builder()
        .name("isptab")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri(format!(
            "https://docs.rs/isptab/{}",
            env!("CARGO_PKG_VERSION")
        ))
        .rules(Code::ALL.iter().map(|&c| rule(c)).collect::<Vec<_>>())
        .build();
    let results: Vec<sarif::Result> = diagnostics
        .iter()
        .map(|d| {
            let mut message = d.message.clone();
            if let Some(help) = &d.help {
                message.push_str("\nhelp: ");
                message.push_str(help);
            }
            let related: Vec<sarif::Location> = d
                .secondary
                .iter()
                .enumerate()
                .map(|(i, l)| location(sources, l, Some(i as i64 + 1)))
                .collect();
            // The rules are listed in the order of `Code::ALL`, the declaration order.
            let rule_index = d.code as i64;
            let result = sarif::Result::builder()
                .rule_id(d.code.name())
                .rule_index(rule_index)
                .level(match d.severity {
                    Severity::Error => sarif::ResultLevel::Error,
                    Severity::Warning => sarif::ResultLevel::Warning,
                })
                .message(sarif::Message::builder().text(message).build())
                .locations(vec![location(sources, &d.primary, None)]);
            if related.is_empty() {
                result.build()
            } else {
                result.related_locations(related).build()
            }
        })
        .collect();
    let run = sarif::Run::builder()
        .tool(sarif::Tool::builder().driver(driver).build())
        .column_kind(serde_json::json!("unicodeCodePoints"))
        .results(results)
        .build();
    let log = sarif::Sarif::builder()
        .schema("https://json.schemastore.org/sarif-2.1.0.json")
        .version(serde_json::json!("2.1.0"))
        .runs(vec![run])
        .build();
    // As in the JSON format: exact values, escaped where a log would act on them.
    let mut out =
        crate::semantics::escape::json(&serde_json::to_string_pretty(&log).unwrap_or_default())
            .into_owned();
    out.push('\n');
    out
}

/// The SARIF log of a run that stopped before it checked anything (a file that
/// cannot be read, a bad option; the command exits 2): no results, and the
/// reason as the invocation's error notification, with `executionSuccessful`
/// false, as SARIF says a failed run is reported.
pub fn render_sarif_failure(message: &str) -> String {
    let log = serde_json::json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "isptab",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": format!("https://docs.rs/isptab/{}", env!("CARGO_PKG_VERSION")),
            }},
            "invocations": [{
                "executionSuccessful": false,
                "toolExecutionNotifications": [{
                    "level": "error",
                    "message": {"text": message},
                }],
            }],
            "results": [],
        }],
    });
    let mut out =
        crate::semantics::escape::json(&serde_json::to_string_pretty(&log).unwrap_or_default())
            .into_owned();
    out.push('\n');
    out
}
