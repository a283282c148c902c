//! FL001 unused-suppression: a suppression that suppresses nothing. Made by the pipeline after
//! suppressions are applied (see `suppress.rs`), so it knows which were used.

use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::Rule;
use crate::source::{FileId, Span};

pub static RULE: Rule = Rule {
    code: "FL001",
    name: "unused-suppression",
    default_severity: Severity::Warning,
    summary: "A suppression comment or Metadata entry that suppresses nothing",
    doc: include_str!("../../rules/FL001-unused-suppression.md"),
    check: None,
    options: None,
};

pub fn unused(file: FileId, span: Span, code: &str) -> Diagnostic {
    Diagnostic::new(
        &RULE,
        file,
        span,
        format!("suppression of {code} suppresses nothing here"),
    )
    .with_help(format!(
        "Remove `{code}` from the suppression: no {code} finding is reported on this line, \
         the line below it, or (for Metadata and ignore-file) this resource or file."
    ))
}

pub fn unknown_code(file: FileId, span: Span, code: &str) -> Diagnostic {
    Diagnostic::new(
        &RULE,
        file,
        span,
        format!("suppression names `{code}`, which is not a faaslint rule code"),
    )
    .with_help("Use a code from `faaslint rule` (for example FL201), or remove the suppression.")
}
