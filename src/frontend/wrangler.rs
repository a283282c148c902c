//! Cloudflare Wrangler configurations (`wrangler.toml`, `wrangler.json`, `wrangler.jsonc`): each
//! Worker, and each `[env.<name>]` deployed from it, with the plain-text `vars` it is given.
//!
//! A Worker is a function of the model without runtime or events: only its environment matters
//! to the rules (FL201). Its secrets belong in `wrangler secret put` or `.dev.vars`.

use super::Unreadable;
use crate::model::{EnvValue, EnvVar, Flavor, Function, Located, Template};
use crate::source::Span;
use std::collections::BTreeMap;
use std::path::Path;
use toml::Spanned;

pub fn is_wrangler_file(path: &Path) -> bool {
    matches!(
        path.file_name().and_then(|n| n.to_str()),
        Some("wrangler.toml" | "wrangler.json" | "wrangler.jsonc")
    )
}

/// A Worker as configured: its name, where the name is written, and its variables.
struct Worker {
    name: String,
    span: Span,
    vars: Vec<Var>,
}

/// One entry of `vars`: a string is a literal; other values (numbers, objects) hold no secret.
struct Var {
    name: Located<String>,
    value: Option<String>,
    value_span: Span,
}

pub fn parse(path: &Path, text: &str) -> Result<Template, Unreadable> {
    let workers = match path.extension().and_then(|e| e.to_str()) {
        Some("toml") => toml_workers(path, text)?,
        _ => json_workers(path, text)?,
    };
    Ok(Template {
        functions: workers.into_iter().map(function).collect(),
        suppressions: Vec::new(),
        includes: Vec::new(),
        resources: Vec::new(),
    })
}

fn function(worker: Worker) -> Function {
    let mut function = Function::new(worker.name, worker.span, Flavor::Wrangler);
    function.environment = worker
        .vars
        .into_iter()
        .map(|var| EnvVar {
            value: match var.value {
                Some(text) => EnvValue::Literal {
                    text,
                    origin: var.value_span,
                },
                None => EnvValue::Reference,
            },
            name: var.name,
            value_span: var.value_span,
            from_defaults: false,
            references: Vec::new(),
            condition: None,
            included: None,
        })
        .collect();
    function
}

/// Without a `name`, a Worker is known by its folder.
fn default_name(path: &Path) -> String {
    path.parent()
        .and_then(|dir| std::path::absolute(dir).ok())
        .and_then(|dir| dir.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "worker".to_string())
}

#[derive(serde::Deserialize)]
struct TomlWorker {
    name: Option<Spanned<String>>,
    #[serde(default)]
    vars: BTreeMap<Spanned<String>, Spanned<toml::Value>>,
    #[serde(default)]
    env: BTreeMap<Spanned<String>, TomlEnvironment>,
}

#[derive(serde::Deserialize)]
struct TomlEnvironment {
    name: Option<Spanned<String>>,
    #[serde(default)]
    vars: BTreeMap<Spanned<String>, Spanned<toml::Value>>,
}

fn toml_workers(path: &Path, text: &str) -> Result<Vec<Worker>, Unreadable> {
    let parsed: TomlWorker = toml::from_str(text).map_err(|error| Unreadable {
        span: error
            .span()
            .map(|r| Span::new(r.start, r.end))
            .unwrap_or_default(),
        what: "wrangler.toml",
        reason: error.message().to_string(),
    })?;
    let name = parsed
        .name
        .as_ref()
        .map(|n| (n.get_ref().clone(), span_of(n)))
        .unwrap_or_else(|| (default_name(path), Span::default()));
    let toml_vars = |vars: BTreeMap<Spanned<String>, Spanned<toml::Value>>| {
        vars.into_iter()
            .map(|(key, value)| Var {
                name: Located::new(key.get_ref().clone(), span_of(&key)),
                value_span: span_of(&value),
                value: value.into_inner().as_str().map(str::to_string),
            })
            .collect()
    };
    let mut workers = vec![Worker {
        name: name.0.clone(),
        span: name.1,
        vars: toml_vars(parsed.vars),
    }];
    for (env, settings) in parsed.env {
        // Wrangler deploys `[env.staging]` as the Worker `<name>-staging` unless it is renamed.
        let (worker_name, span) = match &settings.name {
            Some(n) => (n.get_ref().clone(), span_of(n)),
            None => (format!("{}-{}", name.0, env.get_ref()), span_of(&env)),
        };
        workers.push(Worker {
            name: worker_name,
            span,
            vars: toml_vars(settings.vars),
        });
    }
    Ok(workers)
}

fn span_of<T>(spanned: &Spanned<T>) -> Span {
    let range = spanned.span();
    Span::new(range.start, range.end)
}

