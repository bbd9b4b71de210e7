//! `--format sarif`: SARIF 2.1.0 for code-scanning dashboards, built with the
//! `serde-sarif` types. Every code is a rule carrying its whole explanation
//! (`rules/explain/CODE.md`) as its help, in Markdown and in plain text, so a
//! dashboard shows it without a web page; a help URI only where the caller says
//! where the explanations are published ([`SarifOptions::help_uri_base`]). Every
//! diagnostic is a result with its primary location and, as related locations,
//! the other sides of a conflict.
//!
//! File names are relative references against `%SRCROOT%`, which
//! `run.originalUriBaseIds` gives as a `file://` URI when the caller says what
//! the names are relative to ([`SarifOptions::source_root`]); an absolute name
//! outside it is a `file://` URI of its own. The built-in defaults are no file:
//! they are the artifact `isptab:defaults` (described in `run.artifacts`), and
//! their locations carry the line they point at as a snippet.

use std::path::{Path, PathBuf};

use serde_sarif::sarif;

use super::{Diagnostic, Label, Severity};
use crate::compiler::DEFAULTS_NAME;
use crate::compiler::codes::Code;
use crate::compiler::source::SourceMap;

/// The base id of relative file names.
pub const SRCROOT: &str = "%SRCROOT%";

/// The URI of the built-in defaults (`isptab defaults` prints them).
pub const DEFAULTS_URI: &str = "isptab:defaults";

/// What a SARIF log says beyond the diagnostics.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SarifOptions {
    /// Where the explanations are published: each rule's `helpUri` is this
    /// followed by the code (`https://example.com/isptab/` gives
    /// `https://example.com/isptab/duplicate-domain`), or this with `{code}`
    /// replaced by the code. Without it, rules have no `helpUri` (their `help`
    /// holds the whole explanation). See [`check_help_uri_base`].
    pub help_uri_base: Option<String>,
    /// The absolute directory that relative file names are relative to (the
    /// working directory): `%SRCROOT%` in `run.originalUriBaseIds`, and absolute
    /// names inside it are written relative to it. Without it, relative names are
    /// still relative references against `%SRCROOT%`, which the log leaves to the
    /// consumer.
    pub source_root: Option<PathBuf>,
}

impl SarifOptions {
    /// The `helpUri` of a code, if [`SarifOptions::help_uri_base`] is set.
    pub fn help_uri(&self, code: Code) -> Option<String> {
        let base = self.help_uri_base.as_deref()?;
        Some(if base.contains("{code}") {
            base.replace("{code}", code.name())
        } else {
            format!("{base}{}", code.name())
        })
    }
}

/// Whether `base` can be a [`SarifOptions::help_uri_base`]: an absolute URI
/// (a scheme, then only characters a URI may hold; `{code}` may stand for the
/// code). The error says what is wrong.
pub fn check_help_uri_base(base: &str) -> Result<(), String> {
    let text = base.replace("{code}", "code");
    let scheme_end = text.find(':').unwrap_or(0);
    let scheme = &text[..scheme_end];
    let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    if !scheme_ok {
        return Err("it is not an absolute URI: start it with a scheme, such as https://".into());
    }
    if let Some(c) = text
        .chars()
        .find(|&c| !(c.is_ascii_alphanumeric() || "-._~:/?#[]@!$&'()*+,;=%".contains(c)))
    {
        return Err(format!(
            "`{}` cannot be in a URI: percent-encode it",
            crate::semantics::escape::escape(&c.to_string())
        ));
    }
    Ok(())
}

