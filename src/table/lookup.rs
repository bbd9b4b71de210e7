//! Lookups: every candidate key (the domain, and each suffix some suffix rule
//! could match) is hashed and its buckets touched before any is read, so the cache
//! misses overlap; then the candidates are checked in precedence order against
//! the whole keys stored there. Globs are tried only when no exact name or suffix
//! rule matched, through the literal prefilter of the glob index.

use super::handles::{MatchedPattern, TableMatch};
use super::hash::probe;
use super::layout::{KIND_EXACT, KIND_SUFFIX, pattern_kind};
use super::open::{Patterns, Table, text};
use crate::semantics::glob_index::GlobIndex;
use crate::semantics::mx::answer_with_mx;
use crate::semantics::name::MAX_NAME_LEN;
use crate::semantics::pattern::PatternKind;
use crate::semantics::query::{Answer, answer};

/// Candidates hashed and touched together (a name has more only when many of
/// its suffixes could be rules).
const BATCH: usize = 8;

impl<B: AsRef<[u8]>> Table<B> {
    /// Looks up a query: an email address or a domain, in any case, with or without
    /// a trailing dot, Unicode or punycode.
    pub fn lookup<'q>(&self, query: &'q str) -> Answer<'q, TableMatch<'_>> {
        answer(query, |domain| self.lookup_domain(domain))
    }

    /// Looks up a query with steps 1-3 and, when they find nothing, its MX hosts
    /// in preference order (step 4, [`crate::semantics::mx`]): no hosts is the
    /// implicit MX (the domain itself), `["."]` a null MX. The answer is an MX
    /// pattern's record only when every host matched the same record.
    pub fn lookup_with_mx<'q, H: AsRef<str>>(
        &self,
        query: &'q str,
        hosts: &'q [H],
    ) -> Answer<'q, TableMatch<'_>> {
        // The hosts of one provider share parents (`aspmx.l.google.com`,
        // `alt1.aspmx.l.google.com`, `alt2.aspmx.l.google.com`), and a host's
        // suffix match depends only on its parent: what is known of one parent
        // is not probed again for the next host.
        let mut memo = ParentMemo::default();
        answer_with_mx(
            query,
            hosts,
            |d| self.lookup_domain(d),
            |h| self.mx_host(h, &mut memo),
            |m| usize::from(m.record.id()),
        )
    }

    /// [`Table::lookup_mx_host`], with the suffix match of an earlier host's
    /// parent remembered. The suffix match of a host is the longest suffix rule
    /// among its parent P and P's suffixes; when P is the remembered parent M, or
    /// ends with `.M`, only the suffixes of P longer than M are probed, and M's
    /// answer stands for the rest.
    fn mx_host<'t>(&'t self, host: &str, memo: &mut ParentMemo<'t>) -> Option<TableMatch<'t>> {
        let set = &self.parsed.mx;
        let Some((_, parent)) = host.split_once('.') else {
            return self.find(set, host);
        };
        let suffix = match memo.covering(parent) {
            // Only the remembered parent's own answer: nothing longer to probe.
            Some((0, known)) => known,
            // Probe the suffixes of `host` that start before the remembered
            // parent; the longest wins, else what is known.
            Some((longer, known)) => {
                let below = host.len() - parent.len() + longer;
                let suffix = self.find_in(set, host, false, below).or(known);
                memo.set(parent, suffix);
                suffix
            }
            None => {
                let suffix = self.find_in(set, host, false, host.len());
                memo.set(parent, suffix);
                suffix
            }
        };
        let exact = || {
            (set.exact_count > 0)
                .then(|| self.probe_batch(set, host.as_bytes(), &[0], true))
                .flatten()
        };
        exact().or(suffix).or_else(|| self.glob_lookup(set, host))
    }

    /// Looks up a normalized domain (lowercase ASCII, no trailing dot): the exact
    /// name, then suffix rules from the longest suffix, then globs in order.
    pub fn lookup_domain(&self, domain: &str) -> Option<TableMatch<'_>> {
        self.find(&self.parsed.domains, domain)
    }

    /// Looks up a normalized MX host name against the MX patterns, with the same
    /// precedence as domains.
    pub fn lookup_mx_host(&self, host: &str) -> Option<TableMatch<'_>> {
        self.find(&self.parsed.mx, host)
    }

    /// The precedence function over one set of patterns.
    fn find(&self, set: &Patterns, domain: &str) -> Option<TableMatch<'_>> {
        self.find_in(set, domain, true, domain.len())
            .or_else(|| self.glob_lookup(set, domain))
    }

    /// The exact name (when `exact`) and the suffix rules of a set that match,
    /// of the suffixes that start before byte `below` of `domain`.
    fn find_in(
        &self,
        set: &Patterns,
        domain: &str,
        exact: bool,
        below: usize,
    ) -> Option<TableMatch<'_>> {
        let d = domain.as_bytes();
        if d.len() > MAX_NAME_LEN {
            return None;
        }
        // The candidate keys in precedence order, a batch at a time: the name
        // itself (start 0), then each suffix, longest first, whose label count
        // some suffix rule has.
        let mut batch = [0u8; BATCH];
        let mut n = 0;
        let mut exact_first = exact && set.exact_count > 0;
        n += usize::from(exact_first);
        let mask = set.suffix_labels;
        if mask != 0 {
            // The suffix after the k-th dot from the left has `dots - k` labels.
            let mut labels = d.iter().filter(|&&b| b == b'.').count();
            for (i, &b) in d.iter().enumerate() {
                if b != b'.' {
                    continue;
                }
                if i + 1 >= below {
                    break;
                }
                if labels < 128 && mask & (1u128 << labels) != 0 {
                    batch[n] = (i + 1) as u8;
                    n += 1;
                    if n == BATCH {
                        if let Some(found) = self.probe_batch(set, d, &batch, exact_first) {
                            return Some(found);
                        }
                        (n, exact_first) = (0, false);
                    }
                }
                labels -= 1;
            }
        }
        if n > 0 {
            return self.probe_batch(set, d, &batch[..n], exact_first);
        }
        None
    }

    /// Probes a batch of candidates (key starts in `d`; the first is the exact name
    /// when `exact_first`). Every key is a function of the query alone, so all are
    /// hashed and their bucket heads touched first: the cache misses overlap
    /// instead of following one another. Then they are checked in order, each
    /// against the summaries of its bucket and the entry whose summary matches.
    fn probe_batch(
        &self,
        set: &Patterns,
        d: &[u8],
        batch: &[u8],
        exact_first: bool,
    ) -> Option<TableMatch<'_>> {
        let kind_of = |i: usize| {
            if i == 0 && exact_first {
                KIND_EXACT
            } else {
                KIND_SUFFIX
            }
        };
        let (exact, suffix) = (self.buckets(set.exact), self.buckets(set.suffix));
        let index_of = |kind| {
            if kind == KIND_EXACT {
                (set.exact, exact)
            } else {
                (set.suffix, suffix)
            }
        };
        let mut probes = [(0u8, 0usize); BATCH];
        let mut touched = 0u8;
        for (i, (p, &start)) in probes.iter_mut().zip(batch).enumerate() {
            let (index, buckets) = index_of(kind_of(i));
            let h = probe(
                index.seed,
                index.kind,
                &d[usize::from(start)..],
                index.bucket_count,
            );
            *p = (h.tag, h.bucket);
            touched ^= buckets.touch(h.bucket);
        }
        std::hint::black_box(touched);
        for (i, (&(tag, bucket), &start)) in probes.iter().zip(batch).enumerate() {
            let kind = kind_of(i);
            let key = &d[usize::from(start)..];
            if let Some((record, stored)) = index_of(kind).1.find(bucket, tag, kind, key)
                && let (Some(record), Ok(stored)) =
                    (self.record(record), std::str::from_utf8(stored))
            {
                return Some(TableMatch {
                    record,
                    pattern: MatchedPattern {
                        kind: pattern_kind(kind),
                        key: stored,
                    },
                });
            }
        }
        None
    }

    /// The globs, indexed on first use. A glob outside the grammar of stored
    /// globs (a forged or corrupted table) never matches; [`Table::verify`]
    /// reports it.
    fn glob_lookup(&self, set: &Patterns, domain: &str) -> Option<TableMatch<'_>> {
        if set.globs.is_empty() {
            return None;
        }
        let index = set.glob_index.get_or_init(|| {
            GlobIndex::new(set.globs.iter().map(|g| text(self.data(), g.text.clone())))
        });
        let glob = &set.globs[index.first_match(domain)?];
        Some(TableMatch {
            record: self.record(glob.record)?,
            pattern: MatchedPattern {
                kind: PatternKind::Glob,
                key: text(self.data(), glob.text.clone()),
            },
        })
    }
}

