//! Typed access to a KDL node that reports everything it does not expect.
//!
//! Each reader method checks one aspect of the node's shape (its properties, its
//! arguments, its block) and pushes a diagnostic when the shape is wrong. The
//! reader remembers whether anything was reported, so the caller can drop the node
//! instead of acting on half of it (one mistake, one diagnostic).

use kdl::{KdlEntry, KdlNode, KdlValue};

use crate::compiler::diagnostics::Diagnostic;
use crate::compiler::rules::{duplicate_setting, invalid_value, unknown_property};
use crate::compiler::source::{FileId, Span, StrValue};

/// The span of just an entry's value: `#true` in `replace=#true`.
pub(crate) fn entry_value_span(file: FileId, entry: &KdlEntry) -> Span {
    let whole = entry.span();
    let end = whole.offset() + whole.len();
    match entry.format() {
        Some(f) if !f.value_repr.is_empty() && f.value_repr.len() <= whole.len() => {
            Span::new(file, end - f.value_repr.len()..end)
        }
        _ => Span::new(file, whole.offset()..end),
    }
}

/// The span of a node's name and entries, without its `{ }` block.
pub(crate) fn node_head_span(file: FileId, node: &KdlNode) -> Span {
    let start = node.name().span().offset();
    let end = node
        .entries()
        .iter()
        .map(|e| e.span().offset() + e.span().len())
        .chain([start + node.name().span().len()])
        .max()
        .unwrap_or(start);
    Span::new(file, start..end)
}

fn str_value<'a>(file: FileId, entry: &'a KdlEntry) -> Option<StrValue<'a>> {
    let value = entry.value().as_string()?;
    let span = entry_value_span(file, entry);
    let repr = entry.format().map(|f| f.value_repr.as_str()).unwrap_or("");
    Some(StrValue::new(value, span, repr))
}

fn type_name(value: &KdlValue) -> &'static str {
    match value {
        KdlValue::String(_) => "a string",
        KdlValue::Integer(_) => "a number",
        KdlValue::Float(_) => "a number",
        KdlValue::Bool(_) => "a boolean",
        KdlValue::Null => "#null",
    }
}

/// Reads one node; see the module docs.
pub(crate) struct NodeReader<'a> {
    pub node: &'a KdlNode,
    pub file: FileId,
    /// The file's text, to find punctuation the parser keeps no span for.
    text: &'a str,
    ok: bool,
}

impl<'a> NodeReader<'a> {
    pub fn new(node: &'a KdlNode, file: FileId, text: &'a str) -> Self {
        NodeReader {
            node,
            file,
            text,
            ok: true,
        }
    }

    /// The span of a type annotation, parentheses included.
    fn annotation_span(&self, ty: &kdl::KdlIdentifier) -> Span {
        let (start, end) = (ty.span().offset(), ty.span().offset() + ty.span().len());
        let open = self.text[..start]
            .rfind('(')
            .filter(|&i| self.text[i + 1..start].trim().is_empty());
        let close = self.text[end..]
            .find(')')
            .filter(|&i| self.text[end..end + i].trim().is_empty());
        match (open, close) {
            (Some(open), Some(close)) => Span::new(self.file, open..end + close + 1),
            _ => Span::new(self.file, start..end),
        }
    }

    /// Whether nothing was reported for this node.
    pub fn ok(&self) -> bool {
        self.ok
    }