/// A path as the characters of a URI path: reserved characters and everything
/// outside ASCII percent-encoded (`a b` is `a%20b`), `\` as `/`.
fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.replace('\\', "/").bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A directory as a `file://` URI, ending with `/` (as base URIs must).
fn directory_uri(dir: &Path) -> String {
    let mut uri = format!("file://{}", uri_path(&dir.to_string_lossy()));
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

/// Where a file named `name` is: the defaults artifact, a reference relative to
/// `%SRCROOT%`, or an absolute `file://` URI.
fn artifact_location(name: &str, options: &SarifOptions) -> sarif::ArtifactLocation {
    if name == DEFAULTS_NAME {
        return sarif::ArtifactLocation {
            uri: Some(DEFAULTS_URI.into()),
            index: Some(0),
            ..Default::default()
        };
    }
    let path = Path::new(name);
    let relative = if path.is_absolute() {
        options
            .source_root
            .as_deref()
            .and_then(|root| path.strip_prefix(root).ok())
            .filter(|rel| !rel.as_os_str().is_empty())
    } else {
        Some(path)
    };
    match relative {
        Some(rel) => sarif::ArtifactLocation {
            uri: Some(uri_path(&rel.to_string_lossy())),
            uri_base_id: Some(SRCROOT.into()),
            ..Default::default()
        },
        None => sarif::ArtifactLocation {
            uri: Some(format!("file://{}", uri_path(name))),
            ..Default::default()
        },
    }
}

fn location(
    sources: &SourceMap,
    label: &Label,
    id: Option<i64>,
    options: &SarifOptions,
) -> sarif::Location {
    let file = sources.get(label.span.file);
    let start = file.location(label.span.start as usize);
    let end = file.location(label.span.end as usize);
    let mut region = sarif::Region::builder()
        .start_line(start.line as i64)
        .start_column(start.column as i64)
        .end_line(end.line as i64)
        .end_column(end.column as i64)
        .build();
    if file.name() == DEFAULTS_NAME {
        // No consumer can open the defaults: show the line.
        let line = file.line_range(file.line_index(label.span.start as usize));
        if let Some(text) = file.text().get(line) {
            region.snippet = Some(sarif::ArtifactContent {
                text: Some(text.to_string()),
                ..Default::default()
            });
        }
    }
    let physical = sarif::PhysicalLocation::builder()
        .artifact_location(artifact_location(file.name(), options))
        .region(region)
        .build();
    let message = sarif::Message::builder()
        .text(label.message.clone())
        .build();
    let mut location = sarif::Location::builder()
        .physical_location(physical)
        .message(message)
        .build();
    location.id = id;
    location
}

/// Markdown as plain text: headings without their `#`, code blocks indented by
/// four spaces without their fences.
fn plain_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut in_code = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            out.push_str("    ");
            out.push_str(line);
        } else if let Some(heading) = line.strip_prefix('#') {
            out.push_str(heading.trim_start_matches('#').trim());
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

fn rule(code: Code, options: &SarifOptions) -> sarif::ReportingDescriptor {
    let rule = code.rule();
    let text = |s: &str| {
        sarif::MultiformatMessageString::builder()
            .text(s.to_string())
            .build()
    };
    let mut descriptor = sarif::ReportingDescriptor::builder()
        .id(code.name())
        .short_description(text(rule.summary))
        .full_description(text(rule.summary))
        .help(
            sarif::MultiformatMessageString::builder()
                .text(plain_text(rule.explanation))
                .markdown(rule.explanation.to_string())
                .build(),
        )
        .default_configuration(
            sarif::ReportingConfiguration::builder()
                .level(serde_json::json!(rule.severity.as_str()))
                .build(),
        )
        .build();
    descriptor.help_uri = options.help_uri(code);
    // A friendly name, unless it would be the id again (SARIF1001: `syntax` is
    // `Syntax`).
    descriptor.name = Some(code.variant_name().to_string())
        .filter(|name| !name.eq_ignore_ascii_case(code.name()));
    descriptor
}

/// The artifact of the built-in defaults: index 0 of `run.artifacts`.
fn defaults_artifact() -> sarif::Artifact {
    sarif::Artifact::builder()
        .location(sarif::ArtifactLocation {
            uri: Some(DEFAULTS_URI.into()),
            ..Default::default()
        })
        .description(
            sarif::Message::builder()
                .text(format!(
                    "The built-in default records of isptab {}, under the configuration's files (`isptab defaults` prints them).",
                    env!("CARGO_PKG_VERSION")
                ))
                .build(),
        )
        .mime_type("text/x-kdl")
        .build()
}

/// Renders the whole report as one SARIF document (with a trailing newline).
pub fn render_sarif(
    sources: &SourceMap,
    diagnostics: &[Diagnostic],
    options: &SarifOptions,
) -> String {
    let driver = sarif::ToolComponent::builder()
        .name("isptab")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .rules(
            Code::ALL
                .iter()
                .map(|&c| rule(c, options))
                .collect::<Vec<_>>(),
        )
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
                .map(|(i, l)| location(sources, l, Some(i as i64 + 1), options))
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
                .locations(vec![location(sources, &d.primary, None, options)]);
            if related.is_empty() {
                result.build()
            } else {
                result.related_locations(related).build()
            }
        })
        .collect();
    let mut run = sarif::Run::builder()
        .tool(sarif::Tool::builder().driver(driver).build())
        .column_kind(serde_json::json!("unicodeCodePoints"))
        .results(results)
        .build();
    if let Some(root) = &options.source_root {
        run.original_uri_base_ids = Some(
            [(
                SRCROOT.to_string(),
                sarif::ArtifactLocation {
                    uri: Some(directory_uri(root)),
                    ..Default::default()
                },
            )]
            .into(),
        );
    }
    if sources.iter().any(|f| f.name() == DEFAULTS_NAME) {
        run.artifacts = Some(vec![defaults_artifact()]);
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_uris() {
        let none = SarifOptions::default();
        assert_eq!(none.help_uri(Code::DuplicateDomain), None);
        let base = SarifOptions {
            help_uri_base: Some("https://example.com/isptab/".into()),
            ..Default::default()
        };
        assert_eq!(
            base.help_uri(Code::DuplicateDomain).as_deref(),
            Some("https://example.com/isptab/duplicate-domain")
        );
        let template = SarifOptions {
            help_uri_base: Some("https://git.example/explain/{code}.md#top".into()),
            ..Default::default()
        };
        assert_eq!(
            template.help_uri(Code::EmptyIsp).as_deref(),
            Some("https://git.example/explain/empty-isp.md#top")
        );
        assert!(check_help_uri_base("https://example.com/{code}.md").is_ok());
        assert!(check_help_uri_base("file:///usr/share/doc/isptab/").is_ok());
        assert!(check_help_uri_base("example.com/rules/").is_err());
        assert!(check_help_uri_base("/rules/").is_err());
        assert!(check_help_uri_base("").is_err());
        assert!(check_help_uri_base("https://example.com/a b").is_err());
        assert!(check_help_uri_base("https://example.com/\u{1b}").is_err());
    }

    #[test]
    fn locations() {
        let options = SarifOptions {
            source_root: Some(PathBuf::from("/work/repo")),
            ..Default::default()
        };
        let at = |name: &str| {
            let l = artifact_location(name, &options);
            (l.uri.unwrap_or_default(), l.uri_base_id, l.index)
        };
        let src = Some(SRCROOT.to_string());
        assert_eq!(at("isptab.kdl"), ("isptab.kdl".into(), src.clone(), None));
        assert_eq!(
            at("conf/a b.kdl"),
            ("conf/a%20b.kdl".into(), src.clone(), None)
        );
        assert_eq!(
            at("/work/repo/conf/x.kdl"),
            ("conf/x.kdl".into(), src.clone(), None)
        );
        assert_eq!(
            at("/etc/isptab.kdl"),
            ("file:///etc/isptab.kdl".into(), None, None)
        );
        assert_eq!(at(DEFAULTS_NAME), (DEFAULTS_URI.into(), None, Some(0)));
        assert_eq!(
            directory_uri(Path::new("/work/my repo")),
            "file:///work/my%20repo/"
        );
        assert_eq!(directory_uri(Path::new("/")), "file:///");
    }

    #[test]
    fn plain_help() {
        assert_eq!(
            plain_text("## What it does\nReports `x`.\n```kdl\nisp \"A\" {\n}\n```\n- a\n"),
            "What it does\nReports `x`.\n    isp \"A\" {\n    }\n- a\n"
        );
    }
}
