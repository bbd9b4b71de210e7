//! `broad-pattern`: a pattern that covers a whole public suffix (`*.com`, `co.uk`).

use crate::compiler::analysis::Context;
use crate::compiler::codes::Code;
use crate::compiler::config::PatternSet;
use crate::compiler::diagnostics::{Collected, Diagnostic};
use crate::semantics::glob::compile_glob;
use crate::semantics::glob::{glob_labels, is_wild};
use crate::semantics::pattern::PatternKind;

/// Public suffixes tried against globs whose last label is a wildcard.
const COMMON_SUFFIXES: &[&str] = &[
    "com", "net", "org", "de", "uk", "co.uk", "com.br", "co.jp", "ru", "fr", "io",
];

/// Whether `name` is a public suffix (Public Suffix List), counting any single label
/// as a top-level domain.
pub(crate) fn is_public_suffix(name: &str) -> bool {
    if !name.contains('.') {
        return true;
    }
    psl::suffix(name.as_bytes()).is_some_and(|s| s.is_known() && s.as_bytes() == name.as_bytes())
}

/// What a too-broad pattern covers.
enum Coverage {
    /// Every domain under this public suffix.
    Suffix(String),
    /// Every domain under every public suffix tried.
    Everything,
}

/// At most this many globs are compiled to test them against public suffixes
/// (each takes up to a few hundred microseconds); globs past it are not reported.
const MAX_GLOBS_COMPILED: usize = 10_000;

/// The public suffix a pattern covers entirely, if any.
fn coverage(
    kind: PatternKind,
    text: &str,
    key: &str,
    compiles_left: &mut usize,
) -> Option<Coverage> {
    match kind {
        PatternKind::Exact | PatternKind::Suffix => {
            is_public_suffix(key).then(|| Coverage::Suffix(key.to_string()))
        }
        PatternKind::Glob => {
            let labels: Vec<&str> = glob_labels(text).collect();
            let literal = labels.iter().rev().take_while(|l| !is_wild(l)).count();
            let tail = &labels[labels.len() - literal..];
            let candidates: Vec<String> = if tail.is_empty() {
                COMMON_SUFFIXES.iter().map(|s| s.to_string()).collect()
            } else {
                // Only the whole literal tail follows a wild label; a shorter one
                // follows a literal label, which matches one name, not every one.
                // So most globs are settled without compiling them.
                Some(tail.join("."))
                    .filter(|s| is_public_suffix(s))
                    .into_iter()
                    .collect()
            };
            if candidates.is_empty() || *compiles_left == 0 {
                return None;
            }
            *compiles_left -= 1;
            let glob = compile_glob(text).ok()?.compile_matcher();
            let covers = |suffix: &String| {
                ["zzqx7", "q-0a"]
                    .iter()
                    .all(|probe| glob.is_match(format!("{probe}/{}", suffix.replace('.', "/"))))
            };
            let covered: Vec<String> = candidates.into_iter().filter(covers).collect();
            match covered.first() {
                Some(_) if tail.is_empty() && covered.len() == COMMON_SUFFIXES.len() => {
                    Some(Coverage::Everything)
                }
                Some(first) => Some(Coverage::Suffix(first.clone())),
                None => None,
            }
        }
    }
}

/// Reports the patterns of the context's set that cover a public suffix
/// (`broad-pattern` for domains, `broad-mx` for MX patterns).
pub(crate) fn check(cx: &Context<'_>, out: &mut Collected) {
    let mut compiles_left = MAX_GLOBS_COMPILED;
    let (code, what, help) = match cx.set {
        PatternSet::Domains => (
            Code::BroadPattern,
            "domain",
            "list the provider's own domains, such as `example.co.uk` or `*.example.co.uk`; if this is intended, allow it with `--allow broad-pattern`",
        ),
        PatternSet::Mx => (
            Code::BroadMx,
            "host",
            "match the provider's own mail hosts, such as `*.mail.example.com`: any domain whose MX hosts all sit under this pattern would get the record; if this is intended, allow it with `--allow broad-mx`",
        ),
    };
    for (_, entry) in cx.config.patterns_in(cx.set) {
        let pattern = &entry.pattern;
        let Some(coverage) = coverage(
            pattern.kind(),
            pattern.as_str(),
            pattern.key(),
            &mut compiles_left,
        ) else {
            continue;
        };
        let message = match coverage {
            _ if pattern.kind() == PatternKind::Exact => {
                format!("`{pattern}` is a public suffix, not one provider's mail {what}")
            }
            Coverage::Everything => format!("`{pattern}` matches every {what}"),
            Coverage::Suffix(suffix) => {
                format!("`{pattern}` covers every {what} under the public suffix `{suffix}`")
            }
        };
        out.push(Diagnostic::new(code, message, entry.span, "too broad").with_help(help));
    }
}
