//! Two models compared by meaning: which records were added, removed or renamed,
//! which patterns moved between records, and what changed inside the records
//! that stayed (patterns, encodings in effect, header rules). `isptab diff`
//! prints it; [`Impact`] counts what the change does to real recipients.
//!
//! Records are the same record when their names are equal ignoring case. A
//! record that disappeared and one that appeared are a *rename* when most of the
//! patterns of each belong to the other (pattern order means nothing, as in
//! [`Record`]'s equality). Every pattern has one owner on each side (the merge
//! guarantees it in each [`PatternSet`]); a pattern whose owner changed is a
//! *move*, even out of a removed record or into an added one.
//!
//! ```
//! use isptab::semantics::diff::compare;
//! use isptab::semantics::model::{Model, Record};
//! use isptab::semantics::pattern::Pattern;
//!
//! let record = |name: &str, patterns: &[&str]| {
//!     let mut r = Record::new(name);
//!     for p in patterns {
//!         r.push(Pattern::parse(p).unwrap());
//!     }
//!     r
//! };
//! let old = Model { records: vec![record("Gmail", &["gmail.com", "acme.example"])] };
//! let new = Model { records: vec![record("Gmail", &["gmail.com"]), record("Acme", &["acme.example"])] };
//!
//! let diff = compare(&old, &new);
//! assert!(diff.differ);
//! assert_eq!(diff.added, [1]);
//! assert_eq!(diff.moved.len(), 1);
//! assert_eq!((diff.moved[0].pattern.as_str(), diff.moved[0].from, diff.moved[0].to), ("acme.example", 0, 1));
//! ```

use std::collections::BTreeMap;

use foldhash::{HashMap, HashMapExt};

use super::encoding::{Encoding, Part};
use super::model::{Model, PatternSet, Record};
use super::pattern::{Pattern, PatternKind};

/// What changed from one model to another. Record numbers are positions in the
/// old model (`old`, `from`) or in the new one (`new`, `to`, `added`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diff<'a> {
    /// Records only in the new model (not renamed), in its order.
    pub added: Vec<usize>,
    /// Records only in the old model (not renamed), in its order.
    pub removed: Vec<usize>,
    /// Records whose name changed: old and new position, and how many patterns
    /// they share.
    pub renamed: Vec<Renamed>,
    /// Patterns whose owner changed, grouped by (from, to) in old-model order.
    pub moved: Vec<Moved<'a>>,
    /// Records on both sides (same name or renamed) that say something else.
    pub changed: Vec<Changed<'a>>,
    /// Records on both sides are in another relative order (globs are tried in
    /// record order, so answers may change).
    pub reordered: bool,
    /// Whether the models differ at all: any of the lists above is not empty,
    /// or the records are reordered.
    pub differ: bool,
    /// For each old record, its new position when it is on both sides.
    pub pairs: Vec<Option<usize>>,
    /// The owner of every pattern of each side.
    owners: [Owners<'a>; 2],
}

/// A renamed record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Renamed {
    /// In the old model.
    pub old: usize,
    /// In the new model.
    pub new: usize,
    /// Patterns (of both sets) the two have in common.
    pub shared: usize,
}

/// A pattern that belongs to another record now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Moved<'a> {
    /// The pattern.
    pub pattern: &'a Pattern,
    /// Domains or MX hosts.
    pub set: PatternSet,
    /// Its owner in the old model.
    pub from: usize,
    /// Its owner in the new model.
    pub to: usize,
}

/// A pattern added to or removed from a record, with nobody owning it on the
/// other side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SetPattern<'a> {
    /// The pattern.
    pub pattern: &'a Pattern,
    /// Domains or MX hosts.
    pub set: PatternSet,
}

/// The change of one part's encoding in effect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EncodingChange {
    /// The part.
    pub part: Part,
    /// Before.
    pub old: Encoding,
    /// After.
    pub new: Encoding,
}