fn json_workers(path: &Path, text: &str) -> Result<Vec<Worker>, Unreadable> {
    use jsonc_parser::ast::Value;
    let what = "Wrangler JSON configuration";
    let options = jsonc_parser::ParseOptions::default();
    let parsed =
        jsonc_parser::parse_to_ast(text, &Default::default(), &options).map_err(|error| {
            Unreadable {
                span: Span::new(error.range().start, error.range().end),
                what,
                reason: error.kind().to_string(),
            }
        })?;
    let Some(Value::Object(root)) = parsed.value else {
        return Err(Unreadable {
            span: Span::default(),
            what,
            reason: "it is not a JSON object".to_string(),
        });
    };
    let name = root
        .get_string("name")
        .map(|n| (n.value.to_string(), range_span(n.range)))
        .unwrap_or_else(|| (default_name(path), Span::default()));
    let mut workers = vec![Worker {
        name: name.0.clone(),
        span: name.1,
        vars: json_vars(root.get_object("vars")),
    }];
    for env in root
        .get_object("env")
        .map(|e| e.properties.as_slice())
        .unwrap_or_default()
    {
        let Value::Object(settings) = &env.value else {
            continue;
        };
        let env_name = env.name.as_str();
        let (worker_name, span) = match settings.get_string("name") {
            Some(n) => (n.value.to_string(), range_span(n.range)),
            None => (
                format!("{}-{env_name}", name.0),
                range_span(jsonc_parser::common::Ranged::range(&env.name)),
            ),
        };
        workers.push(Worker {
            name: worker_name,
            span,
            vars: json_vars(settings.get_object("vars")),
        });
    }
    Ok(workers)
}

fn json_vars(vars: Option<&jsonc_parser::ast::Object>) -> Vec<Var> {
    use jsonc_parser::ast::Value;
    use jsonc_parser::common::Ranged;
    let Some(vars) = vars else {
        return Vec::new();
    };
    vars.properties
        .iter()
        .map(|property| Var {
            name: Located::new(
                property.name.as_str().to_string(),
                range_span(property.name.range()),
            ),
            value: match &property.value {
                Value::StringLit(text) => Some(text.value.to_string()),
                _ => None,
            },
            value_span: range_span(property.value.range()),
        })
        .collect()
}

fn range_span(range: jsonc_parser::common::Range) -> Span {
    Span::new(range.start, range.end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(path: &str, text: &str) -> Vec<(String, String, Option<String>)> {
        let template = parse(Path::new(path), text).expect("parses");
        template
            .functions
            .iter()
            .flat_map(|f| {
                f.environment.iter().map(|var| {
                    let value = match &var.value {
                        EnvValue::Literal { text, origin } => {
                            assert_eq!(*origin, var.value_span);
                            Some(text.clone())
                        }
                        _ => None,
                    };
                    (f.logical_id.clone(), var.name.value.clone(), value)
                })
            })
            .collect()
    }

    #[test]
    fn toml_vars_and_environments_are_workers() {
        let text = r#"
name = "checkout"
main = "src/index.ts"

[vars]
WEBHOOK_SECRET = "whsec_1234"
RETRIES = 3

[env.staging.vars]
API_TOKEN = "abc"

[env.production]
name = "checkout-live"
vars = { API_TOKEN = "def" }
"#;
        assert_eq!(
            vars("wrangler.toml", text),
            vec![
                ("checkout".into(), "RETRIES".into(), None),
                (
                    "checkout".into(),
                    "WEBHOOK_SECRET".into(),
                    Some("whsec_1234".into())
                ),
                (
                    "checkout-live".into(),
                    "API_TOKEN".into(),
                    Some("def".into())
                ),
                (
                    "checkout-staging".into(),
                    "API_TOKEN".into(),
                    Some("abc".into())
                ),
            ]
        );
    }

    #[test]
    fn jsonc_allows_comments_and_trailing_commas() {
        let text = r#"{
  // the storefront
  "name": "shop",
  "vars": { "STRIPE_KEY": "sk_test_x", "LIMIT": 10, },
  "env": { "dev": { "vars": { "TOKEN": "t" } } },
}"#;
        assert_eq!(
            vars("wrangler.jsonc", text),
            vec![
                ("shop".into(), "STRIPE_KEY".into(), Some("sk_test_x".into())),
                ("shop".into(), "LIMIT".into(), None),
                ("shop-dev".into(), "TOKEN".into(), Some("t".into())),
            ]
        );
    }

    #[test]
    fn broken_files_say_where() {
        let error = parse(Path::new("wrangler.toml"), "name = \"a\"\n[vars\n").unwrap_err();
        assert!(error.span.start > 0, "{error:?}");
        let error = parse(Path::new("wrangler.json"), "{ \"vars\": { \"A\": } }").unwrap_err();
        assert!(error.span.start > 0, "{error:?}");
        assert!(parse(Path::new("wrangler.json"), "[1]").is_err());
    }

    #[test]
    fn values_point_at_their_text() {
        let text = "name = \"w\"\n[vars]\nSECRET = \"s3cr3t\"\n";
        let template = parse(Path::new("wrangler.toml"), text).unwrap();
        let var = &template.functions[0].environment[0];
        assert_eq!(
            &text[var.value_span.start as usize..var.value_span.end as usize],
            "\"s3cr3t\""
        );
        assert_eq!(
            &text[var.name.span.start as usize..var.name.span.end as usize],
            "SECRET"
        );
    }
}
