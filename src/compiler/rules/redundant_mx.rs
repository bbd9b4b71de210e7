//! `redundant-mx`: an MX pattern that changes nothing in its record (listed twice,
//! or covered by a wider MX pattern of the same record). The check is the one of
//! [`super::redundant_domain`], run over the MX patterns.
