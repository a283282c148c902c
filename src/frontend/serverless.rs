//! `serverless.yml` (Serverless Framework) into [`Template`], with `provider` defaults merged.
//!
//! `${...}` variables are resolved where the configuration states the answer: `${self:...}`,
//! the defaults of `${opt:...}` and `${env:...}`, `${sls:stage}`, and `${file(...)}` includes,
//! which are read with their positions. Everything else (`${ssm:...}`, `${cf:...}`, an option
//! without a default) is a reference, decided at deploy time.

use super::yaml::Node;
use super::{is_catch_all_route, normalize_path, parse_u64, split_route};
use crate::model::{
    EnvValue, EnvVar, Event, EventDetails, EventKind, FileId, Flavor, Function, Include, Included,
    Located, SnapStart, Template,
};
use crate::source::{display_path, normalize, Span};
use std::cell::RefCell;
use std::path::{Path, PathBuf};

/// How many `${self:...}` hops we follow before calling a chain unresolvable.
const MAX_RESOLVE_DEPTH: usize = 10;
/// A `${file(...)}` include larger than this is not read.
const MAX_INCLUDE_BYTES: u64 = 1024 * 1024;

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

pub fn extract(root: &Node, config: &Path) -> Template {
    let resolver = Resolver::new(root, config);
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
        function.environment = environment(&resolver, provider_env, def.get("environment"));
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
                    details: Default::default(),
                });
            }
        }
        template.functions.push(function);
    }
    template.includes = resolver.into_includes();
    if let Some(section) = root.path(&["resources", "Resources"]) {
        template.resources = super::cloudformation::resources(root, section);
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

/// Provider variables first, then the function's own, which override them. An `environment`
/// that is a `${file(...)}` include is read from the included file.
fn environment(resolver: &Resolver, provider: Option<&Node>, local: Option<&Node>) -> Vec<EnvVar> {
    let mut vars: Vec<EnvVar> = Vec::new();
    let sources = [(provider, true), (local, false)];
    for (source, from_defaults) in sources {
        let Some(source) = source else {
            continue;
        };
        let included = resolver.included_node(source);
        let (entries, included) = match &included {
            Some(found) => (
                found.node.entries(),
                Some(Included {
                    file: found.file,
                    at: source.span,
                    site: (found.site != source.span).then_some(found.site),
                }),
            ),
            None => (source.entries(), None),
        };
        for (key, value) in entries {
            let Some(name) = key.scalar_text() else {
                continue;
            };
            vars.retain(|var| var.name.value != name);
            let mut references = Vec::new();
            super::cloudformation::referenced_ids(value, &mut references);
            let (mut value_kind, value_included) = resolver.env_value(value);
            let value_span = value_included.map_or(value.span, |(_, span, _)| span);
            let included = included.or(value_included.map(|(file, _, site)| Included {
                file,
                at: value.span,
                site: (site != value.span).then_some(site),
            }));
            // A value in an included file is shown where it is written there, even when a
            // `${self:...}` in it leads back into the configuration.
            if let (Some(_), EnvValue::Literal { origin, .. }) = (included, &mut value_kind) {
                *origin = value_span;
            }
            vars.push(EnvVar {
                name: Located::new(name.to_string(), key.span),
                value: value_kind,
                value_span,
                from_defaults,
                references,
                condition: None,
                included,
            });
        }
    }
    vars
}

/// The Framework's `${...}` variables, resolved where the configuration states the answer:
/// `${self:...}` in this file, the default of `${opt:...}` and `${env:...}`, `${sls:stage}`, and
/// `${file(...)}` includes, which are read. Anything else (`${ssm:...}`, `${cf:...}`, an option
/// without a default) is decided at deploy time and stays unknown.
pub struct Resolver<'a> {
    root: &'a Node,
    /// The folder of the configuration, which `${file(...)}` paths are relative to.
    dir: PathBuf,
    includes: RefCell<Vec<Include>>,
    /// Each include as parsed, beside it: a file is read and parsed once however many
    /// variables name it (`None`: it does not parse).
    parsed: RefCell<Vec<Option<Node>>>,
}

