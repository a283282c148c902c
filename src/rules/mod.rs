//! The rules. This file is the only list of them: a rule is one file holding its metadata, its
//! document (from `rules/FLxxx-name.md`), its check and its tests.

use crate::catalog::CallPattern;
use crate::config::Configurations;
use crate::diagnostic::{Diagnostic, Severity};
use crate::graph::Graph;
use crate::model::Project;
use crate::source::FileId;
use rayon::prelude::*;
use std::any::Any;
use std::sync::Arc;

pub mod client_in_handler;
pub mod connection_in_handler;
pub mod hardcoded_secret;
pub mod invalid_file;
pub mod missing_snapstart;
pub mod monolithic_function;
pub mod plaintext_secret_env;
pub mod queue_visibility_timeout;
pub mod recursive_invocation_loop;
pub mod snapstart_misconfigured;
pub mod snapstart_restore_hazard;
pub mod sync_lambda_chain;
pub mod timeout_exceeds_integration;
pub mod unused_suppression;

pub type Check = fn(&Project, &Context, &mut Vec<Diagnostic>);

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
    /// The type of the rule's `[rules.<name>]` table, for rules that have options.
    pub options: Option<OptionsType>,
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
    &recursive_invocation_loop::RULE,
    &missing_snapstart::RULE,
    &snapstart_misconfigured::RULE,
    &snapstart_restore_hazard::RULE,
    &timeout_exceeds_integration::RULE,
    &queue_visibility_timeout::RULE,
];

/// A rule by code (`FL501`) or name (`missing-snapstart`), case-insensitively.
pub fn find(code_or_name: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|rule| {
        rule.code.eq_ignore_ascii_case(code_or_name) || rule.name.eq_ignore_ascii_case(code_or_name)
    })
}

/// Every code configuration may name.
pub fn known_codes() -> impl Iterator<Item = &'static str> {
    RULES.iter().map(|rule| rule.code)
}

/// Every rule over the project, side by side on the thread pool; findings in rule order. Each
/// file is checked with the options of the configuration that governs it.
pub fn run(project: &Project, graph: &Graph, configurations: &Configurations) -> Vec<Diagnostic> {
    RULES
        .par_iter()
        .filter_map(|&rule| rule.check.map(|check| (rule, check)))
        .map(|(rule, check)| {
            let mut out = Vec::new();
            check(
                project,
                &Context {
                    rule,
                    graph,
                    configurations,
                },
                &mut out,
            );
            out
        })
        .collect::<Vec<_>>()
        .concat()
}

/// What a check is given besides the project: its own options, per file.
pub struct Context<'a> {
    rule: &'static Rule,
    /// The project's event graph, built once for every rule and every output.
    graph: &'a Graph,
    configurations: &'a Configurations,
}

impl Context<'_> {
    pub fn graph(&self) -> &Graph {
        self.graph
    }

    /// The rule's options in the configuration that governs `file`.
    pub fn options<T: RuleOptions>(&self, file: FileId) -> &T {
        self.configurations
            .governing(file)
            .options(self.rule)
            .as_any()
            .downcast_ref()
            .unwrap_or_else(|| panic!("{} declares its options type", self.rule.code))
    }
}

/// The options a rule reads from its `[rules.<name>]` table. A rule with options declares a
/// type for them; configuration parses and validates it, so a check never sees a bad value.
pub trait RuleOptions: Default + std::fmt::Debug + Send + Sync + 'static {
    /// Reads the rule's table; an error names the key inside the table and why.
    fn parse(table: toml::Value) -> Result<Self, OptionError>;

    /// Calls the rule reads beyond the built-in catalog: the front ends keep them.
    fn calls_read(&self) -> &[CallPattern] {
        &[]
    }
}

/// A bad option: the key inside the rule's table (`None`: the table itself) and why.
#[derive(Debug)]
pub struct OptionError {
    pub key: Option<String>,
    pub message: String,
}

impl OptionError {
    pub fn new(key: &str, message: String) -> Self {
        OptionError {
            key: Some(key.to_string()),
            message,
        }
    }
}

/// Deserializes an options table; unknown keys and wrong types come back as serde says them
/// (`unknown field `max-routs`, expected `max-routes``).
pub fn deserialize<T: serde::de::DeserializeOwned>(table: toml::Value) -> Result<T, OptionError> {
    table
        .try_into()
        .map_err(|error: toml::de::Error| OptionError {
            key: None,
            message: error.message().to_string(),
        })
}

/// Any rule's options, as configuration keeps them.
pub trait AnyOptions: std::fmt::Debug + Send + Sync {
    fn as_any(&self) -> &dyn Any;
    fn calls_read(&self) -> &[CallPattern];
}

