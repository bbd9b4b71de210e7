//! The report of a diff, with every name resolved: what the JSON format prints
//! as it is (schema/diff.schema.json), and what the human and markdown formats
//! lay out.

use serde::Serialize;

use isptab::semantics::diff::{Diff, Impact};
use isptab::semantics::header::HeaderOp;
use isptab::semantics::model::Record;

use super::side::Side;

/// The version of the JSON document; bumped on incompatible changes.
pub const VERSION: u32 = 1;
/// Patterns of an added or removed record listed as examples.
pub const RECORD_EXAMPLES: usize = 5;

#[derive(Serialize)]
pub struct Report {
    pub version: u32,
    pub summary: Summary,
    pub old: SideInfo,
    pub new: SideInfo,
    pub records: Records,
    pub moved: Vec<MovedPattern>,
    pub changed: Vec<ChangedRecord>,
    /// Records on both sides are in another order (globs are tried in record order).
    pub reordered: bool,
    pub impact: ImpactInfo,
}

#[derive(Serialize)]
pub struct Summary {
    pub differ: bool,
    /// The one-line summary the human format starts with.
    pub text: String,
    pub records_added: usize,
    pub records_removed: usize,
    pub records_renamed: usize,
    pub records_changed: usize,
    pub patterns_moved: usize,
    pub patterns_added: usize,
    pub patterns_removed: usize,
}

#[derive(Serialize)]
pub struct SideInfo {
    pub source: String,
    pub kind: &'static str,
    pub records: usize,
    pub patterns: usize,
    pub mx_patterns: usize,
}

#[derive(Serialize)]
pub struct Records {
    pub added: Vec<RecordInfo>,
    pub removed: Vec<RecordInfo>,
    pub renamed: Vec<RenamedRecord>,
}

#[derive(Serialize)]
pub struct RecordInfo {
    pub name: String,
    pub default: bool,
    pub patterns: usize,
    pub mx_patterns: usize,
    /// The first few patterns.
    pub examples: Vec<String>,
    pub origin: Option<String>,
}

#[derive(Serialize)]
pub struct RenamedRecord {
    pub from: String,
    pub to: String,
    /// Patterns the two have in common.
    pub shared: usize,
    pub origin: Option<String>,
}

#[derive(Serialize)]
pub struct MovedPattern {
    pub pattern: String,
    pub set: &'static str,
    pub from: String,
    pub to: String,
    pub origin: Option<String>,
}

#[derive(Serialize)]
pub struct ChangedRecord {
    /// The name on the new side.
    pub record: String,
    pub encodings: Vec<EncodingChange>,
    pub headers: Option<HeaderChange>,
    /// The record came into (`true`) or left (`false`) the defaults layer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<bool>,
    pub added: Vec<SetPattern>,
    pub removed: Vec<SetPattern>,
    /// The globs it keeps are tried in another order.
    pub globs_reordered: bool,
}

#[derive(Serialize)]
pub struct EncodingChange {
    pub part: &'static str,
    pub old: &'static str,
    pub new: &'static str,
    pub origin: Option<String>,
}

#[derive(Serialize)]
pub struct HeaderChange {
    pub old: Vec<Rule>,
    pub new: Vec<Rule>,
    pub origin: Option<String>,
}

