//! The report as GitHub-flavoured Markdown, for a pull-request comment: the
//! summary, a table of counts, each kind of change in a collapsible block, and
//! the impact table. Text from the inputs is escaped (every ASCII punctuation
//! character backslashed, controls and bidi characters made visible), so a
//! record name cannot open a link, a table cell or an HTML tag.

use isptab::semantics::escape::escape;

use super::human::{groups, percent};
use super::report::{self, ChangedRecord, Report};

/// Patterns listed per item before "and N more".
const SHOWN: usize = 10;

/// Text from an input, safe anywhere in Markdown (in a table cell too): every
/// ASCII punctuation character escaped (no markup, links, HTML or cell breaks),
/// inside `<code>`, where GitHub makes no `@mention`, `#123` reference or link.
fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    out.push_str("<code>");
    for c in escape(text).chars() {
        if c.is_ascii_punctuation() {
            out.push('\\');
        }
        out.push(c);
    }
    out.push_str("</code>");
    out
}

/// ` — isptab.kdl:4` or nothing.
fn at(origin: &Option<String>) -> String {
    origin
        .as_deref()
        .map_or(String::new(), |o| format!(" — {}", md(o)))
}

fn list(n: usize, names: &[String], mx: bool) -> String {
    report::count_of_patterns(n, names, mx, SHOWN, md)
}

fn details(out: &mut String, summary: &str, body: &str) {
    out.push_str(&format!(
        "<details><summary>{summary}</summary>\n\n{body}\n\n</details>\n\n"
    ));
}

/// The report as Markdown.
pub fn render(report: &Report) -> String {
    let mut out = String::from("### isptab diff\n\n");
    // The summary is isptab's own text (counts and words).
    out.push_str(&format!("**{}**\n\n", report.summary.text));
    let (o, n) = (&report.old, &report.new);
    out.push_str("| | old | new |\n|---|---|---|\n");
    out.push_str(&format!(
        "| source | {} | {} |\n",
        md(&o.source),
        md(&n.source)
    ));
    out.push_str(&format!("| records | {} | {} |\n", o.records, n.records));
    out.push_str(&format!("| patterns | {} | {} |\n", o.patterns, n.patterns));
    out.push_str(&format!(
        "| MX patterns | {} | {} |\n\n",
        o.mx_patterns, n.mx_patterns
    ));
    if !report.summary.differ {
        return out;
    }
    let s = &report.summary;
    out.push_str("| change | count |\n|---|---:|\n");
    for (label, count) in [
        ("records added", s.records_added),
        ("records removed", s.records_removed),
        ("records renamed", s.records_renamed),
        ("records changed", s.records_changed),
        ("patterns moved", s.patterns_moved),
        ("patterns added", s.patterns_added),
        ("patterns removed", s.patterns_removed),
    ] {
        if count > 0 {
            out.push_str(&format!("| {label} | {count} |\n"));
        }
    }
    out.push('\n');

    let records = &report.records;
    for (title, list_of) in [
        ("Records added", &records.added),
        ("Records removed", &records.removed),
    ] {
        if list_of.is_empty() {
            continue;
        }
        let body: Vec<String> = list_of
            .iter()
            .map(|r| {
                format!(
                    "- **{}**: {}{}",
                    md(&r.name),
                    list(r.patterns + r.mx_patterns, &r.examples, false),
                    at(&r.origin)
                )
            })
            .collect();
        details(
            &mut out,
            &format!("{title} ({})", list_of.len()),
            &body.join("\n"),
        );
    }
    if !records.renamed.is_empty() {
        let body: Vec<String> = records
            .renamed
            .iter()
            .map(|r| {
                format!(
                    "- **{}** → **{}** ({} patterns in common){}",
                    md(&r.from),
                    md(&r.to),
                    r.shared,
                    at(&r.origin)
                )
            })
            .collect();
        details(
            &mut out,
            &format!("Records renamed ({})", records.renamed.len()),
            &body.join("\n"),
        );
    }
    if !report.moved.is_empty() {
        let body: Vec<String> = groups(&report.moved)
            .into_iter()
            .map(|g| {
                let names: Vec<String> = g.iter().map(|m| m.pattern.clone()).collect();
                format!(
                    "- **{}** → **{}**: {}{}",
                    md(&g[0].from),
                    md(&g[0].to),
                    list(g.len(), &names, g[0].set == "mx"),
                    at(&g[0].origin)
                )
            })
            .collect();
        details(
            &mut out,
            &format!("Patterns moved ({})", report.moved.len()),
            &body.join("\n"),
        );
    }
    if !report.changed.is_empty() {
        let body: Vec<String> = report.changed.iter().map(changed).collect();
        details(
            &mut out,
            &format!("Records changed ({})", report.changed.len()),
            &body.join("\n"),
        );
    }
    if report.reordered {
        out.push_str("Records were reordered: globs are tried in record order.\n\n");
    }
    impact(&mut out, report);
    out
}

