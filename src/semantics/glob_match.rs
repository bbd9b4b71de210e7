//! Matching one stored glob against one domain, without compiling anything.
//!
//! A reader tries the globs a prefilter leaves (`glob_index.rs`), and a table
//! can hold a million of them: a compiled matcher per glob (globset's regex, about
//! 30 KB once used) would grow a long-running reader by gigabytes, and compiling
//! costs more than matching. The grammar of stored globs (`schema/table-format.md`,
//! section 11.1) is small enough to match directly: labels against labels, `**`
//! by dynamic programming over label positions, and each label by a memoized walk
//! over the glob's text. Both are bounded by the product of the lengths (a glob
//! and a name are at most 253 bytes), with no allocation.
//!
//! The meaning is section 11.2's (globset's, with `.` as the separator); the
//! tests check the two agree on generated globs and names.

use super::name::{MAX_LABEL_LEN, MAX_NAME_LEN};

/// Most labels of a name: every other byte a dot.
const MAX_LABELS: usize = MAX_NAME_LEN.div_ceil(2);

/// Whether `glob`, a stored glob (in the grammar and in normal form, as
/// `is_stored_glob` accepts it), matches `domain`, a normalized name.
pub(crate) fn matches(glob: &str, domain: &str) -> bool {
    if glob == "**" {
        return true;
    }
    if glob.len() > MAX_NAME_LEN || domain.len() > MAX_NAME_LEN || domain.is_empty() {
        return false;
    }
    // In a stored glob, `**` is always a whole label.
    if !glob.contains("**") {
        // Label for label: as many labels on both sides.
        let (mut globs, mut labels) = (glob.split('.'), domain.split('.'));
        loop {
            match (globs.next(), labels.next()) {
                (Some(g), Some(n)) if label_matches(g.as_bytes(), n.as_bytes()) => {}
                (None, None) => return true,
                _ => return false,
            }
        }
    }
    let mut name = [(0usize, 0usize); MAX_LABELS];
    let mut labels = 0;
    for (i, range) in ranges(domain).enumerate() {
        let Some(slot) = name.get_mut(i) else {
            return false;
        };
        *slot = range;
        labels = i + 1;
    }
    let name = &name[..labels];
    let glob_labels = glob.split('.').count();
    // reach[j]: the glob labels so far can match the first j name labels.
    let mut reach = [false; MAX_LABELS + 1];
    reach[0] = true;
    for (g, label) in glob.split('.').enumerate() {
        let mut next = [false; MAX_LABELS + 1];
        if label == "**" {
            // `**` spans whole labels: zero or more, but at least one at the
            // end (`yahoo.**` does not match `yahoo`).
            let at_end = g + 1 == glob_labels && g > 0;
            let mut any = false;
            for j in 0..=labels {
                if at_end {
                    next[j] = any;
                    any |= reach[j];
                } else {
                    any |= reach[j];
                    next[j] = any;
                }
            }
        } else {
            for (j, &(start, end)) in name.iter().enumerate() {
                if reach[j] && label_matches(label.as_bytes(), &domain.as_bytes()[start..end]) {
                    next[j + 1] = true;
                }
            }
        }
        reach = next;
        if !reach[..=labels].contains(&true) {
            return false;
        }
    }
    reach[labels]
}

/// The byte ranges of the labels of `domain`.
fn ranges(domain: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut start = 0;
    domain.split('.').map(move |label| {
        let range = (start, start + label.len());
        start += label.len() + 1;
        range
    })
}

/// Whether one glob label (no `**`, no dot) matches one name label.
fn label_matches(glob: &[u8], name: &[u8]) -> bool {
    if !glob.iter().any(|b| b"*?[{".contains(b)) {
        return glob == name;
    }
    if name.len() > MAX_LABEL_LEN {
        return false;
    }
    if !glob.contains(&b'{') {
        return without_alternatives(glob, name);
    }
    // Where each alternative group closes: `close[i]` for every byte inside
    // `{...}` (groups do not nest).
    let mut close = [0u8; MAX_NAME_LEN];
    let mut open: Option<usize> = None;
    for (i, &b) in glob.iter().enumerate() {
        match b {
            b'{' => open = Some(i),
            b'}' => {
                if let Some(o) = open.take() {
                    close[o..=i].fill(i as u8);
                }
            }
            _ => {}
        }
    }
    let mut walk = Walk {
        glob,
        name,
        close: &close,
        failed: [0u64; MAX_NAME_LEN + 1],
    };
    walk.from(0, 0)
}

