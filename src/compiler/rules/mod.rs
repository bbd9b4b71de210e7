//! The registry of diagnostic codes: one module per code, each holding the code's
//! metadata, the wording of its diagnostic and, for lints over the merged
//! configuration, its check. The long explanation printed by `isptab explain CODE`
//! lives next to it in `explain/CODE.md`.
//!
//! Codes are stable: a code is never renamed or reused.

use crate::compiler::diagnostics::Severity;

/// The metadata of one diagnostic code.
#[derive(Debug)]
pub struct Rule {
    /// The code.
    pub code: Code,
    /// Its default severity. Warnings can be changed with `--allow/--warn/--deny`;
    /// errors cannot be lowered.
    pub severity: Severity,
    /// One line describing what the code reports.
    pub summary: &'static str,
    /// What the code means, why it matters, a failing example and its fix (Markdown).
    pub explanation: &'static str,
}

macro_rules! rules {
    ($($variant:ident => $module:ident, $name:literal;)*) => {
        $(pub(crate) mod $module;)*

        /// A diagnostic code.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum Code {
            $(#[doc = concat!("`", $name, "`")] $variant,)*
        }

        impl Code {
            /// Every code, in registry order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The kebab-case name, e.g. `duplicate-domain`.
            pub fn name(self) -> &'static str {
                match self {
                    $(Code::$variant => $name,)*
                }
            }

            /// The name of its variant, e.g. `DuplicateDomain` (for links to
            /// these docs).
            pub fn variant_name(self) -> &'static str {
                match self {
                    $(Code::$variant => stringify!($variant),)*
                }
            }

            /// The code's metadata.
            pub fn rule(self) -> &'static Rule {
                match self {
                    $(Code::$variant => &$module::RULE,)*
                }
            }
        }
    };
}

rules! {
    // Reading files and parsing KDL.
    Syntax => syntax, "syntax";
    EmptyFile => empty_file, "empty-file";
    LimitExceeded => limit_exceeded, "limit-exceeded";
    UnreadableFile => unreadable_file, "unreadable-file";
    OutsideRoot => outside_root, "outside-root";
    IncludeCycle => include_cycle, "include-cycle";
    // The shape of the language.
    UnknownNode => unknown_node, "unknown-node";
    UnknownProperty => unknown_property, "unknown-property";
    InvalidValue => invalid_value, "invalid-value";
    DuplicateSetting => duplicate_setting, "duplicate-setting";
    // Records and the merge.
    DuplicateIsp => duplicate_isp, "duplicate-isp";
    RedefinedDefault => redefined_default, "redefined-default";
    UnknownIsp => unknown_isp, "unknown-isp";
    DeletedDefault => deleted_default, "deleted-default";
    InvalidName => invalid_name, "invalid-name";
    EmptyIsp => empty_isp, "empty-isp";
    // Domains and patterns.
    InvalidDomain => invalid_domain, "invalid-domain";
    InvalidGlob => invalid_glob, "invalid-glob";
    DuplicateDomain => duplicate_domain, "duplicate-domain";
    MoveNotOwned => move_not_owned, "move-not-owned";
    RedundantDomain => redundant_domain, "redundant-domain";
    UnreachablePattern => unreachable_pattern, "unreachable-pattern";
    BroadPattern => broad_pattern, "broad-pattern";
    // Encodings and header rules.
    InvalidEncoding => invalid_encoding, "invalid-encoding";
    InvalidHeaderName => invalid_header_name, "invalid-header-name";
    HeaderInjection => header_injection, "header-injection";
    LongHeader => long_header, "long-header";
    NonAsciiHeader => non_ascii_header, "non-ascii-header";
    ProtectedHeader => protected_header, "protected-header";
    DuplicateHeaderRule => duplicate_header_rule, "duplicate-header-rule";
}

/// Runs every lint over a merged configuration.
pub(crate) fn lint(
    config: &crate::compiler::config::Config,
    out: &mut crate::compiler::diagnostics::Collected,
) {
    let cx = crate::compiler::analysis::Context::new(config);
    redundant_domain::check(&cx, out);
    unreachable_pattern::check(&cx, out);
    broad_pattern::check(&cx, out);
    protected_header::check(&cx, out);
    duplicate_header_rule::check(&cx, out);
}

impl Code {
    /// The code with this kebab-case name.
    pub fn from_name(name: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.name() == name)
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Declares a code's `RULE` with its explanation from `explain/<name>.md`.
macro_rules! rule {
    ($variant:ident, $name:literal, $severity:ident, $summary:literal) => {
        pub(crate) const RULE: $crate::compiler::rules::Rule = $crate::compiler::rules::Rule {
            code: $crate::compiler::rules::Code::$variant,
            severity: $crate::compiler::diagnostics::Severity::$severity,
            summary: $summary,
            explanation: include_str!(concat!("explain/", $name, ".md")),
        };
    };
}
pub(crate) use rule;
