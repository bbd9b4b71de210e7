//! The compiled table: one file the MTA memory-maps to find a recipient domain's
//! record in about one memory access.
//!
//! `schema/table-format.md` specifies the format byte by byte. In short: a header
//! (magic label, endianness check, version, length, checksum), a section directory
//! (offset, length and xxh3 checksum of each section), and 64-byte-aligned
//! sections: a bucketized cuckoo hash index of exact names and suffix rules (each
//! bucket one cache line of eight 64-bit slots: a 32-bit fingerprint and the offset
//! of the key entry), the key entries (every pattern, grouped by record, in
//! configuration order), the records, their strings, deduplicated header rule sets,
//! and the globs in precedence order.
//!
//! A lookup hashes every candidate key (the domain and each of its suffixes that
//! some suffix rule could match), touches all their buckets before reading any, and
//! then checks them in precedence order; a fingerprint hit is confirmed against the
//! stored key, so answers are exact. Globs are tried only when no exact name or
//! suffix rule matched.

mod cuckoo;
mod dump;
mod format;
mod mmap;
mod read;
mod verify;
mod write;

pub use dump::{DUMP_JSON_VERSION, to_json, to_kdl};
pub use format::{MAJOR, MINOR};
pub use mmap::OpenError;
pub use read::{
    FormatError, FormatErrorKind, MatchedPattern, RecordRef, RuleOp, Table, TableMatch, TableRule,
};
pub use write::{CompileError, compile};
