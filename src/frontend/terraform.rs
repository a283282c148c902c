//! Terraform (HCL): `aws_lambda_function` resources and `terraform-aws-modules/lambda/aws`
//! modules, with what the other resources of their module (folder) say about them: API routes,
//! function URLs, load balancers, provisioned concurrency.
//!
//! Only what is written is evaluated: literals, `var.x` defaults, `local.x`, `path.module` and
//! `data.archive_file` folders. Anything else (`count`, `for_each`, other resources' attributes,
//! functions) stays unknown: no guesses.

use super::{route_event as event, Unreadable};
use crate::knowledge::SECRETS;
use crate::model::Template;
use crate::model::{
    EnvValue, EnvVar, Event, EventKind, Flavor, Function, Located, Resource, ResourceKind,
    SnapStart,
};
use crate::source::Span;
use hcl_edit::expr::{Expression, Object, ObjectKey, Traversal, TraversalOperator};
use hcl_edit::structure::{Block, Body};
use hcl_edit::template::Element;
use hcl_edit::Span as _;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub fn is_terraform_file(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "tf")
}

/// The registry module most Terraform projects declare functions with.
const LAMBDA_MODULE: &str = "terraform-aws-modules/lambda/aws";

/// How deep `var`/`local` chains and API resource parents are followed.
const MAX_DEPTH: usize = 16;

pub fn parse_body(text: &str) -> Result<Body, Unreadable> {
    hcl_edit::parser::parse_body(text).map_err(|error| {
        let at = error.location().offset().min(text.len());
        Unreadable {
            span: Span::new(at, at),
            what: "Terraform file",
            reason: format!(
                "cannot parse HCL: {} (line {}, column {})",
                error.message(),
                error.location().line(),
                error.location().column()
            ),
        }
    })
}

/// One file alone: its variables and resources are all there is.
pub fn parse(path: &Path, text: &str) -> Result<Template, Unreadable> {
    let body = parse_body(text)?;
    Ok(extract(path, &body, &Folder::default()))
}

/// The other `.tf` files of a module's folder: variables, locals and resources a file refers to
/// are often declared beside it (`variables.tf`, `api.tf`).
#[derive(Default)]
pub struct Folder {
    files: Vec<(PathBuf, Body)>,
    /// `.tf` files found, parsed or not.
    found: usize,
}

impl Folder {
    /// Reads and parses every `.tf` file of `dir`; files that do not parse are left out (their
    /// own read reports them).
    pub fn load(dir: &Path) -> Folder {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|entry| entry.path())
            .filter(|path| is_terraform_file(path) && path.is_file())
            .collect();
        paths.sort();
        let found = paths.len();
        let files = paths
            .into_iter()
            .filter(|path| {
                std::fs::metadata(path).is_ok_and(|m| m.len() <= crate::walk::MAX_FILE_BYTES)
            })
            .filter_map(|path| {
                let text = std::fs::read_to_string(&path).ok()?;
                let body = parse_body(&text).ok()?;
                Some((path, body))
            })
            .collect();
        Folder { files, found }
    }

    /// How many `.tf` files the folder holds, parsed or not.
    pub fn file_count(&self) -> usize {
        self.found
    }

    /// The parse of one of the folder's files, if it parsed.
    pub fn body_of(&self, path: &Path) -> Option<&Body> {
        self.files
            .iter()
            .find(|(file, _)| same_file(file, path))
            .map(|(_, body)| body)
    }
}

/// What a function is declared by, and what its attributes are called there.
#[derive(Clone, Copy, PartialEq)]
enum Declaration {
    Resource,
    Module,
}

/// Where an expression is written: in the file being read (spans are its own) or a sibling.
#[derive(Clone, Copy)]
struct Written<'a, T> {
    item: &'a T,
    here: bool,
}

/// The module's declarations, from the file being read and its siblings.
struct Module<'a> {
    variables: HashMap<&'a str, Written<'a, Expression>>,
    locals: HashMap<&'a str, Written<'a, Expression>>,
    /// `(type, name)` of resources and data sources, with the block.
    resources: HashMap<(&'a str, &'a str), Written<'a, Block>>,
    data: HashMap<(&'a str, &'a str), Written<'a, Block>>,
    /// Modules that declare a function.
    lambda_modules: HashMap<&'a str, Written<'a, Block>>,
    /// `terraform-aws-modules/apigateway-v2/aws` modules: their routes name functions.
    api_modules: Vec<Written<'a, Block>>,
}

pub fn extract(path: &Path, body: &Body, folder: &Folder) -> Template {
    let siblings = folder
        .files
        .iter()
        .filter(|(other, _)| !same_file(other, path))
        .map(|(_, body)| (body, false));
    let module = Module::new(std::iter::once((body, true)).chain(siblings));
    let mut functions = Vec::new();
    for block in body.blocks() {
        let labels: Vec<&str> = block.labels.iter().map(|l| l.as_str()).collect();
        let (declaration, address) = match (block.ident.as_str(), labels.as_slice()) {
            ("resource", ["aws_lambda_function", name]) => {
                (Declaration::Resource, format!("aws_lambda_function.{name}"))
            }
            ("module", [name]) if is_lambda_module(block) => {
                (Declaration::Module, format!("module.{name}"))
            }
            _ => continue,
        };
        let span = block
            .labels
            .last()
            .and_then(|l| l.span())
            .map(to_span)
            .unwrap_or_default();
        let mut function = Function::new(address, span, Flavor::Terraform);
        module.describe(&mut function, &block.body, declaration);
        module.attach(&mut function);
        functions.push(function);
    }
    Template {
        functions,
        suppressions: Vec::new(),
        includes: Vec::new(),
        resources: module.graph_resources(),
    }
}

/// The resource types events flow through, and what each is in the model.
const GRAPH_RESOURCES: &[(&str, ResourceKind)] = &[
    ("aws_sqs_queue", ResourceKind::Queue),
    ("aws_s3_bucket", ResourceKind::Bucket),
    ("aws_sns_topic", ResourceKind::Topic),
    ("aws_dynamodb_table", ResourceKind::Table),
    ("aws_kinesis_stream", ResourceKind::Stream),
];

fn graph_kind(resource_type: &str) -> Option<ResourceKind> {
    GRAPH_RESOURCES
        .iter()
        .find(|(t, _)| *t == resource_type)
        .map(|(_, kind)| *kind)
}

fn same_file(a: &Path, b: &Path) -> bool {
    a == b || std::path::absolute(a).ok() == std::path::absolute(b).ok()
}

/// The registry module for HTTP and WebSocket APIs.
const API_MODULE: &str = "terraform-aws-modules/apigateway-v2/aws";