impl<'a> Resolver<'a> {
    pub fn new(root: &'a Node, config: &Path) -> Resolver<'a> {
        Resolver {
            root,
            dir: config.parent().unwrap_or(Path::new("")).to_path_buf(),
            includes: RefCell::new(Vec::new()),
            parsed: RefCell::new(Vec::new()),
        }
    }

    pub fn into_includes(self) -> Vec<Include> {
        self.includes.into_inner()
    }

    /// A variable's value and, when it is read from an included file, that file, where in it
    /// the value is written, and where the configuration includes it.
    fn env_value(&self, node: &Node) -> (EnvValue, Option<(FileId, Span, Span)>) {
        match node.scalar_text() {
            Some(_) if node.tag.is_some() => (EnvValue::Reference, None),
            Some(text) => {
                if let Some(found) = self.included_node(node) {
                    return match found.node.scalar_text() {
                        Some(text) if found.node.tag.is_none() => (
                            self.resolve(text, found.node.span, 0),
                            Some((found.file, found.node.span, found.site)),
                        ),
                        _ => (EnvValue::Reference, None),
                    };
                }
                (self.resolve(text, node.span, 0), None)
            }
            None => (EnvValue::Reference, None), // `Ref:` / `Fn::GetAtt:` maps
        }
    }

    /// A value that is exactly one `${file(path)}` or `${file(path):key.path}`, or a
    /// `${self:...}` path through such an include (`custom.secrets: ${file(secrets.yml)}` read
    /// as `${self:custom.secrets.API_KEY}`): the included file (its index in the includes) and
    /// the node it names.
    fn included_node(&self, node: &Node) -> Option<FoundInclude> {
        self.included_node_at(node, 0)
    }

    fn included_node_at(&self, node: &Node, depth: usize) -> Option<FoundInclude> {
        if depth >= MAX_RESOLVE_DEPTH {
            return None;
        }
        let text = node.scalar_text()?;
        let found = variables(text);
        let [(range, inner)] = found.as_slice() else {
            return None;
        };
        if *range != (0..text.len()) {
            return None;
        }
        let (source, _) = split_default(inner);
        if let Some(path) = source.trim().strip_prefix("self:") {
            return self.included_through_self(path, depth);
        }
        let rest = source.strip_prefix("file(")?;
        let (path, key) = rest.split_once(')')?;
        let path = self.text(path.trim().trim_matches(['\'', '"']), 0)?;
        let key = match key.strip_prefix(':') {
            Some(key) => Some(self.text(key.trim(), 0)?),
            None => None,
        };
        let index = self.read_include(&path)?;
        let parsed = self.parsed.borrow();
        let root = parsed[index].as_ref()?;
        let found = match &key {
            Some(key) => root.path(&key.split('.').collect::<Vec<_>>())?,
            None => root,
        };
        Some(FoundInclude {
            file: FileId::new(index),
            node: found.clone(),
            site: node.span,
        })
    }

    /// Follows `self:` path keys through the configuration; where a key holds an include, the
    /// rest of the path is read in the included file.
    fn included_through_self(&self, path: &str, depth: usize) -> Option<FoundInclude> {
        let path = self.text(path, depth + 1)?;
        let keys: Vec<&str> = path.split('.').collect();
        let mut node = self.root;
        for (i, key) in keys.iter().enumerate() {
            if node.scalar_text().is_some() {
                let found = self.included_node_at(node, depth + 1)?;
                let rest = &keys[i..];
                return Some(FoundInclude {
                    node: found.node.path(rest)?.clone(),
                    ..found
                });
            }
            node = node.get(key)?;
        }
        // The path ends at a node of the configuration, or at an include itself.
        self.included_node_at(node, depth + 1)
    }

    /// Reads and parses an included YAML or JSON file (once), bounded in size: its index.
    fn read_include(&self, relative: &str) -> Option<usize> {
        let path = normalize(&self.dir.join(relative), Path::new(""));
        let is_data = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| ["yml", "yaml", "json"].contains(&e.to_ascii_lowercase().as_str()));
        let metadata = std::fs::metadata(&path).ok()?;
        if !is_data || !metadata.is_file() || metadata.len() > MAX_INCLUDE_BYTES {
            return None;
        }
        let mut includes = self.includes.borrow_mut();
        let index = match includes.iter().position(|i| i.path == path) {
            Some(index) => index,
            None => {
                let text = String::from_utf8(std::fs::read(&path).ok()?).ok()?;
                let cwd = std::env::current_dir().unwrap_or_default();
                self.parsed
                    .borrow_mut()
                    .push(super::yaml::parse(&text).ok());
                includes.push(Include {
                    display: display_path(&path, &cwd),
                    path,
                    text,
                });
                includes.len() - 1
            }
        };
        Some(index)
    }

