//! "Did you mean ...?" suggestions for misspelt names.
//!
//! The edit distance is quadratic in the names' lengths and the search linear in
//! the candidates, so both are bounded: names longer than [`MAX_LEN`] get no
//! suggestion (they are not typos of a short name), candidates whose length alone
//! rules them out are skipped before any distance is computed, and at most
//! [`MAX_COMPARED`] distances are computed per search.

/// Names longer than this (in characters) get no suggestion.
pub(crate) const MAX_LEN: usize = 64;
/// The most candidates compared in one search.
pub(crate) const MAX_COMPARED: usize = 2_000;

/// The candidate closest to `given`, if it is close enough to be a likely typo:
/// at most a third of the longer name's characters differ, and at least one
/// (an exact match is not a suggestion).
pub(crate) fn closest<'a>(
    given: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let given_len = given.chars().count();
    if given_len > MAX_LEN {
        return None;
    }
    let given_lower = given.to_lowercase();
    // The distance allowed for a candidate of `len` characters.
    let allowed = |len: usize| (given_len.max(len) / 3).max(1);
    candidates
        .into_iter()
        .filter(|c| *c != given)
        .filter(|c| {
            // The distance is at least the difference in length.
            let len = c.chars().count();
            len <= MAX_LEN && len.abs_diff(given_len) <= allowed(len)
        })
        .take(MAX_COMPARED)
        .map(|c| {
            (
                strsim::damerau_levenshtein(&given_lower, &c.to_lowercase()),
                c,
            )
        })
        .filter(|&(d, c)| d <= allowed(c.chars().count()))
        .min_by_key(|&(d, c)| (d, c))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn suggests_near_names_only() {
        let nodes = ["isp", "override", "delete", "include"];
        assert_eq!(closest("ips", nodes), Some("isp"));
        assert_eq!(closest("overide", nodes), Some("override"));
        assert_eq!(closest("Include", nodes), Some("include"));
        assert_eq!(closest("banana", nodes), None);
        assert_eq!(
            closest("domain", ["domains", "domains-file"]),
            Some("domains")
        );
    }

    #[test]
    fn long_names_get_no_suggestion() {
        let long = "a".repeat(20_000);
        let near = format!("{long}b");
        assert_eq!(closest(&long, [near.as_str()]), None);
    }
}
