//! What a lookup query means: a recipient domain or an email address, reduced to a
//! normalized domain, and the possible answers (with MX hosts, two more: see
//! [`super::mx`]).

use std::borrow::Cow;

use super::name::{DomainError, normalize_domain, validate};

/// One MX host and what its MX patterns matched.
#[derive(Clone, Debug)]
pub struct HostMatch<M> {
    /// The host, normalized (as given when it is not a valid host name).
    pub host: String,
    /// Why the host is not a valid host name; such a host matches nothing.
    pub invalid: Option<DomainError>,
    /// What matched it.
    pub found: Option<M>,
}

/// What the MX hosts of a domain matched.
#[derive(Clone, Debug)]
pub struct MxAnswer<M> {
    /// Every host in preference order (for an implicit MX, the domain itself).
    pub hosts: Vec<HostMatch<M>>,
    /// There were no MX records: the domain stood in for its MX (RFC 5321 5.1).
    pub implicit: bool,
    /// Every host matched, and all matched the same record.
    pub agreed: bool,
}

impl<M> MxAnswer<M> {
    /// The match of the most preferred host, when every host agreed.
    pub fn found(&self) -> Option<&M> {
        if self.agreed {
            self.hosts.first()?.found.as_ref()
        } else {
            None
        }
    }
}

/// The answer to one query.
#[derive(Clone, Debug)]
pub enum Answer<'q, M> {
    /// The query is not a domain or an email address with a valid domain.
    Invalid(DomainError),
    /// A valid domain that no pattern matches.
    Miss(Cow<'q, str>),
    /// A valid domain and what matched it.
    Hit(Cow<'q, str>, M),
    /// A valid domain that no pattern names, and what its MX hosts matched
    /// (step 4): a record when every host matched the same one.
    Mx(Cow<'q, str>, MxAnswer<M>),
    /// A valid domain with a null MX (RFC 7505): it accepts no mail.
    NullMx(Cow<'q, str>),
}

impl<'q, M> Answer<'q, M> {
    /// The normalized domain, unless the query is invalid.
    pub fn domain(&self) -> Option<&str> {
        match self {
            Answer::Invalid(_) => None,
            Answer::Miss(d) | Answer::Hit(d, _) | Answer::Mx(d, _) | Answer::NullMx(d) => Some(d),
        }
    }

    /// What matched, if anything: the domain's pattern, or the MX pattern of the
    /// most preferred host when every host matched the same record.
    pub fn found(&self) -> Option<&M> {
        match self {
            Answer::Hit(_, m) => Some(m),
            Answer::Mx(_, mx) => mx.found(),
            _ => None,
        }
    }

    /// What the MX hosts matched, when they were asked.
    pub fn mx(&self) -> Option<&MxAnswer<M>> {
        match self {
            Answer::Mx(_, mx) => Some(mx),
            _ => None,
        }
    }
}

/// The domain a query names: the part after the last `@` of an email address
/// (angle brackets allowed), normalized like a pattern. Already-normalized domains
/// are not copied.
pub fn domain_of(query: &str) -> Result<Cow<'_, str>, DomainError> {
    let query = query.trim();
    let query = query
        .strip_prefix('<')
        .and_then(|q| q.strip_suffix('>'))
        .unwrap_or(query);
    let domain = query.rsplit_once('@').map_or(query, |(_, d)| d);
    let plain = domain
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
    if plain && !domain.ends_with('.') && !domain.split('.').any(|l| l.starts_with("xn--")) {
        validate(domain, 2)?;
        return Ok(Cow::Borrowed(domain));
    }
    normalize_domain(domain).map(Cow::Owned)
}

/// Answers a query with `lookup`, which receives the normalized domain.
pub fn answer<'q, M>(query: &'q str, lookup: impl FnOnce(&str) -> Option<M>) -> Answer<'q, M> {
    match domain_of(query) {
        Err(e) => Answer::Invalid(e),
        Ok(domain) => match lookup(&domain) {
            Some(m) => Answer::Hit(domain, m),
            None => Answer::Miss(domain),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::domain_of;

    #[test]
    fn reduces_addresses_and_normalizes() {
        assert_eq!(domain_of("user@GMail.com.").unwrap(), "gmail.com");
        assert_eq!(
            domain_of(" <a.b@mail.example.co.uk> ").unwrap(),
            "mail.example.co.uk"
        );
        assert_eq!(domain_of("\"a@b\"@example.com").unwrap(), "example.com");
        assert_eq!(domain_of("почта.рф").unwrap(), "xn--80a1acny.xn--p1ai");
        assert!(matches!(
            domain_of("gmail.com").unwrap(),
            std::borrow::Cow::Borrowed(_)
        ));
        for bad in [
            "",
            "@",
            "user@",
            "localhost",
            "a..b",
            "[192.0.2.1]",
            "10.0.0.1",
        ] {
            assert!(domain_of(bad).is_err(), "{bad}");
        }
    }
}
