//! `broad-mx`: an MX pattern that covers every host under a public suffix
//! (`*.com`), so any domain whose mail servers sit under it would get the record.
//! The check is the one of [`super::broad_pattern`], run over the MX patterns.