/// A label without alternatives: the classic walk that, on a mismatch, lets the
/// last `*` take one more byte (each `*` only ever needs the latest one), so at
/// most `glob.len() * name.len()` steps and no memory.
fn without_alternatives(glob: &[u8], name: &[u8]) -> bool {
    let (mut g, mut n) = (0, 0);
    // The last `*` seen, and where in the name it stopped taking bytes.
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        let step = match glob.get(g) {
            Some(b'*') => {
                star = Some((g, n));
                g += 1;
                continue;
            }
            Some(b'?') => Some(g + 1),
            Some(b'[') => glob[g..]
                .iter()
                .position(|&b| b == b']')
                .filter(|&end| in_class(&glob[g + 1..g + end], name[n]))
                .map(|end| g + end + 1),
            Some(&literal) => (literal == name[n]).then_some(g + 1),
            None => None,
        };
        match (step, star) {
            (Some(next), _) => {
                g = next;
                n += 1;
            }
            (None, Some((at, taken))) => {
                g = at + 1;
                n = taken + 1;
                star = Some((at, taken + 1));
            }
            (None, None) => return false,
        }
    }
    glob[g..].iter().all(|&b| b == b'*')
}

/// A memoized walk over a glob label and a name label.
struct Walk<'a> {
    glob: &'a [u8],
    name: &'a [u8],
    close: &'a [u8; MAX_NAME_LEN],
    /// `failed[g]` bit `n`: the glob from byte `g` cannot match the name from
    /// byte `n` (a name label is at most 63 bytes, so `n` is at most 63).
    failed: [u64; MAX_NAME_LEN + 1],
}

impl Walk<'_> {
    /// Whether the glob from byte `g` matches the name from byte `n` to its end.
    fn from(&mut self, g: usize, n: usize) -> bool {
        if n > MAX_LABEL_LEN || g > MAX_NAME_LEN {
            return false;
        }
        let bit = 1u64 << n;
        if self.failed[g] & bit != 0 {
            return false;
        }
        let matched = self.step(g, n);
        if !matched {
            self.failed[g] |= bit;
        }
        matched
    }

    fn step(&mut self, g: usize, n: usize) -> bool {
        let Some(&c) = self.glob.get(g) else {
            return n == self.name.len();
        };
        let next = self.name.get(n).copied();
        match c {
            // The end of an alternative: on after the group.
            b',' | b'}' => self.from(usize::from(self.close[g]) + 1, n),
            b'{' => {
                let end = usize::from(self.close[g]);
                let mut start = g + 1;
                for i in g + 1..=end {
                    if matches!(self.glob[i], b',' | b'}') {
                        if self.from(start, n) {
                            return true;
                        }
                        start = i + 1;
                    }
                }
                false
            }
            b'*' => self.from(g + 1, n) || (next.is_some() && self.from(g, n + 1)),
            b'?' => next.is_some() && self.from(g + 1, n + 1),
            b'[' => {
                let Some(end) = self.glob[g..].iter().position(|&b| b == b']') else {
                    return false;
                };
                let end = g + end;
                next.is_some_and(|b| in_class(&self.glob[g + 1..end], b))
                    && self.from(end + 1, n + 1)
            }
            literal => next == Some(literal) && self.from(g + 1, n + 1),
        }
    }
}

