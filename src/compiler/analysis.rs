//! The overlap analysis the lints share: an index of the suffix rules and globs
//! of a configuration (exact names need none: each only ever answers for itself),
//! and for each glob the pattern that always answers before it, if any.

use foldhash::{HashMap, HashMapExt};

use crate::compiler::config::{Config, PatternRef, PatternSet};
use crate::semantics::glob::{glob_labels, is_wild};
use crate::semantics::matcher::Matcher;
use crate::semantics::pattern::PatternKind;

/// The most label comparisons the glob-against-glob analysis makes in one run. It
/// is quadratic in the number of globs that share a last label; real
/// configurations need a few thousand comparisons, and hostile ones stop here
/// (the remaining globs are not reported as shadowed by other globs).
const GLOB_COMPARISON_BUDGET: usize = 20_000_000;

/// What the checks share: the configuration, an index of its suffix rules and
/// globs, and what shadows each glob.
pub(crate) struct Context<'a> {
    pub config: &'a Config,
    /// The set of patterns the lints look at.
    pub set: PatternSet,
    pub matcher: Matcher<PatternRef>,
    shadowed: HashMap<PatternRef, PatternRef>,
}

impl<'a> Context<'a> {
    /// Indexes one set of patterns of a configuration for the lints.
    pub(crate) fn new(config: &'a Config, set: PatternSet) -> Context<'a> {
        // Without exact names: lints ask what would answer for a name if its own
        // exact entry were not there.
        let matcher = Matcher::from_patterns(
            config
                .patterns_in(set)
                .filter(|(_, e)| e.pattern.kind() != PatternKind::Exact)
                .map(|(p, e)| (&e.pattern, p)),
        );
        let shadowed = shadowed_globs(config, set, &matcher);
        Context {
            config,
            set,
            matcher,
            shadowed,
        }
    }
}

/// Whether to report `shadowed` as never winning against `winner`. Not when the
/// shadowed pattern is in the defaults and the winner is the operator's: the
/// operator cannot edit the defaults, and widening a record over its default names
/// is intended.
pub(crate) fn worth_reporting(cx: &Context<'_>, shadowed: PatternRef, winner: PatternRef) -> bool {
    !cx.config.pattern(shadowed).from_defaults || cx.config.pattern(winner).from_defaults
}

/// For a glob, the pattern that always answers before it can: a suffix rule that
/// covers every name the glob matches, or an earlier glob that matches a superset.
pub(crate) fn glob_shadowed_by(cx: &Context<'_>, glob: PatternRef) -> Option<PatternRef> {
    cx.shadowed.get(&glob).copied()
}

/// For every glob, what shadows it (see [`glob_shadowed_by`]). Earlier globs are
/// compared only when they could cover it: an earlier glob whose last label is
/// literal covers only globs with the same last label.
fn shadowed_globs(
    config: &Config,
    set: PatternSet,
    matcher: &Matcher<PatternRef>,
) -> HashMap<PatternRef, PatternRef> {
    let mut out = HashMap::new();
    // Earlier globs, by their literal last label; those ending in a wildcard apart.
    let mut by_last: HashMap<&str, Vec<(PatternRef, Vec<&str>)>> = HashMap::new();
    let mut wild_last: Vec<(PatternRef, Vec<&str>)> = Vec::new();
    let mut budget = GLOB_COMPARISON_BUDGET;
    for (glob, entry) in config.patterns_in(set) {
        if entry.pattern.kind() != PatternKind::Glob {
            continue;
        }
        let labels: Vec<&str> = glob_labels(entry.pattern.as_str()).collect();
        if let Some(rule) = suffix_rule_over(matcher, &labels) {
            out.insert(glob, *rule);
        } else {
            let last = labels.last().copied().unwrap_or("");
            let same_last = by_last.get(last).map_or(&[][..], Vec::as_slice);
            // In configuration order (both lists are): the first that covers it.
            let (mut i, mut j) = (0, 0);
            while let Some((earlier, earlier_labels)) = match (same_last.get(i), wild_last.get(j)) {
                (Some(x), Some(y)) if x.0 < y.0 => {
                    i += 1;
                    Some(x)
                }
                (_, Some(y)) => {
                    j += 1;
                    Some(y)
                }
                (Some(x), None) => {
                    i += 1;
                    Some(x)
                }
                (None, None) => None,
            } {
                let cost = (earlier_labels.len() + 1) * (labels.len() + 1);
                if budget < cost {
                    break;
                }
                budget -= cost;
                if covers(earlier_labels, &labels) {
                    out.insert(glob, *earlier);
                    break;
                }
            }
        }
        let last = labels.last().copied().unwrap_or("");
        if is_wild(last) {
            wild_last.push((glob, labels));
        } else {
            by_last.entry(last).or_default().push((glob, labels));
        }
    }
    out
}

/// A suffix rule `*.S` that covers every name the glob (given as labels) matches:
/// S a proper suffix of the glob's literal tail, or the tail itself if what comes
/// before it always matches at least one label.
fn suffix_rule_over<'m>(
    matcher: &'m Matcher<PatternRef>,
    labels: &[&str],
) -> Option<&'m PatternRef> {
    let literal = labels.iter().rev().take_while(|l| !is_wild(l)).count();
    let (prefix, tail) = labels.split_at(labels.len() - literal);
    let prefix_needs_a_label = prefix.iter().any(|l| *l != "**");
    (0..tail.len())
        .filter(|&skip| skip > 0 || prefix_needs_a_label)
        .find_map(|skip| matcher.suffix_rule(&tail[skip..].join(".")))
}

