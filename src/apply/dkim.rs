//! Whether the message's DKIM signatures survive the rewrite (RFC 6376): a
//! signature covers the fields its `h=` tag names and the body (its `bh=`), so
//! a change to either breaks it. isptab does not verify signatures; it says
//! which ones the rewrite breaks, so the MTA knows to sign after applying.

use serde::Serialize;

use super::HeaderPlan;
use super::mime::Node;

/// One `DKIM-Signature` field and what the rewrite did to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Signature {
    /// Its `d=` tag (the signing domain).
    pub domain: String,
    /// Its `s=` tag (the selector).
    pub selector: String,
    /// Whether the rewrite left everything it covers as it was (a signature
    /// that verified before still does).
    pub verifies: bool,
    /// What broke it: `body changed`, `Subject removed`, `X-Campaign added`,
    /// `signature removed`.
    pub reasons: Vec<String>,
}

/// The signatures of the message's header and what breaks each.
pub fn effects(raw: &[u8], root: &Node, plan: &HeaderPlan, body_changed: bool) -> Vec<Signature> {
    let mut out = Vec::new();
    for (i, field) in root.fields.iter().enumerate() {
        if !field.name.eq_ignore_ascii_case("DKIM-Signature") {
            continue;
        }
        let value = String::from_utf8_lossy(&raw[field.value.clone()]);
        let tags = tags(&value);
        let tag = |name: &str| {
            tags.iter()
                .find(|(n, _)| n == name)
                .map_or(String::new(), |(_, v)| v.clone())
        };
        let signed: Vec<String> = tags
            .iter()
            .find(|(n, _)| n == "h")
            .map(|(_, v)| {
                v.split(':')
                    .map(|h| h.trim().to_ascii_lowercase())
                    .filter(|h| !h.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let mut reasons = Vec::new();
        if plan.fields.get(i).is_some_and(|c| matches!(c, Some(None))) {
            reasons.push("signature removed".to_string());
        }
        if body_changed {
            reasons.push("body changed".to_string());
        }
        let mut changed: Vec<String> = Vec::new();
        for (j, f) in root.fields.iter().enumerate() {
            let name = f.name.to_ascii_lowercase();
            if plan.touched(j) && signed.contains(&name) && !changed.contains(&name) {
                let verb = if matches!(plan.fields[j], Some(None)) {
                    "removed"
                } else {
                    "changed"
                };
                reasons.push(format!("{} {verb}", f.name));
                changed.push(name);
            }
        }
        for (name, _) in &plan.appended {
            let lower = name.to_ascii_lowercase();
            if signed.contains(&lower) && !changed.contains(&lower) {
                reasons.push(format!("{name} added"));
                changed.push(lower);
            }
        }
        out.push(Signature {
            domain: tag("d"),
            selector: tag("s"),
            verifies: reasons.is_empty(),
            reasons,
        });
    }
    out
}

/// The `tag=value` pairs of a signature, white space (folding included) removed
/// around names and values.
fn tags(value: &str) -> Vec<(String, String)> {
    value
        .split(';')
        .filter_map(|pair| {
            let (name, value) = pair.split_once('=')?;
            let value: String = value.split_whitespace().collect::<Vec<_>>().join("");
            Some((name.trim().to_string(), value))
        })
        .collect()
}
