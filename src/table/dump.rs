//! `isptab dump`: a table back into a configuration (KDL) or into JSON. The KDL
//! rebuilds the same bytes with `isptab build --no-defaults`.

use serde::Serialize;

use super::read::RuleOp;
use super::read::{FormatError, Table};
use crate::model::{Encoding, Part};

/// Quotes a string for KDL: what KDL does not allow raw in a string (bidi marks,
/// U+FEFF, line separators, controls) and what a terminal or CI log would act on
/// is written as an escape, so the dump parses back to the same strings.
pub(crate) use crate::escape::kdl_string;

/// The encoding properties that reproduce these effective encodings.
fn encoding_properties(encodings: [Encoding; 3]) -> Vec<String> {
    let [global, html, text] = encodings;
    let mut props = Vec::new();
    if global != Encoding::QuotedPrintable {
        props.push(format!("global={}", kdl_string(global.as_str())));
    }
    for (part, e) in [(Part::Html, html), (Part::Text, text)] {
        if e != global {
            props.push(format!("{}={}", part.as_str(), kdl_string(e.as_str())));
        }
    }
    props
}

/// The table as a KDL configuration.
pub fn to_kdl<B: AsRef<[u8]>>(table: &Table<B>) -> Result<String, FormatError> {
    let patterns: usize = table.records().map(|r| r.pattern_count()).sum();
    let (major, minor) = table.version();
    let mut out = format!(
        "// Decompiled by `isptab dump` from a table of format {major}.{minor}: {} records, {patterns} patterns.\n\
         // `isptab build --no-defaults` on this file rebuilds the same table.\n",
        table.record_count()
    );
    let patterns = table.patterns_by_record()?;
    for (record, patterns) in table.records().zip(patterns) {
        out.push('\n');
        out.push_str("isp ");
        out.push_str(&kdl_string(record.name()));
        if record.is_default() {
            out.push_str(" default=#true");
        }
        let mut body = Vec::new();
        let mut line = String::new();
        for pattern in patterns {
            let quoted = kdl_string(&pattern.to_string());
            if !line.is_empty() && line.len() + quoted.len() > 80 {
                body.push(format!("    domains{line}"));
                line.clear();
            }
            line.push(' ');
            line.push_str(&quoted);
        }
        if !line.is_empty() {
            body.push(format!("    domains{line}"));
        }
        let props = encoding_properties(record.encodings());
        if !props.is_empty() {
            body.push(format!("    encoding {}", props.join(" ")));
        }
        let rules = record.header_rules();
        if rules.len() > 0 {
            body.push("    headers {".into());
            for rule in rules {
                body.push(match rule.op {
                    RuleOp::Add => format!(
                        "        add {} {}",
                        kdl_string(rule.name),
                        kdl_string(rule.value)
                    ),
                    RuleOp::Remove => format!("        remove {}", kdl_string(rule.name)),
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
    Ok(out)
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
    patterns: Vec<JsonPattern>,
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
struct JsonPattern {
    kind: &'static str,
    pattern: String,
}

#[derive(Serialize)]
struct JsonSummary {
    records: usize,
    patterns: usize,
    bytes: usize,
}

/// The version of the `dump --format json` shape.
pub const DUMP_JSON_VERSION: u32 = 1;

/// The table as one JSON document.
pub fn to_json<B: AsRef<[u8]>>(table: &Table<B>) -> Result<String, FormatError> {
    let mut records = Vec::with_capacity(table.record_count());
    let mut total = 0;
    for (record, patterns) in table.records().zip(table.patterns_by_record()?) {
        let patterns: Vec<JsonPattern> = patterns
            .into_iter()
            .map(|p| JsonPattern {
                kind: p.kind.as_str(),
                pattern: p.to_string(),
            })
            .collect();
        total += patterns.len();
        records.push(JsonRecord {
            name: record.name(),
            default: record.is_default(),
            encoding: JsonEncoding {
                global: record.encoding(Part::Global).as_str(),
                html: record.encoding(Part::Html).as_str(),
                text: record.encoding(Part::Text).as_str(),
            },
            headers: record
                .header_rules()
                .map(|r| match r.op {
                    RuleOp::Add => JsonRule {
                        op: "add",
                        name: r.name,
                        value: Some(r.value),
                    },
                    RuleOp::Remove => JsonRule {
                        op: "remove",
                        name: r.name,
                        value: None,
                    },
                })
                .collect(),
            patterns,
        });
    }
    let (major, minor) = table.version();
    let dump = JsonDump {
        version: DUMP_JSON_VERSION,
        format: format!("{major}.{minor}"),
        summary: JsonSummary {
            records: records.len(),
            patterns: total,
            bytes: table.len(),
        },
        records,
    };
    let mut out =
        crate::escape::json(&serde_json::to_string_pretty(&dump).unwrap_or_default()).into_owned();
    out.push('\n');
    Ok(out)
}
