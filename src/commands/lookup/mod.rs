//! `isptab lookup`: answer queries from a compiled table, or from configuration
//! files compiled in memory (the same code path either way). One output line per
//! query, in order.

use std::io::{BufRead, BufReader, BufWriter, Write};

use isptab::compiler::resolve::{MxRecords, Resolver};

use isptab::semantics::escape::{escape, escape_line_start};
use isptab::semantics::query::Answer;
use isptab::table::{self, OpenError, Table, TableErrorKind, TableMatch};
use serde::Serialize;

mod explain;
use explain::Explained;

use super::check::{inputs, options, print};
use super::origins::Origins;
use super::progress::Progress;
use super::{Status, UsageError};
use crate::cli::{LevelArgs, LookupArgs, LookupFormat, SourceArgs, TerminalArgs};

pub fn run(args: &LookupArgs, terminal: &TerminalArgs) -> Result<Status, UsageError> {
    let from = Answering {
        table: args.table.as_deref(),
        config: &args.config,
        no_defaults: args.no_defaults,
        defaults: args.defaults.as_ref(),
    };
    let Some((table, checked)) = from.table(terminal)? else {
        return Ok(Status::Errors);
    };
    let origins = match checked {
        Some(checked) if args.explain => Some(Origins::new(checked)),
        _ => None,
    };
    answer_all(&table, origins.as_ref(), args)
}

/// A table to answer from, and the checked configuration it was compiled from
/// (`None` for `--table`).
pub type AnswerFrom = (Table<Vec<u8>>, Option<isptab::Checked>);

/// Where a command's answers come from: a compiled table, or configuration files
/// compiled in memory (the same code path either way).
pub struct Answering<'a> {
    /// `--table`
    pub table: Option<&'a std::path::Path>,
    /// `--config` (default ./isptab.kdl)
    pub config: &'a [std::path::PathBuf],
    /// `--no-defaults`
    pub no_defaults: bool,
    /// `--defaults`
    pub defaults: Option<&'a std::path::PathBuf>,
}

impl Answering<'_> {
    /// The table, and the checked configuration it was compiled from; `None`
    /// when the configuration has errors (they are printed).
    pub fn table(&self, terminal: &TerminalArgs) -> Result<Option<AnswerFrom>, UsageError> {
        if let Some(path) = self.table {
            return Ok(Some((load(path)?, None)));
        }
        let sources = SourceArgs {
            files: self.config.to_vec(),
            no_defaults: self.no_defaults,
            defaults: self.defaults.cloned(),
            root: None,
        };
        let no_levels = LevelArgs {
            allow: Vec::new(),
            warn: Vec::new(),
            deny: Vec::new(),
        };
        let checked = isptab::check(&inputs(&sources)?, &options(&sources, &no_levels)?)?;
        let Ok(model) = checked.model() else {
            print(&checked, &super::check::HUMAN_REPORT, terminal, false)?;
            return Ok(None);
        };
        let bytes = table::compile(&model)
            .map_err(|e| UsageError(format!("cannot compile the configuration: {e}")))?;
        let table =
            Table::from_bytes(bytes).map_err(|e| UsageError(format!("internal error: {e}")))?;
        Ok(Some((table, Some(checked))))
    }
}

