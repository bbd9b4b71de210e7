//! Phase two of loading: applying the layers in order to build the merged
//! configuration.
//!
//! Every pattern has exactly one owner at any time. A plain `domains` claims a
//! pattern nobody owns; `from=` moves one the named record owns; `delete` frees a
//! record's patterns. A node with an error is dropped whole, and a record whose
//! block had an error is not also reported as empty, so one mistake gives one
//! diagnostic.

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::rc::Rc;
use std::sync::Arc;

use kdl::{KdlDocument, KdlNode};

use super::config::{Config, Encodings, HeaderRule, Origin, PatternEntry, PatternSet, Record};
use super::domains_file::{self, Line};
use super::files::Files;
use super::language::{Place, names};
use super::nodes::{self, pattern_error};
use crate::compiler::SkippedOwned;
use crate::compiler::diagnostics::{Collected, Diagnostic, Level, LevelError, Levels, Severity};
use crate::compiler::rules::{
    deleted_default, duplicate_domain, duplicate_isp, duplicate_setting, empty_file, empty_isp,
    empty_override, invalid_value, limit_exceeded, move_not_owned, orphaned_pattern,
    overridden_encoding, redefined_default, redundant_domain, unknown_isp, unknown_node,
};
use crate::compiler::source::{FileId, Span};
use crate::compiler::syntax::{NodeReader, StrValue};
use crate::semantics::pattern::Pattern;

/// Who owns a pattern: a record and the position in its pattern list.
#[derive(Clone, Copy)]
struct Owner {
    record: usize,
    index: usize,
}

/// The patterns a record holds in one set. Moved-out patterns leave a hole, so
/// positions in the owners stay valid.
#[derive(Default)]
struct Held {
    entries: Vec<Option<PatternEntry>>,
    live: usize,
    /// The entries moved in by `from=`: (position, record moved from).
    moved_in: Vec<(usize, usize)>,
}

/// A record while the layers are applied.
struct RecordState {
    name: String,
    name_span: Span,
    origin: Origin,
    alive: bool,
    /// The domain patterns and the MX patterns ([`set_index`]).
    held: [Held; 2],
    encoding: Encodings,
    headers: Vec<HeaderRule>,
    /// An error was reported in one of its blocks.
    incomplete: bool,
    /// The move that took its last pattern.
    emptied_by: Option<Span>,
}

pub(super) struct Merger<'f> {
    files: &'f mut Files,
    docs: HashMap<FileId, Rc<KdlDocument>>,
    out: Collected,
    errors: usize,
    records: Vec<RecordState>,
    /// Live records by lowercase name.
    by_name: HashMap<String, usize>,
    /// Deleted names (lowercase) and where they were deleted.
    deleted: HashMap<String, Span>,
    /// The owner of every pattern, per set ([`set_index`]).
    owners: [HashMap<Arc<str>, Owner>; 2],
    expanded: HashSet<FileId>,
    /// The record and pattern limits, once reported, are not reported again. (The
    /// live counts are `by_name.len()` and the owners'.)
    records_limit_reported: bool,
    patterns_limit_reported: bool,
    /// How many unknown names were searched for a suggestion.
    suggestion_searches: usize,
    /// The levels of `lints` blocks, and where each code's level was given.
    levels: Levels,
    level_given: HashMap<String, (Level, Span)>,
    /// What `skip-owned=#true` left out, per domains file.
    skipped: Vec<SkippedOwned>,
    /// Patterns deleted records had moved in ([`Merger::note_orphans`]).
    orphans: Vec<Orphans>,
    /// Every line `skip-owned=#true` left out, checked again when the merge
    /// ends ([`Merger::report_freed_skips`]).
    skipped_lines: Vec<SkippedLines>,
    /// Where each pattern was taken out of a record by `remove-domains` or
    /// `remove-mx` (by record, set and pattern), so a second removal can say so.
    removed: HashMap<(usize, usize, Arc<str>), Span>,
    /// The `domains-file` node that first read each file into each record.
    lists_read: HashMap<(FileId, usize), Span>,
}

/// The lines one `domains-file ... skip-owned=#true` left out because other
/// records owned them then.
struct SkippedLines {
    record: usize,
    node_span: Span,
    file: String,
    lines: Vec<(Arc<str>, Span)>,
}

