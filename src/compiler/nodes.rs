//! Reading the nodes of the language into what they say, one function per node:
//! each checks its node's shape (properties, arguments, block) with the
//! [`NodeReader`] and returns the node's values, or `None` once it reported a
//! problem (a node with an error is dropped whole, so one mistake gives one
//! diagnostic). The merge (`merge.rs`) applies what they return.

use std::ops::Range;

use kdl::KdlNode;

use super::config::{HeaderRule, PatternSet, Setting};
use super::language::{Place, is_node, names, properties};
use crate::compiler::diagnostics::{Diagnostic, Level, Severity};
use crate::compiler::rules::{
    header_injection, invalid_domain, invalid_encoding, invalid_glob, invalid_header_name,
    invalid_mx, invalid_value, long_header, non_ascii_header, unknown_node,
};
use crate::compiler::source::{FileId, Span, StrValue};
use crate::compiler::syntax::NodeReader;
use crate::semantics::encoding::{Encoding, Part};
use crate::semantics::header::HeaderOp;
use crate::semantics::pattern::PatternError;

/// `isp "NAME" [default=#true]`: the name, and whether `default=#true` (written
/// by `isptab dump`) makes the record a default one.
pub(super) fn isp<'a>(
    node: &'a KdlNode,
    file: FileId,
    text: &'a str,
    out: &mut Vec<Diagnostic>,
) -> Option<(StrValue<'a>, bool)> {
    let mut r = NodeReader::new(node, file, text);
    r.check_properties(properties(Place::TopLevel, "isp"), out);
    let name = r.record_name(out);
    let marked_default = r.bool_property("default", out) == Some(true);
    name.filter(|_| r.ok()).map(|n| (n, marked_default))
}

/// `override "NAME" { ... }`: the name (the block is required).
pub(super) fn override_record<'a>(
    node: &'a KdlNode,
    file: FileId,
    text: &'a str,
    out: &mut Vec<Diagnostic>,
) -> Option<StrValue<'a>> {
    let before = out.len();
    let mut r = NodeReader::new(node, file, text);
    r.check_properties(properties(Place::TopLevel, "override"), out);
    let name = r.record_name(out);
    if r.ok() && node.children().is_none() {
        out.push(invalid_value::missing_block(
            r.head_span(),
            "override",
            "the settings to change",
            "override \"NAME\" { encoding html=\"base64\" }",
        ));
    }
    name.filter(|_| out.len() == before)
}

/// `delete "NAME"`: the name.
pub(super) fn delete<'a>(
    node: &'a KdlNode,
    file: FileId,
    text: &'a str,
    out: &mut Vec<Diagnostic>,
) -> Option<StrValue<'a>> {
    let mut r = NodeReader::new(node, file, text);
    r.check_properties(properties(Place::TopLevel, "delete"), out);
    r.no_children(out);
    let name = r.record_name(out);
    name.filter(|_| r.ok())
}

/// `include "PATH"`: its shape only (phase one of loading followed it already).
pub(super) fn include(node: &KdlNode, file: FileId, text: &str, out: &mut Vec<Diagnostic>) {
    let mut r = NodeReader::new(node, file, text);
    r.check_properties(properties(Place::TopLevel, "include"), out);
    r.no_children(out);
    r.single_string("a file path", out);
}

/// `lints { allow "CODE"...; warn "CODE"...; deny "CODE"... }`: each level with
/// the codes it names, as written (a code is checked by the merge, which knows
/// the codes given before).
pub(super) fn lints<'a>(
    node: &'a KdlNode,
    file: FileId,
    text: &'a str,
    out: &mut Vec<Diagnostic>,
) -> Option<Vec<(Level, Vec<StrValue<'a>>)>> {
    let before = out.len();
    let mut r = NodeReader::new(node, file, text);
    r.check_properties(properties(Place::TopLevel, "lints"), out);
    r.no_arguments(out);
    if r.ok() && node.children().is_none() {
        out.push(invalid_value::missing_block(
            r.head_span(),
            "lints",
            "`allow`, `warn` and `deny` lists of codes",
            "lints { allow \"broad-pattern\" }",
        ));
    }
    if !r.ok() || out.len() != before {
        return None;
    }
    let mut levels = Vec::new();
    for child in node.children().map(|c| c.nodes()).unwrap_or_default() {
        let mut r = NodeReader::new(child, file, text);
        let word = child.name().value();
        let Some(level) = Level::parse(word).filter(|_| is_node(Place::Lints, word)) else {
            out.push(unknown_node::new(
                r.name_span(),
                word,
                "in a `lints` block",
                &names(Place::Lints),
            ));
            continue;
        };
        r.check_properties(properties(Place::Lints, word), out);
        r.no_children(out);
        let codes = r.strings("a diagnostic code", out);
        if r.ok() {
            levels.push((level, codes));
        }
    }
    Some(levels)
}

