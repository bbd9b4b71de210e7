//! MX records from DNS, for `lookup --resolve` and `check --resolve` (feature
//! `resolve`). Nothing resolved ever goes into a table: a table answers from MX
//! hosts its caller passes ([`crate::table::Table::lookup_with_mx`]).
//!
//! DNS data is untrusted: host names are whatever the server sent (non-ASCII,
//! escaped, over-long), so they go through the same normalization as patterns and
//! an invalid one matches nothing; an answer with more than [`MAX_MX_HOSTS`]
//! hosts is not used. Lookups run at most [`IN_FLIGHT`] at a time, each within
//! its timeout.

use std::net::SocketAddr;
use std::time::Duration;

use hickory_resolver::TokioResolver;
use hickory_resolver::config::{NameServerConfig, ResolverConfig, ResolverOpts};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::proto::rr::RData;

use crate::compiler::config::{Config, PatternEntry, PatternRef, PatternSet};
use crate::compiler::diagnostics::Collected;
use crate::compiler::rules::{mx_of_other_record, undeliverable_domain};
use crate::semantics::matcher::Matcher;
use crate::semantics::mx::answer_with_mx;
use crate::semantics::pattern::PatternKind;

/// Lookups in flight at once.
pub const IN_FLIGHT: usize = 64;
/// The most MX hosts an answer may have to be used (real domains have a handful).
pub const MAX_MX_HOSTS: usize = 128;

/// What DNS says of a domain's MX records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MxRecords {
    /// MX hosts in preference order (equal preferences in the order received).
    Hosts(Vec<String>),
    /// The domain exists and has no MX records: it is its own implicit MX.
    NoData,
    /// A null MX (RFC 7505): the domain accepts no mail.
    NullMx,
    /// The domain does not exist.
    NxDomain,
    /// The lookup failed (timeout, SERVFAIL, REFUSED, a malformed answer).
    Failed(String),
}

impl MxRecords {
    /// The hosts to pass to `lookup_with_mx`: none for NODATA, `["."]` for a null
    /// MX; `None` when no lookup with MX applies (NXDOMAIN, a failure).
    pub fn hosts(&self) -> Option<Vec<String>> {
        match self {
            MxRecords::Hosts(hosts) => Some(hosts.clone()),
            MxRecords::NoData => Some(Vec::new()),
            MxRecords::NullMx => Some(vec![crate::semantics::mx::NULL_MX.to_string()]),
            MxRecords::NxDomain | MxRecords::Failed(_) => None,
        }
    }
}

/// A stub resolver: the system's (`/etc/resolv.conf`) or one server.
pub struct Resolver {
    runtime: tokio::runtime::Runtime,
    resolver: TokioResolver,
    timeout: Duration,
}

impl Resolver {
    /// A resolver asking `server` (or the system's name servers), each query
    /// given `timeout`.
    pub fn new(server: Option<SocketAddr>, timeout: Duration) -> Result<Resolver, String> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the resolver: {e}"))?;
        let provider = TokioRuntimeProvider::default();
        let mut builder = match server {
            Some(addr) => {
                let mut ns = NameServerConfig::udp_and_tcp(addr.ip());
                for c in &mut ns.connections {
                    c.port = addr.port();
                }
                TokioResolver::builder_with_config(
                    ResolverConfig::from_name_servers(vec![ns]),
                    provider,
                )
            }
            None => TokioResolver::builder(provider)
                .map_err(|e| format!("cannot read the system's resolver configuration: {e}"))?,
        };
        let options: &mut ResolverOpts = builder.options_mut();
        options.timeout = timeout;
        options.attempts = 1;
        // Names are absolute: no search domains.
        options.ndots = 0;
        let resolver = {
            let _guard = runtime.enter();
            builder
                .build()
                .map_err(|e| format!("cannot start the resolver: {e}"))?
        };
        Ok(Resolver {
            runtime,
            resolver,
            timeout,
        })
    }

    /// The MX records of every domain, in order, at most [`IN_FLIGHT`] lookups at
    /// a time; `done` is called after each answer (for a progress bar).
    pub fn mx_of_all(&self, domains: &[String], mut done: impl FnMut()) -> Vec<MxRecords> {
        use std::collections::VecDeque;
        self.runtime.block_on(async {
            let mut out = vec![MxRecords::NoData; domains.len()];
            let mut pending: VecDeque<(usize, tokio::task::JoinHandle<MxRecords>)> =
                VecDeque::new();
            let mut next = 0;
            while next < domains.len() || !pending.is_empty() {
                while pending.len() < IN_FLIGHT && next < domains.len() {
                    let resolver = self.resolver.clone();
                    let (domain, timeout) = (domains[next].clone(), self.timeout);
                    let task =
                        tokio::spawn(async move { mx_of(&resolver, &domain, timeout).await });
                    pending.push_back((next, task));
                    next += 1;
                }
                if let Some((i, task)) = pending.pop_front() {
                    out[i] = task
                        .await
                        .unwrap_or_else(|e| MxRecords::Failed(format!("lookup task failed: {e}")));
                    done();
                }
            }
            out
        })
    }
}