/// The patterns a deleted record had moved in from one record.
struct Orphans {
    record: usize,
    delete_span: Span,
    from: usize,
    set: PatternSet,
    patterns: Vec<(Arc<str>, Span)>,
}

/// What the merge hands out.
pub(super) struct Merged {
    pub config: Config,
    pub diagnostics: Collected,
    /// The levels of the `lints` blocks.
    pub levels: Levels,
    /// What `skip-owned=#true` left out.
    pub skipped: Vec<SkippedOwned>,
}

/// The lines of one domains file that other records own, per owner in the order
/// first met: a count, and the first few with the owner's span.
#[derive(Default)]
struct Taken {
    count: usize,
    groups: Vec<TakenFrom>,
    by_owner: HashMap<usize, usize>,
}

struct TakenFrom {
    owner: usize,
    count: usize,
    first: Vec<(Pattern, Span, Span)>,
}

impl Taken {
    /// How many lines of one owner are kept to show; more are reported as one.
    const KEPT: usize = 3;

    fn add(&mut self, owner: usize, pattern: Pattern, span: Span, owner_span: Span) {
        self.count += 1;
        let next = self.groups.len();
        let i = *self.by_owner.entry(owner).or_insert(next);
        if i == next {
            self.groups.push(TakenFrom {
                owner,
                count: 0,
                first: Vec::new(),
            });
        }
        let group = &mut self.groups[i];
        group.count += 1;
        if group.first.len() < Taken::KEPT {
            group.first.push((pattern, span, owner_span));
        }
    }
}

/// Unknown record names beyond this many get no "did you mean".
const MAX_SUGGESTION_SEARCHES: usize = 100;

/// Where a set's patterns and owners are kept.
fn set_index(set: PatternSet) -> usize {
    match set {
        PatternSet::Domains => 0,
        PatternSet::Mx => 1,
    }
}

impl RecordState {
    fn live_patterns(&self) -> usize {
        self.held.iter().map(|h| h.live).sum()
    }
}

impl<'f> Merger<'f> {
    pub(super) fn new(files: &'f mut Files) -> Self {
        let docs = std::mem::take(&mut files.docs)
            .into_iter()
            .map(|(id, doc)| (id, Rc::new(doc)))
            .collect();
        Merger {
            files,
            docs,
            out: Collected::default(),
            errors: 0,
            records: Vec::new(),
            by_name: HashMap::new(),
            deleted: HashMap::new(),
            owners: [HashMap::new(), HashMap::new()],
            expanded: HashSet::new(),
            records_limit_reported: false,
            patterns_limit_reported: false,
            suggestion_searches: 0,
            levels: Levels::new(),
            level_given: HashMap::new(),
            skipped: Vec::new(),
            orphans: Vec::new(),
            skipped_lines: Vec::new(),
            lists_read: HashMap::new(),
            removed: HashMap::new(),
        }
    }

    /// A file's text (shared, so nodes can be read while the merger changes).
    fn text(&self, file: FileId) -> std::sync::Arc<str> {
        self.files.sources.get(file).text().clone()
    }

    fn report(&mut self, diagnostic: Diagnostic) {
        if diagnostic.severity == Severity::Error {
            self.errors += 1;
        }
        self.out.push(diagnostic);
    }

    fn report_all(&mut self, diagnostics: Vec<Diagnostic>) {
        for d in diagnostics {
            self.report(d);
        }
    }

    /// Applies one layer: a file and, in place, the files it includes.
    pub(super) fn layer(&mut self, file: FileId, origin: Origin) {
        if !self.expanded.insert(file) {
            return;
        }
        let Some(doc) = self.docs.get(&file).cloned() else {
            return;
        };
        for node in doc.nodes() {
            match node.name().value() {
                "isp" => self.define(node, file, origin),
                "override" => self.override_record(node, file, origin),
                "delete" => self.delete(node, file),
                "include" => self.include(node, file, origin),
                "lints" => self.lints(node, file),
                other => {
                    let span = NodeReader::new(node, file, &self.text(file)).name_span();
                    self.report(unknown_node::new(
                        span,
                        other,
                        "at the top level",
                        &names(Place::TopLevel),
                    ));
                }
            }
        }
    }