/// Reads a table into memory ([`Table::load`]): a table truncated or rewritten in
/// place while isptab runs cannot crash it, as it could a memory map.
pub fn load(path: &std::path::Path) -> Result<Table<Vec<u8>>, UsageError> {
    let shown = super::output::shown_path(path);
    Table::load(path).map_err(|e| match e {
        OpenError::Io(e) => UsageError(format!("cannot read `{shown}`: {e}")),
        OpenError::Table(e) => {
            // A configuration given where a table belongs: say what to write.
            let hint = if matches!(e.kind(), TableErrorKind::NotATable | TableErrorKind::TooShort(_))
                && path.extension().is_some_and(|x| x.eq_ignore_ascii_case("kdl"))
            {
                "; it looks like a configuration file: give it with --config (or compile it with `isptab build`)"
            } else {
                ""
            };
            UsageError(format!("`{shown}` is not a valid table: {e}{hint}"))
        }
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
    /// Each MX host and what it matched, when the MX hosts were asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    mx: Option<Vec<JsonHost<'a>>>,
    /// The domain had no MX records and stood in for its MX (RFC 5321 5.1).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    implicit_mx: bool,
    /// What DNS said when it gave no MX hosts to match (`nxdomain`, an error).
    #[serde(skip_serializing_if = "Option::is_none")]
    dns: Option<&'a str>,
    /// With `--explain`, when a record answered: its encodings and header rules.
    #[serde(skip_serializing_if = "Option::is_none")]
    explain: Option<Explained<'a>>,
}

#[derive(Serialize)]
struct JsonHost<'a> {
    host: &'a str,
    isp: Option<&'a str>,
    #[serde(rename = "match")]
    kind: &'a str,
    pattern: Option<String>,
}

/// One query's answer, and what DNS said when it was asked and gave no hosts.
struct Reply<'q, 't> {
    answer: Answer<'q, TableMatch<'t>>,
    dns: Option<Dns>,
}

/// DNS answers that leave nothing to match.
enum Dns {
    /// NXDOMAIN: the domain does not exist (`none`).
    NxDomain,
    /// The lookup failed (`unresolved`).
    Failed(String),
}

impl Reply<'_, '_> {
    /// The KIND column.
    fn kind(&self) -> &'static str {
        match (&self.answer, &self.dns) {
            (_, Some(Dns::Failed(_))) => "unresolved",
            (Answer::Invalid(_), _) => "invalid",
            (Answer::Miss(_), _) => "none",
            (Answer::Hit(_, m), _) => m.pattern.kind.as_str(),
            (Answer::Mx(_, mx), _) if mx.agreed => "mx",
            (Answer::Mx(..), _) => "none",
            (Answer::NullMx(_), _) => "null-mx",
        }
    }
}

/// Writes one query's line; whether a record answered it.
fn line(
    out: &mut impl Write,
    query: &str,
    reply: &Reply<'_, '_>,
    style: Style<'_>,
) -> std::io::Result<bool> {
    write_line(out, query, reply, style)?;
    Ok(reply.answer.found().is_some())
}

/// One output line for one query. The query is echoed escaped, so that one input
/// line gives one output line, whatever it holds (see `isptab::semantics::escape`).
fn write_line(
    out: &mut impl Write,
    query: &str,
    reply: &Reply<'_, '_>,
    style: Style<'_>,
) -> std::io::Result<()> {
    let answer = &reply.answer;
    let found = answer.found();
    let kind = reply.kind();
    let explained = found.and_then(|m| {
        style
            .explain
            .map(|origins| Explained::new(m, kind, origins))
    });
    match style.format {
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
            match explained {
                Some(explained) => explained.write_text(out),
                None => Ok(()),
            }
        }
        LookupFormat::Json => {
            let mx = answer.mx().map(|mx| {
                mx.hosts
                    .iter()
                    .map(|h| JsonHost {
                        host: &h.host,
                        isp: h.found.as_ref().map(|m| m.record.name()),
                        kind: match (&h.invalid, &h.found) {
                            (Some(_), _) => "invalid",
                            (None, Some(m)) => m.pattern.kind.as_str(),
                            (None, None) => "none",
                        },
                        pattern: h.found.as_ref().map(|m| m.pattern.to_string()),
                    })
                    .collect()
            });
            let json = JsonAnswer {
                query,
                domain: answer.domain(),
                isp: found.map(|m| m.record.name()),
                kind,
                pattern: found.map(|m| m.pattern.to_string()),
                mx,
                implicit_mx: answer.mx().is_some_and(|mx| mx.implicit),
                dns: match &reply.dns {
                    Some(Dns::NxDomain) => Some("nxdomain"),
                    Some(Dns::Failed(e)) => Some(e),
                    None => None,
                },
                explain: explained,
            };
            let text = serde_json::to_string(&json)?;
            out.write_all(isptab::semantics::escape::json(&text).as_bytes())?;
            out.write_all(b"\n")
        }
    }
}

/// Why answering stopped: reading the queries or writing the answers failed.
enum Failed {
    Read(std::io::Error),
    Write(std::io::Error),
}

