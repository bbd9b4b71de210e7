//! `isptab diff OLD NEW`: two tables or configurations compared by meaning
//! ([`isptab::semantics::diff`]), with the impact on real recipients, printed
//! for people, as Markdown or as JSON.
//!
//! | module | what |
//! |---|---|
//! | `side.rs` | a side: a table, a configuration, or one read from git; its model, table and origins |
//! | `git.rs` | `--git REV`: the configuration's directory as it is at a revision |
//! | `report.rs` | the report with every name resolved (the JSON document) |
//! | `human.rs`, `markdown.rs` | the other two formats |

mod git;
mod human;
mod markdown;
mod report;
mod side;

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;

use isptab::DefaultsSource;
use isptab::semantics::diff::{self, Impact};
use isptab::semantics::query::domain_of;

use super::{Status, UsageError, output};
use crate::cli::{DiffArgs, DiffFormat, TerminalArgs};
use side::{Side, Source};

/// The longest query line read; longer lines count as invalid.
const MAX_QUERY_LINE: usize = 4096;

pub fn run(args: &DiffArgs, terminal: &TerminalArgs) -> Result<Status, UsageError> {
    let (old_source, new_source) = sources(args)?;
    let defaults = |side: &Option<PathBuf>| match (side, &args.defaults, args.no_defaults) {
        (Some(path), _, _) | (None, Some(path), _) => DefaultsSource::File(path.clone()),
        (None, None, true) => DefaultsSource::None,
        (None, None, false) => DefaultsSource::Builtin,
    };
    // Both sides are loaded, one per core, and the problems of both printed.
    let (old_defaults, new_defaults) = (defaults(&args.old_defaults), defaults(&args.new_defaults));
    let (old, new) = std::thread::scope(|scope| {
        let new = scope.spawn(|| side::load(&new_source, &new_defaults));
        let old = side::load(&old_source, &old_defaults);
        let new = new
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (old, new)
    });
    let (old, new) = (old?, new?);
    let (old, new) = match (old, new) {
        (Ok(old), Ok(new)) => (old, new),
        (old, new) => {
            for failed in [old.err(), new.err()].into_iter().flatten() {
                failed.print(terminal)?;
            }
            return Ok(Status::Errors);
        }
    };
    let diff = diff::compare(&old.model, &new.model);
    let (impact, sampled) = match &args.queries {
        Some(path) => (impact_of_queries(path, &old, &new, &diff)?, None),
        None => {
            let (impact, globs_left_out) = impact_of_sample(&old, &new, &diff);
            (impact, Some(globs_left_out))
        }
    };
    let report = report::build(&old, &new, &diff, &impact, sampled);
    let text = match args.format {
        DiffFormat::Human => human::render(&report, output::stdout_color(terminal.color)),
        DiffFormat::Markdown => markdown::render(&report),
        DiffFormat::Json => {
            let json = serde_json::to_string_pretty(&report)
                .map_err(|e| UsageError(format!("internal error: {e}")))?;
            format!("{}\n", isptab::semantics::escape::json(&json))
        }
    };
    output::write_stdout(&text)?;
    let differ = diff.differ;
    drop(diff);
    // Freeing two models of millions of patterns takes longer than the rest of
    // the exit: the process ends instead (the temporary files of --git, held by
    // the sources, are still removed).
    std::mem::forget((old, new));
    Ok(if args.exit_code && differ {
        Status::Differ
    } else {
        Status::Ok
    })
}

/// What the old and the new side are read from.
fn sources(args: &DiffArgs) -> Result<(Source, Source), UsageError> {
    let mut sides = args.sides.iter().cloned();
    if let Some(rev) = &args.git {
        let files: Vec<PathBuf> = if !args.new_config.is_empty() {
            args.new_config.clone()
        } else if !args.sides.is_empty() {
            sides.by_ref().collect()
        } else {
            vec![PathBuf::from("isptab.kdl")]
        };
        if sides.next().is_some() || (!args.new_config.is_empty() && !args.sides.is_empty()) {
            return Err(UsageError(
                "with --git, give the configuration files of the working tree (or --new-config), not two sides".into(),
            ));
        }
        let revision = git::checkout(rev, &files)?;
        return Ok((Source::Git(revision), Source::Config(files)));
    }
    let mut side = |config: &[PathBuf], which: &str| {
        if !config.is_empty() {
            return Ok(Source::Config(config.to_vec()));
        }
        sides.next().map(Source::Path).ok_or_else(|| {
            UsageError(format!(
                "no {which} side: give OLD and NEW (tables or configuration files), --{which}-config FILE, or --git REV"
            ))
        })
    };
    let old = side(&args.old_config, "old")?;
    let new = side(&args.new_config, "new")?;
    if sides.next().is_some() {
        return Err(UsageError(
            "too many sides: give OLD and NEW (use --old-config/--new-config for configurations of several files)".into(),
        ));
    }
    Ok((old, new))
}

/// The record a side gives a normalized domain (its position in the model).
fn answer(side: &Side, domain: &str) -> Option<usize> {
    side.table
        .lookup_domain(domain)
        .map(|m| usize::from(m.record.id()))
}