    /// `lints { allow ...; warn ...; deny ... }`: levels for the whole run, which
    /// the command line's flags override.
    fn lints(&mut self, node: &KdlNode, file: FileId) {
        let mut out = Vec::new();
        let text = self.text(file);
        let read = nodes::lints(node, file, &text, &mut out);
        self.report_all(out);
        for (level, codes) in read.unwrap_or_default() {
            for code in codes {
                // As written: ` broad-pattern` is not a code (the help names it).
                let name = code.value;
                if let Some(&(first_level, first)) = self.level_given.get(name) {
                    if first_level != level {
                        self.report(invalid_value::level_conflict(
                            code.span,
                            name,
                            level.as_str(),
                            first,
                            first_level.as_str(),
                        ));
                    }
                    continue;
                }
                match self.levels.set(name, level) {
                    Ok(()) => {
                        self.level_given
                            .insert(name.to_string(), (level, code.span));
                    }
                    Err(LevelError::UnknownCode { given, suggestion }) => {
                        self.report(invalid_value::unknown_code(code.span, &given, suggestion));
                    }
                    Err(LevelError::CannotLower { code: c, .. }) => {
                        self.report(invalid_value::cannot_lower(code.span, c, level.as_str()));
                    }
                    // Every earlier level of this name is in `level_given`.
                    Err(LevelError::Conflict { .. }) => {}
                }
            }
        }
    }

    /// `isp "NAME" { ... }`
    fn define(&mut self, node: &KdlNode, file: FileId, origin: Origin) {
        let mut out = Vec::new();
        let text = self.text(file);
        let read = nodes::isp(node, file, &text, &mut out);
        self.report_all(out);
        let Some((name, marked_default)) = read else {
            return;
        };
        let key = name.value.to_lowercase();
        if let Some(&existing) = self.by_name.get(&key) {
            let existing = &self.records[existing];
            let d = if existing.origin == Origin::Default && origin == Origin::Custom {
                redefined_default::new(&existing.name, name.span, existing.name_span)
            } else {
                duplicate_isp::new(name.value, name.span, existing.name_span)
            };
            self.report(d);
            return;
        }
        if self.by_name.len() >= self.files.limits.records {
            if !self.records_limit_reported {
                self.records_limit_reported = true;
                self.report(limit_exceeded::too_many_records(
                    name.span,
                    self.files.limits.records,
                ));
            }
            return;
        }
        let id = self.records.len();
        self.records.push(RecordState {
            name: name.value.to_string(),
            name_span: name.span,
            origin: if marked_default {
                Origin::Default
            } else {
                origin
            },
            alive: true,
            held: Default::default(),
            encoding: Encodings::default(),
            headers: Vec::new(),
            incomplete: false,
            emptied_by: None,
        });
        self.by_name.insert(key.clone(), id);
        self.deleted.remove(&key);
        if let Some(block) = node.children() {
            self.block(id, block, file, origin);
        }
    }

    /// Finds a live record by name for `override`, `delete` or `from=`, reporting
    /// `unknown-isp` when there is none.
    fn find(&mut self, name: &StrValue<'_>) -> Option<usize> {
        let key = name.value.to_lowercase();
        if let Some(&id) = self.by_name.get(&key) {
            return Some(id);
        }
        // Suggestions for the first few unknown names only: each search walks
        // every record, and only so many diagnostics of a code are shown.
        let suggestion = if self.suggestion_searches < MAX_SUGGESTION_SEARCHES {
            self.suggestion_searches += 1;
            let names = self
                .records
                .iter()
                .filter(|r| r.alive)
                .map(|r| r.name.as_str());
            crate::compiler::suggest::closest(name.value, names).map(str::to_string)
        } else {
            None
        };
        let deleted_at = self.deleted.get(&key).copied();
        // Without a defaults layer, `isptab defaults` lists records that are not there.
        let has_defaults = self.records.iter().any(|r| r.origin == Origin::Default);
        self.report(unknown_isp::new(
            name.value,
            name.span,
            suggestion.as_deref(),
            deleted_at,
            has_defaults,
        ));
        None
    }

