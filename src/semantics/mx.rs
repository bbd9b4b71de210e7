//! Step 4 of a lookup: a domain that no pattern names is recognized by the hosts
//! that receive its mail. Each MX host is matched against the records' MX patterns
//! with the domain precedence (exact host, longest suffix, globs in order); the
//! domain is record R's when **every** host matched, and all of them matched R (a
//! vanity domain whose MX mixes providers is not lumped into one). The pattern
//! reported is the one of the most preferred host.
//!
//! What the caller passes is what DNS said, hosts in preference order:
//!
//! | hosts | meaning | answer |
//! |---|---|---|
//! | `[]` | no MX records (NODATA) | the domain itself is the implicit MX (RFC 5321 section 5.1) |
//! | `["."]` | a null MX (RFC 7505) | [`Answer::NullMx`]: the domain accepts no mail |
//! | `[h1, h2, ...]` | MX records | [`Answer::Mx`], a record only if all agree |
//!
//! NXDOMAIN and resolver failures never reach the table: the caller answers them
//! itself (`isptab lookup --resolve` prints `none` and `unresolved`).
//!
//! ```
//! use isptab::semantics::model::{Model, Record};
//! use isptab::semantics::pattern::Pattern;
//! use isptab::semantics::precedence::Precedence;
//!
//! let mut google = Record::new("Google");
//! google.push(Pattern::parse("gmail.com")?);
//! google.mx.push(Pattern::parse("*.google.com")?);
//! let model = Model { records: vec![google] };
//! let lookups = Precedence::new(&model);
//!
//! let hosts = ["aspmx.l.google.com", "alt1.aspmx.l.google.com"];
//! let answer = lookups.lookup_with_mx("ceo@hosted.example", &hosts);
//! assert_eq!(answer.found().map(|m| m.target.record), Some(0));
//!
//! // One host elsewhere: no record.
//! let mixed = ["aspmx.l.google.com", "mx.other.example"];
//! assert!(lookups.lookup_with_mx("hosted.example", &mixed).found().is_none());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::borrow::Cow;

use super::query::{Answer, domain_of, host_of};
pub use super::query::{HostMatch, MxAnswer};

/// The host of a null MX (RFC 7505), as resolvers print it.
pub const NULL_MX: &str = ".";

/// Whether `hosts` is a null MX: one host, the root.
pub fn is_null_mx<H: AsRef<str>>(hosts: &[H]) -> bool {
    matches!(hosts, [only] if only.as_ref().trim() == NULL_MX)
}

/// Answers a query with steps 1-3 (`domain`) and, when they find nothing, step 4
/// over `hosts` (`mx` matches one normalized host, in order; `record` says which
/// record a match is, so that agreement can be checked).
pub fn answer_with_mx<'q, M, H: AsRef<str>>(
    query: &'q str,
    hosts: &'q [H],
    domain: impl FnOnce(&str) -> Option<M>,
    mut mx: impl FnMut(&str) -> Option<M>,
    record: impl Fn(&M) -> usize,
) -> Answer<'q, M> {
    let name = match domain_of(query) {
        Err(e) => return Answer::Invalid(e),
        Ok(name) => name,
    };
    if let Some(m) = domain(&name) {
        return Answer::Hit(name, m);
    }
    if is_null_mx(hosts) {
        return Answer::NullMx(name);
    }
    let implicit = hosts.is_empty();
    let mut one = |given: &'q str| match host_of(given) {
        Ok(host) => HostMatch {
            found: mx(&host),
            host,
            invalid: None,
        },
        Err(e) => HostMatch {
            host: Cow::Borrowed(given),
            invalid: Some(e),
            found: None,
        },
    };
    let hosts: Vec<HostMatch<'q, M>> = if implicit {
        // The domain, already normalized, stands in for its MX.
        vec![HostMatch {
            found: mx(&name),
            host: name.clone(),
            invalid: None,
        }]
    } else {
        hosts.iter().map(|h| one(h.as_ref())).collect()
    };
    let first = hosts.first().and_then(|h| h.found.as_ref()).map(&record);
    let agreed = first.is_some() && hosts.iter().all(|h| h.found.as_ref().map(&record) == first);
    Answer::Mx(
        name,
        MxAnswer {
            hosts,
            implicit,
            agreed,
        },
    )
}