/// A record on both sides that says something else.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Changed<'a> {
    /// In the old model.
    pub old: usize,
    /// In the new model.
    pub new: usize,
    /// Parts whose encoding in effect changed.
    pub encodings: Vec<EncodingChange>,
    /// Whether the header rules changed (their order matters: the adds are
    /// applied in order).
    pub headers: bool,
    /// Whether the record moved into or out of the defaults layer.
    pub default: bool,
    /// Patterns that nobody owned before, in new-model order.
    pub added: Vec<SetPattern<'a>>,
    /// Patterns that nobody owns now, in old-model order.
    pub removed: Vec<SetPattern<'a>>,
    /// Whether the globs the record keeps (of domains or MX hosts) are in
    /// another order: they are tried in order, so answers may change.
    pub globs_reordered: bool,
}

impl Changed<'_> {
    /// Whether what the record does to a message changed (encodings or header
    /// rules), as opposed to what it matches.
    pub fn shaping(&self) -> bool {
        !self.encodings.is_empty() || self.headers
    }
}

impl Diff<'_> {
    /// The new position of an old record that is on both sides.
    pub fn new_of(&self, old: usize) -> Option<usize> {
        self.pairs.get(old).copied().flatten()
    }

    /// Whether the models differ.
    pub fn is_empty(&self) -> bool {
        !self.differ
    }
}

/// The owner of every pattern of a model: (set, pattern text) to record.
type Owners<'a> = HashMap<(PatternSet, &'a str), usize>;

fn owners(model: &Model) -> Owners<'_> {
    let mut owners: Owners<'_> =
        HashMap::with_capacity(model.pattern_count() + model.mx_pattern_count());
    for (r, record) in model.records.iter().enumerate() {
        for set in PatternSet::ALL {
            for p in record.patterns_in(set) {
                owners.entry((set, p.as_str())).or_insert(r);
            }
        }
    }
    owners
}

