//! The lookup precedence of section 3 of the design, as a library function: exact
//! name first, then suffix rules from the longest suffix to the shortest, then globs
//! in the order of the merged configuration. The compiled table must give the same
//! answers as [`Matcher::lookup`].

use foldhash::{HashMap, HashMapExt};
use std::sync::Arc;

use globset::{Glob, GlobBuilder};

use crate::domain::PatternKind;
use crate::globs::GlobIndex;
use crate::model::{Config, PatternRef};

/// Compiles a normalized domain glob: labels become path components so that `*`
/// and `?` never cross a dot and `**` spans whole labels.
pub(crate) fn compile_glob(glob: &str) -> Result<Glob, String> {
    GlobBuilder::new(&glob.replace('.', "/"))
        .literal_separator(true)
        .backslash_escape(false)
        // `x{,-a}.com` matches `x.com` too.
        .empty_alternates(true)
        .build()
        .map_err(|e| e.kind().to_string())
}

/// Which pattern answered a lookup.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Match {
    /// How it matched.
    pub kind: PatternKind,
    /// The pattern (its record and position in the record).
    pub pattern: PatternRef,
}

/// Answers "which pattern applies to this domain" over a merged configuration.
#[derive(Debug)]
pub struct Matcher {
    exact: HashMap<Arc<str>, PatternRef>,
    suffix: HashMap<Arc<str>, PatternRef>,
    /// Bit `n` is set when some suffix rule has `n` labels: other suffixes need no
    /// probe.
    suffix_labels: u128,
    globs: Vec<PatternRef>,
    glob_index: GlobIndex,
}

impl Matcher {
    /// Indexes every pattern of `config`.
    pub fn new(config: &Config) -> Matcher {
        Matcher::build(config, true)
    }

    /// A matcher of the suffix rules and globs only, for lints that ask what would
    /// answer for a name if its own exact entry were not there.
    pub(crate) fn without_exact(config: &Config) -> Matcher {
        Matcher::build(config, false)
    }

    fn build(config: &Config, with_exact: bool) -> Matcher {
        let mut exact = HashMap::new();
        let mut suffix = HashMap::new();
        let mut globs = Vec::new();
        let mut suffix_labels = 0u128;
        for (pattern_ref, entry) in config.patterns() {
            let pattern = &entry.pattern;
            match pattern.kind() {
                PatternKind::Exact if with_exact => {
                    exact.insert(pattern.text().clone(), pattern_ref);
                }
                PatternKind::Exact => {}
                PatternKind::Suffix => {
                    let key = pattern.key();
                    suffix_labels |= crate::domain::suffix_label_bit(key.as_bytes());
                    suffix.insert(Arc::from(key), pattern_ref);
                }
                PatternKind::Glob => globs.push(pattern_ref),
            }
        }
        let glob_index = GlobIndex::new(globs.iter().map(|&p| config.pattern(p).pattern.as_str()));
        Matcher {
            exact,
            suffix,
            suffix_labels,
            globs,
            glob_index,
        }
    }

    /// The pattern that applies to a normalized domain, if any.
    pub fn lookup(&self, domain: &str) -> Option<Match> {
        self.lookup_where(domain, |_| true)
    }

    /// Like [`lookup`](Self::lookup), but as if only the patterns for which `keep`
    /// returns true existed. Lints use it to ask "would the answer change without
    /// this pattern".
    pub fn lookup_where(&self, domain: &str, keep: impl Fn(PatternRef) -> bool) -> Option<Match> {
        if let Some(&p) = self.exact.get(domain).filter(|&&p| keep(p)) {
            return Some(Match {
                kind: PatternKind::Exact,
                pattern: p,
            });
        }
        if let Some(p) = self.suffix_match(domain, &keep) {
            return Some(Match {
                kind: PatternKind::Suffix,
                pattern: p,
            });
        }
        self.glob_match(domain, &keep).map(|p| Match {
            kind: PatternKind::Glob,
            pattern: p,
        })
    }

    /// The longest suffix rule that covers `domain` (never `domain` itself).
    pub(crate) fn suffix_match(
        &self,
        domain: &str,
        keep: &impl Fn(PatternRef) -> bool,
    ) -> Option<PatternRef> {
        if self.suffix.is_empty() {
            return None;
        }
        let mut labels = domain.bytes().filter(|&b| b == b'.').count() + 1;
        let mut rest = domain;
        while let Some(dot) = rest.find('.') {
            rest = &rest[dot + 1..];
            labels -= 1;
            if labels >= 128 || self.suffix_labels & (1u128 << labels) == 0 {
                continue;
            }
            if let Some(&p) = self.suffix.get(rest).filter(|&&p| keep(p)) {
                return Some(p);
            }
        }
        None
    }

    /// The first glob, in configuration order, that matches `domain`.
    pub(crate) fn glob_match(
        &self,
        domain: &str,
        keep: &impl Fn(PatternRef) -> bool,
    ) -> Option<PatternRef> {
        self.glob_index
            .first_match(domain, |i| keep(self.globs[i]))
            .map(|i| self.globs[i])
    }

    /// The suffix rule for exactly `key` (`*.key`), if one exists.
    pub(crate) fn suffix_rule(&self, key: &str) -> Option<PatternRef> {
        self.suffix.get(key).copied()
    }

    /// Whether the configuration has any suffix rules or globs (lints over exact
    /// names can be skipped without them).
    pub(crate) fn has_wildcards(&self) -> bool {
        !self.suffix.is_empty() || !self.globs.is_empty()
    }
}
