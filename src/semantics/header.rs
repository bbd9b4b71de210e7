//! Header rules and what makes one writable into a message: the rules the
//! compiler reports (`invalid-header-name`, `header-injection`, `long-header`) and
//! the table reader enforces on open are these functions.

/// What a header rule does.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum HeaderOp {
    /// Add the header `name: value`.
    Add {
        /// Field name, as written.
        name: String,
        /// Field body.
        value: String,
    },
    /// Remove every occurrence of the header (matched case-insensitively).
    Remove {
        /// Field name, as written.
        name: String,
    },
}

impl HeaderOp {
    /// The field name.
    pub fn name(&self) -> &str {
        match self {
            HeaderOp::Add { name, .. } | HeaderOp::Remove { name } => name,
        }
    }

    /// The field body (empty for a remove).
    pub fn value(&self) -> &str {
        match self {
            HeaderOp::Add { value, .. } => value,
            HeaderOp::Remove { .. } => "",
        }
    }
}

/// The longest line RFC 5322 (section 2.1.1) allows, without CRLF: `name: value`
/// must fit, as values are not folded.
pub const MAX_LINE: usize = 998;

/// The first character a field name may not hold (RFC 5322 section 3.6.8: one or
/// more printable ASCII characters other than `:`), with its byte offset.
pub fn bad_name_char(name: &str) -> Option<(usize, char)> {
    name.char_indices()
        .find(|&(_, c)| !matches!(c, '!'..='9' | ';'..='~'))
}

/// Whether `name` is a field name.
pub fn is_valid_name(name: &str) -> bool {
    !name.is_empty() && bad_name_char(name).is_none()
}

/// The first control character of a value (every one but horizontal tab, which
/// is folding white space): a line break there would end the header and start
/// another (header injection).
pub fn control_char(value: &str) -> Option<(usize, char)> {
    value
        .char_indices()
        .find(|&(_, c)| c.is_control() && c != '\t')
}

/// Whether a rule can be written into a message as it is: a field name, no
/// control character in the value, and the line within 998 octets.
pub fn is_writable(op: &HeaderOp) -> bool {
    is_valid_name(op.name())
        && control_char(op.value()).is_none()
        && line_len(op.name(), op.value()) <= MAX_LINE
}

/// The length of the line `name: value`.
pub fn line_len(name: &str, value: &str) -> usize {
    name.len() + 2 + value.len()
}