impl<T: RuleOptions> AnyOptions for T {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn calls_read(&self) -> &[CallPattern] {
        RuleOptions::calls_read(self)
    }
}

/// How configuration makes a rule's options without knowing their type.
pub struct OptionsType {
    pub parse: fn(toml::Value) -> Result<Arc<dyn AnyOptions>, OptionError>,
    pub default: fn() -> Arc<dyn AnyOptions>,
}

impl OptionsType {
    pub const fn of<T: RuleOptions>() -> OptionsType {
        OptionsType {
            parse: |table| T::parse(table).map(|options| Arc::new(options) as Arc<dyn AnyOptions>),
            default: || Arc::new(T::default()),
        }
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::{Context, Rule};
    use crate::config::{Configurations, Settings};
    use crate::diagnostic::Diagnostic;
    use crate::model::Project;
    use crate::source::SourceFile;

    /// Runs the IaC front end over one in-memory file and one rule, configured by `config`
    /// (the text of a `faaslint.toml`).
    pub fn check_file(
        name: &str,
        text: &str,
        rule: &'static Rule,
        config: &str,
    ) -> (Project, Vec<Diagnostic>) {
        let file = SourceFile::new(name.into(), name.into(), text.into());
        let mut project = Project::default();
        let parsed = crate::frontend::read_template(&file).expect("fixture parses");
        let id = project.add_file(file);
        if let Some(template) = parsed {
            project.add_template(id, template);
        }
        let out = run(&project, rule, config);
        (project, out)
    }

    /// Runs one rule over one in-memory handler file; (line, message) sorted.
    pub fn check_code(name: &str, text: &str, rule: &'static Rule) -> Vec<(usize, String)> {
        let file = SourceFile::new(name.into(), name.into(), text.into());
        let Some(crate::walk::FileKind::Code(language)) = crate::walk::classify(&file.path) else {
            panic!("{name} is not a code file");
        };
        let mut code = crate::frontend::read_code(language, &file, &[]).expect("fixture parses");
        code.is_test = crate::walk::is_test_path(&file.path);
        let mut project = Project::default();
        let id = project.add_file(file);
        project.add_code(id, code);
        let out = run(&project, rule, "");
        lines(&project, &out)
    }

    /// Runs one rule over in-memory files (templates and handler code), linked as a run links
    /// them; (path, line, message) sorted.
    pub fn check_project(
        files: &[(&str, &str)],
        rule: &'static Rule,
    ) -> Vec<(String, usize, String)> {
        let mut project = Project::default();
        for (name, text) in files {
            let file = SourceFile::new(name.into(), name.to_string(), text.to_string());
            match crate::walk::classify(&file.path) {
                Some(crate::walk::FileKind::Code(language)) => {
                    let code = crate::frontend::read_code(language, &file, &[]).expect("parses");
                    let stack = crate::frontend::cdk::read(language, &file, ".");
                    let id = project.add_file(file);
                    project.add_code(id, code);
                    if let Some(template) = stack {
                        project.add_template(id, template);
                    }
                }
                _ => {
                    let template = crate::frontend::read_template(&file).expect("parses");
                    let id = project.add_file(file);
                    if let Some(template) = template {
                        project.add_template(id, template);
                    }
                }
            }
        }
        crate::link::link(&mut project);
        let mut found: Vec<(String, usize, String)> = run(&project, rule, "")
            .iter()
            .map(|d| {
                let file = project.file(d.file);
                let line = file.line_number(d.span.start as usize);
                (file.display.clone(), line, d.message.clone())
            })
            .collect();
        found.sort();
        found
    }

    fn run(project: &Project, rule: &'static Rule, config: &str) -> Vec<Diagnostic> {
        let settings = Settings::parse(config, None, "/".into()).expect("test configuration");
        let configurations = Configurations::single(settings);
        let mut out = Vec::new();
        let check = rule.check.expect("the rule has a check");
        check(
            project,
            &Context {
                rule,
                graph: &crate::graph::Graph::build(project),
                configurations: &configurations,
            },
            &mut out,
        );
        out
    }

    /// (1-based line, message) of each diagnostic, for compact assertions.
    /// One rule on one in-memory template: (line, message) of each finding.
    pub fn check_lines(name: &str, text: &str, rule: &'static Rule) -> Vec<(usize, String)> {
        let (project, diagnostics) = check_file(name, text, rule, "");
        lines(&project, &diagnostics)
    }

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
        assert_eq!(codes.len(), RULES.len());
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