fn module_source(block: &Block) -> Option<&str> {
    block
        .body
        .get_attribute("source")
        .and_then(|source| source.value.as_str())
}

fn is_lambda_module(block: &Block) -> bool {
    // The module also makes layers alone (`create_function = false`).
    let no_function = block
        .body
        .get_attribute("create_function")
        .is_some_and(|create| matches!(&create.value, Expression::Bool(on) if !*on.value()));
    !no_function
        && block
            .body
            .get_attribute("source")
            .and_then(|source| source.value.as_str())
            .is_some_and(|source| {
                source.starts_with(LAMBDA_MODULE)
                    && !source[LAMBDA_MODULE.len()..].starts_with("//")
                    || source.contains("terraform-aws-modules/terraform-aws-lambda")
            })
}

fn to_span(range: std::ops::Range<usize>) -> Span {
    Span::new(range.start, range.end)
}

fn span_of(expr: &impl hcl_edit::Span) -> Span {
    expr.span().map(to_span).unwrap_or_default()
}

/// What an expression is worth without running Terraform.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    /// Text known in full; `span` is where it is written when that is in the file being read.
    Text {
        text: String,
        span: Option<Span>,
    },
    Number(f64),
    Bool(bool),
    /// Text with unknown parts, written as `${...}`.
    Interpolated(String),
    /// A secret read at apply time into the configuration: how, for the message.
    Secret(String),
    /// An SSM parameter's value: a secret when the parameter or the variable says so.
    Parameter {
        how: String,
        secret_named: bool,
    },
    Unknown,
}

impl<'a> Module<'a> {
    fn new(bodies: impl Iterator<Item = (&'a Body, bool)>) -> Module<'a> {
        let mut module = Module {
            variables: HashMap::new(),
            locals: HashMap::new(),
            resources: HashMap::new(),
            data: HashMap::new(),
            lambda_modules: HashMap::new(),
            api_modules: Vec::new(),
        };
        for (body, here) in bodies {
            for block in body.blocks() {
                module.add(block, here);
            }
        }
        module
    }

    fn add(&mut self, block: &'a Block, here: bool) {
        let labels: Vec<&'a str> = block.labels.iter().map(|l| l.as_str()).collect();
        match (block.ident.as_str(), labels.as_slice()) {
            ("variable", [name]) => {
                if let Some(default) = block.body.get_attribute("default") {
                    let item = &default.value;
                    self.variables.entry(name).or_insert(Written { item, here });
                }
            }
            ("locals", []) => {
                for attribute in block.body.attributes() {
                    let item = &attribute.value;
                    self.locals
                        .entry(attribute.key.as_str())
                        .or_insert(Written { item, here });
                }
            }
            ("resource", [kind, name]) => {
                let item = block;
                self.resources
                    .entry((kind, name))
                    .or_insert(Written { item, here });
            }
            ("data", [kind, name]) => {
                let item = block;
                self.data
                    .entry((kind, name))
                    .or_insert(Written { item, here });
            }
            ("module", [name]) if is_lambda_module(block) => {
                let item = block;
                self.lambda_modules
                    .entry(name)
                    .or_insert(Written { item, here });
            }
            ("module", [_]) if module_source(block).is_some_and(|s| s.starts_with(API_MODULE)) => {
                self.api_modules.push(Written { item: block, here });
            }
            _ => {}
        }
    }

    fn eval(&self, expr: &Expression, here: bool, depth: usize) -> Value {
        if depth > MAX_DEPTH {
            return Value::Unknown;
        }
        let span = here.then(|| span_of(expr));
        match expr {
            Expression::String(text) => Value::Text {
                text: text.value().to_string(),
                span,
            },
            Expression::Number(number) => number
                .value()
                .as_f64()
                .map(Value::Number)
                .unwrap_or(Value::Unknown),
            Expression::Bool(value) => Value::Bool(*value.value()),
            Expression::StringTemplate(template) => {
                self.template(template.iter(), span, here, depth)
            }
            Expression::HeredocTemplate(heredoc) => {
                self.template(heredoc.template.iter(), span, here, depth)
            }
            Expression::Parenthesis(inner) => self.eval(inner.inner(), here, depth + 1),
            Expression::Traversal(traversal) => self.traversal(traversal, here, depth),
            Expression::FuncCall(call) => {
                // `jsondecode(data.aws_secretsmanager_secret_version.db.secret_string)`,
                // `nonsensitive(...)`: whatever a secret goes through stays a secret.
                call.args
                    .iter()
                    .map(|arg| self.eval(arg, here, depth + 1))
                    .find(|value| matches!(value, Value::Secret(_)))
                    .unwrap_or(Value::Unknown)
            }
            _ => Value::Unknown,
        }
    }

    fn template<'t>(
        &self,
        elements: impl Iterator<Item = &'t Element>,
        span: Option<Span>,
        here: bool,
        depth: usize,
    ) -> Value {
        let mut text = String::new();
        let mut complete = true;
        for element in elements {
            match element {
                Element::Literal(literal) => text.push_str(literal.value()),
                Element::Interpolation(interpolation) => {
                    match self.eval(&interpolation.expr, here, depth + 1) {
                        Value::Text { text: part, .. } => text.push_str(&part),
                        Value::Number(n) => text.push_str(&n.to_string()),
                        secret @ Value::Secret(_) => return secret,
                        _ => {
                            complete = false;
                            text.push_str("${...}");
                        }
                    }
                }
                Element::Directive(_) => return Value::Unknown,
            }
        }
        match complete {
            true => Value::Text { text, span },
            false => Value::Interpolated(text),
        }
    }

    fn traversal(&self, traversal: &Traversal, here: bool, depth: usize) -> Value {
        match &traversal.expr {
            Expression::Variable(root) => {
                let mut path = vec![root.as_str()];
                for operator in &traversal.operators {
                    match operator.value() {
                        TraversalOperator::GetAttr(name) => path.push(name.as_str()),
                        TraversalOperator::Index(Expression::String(key)) => {
                            path.push(key.value().as_str())
                        }
                        _ => break,
                    }
                }
                self.reference(&path, depth)
            }
            // `jsondecode(data.x.secret_string)["password"]`
            other => match self.eval(other, here, depth + 1) {
                secret @ Value::Secret(_) => secret,
                _ => Value::Unknown,
            },
        }
    }

    fn reference(&self, path: &[&str], depth: usize) -> Value {
        match path {
            ["var", name, rest @ ..] => self
                .variables
                .get(name)
                .map_or(Value::Unknown, |v| self.member(v.item, rest, v.here, depth)),
            ["local", name, rest @ ..] => self
                .locals
                .get(name)
                .map_or(Value::Unknown, |v| self.member(v.item, rest, v.here, depth)),
            ["path", "module" | "root" | "cwd"] => Value::Text {
                text: ".".to_string(),
                span: None,
            },
            ["data", "aws_secretsmanager_secret_version", name, ..] => Value::Secret(format!(
                "`data.aws_secretsmanager_secret_version.{name}`, read at apply time"
            )),
            ["data", "aws_ssm_parameter", name, ..] => {
                let parameter = self
                    .data
                    .get(&("aws_ssm_parameter", name))
                    .and_then(|block| block.item.body.get_attribute("name"))
                    .and_then(|n| n.value.as_str());
                Value::Parameter {
                    how: format!("`data.aws_ssm_parameter.{name}`, read at apply time"),
                    secret_named: parameter.is_some_and(|p| SECRETS.is_secret_name(p)),
                }
            }
            ["random_password", name, "result"] => {
                Value::Secret(format!("`random_password.{name}.result`"))
            }
            ["aws_iam_access_key", name, "secret"] => {
                Value::Secret(format!("`aws_iam_access_key.{name}.secret`"))
            }
            _ => Value::Unknown,
        }
    }

    /// `var.x`, or `var.x.key` of an object default.
    fn member(&self, expr: &Expression, rest: &[&str], here: bool, depth: usize) -> Value {
        match rest {
            [] => self.eval(expr, here, depth + 1),
            [key, rest @ ..] => match self.object(expr, here, depth + 1) {
                Some((object, here)) => object
                    .iter()
                    .find(|(k, _)| key_name(k).as_deref() == Some(key))
                    .map_or(Value::Unknown, |(_, value)| {
                        self.member(value.expr(), rest, here, depth + 1)
                    }),
                // `local.db.username` with `db = jsondecode(<secret>)`: a part of a secret.
                None => match self.eval(expr, here, depth + 1) {
                    secret @ Value::Secret(_) => secret,
                    _ => Value::Unknown,
                },
            },
        }
    }

    /// An object written here or reached through `var.x` / `local.x`.
    fn object<'e>(
        &'e self,
        expr: &'e Expression,
        here: bool,
        depth: usize,
    ) -> Option<(&'e Object, bool)> {
        if depth > MAX_DEPTH {
            return None;
        }
        match expr {
            Expression::Object(object) => Some((object, here)),
            Expression::Parenthesis(inner) => self.object(inner.inner(), here, depth + 1),
            Expression::Traversal(traversal) if traversal.operators.len() == 1 => {
                let Expression::Variable(root) = &traversal.expr else {
                    return None;
                };
                let TraversalOperator::GetAttr(name) = traversal.operators[0].value() else {
                    return None;
                };
                let written = match root.as_str() {
                    "var" => self.variables.get(name.as_str()),
                    "local" => self.locals.get(name.as_str()),
                    _ => None,
                }?;
                self.object(written.item, written.here, depth + 1)
            }
            _ => None,
        }
    }

