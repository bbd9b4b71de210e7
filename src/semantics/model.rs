//! The model: the records and what they say, resolved and span-free. The compiler
//! lowers a clean configuration to it, a table holds it and raises it back
//! ([`crate::table::Table::to_model`]), and whatever compares or applies records
//! works on it.

use super::encoding::Effective;
use super::header::HeaderOp;
use super::pattern::{Pattern, PatternKind};

/// The most records a model (and a table) holds: record ids are 15 bits in the
/// table's index entries.
pub const MAX_RECORDS: usize = 0x7fff;

/// Which patterns of a record: those over recipient domains or those over MX
/// host names. Each set has its own owners: a record may own `gmail.com` as a
/// domain while another owns it as an MX host.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PatternSet {
    /// `domains` and `domains-file`: [`Record::exact`], [`Record::suffix`],
    /// [`Record::globs`].
    Domains,
    /// `mx`: [`Record::mx`].
    Mx,
}

impl PatternSet {
    /// Both sets.
    pub const ALL: [PatternSet; 2] = [PatternSet::Domains, PatternSet::Mx];

    /// `domains` or `mx`, as in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            PatternSet::Domains => "domains",
            PatternSet::Mx => "mx",
        }
    }
}

/// One record: a provider, the patterns it serves and how mail to it is shaped.
#[derive(Clone, Debug)]
pub struct Record {
    /// The name, as written (unique in a model, compared ignoring case).
    pub name: String,
    /// Whether the record came from the defaults layer.
    pub default: bool,
    /// Exact names, in no particular order (they never compete with each other).
    pub exact: Vec<Pattern>,
    /// Suffix rules (`*.example.com`), in no particular order (the longest
    /// matching suffix wins, whatever the order).
    pub suffix: Vec<Pattern>,
    /// Globs, in precedence order (a record's globs follow the globs of the
    /// records before it).
    pub globs: Vec<Pattern>,
    /// MX host patterns (step 4 of a lookup: a domain no pattern above names is
    /// this record's when every one of its MX hosts matches one of these): exact
    /// hosts and suffix rules in no particular order, globs in precedence order.
    pub mx: Vec<Pattern>,
    /// The encodings in effect.
    pub encodings: Effective,
    /// Header rules in order: the MTA applies every remove, then the adds in order.
    pub headers: Vec<HeaderOp>,
}

impl Record {
    /// A record with a name and nothing else.
    pub fn new(name: impl Into<String>) -> Record {
        Record {
            name: name.into(),
            default: false,
            exact: Vec::new(),
            suffix: Vec::new(),
            globs: Vec::new(),
            mx: Vec::new(),
            encodings: Effective::default(),
            headers: Vec::new(),
        }
    }

    /// Adds a pattern to the list of its kind.
    pub fn push(&mut self, pattern: Pattern) {
        match pattern.kind() {
            PatternKind::Exact => self.exact.push(pattern),
            PatternKind::Suffix => self.suffix.push(pattern),
            PatternKind::Glob => self.globs.push(pattern),
        }
    }

    /// Every pattern: exact names, suffix rules, then globs.
    pub fn patterns(&self) -> impl Iterator<Item = &Pattern> {
        self.exact.iter().chain(&self.suffix).chain(&self.globs)
    }

    /// How many patterns the record has.
    pub fn pattern_count(&self) -> usize {
        self.exact.len() + self.suffix.len() + self.globs.len()
    }

    /// The patterns of a set: every domain pattern ([`Record::patterns`]) or
    /// every MX pattern.
    pub fn patterns_in(&self, set: PatternSet) -> Box<dyn Iterator<Item = &Pattern> + '_> {
        match set {
            PatternSet::Domains => Box::new(self.patterns()),
            PatternSet::Mx => Box::new(self.mx.iter()),
        }
    }

    /// The MX patterns of a kind, in the order given.
    pub fn mx_of(&self, kind: PatternKind) -> impl Iterator<Item = &Pattern> {
        self.mx.iter().filter(move |p| p.kind() == kind)
    }
}

/// Two records are equal when they say the same: exact names and suffix rules
/// (of domains and of MX hosts) compared as sets (their order means nothing),
/// everything else in order.
impl PartialEq for Record {
    fn eq(&self, other: &Record) -> bool {
        fn sorted<'a>(v: impl IntoIterator<Item = &'a Pattern>) -> Vec<&'a str> {
            let mut v: Vec<&str> = v.into_iter().map(Pattern::as_str).collect();
            v.sort_unstable();
            v
        }
        fn mx(r: &Record) -> (Vec<&str>, Vec<&Pattern>) {
            let sets = r.mx.iter().filter(|p| p.kind() != PatternKind::Glob);
            (sorted(sets), r.mx_of(PatternKind::Glob).collect())
        }
        self.name == other.name
            && self.default == other.default
            && self.globs == other.globs
            && self.encodings == other.encodings
            && self.headers == other.headers
            && sorted(&self.exact) == sorted(&other.exact)
            && sorted(&self.suffix) == sorted(&other.suffix)
            && mx(self) == mx(other)
    }
}

impl Eq for Record {}

/// The records in definition order (defaults first): the order is glob
/// precedence and record ids.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Model {
    /// The records.
    pub records: Vec<Record>,
}

impl Model {
    /// How many patterns the records hold.
    pub fn pattern_count(&self) -> usize {
        self.records.iter().map(Record::pattern_count).sum()
    }

    /// How many MX patterns the records hold.
    pub fn mx_pattern_count(&self) -> usize {
        self.records.iter().map(|r| r.mx.len()).sum()
    }
}