/// Whether glob `a` matches every name glob `b` matches (conservative: `false`
/// when unsure). `*` covers any single label other than `**`; `**` covers any run
/// of labels (at least one at the end of a glob, as globset defines it). Computed
/// over all pairs of positions once each: O(|a| x |b|), where trying the `**`
/// alternatives recursively would be exponential.
fn covers(a: &[&str], b: &[&str]) -> bool {
    let (n, m) = (a.len(), b.len());
    // at(i, j): a[i..] covers b[j..].
    let mut table = vec![false; (n + 1) * (m + 1)];
    let at = |t: &[bool], i: usize, j: usize| t[i * (m + 1) + j];
    for i in (0..=n).rev() {
        for j in (0..=m).rev() {
            let value = if i == n {
                j == m
            } else if a[i] == "**" {
                if i + 1 == n {
                    j < m
                } else {
                    at(&table, i + 1, j) || (j < m && at(&table, i, j + 1))
                }
            } else if j < m {
                let label = a[i] == b[j] || (a[i] == "*" && b[j] != "**");
                label && at(&table, i + 1, j + 1)
            } else {
                false
            };
            table[i * (m + 1) + j] = value;
        }
    }
    at(&table, 0, 0)
}

#[cfg(test)]
mod tests {
    use super::covers;

    fn c(a: &str, b: &str) -> bool {
        covers(
            &a.split('.').collect::<Vec<_>>(),
            &b.split('.').collect::<Vec<_>>(),
        )
    }

    #[test]
    fn glob_cover() {
        assert!(c("yahoo.*", "yahoo.c?"));
        assert!(c("yahoo.**", "yahoo.co.*"));
        assert!(c("**", "a.b"));
        assert!(c("**.example.com", "x?.example.com"));
        assert!(c("**.example.com", "example.com"));
        assert!(!c("yahoo.*", "yahoo.co.*"));
        assert!(!c("yahoo.c?", "yahoo.*"));
        assert!(!c("*.com", "**.com"));
    }

    /// The shape that took exponential time: `**` against `*` many times over.
    #[test]
    fn glob_cover_is_polynomial() {
        let a = format!("{}.a", vec!["**"; 40].join("."));
        let b = format!("{}.b", vec!["*"; 40].join("."));
        assert!(!c(&a, &b));
        assert!(c(&a, &format!("{}.a", vec!["*"; 40].join("."))));
    }
}