    fn text(&self, expr: &Expression) -> Option<(String, Option<Span>)> {
        match self.eval(expr, true, 0) {
            Value::Text { text, span } => Some((text, span)),
            _ => None,
        }
    }

    /// Where to point at an attribute's value: itself, or when it is not in this file, `or`.
    fn located_text(&self, body: &Body, key: &str, or: Span) -> Option<Located<String>> {
        let attribute = body.get_attribute(key)?;
        let (text, span) = self.text(&attribute.value)?;
        Some(Located::new(text, span.unwrap_or(or)))
    }

    fn number(&self, body: &Body, key: &str) -> Option<Located<u64>> {
        let attribute = body.get_attribute(key)?;
        let value = match self.eval(&attribute.value, true, 0) {
            Value::Number(n) if n >= 0.0 => n as u64,
            Value::Text { text, .. } => text.trim().parse().ok()?,
            _ => return None,
        };
        Some(Located::new(value, span_of(&attribute.value)))
    }

    fn flag(&self, body: &Body, key: &str) -> Option<(bool, Span)> {
        let attribute = body.get_attribute(key)?;
        let value = match self.eval(&attribute.value, true, 0) {
            Value::Bool(value) => value,
            Value::Text { text, .. } => text == "true",
            _ => return None,
        };
        Some((value, span_of(attribute)))
    }

    fn describe(&self, function: &mut Function, body: &Body, declaration: Declaration) {
        let at = function.span;
        function.runtime = self.located_text(body, "runtime", at);
        function.handler = self.located_text(body, "handler", at);
        function.function_name = self
            .located_text(body, "function_name", at)
            .map(|n| n.value);
        function.memory_mb = self.number(body, "memory_size");
        function.timeout_s = self.number(body, "timeout");
        function.publishes_versions = self.flag(body, "publish").is_some_and(|(on, _)| on);
        let image = body
            .get_attribute("package_type")
            .filter(|p| self.text(&p.value).is_some_and(|(t, _)| t == "Image"))
            .or_else(|| body.get_attribute("image_uri"));
        function.image = image.map(span_of);
        match declaration {
            Declaration::Resource => self.describe_resource(function, body),
            Declaration::Module => self.describe_module(function, body),
        }
    }

    fn describe_resource(&self, function: &mut Function, body: &Body) {
        function.code_uri = body
            .get_attribute("filename")
            .and_then(|filename| self.archive_folder(&filename.value))
            .or_else(|| self.uploaded_archive(body.get_attribute("s3_key")?));
        if let Some(block) = body.get_blocks("environment").next() {
            if let Some(variables) = block.body.get_attribute("variables") {
                function.environment = self.environment(&variables.value);
            }
        }
        if let Some(block) = body.get_blocks("snap_start").next() {
            let apply_on = block.body.get_attribute("apply_on");
            function.snapstart = Some(SnapStart {
                enabled: apply_on
                    .and_then(|a| self.text(&a.value))
                    .is_some_and(|(text, _)| text == "PublishedVersions"),
                span: span_of(block),
            });
        }
        if let Some(block) = body.get_blocks("ephemeral_storage").next() {
            function.ephemeral_storage_mb = self.number(&block.body, "size");
        }
        function.file_systems = body.get_blocks("file_system_config").next().map(span_of);
        function.tenant_isolation = body
            .get_blocks("tenancy_config")
            .next()
            .and_then(|block| block.body.get_attribute("tenant_isolation_mode"))
            .filter(|mode| {
                self.text(&mode.value)
                    .is_some_and(|(t, _)| t == "PER_TENANT")
            })
            .map(|mode| span_of(&mode.value));
    }

