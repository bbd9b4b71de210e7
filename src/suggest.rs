//! "Did you mean ...?" suggestions for misspelt names.

/// The candidate closest to `given`, if it is close enough to be a likely typo:
/// at most a third of the longer name's characters differ, and at least one
/// (an exact match is not a suggestion).
pub(crate) fn closest<'a>(
    given: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let given_lower = given.to_lowercase();
    candidates
        .into_iter()
        .filter(|c| *c != given)
        .map(|c| {
            (
                strsim::damerau_levenshtein(&given_lower, &c.to_lowercase()),
                c,
            )
        })
        .filter(|&(d, c)| d <= (given.chars().count().max(c.chars().count()) / 3).max(1))
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
}
