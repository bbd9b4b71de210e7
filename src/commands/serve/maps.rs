//! The socketmap maps `isp`, `slug` and `transport`: what a request `MAP KEY`
//! is answered, and the slug that names a record in Postfix's configuration.

use std::fmt;

use isptab::compiler::resolve::{MxRecords, Resolver};
use isptab::semantics::query::Answer;
use isptab::table::Table;

/// The names of the maps, as `--help` and the `PERM` reply list them.
pub const MAPS: &str = "isp, slug, transport";

/// A socketmap reply.
#[derive(Debug, PartialEq, Eq)]
pub enum Reply {
    /// `OK DATA`
    Ok(String),
    /// `NOTFOUND `
    NotFound,
    /// `TEMP REASON`: try again later (DNS failed).
    Temp(String),
    /// `PERM REASON`: the request is wrong.
    Perm(String),
}

impl fmt::Display for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reply::Ok(data) => write!(f, "OK {data}"),
            Reply::NotFound => f.write_str("NOTFOUND "),
            Reply::Temp(reason) => write!(f, "TEMP {reason}"),
            Reply::Perm(reason) => write!(f, "PERM {reason}"),
        }
    }
}

/// The longest slug before a disambiguating hash is added.
const MAX_SLUG: usize = 40;

/// The slug of every record of a table, by record id: the name in lowercase
/// ASCII letters and digits, every other run of characters one `-` (`Yahoo
/// Europe` → `yahoo-europe`), at most 40 characters. A slug that would be empty
/// or that two records share gets `-` and 8 hex digits of the xxh3 hash of the
/// record's name (`isp-` and the hash when empty), then 16 digits, then a
/// counter, until no other record of the table has it: every record has its own
/// slug, the same while the table's names stay.
pub fn slugs<B: AsRef<[u8]>>(table: &Table<B>) -> Vec<String> {
    use std::collections::{HashMap, HashSet};
    let plain: Vec<String> = table.records().map(|r| plain_slug(r.name())).collect();
    let mut count: HashMap<&str, usize> = HashMap::new();
    for slug in &plain {
        *count.entry(slug.as_str()).or_insert(0) += 1;
    }
    let unique = |slug: &String| !slug.is_empty() && count[slug.as_str()] == 1;
    let mut taken: HashSet<String> = plain.iter().filter(|s| unique(s)).cloned().collect();
    table
        .records()
        .zip(&plain)
        .map(|(record, slug)| {
            if unique(slug) {
                return slug.clone();
            }
            let hash = xxhash_rust::xxh3::xxh3_64(record.name().as_bytes());
            let stem = if slug.is_empty() {
                "isp"
            } else {
                slug.as_str()
            };
            let short = format!("{stem}-{:08x}", hash as u32);
            let long = format!("{stem}-{hash:016x}");
            let numbered = (2u32..).map(|n| format!("{long}-{n}"));
            let chosen = [short, long.clone()]
                .into_iter()
                .chain(numbered)
                .find(|candidate| !taken.contains(candidate))
                .unwrap_or(long);
            taken.insert(chosen.clone());
            chosen
        })
        .collect()
}

fn plain_slug(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.truncate(MAX_SLUG);
    slug.trim_end_matches('-').to_string()
}

/// A transport template (`--transport`): `{slug}` stands for the record's slug.
#[derive(Clone, Debug)]
pub struct Template(String);

impl Template {
    /// Checks a template: `TRANSPORT:NEXTHOP` as Postfix's transport(5) reads a
    /// result, with `{slug}` (its only placeholder) somewhere, so that records
    /// differ; no white space, control, bidi or invisible characters.
    pub fn new(text: &str) -> Result<Template, String> {
        let shown = isptab::semantics::escape::escape(text);
        if text.replace("{slug}", "").contains(['{', '}']) {
            return Err(format!(
                "the transport template `{shown}` has a placeholder other than `{{slug}}`"
            ));
        }
        if text.chars().any(char::is_whitespace) || shown != text {
            return Err(format!(
                "the transport template `{shown}` holds white space, a control or an invisible character"
            ));
        }
        if !text.contains(':') || !text.contains("{slug}") {
            return Err(format!(
                "the transport template `{shown}` must be TRANSPORT:NEXTHOP with `{{slug}}` in it, as `smtp-{{slug}}:` or `relay:[{{slug}}.relay.example]`"
            ));
        }
        Ok(Template(text.to_string()))
    }

