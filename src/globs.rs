//! Matching a domain against the globs of a configuration, first match in order.
//!
//! Running every glob on every lookup is slow (a regex set over all of them), and
//! almost every domain matches none. So each glob's longest run of literal labels
//! (`.brand7.com.` in `mx?.brand7.com`) is found with one Aho-Corasick pass over
//! the domain (written `.like.this.` so runs at either end are found too), and only
//! the globs whose run occurs, plus those without one (`*.*`), are tried, in order.

use aho_corasick::AhoCorasick;
use globset::GlobMatcher;

use crate::domain::{glob_labels, is_wild};
use crate::matcher::compile_glob;

/// Globs in precedence order, with a literal prefilter.
#[derive(Debug, Default)]
pub(crate) struct GlobIndex {
    /// One matcher per glob (`None` for a glob that does not compile, which only a
    /// corrupted table can hold; it never matches).
    matchers: Vec<Option<GlobMatcher>>,
    /// The literal runs, and for each, the globs that need it.
    literals: Option<AhoCorasick>,
    needs: Vec<Vec<usize>>,
    /// Globs without a literal run: always tried.
    unfiltered: Vec<usize>,
}

/// The longest run of literal labels of a glob, as `.a.b.`; `None` if every label
/// has a wildcard.
fn literal_run(glob: &str) -> Option<String> {
    let mut best: Vec<&str> = Vec::new();
    let mut run: Vec<&str> = Vec::new();
    for label in glob_labels(glob).chain([""]) {
        if !label.is_empty() && !is_wild(label) {
            run.push(label);
            continue;
        }
        if run.iter().map(|l| l.len() + 1).sum::<usize>()
            > best.iter().map(|l| l.len() + 1).sum::<usize>()
        {
            best = std::mem::take(&mut run);
        }
        run.clear();
    }
    (!best.is_empty()).then(|| format!(".{}.", best.join(".")))
}

impl GlobIndex {
    /// Indexes globs (normalized glob texts) in precedence order.
    pub(crate) fn new<'a>(globs: impl IntoIterator<Item = &'a str>) -> GlobIndex {
        let mut index = GlobIndex::default();
        let mut literals: Vec<String> = Vec::new();
        for (i, glob) in globs.into_iter().enumerate() {
            index
                .matchers
                .push(compile_glob(glob).ok().map(|g| g.compile_matcher()));
            match literal_run(glob) {
                Some(run) => match literals.iter().position(|l| *l == run) {
                    Some(p) => index.needs[p].push(i),
                    None => {
                        literals.push(run);
                        index.needs.push(vec![i]);
                    }
                },
                None => index.unfiltered.push(i),
            }
        }
        if !literals.is_empty() {
            index.literals = AhoCorasick::new(&literals).ok();
            if index.literals.is_none() {
                // Cannot happen for a few thousand short patterns; stay correct anyway.
                index.unfiltered.extend(index.needs.drain(..).flatten());
                index.unfiltered.sort_unstable();
            }
        }
        index
    }

    /// The first glob, in order, that matches `domain` and that `keep` accepts.
    pub(crate) fn first_match(&self, domain: &str, keep: impl Fn(usize) -> bool) -> Option<usize> {
        if self.matchers.is_empty() || domain.len() > crate::domain::MAX_NAME_LEN {
            return None;
        }
        let mut path = [0u8; crate::domain::MAX_NAME_LEN];
        for (out, &b) in path.iter_mut().zip(domain.as_bytes()) {
            *out = if b == b'.' { b'/' } else { b };
        }
        let path = std::str::from_utf8(&path[..domain.len()]).ok()?;
        // The lowest-numbered candidate that matches (candidates arrive out of order).
        let mut best: Option<usize> = None;
        let mut try_glob = |i: usize| {
            if best.is_none_or(|b| i < b)
                && keep(i)
                && self.matchers[i].as_ref().is_some_and(|m| m.is_match(path))
            {
                best = Some(i);
            }
        };
        for &i in &self.unfiltered {
            try_glob(i);
        }
        if let Some(literals) = &self.literals {
            let mut padded = [0u8; crate::domain::MAX_NAME_LEN + 2];
            padded[0] = b'.';
            padded[1..=domain.len()].copy_from_slice(domain.as_bytes());
            padded[domain.len() + 1] = b'.';
            for m in literals.find_overlapping_iter(&padded[..domain.len() + 2]) {
                for &i in &self.needs[m.pattern().as_usize()] {
                    try_glob(i);
                }
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_runs() {
        assert_eq!(
            literal_run("mx?.brand7.com").as_deref(),
            Some(".brand7.com.")
        );
        assert_eq!(literal_run("brand0.co.*").as_deref(), Some(".brand0.co."));
        assert_eq!(
            literal_run("**.example.com").as_deref(),
            Some(".example.com.")
        );
        assert_eq!(literal_run("a.*.bbbbb").as_deref(), Some(".bbbbb."));
        assert_eq!(literal_run("*.*"), None);
        assert_eq!(literal_run("{eu,us}.x?"), None);
    }

    #[test]
    fn first_match_in_order_with_prefilter() {
        let index = GlobIndex::new(["mx?.brand7.com", "**.brand7.com", "*.*", "yahoo.**"]);
        assert_eq!(index.first_match("mx1.brand7.com", |_| true), Some(0));
        assert_eq!(index.first_match("brand7.com", |_| true), Some(1));
        assert_eq!(index.first_match("a.b.brand7.com", |_| true), Some(1));
        assert_eq!(index.first_match("yahoo.fr", |_| true), Some(2));
        assert_eq!(index.first_match("yahoo.co.uk", |_| true), Some(3));
        assert_eq!(index.first_match("yahoo.co.uk", |i| i != 3), None);
        assert_eq!(index.first_match("mx1.brand7.com", |i| i != 0), Some(1));
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
        ];
        let index = GlobIndex::new(globs);
        let matchers: Vec<_> = globs
            .iter()
            .map(|g| compile_glob(g).unwrap().compile_matcher())
            .collect();
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
            let naive = matchers.iter().position(|m| m.is_match(&path));
            assert_eq!(index.first_match(name, |_| true), naive, "{name}");
        }
    }
}
