//! Resource limits on inputs, so that hostile or broken files give a clear
//! `limit-exceeded` diagnostic instead of exhausting memory, time or stack.
//!
//! The limits are far above anything a hand-written configuration needs. Big domain
//! lists belong in a `domains-file`, which is read much faster than KDL.

/// Largest KDL file read. The `kdl` parser runs at a few MB/s; a bigger
/// configuration is almost certainly generated data that belongs in a `domains-file`.
pub const MAX_KDL_FILE_BYTES: usize = 4 << 20;

/// Longest line in a KDL file.
pub const MAX_KDL_LINE_BYTES: usize = 64 << 10;

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