/// The suffix match of one parent name, remembered across the MX hosts of one
/// lookup (a copy of the name: a host is at most 253 bytes).
struct ParentMemo<'t> {
    len: usize,
    name: [u8; MAX_NAME_LEN],
    suffix: Option<TableMatch<'t>>,
}

impl Default for ParentMemo<'_> {
    fn default() -> Self {
        ParentMemo {
            len: usize::MAX,
            name: [0; MAX_NAME_LEN],
            suffix: None,
        }
    }
}

impl<'t> ParentMemo<'t> {
    /// When `parent` is the remembered name M or ends with `.M`: how many bytes
    /// of `parent` come before M (0 when it is M), and M's suffix match.
    fn covering(&self, parent: &str) -> Option<(usize, Option<TableMatch<'t>>)> {
        let known = self.name.get(..self.len)?;
        let p = parent.as_bytes();
        let longer = p.len().checked_sub(known.len())?;
        let covered = p.ends_with(known) && (longer == 0 || p[longer - 1] == b'.');
        covered.then_some((longer, self.suffix))
    }

    fn set(&mut self, parent: &str, suffix: Option<TableMatch<'t>>) {
        if let Some(slot) = self.name.get_mut(..parent.len()) {
            slot.copy_from_slice(parent.as_bytes());
            self.len = parent.len();
            self.suffix = suffix;
        }
    }
}
