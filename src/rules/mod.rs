//! The rules. This file is the only list of them: a rule is one file holding its metadata, its
//! document (from `rules/FLxxx-name.md`), its check and its tests.

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::Project;
use rayon::prelude::*;

pub mod client_in_handler;
pub mod connection_in_handler;
pub mod hardcoded_secret;
pub mod invalid_file;
pub mod missing_snapstart;
pub mod monolithic_function;
pub mod plaintext_secret_env;
pub mod snapstart_misconfigured;
pub mod sync_lambda_chain;
pub mod unused_suppression;

/// Options rules read from `[rules.<name>]` in `faaslint.toml`.
#[derive(Debug, Clone)]
pub struct RuleOptions {
    pub max_routes: usize,
    pub extra_constructors: Vec<String>,
}

impl Default for RuleOptions {
    fn default() -> Self {
        RuleOptions {
            max_routes: monolithic_function::DEFAULT_MAX_ROUTES,
            extra_constructors: Vec::new(),
        }
    }
}

pub type Check = fn(&Project, &RuleOptions, &mut Vec<Diagnostic>);

pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    pub default_severity: Severity,
    /// One line for tables and SARIF short descriptions.
    pub summary: &'static str,
    /// The Markdown document: What it does / Why is this bad? / Example / Use instead / ...
    pub doc: &'static str,
    /// `None` for findings the pipeline itself makes (FL000 while reading, FL001 after
    /// suppression).
    pub check: Option<Check>,
}

pub static RULES: &[&Rule] = &[
    &invalid_file::RULE,
    &unused_suppression::RULE,
    &connection_in_handler::RULE,
    &client_in_handler::RULE,
    &plaintext_secret_env::RULE,
    &hardcoded_secret::RULE,
    &monolithic_function::RULE,
    &sync_lambda_chain::RULE,
    &missing_snapstart::RULE,
    &snapstart_misconfigured::RULE,
];

/// Codes the contract defines whose rules are not built yet. Configuration and suppressions may
/// name them already; nothing reports them.
pub static RESERVED: &[(&str, &str)] = &[];

/// A rule by code (`FL501`) or name (`missing-snapstart`), case-insensitively.
pub fn find(code_or_name: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|rule| {
        rule.code.eq_ignore_ascii_case(code_or_name) || rule.name.eq_ignore_ascii_case(code_or_name)
    })
}

/// Every code configuration may name: built rules and reserved ones.
pub fn known_codes() -> impl Iterator<Item = &'static str> {
    RULES
        .iter()
        .map(|rule| rule.code)
        .chain(RESERVED.iter().map(|(code, _)| *code))
}

/// Every rule over the project, side by side on the thread pool; findings in rule order.
pub fn run(project: &Project, options: &RuleOptions) -> Vec<Diagnostic> {
    RULES
        .par_iter()
        .filter_map(|rule| rule.check)
        .map(|check| {
            let mut out = Vec::new();
            check(project, options, &mut out);
            out
        })
        .collect::<Vec<_>>()
        .concat()
}

#[cfg(test)]
pub(crate) mod test_support {
    use crate::diagnostic::Diagnostic;
    use crate::model::Project;
    use crate::source::SourceFile;

    /// Runs the IaC front end over one in-memory file and one rule's check.
    pub fn check_file(
        name: &str,
        text: &str,
        check: super::Check,
        options: &super::RuleOptions,
    ) -> (Project, Vec<Diagnostic>) {
        let file = SourceFile::new(name.into(), name.into(), text.into());
        let mut project = Project::default();
        let parsed = crate::frontend::read_template(0, &file).expect("fixture parses");
        project.files.push(file);
        if let Some(template) = parsed {
            project.templates.push((0, template));
        }
        let mut out = Vec::new();
        check(&project, options, &mut out);
        (project, out)
    }

    /// Runs one rule's check over one in-memory handler file; (line, message) sorted.
    pub fn check_code(name: &str, text: &str, check: super::Check) -> Vec<(usize, String)> {
        let file = SourceFile::new(name.into(), name.into(), text.into());
        let Some(crate::walk::FileKind::Code(language)) = crate::walk::classify(&file.path) else {
            panic!("{name} is not a code file");
        };
        let mut code = crate::frontend::read_code(language, &file).expect("fixture parses");
        code.is_test = crate::walk::is_test_path(&file.path);
        let mut project = Project::default();
        project.files.push(file);
        project.code.push(code);
        let mut out = Vec::new();
        check(&project, &super::RuleOptions::default(), &mut out);
        lines(&project, &out)
    }

    /// (1-based line, message) of each diagnostic, for compact assertions.
    pub fn lines(project: &Project, diagnostics: &[Diagnostic]) -> Vec<(usize, String)> {
        let mut found: Vec<(usize, String)> = diagnostics
            .iter()
            .map(|d| {
                (
                    project.file(d.file).line_number(d.span.start as usize),
                    d.message.clone(),
                )
            })
            .collect();
        found.sort();
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_and_names_are_unique() {
        let codes: HashSet<_> = known_codes().collect();
        assert_eq!(codes.len(), RULES.len() + RESERVED.len());
        let names: HashSet<_> = RULES.iter().map(|r| r.name).collect();
        assert_eq!(names.len(), RULES.len());
    }

    #[test]
    fn every_document_has_the_required_sections() {
        for rule in RULES {
            let title = format!("# {} {}", rule.code, rule.name);
            assert!(
                rule.doc.starts_with(&title),
                "{} document starts with `{title}`",
                rule.code
            );
            let mut last = 0;
            for heading in [
                "## What it does",
                "## Why is this bad?",
                "## Example",
                "## Use instead",
                "## Options",
                "## References",
            ] {
                let at = rule
                    .doc
                    .find(heading)
                    .unwrap_or_else(|| panic!("{} document lacks `{heading}`", rule.code));
                assert!(at > last, "{}: `{heading}` out of order", rule.code);
                last = at;
            }
        }
    }

    #[test]
    fn codes_follow_the_contract_shape() {
        for code in known_codes() {
            assert!(code.len() == 5 && code.starts_with("FL"), "{code}");
            assert!(code[2..].chars().all(|c| c.is_ascii_digit()), "{code}");
        }
    }
}
