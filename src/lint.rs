//! Lints over the merged configuration: overlaps between patterns, public-suffix
//! coverage and header rule lists. Each check lives in its rule's module; this
//! module runs them and holds the overlap analysis they share.

use crate::diagnostics::Diagnostic;
use crate::domain::{PatternKind, glob_labels, is_wild};
use crate::matcher::Matcher;
use crate::model::{Config, PatternRef};
use crate::rules::{
    broad_pattern, duplicate_header_rule, protected_header, redundant_domain, unreachable_pattern,
};

/// Beyond this many globs, glob-against-glob overlap is not analysed (it is
/// quadratic); real configurations have a few dozen.
const MAX_GLOBS_COMPARED: usize = 2000;

/// What the checks share: the configuration and an index of its suffix rules and
/// globs (exact names need no index: each only ever answers for itself).
pub(crate) struct Context<'a> {
    pub config: &'a Config,
    pub matcher: Matcher,
}

/// Runs every lint over a merged configuration.
pub(crate) fn run(config: &Config) -> Vec<Diagnostic> {
    let cx = Context {
        config,
        matcher: Matcher::without_exact(config),
    };
    let mut out = Vec::new();
    redundant_domain::check(&cx, &mut out);
    unreachable_pattern::check(&cx, &mut out);
    broad_pattern::check(&cx, &mut out);
    protected_header::check(&cx, &mut out);
    duplicate_header_rule::check(&cx, &mut out);
    out
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
    let text = cx.config.pattern(glob).pattern.as_str();
    let labels: Vec<&str> = glob_labels(text).collect();
    // The literal tail (trailing labels without wildcards) and what precedes it.
    let literal = labels.iter().rev().take_while(|l| !is_wild(l)).count();
    let (prefix, tail) = labels.split_at(labels.len() - literal);
    // A suffix rule `*.S` covers every match when S is a proper suffix of the tail,
    // or the tail itself if the prefix always matches at least one label.
    let prefix_needs_a_label = prefix.iter().any(|l| *l != "**");
    let longest_first = (0..tail.len()).filter(|&skip| skip > 0 || prefix_needs_a_label);
    for skip in longest_first {
        if let Some(rule) = cx.matcher.suffix_rule(&tail[skip..].join(".")) {
            return Some(rule);
        }
    }
    let globs: Vec<PatternRef> = cx
        .config
        .patterns()
        .filter(|(_, e)| e.pattern.kind() == PatternKind::Glob)
        .map(|(p, _)| p)
        .take(MAX_GLOBS_COMPARED)
        .collect();
    globs
        .iter()
        .take_while(|&&p| p != glob)
        .copied()
        .find(|&earlier| {
            let earlier_labels: Vec<&str> =
                glob_labels(cx.config.pattern(earlier).pattern.as_str()).collect();
            covers(&earlier_labels, &labels)
        })
}

/// Whether glob `a` matches every name glob `b` matches (conservative: `false`
/// when unsure). `*` covers any single label other than `**`; `**` covers any run
/// of labels (at least one at the end of a glob, as globset defines it).
fn covers(a: &[&str], b: &[&str]) -> bool {
    match (a.split_first(), b.split_first()) {
        (None, None) => true,
        (Some((&"**", [])), _) => !b.is_empty(),
        (Some((&"**", rest)), _) => covers(rest, b) || (!b.is_empty() && covers(a, &b[1..])),
        (Some((x, a_rest)), Some((y, b_rest))) => {
            let label = x == y || (*x == "*" && *y != "**");
            label && covers(a_rest, b_rest)
        }
        _ => false,
    }
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
}