    fn describe_module(&self, function: &mut Function, body: &Body) {
        function.code_uri = body
            .get_attribute("source_path")
            .and_then(|path| self.source_path(&path.value));
        if let Some(variables) = body.get_attribute("environment_variables") {
            function.environment = self.environment(&variables.value);
        }
        if let Some((enabled, span)) = self.flag(body, "snap_start") {
            function.snapstart = Some(SnapStart { enabled, span });
        }
        function.ephemeral_storage_mb = self.number(body, "ephemeral_storage_size");
        function.file_systems = body.get_attribute("file_system_arn").map(span_of);
        // The module's default is -1: none.
        let provisioned = body.get_attribute("provisioned_concurrent_executions");
        if let Some(attribute) = provisioned {
            if matches!(self.eval(&attribute.value, true, 0), Value::Number(n) if n > 0.0) {
                function.provisioned_concurrency = Some(span_of(attribute));
            }
        }
        if let Some((true, span)) = self.flag(body, "create_lambda_function_url") {
            function
                .events
                .push(event(EventKind::FunctionUrl, None, None, span));
        }
    }

    /// `source_path = "src"`, `"${path.module}/src"`, `{ path = "src" }` or a list of those.
    fn source_path(&self, expr: &Expression) -> Option<Located<String>> {
        let first = match expr {
            Expression::Array(items) => items.iter().next()?,
            other => other,
        };
        let path = match first {
            Expression::Object(object) => object
                .iter()
                .find(|(k, _)| key_name(k).as_deref() == Some("path"))
                .map(|(_, value)| value.expr())?,
            other => other,
        };
        let (text, span) = self.text(path)?;
        Some(Located::new(relative(&text), span.unwrap_or_default()))
    }

    /// `s3_key = aws_s3_object.x.key` with `source = data.archive_file.y.output_path`.
    fn uploaded_archive(&self, key: &hcl_edit::structure::Attribute) -> Option<Located<String>> {
        traversal_paths(&key.value)
            .iter()
            .find_map(|path| match path.as_slice() {
                [kind @ ("aws_s3_object" | "aws_s3_bucket_object"), name, ..] => {
                    let object = self.resources.get(&(*kind, *name))?;
                    let source = object.item.body.get_attribute("source")?;
                    self.archive_folder(&source.value)
                }
                _ => None,
            })
    }

    /// `filename = data.archive_file.x.output_path`: the folder the archive is made of.
    fn archive_folder(&self, expr: &Expression) -> Option<Located<String>> {
        let Expression::Traversal(traversal) = expr else {
            return None;
        };
        let path = traversal_path(traversal);
        let ["data", "archive_file", name, ..] = path.as_slice() else {
            return None;
        };
        let archive = self.data.get(&("archive_file", *name))?;
        let body = &archive.item.body;
        let (text, folder) = match body.get_attribute("source_dir") {
            Some(dir) => (self.eval(&dir.value, archive.here, 0), true),
            None => (
                self.eval(&body.get_attribute("source_file")?.value, archive.here, 0),
                false,
            ),
        };
        let Value::Text { text, span } = text else {
            return None;
        };
        let text = relative(&text);
        let text = match folder {
            true => text,
            false => Path::new(&text)
                .parent()
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or_default(),
        };
        Some(Located::new(text, span.unwrap_or_default()))
    }

    fn environment(&self, expr: &Expression) -> Vec<EnvVar> {
        let Some((object, here)) = self.object(expr, true, 0) else {
            return Vec::new();
        };
        let whole = span_of(expr);
        object
            .iter()
            .filter_map(|(key, value)| {
                let name = key_name(key)?;
                let value_expr = value.expr();
                let value_span = match here {
                    true => span_of(value_expr),
                    false => whole,
                };
                let name_span = match here {
                    true => span_of(key),
                    false => whole,
                };
                let mut references = Vec::new();
                collect_function_references(value_expr, &mut references);
                let value = match self.eval(value_expr, here, 0) {
                    Value::Text { text, span } => EnvValue::Literal {
                        text,
                        origin: span.unwrap_or(value_span),
                    },
                    Value::Interpolated(text) => EnvValue::Interpolated { text },
                    Value::Secret(how) => EnvValue::ResolvedSecret { how },
                    Value::Parameter { how, secret_named }
                        if secret_named || SECRETS.is_secret_name(&name) =>
                    {
                        EnvValue::ResolvedSecret { how }
                    }
                    _ => EnvValue::Reference,
                };
                Some(EnvVar {
                    name: Located::new(name, name_span),
                    value,
                    value_span,
                    from_defaults: false,
                    references,
                    condition: None,
                    included: None,
                })
            })
            .collect()
    }

    /// The address of the function an expression refers to (`aws_lambda_function.api.arn`,
    /// `module.api.lambda_function_invoke_arn`), if it is one of the module's.
    fn function_in(&self, expr: &Expression) -> Option<String> {
        let mut found = Vec::new();
        collect_function_references(expr, &mut found);
        found
            .into_iter()
            .find_map(|address| match address.split_once('.') {
                Some(("aws_lambda_function", name))
                    if self.resources.contains_key(&("aws_lambda_function", name)) =>
                {
                    Some(address)
                }
                Some(("module", name)) if self.lambda_modules.contains_key(name) => Some(address),
                // An alias invokes its function (a published version of it).
                Some(("aws_lambda_alias", name)) => {
                    let alias = self.resources.get(&("aws_lambda_alias", name))?;
                    let target = alias.item.body.get_attribute("function_name")?;
                    self.function_in(&target.value)
                }
                _ => None,
            })
    }

    /// The queues, buckets, topics, tables and streams declared in the file being read, by
    /// address (`aws_sqs_queue.jobs`).
    fn graph_resources(&self) -> Vec<Resource> {
        let mut found: Vec<Resource> = self
            .resources
            .iter()
            .filter(|(_, written)| written.here)
            .filter_map(|(&(kind, name), written)| {
                let body = &written.item.body;
                Some(Resource {
                    file: crate::model::FileId::new(0),
                    logical_id: format!("{kind}.{name}"),
                    kind: graph_kind(kind)?,
                    span: written.item.labels.last().map(span_of).unwrap_or_default(),
                    visibility_timeout_s: self.number(body, "visibility_timeout_seconds"),
                    refers_to: Vec::new(),
                })
            })
            .collect();
        found.sort_by_key(|r| r.span.start);
        found
    }

