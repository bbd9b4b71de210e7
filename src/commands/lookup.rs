//! `isptab lookup`: answer queries from a compiled table, or from configuration
//! files compiled in memory (the same code path either way). One output line per
//! query, in order.

use std::io::{BufRead, BufWriter, Write};

use isptab::semantics::escape::{escape, escape_line_start};
use isptab::semantics::query::Answer;
use isptab::table::{self, OpenError, Table, TableMatch};
use serde::Serialize;

use super::check::{inputs, options, print};
use super::{Status, UsageError};
use crate::cli::{LevelArgs, LookupArgs, LookupFormat, ReportFormat, SourceArgs, TerminalArgs};

pub fn run(args: &LookupArgs, terminal: &TerminalArgs) -> Result<Status, UsageError> {
    if let Some(path) = &args.table {
        return answer_all(&load(path)?, args);
    }
    let sources = SourceArgs {
        files: args.config.clone(),
        no_defaults: args.no_defaults,
        defaults: args.defaults.clone(),
        root: None,
    };
    let no_levels = LevelArgs {
        allow: Vec::new(),
        warn: Vec::new(),
        deny: Vec::new(),
    };
    let checked = isptab::check(&inputs(&sources)?, &options(&sources, &no_levels)?)?;
    let Ok(model) = checked.model() else {
        print(&checked, ReportFormat::Human, terminal, false)?;
        return Ok(Status::Errors);
    };
    let bytes = table::compile(&model)
        .map_err(|e| UsageError(format!("cannot compile the configuration: {e}")))?;
    let table = Table::from_bytes(bytes).map_err(|e| UsageError(format!("internal error: {e}")))?;
    answer_all(&table, args)
}

/// Reads a table into memory ([`Table::load`]): a table truncated or rewritten in
/// place while isptab runs cannot crash it, as it could a memory map.
pub fn load(path: &std::path::Path) -> Result<Table<Vec<u8>>, UsageError> {
    let shown = super::output::shown_path(path);
    Table::load(path).map_err(|e| match e {
        OpenError::Io(e) => UsageError(format!("cannot read `{shown}`: {e}")),
        OpenError::Table(e) => UsageError(format!("`{shown}` is not a valid table: {e}")),
    })
}

/// The longest query line read from stdin; a longer line is answered `invalid`
/// and echoed cut (a domain is at most 253 bytes, an address 254).
const MAX_QUERY_LINE: usize = 4096;
/// How much of an over-long line is echoed.
const ECHOED: usize = 64;

#[derive(Serialize)]
struct JsonAnswer<'a> {
    query: &'a str,
    domain: Option<&'a str>,
    isp: Option<&'a str>,
    #[serde(rename = "match")]
    kind: &'a str,
    pattern: Option<String>,
}

/// One output line for one query. The query is echoed escaped, so that one input
/// line gives one output line, whatever it holds (see `isptab::semantics::escape`).
fn line(
    out: &mut impl Write,
    query: &str,
    answer: &Answer<'_, TableMatch<'_>>,
    format: LookupFormat,
) -> std::io::Result<()> {
    let found = answer.found();
    let kind = match answer {
        Answer::Invalid(_) => "invalid",
        Answer::Miss(_) => "none",
        Answer::Hit(_, m) => m.pattern.kind.as_str(),
    };
    match format {
        LookupFormat::Text => {
            // Written piece by piece: this runs a million times in a batch.
            let (isp, suffix, key) = match found {
                Some(m) => (
                    m.record.name(),
                    m.pattern.kind == isptab::semantics::pattern::PatternKind::Suffix,
                    m.pattern.key,
                ),
                None => ("-", false, "-"),
            };
            let (query, isp, key) = (escape_line_start(query), escape(isp), escape(key));
            for piece in [
                &*query,
                "\t",
                &*isp,
                "\t",
                kind,
                "\t",
                if suffix { "*." } else { "" },
                &*key,
                "\n",
            ] {
                out.write_all(piece.as_bytes())?;
            }
            Ok(())
        }
        LookupFormat::Json => {
            let json = JsonAnswer {
                query,
                domain: answer.domain(),
                isp: found.map(|m| m.record.name()),
                kind,
                pattern: found.map(|m| m.pattern.to_string()),
            };
            let text = serde_json::to_string(&json)?;
            out.write_all(isptab::semantics::escape::json(&text).as_bytes())?;
            out.write_all(b"\n")
        }
    }
}

/// Reads one line of stdin into `buffer` (without its line break), keeping at most
/// [`MAX_QUERY_LINE`] bytes of it: `None` at the end of input, else the line's
/// whole length (without its line break).
fn read_line(stdin: &mut impl BufRead, buffer: &mut Vec<u8>) -> std::io::Result<Option<usize>> {
    buffer.clear();
    let mut length = 0;
    loop {
        let available = stdin.fill_buf()?;
        if available.is_empty() {
            return Ok((length > 0).then_some(length));
        }
        let (part, consumed, ended) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (&available[..i], i + 1, true),
            None => (available, available.len(), false),
        };
        let room = (MAX_QUERY_LINE + 1).saturating_sub(buffer.len());
        buffer.extend_from_slice(&part[..part.len().min(room)]);
        length += part.len();
        stdin.consume(consumed);
        if ended {
            return Ok(Some(length));
        }
    }
}

fn answer_all<B: AsRef<[u8]>>(table: &Table<B>, args: &LookupArgs) -> Result<Status, UsageError> {
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let result = (|| -> std::io::Result<()> {
        for query in &args.queries {
            if query != "-" {
                line(&mut out, query, &table.lookup(query), args.format)?;
                continue;
            }
            // One query per line of stdin; every line gets an answer, an empty one
            // `invalid`.
            let mut stdin = std::io::stdin().lock();
            let mut buffer = Vec::new();
            while let Some(length) = read_line(&mut stdin, &mut buffer)? {
                if buffer.len() > MAX_QUERY_LINE {
                    // Too long to be a query: answered `invalid`, echoed cut.
                    let start = String::from_utf8_lossy(&buffer[..ECHOED]);
                    let cut = format!("{start}... ({length} bytes, cut)");
                    line(&mut out, &cut, &table.lookup(""), args.format)?;
                    continue;
                }
                // Borrowed when the line is UTF-8.
                let text = String::from_utf8_lossy(&buffer);
                let query = text.trim_end_matches('\r');
                line(&mut out, query, &table.lookup(query), args.format)?;
            }
        }
        out.flush()
    })();
    match result {
        Ok(()) => Ok(Status::Ok),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(Status::Ok),
        Err(e) => Err(UsageError(format!("cannot write the answers: {e}"))),
    }
}
