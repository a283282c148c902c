//! FL000 invalid-file: a file we should read could not be parsed. Made by the pipeline while
//! reading, not by a check over the model.

use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::Rule;
use crate::source::{FileId, Span};

pub static RULE: Rule = Rule {
    code: "FL000",
    name: "invalid-file",
    default_severity: Severity::Error,
    summary: "A template or handler file could not be parsed",
    doc: include_str!("../../rules/FL000-invalid-file.md"),
    check: None,
    options: None,
};

pub fn diagnostic(file: FileId, span: Span, what: &str, reason: &str) -> Diagnostic {
    Diagnostic::new(&RULE, file, span, format!("cannot parse {what}: {reason}")).with_help(
        "Fix the syntax so the file parses (other files were still checked), or exclude it \
         with `exclude` in faaslint.toml if it is not meant to be deployed as is.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_names_what_and_why() {
        let d = diagnostic(
            FileId::new(0),
            Span::new(3, 3),
            "YAML template",
            "did not find expected key",
        );
        assert_eq!(d.code, "FL000");
        assert_eq!(
            d.message,
            "cannot parse YAML template: did not find expected key"
        );
        assert!(d.help.unwrap().contains("exclude"));
    }
}
