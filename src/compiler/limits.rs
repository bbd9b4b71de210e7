//! Resource limits on inputs, so that hostile or broken files give a clear
//! `limit-exceeded` diagnostic instead of exhausting memory, time or stack.
//!
//! The defaults are far above anything a hand-written configuration needs: big
//! domain lists belong in a `domains-file`, which is read much faster than KDL. A
//! caller that checks untrusted input (a CI job on pull requests) can lower them
//! through [`crate::Options::limits`].

use std::ops::Range;

/// Largest KDL file read. The `kdl` parser runs at a few MB/s; a bigger
/// configuration is almost certainly generated data that belongs in a `domains-file`.
pub const MAX_KDL_FILE_BYTES: usize = 4 << 20;
/// Longest line in a KDL file.
pub const MAX_KDL_LINE_BYTES: usize = 64 << 10;
/// Most nodes in one KDL file. The parser keeps about half a kilobyte per node, so
/// a 4 MiB file of one-letter nodes would take a gigabyte; a configuration has a
/// few nodes per record.
pub const MAX_KDL_NODES: usize = 200_000;
/// Deepest nesting of `{ }` blocks in a KDL file. The language needs three levels;
/// the limit keeps the recursive parser far from the end of its stack.
pub const MAX_NESTING: usize = 32;
/// Deepest chain of `include`s.
pub const MAX_INCLUDE_DEPTH: usize = 32;
/// Largest `domains-file` read.
pub const MAX_DOMAINS_FILE_BYTES: usize = 1 << 30;
/// Longest line in a `domains-file` (a domain is at most 253 bytes; the rest is room
/// for a comment).
pub const MAX_DOMAINS_FILE_LINE_BYTES: usize = 4096;
/// Most bytes read from all files of a run (KDL files and domains files).
pub const MAX_TOTAL_BYTES: usize = 2 << 30;
/// Most files read in a run (includes and domains files count).
pub const MAX_FILES: usize = 10_000;
/// Most slashdashes (`/-`) in a row: one comments out what follows, a few in a
/// row are a typo, thousands overflow the parser (not configurable).
pub const MAX_SLASHDASHES: usize = 16;
/// Most patterns in a configuration: 10^7 take about 2 GiB to check and compile.
pub const MAX_PATTERNS: usize = 20_000_000;
/// Most header rules of one record.
pub const MAX_HEADER_RULES: usize = 1_000;
/// Most records: the compiled table's record ids are 15 bits.
pub const MAX_RECORDS: usize = crate::semantics::model::MAX_RECORDS;

/// The limits of one run; [`Default`] gives the constants above.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest KDL file, in bytes.
    pub kdl_file_bytes: usize,
    /// Longest KDL line, in bytes.
    pub kdl_line_bytes: usize,
    /// Most nodes in one KDL file.
    pub kdl_nodes: usize,
    /// Deepest `{ }` nesting.
    pub nesting: usize,
    /// Deepest chain of includes.
    pub include_depth: usize,
    /// Largest domains file, in bytes.
    pub domains_file_bytes: usize,
    /// Longest domains-file line, in bytes.
    pub domains_file_line_bytes: usize,
    /// Most bytes read from all files.
    pub total_bytes: usize,
    /// Most files read.
    pub files: usize,
    /// Most patterns in all.
    pub patterns: usize,
    /// Most header rules of one record.
    pub header_rules: usize,
    /// Most records (never more than the table format's 32,767).
    pub records: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            kdl_file_bytes: MAX_KDL_FILE_BYTES,
            kdl_line_bytes: MAX_KDL_LINE_BYTES,
            kdl_nodes: MAX_KDL_NODES,
            nesting: MAX_NESTING,
            include_depth: MAX_INCLUDE_DEPTH,
            domains_file_bytes: MAX_DOMAINS_FILE_BYTES,
            domains_file_line_bytes: MAX_DOMAINS_FILE_LINE_BYTES,
            total_bytes: MAX_TOTAL_BYTES,
            files: MAX_FILES,
            patterns: MAX_PATTERNS,
            header_rules: MAX_HEADER_RULES,
            records: MAX_RECORDS,
        }
    }
}

/// A limit a file breaks, with the span to point at.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum KdlLimit {
    /// A line longer than the limit (given).
    LongLine {
        line: usize,
        span: Range<usize>,
        limit: usize,
    },
    /// A `{` that opens a block deeper than the limit (given).
    DeepNesting { span: Range<usize>, limit: usize },
    /// More nodes in one file than the limit (given); the span is the first node
    /// past it.
    TooManyNodes { span: Range<usize>, limit: usize },
    /// More slashdashes (`/-`) in a row than the limit (given).
    Slashdashes { span: Range<usize>, limit: usize },
}

impl std::fmt::Display for KdlLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KdlLimit::LongLine { line, limit, .. } => {
                write!(f, "line {line} is longer than {limit} bytes")
            }
            KdlLimit::DeepNesting { limit, .. } => {
                write!(f, "blocks are nested more than {limit} levels deep")
            }
            KdlLimit::TooManyNodes { limit, .. } => {
                write!(f, "the file has more than {limit} nodes")
            }
            KdlLimit::Slashdashes { limit, .. } => {
                write!(f, "more than {limit} slashdashes (`/-`) in a row")
            }
        }
    }
}