/// `domains PATTERN... [from="ISP"]` or `mx PATTERN... [from="ISP"]`: the record
/// moved from, and the patterns as written.
pub(super) fn patterns<'a>(
    node: &'a KdlNode,
    set: PatternSet,
    file: FileId,
    text: &'a str,
    out: &mut Vec<Diagnostic>,
) -> Option<(Option<StrValue<'a>>, Vec<StrValue<'a>>)> {
    let what = match set {
        PatternSet::Domains => "a domain or pattern",
        PatternSet::Mx => "an MX host pattern",
    };
    let mut r = NodeReader::new(node, file, text);
    r.check_properties(properties(Place::Record, node.name().value()), out);
    r.no_children(out);
    let from = r.record_name_property("from", out);
    let values = r.strings(what, out);
    r.ok().then_some((from, values))
}

/// `remove-domains PATTERN...` or `remove-mx PATTERN...`: the patterns as
/// written.
pub(super) fn remove_patterns<'a>(
    node: &'a KdlNode,
    set: PatternSet,
    file: FileId,
    text: &'a str,
    out: &mut Vec<Diagnostic>,
) -> Option<Vec<StrValue<'a>>> {
    let what = match set {
        PatternSet::Domains => "a domain or pattern of the record",
        PatternSet::Mx => "an MX pattern of the record",
    };
    let mut r = NodeReader::new(node, file, text);
    r.check_properties(properties(Place::Record, node.name().value()), out);
    r.no_children(out);
    let values = r.strings(what, out);
    r.ok().then_some(values)
}

/// `domains-file "PATH" [from="ISP"] [skip-owned=#true]`.
pub(super) struct DomainsFile<'a> {
    /// The record the lines are moved from.
    pub from: Option<StrValue<'a>>,
    /// The path, as written.
    pub path: StrValue<'a>,
    /// Lines another record owns are left out (and summed up) instead of
    /// reported as claimed twice.
    pub skip_owned: bool,
}

pub(super) fn domains_file<'a>(
    node: &'a KdlNode,
    file: FileId,
    text: &'a str,
    out: &mut Vec<Diagnostic>,
) -> Option<DomainsFile<'a>> {
    let mut r = NodeReader::new(node, file, text);
    r.check_properties(properties(Place::Record, node.name().value()), out);
    r.no_children(out);
    let from = r.record_name_property("from", out);
    let skip_owned = r.bool_property("skip-owned", out).unwrap_or(false);
    let path = r.single_string("a file path", out);
    if skip_owned && from.is_some() && r.ok() {
        out.push(invalid_value::skip_owned_with_from(r.head_span()));
        return None;
    }
    path.filter(|_| r.ok()).map(|path| DomainsFile {
        from,
        path,
        skip_owned,
    })
}

/// `encoding [global=E] [html=E] [text=E]`: the parts set.
pub(super) fn encoding(
    node: &KdlNode,
    file: FileId,
    text: &str,
    out: &mut Vec<Diagnostic>,
) -> Option<Vec<(Part, Setting<Encoding>)>> {
    let before = out.len();
    let mut r = NodeReader::new(node, file, text);
    r.check_properties(properties(Place::Record, "encoding"), out);
    r.no_arguments(out);
    r.no_children(out);
    let mut settings = Vec::new();
    for part in Part::ALL {
        let Some(value) = r.string_property(part.as_str(), "an encoding name", out) else {
            continue;
        };
        match Encoding::parse(value.value.trim()) {
            Some(encoding) => settings.push((
                part,
                Setting {
                    value: encoding,
                    span: value.span,
                },
            )),
            None => out.push(invalid_encoding::new(value.span, value.value, part)),
        }
    }
    if r.ok() && out.len() == before && settings.is_empty() {
        out.push(invalid_value::empty_encoding(r.head_span()));
    }
    (out.len() == before).then_some(settings)
}