/// Reads one line of stdin into `buffer` (without its line break), keeping at most
/// [`MAX_QUERY_LINE`] bytes of it: `None` at the end of input, else the line's
/// whole length (without its line break). Before a read that would wait for
/// input, `before_waiting` runs: everything read so far gets its answer before
/// the writer of the next line is waited for, even mid-line.
fn read_line<R: std::io::Read>(
    stdin: &mut BufReader<R>,
    buffer: &mut Vec<u8>,
    before_waiting: &mut dyn FnMut() -> std::io::Result<()>,
) -> Result<Option<usize>, Failed> {
    buffer.clear();
    let mut length = 0;
    loop {
        if stdin.buffer().is_empty() && !input_waiting() {
            before_waiting().map_err(Failed::Write)?;
        }
        let available = stdin.fill_buf().map_err(Failed::Read)?;
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

/// Where the MX hosts of the queries come from.
enum MxSource {
    /// Nowhere: steps 1-3 only.
    None,
    /// `--mx HOST...`: the same hosts for every query.
    Given(Vec<String>),
    /// `--mx-in-input`: after the query on each stdin line.
    InInput,
    /// `--resolve`: DNS, for queries steps 1-3 do not answer.
    Resolve(Box<Resolver>),
}

/// Queries resolved together: enough to keep `resolve::IN_FLIGHT` lookups busy.
const RESOLVE_BATCH: usize = 1024;

fn mx_source(args: &LookupArgs) -> Result<MxSource, UsageError> {
    if args.dns.resolve {
        return Ok(MxSource::Resolve(Box::new(super::dns::resolver(
            &args.dns,
        )?)));
    }
    if args.mx_in_input {
        if !args.queries.iter().any(|q| q == "-") {
            return Err(UsageError(
                "--mx-in-input reads `QUERY MXHOST...` lines from stdin: give `-` as the query"
                    .into(),
            ));
        }
        return Ok(MxSource::InInput);
    }
    if args.mx.is_empty() {
        Ok(MxSource::None)
    } else {
        Ok(MxSource::Given(args.mx.clone()))
    }
}

/// Answers a batch of queries and writes their lines in order: the queries steps
/// 1-3 do not answer are looked up in DNS first, concurrently.
fn answer_batch<B: AsRef<[u8]>>(
    out: &mut impl Write,
    table: &Table<B>,
    batch: &[String],
    resolver: &Resolver,
    progress: &Progress,
    style: Style<'_>,
) -> std::io::Result<bool> {
    let first: Vec<Answer<'_, TableMatch<'_>>> = batch.iter().map(|q| table.lookup(q)).collect();
    let misses: Vec<String> = first
        .iter()
        .filter_map(|a| match a {
            Answer::Miss(domain) => Some(domain.to_string()),
            _ => None,
        })
        .collect();
    let mut resolved = resolver.mx_of_all(&misses, || progress.inc()).into_iter();
    let mut records: Vec<Option<MxRecords>> = first
        .iter()
        .map(|a| {
            matches!(a, Answer::Miss(_))
                .then(|| resolved.next())
                .flatten()
        })
        .collect();
    let mut all_found = true;
    for (i, (query, answer)) in batch.iter().zip(first).enumerate() {
        let mx = records[i].take();
        let hosts = mx.as_ref().and_then(MxRecords::hosts);
        let reply = match (mx, &hosts) {
            (None, _) => Reply { answer, dns: None },
            (Some(_), Some(hosts)) => Reply {
                answer: table.lookup_with_mx(query, hosts),
                dns: None,
            },
            (Some(mx), None) => Reply {
                answer,
                dns: Some(match mx {
                    MxRecords::Failed(e) => Dns::Failed(e),
                    _ => Dns::NxDomain,
                }),
            },
        };
        all_found &= line(out, query, &reply, style)?;
    }
    Ok(all_found)
}

/// Answers one line at once, without copying it (the path of a batch of a
/// million queries without DNS).
fn answer_now<B: AsRef<[u8]>>(
    out: &mut impl Write,
    table: &Table<B>,
    text: &str,
    source: &MxSource,
    style: Style<'_>,
) -> std::io::Result<bool> {
    let answer = match source {
        MxSource::InInput => {
            let mut words = text.split_whitespace();
            let query = words.next().unwrap_or("");
            let hosts: Vec<&str> = words.collect();
            let reply = Reply {
                answer: table.lookup_with_mx(query, &hosts),
                dns: None,
            };
            return line(out, query, &reply, style);
        }
        MxSource::Given(hosts) => table.lookup_with_mx(text, hosts),
        MxSource::None | MxSource::Resolve(_) => table.lookup(text),
    };
    line(out, text, &Reply { answer, dns: None }, style)
}

/// Answers queries in order: at once, or (with a resolver) in batches whose
/// DNS lookups overlap.
struct Answerer<'a, B> {
    table: &'a Table<B>,
    source: MxSource,
    style: Style<'a>,
    /// Queries waiting for their DNS lookups (only with `--resolve`).
    batch: Vec<String>,
    progress: Progress,
    /// Whether a query answered so far had no record.
    missed: bool,
}

impl<B: AsRef<[u8]>> Answerer<'_, B> {
    fn take(&mut self, out: &mut impl Write, text: &str) -> std::io::Result<()> {
        if !matches!(self.source, MxSource::Resolve(_)) {
            self.missed |= !answer_now(out, self.table, text, &self.source, self.style)?;
            return Ok(());
        }
        self.batch.push(text.to_string());
        if self.batch.len() >= RESOLVE_BATCH {
            self.drain(out)?;
        }
        Ok(())
    }

    /// Takes the echo of a line too long to be a query: `invalid`, whatever the
    /// MX source (its words are not MX hosts).
    fn take_cut(&mut self, out: &mut impl Write, echo: &str) -> std::io::Result<()> {
        match self.source {
            MxSource::InInput => {
                answer_now(out, self.table, echo, &MxSource::None, self.style)?;
                self.missed = true;
                Ok(())
            }
            _ => self.take(out, echo),
        }
    }

    /// Answers every query taken so far.
    fn drain(&mut self, out: &mut impl Write) -> std::io::Result<()> {
        if let MxSource::Resolve(resolver) = &self.source {
            if !self.batch.is_empty() {
                self.missed |= !answer_batch(
                    out,
                    self.table,
                    &self.batch,
                    resolver,
                    &self.progress,
                    self.style,
                )?;
            }
            self.batch.clear();
        }
        Ok(())
    }
}

