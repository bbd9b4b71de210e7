//! The precedence function of a whole model: steps 1-3 over the recipient domain
//! (exact name, longest suffix, globs in order), and step 4 over its MX hosts
//! ([`super::mx`]). A compiled table must answer every query exactly as this does.

use super::matcher::{Match, Matcher, Target};
use super::model::Model;
use super::mx::answer_with_mx;
use super::query::{Answer, answer};

/// Both matchers of a model: its domain patterns and its MX patterns.
#[derive(Debug)]
pub struct Precedence {
    /// The domain patterns (steps 1-3).
    pub domains: Matcher<Target>,
    /// The MX patterns (step 4).
    pub mx: Matcher<Target>,
}

impl Precedence {
    /// Indexes every pattern of a model.
    pub fn new(model: &Model) -> Precedence {
        Precedence {
            domains: Matcher::new(model),
            mx: Matcher::new_mx(model),
        }
    }

    /// Looks up a query (a domain or an address) with steps 1-3.
    pub fn lookup<'q>(&self, query: &'q str) -> Answer<'q, Match<'_, Target>> {
        answer(query, |d| self.domains.lookup(d))
    }

    /// Looks up a query with steps 1-3, then over its MX hosts in preference order
    /// (none: the implicit MX; `["."]`: a null MX).
    pub fn lookup_with_mx<'q, H: AsRef<str>>(
        &self,
        query: &'q str,
        hosts: &'q [H],
    ) -> Answer<'q, Match<'_, Target>> {
        answer_with_mx(
            query,
            hosts,
            |d| self.domains.lookup(d),
            |h| self.mx.lookup(h),
            |m| m.target.record,
        )
    }
}