    /// `override "NAME" { ... }`
    fn override_record(&mut self, node: &KdlNode, file: FileId, origin: Origin) {
        let mut out = Vec::new();
        let text = self.text(file);
        let name = nodes::override_record(node, file, &text, &mut out);
        self.report_all(out);
        let Some(name) = name else {
            return;
        };
        let Some(id) = self.find(&name) else {
            return;
        };
        if let Some(block) = node.children() {
            if block.nodes().is_empty() {
                let span = NodeReader::new(node, file, &text).head_span();
                self.report(empty_override::new(&self.records[id].name, span));
            }
            self.block(id, block, file, origin);
        }
    }

    /// `delete "NAME"`
    fn delete(&mut self, node: &KdlNode, file: FileId) {
        let mut out = Vec::new();
        let text = self.text(file);
        let name = nodes::delete(node, file, &text, &mut out);
        self.report_all(out);
        let Some(name) = name else {
            return;
        };
        let Some(id) = self.find(&name) else {
            return;
        };
        let record = &mut self.records[id];
        if record.origin == Origin::Default {
            let d = deleted_default::new(&record.name, name.span, record.name_span);
            self.report(d);
            // Carry on as if the delete had worked: what follows was written for a
            // configuration without the record, and should not cascade into
            // `duplicate-domain` errors.
        } else {
            self.note_orphans(id, name.span);
        }
        let record = &mut self.records[id];
        record.alive = false;
        for (held, owners) in record.held.iter().zip(&mut self.owners) {
            for entry in held.entries.iter().flatten() {
                owners.remove(entry.pattern.as_str());
            }
        }
        let key = record.name.to_lowercase();
        self.by_name.remove(&key);
        self.deleted.insert(key, name.span);
    }

    /// Before record `id` is deleted: the patterns it took from other records
    /// with `from=` are left with no owner. Kept until the merge ends, where
    /// the ones still without an owner are reported.
    fn note_orphans(&mut self, id: usize, delete_span: Span) {
        // This delete's groups, by record moved from and set: a lookup per
        // pattern, not a scan of every group noted so far.
        let mut groups: HashMap<(usize, usize), usize> = HashMap::new();
        for set in PatternSet::ALL {
            let held = &self.records[id].held[set_index(set)];
            for &(index, from) in &held.moved_in {
                if let Some(Some(entry)) = held.entries.get(index) {
                    let orphan = (entry.pattern.text().clone(), entry.span);
                    let next = self.orphans.len();
                    let i = *groups.entry((from, set_index(set))).or_insert(next);
                    if i == next {
                        self.orphans.push(Orphans {
                            record: id,
                            delete_span,
                            from,
                            set,
                            patterns: Vec::new(),
                        });
                    }
                    self.orphans[i].patterns.push(orphan);
                }
            }
        }
    }

    /// The patterns deleted records had moved in that nobody claimed after:
    /// they match nothing. One warning per deleted record and record moved from.
    fn report_orphans(&mut self) {
        for o in std::mem::take(&mut self.orphans) {
            let owners = &self.owners[set_index(o.set)];
            let left: Vec<&(Arc<str>, Span)> = o
                .patterns
                .iter()
                .filter(|(p, _)| !owners.contains_key(&**p))
                .collect();
            if left.is_empty() {
                continue;
            }
            let first: Vec<(String, Span)> = left
                .iter()
                .take(3)
                .map(|(p, s)| (p.to_string(), *s))
                .collect();
            let d = orphaned_pattern::new(
                o.set,
                &self.records[o.record].name,
                o.delete_span,
                (&self.records[o.from].name, self.records[o.from].alive),
                left.len(),
                &first,
            );
            self.report(d);
        }
    }

    /// Lines `skip-owned=#true` left out whose owner let them go later (a
    /// `delete` or `remove-domains` after the file was read): they match
    /// nothing, which is not what skipping them meant.
    fn report_freed_skips(&mut self) {
        for s in std::mem::take(&mut self.skipped_lines) {
            if !self.records[s.record].alive {
                continue;
            }
            let owners = &self.owners[0];
            let freed: Vec<&(Arc<str>, Span)> = s
                .lines
                .iter()
                .filter(|(p, _)| !owners.contains_key(&**p))
                .collect();
            if freed.is_empty() {
                continue;
            }
            let first: Vec<(String, Span)> = freed
                .iter()
                .take(3)
                .map(|(p, span)| (p.to_string(), *span))
                .collect();
            let d = orphaned_pattern::freed_skip(
                &s.file,
                &self.records[s.record].name,
                s.node_span,
                freed.len(),
                &first,
            );
            self.report(d);
        }
    }