/// Whether stdin has input that a read would return at once (or its end): a
/// poll with no timeout. When it cannot tell, it says no, so answers are
/// flushed rather than held.
fn input_waiting() -> bool {
    use rustix::event::{PollFd, PollFlags, Timespec, poll};
    let stdin = std::io::stdin();
    let mut fds = [PollFd::new(&stdin, PollFlags::IN)];
    let now = Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    matches!(poll(&mut fds, Some(&now)), Ok(n) if n > 0)
}

/// How answers are printed: the format, and with `--explain` where the
/// settings come from (`Some(None)`: a table, which holds no origins).
#[derive(Clone, Copy)]
struct Style<'a> {
    format: LookupFormat,
    explain: Option<Option<&'a Origins>>,
}

fn answer_all<B: AsRef<[u8]>>(
    table: &Table<B>,
    origins: Option<&Origins>,
    args: &LookupArgs,
) -> Result<Status, UsageError> {
    let source = mx_source(args)?;
    let progress = Progress::counter(
        matches!(source, MxSource::Resolve(_)) && super::output::stderr_is_terminal(),
        "resolving MX records",
    );
    let mut answerer = Answerer {
        table,
        source,
        style: Style {
            format: args.format,
            explain: args.explain.then_some(origins),
        },
        batch: Vec::new(),
        progress,
        missed: false,
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let result = (|| -> Result<(), Failed> {
        for query in &args.queries {
            if query != "-" {
                answerer.take(&mut out, query).map_err(Failed::Write)?;
                continue;
            }
            // One query per line of stdin; every line gets an answer, an empty one
            // `invalid`. Reads of 64 KiB go straight to the descriptor (past
            // stdin's own 8 KiB buffer), so an empty buffer means that nothing
            // read is left unanswered.
            let mut stdin = BufReader::with_capacity(1 << 16, std::io::stdin().lock());
            let mut buffer = Vec::new();
            loop {
                // A co-process waits for its answers before it writes more.
                let mut answer_what_was_read = || {
                    answerer.drain(&mut out)?;
                    out.flush()
                };
                let Some(length) = read_line(&mut stdin, &mut buffer, &mut answer_what_was_read)?
                else {
                    break;
                };
                let taken = if buffer.len() > MAX_QUERY_LINE {
                    // Too long to be a query: answered `invalid`, echoed cut (as
                    // an empty query would be: it never reaches DNS).
                    let start = String::from_utf8_lossy(&buffer[..ECHOED]);
                    answerer.take_cut(&mut out, &format!("{start}... ({length} bytes, cut)"))
                } else {
                    // Borrowed when the line is UTF-8.
                    let text = String::from_utf8_lossy(&buffer);
                    answerer.take(&mut out, text.trim_end_matches('\r'))
                };
                taken.map_err(Failed::Write)?;
            }
        }
        answerer.drain(&mut out).map_err(Failed::Write)?;
        out.flush().map_err(Failed::Write)
    })();
    match result {
        Ok(()) if args.fail_on_miss && answerer.missed => Ok(Status::Errors),
        Ok(()) => Ok(Status::Ok),
        Err(Failed::Write(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(Status::Ok),
        Err(Failed::Write(e)) => Err(UsageError(format!("cannot write the answers: {e}"))),
        Err(Failed::Read(e)) => Err(UsageError(format!("cannot read the queries: {e}"))),
    }
}