/// Compares two models.
pub fn compare<'a>(old: &'a Model, new: &'a Model) -> Diff<'a> {
    // The two indexes are independent: one per core.
    let (old_owners, new_owners) = std::thread::scope(|scope| {
        let new_owners = scope.spawn(|| owners(new));
        let old_owners = owners(old);
        let new_owners = new_owners
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (old_owners, new_owners)
    });
    let mut pairs: Vec<Option<usize>> = vec![None; old.records.len()];
    let mut paired_new = vec![false; new.records.len()];
    let mut by_name: HashMap<String, usize> = HashMap::with_capacity(new.records.len());
    for (i, r) in new.records.iter().enumerate() {
        by_name.insert(r.name.to_lowercase(), i);
    }
    for (o, record) in old.records.iter().enumerate() {
        if let Some(&n) = by_name.get(&record.name.to_lowercase()) {
            pairs[o] = Some(n);
            paired_new[n] = true;
        }
    }
    let mut renamed = renames(old, new, &pairs, &paired_new, &new_owners);
    for r in &renamed {
        pairs[r.old] = Some(r.new);
        paired_new[r.new] = true;
    }
    // A name in another case is the same record (names are compared without
    // case), renamed all the same: the MTA shows the new spelling.
    for (o, n) in pairs.iter().enumerate() {
        if let Some(n) = *n
            && old.records[o].name != new.records[n].name
            && !renamed.iter().any(|r| r.old == o)
        {
            let shared = old.records[o].pattern_count() + old.records[o].mx.len();
            renamed.push(Renamed {
                old: o,
                new: n,
                shared,
            });
        }
    }
    renamed.sort_by_key(|r| r.new);

    let mut moved = Vec::new();
    let mut changed: Vec<Changed<'a>> = Vec::new();
    let mut changed_at: Vec<Option<usize>> = vec![None; old.records.len()];
    let mut entry = |changed: &mut Vec<Changed<'a>>, o: usize, n: usize| -> usize {
        *changed_at[o].get_or_insert_with(|| {
            changed.push(Changed {
                old: o,
                new: n,
                encodings: Vec::new(),
                headers: false,
                default: false,
                added: Vec::new(),
                removed: Vec::new(),
                globs_reordered: false,
            });
            changed.len() - 1
        })
    };
    for (o, record) in old.records.iter().enumerate() {
        if let Some(n) = pairs[o] {
            let (before, after) = (record, &new.records[n]);
            let encodings: Vec<EncodingChange> = Part::ALL
                .into_iter()
                .filter_map(|part| {
                    let (old, new) = (before.encodings.get(part), after.encodings.get(part));
                    (old != new).then_some(EncodingChange { part, old, new })
                })
                .collect();
            let headers = before.headers != after.headers;
            let default = before.default != after.default;
            let globs_reordered = globs_reordered(before, after);
            if !encodings.is_empty() || headers || default || globs_reordered {
                let at = entry(&mut changed, o, n);
                changed[at].encodings = encodings;
                changed[at].headers = headers;
                changed[at].default = default;
                changed[at].globs_reordered = globs_reordered;
            }
        }
        for set in PatternSet::ALL {
            for pattern in record.patterns_in(set) {
                match new_owners.get(&(set, pattern.as_str())) {
                    Some(&to) if pairs[o] == Some(to) => {}
                    Some(&to) => moved.push(Moved {
                        pattern,
                        set,
                        from: o,
                        to,
                    }),
                    None => {
                        if let Some(n) = pairs[o] {
                            let at = entry(&mut changed, o, n);
                            changed[at].removed.push(SetPattern { pattern, set });
                        }
                    }
                }
            }
        }
    }
    let old_of: Vec<Option<usize>> = {
        let mut v = vec![None; new.records.len()];
        for (o, n) in pairs.iter().enumerate() {
            if let Some(n) = n {
                v[*n] = Some(o);
            }
        }
        v
    };
    for (n, record) in new.records.iter().enumerate() {
        let Some(o) = old_of[n] else { continue };
        for set in PatternSet::ALL {
            for pattern in record.patterns_in(set) {
                if !old_owners.contains_key(&(set, pattern.as_str())) {
                    let at = entry(&mut changed, o, n);
                    changed[at].added.push(SetPattern { pattern, set });
                }
            }
        }
    }
    changed.sort_by_key(|c| c.new);
    // Grouped by (from, to, set), each group in old-model order.
    moved.sort_by_key(|m| (m.from, m.to, m.set));

    let paired: Vec<usize> = pairs.iter().flatten().copied().collect();
    let reordered = paired.windows(2).any(|w| w[0] > w[1]);
    let added: Vec<usize> = (0..new.records.len()).filter(|&n| !paired_new[n]).collect();
    let removed: Vec<usize> = (0..old.records.len())
        .filter(|&o| pairs[o].is_none())
        .collect();
    let differ = reordered
        || !added.is_empty()
        || !removed.is_empty()
        || !renamed.is_empty()
        || !moved.is_empty()
        || !changed.is_empty();
    Diff {
        added,
        removed,
        renamed,
        moved,
        changed,
        reordered,
        differ,
        pairs,
        owners: [old_owners, new_owners],
    }
}

/// Whether the globs both records have (of domains, then of MX hosts) are in
/// another order in the new one.
fn globs_reordered(before: &Record, after: &Record) -> bool {
    [false, true].into_iter().any(|mx| {
        let (a, b) = (globs_of(before, mx), globs_of(after, mx));
        a != b && kept(&a, &b) != kept(&b, &a)
    })
}

fn globs_of(record: &Record, mx: bool) -> Vec<&str> {
    if mx {
        record
            .mx_of(PatternKind::Glob)
            .map(Pattern::as_str)
            .collect()
    } else {
        record.globs.iter().map(Pattern::as_str).collect()
    }
}

/// The globs of `a` that `b` has too, in `a`'s order.
fn kept<'a>(a: &[&'a str], b: &[&str]) -> Vec<&'a str> {
    let others: std::collections::HashSet<&str> = b.iter().copied().collect();
    a.iter().copied().filter(|p| others.contains(p)).collect()
}