    /// `include "PATH"`: the file was loaded in phase one; apply it here.
    fn include(&mut self, node: &KdlNode, file: FileId, origin: Origin) {
        let mut out = Vec::new();
        nodes::include(node, file, &self.text(file), &mut out);
        self.report_all(out);
        if let Some(&target) = self.files.includes.get(&(file, node.span().offset())) {
            self.layer(target, origin);
        }
    }

    /// The block of an `isp` or `override`.
    fn block(&mut self, id: usize, block: &KdlDocument, file: FileId, origin: Origin) {
        let errors_before = self.errors;
        let mut encoding_seen: Option<Span> = None;
        let mut headers_seen: Option<Span> = None;
        let text = self.text(file);
        for node in block.nodes() {
            let r = NodeReader::new(node, file, &text);
            match node.name().value() {
                "domains" => self.patterns(id, PatternSet::Domains, node, file, origin),
                "domains-file" => self.domains_file(id, node, file, origin),
                "mx" => self.patterns(id, PatternSet::Mx, node, file, origin),
                "remove-domains" => self.remove_patterns(id, PatternSet::Domains, node, file),
                "remove-mx" => self.remove_patterns(id, PatternSet::Mx, node, file),
                name @ ("encoding" | "headers") => {
                    let seen = if name == "encoding" {
                        &mut encoding_seen
                    } else {
                        &mut headers_seen
                    };
                    if let Some(first) = *seen {
                        self.report(duplicate_setting::node(name, r.head_span(), first));
                        continue;
                    }
                    *seen = Some(r.head_span());
                    if name == "encoding" {
                        self.encoding(id, node, file);
                    } else {
                        self.headers(id, node, file);
                    }
                }
                other => {
                    self.report(unknown_node::new(
                        r.name_span(),
                        other,
                        "in a record block",
                        &names(Place::Record),
                    ));
                }
            }
        }
        if self.errors > errors_before {
            self.records[id].incomplete = true;
        }
    }

    /// Resolves `from="NAME"` on a `domains` or `domains-file` node.
    fn move_source(
        &mut self,
        id: usize,
        from: Option<StrValue<'_>>,
    ) -> Result<Option<(usize, Span)>, ()> {
        let Some(from) = from else {
            return Ok(None);
        };
        let source = self.find(&from).ok_or(())?;
        if source == id {
            self.report(invalid_value::move_into_self(
                from.span,
                &self.records[id].name,
            ));
            return Err(());
        }
        Ok(Some((source, from.span)))
    }

    /// `domains PATTERN... [from="ISP"]` or `mx PATTERN... [from="ISP"]`
    fn patterns(
        &mut self,
        id: usize,
        set: PatternSet,
        node: &KdlNode,
        file: FileId,
        origin: Origin,
    ) {
        let mut out = Vec::new();
        let text = self.text(file);
        let read = nodes::patterns(node, set, file, &text, &mut out);
        self.report_all(out);
        let Some((from, values)) = read else {
            return;
        };
        let Ok(source) = self.move_source(id, from) else {
            return;
        };
        for value in values {
            match Pattern::parse(value.value) {
                Ok(pattern) => self.claim(id, set, pattern, value.span, source, origin),
                Err(e) => self.report(pattern_error(
                    set,
                    value.value,
                    value.span,
                    &e,
                    false,
                    |at| value.span_of(at),
                )),
            }
        }
    }

