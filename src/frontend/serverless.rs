//! `serverless.yml` (Serverless Framework) into [`Template`], with `provider` defaults merged.
//!
//! `${...}` variables are resolved only where the file itself holds the answer
//! (`${self:custom.x}`); everything else (`${ssm:...}`, `${env:...}`, `${opt:...}`,
//! `${file(...)}`) is a reference, decided at deploy time.

use super::yaml::Node;
use super::{is_catch_all_route, normalize_path, parse_u64, split_route};
use crate::model::{
    EnvValue, EnvVar, Event, EventKind, Flavor, Function, Located, SnapStart, Template,
};
use crate::source::Span;
use std::path::Path;

/// How many `${self:...}` hops we follow before calling a chain unresolvable.
const MAX_RESOLVE_DEPTH: usize = 10;

pub fn is_serverless_file(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name == "serverless.yml" || name == "serverless.yaml"
}

/// A Serverless Framework configuration for AWS (the Framework also targets Azure and Google).
pub fn is_serverless_config(root: &Node) -> bool {
    let provider = root.get("provider");
    let provider_name = provider
        .and_then(|p| p.get("name").or(Some(p)))
        .and_then(Node::as_str);
    let aws = provider_name.is_none_or(|name| name == "aws");
    aws && (root.get("functions").is_some() || provider.is_some())
}

pub fn extract(root: &Node) -> Template {
    let provider = root.get("provider");
    let provider_env = provider.and_then(|p| p.get("environment"));
    let versioned = |node: Option<&Node>| {
        node.and_then(|n| n.get("versionFunctions"))
            .and_then(Node::as_str)
            .map(|v| v != "false")
    };
    let mut template = Template::default();
    let functions = root.get("functions").map(Node::entries).unwrap_or_default();
    for (key, def) in functions {
        let Some(name) = key.scalar_text() else {
            continue;
        };
        let setting = |field: &str| {
            def.get(field)
                .or_else(|| provider.and_then(|p| p.get(field)))
        };
        let mut function = Function::new(name.to_string(), key.span, Flavor::Serverless);
        function.runtime = located_text(setting("runtime"));
        function.handler = located_text(def.get("handler"));
        function.image = def.entry("image").map(|(k, _)| k.span);
        function.memory_mb = located_number(setting("memorySize"));
        function.timeout_s = located_number(setting("timeout"));
        function.ephemeral_storage_mb = located_number(setting("ephemeralStorageSize"));
        function.file_systems = def.entry("fileSystemConfig").map(|(k, _)| k.span);
        function.provisioned_concurrency = def
            .entry("provisionedConcurrency")
            .filter(|(_, v)| v.as_str().and_then(parse_u64) != Some(0))
            .map(|(k, _)| k.span);
        function.snapstart = def.get("snapStart").map(|value| SnapStart {
            enabled: value.as_str() == Some("true"),
            span: value.span,
        });
        // The Framework publishes a version per deploy unless told not to.
        function.publishes_versions = versioned(Some(def))
            .or_else(|| versioned(provider))
            .unwrap_or(true);
        function.environment = environment(root, provider_env, def.get("environment"));
        function.events = def
            .get("events")
            .map(|events| events.items().iter().filter_map(event).collect())
            .unwrap_or_default();
        if let Some((url_key, url)) = def.entry("url") {
            if url.as_str() != Some("false") {
                function.events.push(Event {
                    kind: EventKind::FunctionUrl,
                    method: None,
                    path: None,
                    catch_all: false,
                    span: url_key.span,
                });
            }
        }
        template.functions.push(function);
    }
    template
}

fn located_text(node: Option<&Node>) -> Option<Located<String>> {
    let node = node?;
    Some(Located::new(node.as_str()?.to_string(), node.span))
}

fn located_number(node: Option<&Node>) -> Option<Located<u64>> {
    let node = node?;
    Some(Located::new(parse_u64(node.as_str()?)?, node.span))
}

