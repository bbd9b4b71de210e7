//! `duplicate-header-rule`: the same header rule twice in one record.

use crate::compiler::analysis::Context;
use crate::compiler::codes::Code;
use crate::compiler::diagnostics::{Collected, Diagnostic};
use crate::semantics::header::HeaderOp;

fn same(a: &HeaderOp, b: &HeaderOp) -> bool {
    match (a, b) {
        (HeaderOp::Remove { name: x }, HeaderOp::Remove { name: y }) => x.eq_ignore_ascii_case(y),
        (HeaderOp::Add { name: x, value: v }, HeaderOp::Add { name: y, value: w }) => {
            x.eq_ignore_ascii_case(y) && v == w
        }
        _ => false,
    }
}

pub(crate) fn check(cx: &Context<'_>, out: &mut Collected) {
    for record in &cx.config.records {
        for (i, rule) in record.headers.iter().enumerate() {
            let Some(first) = record.headers[..i].iter().find(|r| same(&r.op, &rule.op)) else {
                continue;
            };
            let what = match &rule.op {
                HeaderOp::Add { .. } => "adds the same header twice",
                HeaderOp::Remove { .. } => "removes the same header twice",
            };
            out.push(
                Diagnostic::new(Code::DuplicateHeaderRule, format!("`{}` {what}", record.name), rule.span, "repeated here")
                    .with_label(first.span, "first here")
                    .with_help("remove one of the two rules (an `override` appends to the rules already there; `headers replace=#true` starts over)"),
            );
        }
    }
}