    /// `domains-file "PATH" [from="ISP"]`
    fn domains_file(&mut self, id: usize, node: &KdlNode, file: FileId, origin: Origin) {
        let mut out = Vec::new();
        let node_text = self.text(file);
        let read = nodes::domains_file(node, file, &node_text, &mut out);
        self.report_all(out);
        let Some(nodes::DomainsFile {
            from,
            path,
            skip_owned,
        }) = read
        else {
            return;
        };
        let Ok(source) = self.move_source(id, from) else {
            return;
        };
        let list = match self.files.domains_file(file, &path) {
            Ok(list) => list,
            Err(d) => {
                self.report(d);
                return;
            }
        };
        let node_span = NodeReader::new(node, file, &node_text).head_span();
        self.lists_read.entry((list, id)).or_insert(node_span);
        let text = self.files.sources.get(list).text().clone();
        // About one pattern per 16 bytes: reserve once instead of growing, but
        // never past the pattern limit (a file of comments claims nothing).
        let expected =
            (text.len() / 16).min((self.files.limits.patterns).saturating_sub(self.owned()));
        self.owners[0].reserve(expected);
        self.records[id].held[0].entries.reserve(expected);
        let mut any = false;
        let mut taken = Taken::default();
        let mut skipped_lines = Vec::new();
        // The lines of owners that read this file too, per owner.
        let mut read_twice = Taken::default();
        for line in domains_file::lines(&text, self.files.limits.domains_file_line_bytes) {
            match line {
                Line::Pattern(range) => {
                    any = true;
                    let span = Span::new(list, range.clone());
                    let written = &text[range];
                    match Pattern::parse(written) {
                        Ok(pattern) => {
                            // Lines other records own: left out, or reported
                            // together per owner when the file is done.
                            let owner = self.owners[0].get(pattern.as_str()).copied();
                            match owner.filter(|o| source.is_none() && o.record != id) {
                                Some(owner) => {
                                    let owner_span = self.entry(PatternSet::Domains, owner).span;
                                    if skip_owned {
                                        skipped_lines.push((pattern.text().clone(), span));
                                    } else if owner_span.file == list {
                                        // The owner read this file too.
                                        read_twice.add(owner.record, pattern, span, owner_span);
                                        continue;
                                    }
                                    taken.add(owner.record, pattern, span, owner_span);
                                }
                                None => self.claim(
                                    id,
                                    PatternSet::Domains,
                                    pattern,
                                    span,
                                    source,
                                    origin,
                                ),
                            }
                        }
                        Err(e) => self.report(pattern_error(
                            PatternSet::Domains,
                            written,
                            span,
                            &e,
                            true,
                            |at| span.within(at),
                        )),
                    }
                }
                Line::TooLong(line, range) => {
                    any = true;
                    let limit = self.files.limits.domains_file_line_bytes;
                    self.report(limit_exceeded::domains_file_line(
                        Span::new(list, range),
                        line,
                        limit,
                    ));
                }
            }
        }
        let name = self.files.sources.get(list).name().to_string();
        if !any {
            self.report(empty_file::domains_file(path.span, &name));
        }
        if skip_owned {
            if taken.count > 0 {
                self.skipped.push(SkippedOwned {
                    file: name.clone(),
                    record: self.records[id].name.clone(),
                    count: taken.count,
                    examples: taken
                        .groups
                        .iter()
                        .flat_map(|g| g.first.iter().map(|c| (g.owner, c)))
                        .take(Taken::KEPT)
                        .map(|(owner, c)| (c.0.to_string(), self.records[owner].name.clone()))
                        .collect(),
                });
                self.skipped_lines.push(SkippedLines {
                    record: id,
                    node_span,
                    file: name,
                    lines: skipped_lines,
                });
            }
            return;
        }
        let record = self.records[id].name.clone();
        for TakenFrom { owner, count, .. } in read_twice.groups {
            let owner_node = self
                .lists_read
                .get(&(list, owner))
                .copied()
                .unwrap_or(node_span);
            self.report(duplicate_domain::file_read_twice(
                &name,
                count,
                (&record, node_span),
                (&self.records[owner].name, owner_node),
                path.value,
            ));
        }
        let owners = taken.groups.len();
        for group in taken.groups {
            let owner = self.records[group.owner].name.clone();
            let record = self.records[id].name.clone();
            if group.count <= Taken::KEPT {
                for (pattern, span, owner_span) in group.first {
                    self.report(duplicate_domain::line_in_file(
                        pattern.as_str(),
                        span,
                        &record,
                        (&owner, owner_span),
                        path.value,
                    ));
                }
                continue;
            }
            let examples: Vec<(&str, Span)> = group
                .first
                .iter()
                .map(|(p, s, _)| (p.as_str(), *s))
                .collect();
            let owner_span = group.first[0].2;
            self.report(duplicate_domain::many_in_file(
                &name,
                (group.count, owners),
                (&record, node_span),
                (&owner, owner_span),
                &examples,
                path.value,
            ));
        }
    }

