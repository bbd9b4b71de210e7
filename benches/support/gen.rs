//! Deterministic synthetic mail-domain data for benchmarks: realistic label lengths
//! and a TLD mix with multi-label public suffixes, suffix rules, globs, and query
//! streams (uniform hits, Zipf-skewed hits, deep suffix walks, misses), in
//! several name-length mixes ([`Mix`]): table size and build time depend on how
//! long the names are, so every benchmark runs each mix.
//!
//! Shared by `examples/gen-domains.rs` and the benchmarks (`#[path]` includes).

#![allow(dead_code)]

use std::collections::HashSet;

/// SplitMix64: small, fast, and the same numbers on every machine.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64 * n as f64) as usize
    }

    pub fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / ((1u64 << 53) as f64) < p
    }
}

/// Top-level and public suffixes with rough weights of their share of mail domains.
const TLDS: &[(&str, u32)] = &[
    ("com", 400),
    ("net", 70),
    ("org", 50),
    ("de", 60),
    ("co.uk", 45),
    ("ru", 40),
    ("com.br", 35),
    ("fr", 30),
    ("co.jp", 25),
    ("it", 20),
    ("nl", 20),
    ("pl", 18),
    ("es", 15),
    ("ca", 15),
    ("com.au", 15),
    ("in", 12),
    ("info", 10),
    ("io", 10),
    ("ch", 8),
    ("se", 8),
    ("jp", 8),
    ("cz", 6),
    ("be", 6),
    ("at", 6),
    ("co.za", 5),
    ("com.mx", 5),
    ("com.tr", 5),
    ("us", 5),
];

const CONSONANTS: &[u8] = b"bcdfghjklmnprstvwz";
const VOWELS: &[u8] = b"aeiou";

fn tld(rng: &mut Rng) -> &'static str {
    let total: u32 = TLDS.iter().map(|(_, w)| w).sum();
    let mut pick = rng.below(total as usize) as u32;
    for (t, w) in TLDS {
        if pick < *w {
            return t;
        }
        pick -= w;
    }
    "com"
}

/// How long the generated names are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mix {
    /// Labels of 4-14 characters: about 14.5 bytes a name.
    Short,
    /// Labels of 10-22 characters: about 21 bytes a name.
    Medium,
    /// Labels of 17-31 characters: about 29 bytes a name.
    Long,
    /// Hosted customers, `cust123456-9f3a.provider.com`: about 29 bytes a name,
    /// most of it random digits (what a new user's first test list looks like).
    Hex,
    /// The 4,461 mail domains among the 4,466 lines of a real free-mail list
    /// (`benches/data/freemail-free.txt`, about 13 bytes a name), however many
    /// names were asked for.
    Real,
}

impl Mix {
    /// Every mix, in the order benchmarks run them.
    pub const ALL: [Mix; 5] = [Mix::Short, Mix::Medium, Mix::Long, Mix::Hex, Mix::Real];

    /// The mix's name on command lines and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Mix::Short => "short",
            Mix::Medium => "medium",
            Mix::Long => "long",
            Mix::Hex => "hex",
            Mix::Real => "real",
        }
    }

    /// The mix named `name`.
    pub fn parse(name: &str) -> Option<Mix> {
        Mix::ALL.into_iter().find(|m| m.name() == name)
    }

    /// The mixes listed in the environment variable `var` (comma-separated), or
    /// every mix.
    pub fn from_env(var: &str) -> Vec<Mix> {
        std::env::var(var)
            .ok()
            .map(|s| s.split(',').filter_map(|m| Mix::parse(m.trim())).collect())
            .unwrap_or_else(|| Mix::ALL.to_vec())
    }

    /// The shortest label and how many more characters a label may have.
    fn label_lengths(self) -> (usize, usize) {
        match self {
            Mix::Short | Mix::Hex | Mix::Real => (4, 11),
            Mix::Medium => (10, 13),
            Mix::Long => (17, 15),
        }
    }
}

/// The real list, one name per line.
const REAL: &str = include_str!("../data/freemail-free.txt");

/// A pronounceable label of 4 to 14 characters, sometimes with a digit or hyphen.
fn label(rng: &mut Rng) -> String {
    label_of(rng, Mix::Short)
}

/// A pronounceable label of the mix's length, sometimes with a digit or hyphen.
fn label_of(rng: &mut Rng, mix: Mix) -> String {
    let (min, spread) = mix.label_lengths();
    let len = min + rng.below(spread);
    let mut s = String::with_capacity(len);
    while s.len() < len {
        s.push(CONSONANTS[rng.below(CONSONANTS.len())] as char);
        if s.len() < len {
            s.push(VOWELS[rng.below(VOWELS.len())] as char);
        }
    }
    if rng.chance(0.05) {
        s.push(char::from(b'0' + rng.below(10) as u8));
    }
    if rng.chance(0.03) {
        s.insert(len / 2, '-');
    }
    s
}

/// Whether a name is itself a public suffix (such as `bari.it`): not a mail domain.
fn is_public_suffix(name: &str) -> bool {
    psl::suffix(name.as_bytes()).is_some_and(|s| s.as_bytes() == name.as_bytes())
}