#[derive(Serialize)]
pub struct Rule {
    pub op: &'static str,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

#[derive(Serialize)]
pub struct SetPattern {
    pub pattern: String,
    pub set: &'static str,
    pub origin: Option<String>,
}

#[derive(Serialize)]
pub struct ImpactInfo {
    /// `queries` (from --queries) or `sample` (names made from the patterns).
    pub source: &'static str,
    pub queries: u64,
    pub weight: u128,
    pub invalid: u64,
    /// Globs that got no sample name (the sample stays near-linear; 0 with queries).
    pub globs_not_sampled: usize,
    /// Queries that get another record (or none, or a renamed one).
    pub changed: u64,
    pub changed_weight: u128,
    /// Queries that keep their record while its encodings or header rules changed.
    pub reshaped: u64,
    pub reshaped_weight: u128,
    pub pairs: Vec<ImpactPair>,
}

#[derive(Serialize)]
pub struct ImpactPair {
    pub from: Option<String>,
    pub to: Option<String>,
    pub count: u64,
    pub weight: u128,
    pub examples: Vec<String>,
}

/// Builds the report.
/// `globs_left_out` is `Some` for an impact over the sample (the globs that got
/// no name), `None` over queries.
pub fn build(
    old: &Side,
    new: &Side,
    diff: &Diff<'_>,
    impact: &Impact,
    globs_left_out: Option<usize>,
) -> Report {
    let old_name = |o: usize| old.model.records[o].name.clone();
    let new_name = |n: usize| new.model.records[n].name.clone();
    let new_origin = |f: &dyn Fn(&super::super::origins::Origins) -> Option<String>| {
        new.origins.as_ref().and_then(f)
    };
    let old_origin = |f: &dyn Fn(&super::super::origins::Origins) -> Option<String>| {
        old.origins.as_ref().and_then(f)
    };

    let record_info = |r: &Record, origin: Option<String>| RecordInfo {
        name: r.name.clone(),
        default: r.default,
        patterns: r.pattern_count(),
        mx_patterns: r.mx.len(),
        examples: r
            .patterns()
            .chain(&r.mx)
            .take(RECORD_EXAMPLES)
            .map(|p| p.as_str().to_string())
            .collect(),
        origin,
    };
    let records = Records {
        added: diff
            .added
            .iter()
            .map(|&n| {
                let r = &new.model.records[n];
                record_info(r, new_origin(&|o| o.of_record(&r.name)))
            })
            .collect(),
        removed: diff
            .removed
            .iter()
            .map(|&o| {
                let r = &old.model.records[o];
                record_info(r, old_origin(&|x| x.of_record(&r.name)))
            })
            .collect(),
        renamed: diff
            .renamed
            .iter()
            .map(|r| RenamedRecord {
                from: old_name(r.old),
                to: new_name(r.new),
                shared: r.shared,
                origin: new_origin(&|o| o.of_record(&new.model.records[r.new].name)),
            })
            .collect(),
    };
    let moved: Vec<MovedPattern> = diff
        .moved
        .iter()
        .map(|m| MovedPattern {
            pattern: m.pattern.as_str().to_string(),
            set: m.set.as_str(),
            from: old_name(m.from),
            to: new_name(m.to),
            origin: new_origin(&|o| o.of_pattern(m.set, m.pattern)),
        })
        .collect();
    let changed: Vec<ChangedRecord> = diff
        .changed
        .iter()
        .map(|c| {
            let (before, after) = (&old.model.records[c.old], &new.model.records[c.new]);
            ChangedRecord {
                record: after.name.clone(),
                encodings: c
                    .encodings
                    .iter()
                    .map(|e| EncodingChange {
                        part: e.part.as_str(),
                        old: e.old.as_str(),
                        new: e.new.as_str(),
                        origin: new_origin(&|o| o.of_encoding(&after.name, e.part))
                            .or_else(|| old_origin(&|o| o.of_encoding(&before.name, e.part))),
                    })
                    .collect(),
                headers: c.headers.then(|| {
                    // Where the lists first differ: the rule written there (on
                    // the new side, or on the old one when rules were removed).
                    let at = before
                        .headers
                        .iter()
                        .zip(&after.headers)
                        .take_while(|(a, b)| a == b)
                        .count();
                    HeaderChange {
                        old: rules(&before.headers),
                        new: rules(&after.headers),
                        origin: new_origin(&|o| o.of_header(&after.name, at))
                            .or_else(|| old_origin(&|o| o.of_header(&before.name, at))),
                    }
                }),
                default: c.default.then_some(after.default),
                globs_reordered: c.globs_reordered,
                added: c
                    .added
                    .iter()
                    .map(|p| SetPattern {
                        pattern: p.pattern.as_str().to_string(),
                        set: p.set.as_str(),
                        origin: new_origin(&|o| o.of_pattern(p.set, p.pattern)),
                    })
                    .collect(),
                removed: c
                    .removed
                    .iter()
                    .map(|p| SetPattern {
                        pattern: p.pattern.as_str().to_string(),
                        set: p.set.as_str(),
                        origin: old_origin(&|o| o.of_pattern(p.set, p.pattern)),
                    })
                    .collect(),
            }
        })
        .collect();
    let mut pairs: Vec<ImpactPair> = impact
        .pairs
        .iter()
        .map(|(&(from, to), p)| ImpactPair {
            from: from.map(old_name),
            to: to.map(new_name),
            count: p.count,
            weight: p.weight,
            examples: p.examples.clone(),
        })
        .collect();
    pairs.sort_by(|a, b| b.weight.cmp(&a.weight).then(b.count.cmp(&a.count)));
    let impact = ImpactInfo {
        source: if globs_left_out.is_some() {
            "sample"
        } else {
            "queries"
        },
        queries: impact.queries,
        weight: impact.weight,
        invalid: impact.invalid,
        globs_not_sampled: globs_left_out.unwrap_or(0),
        changed: impact.changed,
        changed_weight: impact.changed_weight,
        reshaped: impact.shaping,
        reshaped_weight: impact.shaping_weight,
        pairs,
    };
    let count_set = |f: fn(&ChangedRecord) -> usize| changed.iter().map(f).sum::<usize>();
    let mut summary = Summary {
        differ: diff.differ,
        text: String::new(),
        records_added: records.added.len(),
        records_removed: records.removed.len(),
        records_renamed: records.renamed.len(),
        records_changed: changed.len(),
        patterns_moved: moved.len(),
        patterns_added: count_set(|c| c.added.len()),
        patterns_removed: count_set(|c| c.removed.len()),
    };
    summary.text = summary_text(&summary, &impact, diff.reordered);
    Report {
        version: VERSION,
        summary,
        old: side_info(old),
        new: side_info(new),
        records,
        moved,
        changed,
        reordered: diff.reordered,
        impact,
    }
}

fn side_info(side: &Side) -> SideInfo {
    SideInfo {
        source: side.label.clone(),
        kind: side.kind,
        records: side.model.records.len(),
        patterns: side.model.pattern_count(),
        mx_patterns: side.model.mx_pattern_count(),
    }
}

fn rules(headers: &[HeaderOp]) -> Vec<Rule> {
    headers
        .iter()
        .map(|h| match h {
            HeaderOp::Add { name, value } => Rule {
                op: "add",
                name: name.clone(),
                value: Some(value.clone()),
            },
            HeaderOp::Remove { name } => Rule {
                op: "remove",
                name: name.clone(),
                value: None,
            },
        })
        .collect()
}

/// `records: 2 added, 1 changed; patterns: 14 moved; 12 of 1000 queries get another record`.
fn summary_text(s: &Summary, impact: &ImpactInfo, reordered: bool) -> String {
    if !s.differ {
        return "no differences".into();
    }
    let mut records = Vec::new();
    for (n, what) in [
        (s.records_added, "added"),
        (s.records_removed, "removed"),
        (s.records_renamed, "renamed"),
        (s.records_changed, "changed"),
    ] {
        if n > 0 {
            records.push(format!("{n} {what}"));
        }
    }
    let mut patterns = Vec::new();
    for (n, what) in [
        (s.patterns_moved, "moved"),
        (s.patterns_added, "added"),
        (s.patterns_removed, "removed"),
    ] {
        if n > 0 {
            patterns.push(format!("{n} {what}"));
        }
    }
    let mut parts = Vec::new();
    if !records.is_empty() {
        parts.push(format!("records: {}", records.join(", ")));
    }
    if !patterns.is_empty() {
        parts.push(format!("patterns: {}", patterns.join(", ")));
    }
    if reordered {
        parts.push("records reordered".into());
    }
    let what = if impact.source == "sample" {
        "sample names"
    } else {
        "queries"
    };
    parts.push(format!(
        "{} of {} {what} get another record",
        impact.changed, impact.queries
    ));
    parts.join("; ")
}

/// `3 patterns: a.com, b.com, c.com` or `1000 MX patterns: a.com, ... and 990 more`:
/// the first `shown` names, each written by `quote` (the format's escaping).
pub fn count_of_patterns(
    n: usize,
    names: &[String],
    mx: bool,
    shown: usize,
    quote: impl Fn(&str) -> String,
) -> String {
    let word = match (n == 1, mx) {
        (true, false) => "pattern",
        (false, false) => "patterns",
        (true, true) => "MX pattern",
        (false, true) => "MX patterns",
    };
    let listed: Vec<String> = names.iter().take(shown).map(|p| quote(p)).collect();
    let more = n.saturating_sub(listed.len());
    let mut text = format!("{n} {word}");
    if !listed.is_empty() {
        text.push_str(": ");
        text.push_str(&listed.join(", "));
    }
    if more > 0 {
        text.push_str(&format!(" and {more} more"));
    }
    text
}
