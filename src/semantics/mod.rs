//! The first floor: what records and patterns mean, with no I/O and no parser.
//! Domain names and the glob dialect, patterns, record names, encodings, header
//! rules, the span-free [`Model`](model::Model), the precedence function
//! ([`Precedence`](precedence::Precedence), over [`Matcher`](matcher::Matcher)s,
//! with MX hosts as step 4: [`mx`]), queries, and the escaping every printer of
//! untrusted text uses. The table and the compiler both stand on it.

pub mod diff;
pub mod encoding;
pub mod escape;
pub mod glob;
pub(crate) mod glob_index;
pub(crate) mod glob_match;
pub mod header;
pub mod matcher;
pub mod model;
pub mod mx;
pub mod name;
pub mod pattern;
pub mod precedence;
pub mod query;
pub mod record_name;