    /// An event from a resource that triggers `address`: an event source mapping, an S3
    /// notification, an SNS subscription.
    fn trigger(&self, kind: &str, body: &Body, address: &str) -> Option<Event> {
        let names_function = |key: &str| {
            body.get_attribute(key)
                .and_then(|a| self.function_in(&a.value))
                .as_deref()
                == Some(address)
        };
        let source_of = |key: &str| {
            let mut found = Vec::new();
            collect_function_references(&body.get_attribute(key)?.value, &mut found);
            found
                .into_iter()
                .find(|a| a.split('.').next().is_some_and(|t| graph_kind(t).is_some()))
        };
        let (event_kind, source, filtered) = match kind {
            "aws_lambda_event_source_mapping" if names_function("function_name") => {
                let source = source_of("event_source_arn");
                let kind = match source.as_deref().and_then(|s| s.split('.').next()) {
                    Some("aws_sqs_queue") => "SQS",
                    Some("aws_dynamodb_table") => "DynamoDB",
                    Some("aws_kinesis_stream") => "Kinesis",
                    _ => "EventSourceMapping",
                };
                let filtered = body.blocks().any(|b| b.ident.as_str() == "filter_criteria");
                (kind, source, filtered)
            }
            "aws_s3_bucket_notification" => {
                let notification = body.blocks().find(|b| {
                    b.ident.as_str() == "lambda_function"
                        && b.body
                            .get_attribute("lambda_function_arn")
                            .and_then(|a| self.function_in(&a.value))
                            .as_deref()
                            == Some(address)
                })?;
                let filtered = ["filter_prefix", "filter_suffix"]
                    .iter()
                    .any(|key| notification.body.get_attribute(key).is_some());
                ("S3", source_of("bucket"), filtered)
            }
            "aws_sns_topic_subscription" if names_function("endpoint") => {
                let filtered = body.get_attribute("filter_policy").is_some();
                ("SNS", source_of("topic_arn"), filtered)
            }
            _ => return None,
        };
        let mut trigger = event(
            EventKind::Other(event_kind.into()),
            None,
            None,
            Span::default(),
        );
        trigger.details.source = source;
        trigger.details.filtered = filtered;
        Some(trigger)
    }

    /// Events, provisioned concurrency and versions that other resources give `function`.
    fn attach(&self, function: &mut Function) {
        let address = function.logical_id.clone();
        let routes = self.module_routes(&address, function.span);
        function.events.extend(routes);
        let targets = |attribute: Option<&hcl_edit::structure::Attribute>| {
            attribute
                .and_then(|a| self.function_in(&a.value))
                .as_deref()
                == Some(&address)
        };
        let mut resources: Vec<_> = self.resources.iter().collect();
        resources.sort_by_key(|(key, _)| *key);
        for (&(kind, _), written) in resources {
            let body = &written.item.body;
            let point = |at: Span| if written.here { at } else { function.span };
            let label = written.item.labels.last().map(span_of).unwrap_or_default();
            match kind {
                "aws_lambda_provisioned_concurrency_config"
                    if targets(body.get_attribute("function_name")) =>
                {
                    function.provisioned_concurrency = Some(point(label));
                }
                "aws_lambda_function_url" if targets(body.get_attribute("function_name")) => {
                    function
                        .events
                        .push(event(EventKind::FunctionUrl, None, None, point(label)));
                }
                "aws_lb_target_group_attachment" | "aws_alb_target_group_attachment"
                    if targets(body.get_attribute("target_id")) =>
                {
                    function
                        .events
                        .push(event(EventKind::Alb, None, None, point(label)));
                }
                "aws_apigatewayv2_api" if targets(body.get_attribute("target")) => {
                    // Quick create: every request of the HTTP API goes to the function.
                    let at = body
                        .get_attribute("target")
                        .map(|t| span_of(&t.value))
                        .unwrap_or(label);
                    let path = Some("$default".to_string());
                    function
                        .events
                        .push(event(EventKind::HttpApi, None, path, point(at)));
                }
                "aws_apigatewayv2_route" => {
                    if let Some(route) = self.http_route(body, &address) {
                        let at = (body.get_attribute("route_key").map(|k| span_of(&k.value)))
                            .unwrap_or(label);
                        function.events.push(Event {
                            span: point(at),
                            ..route
                        });
                    }
                }
                "aws_api_gateway_integration" if targets(body.get_attribute("uri")) => {
                    let (route, at) = self.rest_route(body);
                    function.events.push(Event {
                        span: point(at.unwrap_or(label)),
                        ..route
                    });
                }
                other => {
                    if let Some(trigger) = self.trigger(other, body, &address) {
                        function.events.push(Event {
                            span: point(label),
                            ..trigger
                        });
                    }
                }
            }
        }
    }

    /// Routes of `terraform-aws-modules/apigateway-v2/aws` modules that invoke `address`:
    /// `routes = { "ANY /{proxy+}" = { integration = { uri = module.fn.lambda_function_arn } } }`
    /// (v5), or `integrations = { "$default" = { lambda_arn = ... } }` (earlier versions).
    fn module_routes(&self, address: &str, or: Span) -> Vec<Event> {
        let mut events = Vec::new();
        for api in &self.api_modules {
            let body = &api.item.body;
            let websocket = body
                .get_attribute("protocol_type")
                .and_then(|p| self.text(&p.value))
                .is_some_and(|(protocol, _)| protocol == "WEBSOCKET");
            let kind = || match websocket {
                true => EventKind::WebSocketApi,
                false => EventKind::HttpApi,
            };
            for key in ["routes", "integrations"] {
                let Some(Expression::Object(routes)) = body.get_attribute(key).map(|a| &a.value)
                else {
                    continue;
                };
                for (route, settings) in routes.iter() {
                    let Some(route_key) = key_name(route) else {
                        continue;
                    };
                    let Expression::Object(settings) = settings.expr() else {
                        continue;
                    };
                    let target = settings
                        .iter()
                        .find_map(|(k, v)| match key_name(k).as_deref() {
                            Some("lambda_arn") => Some(v.expr()),
                            Some("integration") => match v.expr() {
                                Expression::Object(integration) => integration
                                    .iter()
                                    .find(|(k, _)| key_name(k).as_deref() == Some("uri"))
                                    .map(|(_, uri)| uri.expr()),
                                _ => None,
                            },
                            _ => None,
                        });
                    if target.and_then(|t| self.function_in(t)).as_deref() != Some(address) {
                        continue;
                    }
                    let (method, path) = super::split_route(&route_key);
                    let at = if api.here { span_of(route) } else { or };
                    events.push(event(kind(), method, path, at));
                }
            }
        }
        events
    }

