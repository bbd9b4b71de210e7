//! `isptab apply`: a message rewritten for one recipient, as the MTA would send
//! it. The message goes to stdout only once it is rewritten whole; the report
//! goes to stderr, every line starting with text isptab chose.

use std::io::{Read, Write};
use std::path::Path;

use isptab::apply::{self, Action, ApplyError, Options, Report, Shape};
use isptab::compiler::confined::{ReadFailure, Refused, Root, read_limited};
use isptab::semantics::escape::escape;
use isptab::semantics::query::Answer;
use serde::Serialize;

use super::lookup::Answering;
use super::output;
use super::{Status, UsageError};
use crate::cli::{ApplyArgs, ApplyFormat, TerminalArgs};

/// The version of the JSON report (`schema/apply.schema.json`).
const JSON_VERSION: u32 = 1;

pub fn run(args: &ApplyArgs, terminal: &TerminalArgs) -> Result<Status, UsageError> {
    let from = Answering {
        table: args.table.as_deref(),
        config: &args.config,
        no_defaults: args.no_defaults,
        defaults: args.defaults.as_ref(),
    };
    let Some((table, _)) = from.table(terminal)? else {
        return Ok(Status::Errors);
    };
    let message = read_message(args.message.as_deref(), args.max_size)?;
    let answer = table.lookup(&args.rcpt);
    let (domain, found) = match &answer {
        Answer::Invalid(why) => {
            return Err(UsageError(format!(
                "--rcpt `{}` is not an address or a domain: {}",
                escape(&args.rcpt),
                why.kind
            )));
        }
        Answer::Hit(domain, m) => (&**domain, Some(m)),
        other => (other.domain().unwrap_or(""), None),
    };
    let options = Options {
        smtputf8: args.smtputf8,
        max_size: args.max_size,
    };
    let applied = match found {
        Some(m) => {
            let shape = Shape::of_table_record(m.record);
            Some(apply::apply(&message, &shape, &options).map_err(|e| apply_error(&e, args))?)
        }
        None => {
            // Unchanged, but still a message: what cannot be parsed is refused
            // whether or not a record applies.
            apply::leaves(&message).map_err(|e| apply_error(&e, args))?;
            None
        }
    };
    let summary = Summary {
        version: JSON_VERSION,
        rcpt: &args.rcpt,
        domain,
        record: found.map(|m| m.record.name()),
        pattern: found.map(|m| m.pattern.to_string()),
        report: applied.as_ref().map(|a| &a.report),
    };
    if found.is_none() && args.require_record {
        report(&summary, args.format, terminal)?;
        return Ok(Status::Errors);
    }
    let bytes = applied.as_ref().map_or(&message[..], |a| &a.message[..]);
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(bytes)
        .and_then(|()| stdout.flush())
        .map_err(|e| UsageError(format!("cannot write the message: {e}")))?;
    report(&summary, args.format, terminal)?;
    Ok(Status::Ok)
}

fn apply_error(e: &ApplyError, args: &ApplyArgs) -> UsageError {
    let hint = match e {
        ApplyError::TooLarge { .. } => " (raise it with --max-size)",
        _ => "",
    };
    UsageError(format!(
        "cannot apply to {}: {e}{hint}",
        shown(args.message.as_deref())
    ))
}

fn shown(path: Option<&Path>) -> String {
    match path {
        Some(p) if p != Path::new("-") => format!("`{}`", output::shown_path(p)),
        _ => "stdin".to_string(),
    }
}

/// The message's bytes: from a regular file (opened once, never blocking on a
/// FIFO) or from stdin, at most `limit` bytes.
fn read_message(path: Option<&Path>, limit: usize) -> Result<Vec<u8>, UsageError> {
    let too_large = |size: u64| {
        UsageError(format!(
            "cannot apply to {}: the message is {size} bytes or more, more than the limit of {limit} bytes (raise it with --max-size)",
            shown(path)
        ))
    };
    let Some(path) = path.filter(|p| *p != Path::new("-")) else {
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .take(limit as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| UsageError(format!("cannot read stdin: {e}")))?;
        if bytes.len() > limit {
            return Err(too_large(bytes.len() as u64));
        }
        return Ok(bytes);
    };
    let shown = output::shown_path(path);
    let dir = path.parent().unwrap_or(Path::new(""));
    let root = Root::open(dir).map_err(|e| UsageError(format!("cannot read `{shown}`: {e}")))?;
    let refused = |r: Refused| UsageError(format!("cannot read `{shown}`: {}", r.reason()));
    let rel = root
        .relative(path)
        .ok_or(Refused::Outside)
        .map_err(refused)?;
    let mut opened = root.open_file(&rel, true).map_err(refused)?;
    read_limited(&mut opened, limit).map_err(|e| match e {
        ReadFailure::TooLarge(size) => too_large(size),
        ReadFailure::Io(e) => UsageError(format!("cannot read `{shown}`: {e}")),
    })
}

