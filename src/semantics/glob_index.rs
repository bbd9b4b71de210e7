//! Matching a domain against the globs of a configuration, first match in order.
//!
//! Running every glob on every lookup is slow, and almost every domain matches
//! none, so each glob is filed under one literal key that any name it matches must
//! contain: a whole literal label (`.brand7.com.` in `mx?.brand7.com`, matched
//! against the domain written `.like.this.`) or a run of literal characters in a
//! wild label (`g12` in `g12?.example`). Of its keys, a glob is filed under the one
//! fewest globs share so far, so 5,000 globs `gN?.example` are filed under `g0`,
//! `g1`, ... rather than all under `.example.`. One Aho-Corasick pass over the
//! domain finds the keys it contains; only the globs filed under them, plus those
//! without any key (`*.*`), are tried, in order.
//!
//! Building the index is linear in the globs' total length (keys are counted in a
//! hash map), and a glob is matched from its text (`glob_match.rs`), with nothing
//! compiled or kept per glob: a table of a million globs opens at once, and a
//! reader's memory does not grow with the globs its lookups try.

use aho_corasick::AhoCorasick;
use foldhash::{HashMap, HashMapExt};

use super::glob::{glob_labels, is_stored_glob, is_wild};
use super::glob_match;
use super::name::MAX_NAME_LEN;

/// Globs in precedence order, with a literal prefilter.
#[derive(Debug, Default)]
pub(crate) struct GlobIndex {
    globs: Vec<Box<str>>,
    /// Whether each glob is in the grammar of stored globs (only a forged table
    /// holds one that is not; it never matches).
    stored: Vec<bool>,
    /// The keys, and for each, the globs filed under it.
    literals: Option<AhoCorasick>,
    needs: Vec<Vec<u32>>,
    /// Globs without a key: always tried.
    unfiltered: Vec<u32>,
}

/// The keys a glob may be filed under: each literal label as `.label.`, and each
/// run of literal characters in a wild label (classes and alternatives skipped:
/// what they match is not fixed).
fn keys(glob: &str) -> Vec<String> {
    let mut out = Vec::new();
    for label in glob_labels(glob) {
        if label == "**" {
            continue;
        }
        if !is_wild(label) {
            out.push(format!(".{label}."));
            continue;
        }
        let mut run = String::new();
        let mut chars = label.chars();
        while let Some(c) = chars.next() {
            match c {
                '*' | '?' => {}
                '[' => {
                    for c in chars.by_ref() {
                        if c == ']' {
                            break;
                        }
                    }
                }
                '{' => {
                    for c in chars.by_ref() {
                        if c == '}' {
                            break;
                        }
                    }
                }
                c => {
                    run.push(c);
                    continue;
                }
            }
            if !run.is_empty() {
                out.push(std::mem::take(&mut run));
            }
        }
        if !run.is_empty() {
            out.push(run);
        }
    }
    out
}