    /// Resolves the variables of a value: a literal where the configuration states them.
    fn resolve(&self, text: &str, span: Span, depth: usize) -> EnvValue {
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
                if let Some(target) = self.self_target(inner, depth) {
                    return match target.scalar_text() {
                        Some(target_text) if target.tag.is_none() => {
                            self.resolve(target_text, target.span, depth + 1)
                        }
                        _ => EnvValue::Reference,
                    };
                }
                return match self.variable_text(inner, depth) {
                    Some(text) => EnvValue::Literal { text, origin: span },
                    None => EnvValue::Reference,
                };
            }
        }
        let mut spliced = String::new();
        let mut last = 0;
        for (range, inner) in &variables {
            spliced.push_str(&text[last..range.start]);
            let literal = self.variable_text(inner, depth);
            spliced.push_str(literal.as_deref().unwrap_or("${…}"));
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

    /// `text` with every variable resolved, or `None` when one is decided at deploy time.
    fn text(&self, text: &str, depth: usize) -> Option<String> {
        if depth >= MAX_RESOLVE_DEPTH {
            return None;
        }
        let mut out = String::new();
        let mut last = 0;
        for (range, inner) in variables(text) {
            out.push_str(&text[last..range.start]);
            out.push_str(&self.variable_text(inner, depth + 1)?);
            last = range.end;
        }
        out.push_str(&text[last..]);
        Some(out)
    }

    /// The text one variable stands for: its source when the configuration states it, else
    /// its default (`${opt:stage, 'dev'}`).
    fn variable_text(&self, inner: &str, depth: usize) -> Option<String> {
        let (source, default) = split_default(inner);
        let source = self.text(source.trim(), depth + 1)?;
        let stated = if let Some(target) = self.self_target(&source, depth) {
            target
                .scalar_text()
                .filter(|_| target.tag.is_none())
                .and_then(|t| self.text(t, depth + 1))
        } else if source == "sls:stage" {
            self.variable_text("self:provider.stage, 'dev'", depth + 1)
        } else {
            None
        };
        stated.or_else(|| {
            let default = default?.trim();
            let quoted = ['\'', '"']
                .iter()
                .find_map(|q| default.strip_prefix(*q)?.strip_suffix(*q));
            match quoted {
                Some(literal) => Some(literal.to_string()),
                None if default.starts_with("${") => self.text(default, depth + 1),
                // Another source as the fallback: `${opt:stage, self:provider.stage}`.
                None if is_variable_source(default) => self.variable_text(default, depth + 1),
                // A number or a bare word is taken as written.
                None if !default.is_empty() && !default.contains(':') => Some(default.to_string()),
                None => None,
            }
        })
    }

    /// The node named by `self:path.to.key` (its path resolved first).
    fn self_target(&self, variable: &str, depth: usize) -> Option<&'a Node> {
        let (source, _) = split_default(variable);
        let path = source.trim().strip_prefix("self:")?;
        let path = self.text(path, depth + 1)?;
        let keys: Vec<&str> = path.split('.').collect();
        self.root.path(&keys)
    }
}

/// What a variable reads from an included file.
struct FoundInclude {
    /// The file (its index in the includes).
    file: FileId,
    /// The node the variable names in it.
    node: Node,
    /// The `${file(...)}` that includes it: the variable itself, or the configuration key a
    /// `${self:...}` path leads through.
    site: Span,
}

/// A variable's source and its default: `opt:stage, 'dev'` is (`opt:stage`, `'dev'`). The
/// comma is the first one outside nested `${...}`, parentheses and quotes.
fn split_default(inner: &str) -> (&str, Option<&str>) {
    let mut depth = 0usize;
    let mut quote = None;
    for (i, c) in inner.char_indices() {
        match (c, quote) {
            ('\'' | '"', None) => quote = Some(c),
            (c, Some(q)) if c == q => quote = None,
            (_, Some(_)) => {}
            ('{' | '(', None) => depth += 1,
            ('}' | ')', None) => depth = depth.saturating_sub(1),
            (',', None) if depth == 0 => return (&inner[..i], Some(&inner[i + 1..])),
            _ => {}
        }
    }
    (inner, None)
}