/// Provider variables first, then the function's own, which override them.
fn environment(root: &Node, provider: Option<&Node>, local: Option<&Node>) -> Vec<EnvVar> {
    let mut vars: Vec<EnvVar> = Vec::new();
    let sources = [(provider, true), (local, false)];
    for (source, from_defaults) in sources {
        for (key, value) in source.map(Node::entries).unwrap_or_default() {
            let Some(name) = key.scalar_text() else {
                continue;
            };
            vars.retain(|var| var.name.value != name);
            let mut references = Vec::new();
            super::cloudformation::referenced_ids(value, &mut references);
            vars.push(EnvVar {
                name: Located::new(name.to_string(), key.span),
                value: env_value(root, value),
                value_span: value.span,
                from_defaults,
                references,
                condition: None,
            });
        }
    }
    vars
}

fn env_value(root: &Node, node: &Node) -> EnvValue {
    match node.scalar_text() {
        Some(_) if node.tag.is_some() => EnvValue::Reference,
        Some(text) => resolve(root, text, node.span, 0),
        None => EnvValue::Reference, // `Ref:` / `Fn::GetAtt:` maps
    }
}

/// Resolves `${self:...}` variables that name a literal in this file.
fn resolve(root: &Node, text: &str, span: Span, depth: usize) -> EnvValue {
    if !text.contains("${") {
        return EnvValue::Literal {
            text: text.to_string(),
            origin: span,
        };
    }
    if depth >= MAX_RESOLVE_DEPTH {
        return EnvValue::Reference;
    }
    let variables = variables(text);
    // A value that is exactly one `${self:...}` takes the target's meaning and place.
    if let [(range, inner)] = variables.as_slice() {
        if *range == (0..text.len()) {
            if is_decrypted_ssm(inner) {
                return EnvValue::ResolvedSecret {
                    how: format!("`${{{inner}}}`, a secret the Framework decrypts at deploy"),
                };
            }
            return match self_target(root, inner) {
                Some(target) => match target.scalar_text() {
                    Some(target_text) if target.tag.is_none() => {
                        resolve(root, target_text, target.span, depth + 1)
                    }
                    _ => EnvValue::Reference,
                },
                None => EnvValue::Reference,
            };
        }
    }
    let mut spliced = String::new();
    let mut last = 0;
    for (range, inner) in &variables {
        spliced.push_str(&text[last..range.start]);
        let literal = self_target(root, inner)
            .and_then(|target| target.as_str())
            .filter(|target_text| !target_text.contains("${"));
        spliced.push_str(literal.unwrap_or("${…}"));
        last = range.end;
    }
    spliced.push_str(&text[last..]);
    if spliced.contains("${") {
        EnvValue::Interpolated { text: spliced }
    } else {
        EnvValue::Literal {
            text: spliced,
            origin: span,
        }
    }
}

/// `ssm:/path~true` (a SecureString, decrypted) or `ssm:/aws/reference/secretsmanager/...`.
fn is_decrypted_ssm(variable: &str) -> bool {
    variable.strip_prefix("ssm:").is_some_and(|path| {
        path.split(',').next().is_some_and(|path| {
            path.trim_end().ends_with("~true") || path.contains("/aws/reference/secretsmanager/")
        })
    })
}

/// The node named by `self:path.to.key` (a default after a comma is ignored).
fn self_target<'a>(root: &'a Node, variable: &str) -> Option<&'a Node> {
    let path = variable.strip_prefix("self:")?;
    let path = path.split(',').next()?.trim();
    if path.contains("${") {
        return None;
    }
    let keys: Vec<&str> = path.split('.').collect();
    root.path(&keys)
}

/// The top-level `${...}` variables of a string, with their byte ranges and inner text.
fn variables(text: &str) -> Vec<(std::ops::Range<usize>, &str)> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == b'$' && bytes[i + 1] == b'{' {
            let start = i;
            let mut depth = 0;
            let mut j = i + 1;
            while j < bytes.len() {
                match bytes[j] {
                    b'{' => depth += 1,
                    b'}' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            if j >= bytes.len() {
                break; // unclosed: leave the rest as text
            }
            found.push((start..j + 1, &text[start + 2..j]));
            i = j + 1;
        } else {
            i += 1;
        }
    }
    found
}

