//! The only module that touches `kdl`: decoding file bytes, guarding the parser
//! against inputs it cannot handle, parsing, and reading nodes with spans.

pub(crate) mod guard;
mod reader;

pub(crate) use crate::compiler::source::StrValue;
pub(crate) use reader::NodeReader;

use kdl::KdlDocument;

use crate::compiler::diagnostics::Diagnostic;
use crate::compiler::rules::{limit_exceeded, syntax};
use crate::compiler::source::{FileId, SourceMap, Span};

/// Turns raw file bytes into text: strips a UTF-8 byte-order mark and rejects
/// invalid UTF-8. On invalid UTF-8 the file is still added to the source map (with
/// the bad bytes replaced) so the diagnostic can show where the problem is.
pub(crate) fn decode(
    sources: &mut SourceMap,
    name: String,
    bytes: Vec<u8>,
) -> Result<FileId, Diagnostic> {
    let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    match String::from_utf8(bytes) {
        Ok(text) => Ok(sources.add(name, text)),
        Err(err) => {
            let at = err.utf8_error().valid_up_to();
            let bad_len = err.utf8_error().error_len().unwrap_or(1);
            let bad = err.as_bytes()[at..at + bad_len]
                .iter()
                .map(|b| format!("0x{b:02X}"))
                .collect::<Vec<_>>()
                .join(" ");
            let text = String::from_utf8_lossy(err.as_bytes()).into_owned();
            let file = sources.add(name, text);
            // In the lossy text the bad bytes became one U+FFFD (3 bytes).
            Err(syntax::invalid_utf8(Span::new(file, at..at + 3), &bad))
        }
    }
}

/// Parses a KDL 2.0 document. Returns `None` (with diagnostics) when the file breaks a
/// limit or does not parse.
pub(crate) fn parse(
    sources: &SourceMap,
    file: FileId,
    limits: &crate::compiler::limits::Limits,
    out: &mut Vec<Diagnostic>,
) -> Option<KdlDocument> {
    let text = sources.get(file).text();
    let prepared = match guard::prepare(text, limits) {
        Ok(prepared) => prepared,
        Err(problem) => {
            out.push(limit_exceeded::in_kdl(file, problem));
            return None;
        }
    };
    match parse_guarded(&prepared) {
        Some(Ok(doc)) => Some(doc),
        Some(Err(err)) => {
            out.extend(syntax::from_kdl(file, sources.get(file), err));
            None
        }
        None => {
            out.push(syntax::parser_failed(Span::new(file, 0..0)));
            None
        }
    }
}

/// The stack the parser runs on: far more than the guard lets it need, so an
/// input shape the guard does not know still has room (the parser recurses per
/// nesting level and per slashdash, and used to per piece of a comment).
const PARSER_STACK: usize = 64 << 20;

/// Runs the `kdl` parser on text the guard let through, on a thread with a
/// stack of its own; `None` if the parser panicked (a bug in it), which is
/// reported instead of taking the process down.
pub(crate) fn parse_guarded(text: &str) -> Option<Result<KdlDocument, kdl::KdlError>> {
    std::thread::scope(|scope| {
        let parse = || KdlDocument::parse_v2(text);
        match std::thread::Builder::new()
            .name("kdl-parser".into())
            .stack_size(PARSER_STACK)
            .spawn_scoped(scope, parse)
        {
            Ok(thread) => thread.join().ok(),
            // No thread to be had: parse here.
            Err(_) => Some(KdlDocument::parse_v2(text)),
        }
    })
}