/// `headers [replace=#true] { add "NAME" "VALUE"; remove "NAME" }`: whether the
/// rules replace the record's, and the rules that are well formed (each rule is
/// checked on its own: one bad rule does not drop the others).
pub(super) fn headers(
    node: &KdlNode,
    file: FileId,
    text: &str,
    out: &mut Vec<Diagnostic>,
) -> Option<(bool, Vec<HeaderRule>)> {
    let before = out.len();
    let mut r = NodeReader::new(node, file, text);
    r.check_properties(properties(Place::Record, "headers"), out);
    r.no_arguments(out);
    let replace = r.bool_property("replace", out).unwrap_or(false);
    if r.ok() && !replace && node.children().is_none() {
        out.push(invalid_value::missing_block(
            r.head_span(),
            "headers",
            "`add` and `remove` rules",
            "headers { remove \"X-Mailer\" }",
        ));
    }
    if !r.ok() || out.len() != before {
        return None;
    }
    let rules = node
        .children()
        .map(|c| c.nodes())
        .unwrap_or_default()
        .iter()
        .filter_map(|child| header_rule(child, file, text, out))
        .collect();
    Some((replace, rules))
}

/// One `add` or `remove` rule.
fn header_rule(
    node: &KdlNode,
    file: FileId,
    text: &str,
    out: &mut Vec<Diagnostic>,
) -> Option<HeaderRule> {
    let mut r = NodeReader::new(node, file, text);
    let op = node.name().value();
    if !is_node(Place::Headers, op) {
        out.push(unknown_node::new(
            r.name_span(),
            op,
            "in a `headers` block",
            &names(Place::Headers),
        ));
        return None;
    }
    let mut found = Vec::new();
    r.check_properties(properties(Place::Headers, op), &mut found);
    r.no_children(&mut found);
    let args: Vec<_> = r.arguments().collect();
    let expected = if op == "add" { 2 } else { 1 };
    if args.len() != expected {
        let what = if op == "add" {
            "a header name and a value"
        } else {
            "a header name"
        };
        found.push(invalid_value::argument_count(
            r.head_span(),
            op,
            what,
            args.len(),
        ));
        out.extend(found);
        return None;
    }
    let name = args
        .first()
        .and_then(|e| r.string(e, "a header name", &mut found));
    let value = args
        .get(1)
        .and_then(|e| r.string(e, "a header value", &mut found));
    if let Some(name) = &name {
        found.extend(invalid_header_name::check(name));
    }
    if let (Some(name), Some(value)) = (&name, &value) {
        // One mistake, one diagnostic: a control character outside ASCII
        // (U+0085) is the injection, not also a non-ASCII warning.
        let injection = header_injection::check(value);
        let injected = injection.is_some();
        found.extend(injection);
        found.extend(long_header::check(name.value, value));
        if !injected {
            found.extend(non_ascii_header::check(value));
        }
    }
    let failed = found.iter().any(|d| d.severity == Severity::Error) || !r.ok();
    out.extend(found);
    if failed {
        return None;
    }
    let name = name?.value.to_string();
    let op = match value {
        Some(value) => HeaderOp::Add {
            name,
            value: value.value.to_string(),
        },
        None => HeaderOp::Remove { name },
    };
    Some(HeaderRule {
        op,
        span: r.head_span(),
    })
}

/// The diagnostic for a pattern of `set` that does not parse (`written`, at
/// `whole`); `at` maps a byte range of the pattern text to a span in the file,
/// `in_list` says it is a domains-file line.
pub(super) fn pattern_error(
    set: PatternSet,
    written: &str,
    whole: Span,
    error: &PatternError,
    in_list: bool,
    at: impl Fn(Range<usize>) -> Span,
) -> Diagnostic {
    let span = |range: &Range<usize>| {
        if range.is_empty() {
            whole
        } else {
            at(range.clone())
        }
    };
    if let Some(address) = address_literal(written) {
        // `[192.168.1.1]` reads as a glob class, but it is an address literal.
        return invalid_glob::address_literal(whole, address, set == PatternSet::Mx);
    }
    match (set, error) {
        (PatternSet::Mx, e) => invalid_mx::new(written, span(e.at()), e),
        (_, PatternError::Domain(e)) => invalid_domain::new(span(&e.at), e, in_list),
        (_, PatternError::Glob(e)) => invalid_glob::new(span(&e.at), e),
    }
}

/// The address of an address literal (`[192.168.1.1]`, `[IPv6:2001:db8::1]`), as
/// mail is sometimes addressed (`user@[192.168.1.1]`).
fn address_literal(written: &str) -> Option<&str> {
    let inner = written.trim().strip_prefix('[')?.strip_suffix(']')?;
    let ip = inner
        .strip_prefix("IPv6:")
        .or_else(|| inner.strip_prefix("ipv6:"))
        .unwrap_or(inner);
    ip.parse::<std::net::IpAddr>().is_ok().then_some(inner)
}