    /// How many patterns have an owner, in both sets.
    fn owned(&self) -> usize {
        self.owners.iter().map(HashMap::len).sum()
    }

    /// Gives `pattern` of `set` to record `id`, moving it from `source` when
    /// `from=` was given.
    fn claim(
        &mut self,
        id: usize,
        set: PatternSet,
        pattern: Pattern,
        span: Span,
        source: Option<(usize, Span)>,
        origin: Origin,
    ) {
        let owner = self.owners[set_index(set)].get(pattern.as_str()).copied();
        match (owner, source) {
            (None, None) if self.owned() >= self.files.limits.patterns => {
                if !self.patterns_limit_reported {
                    self.patterns_limit_reported = true;
                    self.report(limit_exceeded::too_many_patterns(
                        span,
                        self.files.limits.patterns,
                    ));
                }
            }
            (None, None) => {
                self.push_pattern(id, set, pattern, span, origin);
            }
            (Some(owner), None) => {
                let first = self.entry(set, owner).span;
                let d = if owner.record == id {
                    redundant_domain::repeated(set, pattern.as_str(), span, first)
                } else {
                    let owner_name = &self.records[owner.record].name;
                    duplicate_domain::new(
                        set,
                        pattern.as_str(),
                        span,
                        &self.records[id].name,
                        owner_name,
                        first,
                    )
                };
                self.report(d);
            }
            (Some(owner), Some((source, _))) if owner.record == source => {
                self.take_out(set, owner, span);
                self.push_pattern(id, set, pattern, span, origin);
                let held = &mut self.records[id].held[set_index(set)];
                held.moved_in.push((held.entries.len() - 1, source));
            }
            (owner, Some((source, from_span))) => {
                let d = move_not_owned::new(
                    set,
                    pattern.as_str(),
                    span,
                    (&self.records[source].name, from_span),
                    owner.map(|o| self.named(set, o)),
                    owner.is_some_and(|o| o.record == id),
                );
                self.report(d);
            }
        }
    }

    /// `remove-domains PATTERN...` or `remove-mx PATTERN...`: takes patterns the
    /// record owns out of it, leaving them to no record (a later `domains` may
    /// claim them).
    fn remove_patterns(&mut self, id: usize, set: PatternSet, node: &KdlNode, file: FileId) {
        let mut out = Vec::new();
        let text = self.text(file);
        let read = nodes::remove_patterns(node, set, file, &text, &mut out);
        self.report_all(out);
        for value in read.into_iter().flatten() {
            let pattern = match Pattern::parse(value.value) {
                Ok(pattern) => pattern,
                Err(e) => {
                    let d = pattern_error(set, value.value, value.span, &e, false, |at| {
                        value.span_of(at)
                    });
                    self.report(d);
                    continue;
                }
            };
            let owner = self.owners[set_index(set)].get(pattern.as_str()).copied();
            let key = (id, set_index(set), pattern.text().clone());
            let removed_before = self.removed.get(&key).copied();
            match (owner, removed_before) {
                (Some(owner), _) if owner.record == id => {
                    self.owners[set_index(set)].remove(pattern.as_str());
                    self.take_out(set, owner, value.span);
                    self.removed.insert(key, value.span);
                }
                (None, Some(first)) => {
                    let d = move_not_owned::removed_twice(
                        pattern.as_str(),
                        value.span,
                        &self.records[id].name,
                        first,
                    );
                    self.report(d);
                }
                (other, _) => {
                    let d = move_not_owned::not_removable(
                        set,
                        pattern.as_str(),
                        value.span,
                        &self.records[id].name,
                        other.map(|o| self.named(set, o)),
                    );
                    self.report(d);
                }
            }
        }
    }