/// One domain's MX records.
async fn mx_of(resolver: &TokioResolver, domain: &str, timeout: Duration) -> MxRecords {
    // The domain is absolute: a trailing dot keeps search domains out.
    let name = format!("{domain}.");
    let lookup = tokio::time::timeout(timeout + Duration::from_secs(1), resolver.mx_lookup(name));
    let lookup = match lookup.await {
        Err(_) => return MxRecords::Failed("timed out".into()),
        Ok(Err(e)) if e.is_nx_domain() => return MxRecords::NxDomain,
        Ok(Err(e)) if e.is_no_records_found() => return MxRecords::NoData,
        Ok(Err(e)) => return MxRecords::Failed(describe(&e.to_string())),
        Ok(Ok(lookup)) => lookup,
    };
    let mut mx: Vec<(u16, String)> = Vec::new();
    for record in lookup.answers() {
        if let RData::MX(m) = &record.data {
            if mx.len() == MAX_MX_HOSTS {
                return MxRecords::Failed(format!("more than {MAX_MX_HOSTS} MX records"));
            }
            let host = if m.exchange.is_root() {
                ".".to_string()
            } else {
                m.exchange.to_ascii()
            };
            mx.push((m.preference, host));
        }
    }
    mx.sort_by_key(|(preference, _)| *preference);
    let hosts: Vec<String> = mx.into_iter().map(|(_, h)| h).collect();
    match hosts.as_slice() {
        [] => MxRecords::NoData,
        [only] if only == "." => MxRecords::NullMx,
        _ => MxRecords::Hosts(hosts),
    }
}

/// A resolver error in a few words (hickory's messages can be long).
fn describe(message: &str) -> String {
    let first: String = message.chars().take(120).collect();
    crate::semantics::escape::escape(&first).into_owned()
}

/// What `check --resolve` could not find out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DnsSummary {
    /// How many domains were looked up.
    pub resolved: usize,
    /// The domains whose lookup failed, with why (all of them; print a few).
    pub failed: Vec<(String, String)>,
}

/// Resolves every exact domain of the operator's files (not the defaults': those
/// are the release's to keep) and reports what DNS contradicts:
/// `undeliverable-domain` and `mx-of-other-record`.
pub(crate) fn lint(config: &Config, resolver: &Resolver, out: &mut Collected) -> DnsSummary {
    let domains: Vec<(PatternRef, &PatternEntry)> = config
        .patterns()
        .filter(|(_, e)| !e.from_defaults && e.pattern.kind() == PatternKind::Exact)
        .collect();
    let names: Vec<String> = domains
        .iter()
        .map(|(_, e)| e.pattern.as_str().to_string())
        .collect();
    let answers = resolver.mx_of_all(&names, || {});
    let mx = Matcher::from_patterns(
        config
            .patterns_in(PatternSet::Mx)
            .map(|(p, e)| (&e.pattern, p)),
    );
    let mut summary = DnsSummary {
        resolved: names.len(),
        failed: Vec::new(),
    };
    for ((p, entry), answer) in domains.into_iter().zip(answers) {
        let record = &config.record(p.record).name;
        let domain = entry.pattern.as_str();
        match &answer {
            MxRecords::NxDomain | MxRecords::NullMx => {
                out.push(undeliverable_domain::new(
                    domain,
                    record,
                    entry.span,
                    answer == MxRecords::NullMx,
                ));
            }
            MxRecords::Failed(why) => summary.failed.push((domain.to_string(), why.clone())),
            MxRecords::Hosts(_) | MxRecords::NoData => {
                let hosts = answer.hosts().unwrap_or_default();
                let found = answer_with_mx(
                    domain,
                    &hosts,
                    |_| None,
                    |h| mx.lookup(h).map(|m| *m.target),
                    |p: &PatternRef| p.record.0 as usize,
                );
                if let (Some(by), Some(mx)) = (found.found(), found.mx())
                    && by.record != p.record
                {
                    let host = mx.hosts.first().map_or("", |h| &*h.host);
                    out.push(mx_of_other_record::new(
                        domain,
                        record,
                        entry.span,
                        &config.record(by.record).name,
                        config.pattern(*by),
                        host,
                        mx.hosts.len(),
                    ));
                }
            }
        }
    }
    summary
}
