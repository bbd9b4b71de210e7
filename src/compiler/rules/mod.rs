//! One module per diagnostic code: the wording of its diagnostics and, for lints
//! over the merged configuration, its check. The codes themselves (severity,
//! summary, explanation) are in [`crate::compiler::codes`].

pub(crate) mod bare_mx_domain;
pub(crate) mod broad_mx;
pub(crate) mod broad_pattern;
pub(crate) mod constant_mime_header;
pub(crate) mod constant_unique_header;
pub(crate) mod deleted_default;
pub(crate) mod duplicate_domain;
pub(crate) mod duplicate_header_rule;
pub(crate) mod duplicate_isp;
pub(crate) mod duplicate_mx;
pub(crate) mod duplicate_setting;
pub(crate) mod empty_file;
pub(crate) mod empty_isp;
pub(crate) mod empty_override;
pub(crate) mod header_injection;
pub(crate) mod include_cycle;
pub(crate) mod invalid_domain;
pub(crate) mod invalid_encoding;
pub(crate) mod invalid_glob;
pub(crate) mod invalid_header_name;
pub(crate) mod invalid_mx;
pub(crate) mod invalid_name;
pub(crate) mod invalid_value;
pub(crate) mod limit_exceeded;
pub(crate) mod long_header;
pub(crate) mod move_not_owned;
#[cfg_attr(not(feature = "resolve"), allow(dead_code))]
pub(crate) mod mx_of_other_record;
pub(crate) mod non_ascii_header;
pub(crate) mod orphaned_pattern;
pub(crate) mod outside_root;
pub(crate) mod overridden_encoding;
pub(crate) mod protected_header;
pub(crate) mod redefined_default;
pub(crate) mod redundant_domain;
pub(crate) mod redundant_mx;
pub(crate) mod syntax;
pub(crate) mod trace_header;
#[cfg_attr(not(feature = "resolve"), allow(dead_code))]
pub(crate) mod undeliverable_domain;
pub(crate) mod unknown_isp;
pub(crate) mod unknown_node;
pub(crate) mod unknown_property;
pub(crate) mod unreachable_mx;
pub(crate) mod unreachable_pattern;
pub(crate) mod unreadable_file;

pub use crate::compiler::codes::{Code, Rule};

/// Runs every lint over a merged configuration.
pub(crate) fn lint(
    config: &crate::compiler::config::Config,
    out: &mut crate::compiler::diagnostics::Collected,
) {
    use crate::compiler::config::PatternSet;
    // Domains and MX patterns are checked alike, each set against itself.
    for set in PatternSet::ALL {
        let cx = crate::compiler::analysis::Context::new(config, set);
        redundant_domain::check(&cx, out);
        unreachable_pattern::check(&cx, out);
        broad_pattern::check(&cx, out);
        if set == PatternSet::Domains {
            protected_header::check(&cx, out);
            duplicate_header_rule::check(&cx, out);
            constant_mime_header::check(&cx, out);
            constant_unique_header::check(&cx, out);
            trace_header::check(&cx, out);
        } else {
            bare_mx_domain::check(&cx, out);
        }
    }
}
