//! The built-in default records, embedded at compile time.

/// The text of the built-in defaults file (`src/defaults.kdl`), as printed by
/// `isptab defaults`.
pub const TEXT: &str = include_str!("defaults.kdl");