fn changed(c: &ChangedRecord) -> String {
    let mut lines = vec![format!("- **{}**", md(&c.record))];
    for e in &c.encodings {
        lines.push(format!(
            "  - encoding {}: {} → **{}**{}",
            e.part,
            e.old,
            e.new,
            at(&e.origin)
        ));
    }
    if let Some(h) = &c.headers {
        let show = |rules: &[super::report::Rule]| {
            if rules.is_empty() {
                return "(none)".to_string();
            }
            rules
                .iter()
                .map(|r| match &r.value {
                    Some(v) => format!("{} {}: {}", r.op, md(&r.name), md(v)),
                    None => format!("{} {}", r.op, md(&r.name)),
                })
                .collect::<Vec<_>>()
                .join("; ")
        };
        lines.push(format!("  - header rules{}", at(&h.origin)));
        lines.push(format!("    - old: {}", show(&h.old)));
        lines.push(format!("    - new: {}", show(&h.new)));
    }
    if let Some(default) = c.default {
        lines.push(if default {
            "  - is a default record now".into()
        } else {
            "  - is no longer a default record".into()
        });
    }
    if c.globs_reordered {
        lines.push("  - globs in another order (they are tried in order)".into());
    }
    for (label, patterns) in [("added", &c.added), ("removed", &c.removed)] {
        for set in ["domains", "mx"] {
            let of_set: Vec<_> = patterns.iter().filter(|p| p.set == set).collect();
            if of_set.is_empty() {
                continue;
            }
            let names: Vec<String> = of_set.iter().map(|p| p.pattern.clone()).collect();
            lines.push(format!(
                "  - {label}: {}{}",
                list(names.len(), &names, set == "mx"),
                at(&of_set[0].origin)
            ));
        }
    }
    lines.join("\n")
}

fn impact(out: &mut String, report: &Report) {
    let i = &report.impact;
    let weighted = i.weight != u128::from(i.queries);
    let of = if i.source == "sample" {
        format!("{} sample names made from the patterns", i.queries)
    } else if weighted {
        format!("{} queries ({} recipients)", i.queries, i.weight)
    } else {
        format!("{} queries", i.queries)
    };
    let share = if weighted {
        format!(
            "{} recipients, {}",
            i.changed_weight,
            percent(i.changed_weight, i.weight)
        )
    } else {
        percent(u128::from(i.changed), u128::from(i.queries))
    };
    out.push_str(&format!(
        "**Impact** on {of}: {} get another record ({share})",
        i.changed
    ));
    if i.reshaped > 0 {
        out.push_str(&format!(
            "; {} keep their record, whose encodings or header rules changed",
            i.reshaped
        ));
    }
    out.push_str(".\n\n");
    if i.globs_not_sampled > 0 {
        out.push_str(&format!(
            "{} globs got no sample name (too many to try each); give `--queries` for a complete impact.\n\n",
            i.globs_not_sampled
        ));
    }
    if i.pairs.is_empty() {
        return;
    }
    let mut body =
        String::from("| from | to | queries | recipients | examples |\n|---|---|---:|---:|---|\n");
    for p in &i.pairs {
        let name = |n: &Option<String>| n.as_deref().map_or("(no record)".to_string(), md);
        let examples: Vec<String> = p.examples.iter().map(|e| md(e)).collect();
        body.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            name(&p.from),
            name(&p.to),
            p.count,
            p.weight,
            examples.join(", ")
        ));
    }
    details(
        out,
        &format!("Answers that change ({} pairs)", i.pairs.len()),
        &body,
    );
}
