//! The diagnostic type, severity levels and the renderers for each output format.

mod github;
mod human;
mod json;
mod levels;
mod sarif;
mod short;

pub use github::{render_github, render_github_failure};
pub use human::{HumanRenderer, omitted_note, render_plain, summary_line};
pub use json::{render_json, render_json_failure};
pub use levels::{Level, LevelError, Levels};
pub use sarif::{
    DEFAULTS_URI, SRCROOT, SarifOptions, check_help_uri_base, render_sarif, render_sarif_failure,
};
pub use short::render_short;

use crate::compiler::codes::Code;
pub use crate::compiler::codes::Severity;
use crate::compiler::source::Span;

/// A message attached to a span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What about it ("first claimed here").
    pub message: String,
}

/// One problem found in the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The stable code, e.g. `duplicate-domain`.
    pub code: Code,
    /// The severity after `--allow/--warn/--deny` were applied.
    pub severity: Severity,
    /// One line saying what is wrong.
    pub message: String,
    /// The offending span.
    pub primary: Label,
    /// The other side of a conflict, possibly in another file.
    pub secondary: Vec<Label>,
    /// How to fix it.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A diagnostic with the code's default severity and a primary label.
    pub fn new(
        code: Code,
        message: impl Into<String>,
        span: Span,
        label: impl Into<String>,
    ) -> Self {
        Diagnostic {
            code,
            severity: code.rule().severity,
            message: message.into(),
            primary: Label {
                span,
                message: label.into(),
            },
            secondary: Vec::new(),
            help: None,
        }
    }

    /// Adds a secondary label.
    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.secondary.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    /// Sets the help text.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// Sorts diagnostics by file (load order), offset and code, the order every format
/// prints them in.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        let key = |d: &Diagnostic| {
            (
                d.primary.span.file,
                d.primary.span.start,
                d.primary.span.end,
            )
        };
        key(a)
            .cmp(&key(b))
            .then_with(|| a.code.name().cmp(b.code.name()))
            .then_with(|| a.message.cmp(&b.message))
    });
}

/// At most this many diagnostics of one code are kept; the rest are counted.
pub const MAX_PER_CODE: usize = 100;
/// At most this many diagnostics are shown in all; the rest are counted.
pub const MAX_SHOWN: usize = 500;

/// Diagnostics as they are found, at most [`MAX_PER_CODE`] of each code kept (in
/// the order they were found) and the rest only counted, so a file of a million
/// mistakes costs memory for a few hundred diagnostics.
#[derive(Debug, Default)]
pub(crate) struct Collected {
    kept: Vec<Diagnostic>,
    counts: std::collections::BTreeMap<Code, usize>,
    /// How many of each code were counted but not kept.
    pub(crate) omitted: std::collections::BTreeMap<Code, usize>,
}

impl Collected {
    pub(crate) fn push(&mut self, diagnostic: Diagnostic) {
        let count = self.counts.entry(diagnostic.code).or_default();
        *count += 1;
        if *count > MAX_PER_CODE {
            *self.omitted.entry(diagnostic.code).or_default() += 1;
        } else {
            self.kept.push(diagnostic);
        }
    }

    pub(crate) fn extend(&mut self, diagnostics: impl IntoIterator<Item = Diagnostic>) {
        for d in diagnostics {
            self.push(d);
        }
    }

    /// Whether an error other than `except` was found.
    pub(crate) fn has_errors_except(&self, except: Code) -> bool {
        self.kept
            .iter()
            .any(|d| d.severity == Severity::Error && d.code != except)
            || self
                .omitted
                .keys()
                .any(|c| *c != except && c.rule().severity == Severity::Error)
    }

    /// Moves everything from `other` in.
    pub(crate) fn append(&mut self, other: Collected) {
        self.extend(other.kept);
        for (code, n) in other.omitted {
            *self.counts.entry(code).or_default() += n;
            *self.omitted.entry(code).or_default() += n;
        }
    }

    /// Applies the level flags, sorts, and keeps at most [`MAX_SHOWN`]: the
    /// diagnostics shown, the counts of those not shown, and how many warnings
    /// the levels allowed (found, but not reported).
    pub(crate) fn finish(self, levels: &Levels) -> (Vec<Diagnostic>, Summary, usize) {
        let found = self.kept.len();
        let mut shown = levels.apply(self.kept);
        let mut allowed = found - shown.len();
        sort(&mut shown);
        let mut omitted = Summary::default();
        for (code, n) in self.omitted {
            match levels.severity(code) {
                Some(Severity::Error) => omitted.errors += n,
                Some(Severity::Warning) => omitted.warnings += n,
                None => allowed += n,
            }
        }
        if shown.len() > MAX_SHOWN {
            let rest = Summary::of(&shown[MAX_SHOWN..]);
            omitted.errors += rest.errors;
            omitted.warnings += rest.warnings;
            shown.truncate(MAX_SHOWN);
        }
        (shown, omitted, allowed)
    }
}

/// Counts of errors and warnings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Diagnostics at error level.
    pub errors: usize,
    /// Diagnostics at warning level.
    pub warnings: usize,
}

impl Summary {
    /// Whether there is nothing to count.
    pub fn is_empty(&self) -> bool {
        self.errors + self.warnings == 0
    }

    /// Counts the diagnostics by severity.
    pub fn of(diagnostics: &[Diagnostic]) -> Summary {
        let errors = diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        Summary {
            errors,
            warnings: diagnostics.len() - errors,
        }
    }
}

/// `1 error` / `2 warnings`.
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}
