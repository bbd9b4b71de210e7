//! The registry of diagnostic codes: each code once, with its severity, its
//! one-line summary and its explanation (`rules/explain/CODE.md`, printed by
//! `isptab explain CODE`). The checks and the wording of each code's diagnostics
//! live in `rules/CODE.rs`.
//!
//! Codes are stable: a code is never renamed or reused.

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Reported, but the input is still accepted (unless `--deny warnings`).
    Warning,
    /// The input is rejected: `check` exits with 1 and `build` writes nothing.
    Error,
}

impl Severity {
    /// `error` or `warning`, as printed.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

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

macro_rules! codes {
    ($($variant:ident => $name:literal, $severity:ident, $summary:literal;)*) => {
        /// A diagnostic code.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum Code {
            $(#[doc = concat!("`", $name, "`: ", $summary)] $variant,)*
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
                    $(Code::$variant => &Rule {
                        code: Code::$variant,
                        severity: Severity::$severity,
                        summary: $summary,
                        explanation: include_str!(concat!("rules/explain/", $name, ".md")),
                    },)*
                }
            }
        }
    };
}

codes! {
    // Reading files and parsing KDL.
    Syntax => "syntax", Error, "the file is not valid KDL 2.0 text";
    EmptyFile => "empty-file", Error, "a configuration file or domains file holds nothing";
    LimitExceeded => "limit-exceeded", Error, "an input is larger than isptab accepts";
    UnreadableFile => "unreadable-file", Error, "an included file or domains file cannot be read";
    OutsideRoot => "outside-root", Error, "a file outside the project root";
    IncludeCycle => "include-cycle", Error, "files include each other in a loop";
    // The shape of the language.
    UnknownNode => "unknown-node", Error, "a node name the language does not have";
    UnknownProperty => "unknown-property", Error, "a property the node does not take";
    InvalidValue => "invalid-value", Error, "a node has the wrong arguments, value types or block";
    DuplicateSetting => "duplicate-setting", Error, "a setting given twice in one place";
    // Records and the merge.
    DuplicateIsp => "duplicate-isp", Error, "two records with the same name";
    RedefinedDefault => "redefined-default", Error, "`isp` uses the name of a default record";
    UnknownIsp => "unknown-isp", Error, "a record name that does not exist";
    DeletedDefault => "deleted-default", Error, "`delete` names a default record";
    InvalidName => "invalid-name", Error, "a record name with invisible characters or padding";
    EmptyIsp => "empty-isp", Warning, "a record that matches no domain";
    EmptyOverride => "empty-override", Warning, "an `override` with an empty block, which changes nothing";
    // Domains and patterns.
    InvalidDomain => "invalid-domain", Error, "a pattern that is not a valid domain name";
    InvalidGlob => "invalid-glob", Error, "a malformed domain glob";
    DuplicateDomain => "duplicate-domain", Error, "two records claim the same domain or pattern";
    MoveNotOwned => "move-not-owned", Error, "a move or removal of a domain the record does not own";
    OrphanedPattern => "orphaned-pattern", Warning, "a delete that leaves patterns moved in from another record with no record";
    RedundantDomain => "redundant-domain", Warning, "a pattern its own record already lists or covers";
    UnreachablePattern => "unreachable-pattern", Warning, "a pattern that can never win a lookup";
    BroadPattern => "broad-pattern", Warning, "a pattern that covers a whole public suffix";
    // MX host patterns.
    InvalidMx => "invalid-mx", Error, "an MX pattern that is not a valid host name or glob";
    DuplicateMx => "duplicate-mx", Error, "two records claim the same MX pattern";
    BareMxDomain => "bare-mx-domain", Warning, "an exact MX pattern that names a domain where `*.` was meant";
    RedundantMx => "redundant-mx", Warning, "an MX pattern its own record already lists or covers";
    UnreachableMx => "unreachable-mx", Warning, "an MX pattern that can never win a match";
    BroadMx => "broad-mx", Warning, "an MX pattern that covers a whole public suffix";
    // What DNS says (`check --resolve` only).
    UndeliverableDomain => "undeliverable-domain", Warning, "a listed domain that accepts no mail (NXDOMAIN or null MX)";
    MxOfOtherRecord => "mx-of-other-record", Warning, "a domain listed in one record whose MX hosts all belong to another";
    // Encodings and header rules.
    InvalidEncoding => "invalid-encoding", Error, "an unknown transfer encoding";
    OverriddenEncoding => "overridden-encoding", Warning, "an `override` changes an encoding another file set";
    InvalidHeaderName => "invalid-header-name", Error, "a header name RFC 5322 does not allow";
    HeaderInjection => "header-injection", Error, "a control character in a header value";
    LongHeader => "long-header", Error, "a header line over 998 octets";
    NonAsciiHeader => "non-ascii-header", Warning, "a header value with non-ASCII characters";
    ProtectedHeader => "protected-header", Error, "a header rule that breaks a required or single-instance header";
    DuplicateHeaderRule => "duplicate-header-rule", Warning, "the same header rule twice in one record";
    ConstantMimeHeader => "constant-mime-header", Error, "a header rule that sets `Content-Type`, `Content-Transfer-Encoding` or `MIME-Version`";
    ConstantUniqueHeader => "constant-unique-header", Warning, "a header rule that gives every message the same `Message-ID` or `Date`";
    TraceHeader => "trace-header", Warning, "a header rule that adds a trace or signature header (`Received`, `DKIM-Signature`, ...)";
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