    /// The master.cf service of a record, when the template names one per
    /// record (`{slug}` before the `:`).
    pub fn service(&self, slug: &str) -> Option<String> {
        let (transport, _) = self.0.split_once(':')?;
        transport
            .contains("{slug}")
            .then(|| transport.replace("{slug}", slug))
    }

    /// The transport of a record.
    pub fn fill(&self, slug: &str) -> String {
        self.0.replace("{slug}", slug)
    }
}

/// What a server answers with: the table, its slugs, the transport template and
/// (with `--resolve`) DNS for the domains no domain pattern matches.
pub struct Answering<'a, B> {
    /// The table.
    pub table: &'a Table<B>,
    /// [`slugs`] of the table.
    pub slugs: &'a [String],
    /// `--transport`.
    pub template: &'a Template,
    /// `--resolve`.
    pub resolver: Option<&'a Resolver>,
}

impl<B: AsRef<[u8]>> Answering<'_, B> {
    /// The reply to one request (`MAP KEY`; the key a domain or an address).
    pub fn reply(&self, request: &[u8]) -> Reply {
        let request = String::from_utf8_lossy(request);
        let Some((map, key)) = request.split_once(' ') else {
            return Reply::Perm(format!("expected `MAP KEY` (maps: {MAPS})"));
        };
        if !matches!(map, "isp" | "slug" | "transport") {
            let map = isptab::semantics::escape::escape(map);
            return Reply::Perm(format!("no map `{map}` (maps: {MAPS})"));
        }
        let id = match self.record_of(key) {
            Ok(Some(id)) => id,
            Ok(None) => return Reply::NotFound,
            Err(reason) => return Reply::Temp(reason),
        };
        let (Some(record), Some(slug)) = (self.table.record(id), self.slugs.get(usize::from(id)))
        else {
            return Reply::NotFound;
        };
        Reply::Ok(match map {
            "isp" => record.name().to_string(),
            "slug" => slug.clone(),
            _ => self.template.fill(slug),
        })
    }

    /// The id of the record that answers a key, or what stopped DNS answering.
    fn record_of(&self, key: &str) -> Result<Option<u16>, String> {
        let answer = self.table.lookup(key);
        let (Answer::Miss(domain), Some(resolver)) = (&answer, self.resolver) else {
            return Ok(answer.found().map(|m| m.record.id()));
        };
        let records = resolver.mx_of_all(&[domain.to_string()], || {});
        match records.first().map(|r| (r, r.hosts())) {
            Some((_, Some(hosts))) => Ok(self
                .table
                .lookup_with_mx(key, &hosts)
                .found()
                .map(|m| m.record.id())),
            Some((MxRecords::Failed(reason), None)) => Err(format!("DNS: {reason}")),
            _ => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_slugs() {
        assert_eq!(plain_slug("Yahoo Europe"), "yahoo-europe");
        assert_eq!(plain_slug("  GMX / Web.de  "), "gmx-web-de");
        assert_eq!(plain_slug("Почта"), "");
        assert_eq!(plain_slug(&"x".repeat(60)).len(), MAX_SLUG);
    }

    #[test]
    fn templates() {
        assert_eq!(
            Template::new("smtp-{slug}:").unwrap().fill("gmail"),
            "smtp-gmail:"
        );
        let relay = Template::new("relay:[{slug}.example]").unwrap();
        assert_eq!(relay.service("gmail"), None);
        assert_eq!(
            Template::new("smtp-{slug}:")
                .unwrap()
                .service("gmail")
                .as_deref(),
            Some("smtp-gmail")
        );
        for bad in [
            "smtp-{name}:",
            "smtp {slug}:",
            "",
            "smtp-{slug}",
            "relay:[mx.example]",
            "smtp\u{202e}-{slug}:",
            "smtp-{slug}\u{7}:",
        ] {
            assert!(Template::new(bad).is_err(), "{bad:?}");
        }
    }
}
