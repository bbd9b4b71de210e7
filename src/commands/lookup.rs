//! `isptab lookup`: answer queries from a compiled table, or from configuration
//! files compiled in memory (the same code path either way). One output line per
//! query, in order.

use std::io::{BufRead, BufWriter, Write};

use isptab::query::Answer;
use isptab::table::{self, OpenError, Table, TableMatch};
use serde::Serialize;

use super::check::{inputs, options, print};
use super::{Status, UsageError};
use crate::cli::{Format, LevelArgs, LookupArgs, LookupFormat, SourceArgs, TerminalArgs};

pub fn run(args: &LookupArgs, terminal: &TerminalArgs) -> Result<Status, UsageError> {
    if let Some(path) = &args.table {
        let table = Table::open(path).map_err(|e| match e {
            OpenError::Io(e) => UsageError(format!("cannot read `{}`: {e}", path.display())),
            OpenError::Format(e) => {
                UsageError(format!("`{}` is not a valid table: {e}", path.display()))
            }
        })?;
        return answer_all(&table, args);
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
    let config = match &checked.config {
        Some(config) if !checked.has_errors() => config,
        _ => {
            print(&checked, Format::Human, terminal, false)?;
            return Ok(Status::Errors);
        }
    };
    let bytes = table::compile(config)
        .map_err(|e| UsageError(format!("cannot compile the configuration: {e}")))?;
    let table = Table::from_bytes(bytes).map_err(|e| UsageError(format!("internal error: {e}")))?;
    answer_all(&table, args)
}

#[derive(Serialize)]
struct JsonAnswer<'a> {
    query: &'a str,
    domain: Option<&'a str>,
    isp: Option<&'a str>,
    #[serde(rename = "match")]
    kind: &'a str,
    pattern: Option<String>,
}

/// One output line for one query.
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
                    m.pattern.kind == isptab::domain::PatternKind::Suffix,
                    m.pattern.key,
                ),
                None => ("-", false, "-"),
            };
            for piece in [
                query,
                "\t",
                isp,
                "\t",
                kind,
                "\t",
                if suffix { "*." } else { "" },
                key,
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
            serde_json::to_writer(&mut *out, &json)?;
            out.write_all(b"\n")
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
            while {
                buffer.clear();
                stdin.read_until(b'\n', &mut buffer)? > 0
            } {
                // Borrowed when the line is UTF-8.
                let text = String::from_utf8_lossy(&buffer);
                let query = text.trim_end_matches(['\n', '\r']);
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
