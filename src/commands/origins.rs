//! Where a configuration wrote each record, pattern, encoding and header rule,
//! as `FILE:LINE`: what `diff` shows beside a change and `lookup --explain`
//! beside an answer.

use std::collections::HashMap;
use std::sync::Arc;

use isptab::Checked;
use isptab::compiler::source::Span;
use isptab::semantics::encoding::Part;
use isptab::semantics::model::PatternSet;
use isptab::semantics::pattern::Pattern;

/// Where a configuration wrote each record, pattern, encoding and header rule.
pub struct Origins {
    checked: Checked,
    records: HashMap<String, usize>,
    patterns: HashMap<(PatternSet, Arc<str>), Span>,
}

impl Origins {
    /// Indexes a checked configuration (its spans and sources are kept).
    pub fn new(checked: Checked) -> Origins {
        let mut records = HashMap::new();
        let mut patterns = HashMap::new();
        if let Some(config) = &checked.config {
            for (i, record) in config.records.iter().enumerate() {
                records.insert(record.name.to_lowercase(), i);
                for set in PatternSet::ALL {
                    for entry in record.patterns_in(set) {
                        patterns.insert((set, entry.pattern.text().clone()), entry.span);
                    }
                }
            }
        }
        Origins {
            checked,
            records,
            patterns,
        }
    }

    /// `FILE:LINE` of a span.
    fn at(&self, span: Span) -> String {
        let file = self.checked.sources.get(span.file);
        format!(
            "{}:{}",
            file.name(),
            file.location(span.start as usize).line
        )
    }

    fn record(&self, name: &str) -> Option<&isptab::compiler::config::Record> {
        let config = self.checked.config.as_ref()?;
        config.records.get(*self.records.get(&name.to_lowercase())?)
    }

    /// Where the record was defined.
    pub fn of_record(&self, name: &str) -> Option<String> {
        self.record(name).map(|r| self.at(r.name_span))
    }

    /// Where a pattern was written.
    pub fn of_pattern(&self, set: PatternSet, pattern: &Pattern) -> Option<String> {
        self.of_pattern_text(set, pattern.text())
    }

    /// Where the pattern of this text (`*.example.com`, as stored) was written.
    pub fn of_pattern_text(&self, set: PatternSet, text: &str) -> Option<String> {
        self.patterns
            .get(&(set, Arc::from(text)))
            .map(|&span| self.at(span))
    }

    /// Where a part's encoding was set (`None`: not set, it follows the defaults).
    pub fn of_encoding(&self, name: &str, part: Part) -> Option<String> {
        let setting = self.record(name)?.encoding.get(part)?;
        Some(self.at(setting.span))
    }

    /// Where the header rule at `index` of the record's rules is.
    pub fn of_header(&self, name: &str, index: usize) -> Option<String> {
        let rule = self.record(name)?.headers.get(index)?;
        Some(self.at(rule.span))
    }
}
