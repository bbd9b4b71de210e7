//! The second floor: the compiled table, one file an MTA memory-maps to find a
//! recipient domain's record in a few memory accesses. It stands on the
//! semantics alone, so a reader links neither the KDL parser nor the diagnostics.
//!
//! `schema/table-format.md` specifies the format byte by byte, and
//! [`layout`] names every part of it once. In short: a header (magic label,
//! endianness check, version, length, checksum), a section directory (offset,
//! length and xxh3 checksum of each section), and 64-byte-aligned sections: two
//! hash indexes, one of exact names and one of suffix rules, each of
//! hash-sorted buckets (bucket heads, a tag and key length per key, then the
//! entries, record id and key, stored apart), the records, their strings,
//! deduplicated header rule sets, and the globs in precedence order.
//!
//! A lookup hashes every candidate key (the domain, and each of its suffixes that
//! some suffix rule could match), touches all their bucket heads before reading
//! any, then checks them in precedence order: the summaries of a bucket (3 bytes a
//! key with its head, small enough to stay in cache) answer a miss, and only an
//! entry whose tag and length match is read and compared whole, so an answer is
//! exact and a hit usually costs one miss to memory. Globs are tried only when no
//! exact name or suffix rule matched, through a literal prefilter.
//!
//! | module | what |
//! |---|---|
//! | [`layout`] | the wire layout: constants, section kinds, codes, field offsets |
//! | `hash` | where a key sits in an index; the header checksum |
//! | `write`, `buckets` | [`compile`]: a [`Model`](crate::semantics::model::Model) into bytes |
//! | `open` | [`Table::from_bytes`]: the checks on open |
//! | `handles` | records, rules and answers borrowed from the bytes |
//! | `lookup` | [`Table::lookup`] |
//! | `verify` | [`Table::verify`], the full check |
//! | `raise` | [`Table::to_model`] |
//! | `dump` | a model printed as KDL or JSON |
//! | `file`, `mmap` | [`Table::load`] (read into memory) and `Table::open` (mapped) |

mod buckets;
mod dump;
mod error;
mod file;
mod handles;
mod hash;
pub mod layout;
mod lookup;
#[cfg(feature = "mmap")]
mod mmap;
mod open;
mod raise;
mod verify;
mod write;

pub use dump::{DUMP_JSON_VERSION, model_to_kdl, to_json, to_kdl};
pub use error::{TableError, TableErrorKind};
pub use file::OpenError;
pub use handles::{MatchedPattern, RecordRef, TableMatch, TableRule};
pub use hash::{Probe, probe};
pub use layout::{MAJOR, MAX_RECORDS, MINOR};
/// The memory map `Table::open` reads through, so an MTA can name
/// [`MappedTable`] without depending on `memmap2` itself.
#[cfg(feature = "mmap")]
pub use memmap2::Mmap;
pub use open::RuleOp;
/// A table read through a memory map (`Table::open`).
#[cfg(feature = "mmap")]
pub type MappedTable = Table<Mmap>;
pub use open::Table;
pub use write::{CompileError, compile};