/// A registrable name: a label under a public suffix, never a suffix itself.
fn registrable(rng: &mut Rng) -> String {
    registrable_of(rng, Mix::Short)
}

/// A registrable name of the mix's length.
fn registrable_of(rng: &mut Rng, mix: Mix) -> String {
    loop {
        let name = format!("{}.{}", label_of(rng, mix), tld(rng));
        if !is_public_suffix(&name) {
            return name;
        }
    }
}

/// A domain of the mix: for the hex mix a customer name under a provider,
/// otherwise a registrable domain, 20% of them with a `mail.`/`mx.` style host
/// label.
fn domain(rng: &mut Rng, mix: Mix) -> String {
    if mix == Mix::Hex {
        return format!(
            "cust{}-{:04x}.{}",
            rng.below(1_000_000),
            rng.next() & 0xffff,
            registrable(rng)
        );
    }
    let base = registrable_of(rng, mix);
    if rng.chance(0.2) {
        let host = ["mail", "mx", "smtp", "post", "email"][rng.below(5)];
        format!("{host}.{base}")
    } else {
        base
    }
}

/// The data of one benchmark size.
pub struct DataSet {
    /// Exact names.
    pub domains: Vec<String>,
    /// Suffix rule bases (`*.BASE`), none of them an exact name.
    pub suffixes: Vec<String>,
    /// Globs.
    pub globs: Vec<String>,
}

/// `n` unique domains, `suffix_count` suffix rules and `glob_count` globs, of
/// the short mix.
pub fn dataset(n: usize, suffix_count: usize, glob_count: usize, seed: u64) -> DataSet {
    dataset_of(Mix::Short, n, suffix_count, glob_count, seed)
}

/// `n` unique domains of `mix` (at most the real list's names for
/// [`Mix::Real`]), `suffix_count` suffix rules and `glob_count` globs.
pub fn dataset_of(
    mix: Mix,
    mut n: usize,
    suffix_count: usize,
    glob_count: usize,
    seed: u64,
) -> DataSet {
    if mix == Mix::Real {
        n = n.min(REAL.lines().count());
    }
    let mut rng = Rng(seed);
    let mut seen = HashSet::with_capacity(n + suffix_count);
    let mut domains = Vec::with_capacity(n);
    if mix == Mix::Real {
        // The list is real: a few lines are not mail domains (`404: not
        // found`, `asean-mail`, the public suffix `dyndns.org`).
        let domain_like = |l: &&str| {
            l.contains('.')
                && l.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
                && !is_public_suffix(l)
        };
        for name in REAL.lines().map(str::trim).filter(domain_like) {
            if domains.len() < n && seen.insert(name.to_string()) {
                domains.push(name.to_string());
            }
        }
    }
    while mix != Mix::Real && domains.len() < n {
        let d = domain(&mut rng, mix);
        if seen.insert(d.clone()) {
            domains.push(d);
        }
    }
    let mut suffixes = Vec::with_capacity(suffix_count);
    while suffixes.len() < suffix_count {
        let d = registrable(&mut rng);
        if seen.insert(d.clone()) {
            suffixes.push(d);
        }
    }
    let globs = (0..glob_count)
        .map(|i| match i % 3 {
            0 => format!("brand{i}.co.*"),
            1 => format!("mx?.brand{i}.com"),
            _ => format!("{{eu,us}}.brand{i}.net"),
        })
        .collect();
    DataSet {
        domains,
        suffixes,
        globs,
    }
}

/// Query streams of `count` queries each.
pub struct Queries {
    /// Exact names, uniformly chosen.
    pub uniform: Vec<String>,
    /// Exact names, Zipf-skewed (s = 1): a few big providers get most of the mail.
    pub zipf: Vec<String>,
    /// Names three labels below a suffix rule (`a.b.mail.example.co.uk`): a
    /// four-candidate walk before the rule matches.
    pub suffix_walk: Vec<String>,
    /// Names nothing matches.
    pub miss: Vec<String>,
}

pub fn queries(data: &DataSet, count: usize, seed: u64) -> Queries {
    let mut rng = Rng(seed);
    let n = data.domains.len();
    let uniform = (0..count)
        .map(|_| data.domains[rng.below(n)].clone())
        .collect();
    // Zipf by inverse transform over the harmonic numbers (approximation).
    let h = (n as f64).ln() + 0.5772;
    let zipf = (0..count)
        .map(|_| {
            let u = (rng.next() >> 11) as f64 / (1u64 << 53) as f64;
            let rank = ((u * h).exp() - 1.0).clamp(0.0, (n - 1) as f64) as usize;
            data.domains[rank].clone()
        })
        .collect();
    let suffix_walk = (0..count)
        .map(|_| {
            let base = &data.suffixes[rng.below(data.suffixes.len())];
            format!("a{}.b{}.mail.{base}", rng.below(100), rng.below(100))
        })
        .collect();
    let miss = (0..count)
        .map(|i| format!("qqzz{i}{}.{}", label(&mut rng), tld(&mut rng)))
        .collect();
    Queries {
        uniform,
        zipf,
        suffix_walk,
        miss,
    }
}