/// The impact over the sample names of both sides (an exact name is answered
/// by its owner without a lookup), and how many globs got no name.
fn impact_of_sample(old: &Side, new: &Side, diff: &diff::Diff<'_>) -> (Impact, usize) {
    let mut impact = Impact::new(diff);
    let diff::Sample {
        names: sample,
        globs_left_out,
    } = diff.sample(&old.model, &new.model);
    let (a, b) = both_answers(sample.len(), |is_old, i| {
        let s = &sample[i];
        let (known, side) = if is_old { (s.old, old) } else { (s.new, new) };
        known.or_else(|| answer(side, &s.name))
    });
    for ((s, a), b) in sample.iter().zip(a).zip(b) {
        impact.add(&s.name, 1, a, b);
    }
    (impact, globs_left_out)
}

/// The answers of the old side (`ask(true, i)`) and of the new one
/// (`ask(false, i)`) to `n` queries: the two sides on two cores.
fn both_answers(
    n: usize,
    ask: impl Fn(bool, usize) -> Option<usize> + Sync,
) -> (Vec<Option<usize>>, Vec<Option<usize>>) {
    let answers = |is_old| (0..n).map(|i| ask(is_old, i)).collect::<Vec<_>>();
    std::thread::scope(|scope| {
        let b = scope.spawn(|| answers(false));
        let a = answers(true);
        let b = b
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (a, b)
    })
}

/// Queries read but not yet looked up: answered in batches, both sides at once.
struct Batch<'a> {
    queries: Vec<(String, u64, String)>,
    old: &'a Side,
    new: &'a Side,
}

impl Batch<'_> {
    const LEN: usize = 1 << 14;

    fn push(&mut self, impact: &mut Impact, query: &str, weight: u64, domain: String) {
        self.queries.push((query.to_string(), weight, domain));
        if self.queries.len() == Self::LEN {
            self.flush(impact);
        }
    }

    fn flush(&mut self, impact: &mut Impact) {
        let (queries, old, new) = (&self.queries, self.old, self.new);
        let (a, b) = both_answers(queries.len(), |is_old, i| {
            answer(if is_old { old } else { new }, &queries[i].2)
        });
        for (((query, weight, _), a), b) in queries.iter().zip(a).zip(b) {
            impact.add(query, *weight, a, b);
        }
        self.queries.clear();
    }
}

/// The impact over a file of queries: `DOMAIN` or `COUNT<TAB>DOMAIN` per line
/// (an address for a domain), blank lines and `#` comments skipped.
fn impact_of_queries(
    path: &std::path::Path,
    old: &Side,
    new: &Side,
    diff: &diff::Diff<'_>,
) -> Result<Impact, UsageError> {
    let shown = output::shown_path(path);
    let reader: Box<dyn Read> = if path.as_os_str() == "-" {
        Box::new(std::io::stdin())
    } else {
        Box::new(
            side::open_in_own_directory(path)
                .map_err(|e| UsageError(format!("cannot read `{shown}`: {e}")))?
                .file,
        )
    };
    let mut reader = BufReader::with_capacity(1 << 16, reader);
    let mut impact = Impact::new(diff);
    let mut batch = Batch {
        queries: Vec::with_capacity(Batch::LEN),
        old,
        new,
    };
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = (&mut reader)
            .take(MAX_QUERY_LINE as u64 + 1)
            .read_until(b'\n', &mut line)
            .map_err(|e| UsageError(format!("cannot read `{shown}`: {e}")))?;
        if n == 0 {
            break;
        }
        if line.len() > MAX_QUERY_LINE && line.last() != Some(&b'\n') {
            // Too long to be a query: skip the rest of it.
            skip_line(&mut reader)
                .map_err(|e| UsageError(format!("cannot read `{shown}`: {e}")))?;
            impact.add_invalid();
            continue;
        }
        let Ok(text) = std::str::from_utf8(&line) else {
            impact.add_invalid();
            continue;
        };
        // A byte order mark (a file saved by a Windows editor) is not part of it.
        let text = text.trim_start_matches('\u{feff}').trim();
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        let (weight, query) = match text.split_once(char::is_whitespace) {
            Some((count, rest)) if count.bytes().all(|b| b.is_ascii_digit()) => {
                match count.parse::<u64>() {
                    Ok(w) => (w, rest.trim()),
                    Err(_) => {
                        impact.add_invalid();
                        continue;
                    }
                }
            }
            _ => (1, text),
        };
        match domain_of(query) {
            Ok(domain) => batch.push(&mut impact, query, weight, domain.into_owned()),
            Err(_) => impact.add_invalid(),
        }
    }
    batch.flush(&mut impact);
    Ok(impact)
}

/// Reads to the end of the current line.
fn skip_line(reader: &mut impl BufRead) -> std::io::Result<()> {
    loop {
        let buffer = reader.fill_buf()?;
        if buffer.is_empty() {
            return Ok(());
        }
        match buffer.iter().position(|&b| b == b'\n') {
            Some(i) => {
                reader.consume(i + 1);
                return Ok(());
            }
            None => {
                let n = buffer.len();
                reader.consume(n);
            }
        }
    }
}
