//! `bare-mx-domain`: an exact MX pattern that is a registrable domain
//! (`google.com`): mail hosts are names below it (`aspmx.l.google.com`), so an
//! exact pattern for the domain itself matches almost no MX set. The user most
//! likely meant the suffix rule `*.google.com`.

use crate::compiler::analysis::Context;
use crate::compiler::codes::Code;
use crate::compiler::diagnostics::{Collected, Diagnostic};
use crate::compiler::rules::broad_pattern::is_public_suffix;
use crate::semantics::pattern::PatternKind;

/// Whether `name` is one label above a public suffix (`google.com`,
/// `example.co.uk`).
fn is_registrable(name: &str) -> bool {
    name.split_once('.')
        .is_some_and(|(_, parent)| is_public_suffix(parent) && !is_public_suffix(name))
}

pub(crate) fn check(cx: &Context<'_>, out: &mut Collected) {
    for (_, entry) in cx.config.patterns_in(cx.set) {
        let pattern = &entry.pattern;
        if pattern.kind() != PatternKind::Exact || !is_registrable(pattern.as_str()) {
            continue;
        }
        out.push(
            Diagnostic::new(
                Code::BareMxDomain,
                format!("`{pattern}` is a domain, not a mail host: it matches only an MX host named exactly `{pattern}`"),
                entry.span,
                "an exact host",
            )
            .with_help(format!(
                "to match the provider's mail hosts, such as `mx1.{pattern}`, write `*.{pattern}`; if the MX host really is `{pattern}`, allow this with `--allow bare-mx-domain`"
            )),
        );
    }
}
