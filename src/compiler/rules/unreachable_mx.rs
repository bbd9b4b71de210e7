//! `unreachable-mx`: an MX glob that can never match a host first, because an MX
//! suffix rule or an earlier MX glob of another record always answers before it.
//! The check is the one of [`super::unreachable_pattern`], run over the MX
//! patterns.
