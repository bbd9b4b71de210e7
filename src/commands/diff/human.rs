//! The report for people: a summary line, then each kind of change, then the
//! impact. Every line starts with text isptab chose; names, patterns, paths and
//! queries are escaped.

use isptab::semantics::escape::{escape, kdl_string};

use super::report::{self, ChangedRecord, ImpactInfo, MovedPattern, Report};

/// Patterns listed in a line before "and N more".
const SHOWN: usize = 5;

/// Colours, or none.
struct Paint(bool);

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    fn added(&self, t: &str) -> String {
        self.wrap("32", t)
    }
    fn removed(&self, t: &str) -> String {
        self.wrap("31", t)
    }
    fn changed(&self, t: &str) -> String {
        self.wrap("33", t)
    }
    fn title(&self, t: &str) -> String {
        self.wrap("1", t)
    }
}

/// The report as text; `color` only on a terminal.
pub fn render(report: &Report, color: bool) -> String {
    let paint = Paint(color);
    let mut out = String::new();
    let side = |s: &super::report::SideInfo| {
        format!(
            "{} ({} records, {} patterns)",
            escape(&s.source),
            s.records,
            s.patterns + s.mx_patterns
        )
    };
    out.push_str(&format!(
        "isptab diff: {} -> {}\n",
        side(&report.old),
        side(&report.new)
    ));
    out.push_str(&format!("{}\n", paint.title(&report.summary.text)));
    if !report.summary.differ {
        return out;
    }
    let records = &report.records;
    if !records.added.is_empty() {
        out.push_str(&format!("\n{}\n", paint.title("records added:")));
        for r in &records.added {
            let line = format!(
                "  + {} ({})",
                kdl_string(&r.name),
                patterns(r.patterns + r.mx_patterns, &r.examples, false)
            );
            out.push_str(&format!("{}{}\n", paint.added(&line), at(&r.origin)));
        }
    }
    if !records.removed.is_empty() {
        out.push_str(&format!("\n{}\n", paint.title("records removed:")));
        for r in &records.removed {
            let line = format!(
                "  - {} ({})",
                kdl_string(&r.name),
                patterns(r.patterns + r.mx_patterns, &r.examples, false)
            );
            out.push_str(&format!("{}{}\n", paint.removed(&line), at(&r.origin)));
        }
    }
    if !records.renamed.is_empty() {
        out.push_str(&format!("\n{}\n", paint.title("records renamed:")));
        for r in &records.renamed {
            let line = format!(
                "  ~ {} -> {} ({} patterns in common)",
                kdl_string(&r.from),
                kdl_string(&r.to),
                r.shared
            );
            out.push_str(&format!("{}{}\n", paint.changed(&line), at(&r.origin)));
        }
    }
    if !report.moved.is_empty() {
        out.push_str(&format!("\n{}\n", paint.title("patterns moved:")));
        for group in groups(&report.moved) {
            let first = &group[0];
            let names: Vec<String> = group.iter().map(|m| m.pattern.clone()).collect();
            let line = format!(
                "  {} -> {}: {}",
                kdl_string(&first.from),
                kdl_string(&first.to),
                patterns(group.len(), &names, first.set == "mx")
            );
            out.push_str(&format!("{}{}\n", paint.changed(&line), at(&first.origin)));
        }
    }
    for c in &report.changed {
        changed(&mut out, &paint, c);
    }
    if report.reordered {
        out.push_str(&format!(
            "\n{}\n",
            paint.title("records reordered: globs are tried in record order, so a name two globs match may change record")
        ));
    }
    impact(&mut out, &paint, &report.impact);
    out
}