    /// An HTTP or WebSocket API route whose integration invokes `address`.
    fn http_route(&self, body: &Body, address: &str) -> Option<Event> {
        let target = traversal_paths(&body.get_attribute("target")?.value);
        let integration = target.iter().find_map(|path| match path.as_slice() {
            ["aws_apigatewayv2_integration", name, ..] => {
                self.resources.get(&("aws_apigatewayv2_integration", *name))
            }
            _ => None,
        })?;
        let uri = integration.item.body.get_attribute("integration_uri")?;
        if self.function_in(&uri.value).as_deref() != Some(address) {
            return None;
        }
        let key = self.text(&body.get_attribute("route_key")?.value)?.0;
        let websocket = traversal_paths(&body.get_attribute("api_id")?.value)
            .iter()
            .find_map(|path| match path.as_slice() {
                ["aws_apigatewayv2_api", name, ..] => {
                    self.resources.get(&("aws_apigatewayv2_api", *name))
                }
                _ => None,
            })
            .and_then(|api| api.item.body.get_attribute("protocol_type"))
            .and_then(|p| self.text(&p.value))
            .is_some_and(|(protocol, _)| protocol == "WEBSOCKET");
        let (method, path) = super::split_route(&key);
        let kind = match websocket {
            true => EventKind::WebSocketApi,
            false => EventKind::HttpApi,
        };
        Some(event(kind, method, path, Span::default()))
    }

    /// A REST API method's route, and where its path part is written when in this file.
    fn rest_route(&self, body: &Body) -> (Event, Option<Span>) {
        let method = body.get_attribute("http_method").and_then(|m| {
            self.text(&m.value).map(|t| t.0).or_else(|| {
                traversal_paths(&m.value)
                    .iter()
                    .find_map(|path| match path.as_slice() {
                        ["aws_api_gateway_method", name, ..] => self
                            .resources
                            .get(&("aws_api_gateway_method", *name))
                            .and_then(|m| m.item.body.get_attribute("http_method"))
                            .and_then(|m| self.text(&m.value))
                            .map(|t| t.0),
                        _ => None,
                    })
            })
        });
        let (path, at) = body
            .get_attribute("resource_id")
            .and_then(|r| self.rest_path(&r.value, 0))
            .map_or((None, None), |(path, at)| (Some(path), at));
        (event(EventKind::RestApi, method, path, Span::default()), at)
    }

    /// The full path of an `aws_api_gateway_resource` (its parents' path parts joined), and
    /// where its own path part is written when in this file.
    fn rest_path(&self, expr: &Expression, depth: usize) -> Option<(String, Option<Span>)> {
        if depth > MAX_DEPTH {
            return None;
        }
        traversal_paths(expr)
            .iter()
            .find_map(|path| match path.as_slice() {
                ["aws_api_gateway_rest_api", _, "root_resource_id"] => {
                    Some(("/".to_string(), None))
                }
                // `resource_id = aws_api_gateway_method.proxy.resource_id`
                ["aws_api_gateway_method", name, "resource_id"] => {
                    let method = self.resources.get(&("aws_api_gateway_method", *name))?;
                    let resource = method.item.body.get_attribute("resource_id")?;
                    self.rest_path(&resource.value, depth + 1)
                }
                ["aws_api_gateway_resource", name, ..] => {
                    let resource = self.resources.get(&("aws_api_gateway_resource", *name))?;
                    let body = &resource.item.body;
                    let part = body.get_attribute("path_part")?;
                    let Value::Text { text, span } = self.eval(&part.value, resource.here, 0)
                    else {
                        return None;
                    };
                    let parent =
                        self.rest_path(&body.get_attribute("parent_id")?.value, depth + 1)?;
                    let joined = format!("{}/{text}", parent.0.trim_end_matches('/'));
                    Some((joined, span))
                }
                _ => None,
            })
    }
}

/// `./src` and `src/` are `src`; `.` is the folder itself.
fn relative(path: &str) -> String {
    let trimmed = path.trim_start_matches("./").trim_end_matches('/');
    match trimmed {
        "." => String::new(),
        other => other.to_string(),
    }
}

fn key_name(key: &ObjectKey) -> Option<String> {
    match key {
        ObjectKey::Ident(ident) => Some(ident.as_str().to_string()),
        ObjectKey::Expression(Expression::String(text)) => Some(text.value().to_string()),
        ObjectKey::Expression(_) => None,
    }
}

/// `a.b.c` of a traversal from a name (stops at an index or splat).
fn traversal_path(traversal: &Traversal) -> Vec<&str> {
    let Expression::Variable(root) = &traversal.expr else {
        return Vec::new();
    };
    let mut path = vec![root.as_str()];
    for operator in &traversal.operators {
        match operator.value() {
            TraversalOperator::GetAttr(name) => path.push(name.as_str()),
            _ => break,
        }
    }
    path
}

/// Every traversal from a name inside an expression, templates included.
fn traversal_paths(expr: &Expression) -> Vec<Vec<&str>> {
    struct Collect<'e>(Vec<Vec<&'e str>>);
    impl<'e> Collect<'e> {
        fn expr(&mut self, expr: &'e Expression, depth: usize) {
            if depth > MAX_DEPTH * 4 {
                return;
            }
            match expr {
                Expression::Traversal(traversal) => {
                    let path = traversal_path(traversal);
                    if path.is_empty() {
                        self.expr(&traversal.expr, depth + 1);
                    } else {
                        self.0.push(path);
                    }
                }
                Expression::StringTemplate(template) => {
                    for element in template.iter() {
                        if let Element::Interpolation(i) = element {
                            self.expr(&i.expr, depth + 1);
                        }
                    }
                }
                Expression::Parenthesis(inner) => self.expr(inner.inner(), depth + 1),
                Expression::FuncCall(call) => {
                    for arg in call.args.iter() {
                        self.expr(arg, depth + 1);
                    }
                }
                Expression::Array(items) => {
                    for item in items.iter() {
                        self.expr(item, depth + 1);
                    }
                }
                Expression::Conditional(conditional) => {
                    self.expr(&conditional.true_expr, depth + 1);
                    self.expr(&conditional.false_expr, depth + 1);
                }
                _ => {}
            }
        }
    }
    let mut collect = Collect(Vec::new());
    collect.expr(expr, 0);
    collect.0
}