    pub fn name(&self) -> &'a str {
        self.node.name().value()
    }

    pub fn name_span(&self) -> Span {
        let s = self.node.name().span();
        Span::new(self.file, s.offset()..s.offset() + s.len())
    }

    pub fn head_span(&self) -> Span {
        node_head_span(self.file, self.node)
    }

    fn report(&mut self, out: &mut Vec<Diagnostic>, diagnostic: Diagnostic) {
        self.ok = false;
        out.push(diagnostic);
    }

    /// Checks type annotations and properties: each property must be in `allowed`
    /// and given once.
    pub fn check_properties(&mut self, allowed: &[&str], out: &mut Vec<Diagnostic>) {
        if let Some(ty) = self.node.ty() {
            let span = self.annotation_span(ty);
            self.report(out, invalid_value::type_annotation(span));
        }
        let mut seen: Vec<(&str, Span)> = Vec::new();
        for entry in self.node.entries() {
            let span = Span::new(
                self.file,
                entry.span().offset()..entry.span().offset() + entry.span().len(),
            );
            if let Some(ty) = entry.ty() {
                let span = self.annotation_span(ty);
                self.report(out, invalid_value::type_annotation(span));
            }
            let Some(key) = entry.name() else { continue };
            let key_span = Span::new(
                self.file,
                key.span().offset()..key.span().offset() + key.span().len(),
            );
            let key = key.value();
            if !allowed.contains(&key) {
                let d = unknown_property::new(self.name(), key, key_span, allowed);
                self.report(out, d);
            } else if let Some(&(_, first)) = seen.iter().find(|(k, _)| *k == key) {
                let d = duplicate_setting::property(self.name(), key, span, first);
                self.report(out, d);
            } else {
                seen.push((key, span));
            }
        }
    }

    /// The positional arguments.
    pub fn arguments(&self) -> impl Iterator<Item = &'a KdlEntry> + 'a {
        self.node.entries().iter().filter(|e| e.name().is_none())
    }

    /// The property `key`, if given.
    pub fn property(&self, key: &str) -> Option<&'a KdlEntry> {
        self.node
            .entries()
            .iter()
            .rev()
            .find(|e| e.name().is_some_and(|n| n.value() == key))
    }

    /// A string value, or an `invalid-value` diagnostic naming `what` it should be.
    pub fn string(
        &mut self,
        entry: &'a KdlEntry,
        what: &str,
        out: &mut Vec<Diagnostic>,
    ) -> Option<StrValue<'a>> {
        match str_value(self.file, entry) {
            Some(v) => Some(v),
            None => {
                let span = entry_value_span(self.file, entry);
                let found = type_name(entry.value());
                self.report(out, invalid_value::wrong_type(span, what, found));
                None
            }
        }
    }

    /// Exactly one string argument, the node's subject (`isp "NAME"`,
    /// `include "PATH"`).
    pub fn single_string(&mut self, what: &str, out: &mut Vec<Diagnostic>) -> Option<StrValue<'a>> {
        let mut args = self.arguments();
        let Some(first) = args.next() else {
            let d = invalid_value::missing_argument(self.head_span(), self.name(), what);
            self.report(out, d);
            return None;
        };
        let extra: Vec<&KdlEntry> = args.collect();
        if let (Some(a), Some(b)) = (extra.first(), extra.last()) {
            let span = Span::new(
                self.file,
                a.span().offset()..b.span().offset() + b.span().len(),
            );
            let d = invalid_value::extra_arguments(span, self.name(), what);
            self.report(out, d);
            return None;
        }
        let value = self.string(first, what, out)?;
        if value.value.trim().is_empty() {
            self.report(out, invalid_value::empty_string(value.span, what));
            return None;
        }
        Some(value)
    }

    /// The record name a node is about (`isp "NAME"`), checked like every record
    /// name (`invalid-name`).
    pub fn record_name(&mut self, out: &mut Vec<Diagnostic>) -> Option<StrValue<'a>> {
        let name = self.single_string("a record name", out)?;
        self.checked_name(name, out)
    }

    /// The record name in property `key` (`from="NAME"`), if given.
    pub fn record_name_property(
        &mut self,
        key: &str,
        out: &mut Vec<Diagnostic>,
    ) -> Option<StrValue<'a>> {
        let name = self.string_property(key, "a record name", out)?;
        self.checked_name(name, out)
    }

    fn checked_name(
        &mut self,
        name: StrValue<'a>,
        out: &mut Vec<Diagnostic>,
    ) -> Option<StrValue<'a>> {
        match crate::compiler::rules::invalid_name::check(&name) {
            Some(d) => {
                self.report(out, d);
                None
            }
            None => Some(name),
        }
    }

    /// One or more string arguments.
    pub fn strings(&mut self, what: &str, out: &mut Vec<Diagnostic>) -> Vec<StrValue<'a>> {
        let entries: Vec<&KdlEntry> = self.arguments().collect();
        if entries.is_empty() {
            let d = invalid_value::missing_argument(self.head_span(), self.name(), what);
            self.report(out, d);
        }
        entries
            .into_iter()
            .filter_map(|e| self.string(e, what, out))
            .collect()
    }

    /// Reports any positional argument.
    pub fn no_arguments(&mut self, out: &mut Vec<Diagnostic>) {
        let entries: Vec<&KdlEntry> = self.arguments().collect();
        if let (Some(a), Some(b)) = (entries.first(), entries.last()) {
            let span = Span::new(
                self.file,
                a.span().offset()..b.span().offset() + b.span().len(),
            );
            let first = a.value().as_string();
            let d = invalid_value::unexpected_arguments(span, self.name(), first);
            self.report(out, d);
        }
    }

    /// Reports a `{ }` block on a node that takes none.
    pub fn no_children(&mut self, out: &mut Vec<Diagnostic>) {
        if self.node.children().is_some() {
            // From the `{` to the end of the node.
            let head_end = self.head_span().end as usize;
            let node_end = self.node.span().offset() + self.node.span().len();
            let open = self
                .text
                .get(head_end..node_end)
                .and_then(|t| t.find('{'))
                .map_or(head_end, |i| head_end + i);
            let span = Span::new(self.file, open..node_end);
            let d = invalid_value::unexpected_block(span, self.name());
            self.report(out, d);
        }
    }

    /// The string value of property `key`, if given.
    pub fn string_property(
        &mut self,
        key: &str,
        what: &str,
        out: &mut Vec<Diagnostic>,
    ) -> Option<StrValue<'a>> {
        let entry = self.property(key)?;
        self.string(entry, what, out)
    }

    /// The boolean value of property `key` (`#true`/`#false`), if given.
    pub fn bool_property(&mut self, key: &str, out: &mut Vec<Diagnostic>) -> Option<bool> {
        let entry = self.property(key)?;
        match entry.value() {
            KdlValue::Bool(b) => Some(*b),
            other => {
                let span = entry_value_span(self.file, entry);
                let d = invalid_value::not_bool(span, type_name(other));
                self.report(out, d);
                None
            }
        }
    }
}
