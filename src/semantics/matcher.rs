//! The lookup precedence of section 3 of the design, as a library function: exact
//! name first, then suffix rules from the longest suffix to the shortest, then globs
//! in the order given. The compiled table must give the same answers as
//! [`Matcher::lookup`].
//!
//! A matcher maps patterns to whatever the caller needs back (`T`): a model's
//! matcher ([`Matcher::new`]) answers with the record and the pattern; the
//! compiler's lints use their own references into the spanned configuration.

use foldhash::{HashMap, HashMapExt};
use std::sync::Arc;

use super::glob_index::GlobIndex;
use super::model::{Model, Record};
use super::pattern::{Pattern, PatternKind, label_bit};

/// What a lookup found: how it matched, and what the pattern was given with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Match<'m, T> {
    /// How it matched.
    pub kind: PatternKind,
    /// What the pattern maps to.
    pub target: &'m T,
}

/// What a model's matcher answers: the record's position and the pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The record's position in the model.
    pub record: usize,
    /// The pattern that matched.
    pub pattern: Pattern,
}

/// Answers "which pattern applies to this domain".
#[derive(Debug)]
pub struct Matcher<T> {
    exact: HashMap<Arc<str>, T>,
    suffix: HashMap<Arc<str>, T>,
    /// Bit `n` is set when some suffix rule has `n` labels: other suffixes need no
    /// probe.
    suffix_labels: u128,
    globs: Vec<T>,
    glob_index: GlobIndex,
}

impl Matcher<Target> {
    /// Indexes every domain pattern of a model.
    pub fn new(model: &Model) -> Matcher<Target> {
        Matcher::of_model(model, |r| Box::new(r.patterns()))
    }

    /// Indexes every MX pattern of a model (matched against MX host names).
    pub fn new_mx(model: &Model) -> Matcher<Target> {
        Matcher::of_model(model, |r| Box::new(r.mx.iter()))
    }

    fn of_model<'m>(
        model: &'m Model,
        patterns: impl Fn(&'m Record) -> Box<dyn Iterator<Item = &'m Pattern> + 'm>,
    ) -> Matcher<Target> {
        Matcher::from_patterns(model.records.iter().enumerate().flat_map(|(record, r)| {
            patterns(r).map(move |p| {
                (
                    p,
                    Target {
                        record,
                        pattern: p.clone(),
                    },
                )
            })
        }))
    }
}

impl<T> Matcher<T> {
    /// Indexes patterns, each with what a lookup that it answers returns; globs
    /// take precedence in the order given.
    pub fn from_patterns<'p>(patterns: impl IntoIterator<Item = (&'p Pattern, T)>) -> Matcher<T> {
        let mut exact = HashMap::new();
        let mut suffix = HashMap::new();
        let mut globs = Vec::new();
        let mut glob_texts = Vec::new();
        let mut suffix_labels = 0u128;
        for (pattern, target) in patterns {
            match pattern.kind() {
                PatternKind::Exact => {
                    exact.insert(pattern.text().clone(), target);
                }
                PatternKind::Suffix => {
                    let key = pattern.key();
                    suffix_labels |= label_bit(key.as_bytes());
                    suffix.insert(Arc::from(key), target);
                }
                PatternKind::Glob => {
                    globs.push(target);
                    glob_texts.push(pattern.text().clone());
                }
            }
        }
        let glob_index = GlobIndex::new(glob_texts.iter().map(|g| &**g));
        Matcher {
            exact,
            suffix,
            suffix_labels,
            globs,
            glob_index,
        }
    }

    /// The pattern that applies to a normalized domain, if any.
    pub fn lookup(&self, domain: &str) -> Option<Match<'_, T>> {
        if let Some(target) = self.exact.get(domain) {
            return Some(Match {
                kind: PatternKind::Exact,
                target,
            });
        }
        if let Some(target) = self.suffix_match(domain) {
            return Some(Match {
                kind: PatternKind::Suffix,
                target,
            });
        }
        let i = self.glob_index.first_match(domain)?;
        Some(Match {
            kind: PatternKind::Glob,
            target: &self.globs[i],
        })
    }

    /// The longest suffix rule that covers `domain` (never `domain` itself).
    pub fn suffix_match(&self, domain: &str) -> Option<&T> {
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
            if let Some(target) = self.suffix.get(rest) {
                return Some(target);
            }
        }
        None
    }

    /// The suffix rule for exactly `key` (`*.key`), if one exists.
    pub fn suffix_rule(&self, key: &str) -> Option<&T> {
        self.suffix.get(key)
    }

    /// Whether there are any suffix rules or globs (lints over exact names can be
    /// skipped without them).
    pub fn has_wildcards(&self) -> bool {
        !self.suffix.is_empty() || !self.globs.is_empty()
    }
}