/// Addresses of functions an expression names: `aws_lambda_function.x`, `module.x`,
/// `aws_lambda_alias.x` (resolved to its function where it is used), and of the queues,
/// buckets, topics, tables and streams of the event graph (`aws_sqs_queue.jobs`).
fn collect_function_references(expr: &Expression, out: &mut Vec<String>) {
    for path in traversal_paths(expr) {
        match path.as_slice() {
            ["aws_lambda_function", name, ..] => out.push(format!("aws_lambda_function.{name}")),
            ["aws_lambda_alias", name, ..] => out.push(format!("aws_lambda_alias.{name}")),
            ["module", name, ..] => out.push(format!("module.{name}")),
            [kind, name, ..] if graph_kind(kind).is_some() => out.push(format!("{kind}.{name}")),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn functions(text: &str) -> Vec<Function> {
        parse(Path::new("main.tf"), text).expect("parses").functions
    }

    fn at(text: &str, span: Span) -> &str {
        &text[span.start as usize..span.end as usize]
    }

    const API: &str = r#"
variable "stripe_key" {
  type    = string
  default = "sk_live_abc"
}

locals {
  table = "orders"
}

data "archive_file" "zip" {
  type        = "zip"
  source_dir  = "${path.module}/src"
  output_path = "${path.module}/build/api.zip"
}

resource "aws_lambda_function" "api" {
  function_name    = "orders-api"
  filename         = data.archive_file.zip.output_path
  source_code_hash = data.archive_file.zip.output_base64sha256
  handler          = "app.handler"
  runtime          = "java21"
  memory_size      = 1024
  timeout          = 20
  publish          = true

  snap_start {
    apply_on = "PublishedVersions"
  }

  environment {
    variables = {
      TABLE      = local.table
      STRIPE_KEY = var.stripe_key
      URL        = "https://${aws_lb.main.dns_name}/x"
      DB_PASS    = jsondecode(data.aws_secretsmanager_secret_version.db.secret_string)["password"]
    }
  }
}

resource "aws_apigatewayv2_api" "http" {
  name          = "orders"
  protocol_type = "HTTP"
}

resource "aws_apigatewayv2_integration" "api" {
  api_id           = aws_apigatewayv2_api.http.id
  integration_type = "AWS_PROXY"
  integration_uri  = aws_lambda_function.api.invoke_arn
}

resource "aws_apigatewayv2_route" "default" {
  api_id    = aws_apigatewayv2_api.http.id
  route_key = "$default"
  target    = "integrations/${aws_apigatewayv2_integration.api.id}"
}
"#;

    #[test]
    fn a_function_resource_and_its_api() {
        let found = functions(API);
        assert_eq!(found.len(), 1);
        let api = &found[0];
        assert_eq!(api.logical_id, "aws_lambda_function.api");
        assert_eq!(at(API, api.span), "\"api\"");
        assert_eq!(api.runtime.as_ref().unwrap().value, "java21");
        assert_eq!(api.handler.as_ref().unwrap().value, "app.handler");
        assert_eq!(api.code_uri.as_ref().unwrap().value, "src");
        assert_eq!(api.function_name.as_deref(), Some("orders-api"));
        assert_eq!(api.memory_mb.as_ref().unwrap().value, 1024);
        assert!(api.publishes_versions);
        assert!(api.snapstart_enabled().is_some());
        assert_eq!(api.events.len(), 1);
        let route = &api.events[0];
        assert_eq!(route.kind, EventKind::HttpApi);
        assert!(route.catch_all);
        assert_eq!(at(API, route.span), "\"$default\"");
    }

    #[test]
    fn environment_values_are_evaluated_only_as_far_as_written() {
        let found = functions(API);
        let env: HashMap<&str, &EnvVar> = found[0]
            .environment
            .iter()
            .map(|var| (var.name.value.as_str(), var))
            .collect();
        assert!(matches!(&env["TABLE"].value, EnvValue::Literal { text, .. } if text == "orders"));
        let EnvValue::Literal { text, origin } = &env["STRIPE_KEY"].value else {
            panic!("{:?}", env["STRIPE_KEY"]);
        };
        assert_eq!(text, "sk_live_abc");
        assert_eq!(at(API, *origin), "\"sk_live_abc\"");
        assert_eq!(at(API, env["STRIPE_KEY"].value_span), "var.stripe_key");
        assert!(
            matches!(&env["URL"].value, EnvValue::Interpolated { text } if text == "https://${...}/x")
        );
        assert!(matches!(
            env["DB_PASS"].value,
            EnvValue::ResolvedSecret { .. }
        ));
    }

    #[test]
    fn the_lambda_module_and_its_options() {
        let text = r#"
module "search" {
  source  = "terraform-aws-modules/lambda/aws"
  version = "~> 7.0"

  function_name = "search"
  handler       = "index.lambda_handler"
  runtime       = "python3.13"
  source_path   = [{ path = "${path.module}/../functions/search" }]
  snap_start    = true
  create_lambda_function_url = true
  provisioned_concurrent_executions = 2
  environment_variables = {
    API_TOKEN = "tok_1234567"
  }
}

module "vpc" {
  source = "terraform-aws-modules/vpc/aws"
}
"#;
        let found = functions(text);
        assert_eq!(found.len(), 1);
        let search = &found[0];
        assert_eq!(search.logical_id, "module.search");
        assert_eq!(
            search.code_uri.as_ref().unwrap().value,
            "../functions/search"
        );
        assert!(search.snapstart_enabled().is_some());
        assert!(!search.publishes_versions);
        assert!(search.provisioned_concurrency.is_some());
        assert_eq!(search.events[0].kind, EventKind::FunctionUrl);
        assert_eq!(search.environment[0].name.value, "API_TOKEN");
    }

    #[test]
    fn rest_api_proxy_resources_are_catch_all_routes() {
        let text = r#"
resource "aws_lambda_function" "web" {
  function_name = "web"
  runtime       = "nodejs20.x"
  handler       = "index.handler"
  filename      = "web.zip"
}
resource "aws_api_gateway_rest_api" "api" { name = "web" }
resource "aws_api_gateway_resource" "proxy" {
  rest_api_id = aws_api_gateway_rest_api.api.id
  parent_id   = aws_api_gateway_rest_api.api.root_resource_id
  path_part   = "{proxy+}"
}
resource "aws_api_gateway_method" "proxy" {
  rest_api_id   = aws_api_gateway_rest_api.api.id
  resource_id   = aws_api_gateway_resource.proxy.id
  http_method   = "ANY"
  authorization = "NONE"
}
resource "aws_api_gateway_integration" "lambda" {
  rest_api_id             = aws_api_gateway_rest_api.api.id
  resource_id             = aws_api_gateway_method.proxy.resource_id
  http_method             = aws_api_gateway_method.proxy.http_method
  integration_http_method = "POST"
  type                    = "AWS_PROXY"
  uri                     = aws_lambda_function.web.invoke_arn
}
resource "aws_api_gateway_integration" "item" {
  rest_api_id = aws_api_gateway_rest_api.api.id
  resource_id = aws_api_gateway_resource.proxy.id
  http_method = aws_api_gateway_method.proxy.http_method
  type        = "AWS_PROXY"
  uri         = aws_lambda_function.web.invoke_arn
}
"#;
        let web = &functions(text)[0];
        let routes: Vec<(String, bool)> = web
            .events
            .iter()
            .map(|e| (e.route(), e.catch_all))
            .collect();
        // Named through the method or directly, the resource is the same.
        assert_eq!(routes, vec![("ANY /{proxy+}".to_string(), true); 2]);
        assert_eq!(at(text, web.events[1].span), "\"{proxy+}\"");
        assert!(web.code_uri.is_none());
    }

    #[test]
    fn siblings_give_variables_and_routes() {
        let main = r#"
resource "aws_lambda_function" "f" {
  runtime  = var.runtime
  handler  = "main.handler"
  environment {
    variables = var.env
  }
}
"#;
        let variables = r#"
variable "runtime" { default = "python3.12" }
variable "env" {
  default = { GITHUB_TOKEN = "ghp_abcdefghijklmnopqrstuvwxyz0123456789" }
}
resource "aws_lambda_function_url" "f" {
  function_name = aws_lambda_function.f.function_name
}
"#;
        let folder = Folder {
            files: vec![(
                PathBuf::from("variables.tf"),
                parse_body(variables).unwrap(),
            )],
            found: 1,
        };
        let template = extract(Path::new("main.tf"), &parse_body(main).unwrap(), &folder);
        let f = &template.functions[0];
        // Written in the sibling: pointed at where this file uses it.
        assert_eq!(f.runtime.as_ref().unwrap().value, "python3.12");
        assert_eq!(at(main, f.runtime.as_ref().unwrap().span), "\"f\"");
        let var = &f.environment[0];
        assert!(matches!(&var.value, EnvValue::Literal { text, .. } if text.starts_with("ghp_")));
        assert_eq!(at(main, var.value_span), "var.env");
        assert_eq!(f.events[0].kind, EventKind::FunctionUrl);
        assert_eq!(f.events[0].span, f.span);
    }

    #[test]
    fn aliases_uploaded_archives_tenancy_and_secret_locals() {
        let text = r#"
data "aws_secretsmanager_secret_version" "db" { secret_id = "db" }
locals {
  db = jsondecode(data.aws_secretsmanager_secret_version.db.secret_string)
}
data "archive_file" "zip" {
  type        = "zip"
  source_dir  = "${path.module}/src"
  output_path = "${path.module}/build.zip"
}
resource "aws_s3_object" "code" {
  bucket = "artifacts"
  key    = "build.zip"
  source = data.archive_file.zip.output_path
}
resource "aws_lambda_function" "tenant" {
  s3_bucket = "artifacts"
  s3_key    = aws_s3_object.code.key
  runtime   = "java21"
  handler   = "app.Handler"
  tenancy_config {
    tenant_isolation_mode = "PER_TENANT"
  }
  environment {
    variables = { DB_USER = local.db.username }
  }
}
resource "aws_lambda_alias" "live" {
  name             = "live"
  function_name    = aws_lambda_function.tenant.function_name
  function_version = aws_lambda_function.tenant.version
}
resource "aws_apigatewayv2_integration" "live" {
  api_id          = "x"
  integration_uri = aws_lambda_alias.live.invoke_arn
}
resource "aws_apigatewayv2_route" "all" {
  api_id    = "x"
  route_key = "ANY /{proxy+}"
  target    = "integrations/${aws_apigatewayv2_integration.live.id}"
}
resource "aws_alb_target_group_attachment" "tenant" {
  target_group_arn = "arn"
  target_id        = aws_lambda_function.tenant.arn
}
module "layer" {
  source          = "terraform-aws-modules/lambda/aws"
  create_function = false
  create_layer    = true
  runtime         = "nodejs20.x"
}
"#;
        let found = functions(text);
        assert_eq!(found.len(), 1, "a layer-only module is no function");
        let tenant = &found[0];
        assert_eq!(tenant.code_uri.as_ref().unwrap().value, "src");
        assert!(tenant.tenant_isolation.is_some());
        assert!(matches!(
            tenant.environment[0].value,
            EnvValue::ResolvedSecret { .. }
        ));
        let kinds: Vec<(EventKind, bool)> = tenant
            .events
            .iter()
            .map(|e| (e.kind.clone(), e.catch_all))
            .collect();
        assert_eq!(kinds, [(EventKind::Alb, false), (EventKind::HttpApi, true)]);
    }

    #[test]
    fn routes_of_the_api_gateway_module() {
        let text = r#"
module "api" {
  source        = "terraform-aws-modules/apigateway-v2/aws"
  protocol_type = "HTTP"
  routes = {
    "ANY /{proxy+}" = {
      integration = { uri = module.app.lambda_function_arn }
    }
  }
}
module "legacy" {
  source = "terraform-aws-modules/apigateway-v2/aws"
  integrations = {
    "GET /health" = { lambda_arn = module.app.lambda_function_arn }
  }
}
module "app" {
  source  = "terraform-aws-modules/lambda/aws"
  runtime = "java21"
  handler = "app.Handler"
}
"#;
        let app = &functions(text)[0];
        let routes: Vec<(String, bool)> = app
            .events
            .iter()
            .map(|e| (e.route(), e.catch_all))
            .collect();
        assert_eq!(
            routes,
            [
                ("ANY /{proxy+}".to_string(), true),
                ("GET /health".to_string(), false)
            ]
        );
        assert_eq!(at(text, app.events[0].span), "\"ANY /{proxy+}\"");
    }

    #[test]
    fn unknown_stays_unknown() {
        let text = r#"
resource "aws_lambda_function" "each" {
  for_each      = var.functions
  function_name = each.key
  runtime       = each.value.runtime
  handler       = "${each.key}.handler"
  dynamic "environment" {
    for_each = [1]
    content { variables = { SECRET = "x" } }
  }
}
"#;
        let f = &functions(text)[0];
        assert!(f.runtime.is_none());
        assert!(f.handler.is_none());
        assert!(f.function_name.is_none());
        assert!(f.environment.is_empty());
    }

    #[test]
    fn broken_hcl_says_where() {
        let error = parse(Path::new("main.tf"), "resource \"a\" \"b\" {\n  x = \n").unwrap_err();
        assert!(error.reason.contains("line"), "{error:?}");
        assert!(error.span.start > 0);
    }
}