fn event(entry: &Node) -> Option<Event> {
    let [(key, value)] = entry.entries() else {
        return None;
    };
    let kind = match key.scalar_text()? {
        "http" => EventKind::RestApi,
        "httpApi" => EventKind::HttpApi,
        "alb" => EventKind::Alb,
        other => {
            let kind = match other {
                "websocket" => EventKind::WebSocketApi,
                other => EventKind::Other(other.to_string()),
            };
            return Some(Event {
                kind,
                method: None,
                path: None,
                catch_all: false,
                span: key.span,
            });
        }
    };
    let (method, path, span) = match value.scalar_text() {
        Some(route) => {
            let (method, path) = split_route(route);
            (method, path, value.span)
        }
        None => {
            let path_node = match kind {
                EventKind::Alb => value.path(&["conditions", "path"]),
                _ => value.get("path"),
            };
            // ALB conditions take a list of paths; the first one stands for the rule.
            let path_node = path_node.map(|p| p.items().first().unwrap_or(p));
            let method = value
                .get("method")
                .and_then(Node::as_str)
                .map(str::to_string);
            let path = path_node.and_then(Node::as_str).map(str::to_string);
            (method, path, path_node.map_or(key.span, |p| p.span))
        }
    };
    let path = path.map(|p| normalize_path(&p));
    let catch_all = match kind {
        EventKind::Alb => path.as_deref().is_some_and(|p| p == "/*" || p == "*"),
        _ => is_catch_all_route(method.as_deref(), path.as_deref()),
    };
    Some(Event {
        kind,
        method,
        path,
        catch_all,
        span,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontend::yaml;

    const SLS: &str = r#"
service: notifications
custom:
  apiKey: SG.abcdefghijklmnop.qrstuvwxyz0123456789
  host: db.internal
provider:
  name: aws
  runtime: python3.12
  environment:
    API_KEY: ${self:custom.apiKey}
    TWILIO: ${ssm:/prod/twilio}
    DB_URL: postgres://app:pw@${self:custom.host}/db
    REMOTE: postgres://app:pw@${env:DB_HOST}/db
functions:
  api:
    handler: app.handler
    environment:
      TWILIO: override
    events:
      - httpApi: '*'
      - http: GET users/{id}
      - sqs: arn:aws:sqs:us-east-1:123:queue
  java:
    runtime: java21
    snapStart: true
    provisionedConcurrency: 2
    url: true
    events:
      - http:
          path: /orders
          method: post
"#;

    fn template() -> Template {
        let root = yaml::parse(SLS).unwrap();
        assert!(is_serverless_config(&root));
        extract(&root)
    }

    #[test]
    fn provider_defaults_and_self_variables() {
        let t = template();
        let api = &t.functions[0];
        assert_eq!(api.runtime.as_ref().unwrap().value, "python3.12");
        let env: Vec<_> = api
            .environment
            .iter()
            .map(|v| (&v.name.value[..], &v.value))
            .collect();
        assert_eq!(env[0].0, "API_KEY");
        match env[0].1 {
            EnvValue::Literal { text, origin } => {
                assert!(text.starts_with("SG."));
                assert_eq!(
                    &SLS[origin.range()],
                    "SG.abcdefghijklmnop.qrstuvwxyz0123456789"
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(
            matches!(env[1].1, EnvValue::Literal { text, .. } if text == "postgres://app:pw@db.internal/db")
        );
        assert!(matches!(env[2].1, EnvValue::Interpolated { text } if text.contains("${…}")));
        assert!(matches!(env[3].1, EnvValue::Literal { text, .. } if text == "override"));
        assert!(api
            .environment
            .iter()
            .any(|v| v.name.value == "TWILIO" && !v.from_defaults));
    }

    #[test]
    fn events_routes_and_settings() {
        let t = template();
        let api = &t.functions[0];
        assert_eq!(api.events.len(), 3);
        assert!(api.events[0].catch_all);
        assert_eq!(api.events[1].path.as_deref(), Some("/users/{id}"));
        assert!(!api.events[1].catch_all);
        assert!(!api.events[2].kind.is_user_facing());
        let java = &t.functions[1];
        assert!(java.snapstart_enabled().is_some());
        assert!(java.provisioned_concurrency.is_some());
        assert!(java.publishes_versions);
        assert!(java.events.iter().any(|e| e.kind == EventKind::FunctionUrl));
    }

    #[test]
    fn finds_nested_variables() {
        let found = variables("a-${self:custom.${sls:stage}.x}-b ${opt:x}");
        let inner: Vec<_> = found.iter().map(|(_, inner)| *inner).collect();
        assert_eq!(inner, ["self:custom.${sls:stage}.x", "opt:x"]);
        assert!(variables("${unclosed").is_empty());
    }
}
