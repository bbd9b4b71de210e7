//! `invalid-mx`: an MX pattern that is not a valid host name, `*.suffix` or glob.
//! MX patterns are normalized and validated as domains are; the help speaks of
//! the mistakes made when copying MX rules from other MTAs (a leading dot for a
//! suffix, a stray dot, the null MX `.`).

use crate::compiler::codes::Code;
use crate::compiler::diagnostics::Diagnostic;
use crate::compiler::source::Span;
use crate::semantics::name::DomainErrorKind;
use crate::semantics::pattern::PatternError;

/// `written` is the pattern as written, `span` the offending part of it.
pub(crate) fn new(written: &str, span: Span, error: &PatternError) -> Diagnostic {
    let trimmed = written.trim();
    let suffix_help = |rest: &str| {
        format!(
            "to match every host under `{rest}`, write `*.{rest}` (a leading dot matches nothing)"
        )
    };
    match error {
        PatternError::Domain(e) => {
            let help = match &e.kind {
                _ if trimmed == "." => {
                    "`.` is the null MX a domain publishes to refuse mail (RFC 7505), not a host to match; list the hosts of the provider".to_string()
                }
                DomainErrorKind::EmptyLabel
                    if trimmed.starts_with('.')
                        && !trimmed[1..].starts_with('.')
                        && !trimmed[1..].trim_end_matches('.').is_empty()
                        && !trimmed[1..].contains("..") =>
                {
                    suffix_help(trimmed[1..].trim_end_matches('.'))
                }
                DomainErrorKind::EmptyLabel => {
                    "a host name has no empty labels; one trailing dot is allowed and dropped".to_string()
                }
                DomainErrorKind::OneLabel => {
                    "write the whole host name, such as `mx1.mail.example.com`, or `*.example.com` for every host under a domain".to_string()
                }
                DomainErrorKind::NumericTld => {
                    "MX records name hosts, never IP addresses; match the host names".to_string()
                }
                _ => "MX host names follow the rules of domain names: labels of 1-63 letters, digits or inner hyphens, at most 253 bytes, at least two labels".to_string(),
            };
            Diagnostic::new(
                Code::InvalidMx,
                format!("invalid MX pattern: {}", e.kind),
                span,
                "here",
            )
            .with_help(help)
        }
        PatternError::Glob(e) => Diagnostic::new(
            Code::InvalidMx,
            format!("invalid MX glob: {}", e.message),
            span,
            "here",
        )
        .with_help("MX globs match host labels as domain globs do: `*` and `?` stay within a label, `**` spans labels"),
    }
}
