//! `invalid-value`: a node has the wrong arguments, a value of the wrong type, or a
//! block where none belongs (or none where one is needed).

use crate::compiler::codes::Code;
use crate::compiler::diagnostics::Diagnostic;
use crate::compiler::source::Span;
use crate::semantics::escape::kdl_string as kdl;

fn new(span: Span, message: String, label: &str, help: String) -> Diagnostic {
    Diagnostic::new(Code::InvalidValue, message, span, label).with_help(help)
}

pub(crate) fn type_annotation(span: Span) -> Diagnostic {
    new(
        span,
        "type annotations are not used in isptab files".into(),
        "type annotation",
        "remove the `(...)` annotation".into(),
    )
}

pub(crate) fn wrong_type(span: Span, what: &str, found: &str) -> Diagnostic {
    new(
        span,
        format!("expected {what}, found {found}"),
        "wrong type",
        format!("write {what} here, in double quotes"),
    )
}

pub(crate) fn not_bool(span: Span, found: &str) -> Diagnostic {
    new(
        span,
        format!("expected #true or #false, found {found}"),
        "wrong type",
        "KDL 2.0 booleans are `#true` and `#false`, without quotes".into(),
    )
}

pub(crate) fn missing_argument(span: Span, node: &str, what: &str) -> Diagnostic {
    new(
        span,
        format!("`{node}` needs {what}"),
        "argument missing",
        format!("write `{node} \"...\"` with {what}"),
    )
}

pub(crate) fn extra_arguments(span: Span, node: &str, what: &str) -> Diagnostic {
    let help = match node {
        "isp" | "override" | "delete" => {
            format!("a name with spaces is one quoted string: `{node} \"Yahoo Japan\"`")
        }
        _ => format!("remove these, or write one `{node}` node for each"),
    };
    new(
        span,
        format!("`{node}` takes exactly one argument, {what}"),
        "extra arguments",
        help,
    )
}

pub(crate) fn argument_count(span: Span, node: &str, what: &str, found: usize) -> Diagnostic {
    new(
        span,
        format!(
            "`{node}` takes {what}; found {found} argument{}",
            if found == 1 { "" } else { "s" }
        ),
        "wrong number of arguments",
        match node {
            "add" => "write `add \"Header-Name\" \"value\"`".into(),
            _ => "write `remove \"Header-Name\"`".into(),
        },
    )
}

pub(crate) fn empty_string(span: Span, what: &str) -> Diagnostic {
    new(
        span,
        format!("{what} cannot be empty"),
        "empty",
        format!("write {what} between the quotes"),
    )
}

/// `first` is the first argument's string value, if it is one.
pub(crate) fn unexpected_arguments(span: Span, node: &str, first: Option<&str>) -> Diagnostic {
    let help = match (node, first) {
        ("encoding", Some(value)) => {
            format!(
                "name the part: `encoding global={}` (or `html=`, `text=`)",
                kdl(value)
            )
        }
        _ => format!("`{node}` is configured with properties (`name=value`); remove these"),
    };
    new(
        span,
        format!("`{node}` takes no arguments"),
        "unexpected argument",
        help,
    )
}

pub(crate) fn unexpected_block(span: Span, node: &str) -> Diagnostic {
    new(
        span,
        format!("`{node}` takes no `{{ }}` block"),
        "unexpected block",
        "remove the block; only `isp`, `override`, `headers` and `lints` have one".into(),
    )
}

/// `example` is a whole node with its block, such as `lints { allow "CODE" }`.
pub(crate) fn missing_block(span: Span, node: &str, what: &str, example: &str) -> Diagnostic {
    new(
        span,
        format!("`{node}` needs a `{{ }}` block with {what}"),
        "block missing",
        format!("write it with its block, such as `{example}`"),
    )
}

pub(crate) fn empty_encoding(span: Span) -> Diagnostic {
    new(
        span,
        "`encoding` sets no part".into(),
        "nothing set",
        "write `encoding global=\"...\"`, `html=\"...\"` and/or `text=\"...\"`, or remove the node"
            .into(),
    )
}

pub(crate) fn move_into_self(span: Span, record: &str) -> Diagnostic {
    new(
        span,
        format!("`from=` names `{record}`, the record the domains are moved into"),
        "the same record",
        "`from=` names the record that owns the domains now; remove it to add new domains".into(),
    )
}

/// A `lints` entry that is not a diagnostic code (nor `warnings`).
pub(crate) fn unknown_code(span: Span, given: &str, suggestion: Option<&str>) -> Diagnostic {
    let help = match suggestion {
        Some(s) => format!("write `{s}`; `isptab explain --list` lists the codes"),
        None => "`isptab explain --list` lists the codes; `warnings` names every warning".into(),
    };
    new(
        span,
        format!("`{given}` is not a diagnostic code"),
        "unknown code",
        help,
    )
}

/// An error code under `allow` or `warn` in a `lints` block.
pub(crate) fn cannot_lower(span: Span, code: &str, level: &str) -> Diagnostic {
    new(
        span,
        format!("`{code}` is an error and cannot be lowered with `{level}`"),
        "an error code",
        "only warnings can be allowed or kept as warnings; fix what the error reports".into(),
    )
}

/// One code given two levels in `lints` blocks.
pub(crate) fn level_conflict(
    span: Span,
    code: &str,
    level: &str,
    first: Span,
    first_level: &str,
) -> Diagnostic {
    Diagnostic::new(
        Code::InvalidValue,
        format!("`{code}` is given both `{first_level}` and `{level}`"),
        span,
        format!("`{level}` here"),
    )
    .with_label(first, format!("`{first_level}` here"))
    .with_help("keep one level for each code; a command-line flag still overrides it")
}

/// `skip-owned=#true` beside `from=`: a move takes what the source owns.
pub(crate) fn skip_owned_with_from(span: Span) -> Diagnostic {
    new(
        span,
        "`skip-owned` and `from=` cannot be used together".into(),
        "both given",
        "`from=` moves lines the named record owns; `skip-owned=#true` takes only the lines nobody owns: keep one (or split the file)".into(),
    )
}