impl GlobIndex {
    /// Indexes globs (normalized glob texts) in precedence order.
    pub(crate) fn new<'a>(globs: impl IntoIterator<Item = &'a str>) -> GlobIndex {
        let mut index = GlobIndex::default();
        let mut key_ids: HashMap<String, usize> = HashMap::new();
        let mut literals: Vec<String> = Vec::new();
        for (i, glob) in globs.into_iter().enumerate() {
            let i = i as u32;
            index.globs.push(glob.into());
            let stored = is_stored_glob(glob);
            index.stored.push(stored);
            if !stored {
                // Outside the grammar of stored globs (a forged table): it
                // matches nothing, so it is never tried.
                continue;
            }
            // The key fewest globs share so far; the longer one on a tie.
            let best = keys(glob).into_iter().min_by_key(|k| {
                let shared = key_ids.get(k).map_or(0, |&id| index.needs[id].len());
                (shared, std::cmp::Reverse(k.len()))
            });
            match best {
                Some(key) => {
                    let id = *key_ids.entry(key.clone()).or_insert_with(|| {
                        literals.push(key);
                        index.needs.push(Vec::new());
                        index.needs.len() - 1
                    });
                    index.needs[id].push(i);
                }
                None => index.unfiltered.push(i),
            }
        }
        if !literals.is_empty() {
            index.literals = AhoCorasick::new(&literals).ok();
            if index.literals.is_none() {
                // Cannot happen for keys of domain names; stay correct anyway.
                index.unfiltered.extend(index.needs.drain(..).flatten());
                index.unfiltered.sort_unstable();
            }
        }
        index
    }

    /// Whether glob `i` matches `domain`.
    fn is_match(&self, i: usize, domain: &str) -> bool {
        self.stored[i] && glob_match::matches(&self.globs[i], domain)
    }

    /// The first glob, in order, that matches `domain`.
    pub(crate) fn first_match(&self, domain: &str) -> Option<usize> {
        if self.globs.is_empty() || domain.len() > MAX_NAME_LEN {
            return None;
        }
        // The lowest-numbered candidate that matches (candidates arrive out of order).
        let mut best: Option<usize> = None;
        let mut try_glob = |i: usize| {
            if best.is_none_or(|b| i < b) && self.is_match(i, domain) {
                best = Some(i);
            }
        };
        for &i in &self.unfiltered {
            try_glob(i as usize);
        }
        if let Some(literals) = &self.literals {
            let mut padded = [0u8; MAX_NAME_LEN + 2];
            padded[0] = b'.';
            padded[1..=domain.len()].copy_from_slice(domain.as_bytes());
            padded[domain.len() + 1] = b'.';
            for m in literals.find_overlapping_iter(&padded[..domain.len() + 2]) {
                for &i in &self.needs[m.pattern().as_usize()] {
                    try_glob(i as usize);
                }
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::semantics::glob::compile_glob;
    use globset::GlobMatcher;

    #[test]
    fn keys_are_what_every_match_contains() {
        assert_eq!(keys("mx?.brand7.com"), ["mx", ".brand7.", ".com."]);
        assert_eq!(keys("**.example.com"), [".example.", ".com."]);
        assert_eq!(keys("g12?.example"), ["g12", ".example."]);
        assert_eq!(keys("a[bc]d*e"), ["a", "d", "e"]);
        assert_eq!(keys("{eu,us}.x?"), ["x"]);
        assert!(keys("*.*").is_empty());
    }

    #[test]
    fn shared_labels_do_not_defeat_the_prefilter() {
        let globs: Vec<String> = (0..5000).map(|i| format!("g{i}?.example")).collect();
        let index = GlobIndex::new(globs.iter().map(String::as_str));
        // `.example.` files one glob; the others are under their own `gN`.
        assert!(index.needs.iter().all(|n| n.len() <= 1));
        assert_eq!(index.first_match("x.example"), None);
        assert_eq!(index.first_match("g4321z.example"), Some(4321));
    }

    #[test]
    fn first_match_in_order_with_prefilter() {
        let index = GlobIndex::new(["mx?.brand7.com", "**.brand7.com", "*.*", "yahoo.**"]);
        assert_eq!(index.first_match("mx1.brand7.com"), Some(0));
        assert_eq!(index.first_match("brand7.com"), Some(1));
        assert_eq!(index.first_match("a.b.brand7.com"), Some(1));
        assert_eq!(index.first_match("yahoo.fr"), Some(2));
        assert_eq!(index.first_match("yahoo.co.uk"), Some(3));
    }

    /// The prefilter never changes an answer: compare with trying every glob in
    /// order, over all short names from a small alphabet.
    #[test]
    fn prefilter_agrees_with_trying_every_glob() {
        let globs = [
            "a.*",
            "*.co.*",
            "mail.**",
            "**.com",
            "x?.com",
            "[ab].uk",
            "{a,b}.net",
            "gmail.c?",
            "*.*.uk",
            "**.mail.co.uk",
            "a.**.com",
            "x{,1}.com",
            "[!a].co.*",
            // Outside the grammar: they match nothing (`a/b.*` would match
            // `a.b.com` through globset, while its key `.a/b.` is in no name).
            "a/b.*",
            "**.**.com",
            "[a-c-e].uk",
        ];
        let index = GlobIndex::new(globs);
        let matchers: Vec<_> = globs.iter().map(|g| spec_matcher(g)).collect();
        let labels = [
            "a", "b", "x", "x1", "mail", "gmail", "co", "uk", "com", "net",
        ];
        let mut names: Vec<String> = labels.iter().map(|l| l.to_string()).collect();
        for _ in 0..3 {
            let longer: Vec<String> = names
                .iter()
                .flat_map(|n| labels.iter().map(move |l| format!("{l}.{n}")))
                .collect();
            names.extend(longer);
        }
        for name in &names {
            let path = name.replace('.', "/");
            let naive = matchers
                .iter()
                .position(|m| m.as_ref().is_some_and(|m| m.is_match(&path)));
            assert_eq!(index.first_match(name), naive, "{name}");
        }
    }

    /// What section 11 of the spec says a stored glob matches, without any
    /// prefilter: nothing outside the grammar, else the globset translation.
    fn spec_matcher(glob: &str) -> Option<GlobMatcher> {
        is_stored_glob(glob).then(|| compile_glob(glob).unwrap().compile_matcher())
    }

    /// Every string of up to `len` characters over `alphabet`.
    fn strings(alphabet: &[char], len: usize) -> Vec<String> {
        let mut all = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..len {
            last = last
                .iter()
                .flat_map(|s| alphabet.iter().map(move |&c| format!("{s}{c}")))
                .collect();
            all.extend(last.iter().cloned());
        }
        all
    }

    /// The class of the `/` bug: for every glob of up to four characters over
    /// the glob syntax, letters, `.` and `/`, and every base glob with any ASCII
    /// punctuation character put anywhere, the prefilter gives the answer of
    /// trying the glob on every name of up to three short labels.
    #[test]
    fn prefilter_never_changes_an_answer_for_any_punctuation() {
        let syntax = [
            'a', 'b', '.', '-', '*', '?', '[', ']', '{', '}', ',', '!', '^', '/',
        ];
        let mut globs = strings(&syntax, 4);
        let bases = ["a*.b", "[ab]b.**", "{a,b-}.a", "**.a?", "a.**.b"];
        for p in (b'!'..=b'~')
            .filter(u8::is_ascii_punctuation)
            .map(char::from)
        {
            for base in bases {
                for at in 0..=base.len() {
                    globs.push(format!("{}{p}{}", &base[..at], &base[at..]));
                }
            }
        }
        let labels = ["a", "b", "ab", "ba", "aa", "a-b", "bab"];
        let mut names: Vec<String> = labels.iter().map(|l| l.to_string()).collect();
        for _ in 0..2 {
            let longer: Vec<String> = names
                .iter()
                .filter(|n| n.matches('.').count() < 2)
                .flat_map(|n| labels.iter().map(move |l| format!("{l}.{n}")))
                .collect();
            names.extend(longer);
        }
        names.sort();
        names.dedup();
        let paths: Vec<String> = names.iter().map(|n| n.replace('.', "/")).collect();
        for glob in &globs {
            let Some(matcher) = spec_matcher(glob) else {
                // Never tried, so it answers nothing either way.
                assert!(GlobIndex::new([glob.as_str()]).first_match("a.b").is_none());
                continue;
            };
            let index = GlobIndex::new([glob.as_str()]);
            for (name, path) in names.iter().zip(&paths) {
                let naive = matcher.is_match(path).then_some(0);
                assert_eq!(index.first_match(name), naive, "glob {glob:?}, name {name}");
            }
        }
    }
}
