//! The compiled table: one file the MTA memory-maps to find a recipient domain's
//! record in about one memory access.
//!
//! `schema/table-format.md` specifies the format byte by byte. In short: a header
//! (magic label, endianness check, version, length, checksum), a section directory
//! (offset, length and xxh3 checksum of each section), and 64-byte-aligned
//! sections: two bucketized cuckoo hash indexes, one of exact names and one of
//! suffix rules, whose 64-byte buckets hold whole entries (a tag byte, the key's
//! length, the record id and the key itself; keys over 40 bytes live apart), the
//! records, their strings, deduplicated header rule sets, and the globs in
//! precedence order.
//!
//! A lookup hashes every candidate key (the domain, and each of its suffixes that
//! some suffix rule could match), touches all their buckets before reading any,
//! then checks them in precedence order against the whole keys stored there: an
//! answer is exact and usually costs one cache miss. Globs are tried only when no
//! exact name or suffix rule matched, through a literal prefilter.

mod cuckoo;
mod dump;
mod file;
mod format;
mod mmap;
mod read;
mod verify;
mod write;

pub use dump::{DUMP_JSON_VERSION, to_json, to_kdl};
pub use format::{MAJOR, MAX_RECORDS, MINOR};
pub use mmap::OpenError;
pub use read::{
    FormatError, FormatErrorKind, MatchedPattern, RecordRef, RuleOp, Table, TableMatch, TableRule,
};
pub use write::{CompileError, compile};