    /// Leaves a hole where `owner`'s pattern was (moved or removed by the node
    /// at `by`, which is blamed if the record is left empty).
    fn take_out(&mut self, set: PatternSet, owner: Owner, by: Span) {
        let record = &mut self.records[owner.record];
        let held = &mut record.held[set_index(set)];
        held.entries[owner.index] = None;
        held.live -= 1;
        if record.live_patterns() == 0 {
            record.emptied_by = Some(by);
        }
    }

    /// The owner's name and where it wrote the pattern, for a diagnostic.
    fn named(&self, set: PatternSet, owner: Owner) -> (&str, Span) {
        (
            self.records[owner.record].name.as_str(),
            self.entry(set, owner).span,
        )
    }

    fn entry(&self, set: PatternSet, owner: Owner) -> &PatternEntry {
        self.records[owner.record].held[set_index(set)].entries[owner.index]
            .as_ref()
            .expect("owners point at live patterns")
    }

    fn push_pattern(
        &mut self,
        id: usize,
        set: PatternSet,
        pattern: Pattern,
        span: Span,
        origin: Origin,
    ) {
        let record = &mut self.records[id];
        let held = &mut record.held[set_index(set)];
        let index = held.entries.len();
        self.owners[set_index(set)].insert(pattern.text().clone(), Owner { record: id, index });
        held.entries.push(Some(PatternEntry {
            pattern,
            span,
            from_defaults: origin == Origin::Default,
        }));
        held.live += 1;
        record.emptied_by = None;
    }

    /// `encoding [global=E] [html=E] [text=E]`
    fn encoding(&mut self, id: usize, node: &KdlNode, file: FileId) {
        let mut out = Vec::new();
        let settings = nodes::encoding(node, file, &self.text(file), &mut out);
        self.report_all(out);
        for (part, setting) in settings.into_iter().flatten() {
            let record = &self.records[id];
            // Only an `override` finds a part set already (one `isp` block has one
            // `encoding`); set in the same file, both are in view.
            if let Some(earlier) = record.encoding.get(part)
                && earlier.span.file != file
                && earlier.value != setting.value
            {
                let earlier_file = self.files.sources.get(earlier.span.file).name();
                let d =
                    overridden_encoding::new(&record.name, part, &setting, earlier, earlier_file);
                self.report(d);
            }
            self.records[id].encoding.set(part, setting);
        }
    }

    /// `headers [replace=#true] { ... }`: appends the rules (or replaces the
    /// record's), within the limit on rules per record.
    fn headers(&mut self, id: usize, node: &KdlNode, file: FileId) {
        let mut out = Vec::new();
        let read = nodes::headers(node, file, &self.text(file), &mut out);
        self.report_all(out);
        let Some((replace, mut rules)) = read else {
            return;
        };
        let limit = self.files.limits.header_rules;
        let kept = if replace {
            0
        } else {
            self.records[id].headers.len()
        };
        if kept + rules.len() > limit {
            let crossing = rules[limit.saturating_sub(kept)].span;
            let d = limit_exceeded::too_many_header_rules(crossing, &self.records[id].name, limit);
            self.report(d);
            rules.truncate(limit.saturating_sub(kept));
        }
        let record = &mut self.records[id];
        if replace {
            record.headers = rules;
        } else {
            record.headers.extend(rules);
        }
    }

    /// Ends the merge: drops deleted records and holes, reports records left
    /// empty. Also hands out the levels of the `lints` blocks.
    pub(super) fn finish(mut self) -> Merged {
        self.report_orphans();
        self.report_freed_skips();
        let mut records = Vec::new();
        for mut state in std::mem::take(&mut self.records) {
            if !state.alive {
                continue;
            }
            if state.live_patterns() == 0 && !state.incomplete {
                self.out.push(empty_isp::new(
                    &state.name,
                    state.name_span,
                    state.emptied_by,
                ));
            }
            records.push(Record {
                name: state.name,
                name_span: state.name_span,
                origin: state.origin,
                patterns: std::mem::take(&mut state.held[0].entries)
                    .into_iter()
                    .flatten()
                    .collect(),
                mx: std::mem::take(&mut state.held[1].entries)
                    .into_iter()
                    .flatten()
                    .collect(),
                encoding: state.encoding,
                headers: state.headers,
            });
        }
        Merged {
            config: Config { records },
            diagnostics: self.out,
            levels: self.levels,
            skipped: self.skipped,
        }
    }
}
