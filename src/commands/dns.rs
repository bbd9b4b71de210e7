//! The resolver the DNS flags ask for (`--resolve`, `--dns`, `--dns-timeout`),
//! shared by `lookup` and `check`.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use isptab::compiler::resolve::Resolver;
use isptab::semantics::escape::escape;

use super::UsageError;
use crate::cli::DnsArgs;

/// The resolver `--resolve`, `--dns` and `--dns-timeout` ask for.
pub fn resolver(dns: &DnsArgs) -> Result<Resolver, UsageError> {
    let server = match &dns.dns {
        None => None,
        Some(text) => Some(
            text.parse::<SocketAddr>()
                .or_else(|_| text.parse::<IpAddr>().map(|ip| SocketAddr::new(ip, 53)))
                .map_err(|_| {
                    UsageError(format!(
                        "--dns `{}`: expected IP:PORT or IP, such as 127.0.0.1:5353",
                        escape(text)
                    ))
                })?,
        ),
    };
    if !(dns.dns_timeout.is_finite() && dns.dns_timeout > 0.0 && dns.dns_timeout <= 600.0) {
        return Err(UsageError(
            "--dns-timeout: expected seconds between 0 and 600".into(),
        ));
    }
    Resolver::new(server, Duration::from_secs_f64(dns.dns_timeout)).map_err(UsageError)
}