/// Renames among the records left unpaired by name: pairs sharing more than half
/// of the patterns of each, the largest overlaps first.
fn renames(
    old: &Model,
    new: &Model,
    pairs: &[Option<usize>],
    paired_new: &[bool],
    new_owners: &Owners<'_>,
) -> Vec<Renamed> {
    let count = |r: &Record| r.pattern_count() + r.mx.len();
    let mut candidates = Vec::new();
    for (o, record) in old.records.iter().enumerate() {
        if pairs[o].is_some() {
            continue;
        }
        let mut shared: BTreeMap<usize, usize> = BTreeMap::new();
        for set in PatternSet::ALL {
            for p in record.patterns_in(set) {
                if let Some(&n) = new_owners.get(&(set, p.as_str()))
                    && !paired_new[n]
                {
                    *shared.entry(n).or_default() += 1;
                }
            }
        }
        for (n, s) in shared {
            if 2 * s > count(record) && 2 * s > count(&new.records[n]) {
                candidates.push(Renamed {
                    old: o,
                    new: n,
                    shared: s,
                });
            }
        }
    }
    candidates.sort_by_key(|c| (std::cmp::Reverse(c.shared), c.old, c.new));
    let (mut old_taken, mut new_taken) = (vec![false; old.records.len()], paired_new.to_vec());
    let mut renamed: Vec<Renamed> = candidates
        .into_iter()
        .filter(|c| {
            let free = !old_taken[c.old] && !new_taken[c.new];
            if free {
                old_taken[c.old] = true;
                new_taken[c.new] = true;
            }
            free
        })
        .collect();
    renamed.sort_by_key(|r| r.new);
    renamed
}

/// A name of the sample, with what each side answers when that is known
/// without asking (an exact name is its owner's, whatever else matches it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SampleName<'a> {
    /// The name.
    pub name: std::borrow::Cow<'a, str>,
    /// The old side's record, when the name is one of its exact names.
    pub old: Option<usize>,
    /// The new side's record, when the name is one of its exact names.
    pub new: Option<usize>,
}

impl<'a> Diff<'a> {
    /// The names to ask both sides when no queries are given: every exact name,
    /// a name under each suffix rule, and a name each glob matches (when one
    /// can be made), of both models; a pattern on both sides gives one name.
    pub fn sample(&self, old: &'a Model, new: &'a Model) -> Sample<'a> {
        use std::borrow::Cow;
        let [old_owners, new_owners] = &self.owners;
        let mut out = Vec::with_capacity(old_owners.len() + new_owners.len() / 16);
        let mut globs_left_out = 0;
        for (side, model) in [old, new].into_iter().enumerate() {
            let other = if side == 0 { new_owners } else { old_owners };
            // A glob's name may try every glob before it: within the budget,
            // every `stride`-th glob of the side gets a name.
            let globs: usize = model.records.iter().map(|r| r.globs.len()).sum();
            let stride = globs
                .saturating_mul(globs)
                .div_ceil(GLOB_SAMPLE_BUDGET)
                .max(1);
            let mut glob_at = 0usize;
            for (r, record) in model.records.iter().enumerate() {
                for p in record.patterns() {
                    // A pattern on both sides was sampled with the old one.
                    let there = other.get(&(PatternSet::Domains, p.as_str())).copied();
                    if side == 1 && there.is_some() {
                        continue;
                    }
                    if p.kind() == PatternKind::Glob {
                        glob_at += 1;
                        if !(glob_at - 1).is_multiple_of(stride) {
                            globs_left_out += 1;
                            continue;
                        }
                    }
                    let name: Cow<'a, str> = match p.kind() {
                        PatternKind::Exact => Cow::Borrowed(p.as_str()),
                        PatternKind::Suffix => Cow::Owned(format!("{SAMPLE_LABEL}.{}", p.key())),
                        PatternKind::Glob => match super::glob::example_name(p.as_str()) {
                            Some(name) => Cow::Owned(name),
                            None => continue,
                        },
                    };
                    // An exact name is its owner's on each side that has it.
                    let (mine, theirs) = match p.kind() {
                        PatternKind::Exact => (Some(r), there),
                        _ => (None, None),
                    };
                    let (old, new) = if side == 0 {
                        (mine, theirs)
                    } else {
                        (theirs, mine)
                    };
                    out.push(SampleName { name, old, new });
                }
            }
        }
        Sample {
            names: out,
            globs_left_out,
        }
    }
}

