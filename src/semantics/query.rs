//! What a lookup query means: a recipient domain or an email address, reduced to a
//! normalized domain, and the possible answers (with MX hosts, two more: see
//! [`super::mx`]).

use std::borrow::Cow;

use super::name::{DomainError, MAX_LABEL_LEN, MAX_NAME_LEN, normalize_domain, validate};

/// One MX host and what its MX patterns matched.
#[derive(Clone, Debug)]
pub struct HostMatch<'h, M> {
    /// The host, normalized (as given when it is not a valid host name).
    pub host: Cow<'h, str>,
    /// Why the host is not a valid host name; such a host matches nothing.
    pub invalid: Option<DomainError>,
    /// What matched it.
    pub found: Option<M>,
}

/// What the MX hosts of a domain matched.
#[derive(Clone, Debug)]
pub struct MxAnswer<'h, M> {
    /// Every host in preference order (for an implicit MX, the domain itself).
    pub hosts: Vec<HostMatch<'h, M>>,
    /// There were no MX records: the domain stood in for its MX (RFC 5321 5.1).
    pub implicit: bool,
    /// Every host matched, and all matched the same record.
    pub agreed: bool,
}

impl<M> MxAnswer<'_, M> {
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
    Mx(Cow<'q, str>, MxAnswer<'q, M>),
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
    pub fn mx(&self) -> Option<&MxAnswer<'q, M>> {
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
    normalized(domain)
}

/// A host name (an MX host as DNS gives it, with or without its trailing dot)
/// normalized like a domain; already-normalized names are not copied.
pub fn host_of(host: &str) -> Result<Cow<'_, str>, DomainError> {
    let host = host.trim();
    // DNS gives hosts with their trailing dot: borrowed when the rest is
    // normal. Anything else takes the full path, which removes one dot only
    // (`mx.example.net..` is invalid, as a domain is).
    match host.strip_suffix('.') {
        Some(body) if is_normal(body.as_bytes()) => Ok(Cow::Borrowed(body)),
        _ => normalized(host),
    }
}

/// A name normalized: borrowed when it is already lowercase ASCII without `xn--`
/// labels (only validated), else converted.
fn normalized(name: &str) -> Result<Cow<'_, str>, DomainError> {
    if is_normal(name.as_bytes()) {
        return Ok(Cow::Borrowed(name));
    }
    let plain = name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
    if plain && !name.ends_with('.') && !name.split('.').any(|l| l.starts_with("xn--")) {
        validate(name, 2)?;
        return Ok(Cow::Borrowed(name));
    }
    normalize_domain(name).map(Cow::Owned)
}

/// Whether a name is already a valid, normalized domain, in one pass: lowercase
/// LDH labels of 1 to 63 bytes, no hyphen at a label's edge, at least two labels,
/// a last label not all digits, at most 253 bytes, no `xn--` label (those are
/// checked by IDNA). The common case of every lookup; anything else takes the
/// full path, which also says what is wrong.
pub(crate) fn is_normal(name: &[u8]) -> bool {
    if name.is_empty() || name.len() > MAX_NAME_LEN {
        return false;
    }
    let (mut label_start, mut labels, mut digits_only, mut prev) = (0, 1, true, b'.');
    for (i, &b) in name.iter().enumerate() {
        match b {
            b'a'..=b'z' => digits_only = false,
            b'0'..=b'9' => {}
            b'-' => {
                let at = i - label_start;
                if prev == b'.' || (at == 3 && &name[label_start..i] == b"xn-") {
                    return false;
                }
                digits_only = false;
            }
            b'.' => {
                if prev == b'.' || prev == b'-' || i - label_start > MAX_LABEL_LEN {
                    return false;
                }
                labels += 1;
                label_start = i + 1;
                digits_only = true;
            }
            _ => return false,
        }
        prev = b;
    }
    prev != b'.'
        && prev != b'-'
        && name.len() - label_start <= MAX_LABEL_LEN
        && labels >= 2
        && !digits_only
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
    use super::{domain_of, host_of};

    /// A host loses one trailing dot, like a domain, and nothing else.
    #[test]
    fn hosts_lose_one_trailing_dot() {
        assert_eq!(host_of("MX1.Example.NET.").unwrap(), "mx1.example.net");
        assert!(matches!(
            host_of("mx1.example.net.").unwrap(),
            std::borrow::Cow::Borrowed("mx1.example.net")
        ));
        for bad in [
            "mx1.example.net..",
            "mx1.example.net .",
            "a@mx.example.net",
            ".",
        ] {
            assert!(host_of(bad).is_err(), "{bad}");
        }
    }

    /// The one-pass check accepts exactly the names the full path keeps as they
    /// are.
    #[test]
    fn the_fast_check_agrees_with_the_full_path() {
        let long_label = "a".repeat(64);
        let long_name = format!("{}.com", "a.".repeat(125));
        for name in [
            "gmail.com",
            "a.b",
            "x-y.example",
            "mx1.mail.example.com",
            "1.2.3.4",
            "a.1com",
            "a.123",
            "-a.com",
            "a-.com",
            "a..b",
            ".a.b",
            "a.b.",
            "com",
            "xn--80a1acny.xn--p1ai",
            "xn--bad.com",
            "axn--b.com",
            "x.xn-a.com",
            "ab--cd.com",
            "A.com",
            "a_b.com",
            "",
            &long_label,
            &format!("{long_label}.com"),
            &long_name,
            "a.b-",
            "0.example",
        ] {
            let full = super::validate(name, 2).is_ok()
                && !name.split('.').any(|l| l.starts_with("xn--"))
                && name.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.'
                });
            assert_eq!(super::is_normal(name.as_bytes()), full, "{name}");
        }
    }

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
