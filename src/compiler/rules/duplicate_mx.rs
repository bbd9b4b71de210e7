//! `duplicate-mx`: two records claim the same MX pattern. The MX patterns have
//! owners of their own, as domains do, so the wording is shared with
//! [`super::duplicate_domain`], which builds both.