/// The most glob tries a sample may cost on one side, about: a glob's name can
/// be tried against every glob before it (globs that share their literal key),
/// so a side of `G` globs gets names for about `GLOB_SAMPLE_BUDGET / G` of them,
/// spread evenly (all of them up to about 3,000 globs).
pub const GLOB_SAMPLE_BUDGET: usize = 10_000_000;

/// The names of a sample ([`Diff::sample`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sample<'a> {
    /// The names, each with what a side answers when known without asking.
    pub names: Vec<SampleName<'a>>,
    /// Globs (of both sides) that got no name, to keep the sample near-linear.
    pub globs_left_out: usize,
}

/// The label a sample puts under a suffix rule.
pub const SAMPLE_LABEL: &str = "isptab-sample";

/// What a change does to a list of recipients: every query answered by both
/// sides, counted by (old record, new record) where the answer changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Impact {
    /// For each old record, its new position when it stays under its name.
    stays: Vec<Option<usize>>,
    /// For each old record, whether its encodings or header rules changed.
    reshaped: Vec<bool>,
    /// Queries counted (lines).
    pub queries: u64,
    /// Their total weight (the counts of `COUNT<TAB>DOMAIN` lines; 1 otherwise;
    /// 2^64 lines of the largest count do not overflow it).
    pub weight: u128,
    /// Queries that are not a domain or an address (not counted above).
    pub invalid: u64,
    /// Queries whose record changed (another record, a renamed one, or none).
    pub changed: u64,
    /// Their weight.
    pub changed_weight: u128,
    /// Queries that keep their record while its encodings or header rules
    /// changed.
    pub shaping: u64,
    /// Their weight.
    pub shaping_weight: u128,
    /// The changed answers by (old record, new record); `None` is no record.
    pub pairs: BTreeMap<(Option<usize>, Option<usize>), ImpactPair>,
}

/// The queries of one (old record, new record) pair.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImpactPair {
    /// Queries.
    pub count: u64,
    /// Their weight.
    pub weight: u128,
    /// The first few queries, as given.
    pub examples: Vec<String>,
}

/// Examples kept per pair.
pub const IMPACT_EXAMPLES: usize = 3;

impl Impact {
    /// Nothing counted yet, for the changes of `diff`.
    pub fn new(diff: &Diff<'_>) -> Impact {
        let mut stays = diff.pairs.clone();
        for r in &diff.renamed {
            stays[r.old] = None;
        }
        let mut reshaped = vec![false; diff.pairs.len()];
        for c in diff.changed.iter().filter(|c| c.shaping()) {
            reshaped[c.old] = true;
        }
        Impact {
            stays,
            reshaped,
            ..Impact::default()
        }
    }

    /// Counts one query, answered `old` by the old model and `new` by the new one
    /// (record positions). The answer stays when both are the same record under
    /// the same name, or both are no record.
    pub fn add(&mut self, query: &str, weight: u64, old: Option<usize>, new: Option<usize>) {
        self.queries += 1;
        self.weight = self.weight.saturating_add(u128::from(weight));
        let same = match old {
            None => new.is_none(),
            Some(o) => new.is_some() && self.stays.get(o).copied().flatten() == new,
        };
        if same {
            if old.is_some_and(|o| self.reshaped.get(o).copied().unwrap_or(false)) {
                self.shaping += 1;
                self.shaping_weight = self.shaping_weight.saturating_add(u128::from(weight));
            }
            return;
        }
        self.changed += 1;
        self.changed_weight = self.changed_weight.saturating_add(u128::from(weight));
        let pair = self.pairs.entry((old, new)).or_default();
        pair.count += 1;
        pair.weight = pair.weight.saturating_add(u128::from(weight));
        if pair.examples.len() < IMPACT_EXAMPLES {
            pair.examples.push(query.to_string());
        }
    }

    /// Counts a query that is not a domain or an address.
    pub fn add_invalid(&mut self) {
        self.invalid += 1;
    }
}