/// `self:provider.stage`, `opt:stage`, `env:STAGE`, `sls:stage`: a fallback that is itself a
/// variable, written without `${}`.
fn is_variable_source(text: &str) -> bool {
    ["self:", "opt:", "env:", "sls:"]
        .iter()
        .any(|prefix| text.starts_with(prefix))
}

/// `ssm:/path~true` (a SecureString, decrypted) or `ssm:/aws/reference/secretsmanager/...`.
fn is_decrypted_ssm(variable: &str) -> bool {
    variable.strip_prefix("ssm:").is_some_and(|path| {
        path.split(',').next().is_some_and(|path| {
            path.trim_end().ends_with("~true") || path.contains("/aws/reference/secretsmanager/")
        })
    })
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
            // `sqs: {arn: !GetAtt Queue.Arn}`, `stream: {arn: ...}`, `sns: {arn: !Ref Topic}`.
            let arn = value
                .get("arn")
                .or_else(|| value.get("topicName"))
                .unwrap_or(value);
            let mut ids = Vec::new();
            super::cloudformation::referenced_ids(arn, &mut ids);
            return Some(Event {
                kind,
                method: None,
                path: None,
                catch_all: false,
                span: key.span,
                details: EventDetails {
                    source: ids.into_iter().next(),
                    timeout_ms: None,
                    asynchronous: false,
                    filtered: value.get("rules").is_some() || value.get("filterPatterns").is_some(),
                    event_sources: Vec::new(),
                },
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
        details: Default::default(),
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
        extract(&root, Path::new("serverless.yml"))
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

    /// The environment of the first function of `config`, written as `serverless.yml` in a
    /// folder with `files`: (name, value as text or `?`, included file's index).
    fn resolved(config: &str, files: &[(&str, &str)]) -> (Template, Vec<(String, String)>) {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let root = yaml::parse(config).unwrap();
        let t = extract(&root, &dir.path().join("serverless.yml"));
        let env = t.functions[0]
            .environment
            .iter()
            .map(|v| {
                let value = match &v.value {
                    EnvValue::Literal { text, .. } | EnvValue::Interpolated { text } => {
                        text.clone()
                    }
                    _ => "?".to_string(),
                };
                (v.name.value.clone(), value)
            })
            .collect();
        (t, env)
    }

    #[test]
    fn framework_variables_resolve_to_what_the_configuration_states() {
        let config = "service: s\nprovider:\n  name: aws\n  stage: ${opt:stage, 'qa'}\ncustom:\n  qa:\n    host: qa.db.internal\nfunctions:\n  api:\n    handler: h.main\n    environment:\n      STAGE: ${sls:stage}\n      HOST: ${self:custom.${sls:stage}.host}\n      REGION: ${env:AWS_REGION, \"eu-west-1\"}\n      RETRIES: ${opt:retries, 3}\n      FALLBACK: ${opt:x, ${self:custom.qa.host}}\n      URL: https://${opt:host}/v1\n      TOKEN: ${opt:token}\n      SECRET: ${ssm:/s/${sls:stage}/secret}\n";
        let (_, env) = resolved(config, &[]);
        let env: Vec<(&str, &str)> = env.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        assert_eq!(
            env,
            [
                ("STAGE", "qa"),
                ("HOST", "qa.db.internal"),
                ("REGION", "eu-west-1"),
                ("RETRIES", "3"),
                ("FALLBACK", "qa.db.internal"),
                ("URL", "https://${…}/v1"),
                ("TOKEN", "?"),
                ("SECRET", "?"),
            ]
        );
        // Without a stage of its own, the Framework's is `dev`.
        let (_, env) = resolved("provider:\n  name: aws\nfunctions:\n  f:\n    handler: h.main\n    environment:\n      STAGE: ${sls:stage}\n", &[]);
        assert_eq!(env[0].1, "dev");
    }

    #[test]
    fn file_includes_are_read_with_their_positions() {
        let config = "provider:\n  name: aws\n  stage: ${opt:stage, 'dev'}\n  environment: ${file(./env/${self:provider.stage}.yml)}\nfunctions:\n  f:\n    handler: h.main\n    environment:\n      TOKEN: ${file(./secrets.json):${sls:stage}.token}\n      MISSING: ${file(./nowhere.yml):key}\n      BINARY: ${file(./blob.bin)}\n";
        let dev = "LOG_LEVEL: debug\nAPI_KEY: sk_live_abc\n";
        let (t, env) = resolved(
            config,
            &[
                ("env/dev.yml", dev),
                ("env/prod.yml", "LOG_LEVEL: info\n"),
                ("secrets.json", "{\"dev\": {\"token\": \"t0k3n\"}}"),
                ("blob.bin", "LOG_LEVEL: x\n"),
            ],
        );
        let names: Vec<(&str, &str)> = env.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        assert_eq!(
            names,
            [
                ("LOG_LEVEL", "debug"),
                ("API_KEY", "sk_live_abc"),
                ("TOKEN", "t0k3n"),
                ("MISSING", "?"),
                ("BINARY", "?"),
            ]
        );
        // Two files were read, once each; positions are in them.
        let shown: Vec<&str> = t.includes.iter().map(|i| i.display.as_str()).collect();
        assert!(
            shown[0].ends_with("env/dev.yml") && shown[1].ends_with("secrets.json"),
            "{shown:?}"
        );
        let api_key = &t.functions[0].environment[1];
        let included = api_key.included.expect("from the included file");
        assert_eq!(included.file.index(), 0);
        assert_eq!(&dev[api_key.value_span.range()], "sk_live_abc");
        assert_eq!(
            &config[included.at.range()],
            "${file(./env/${self:provider.stage}.yml)}"
        );
    }

    #[test]
    fn a_fallback_may_itself_be_a_variable() {
        let config = "provider:\n  name: aws\n  stage: ${opt:stage, 'qa'}\ncustom:\n  defaultStage: staging\nfunctions:\n  f:\n    handler: h.main\n    environment:\n      A: ${opt:stage, self:provider.stage}\n      B: ${opt:stage, self:custom.defaultStage}\n      C: ${opt:stage, env:NOT_STATED}\n      D: ${opt:stage, self:custom.missing, 'last'}\n";
        let (_, env) = resolved(config, &[]);
        let values: Vec<&str> = env.iter().map(|(_, v)| v.as_str()).collect();
        // `env:` is the deploying machine's: unknown, never guessed.
        assert_eq!(values, ["qa", "staging", "?", "last"]);
    }

    #[test]
    fn self_paths_lead_through_includes() {
        let config = "provider:\n  name: aws\n  stage: ${opt:stage, self:custom.defaultStage}\ncustom:\n  defaultStage: dev\n  secrets: ${file(./secrets.json)}\n  env: ${file(env/${self:provider.stage}.yml)}\nfunctions:\n  f:\n    handler: h.main\n    environment:\n      JWT_SECRET: ${self:custom.secrets.JWT_SECRET}\n      PASS: ${self:custom.env.pass}\n      NONE: ${self:custom.secrets.nothing}\n      STAGE: ${self:custom.defaultStage}\n";
        let secrets = "{\"JWT_SECRET\": \"s3cr3t-signing-key\"}";
        let dev = "pass: dev-Hunter2-long\n";
        let (t, env) = resolved(config, &[("secrets.json", secrets), ("env/dev.yml", dev)]);
        let values: Vec<(&str, &str)> = env.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        assert_eq!(
            values,
            [
                ("JWT_SECRET", "s3cr3t-signing-key"),
                ("PASS", "dev-Hunter2-long"),
                ("NONE", "?"),
                ("STAGE", "dev"),
            ]
        );
        // Found where they are written, with the variable as the include.
        let vars = &t.functions[0].environment;
        let jwt = vars[0].included.expect("read from secrets.json");
        assert_eq!(
            &secrets[vars[0].value_span.range()],
            "\"s3cr3t-signing-key\""
        );
        assert_eq!(&config[jwt.at.range()], "${self:custom.secrets.JWT_SECRET}");
        assert_eq!(&dev[vars[1].value_span.range()], "dev-Hunter2-long");
        assert!(vars[3].included.is_none());
    }

    #[test]
    fn finds_nested_variables() {
        let found = variables("a-${self:custom.${sls:stage}.x}-b ${opt:x}");
        let inner: Vec<_> = found.iter().map(|(_, inner)| *inner).collect();
        assert_eq!(inner, ["self:custom.${sls:stage}.x", "opt:x"]);
        assert!(variables("${unclosed").is_empty());
    }
}