/// Whether byte `b` is in a class (its text between `[` and `]`).
fn in_class(body: &[u8], b: u8) -> bool {
    let (negated, body) = match body.first() {
        Some(b'!' | b'^') => (true, &body[1..]),
        _ => (false, body),
    };
    let mut found = false;
    let mut i = 0;
    while i < body.len() {
        // `x-y` is a range unless the `-` is last (a literal `-`).
        if i + 2 < body.len() && body[i + 1] == b'-' {
            found |= (body[i]..=body[i + 2]).contains(&b);
            i += 3;
        } else {
            found |= body[i] == b;
            i += 1;
        }
    }
    b != b'/' && found != negated
}

#[cfg(test)]
mod tests {
    use super::matches;
    use crate::semantics::glob::{compile_glob, is_stored_glob};
    use proptest::prelude::*;

    /// What globset (section 11.2's reference) says.
    fn reference(glob: &str, domain: &str) -> bool {
        compile_glob(glob)
            .expect("a stored glob compiles")
            .compile_matcher()
            .is_match(domain.replace('.', "/"))
    }

    #[test]
    fn the_examples_of_the_format() {
        for (glob, yes, no) in [
            ("yahoo.*", &["yahoo.fr"][..], &["yahoo.co.uk"][..]),
            ("yahoo.**", &["yahoo.fr", "yahoo.co.uk"], &["yahoo"]),
            (
                "**.deep.test",
                &["deep.test", "a.deep.test", "a.b.deep.test"],
                &["deeptest.x", "adeep.test"],
            ),
            ("q?.qm.test", &["qa.qm.test"], &["q.qm.test"]),
            (
                "a[!x]b.neg.test",
                &["ayb.neg.test"],
                &["axb.neg.test", "a.b.neg.test"],
            ),
            (
                "{foo,bar}.alttest",
                &["foo.alttest", "bar.alttest"],
                &["baz.alttest"],
            ),
            (
                "x{,-a}.alt.test",
                &["x.alt.test", "x-a.alt.test"],
                &["xa.alt.test"],
            ),
            (
                "g[a-cx-z5].class.test",
                &["gb.class.test", "gy.class.test", "g5.class.test"],
                &["gd.class.test"],
            ),
            (
                "w.**.mid.test",
                &["w.mid.test", "w.a.b.mid.test"],
                &["x.mid.test"],
            ),
            ("**", &["a", "a.b"], &[]),
            ("m*.test", &["m.test", "mail.test"], &["x.test"]),
            ("[-a]x.test", &["-x.test", "ax.test"], &["bx.test"]),
            ("[a-].test", &["-.test", "a.test"], &["b.test"]),
        ] {
            assert!(is_stored_glob(glob), "{glob}");
            for domain in yes {
                assert!(matches(glob, domain), "{glob} should match {domain}");
                assert!(reference(glob, domain), "{glob} {domain}");
            }
            for domain in no {
                assert!(!matches(glob, domain), "{glob} should not match {domain}");
                assert!(!reference(glob, domain), "{glob} {domain}");
            }
        }
    }

    /// A label of the glob grammar over a small alphabet, so that generated
    /// names often match.
    fn glob_label() -> impl Strategy<Value = String> {
        let token = prop_oneof![
            4 => "[ab-]".prop_map(String::from),
            2 => Just("*".to_string()),
            2 => Just("?".to_string()),
            1 => Just("[ab]".to_string()),
            1 => Just("[!a]".to_string()),
            1 => Just("[a-c]".to_string()),
            1 => Just("[-b]".to_string()),
            1 => Just("{a,b}".to_string()),
            1 => Just("{,a*}".to_string()),
            1 => Just("{?b,[!b]a,}".to_string()),
        ];
        prop_oneof![
            8 => prop::collection::vec(token, 1..5).prop_map(|t| t.concat()),
            1 => Just("**".to_string()),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        #[test]
        fn agrees_with_globset(
            glob in prop::collection::vec(glob_label(), 1..4).prop_map(|l| l.join(".")),
            domain in prop::collection::vec("[abc-]{1,4}", 1..5).prop_map(|l| l.join(".")),
        ) {
            prop_assume!(is_stored_glob(&glob));
            prop_assert_eq!(matches(&glob, &domain), reference(&glob, &domain), "{} {}", glob, domain);
        }
    }
}
