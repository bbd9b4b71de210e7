//! `isptab dump`: a model (raised from a table) printed as a configuration (KDL)
//! that rebuilds the same bytes with `isptab build --no-defaults`, or as JSON.

use serde::Serialize;

use super::error::TableError;
use super::open::Table;
use crate::semantics::encoding::{EncodingSettings, Part};
use crate::semantics::escape::kdl_string;
use crate::semantics::header::HeaderOp;
use crate::semantics::model::Model;

/// The table as a KDL configuration.
pub fn to_kdl<B: AsRef<[u8]>>(table: &Table<B>) -> Result<String, TableError> {
    let (major, minor) = table.version();
    let from = if (major, minor) < (super::layout::MAJOR, super::layout::MINOR) {
        // An older table rebuilds to the same records in today's format.
        format!(
            "a table of format {major}.{minor} (rebuilt, it is a {}.{} table)",
            super::layout::MAJOR,
            super::layout::MINOR
        )
    } else {
        format!("a table of format {major}.{minor}")
    };
    Ok(model_to_kdl(&table.to_model()?, &from))
}

/// A model as a KDL configuration; `from` says what it was decompiled from.
/// Records marked `default=#true` are default records, so the configuration
/// rebuilds the same table with `--no-defaults`.
pub fn model_to_kdl(model: &Model, from: &str) -> String {
    let mut out = format!(
        "// Decompiled by `isptab dump` from {from}: {} records, {} patterns{}.\n\
         // `isptab build --no-defaults` on this file rebuilds the same table.\n",
        model.records.len(),
        model.pattern_count(),
        match model.mx_pattern_count() {
            0 => String::new(),
            1 => ", 1 MX pattern".to_string(),
            n => format!(", {n} MX patterns"),
        }
    );
    for record in &model.records {
        out.push('\n');
        out.push_str("isp ");
        out.push_str(&kdl_string(&record.name));
        if record.default {
            out.push_str(" default=#true");
        }
        let mut body = Vec::new();
        pattern_lines(&mut body, "domains", record.patterns());
        pattern_lines(&mut body, "mx", record.mx.iter());
        // The fewest settings that give the effective encodings back.
        let settings = EncodingSettings::minimal(record.encodings);
        let props: Vec<String> = Part::ALL
            .iter()
            .filter_map(|&part| {
                let e = settings.get(part)?;
                Some(format!("{}={}", part.as_str(), kdl_string(e.as_str())))
            })
            .collect();
        if !props.is_empty() {
            body.push(format!("    encoding {}", props.join(" ")));
        }
        if !record.headers.is_empty() {
            body.push("    headers {".into());
            for rule in &record.headers {
                body.push(match rule {
                    HeaderOp::Add { name, value } => {
                        format!("        add {} {}", kdl_string(name), kdl_string(value))
                    }
                    HeaderOp::Remove { name } => format!("        remove {}", kdl_string(name)),
                });
            }
            body.push("    }".into());
        }
        if body.is_empty() {
            out.push('\n');
        } else {
            out.push_str(" {\n");
            for l in body {
                out.push_str(&l);
                out.push('\n');
            }
            out.push_str("}\n");
        }
    }
    out
}

/// `NODE "pattern" ...` lines of at most about 80 columns.
fn pattern_lines<'a>(
    body: &mut Vec<String>,
    node: &str,
    patterns: impl Iterator<Item = &'a crate::semantics::pattern::Pattern>,
) {
    let mut line = String::new();
    for pattern in patterns {
        let quoted = kdl_string(pattern.as_str());
        if !line.is_empty() && line.len() + quoted.len() > 80 {
            body.push(format!("    {node}{line}"));
            line.clear();
        }
        line.push(' ');
        line.push_str(&quoted);
    }
    if !line.is_empty() {
        body.push(format!("    {node}{line}"));
    }
}

#[derive(Serialize)]
struct JsonDump<'a> {
    version: u32,
    format: String,
    records: Vec<JsonRecord<'a>>,
    summary: JsonSummary,
}

#[derive(Serialize)]
struct JsonRecord<'a> {
    name: &'a str,
    default: bool,
    encoding: JsonEncoding,
    headers: Vec<JsonRule<'a>>,
    patterns: Vec<JsonPattern<'a>>,
    mx: Vec<JsonPattern<'a>>,
}

#[derive(Serialize)]
struct JsonEncoding {
    global: &'static str,
    html: &'static str,
    text: &'static str,
}

#[derive(Serialize)]
struct JsonRule<'a> {
    op: &'static str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonPattern<'a> {
    kind: &'static str,
    pattern: &'a str,
}

impl<'a> JsonPattern<'a> {
    fn of(p: &'a crate::semantics::pattern::Pattern) -> JsonPattern<'a> {
        JsonPattern {
            kind: p.kind().as_str(),
            pattern: p.as_str(),
        }
    }
}

#[derive(Serialize)]
struct JsonSummary {
    records: usize,
    patterns: usize,
    mx_patterns: usize,
    bytes: usize,
}

/// The version of the `dump --format json` shape.
pub const DUMP_JSON_VERSION: u32 = 1;

/// The table as one JSON document.
pub fn to_json<B: AsRef<[u8]>>(table: &Table<B>) -> Result<String, TableError> {
    let model = table.to_model()?;
    let records: Vec<JsonRecord<'_>> = model
        .records
        .iter()
        .map(|record| JsonRecord {
            name: &record.name,
            default: record.default,
            encoding: JsonEncoding {
                global: record.encodings.get(Part::Global).as_str(),
                html: record.encodings.get(Part::Html).as_str(),
                text: record.encodings.get(Part::Text).as_str(),
            },
            headers: record
                .headers
                .iter()
                .map(|r| JsonRule {
                    op: match r {
                        HeaderOp::Add { .. } => "add",
                        HeaderOp::Remove { .. } => "remove",
                    },
                    name: r.name(),
                    value: matches!(r, HeaderOp::Add { .. }).then(|| r.value()),
                })
                .collect(),
            patterns: record.patterns().map(JsonPattern::of).collect(),
            mx: record.mx.iter().map(JsonPattern::of).collect(),
        })
        .collect();
    let (major, minor) = table.version();
    let dump = JsonDump {
        version: DUMP_JSON_VERSION,
        format: format!("{major}.{minor}"),
        summary: JsonSummary {
            records: records.len(),
            patterns: model.pattern_count(),
            mx_patterns: model.mx_pattern_count(),
            bytes: table.len(),
        },
        records,
    };
    // Serializing plain structs of strings and numbers cannot fail. Values decode
    // to exactly what they were; what a terminal or a CI runner would act on is
    // written as JSON escapes.
    let mut out =
        crate::semantics::escape::json(&serde_json::to_string_pretty(&dump).unwrap_or_default())
            .into_owned();
    out.push('\n');
    Ok(out)
}
