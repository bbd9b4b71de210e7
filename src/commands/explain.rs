//! `isptab explain CODE` and `isptab explain --list`.

use isptab::compiler::rules::Code;

use super::{Status, UsageError, output};
use crate::cli::ExplainArgs;

pub fn run(args: &ExplainArgs) -> Result<Status, UsageError> {
    let Some(name) = args.code.as_deref().filter(|_| !args.list) else {
        let list: String = Code::ALL
            .iter()
            .map(|c| {
                format!(
                    "{:<22} {:<8} {}\n",
                    c.name(),
                    c.rule().severity.as_str(),
                    c.rule().summary
                )
            })
            .collect();
        output::write_stdout(&list)?;
        return Ok(Status::Ok);
    };
    let code = Code::from_name(name.trim()).ok_or_else(|| {
        let names = Code::ALL.iter().map(|c| c.name());
        let hint = match isptab::compiler::suggest_name(name, names) {
            Some(s) => format!("did you mean `{s}`?"),
            None => "`isptab explain --list` lists the codes".to_string(),
        };
        UsageError(format!("`{name}` is not a diagnostic code; {hint}"))
    })?;
    let rule = code.rule();
    output::write_stdout(&format!(
        "{} ({}): {}\n\n{}",
        code.name(),
        rule.severity.as_str(),
        rule.summary,
        rule.explanation
    ))?;
    Ok(Status::Ok)
}
