//! `mx-of-other-record` (`check --resolve`): a domain listed in one record whose
//! every MX host matches the MX patterns of another: the mail goes to the other
//! record's servers, so its limits and shaping are the ones that hold there.

use crate::compiler::codes::Code;
use crate::compiler::config::PatternEntry;
use crate::compiler::diagnostics::Diagnostic;
use crate::compiler::source::Span;
use crate::semantics::escape::kdl_string as kdl;

pub(crate) fn new(
    domain: &str,
    record: &str,
    span: Span,
    receiver: &str,
    pattern: &PatternEntry,
    first_host: &str,
    hosts: usize,
) -> Diagnostic {
    let hosts = if hosts == 1 {
        format!("its MX host `{first_host}`")
    } else {
        format!("all {hosts} of its MX hosts (first `{first_host}`)")
    };
    Diagnostic::new(
        Code::MxOfOtherRecord,
        format!("`{domain}` is listed in `{record}`, but {hosts} belong to `{receiver}`"),
        span,
        format!("listed in `{record}`"),
    )
    .with_label(pattern.span, format!("`{receiver}` receives its mail: this MX pattern matches"))
    .with_help(format!(
        "if `{receiver}` receives this domain's mail, remove it from `{record}` (MX matching finds it), or move it: `domains {} from={}` in `override {}`", kdl(domain), kdl(record), kdl(receiver)
    ))
}