/// The JSON report.
#[derive(Serialize)]
struct Summary<'a> {
    version: u32,
    rcpt: &'a str,
    /// The recipient's domain, normalized.
    domain: &'a str,
    /// The record applied (`null`: none; the message is unchanged).
    record: Option<&'a str>,
    /// The pattern that matched.
    pattern: Option<String>,
    report: Option<&'a Report>,
}

fn report(
    summary: &Summary<'_>,
    format: ApplyFormat,
    terminal: &TerminalArgs,
) -> Result<(), UsageError> {
    let text = match format {
        ApplyFormat::Json => {
            let mut json = serde_json::to_string(summary)
                .map_err(|e| UsageError(format!("internal error: {e}")))?;
            json.push('\n');
            json
        }
        ApplyFormat::Text if terminal.quiet => return Ok(()),
        ApplyFormat::Text => text(summary),
    };
    output::write_stderr(&text)?;
    Ok(())
}

/// The report for people: one line per thing done.
fn text(summary: &Summary<'_>) -> String {
    let mut out = String::new();
    let (Some(record), Some(report)) = (summary.record, summary.report) else {
        out.push_str(&format!(
            "record: none for `{}`: the message is not changed\n",
            escape(summary.domain)
        ));
        return out;
    };
    out.push_str(&format!(
        "record: {} (matched {})\n",
        escape(record),
        escape(summary.pattern.as_deref().unwrap_or(""))
    ));
    for removed in &report.removed {
        let fields = match removed.count {
            0 => "none there".to_string(),
            1 => "1 field".to_string(),
            n => format!("{n} fields"),
        };
        out.push_str(&format!("removed: {} ({fields})\n", escape(&removed.name)));
    }
    if !report.added.is_empty() {
        let names: Vec<String> = report
            .added
            .iter()
            .map(|n| escape(n).into_owned())
            .collect();
        out.push_str(&format!("added: {}\n", names.join(", ")));
    }
    for skipped in &report.skipped {
        out.push_str(&format!(
            "skipped: {}: {}\n",
            escape(&skipped.name),
            skipped.reason
        ));
    }
    let mut kept = 0;
    for part in &report.parts {
        let what = format!("part {} ({})", part.path, escape(&part.content_type));
        let (before, after) = (escape(&part.before), escape(&part.after));
        let reason = part.reason.as_deref().map(escape).unwrap_or_default();
        let line = match part.action {
            Action::Kept => {
                kept += 1;
                continue;
            }
            Action::Reencoded => format!("{what}: {before} -> {after}"),
            Action::Relabelled => {
                format!("{what}: {before} -> {after} (the data was already {after})")
            }
            Action::Fallback if before == after => {
                format!("{what}: {after} kept, not {}: {reason}", part.wanted)
            }
            Action::Fallback => {
                format!("{what}: {before} -> {after}, not {}: {reason}", part.wanted)
            }
            Action::Left => format!("{what}: left {before}, not {}: {reason}", part.wanted),
        };
        out.push_str(&line);
        out.push('\n');
    }
    if kept > 0 {
        let parts = if kept == 1 { "part" } else { "parts" };
        out.push_str(&format!(
            "kept: {kept} {parts} already in the record's encoding\n"
        ));
    }
    for signature in &report.dkim {
        let who = format!(
            "dkim: d={} s={}",
            escape(&signature.domain),
            escape(&signature.selector)
        );
        if signature.verifies {
            out.push_str(&format!(
                "{who}: still verifies (nothing it covers changed)\n"
            ));
        } else {
            out.push_str(&format!(
                "{who}: no longer verifies ({}); sign after applying\n",
                escape(&signature.reasons.join(", "))
            ));
        }
    }
    out.push_str(if report.changed {
        "changed: the message is rewritten\n"
    } else {
        "unchanged: the message is written as it was\n"
    });
    out
}
