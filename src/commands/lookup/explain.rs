//! `lookup --explain`: what the record that answered does to a message (the
//! encodings in effect and the header rules) and, when the answer comes from
//! sources, the `FILE:LINE` that set each. From a table, only what the table
//! holds: the values in effect, no origins.

use std::io::Write;

use isptab::semantics::encoding::Part;
use isptab::semantics::escape::escape;
use isptab::semantics::model::PatternSet;
use isptab::table::{RuleOp, TableMatch};
use serde::Serialize;

use super::super::origins::Origins;

/// The explanation of one answer, printed under its line (text) or as its
/// `explain` member (JSON; see `schema/lookup.schema.json`).
#[derive(Serialize)]
pub struct Explained<'t> {
    /// Whether the record is one of the defaults.
    default: bool,
    /// Where the record was defined (from sources).
    record_origin: Option<String>,
    /// Where the pattern that matched was written (from sources).
    pattern_origin: Option<String>,
    /// The encoding in effect for each part, in part order.
    encodings: Vec<EncodingAnswer>,
    /// The header rules, in the record's order.
    headers: Vec<HeaderAnswer<'t>>,
    /// The pattern that matched, as printed on the answer's line.
    #[serde(skip)]
    pattern: String,
    /// The record's name.
    #[serde(skip)]
    record: &'t str,
}

#[derive(Serialize)]
struct EncodingAnswer {
    part: &'static str,
    encoding: &'static str,
    /// `set` (at `origin`), `default` (global not set: quoted-printable),
    /// `global` (html or text not set: as global), `table` (read from a table,
    /// which keeps only what is in effect).
    from: &'static str,
    origin: Option<String>,
}

#[derive(Serialize)]
struct HeaderAnswer<'t> {
    op: &'static str,
    name: &'t str,
    /// The field body of an `add`; absent for a `remove`.
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<&'t str>,
    origin: Option<String>,
}

impl<'t> Explained<'t> {
    /// `kind` is the answer's KIND column (`mx` when MX patterns matched);
    /// `origins` is `None` for a table.
    pub fn new(found: &TableMatch<'t>, kind: &str, origins: Option<&Origins>) -> Explained<'t> {
        let record = found.record;
        let name = record.name();
        let set = if kind == "mx" {
            PatternSet::Mx
        } else {
            PatternSet::Domains
        };
        let pattern = found.pattern.to_string();
        let encodings = Part::ALL
            .into_iter()
            .map(|part| {
                let origin = origins.and_then(|o| o.of_encoding(name, part));
                let from = match (origins, &origin, part) {
                    (None, _, _) => "table",
                    (Some(_), Some(_), _) => "set",
                    (Some(_), None, Part::Global) => "default",
                    (Some(_), None, _) => "global",
                };
                EncodingAnswer {
                    part: part.as_str(),
                    encoding: record.encoding(part).as_str(),
                    from,
                    origin,
                }
            })
            .collect();
        let headers = record
            .header_rules()
            .enumerate()
            .map(|(i, rule)| HeaderAnswer {
                op: match rule.op {
                    RuleOp::Add => "add",
                    RuleOp::Remove => "remove",
                },
                name: rule.name,
                value: (rule.op == RuleOp::Add).then_some(rule.value),
                origin: origins.and_then(|o| o.of_header(name, i)),
            })
            .collect();
        Explained {
            default: record.is_default(),
            record_origin: origins.and_then(|o| o.of_record(name)),
            pattern_origin: origins.and_then(|o| o.of_pattern_text(set, &pattern)),
            encodings,
            headers,
            pattern,
            record: name,
        }
    }

    /// The lines under the answer's line: each starts with two spaces and a
    /// word isptab chose; every text from the configuration is escaped.
    pub fn write_text(&self, out: &mut impl Write) -> std::io::Result<()> {
        let record = format!(
            "{}{}",
            escape(self.record),
            if self.default {
                " (a default record)"
            } else {
                ""
            }
        );
        row(out, "record", &record, self.record_origin.as_deref())?;
        row(
            out,
            "pattern",
            &escape(&self.pattern),
            self.pattern_origin.as_deref(),
        )?;
        for e in &self.encodings {
            let note = match e.from {
                "default" => Some("not set: the default"),
                "global" => Some("not set: as global"),
                _ => None,
            };
            row(out, e.part, e.encoding, note.or(e.origin.as_deref()))?;
        }
        if self.headers.is_empty() {
            out.write_all(b"  headers  none: the message is sent as it is\n")?;
        }
        for h in &self.headers {
            let rule = match h.value {
                Some(value) => format!("{}: {}", escape(h.name), escape(value)),
                None => escape(h.name).into_owned(),
            };
            row(out, h.op, &rule, h.origin.as_deref())?;
        }
        Ok(())
    }
}

/// `  WORD     VALUE   WHERE`, the columns aligned for values of ordinary length.
fn row(out: &mut impl Write, word: &str, value: &str, origin: Option<&str>) -> std::io::Result<()> {
    match origin {
        Some(origin) => writeln!(out, "  {word:<8} {value:<32} {}", escape(origin)),
        None => writeln!(out, "  {word:<8} {value}"),
    }
}