/// One changed record.
fn changed(out: &mut String, paint: &Paint, c: &ChangedRecord) {
    out.push_str(&format!(
        "\n{}\n",
        paint.title(&format!("record {} changed:", kdl_string(&c.record)))
    ));
    for e in &c.encodings {
        let line = format!("  encoding {}: {} -> {}", e.part, e.old, e.new);
        out.push_str(&format!("{}{}\n", paint.changed(&line), at(&e.origin)));
    }
    if let Some(h) = &c.headers {
        out.push_str(&format!(
            "{}{}\n",
            paint.changed("  header rules"),
            at(&h.origin)
        ));
        for (label, rules) in [("old", &h.old), ("new", &h.new)] {
            let text: Vec<String> = rules
                .iter()
                .map(|r| match &r.value {
                    Some(v) => format!("{} {} {}", r.op, kdl_string(&r.name), kdl_string(v)),
                    None => format!("{} {}", r.op, kdl_string(&r.name)),
                })
                .collect();
            let text = if text.is_empty() {
                "(none)".to_string()
            } else {
                text.join("; ")
            };
            out.push_str(&format!("    {label}: {text}\n"));
        }
    }
    if let Some(default) = c.default {
        let text = if default {
            "  is a default record now"
        } else {
            "  is no longer a default record"
        };
        out.push_str(&format!("{}\n", paint.changed(text)));
    }
    if c.globs_reordered {
        out.push_str(&format!(
            "{}\n",
            paint.changed("  globs in another order (they are tried in order)")
        ));
    }
    for (sign, list, paint_it) in [
        ("+", &c.added, Paint::added as fn(&Paint, &str) -> String),
        ("-", &c.removed, Paint::removed),
    ] {
        for set in ["domains", "mx"] {
            let of_set: Vec<_> = list.iter().filter(|p| p.set == set).collect();
            if of_set.is_empty() {
                continue;
            }
            let names: Vec<String> = of_set.iter().map(|p| p.pattern.clone()).collect();
            let line = format!("  {sign} {}", patterns(names.len(), &names, set == "mx"));
            out.push_str(&format!(
                "{}{}\n",
                paint_it(paint, &line),
                at(&of_set[0].origin)
            ));
        }
    }
}

/// The impact section.
fn impact(out: &mut String, paint: &Paint, i: &ImpactInfo) {
    let what = if i.source == "sample" {
        format!(
            "{} sample names made from the patterns of both sides",
            i.queries
        )
    } else if i.weight != u128::from(i.queries) {
        format!("{} queries, {} recipients", i.queries, i.weight)
    } else {
        format!("{} queries", i.queries)
    };
    out.push_str(&format!(
        "\n{}\n",
        paint.title(&format!("impact ({what}):"))
    ));
    if i.globs_not_sampled > 0 {
        out.push_str(&format!(
            "  {} globs got no sample name (too many to try each): give --queries\n",
            i.globs_not_sampled
        ));
    }
    let weighted = i.weight != u128::from(i.queries);
    let share = |n: u128| {
        if weighted {
            format!(" ({n} recipients, {})", percent(n, i.weight))
        } else {
            format!(" ({})", percent(n, u128::from(i.queries)))
        }
    };
    out.push_str(&format!(
        "  {} get another record{}\n",
        i.changed,
        share(if weighted {
            i.changed_weight
        } else {
            u128::from(i.changed)
        })
    ));
    if i.reshaped > 0 {
        out.push_str(&format!(
            "  {} keep their record, whose encodings or header rules changed{}\n",
            i.reshaped,
            share(if weighted {
                i.reshaped_weight
            } else {
                u128::from(i.reshaped)
            })
        ));
    }
    if i.invalid > 0 {
        let lines = if i.invalid == 1 {
            "line is"
        } else {
            "lines are"
        };
        out.push_str(&format!(
            "  {} {lines} not a domain or an address\n",
            i.invalid
        ));
    }
    for p in &i.pairs {
        let name = |n: &Option<String>| n.as_deref().map_or("(no record)".to_string(), kdl_string);
        let examples: Vec<String> = p.examples.iter().map(|e| escape(e).into_owned()).collect();
        let weight = if weighted {
            format!(", {} recipients", p.weight)
        } else {
            String::new()
        };
        out.push_str(&format!(
            "  {} -> {}: {}{weight}, e.g. {}\n",
            name(&p.from),
            name(&p.to),
            p.count,
            examples.join(", ")
        ));
    }
}

/// `12.5%`.
pub fn percent(n: u128, total: u128) -> String {
    if total == 0 {
        return "0%".into();
    }
    let p = n as f64 * 100.0 / total as f64;
    if p > 0.0 && p < 0.1 {
        "<0.1%".into()
    } else {
        format!("{p:.1}%")
    }
}

/// `3 patterns: a.com, b.com, c.com` or `1,000 patterns: a.com, ... and 995 more`.
fn patterns(n: usize, names: &[String], mx: bool) -> String {
    report::count_of_patterns(n, names, mx, SHOWN, |p| escape(p).into_owned())
}

/// `  (isptab.kdl:4)` or nothing.
fn at(origin: &Option<String>) -> String {
    origin
        .as_deref()
        .map_or(String::new(), |o| format!("  ({})", escape(o)))
}

/// The moved patterns in runs of the same (from, to, set).
pub fn groups(moved: &[MovedPattern]) -> Vec<&[MovedPattern]> {
    moved
        .chunk_by(|a, b| a.from == b.from && a.to == b.to && a.set == b.set)
        .collect()
}
