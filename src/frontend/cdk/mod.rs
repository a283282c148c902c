//! AWS CDK apps, read from source without synthesising: the constructs a stack creates and the
//! props they are given, in TypeScript or Python.
//!
//! Each language's reader ([`typescript`], [`python`]) turns its syntax into the small
//! [`Expr`] tree below, with imports resolved to the construct library's names
//! (`aws-lambda.Function`, `aws-apigateway.LambdaRestApi`) and Python's snake_case props and
//! methods spelled as TypeScript spells them. [`extract`] then finds the functions and what
//! triggers them once, for both languages.

pub mod python;
pub mod typescript;

use super::route_event as event;
use crate::model::Template;
use crate::model::{
    EnvValue, EnvVar, Event, EventKind, Flavor, Function, Located, Resource, ResourceKind,
    SnapStart,
};
use crate::source::Span;
use std::collections::HashMap;

/// How deep names are followed to their values, and how deep an expression is walked.
const MAX_DEPTH: usize = 24;

/// A CDK expression as far as a linter needs it.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Str(String, Span),
    Num(f64, Span),
    Bool(bool, Span),
    /// A string with interpolated parts, written `${...}`.
    Template(String, Span),
    Object(Vec<Prop>, Span),
    Array(Vec<Expr>, Span),
    /// A name or a path of names, resolved through the imports: `fn`, `this.api`,
    /// `aws-lambda.Runtime.JAVA_21`, `__dirname`.
    Name(String, Span),
    /// `new X(...)` (Python: a call of a capitalised name), `X` resolved.
    New {
        class: String,
        args: Vec<Expr>,
        span: Span,
    },
    /// `receiver.method(...)`, or a plain function's call when `receiver` is `None` (`callee`
    /// resolved: `aws-lambda.Code.fromAsset`, `path.join`).
    Call {
        callee: String,
        receiver: Option<Box<Expr>>,
        method: String,
        args: Vec<Expr>,
        span: Span,
    },
    /// `object.property` on a value that is not a plain name (`fn.currentVersion` after a call).
    Member {
        object: Box<Expr>,
        property: String,
        span: Span,
    },
    Other(Span),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Prop {
    pub key: String,
    pub key_span: Span,
    pub value: Expr,
}

impl Expr {
    pub fn span(&self) -> Span {
        match self {
            Expr::Str(_, span)
            | Expr::Num(_, span)
            | Expr::Bool(_, span)
            | Expr::Template(_, span)
            | Expr::Object(_, span)
            | Expr::Array(_, span)
            | Expr::Name(_, span)
            | Expr::Other(span) => *span,
            Expr::New { span, .. } | Expr::Call { span, .. } | Expr::Member { span, .. } => *span,
        }
    }

    fn prop(&self, key: &str) -> Option<&Expr> {
        match self {
            Expr::Object(props, _) => props.iter().find(|p| p.key == key).map(|p| &p.value),
            _ => None,
        }
    }

    /// Every expression inside this one, itself first.
    fn walk<'e>(&'e self, out: &mut Vec<&'e Expr>, depth: usize) {
        if depth > MAX_DEPTH * 4 {
            return;
        }
        out.push(self);
        match self {
            Expr::Object(props, _) => props.iter().for_each(|p| p.value.walk(out, depth + 1)),
            Expr::Array(items, _) => items.iter().for_each(|i| i.walk(out, depth + 1)),
            Expr::New { args, .. } => args.iter().for_each(|a| a.walk(out, depth + 1)),
            Expr::Call { receiver, args, .. } => {
                if let Some(receiver) = receiver {
                    receiver.walk(out, depth + 1);
                }
                args.iter().for_each(|a| a.walk(out, depth + 1));
            }
            Expr::Member { object, .. } => object.walk(out, depth + 1),
            _ => {}
        }
    }
}

/// What one source file of a CDK app says: values bound to names, and statements.
#[derive(Debug, Default)]
pub struct Program {
    /// `const fn = ...`, `this.api = ...`, `fn = ...`, `self.api = ...` (Python's `self.` is
    /// written `this.`).
    pub bindings: Vec<(String, Expr)>,
    /// Expression statements: `api.root.addMethod(...)`, `new LambdaRestApi(...)`.
    pub statements: Vec<Expr>,
}

/// Whether a source file may declare CDK constructs, judged cheaply from its text.
pub fn mentions_cdk(text: &str) -> bool {
    text.contains("aws-cdk-lib")
        || text.contains("@aws-cdk/")
        || text.contains("aws_cdk")
        || text.contains("cargo-lambda-cdk")
}

/// The functions a CDK stack file declares (`None`: none, or not a CDK file). `app_root`: the
/// folder of `cdk.json`, relative to the file's folder. Parses the file (tests); a run reads
/// the stack from the code front end's parse, through [`stack`].
pub fn read(
    language: crate::model::Language,
    source: &crate::source::SourceFile,
    app_root: &str,
) -> Option<Template> {
    if !mentions_cdk(&source.text) {
        return None;
    }
    let program = match language {
        crate::model::Language::Python => python::read(&source.text)?,
        crate::model::Language::Rust
        | crate::model::Language::Go
        | crate::model::Language::Java
        | crate::model::Language::CSharp => return None,
        _ => {
            let extension = source
                .path
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or("ts");
            typescript::read(extension, &source.text)?
        }
    };
    stack(&program, source, app_root)
}

/// The functions of a stack's [`Program`], if any.
pub fn stack(
    program: &Program,
    source: &crate::source::SourceFile,
    app_root: &str,
) -> Option<Template> {
    let stem = source
        .path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let location = Location {
        file_stem: &stem,
        app_root,
    };
    let template = extract(program, &location);
    (!template.functions.is_empty()).then_some(template)
}

/// The library a module path names, in one spelling: `aws-cdk-lib/aws-lambda`,
/// `@aws-cdk/aws-lambda`, `aws_cdk.aws_lambda` and `aws_cdk.aws_lambda_python_alpha` are
/// `aws-lambda` / `aws-lambda-python`; the root (`aws-cdk-lib`, `aws_cdk`) is the empty string.
pub fn library(module: &str) -> Option<String> {
    let rest = if let Some(rest) = module.strip_prefix("aws-cdk-lib") {
        rest.trim_start_matches('/')
    } else if let Some(rest) = module.strip_prefix("@aws-cdk/") {
        rest
    } else if let Some(rest) = module.strip_prefix("aws_cdk") {
        rest.trim_start_matches('.')
    } else if module == "cargo-lambda-cdk" || module == "cargo_lambda_cdk" {
        return Some("cargo-lambda-cdk".to_string());
    } else {
        return None;
    };
    let rest = rest.replace('_', "-");
    Some(rest.strip_suffix("-alpha").unwrap_or(&rest).to_string())
}

/// `object.name`, where the root of the CDK library (`""`) adds no prefix and a submodule of it
/// (`aws_lambda`) has its one spelling.
pub fn qualified(object: &str, name: &str) -> String {
    if object.is_empty() {
        match library(&format!("aws_cdk.{name}")) {
            Some(lib) if name.starts_with("aws_") => lib,
            _ => name.to_string(),
        }
    } else {
        format!("{object}.{name}")
    }
}

/// `snake_case` as CDK's TypeScript spells it: `snap_start` is `snapStart`.
pub fn camel_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for (i, c) in name.chars().enumerate() {
        if c == '_' && i > 0 {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The kinds of function construct, by their resolved class.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Kind {
    Function,
    Nodejs,
    Python,
    Go,
    Rust,
    DockerImage,
}

fn function_kind(class: &str) -> Option<Kind> {
    Some(match class {
        "aws-lambda.Function" | "aws-lambda.SingletonFunction" => Kind::Function,
        "aws-lambda-nodejs.NodejsFunction" => Kind::Nodejs,
        "aws-lambda-python.PythonFunction" => Kind::Python,
        "aws-lambda-go.GoFunction" => Kind::Go,
        "cargo-lambda-cdk.RustFunction" => Kind::Rust,
        "aws-lambda.DockerImageFunction" => Kind::DockerImage,
        _ => return None,
    })
}

/// Where the file is, for asset paths: paths in `path.join(__dirname, ...)` are relative to the
/// file's folder; plain strings to the app's folder (where `cdk.json` is), given relative to the
/// file's folder (`..` for `lib/stack.ts`).
pub struct Location<'a> {
    pub file_stem: &'a str,
    pub app_root: &'a str,
}

pub fn extract(program: &Program, location: &Location) -> Template {
    let stack = Stack::new(program);
    let mut functions: Vec<(Function, Vec<&Expr>)> = Vec::new();
    for &(new, binding) in &stack.constructs {
        let Expr::New { class, args, .. } = new else {
            continue;
        };
        let Some(kind) = function_kind(class) else {
            continue;
        };
        let (id, span) = match args.get(1) {
            Some(Expr::Str(id, span)) => (id.clone(), *span),
            _ => (binding.unwrap_or("function").to_string(), new.span()),
        };
        let mut function = Function::new(id, span, Flavor::Cdk);
        let props = args.get(2);
        stack.describe(&mut function, kind, props, location);
        functions.push((function, vec![new]));
    }
    for (function, selves) in &mut functions {
        stack.attach(function, selves);
    }
    Template {
        functions: functions.into_iter().map(|(f, _)| f).collect(),
        suppressions: Vec::new(),
        includes: Vec::new(),
        resources: stack.resources(),
    }
}

/// The construct classes events flow through, and what each is in the model.
fn resource_kind(class: &str) -> Option<ResourceKind> {
    Some(match class {
        "aws-sqs.Queue" => ResourceKind::Queue,
        "aws-s3.Bucket" => ResourceKind::Bucket,
        "aws-sns.Topic" => ResourceKind::Topic,
        "aws-dynamodb.Table" | "aws-dynamodb.TableV2" => ResourceKind::Table,
        "aws-kinesis.Stream" => ResourceKind::Stream,
        _ => return None,
    })
}

/// The name a construct is known by where code refers to it: the name it is bound to (what an
/// environment variable's `queue.queueUrl` names), else its id.
fn root_name(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Name(name, _) => Some(name.split('.').next().unwrap_or(name).to_string()),
        _ => None,
    }
}

/// The constructs of one file and the names bound to them.
struct Stack<'p> {
    /// Every value bound to each name, in the order written.
    bindings: HashMap<&'p str, Vec<&'p Expr>>,
    /// Every `new` in the file, with the name it is bound to.
    constructs: Vec<(&'p Expr, Option<&'p str>)>,
    /// Every expression of the file.
    all: Vec<&'p Expr>,
}

/// What another construct gives a function.
enum Attachment {
    /// A trigger, reaching the function directly or through a version.
    Trigger(Via, Event),
    /// A version or an alias of it, perhaps with provisioned concurrency.
    Version { provisioned: Option<Span> },
}

/// How a trigger reaches a function: directly, or through a version or alias.
#[derive(Clone, Copy, PartialEq)]
enum Via {
    Function,
    Version,
}

impl<'p> Stack<'p> {
    fn new(program: &'p Program) -> Stack<'p> {
        let mut bindings: HashMap<&str, Vec<&Expr>> = HashMap::new();
        let mut all = Vec::new();
        let mut constructs = Vec::new();
        for (name, value) in &program.bindings {
            bindings.entry(name.as_str()).or_default().push(value);
            let start = all.len();
            value.walk(&mut all, 0);
            for (i, expr) in all[start..].iter().enumerate() {
                if matches!(expr, Expr::New { .. }) {
                    constructs.push((*expr, (i == 0).then_some(name.as_str())));
                }
            }
        }
        for statement in &program.statements {
            let start = all.len();
            statement.walk(&mut all, 0);
            constructs.extend(
                all[start..]
                    .iter()
                    .filter(|e| matches!(e, Expr::New { .. }))
                    .map(|e| (*e, None)),
            );
        }
        constructs.sort_by_key(|(e, _)| e.span().start);
        Stack {
            bindings,
            constructs,
            all,
        }
    }

    /// A name followed to what it is bound to (`fn` -> `new lambda.Function(...)`).
    fn resolve(&self, expr: &'p Expr, depth: usize) -> &'p Expr {
        match expr {
            Expr::Name(name, at) if depth < MAX_DEPTH => match self.binding(name, *at) {
                Some(value) if !std::ptr::eq(value, expr) => self.resolve(value, depth + 1),
                _ => expr,
            },
            _ => expr,
        }
    }

    /// The value `name` has where it is used at `at`: the last one bound before it (two stacks
    /// of a file may both say `const fn = ...`), else the first (a field set in the constructor
    /// and used in a method written above it).
    fn binding(&self, name: &str, at: Span) -> Option<&'p Expr> {
        let values = self.bindings.get(name)?;
        values
            .iter()
            .rev()
            .find(|value| value.span().start < at.start)
            .or(values.first())
            .copied()
    }

    fn text(&self, expr: &'p Expr) -> Option<(&'p str, Span)> {
        match self.resolve(expr, 0) {
            Expr::Str(text, span) => Some((text, *span)),
            _ => None,
        }
    }

    fn number(&self, expr: &'p Expr) -> Option<f64> {
        match self.resolve(expr, 0) {
            Expr::Num(n, _) => Some(*n),
            _ => None,
        }
    }

    /// The function construct an expression names, and whether through a version or alias:
    /// `fn`, `this.fn`, `fn.currentVersion`, `fn.addAlias('live')`, an `Alias` of it.
    fn function_of(&self, expr: &'p Expr, selves: &[&'p Expr], depth: usize) -> Option<Via> {
        if depth > MAX_DEPTH {
            return None;
        }
        let expr = self.resolve(expr, depth);
        if selves.iter().any(|s| std::ptr::eq(*s, expr)) {
            return Some(Via::Function);
        }
        match expr {
            Expr::Name(path, at) => {
                let (object, property) = path.rsplit_once('.')?;
                let value = self.binding(object, *at)?;
                self.function_of(value, selves, depth + 1)
                    .map(|_| versioned(property))
            }
            Expr::Member {
                object, property, ..
            } => self
                .function_of(object, selves, depth + 1)
                .map(|_| versioned(property)),
            Expr::Call {
                receiver: Some(receiver),
                method,
                ..
            } if method == "addAlias" => self
                .function_of(receiver, selves, depth + 1)
                .map(|_| Via::Version),
            Expr::New { class, args, .. }
                if class == "aws-lambda.Alias" || class == "aws-lambda.Version" =>
            {
                let props = args.get(2)?;
                let target = props.prop("version").or_else(|| props.prop("lambda"))?;
                self.function_of(target, selves, depth + 1)
                    .map(|_| Via::Version)
            }
            _ => None,
        }
    }
}

/// `fn.currentVersion` is a version; `fn.functionArn` is the function.
fn versioned(property: &str) -> Via {
    match property {
        "currentVersion" | "latestVersion" => Via::Version,
        _ => Via::Function,
    }
}

impl<'p> Stack<'p> {
    fn describe(
        &self,
        function: &mut Function,
        kind: Kind,
        props: Option<&'p Expr>,
        location: &Location,
    ) {
        let props = props.map(|p| self.resolve(p, 0));
        let prop = |key: &str| props.and_then(|p| p.prop(key));
        function.runtime = match prop("runtime") {
            Some(runtime) => self.runtime(runtime),
            None => default_runtime(kind).map(|r| Located::new(r.to_string(), function.span)),
        };
        if kind == Kind::DockerImage {
            function.image = Some(function.span);
        }
        function.function_name = prop("functionName")
            .and_then(|n| self.text(n))
            .map(|(t, _)| t.to_string());
        function.memory_mb =
            prop("memorySize").and_then(|m| Some(Located::new(self.number(m)? as u64, m.span())));
        function.timeout_s = prop("timeout").and_then(|t| self.duration_seconds(t));
        function.ephemeral_storage_mb = prop("ephemeralStorageSize").and_then(|s| self.size_mb(s));
        function.file_systems = prop("filesystem").map(Expr::span);
        if let Some(snap) = prop("snapStart") {
            let enabled = matches!(self.resolve(snap, 0), Expr::Name(n, _) if n.ends_with("ON_PUBLISHED_VERSIONS"));
            function.snapstart = Some(SnapStart {
                enabled,
                span: snap.span(),
            });
        }
        let provisioned = prop("currentVersionOptions")
            .and_then(|o| self.resolve(o, 0).prop("provisionedConcurrentExecutions"));
        if let Some(p) = provisioned {
            function.provisioned_concurrency = Some(p.span());
        }
        if let Some(environment) = prop("environment") {
            function.environment = self.environment(environment);
        }
        self.code(function, kind, props, location);
    }

    fn runtime(&self, expr: &'p Expr) -> Option<Located<String>> {
        let span = expr.span();
        let id = match self.resolve(expr, 0) {
            Expr::Name(name, _) => runtime_id(name.rsplit('.').next()?)?,
            Expr::New { class, args, .. } if class.ends_with("Runtime") => {
                self.text(args.first()?)?.0.to_string()
            }
            _ => return None,
        };
        Some(Located::new(id, span))
    }

    /// `Duration.seconds(30)`, `Duration.minutes(5)`.
    fn duration_seconds(&self, expr: &'p Expr) -> Option<Located<u64>> {
        self.measure(
            expr,
            &[("seconds", 1.0), ("minutes", 60.0), ("millis", 0.001)],
        )
    }

    /// `Size.mebibytes(1024)`, `Size.gibibytes(2)`.
    fn size_mb(&self, expr: &'p Expr) -> Option<Located<u64>> {
        self.measure(expr, &[("mebibytes", 1.0), ("gibibytes", 1024.0)])
    }

    /// An amount given in one of `units` (`Unit.method(amount)`), in the first unit.
    fn measure(&self, expr: &'p Expr, units: &[(&str, f64)]) -> Option<Located<u64>> {
        let Expr::Call {
            callee, args, span, ..
        } = self.resolve(expr, 0)
        else {
            return None;
        };
        let amount = self.number(args.first()?)?;
        let unit = callee.rsplit('.').next()?;
        let (_, factor) = units.iter().find(|(name, _)| *name == unit)?;
        Some(Located::new((amount * factor) as u64, *span))
    }

    fn environment(&self, expr: &'p Expr) -> Vec<EnvVar> {
        let Expr::Object(props, _) = self.resolve(expr, 0) else {
            return Vec::new();
        };
        props
            .iter()
            .map(|prop| {
                let value_span = prop.value.span();
                let value = self.env_value(&prop.value, value_span);
                let mut references = Vec::new();
                let mut inner = Vec::new();
                prop.value.walk(&mut inner, 0);
                for expr in inner {
                    if let Expr::Name(name, _) = expr {
                        let root = name.split('.').next().unwrap_or(name);
                        references.push(root.to_string());
                    }
                }
                EnvVar {
                    name: Located::new(prop.key.clone(), prop.key_span),
                    value,
                    value_span,
                    from_defaults: false,
                    references,
                    condition: None,
                    included: None,
                }
            })
            .collect()
    }

    fn env_value(&self, expr: &'p Expr, value_span: Span) -> EnvValue {
        match self.resolve(expr, 0) {
            Expr::Str(text, origin) => EnvValue::Literal {
                text: text.clone(),
                origin: if *origin == Span::default() {
                    value_span
                } else {
                    *origin
                },
            },
            Expr::Template(text, _) => EnvValue::Interpolated { text: text.clone() },
            call @ Expr::Call {
                method, receiver, ..
            } => {
                if let Some(text) = self.plain_text(call) {
                    return text;
                }
                // `secret.secretValue.unsafeUnwrap()`, `...secretValueFromJson('k').toString()`
                let unwrapped = matches!(method.as_str(), "unsafeUnwrap" | "toString")
                    && receiver
                        .as_deref()
                        .is_some_and(|r| self.plain_text(r).is_none() && mentions_secret_value(r));
                match unwrapped {
                    true => EnvValue::ResolvedSecret {
                        how: "a secret's value unwrapped into the configuration \
                              (`secretValue.unsafeUnwrap()`)"
                            .to_string(),
                    },
                    false => match receiver.as_deref().and_then(|r| self.plain_text(r)) {
                        Some(text) => text,
                        None => EnvValue::Reference,
                    },
                }
            }
            _ => EnvValue::Reference,
        }
    }

    /// `SecretValue.unsafePlainText('...')`: a literal, whatever it is wrapped in.
    fn plain_text(&self, expr: &'p Expr) -> Option<EnvValue> {
        let Expr::Call { callee, args, .. } = self.resolve(expr, 0) else {
            return None;
        };
        if !(callee.ends_with("SecretValue.unsafePlainText")
            || callee.ends_with("SecretValue.plainText"))
        {
            return None;
        }
        match self.resolve(args.first()?, 0) {
            Expr::Str(text, origin) => Some(EnvValue::Literal {
                text: text.clone(),
                origin: *origin,
            }),
            _ => None,
        }
    }

    /// Handler, code folder and entry points, relative to the file's folder.
    fn code(&self, function: &mut Function, kind: Kind, props: Option<&'p Expr>, at: &Location) {
        let prop = |key: &str| props.and_then(|p| p.prop(key));
        let handler = prop("handler").and_then(|h| self.text(h));
        match kind {
            Kind::Function => {
                function.handler = handler.map(|(t, s)| Located::new(t.to_string(), s));
                let asset = prop("code").and_then(|code| match self.resolve(code, 0) {
                    Expr::Call { callee, args, .. } if callee.ends_with("Code.fromAsset") => {
                        args.first()
                    }
                    _ => None,
                });
                function.code_uri = asset.and_then(|a| self.asset_path(a, at));
            }
            Kind::Nodejs => {
                let entry = match prop("entry") {
                    Some(entry) => self.asset_path(entry, at),
                    // The default entry: `stack.ts` declaring `Api` builds `stack.Api.ts`.
                    None => Some(Located::new(
                        format!("{}.{}.ts", at.file_stem, function.logical_id),
                        function.span,
                    )),
                };
                if let Some(entry) = entry {
                    let stem = std::path::Path::new(&entry.value)
                        .file_stem()
                        .map(|s| s.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    let export = handler.map_or("handler", |(t, _)| t);
                    function.handler = Some(Located::new(format!("{stem}.{export}"), entry.span));
                    function.entry_points = vec![entry.value];
                }
            }
            Kind::Python => {
                let index = prop("index")
                    .and_then(|i| self.text(i))
                    .map_or("index", |(t, _)| t.trim_end_matches(".py"));
                let export = handler.map_or("handler", |(t, _)| t);
                function.code_uri = prop("entry").and_then(|e| self.asset_path(e, at));
                let span = function.code_uri.as_ref().map_or(function.span, |c| c.span);
                function.handler = Some(Located::new(format!("{index}.{export}"), span));
            }
            Kind::Rust => {
                function.code_uri = prop("manifestPath")
                    .and_then(|m| self.asset_path(m, at))
                    .map(|m| {
                        let folder = m.value.trim_end_matches("Cargo.toml").trim_end_matches('/');
                        Located::new(folder.to_string(), m.span)
                    });
            }
            Kind::Go | Kind::DockerImage => {}
        }
    }

    /// An asset path: `'lambda'` (from the app's folder), `path.join(__dirname, '../lambda')`,
    /// `path.resolve(__dirname, 'x')`, `os.path.join(os.path.dirname(__file__), 'x')`.
    fn asset_path(&self, expr: &'p Expr, at: &Location) -> Option<Located<String>> {
        let span = expr.span();
        match self.resolve(expr, 0) {
            Expr::Str(text, _) => Some(Located::new(join(at.app_root, text), span)),
            Expr::Call { callee, args, .. }
                if callee == "path.join"
                    || callee == "path.resolve"
                    || callee == "os.path.join" =>
            {
                let (first, rest) = args.split_first()?;
                let base = match self.resolve(first, 0) {
                    Expr::Name(name, _) if name == "__dirname" => "",
                    Expr::Call { callee, args, .. }
                        if callee == "os.path.dirname"
                            && matches!(args.first(), Some(Expr::Name(n, _)) if n == "__file__") =>
                    {
                        ""
                    }
                    Expr::Str(text, _) => return self.joined(&join(at.app_root, text), rest, span),
                    _ => return None,
                };
                self.joined(base, rest, span)
            }
            _ => None,
        }
    }

    fn joined(&self, base: &str, parts: &'p [Expr], span: Span) -> Option<Located<String>> {
        let mut path = base.to_string();
        for part in parts {
            path = join(&path, self.text(part)?.0);
        }
        Some(Located::new(path, span))
    }

    /// Events, versions and provisioned concurrency the other constructs give a function.
    fn attach(&self, function: &mut Function, selves: &[&'p Expr]) {
        let mut has_version = false;
        let mut direct_trigger = false;
        for &expr in &self.all {
            for attachment in self.attachments(expr, selves) {
                match attachment {
                    Attachment::Trigger(via, event) => {
                        direct_trigger |= via == Via::Function;
                        function.events.push(event);
                    }
                    Attachment::Version { provisioned } => {
                        has_version = true;
                        function.provisioned_concurrency =
                            provisioned.or(function.provisioned_concurrency);
                    }
                }
            }
        }
        // SnapStart applies to versions: a trigger on the function itself invokes `$LATEST`.
        function.publishes_versions = has_version && !direct_trigger;
    }

    /// The queues, buckets, topics, tables and streams of the file, by the name they are bound
    /// to (`const jobs = new sqs.Queue(this, 'Jobs', ...)` is `jobs`).
    fn resources(&self) -> Vec<Resource> {
        self.constructs
            .iter()
            .filter_map(|&(new, binding)| {
                let Expr::New { class, args, span } = new else {
                    return None;
                };
                let kind = resource_kind(class)?;
                let id = match (binding, args.get(1)) {
                    (Some(name), _) => name.to_string(),
                    (None, Some(Expr::Str(id, _))) => id.clone(),
                    _ => return None,
                };
                let visibility = args
                    .get(2)
                    .map(|p| self.resolve(p, 0))
                    .and_then(|p| p.prop("visibilityTimeout"))
                    .and_then(|v| self.duration_seconds(v));
                Some(Resource {
                    file: crate::model::FileId::new(0),
                    logical_id: id,
                    kind,
                    span: args.get(1).map_or(*span, Expr::span),
                    visibility_timeout_s: visibility,
                    refers_to: Vec::new(),
                })
            })
            .collect()
    }

    /// `fn.addEventSource(new SqsEventSource(queue, {...}))`: the event, with its source.
    fn event_source(&self, source: &'p Expr, span: Span) -> Option<Event> {
        let Expr::New { class, args, .. } = self.resolve(source, 0) else {
            return None;
        };
        let kind = match class.rsplit('.').next()? {
            "SqsEventSource" => "SQS",
            "S3EventSource" | "S3EventSourceV2" => "S3",
            "SnsEventSource" => "SNS",
            "DynamoEventSource" => "DynamoDB",
            "KinesisEventSource" => "Kinesis",
            _ => return None,
        };
        let mut trigger = event(EventKind::Other(kind.into()), None, None, span);
        trigger.details.source = args.first().and_then(root_name);
        trigger.details.filtered = args
            .get(1)
            .map(|p| self.resolve(p, 0))
            .and_then(|p| p.prop("filters"))
            .is_some();
        Some(trigger)
    }

    /// What one expression of the file gives the function `selves` names, if anything.
    fn attachments(&self, expr: &'p Expr, selves: &[&'p Expr]) -> Vec<Attachment> {
        match expr {
            Expr::New { class, args, span } => {
                self.construct_attachments(class, args, *span, selves)
            }
            Expr::Call {
                receiver: Some(receiver),
                method,
                args,
                span,
                ..
            } => self.method_attachments(receiver, method, args, *span, selves),
            Expr::Member { property, .. } if property == "currentVersion" => {
                self.version_of(expr, selves, None)
            }
            Expr::Name(name, _) if name.ends_with(".currentVersion") => {
                self.version_of(expr, selves, None)
            }
            _ => Vec::new(),
        }
    }

    fn version_of(
        &self,
        target: &'p Expr,
        selves: &[&'p Expr],
        provisioned: Option<Span>,
    ) -> Vec<Attachment> {
        match self.function_of(target, selves, 0) {
            Some(_) => vec![Attachment::Version { provisioned }],
            None => Vec::new(),
        }
    }

    /// `new LambdaRestApi(...)`, `new HttpApi(...)`, `new FunctionUrl(...)`,
    /// `new LambdaTarget(fn)`, `new Alias(...)`.
    fn construct_attachments(
        &self,
        class: &str,
        args: &'p [Expr],
        span: Span,
        selves: &[&'p Expr],
    ) -> Vec<Attachment> {
        let props = args.get(2).map(|p| self.resolve(p, 0));
        let prop = |key: &str| props.and_then(|p| p.prop(key));
        let trigger = |target: Option<&'p Expr>, event: Event| {
            target
                .and_then(|t| self.function_of(t, selves, 0))
                .map(|via| Attachment::Trigger(via, event))
                .into_iter()
                .collect()
        };
        match class {
            "aws-apigateway.LambdaRestApi" => {
                // `proxy` defaults to true: every path and method.
                let proxy = !matches!(
                    prop("proxy").map(|p| self.resolve(p, 0)),
                    Some(Expr::Bool(false, _))
                );
                let (method, path) = match proxy {
                    true => (Some("ANY".to_string()), Some("/{proxy+}".to_string())),
                    false => (None, None),
                };
                let at = args.get(1).map_or(span, Expr::span);
                trigger(prop("handler"), event(EventKind::RestApi, method, path, at))
            }
            "aws-apigatewayv2.HttpApi" => {
                let Some(integration) = prop("defaultIntegration") else {
                    return Vec::new();
                };
                let path = Some("$default".to_string());
                let event = event(EventKind::HttpApi, None, path, integration.span());
                self.integration(integration, selves)
                    .map(|via| Attachment::Trigger(via, event))
                    .into_iter()
                    .collect()
            }
            "aws-lambda.FunctionUrl" => trigger(
                prop("function"),
                event(EventKind::FunctionUrl, None, None, span),
            ),
            "aws-elasticloadbalancingv2-targets.LambdaTarget" => {
                trigger(arg(args, 0, "fn"), event(EventKind::Alb, None, None, span))
            }
            "aws-lambda.Alias" | "aws-lambda.Version" => {
                let target = prop("version").or_else(|| prop("lambda"));
                let provisioned = prop("provisionedConcurrentExecutions").map(Expr::span);
                target.map_or_else(Vec::new, |t| self.version_of(t, selves, provisioned))
            }
            _ => Vec::new(),
        }
    }

    /// `fn.addFunctionUrl()`, `fn.addAlias(...)`, `resource.addMethod(...)`,
    /// `resource.addProxy(...)`, `httpApi.addRoutes(...)`.
    fn method_attachments(
        &self,
        receiver: &'p Expr,
        method: &str,
        args: &'p [Expr],
        span: Span,
        selves: &[&'p Expr],
    ) -> Vec<Attachment> {
        let options = |index: usize| args.get(index).map(|o| self.resolve(o, 0));
        let through = |integration: Option<&'p Expr>, events: Vec<Event>| -> Vec<Attachment> {
            match integration.and_then(|i| self.integration(i, selves)) {
                Some(via) => events
                    .into_iter()
                    .map(|e| Attachment::Trigger(via, e))
                    .collect(),
                None => Vec::new(),
            }
        };
        match method {
            "addEventSource" => {
                let via = self.function_of(receiver, selves, 0);
                let trigger = args.first().and_then(|s| self.event_source(s, span));
                via.zip(trigger)
                    .map(|(via, e)| Attachment::Trigger(via, e))
                    .into_iter()
                    .collect()
            }
            // `bucket.addEventNotification(EventType.OBJECT_CREATED, new LambdaDestination(fn),
            // { prefix: 'uploads/' })`.
            "addEventNotification" => {
                let Some(Expr::New {
                    class,
                    args: destination,
                    ..
                }) = args.get(1).map(|d| self.resolve(d, 0))
                else {
                    return Vec::new();
                };
                if !class.ends_with("LambdaDestination") {
                    return Vec::new();
                }
                let Some(via) = destination
                    .first()
                    .and_then(|f| self.function_of(f, selves, 0))
                else {
                    return Vec::new();
                };
                let mut trigger = event(EventKind::Other("S3".into()), None, None, span);
                trigger.details.source = root_name(receiver);
                trigger.details.filtered = args.len() > 2;
                vec![Attachment::Trigger(via, trigger)]
            }
            "addFunctionUrl" => match self.function_of(receiver, selves, 0) {
                Some(via) => vec![Attachment::Trigger(
                    via,
                    event(EventKind::FunctionUrl, None, None, span),
                )],
                None => Vec::new(),
            },
            "addAlias" => {
                let provisioned = options(1)
                    .and_then(|o| o.prop("provisionedConcurrentExecutions"))
                    .map(Expr::span);
                self.version_of(receiver, selves, provisioned)
            }
            "addMethod" => {
                let method_arg = arg(args, 0, "httpMethod");
                let method = method_arg
                    .and_then(|m| self.text(m))
                    .map(|(t, _)| t.to_string());
                let path = self.resource_path(receiver, 0);
                let at = method_arg.map_or(span, Expr::span);
                let integration = arg(args, 1, "integration");
                let mut route = event(EventKind::RestApi, method, path, at);
                route.details.timeout_ms = integration.and_then(|i| self.integration_timeout(i));
                through(integration, vec![route])
            }
            "addProxy" => {
                let base = self.resource_path(receiver, 0).unwrap_or_default();
                let path = Some(format!("{}/{{proxy+}}", base.trim_end_matches('/')));
                let proxy = event(EventKind::RestApi, Some("ANY".into()), path, span);
                through(
                    options(0).and_then(|o| o.prop("defaultIntegration")),
                    vec![proxy],
                )
            }
            "addRoutes" => {
                let options = options(0);
                let path_expr = options.and_then(|o| o.prop("path"));
                let path = path_expr
                    .and_then(|p| self.text(p))
                    .map(|(t, _)| t.to_string());
                let at = path_expr.map_or(span, Expr::span);
                let methods = self.http_methods(options.and_then(|o| o.prop("methods")));
                let events = methods
                    .into_iter()
                    .map(|m| event(EventKind::HttpApi, Some(m), path.clone(), at))
                    .collect();
                through(options.and_then(|o| o.prop("integration")), events)
            }
            _ => Vec::new(),
        }
    }

    /// `methods: [HttpMethod.GET, HttpMethod.POST]`; all methods when not given.
    fn http_methods(&self, methods: Option<&'p Expr>) -> Vec<String> {
        match methods.map(|m| self.resolve(m, 0)) {
            Some(Expr::Array(items, _)) => items
                .iter()
                .filter_map(|m| match self.resolve(m, 0) {
                    Expr::Name(n, _) => n.rsplit('.').next().map(str::to_string),
                    Expr::Str(s, _) => Some(s.clone()),
                    _ => None,
                })
                .collect(),
            _ => vec!["ANY".to_string()],
        }
    }

    /// The function behind a `LambdaIntegration(fn)` / `HttpLambdaIntegration('id', fn)`.
    fn integration(&self, expr: &'p Expr, selves: &[&'p Expr]) -> Option<Via> {
        match self.resolve(expr, 0) {
            Expr::New { class, args, .. } => {
                let target = match class.as_str() {
                    "aws-apigateway.LambdaIntegration" => arg(args, 0, "handler"),
                    "aws-apigatewayv2-integrations.HttpLambdaIntegration"
                    | "aws-apigatewayv2-integrations.WebSocketLambdaIntegration" => {
                        arg(args, 1, "handler")
                    }
                    // CDK v1: `new LambdaProxyIntegration({ handler: fn })`.
                    "aws-apigatewayv2-integrations.LambdaProxyIntegration"
                    | "aws-apigatewayv2-integrations.LambdaWebSocketIntegration" => {
                        arg(args, usize::MAX, "handler")
                    }
                    _ => None,
                }?;
                self.function_of(target, selves, 0)
            }
            _ => None,
        }
    }

    /// A REST integration's own timeout: `new LambdaIntegration(fn, { timeout:
    /// Duration.minutes(5) })` (its `TimeoutInMillis`).
    fn integration_timeout(&self, expr: &'p Expr) -> Option<Located<u64>> {
        let Expr::New { class, args, .. } = self.resolve(expr, 0) else {
            return None;
        };
        if class != "aws-apigateway.LambdaIntegration" {
            return None;
        }
        let timeout = self.resolve(args.get(1)?, 0).prop("timeout")?;
        let seconds = self.duration_seconds(timeout)?;
        Some(Located::new(seconds.value * 1000, seconds.span))
    }

    /// The path of a REST API resource: `api.root` is `/`, `.addResource('items')` adds a part.
    fn resource_path(&self, expr: &'p Expr, depth: usize) -> Option<String> {
        if depth > MAX_DEPTH {
            return None;
        }
        match self.resolve(expr, depth) {
            Expr::Name(name, _) if name.ends_with(".root") => Some("/".to_string()),
            Expr::Member { property, .. } if property == "root" => Some("/".to_string()),
            Expr::Call {
                receiver: Some(receiver),
                method,
                args,
                ..
            } if method == "addResource" || method == "resourceForPath" => {
                let part = self.text(args.first()?)?.0;
                let parent = self.resource_path(receiver, depth + 1)?;
                Some(format!(
                    "{}/{}",
                    parent.trim_end_matches('/'),
                    part.trim_matches('/')
                ))
            }
            _ => None,
        }
    }
}

/// Argument `index`, or when it is not given positionally, the prop `name` of the trailing
/// options object (Python's `HttpLambdaIntegration("Id", handler=fn)`, CDK v1's
/// `LambdaProxyIntegration({ handler })`).
fn arg<'e>(args: &'e [Expr], index: usize, name: &str) -> Option<&'e Expr> {
    match args.get(index) {
        Some(Expr::Object(..)) | None => args.last().and_then(|last| last.prop(name)),
        positional => positional,
    }
}

fn mentions_secret_value(expr: &Expr) -> bool {
    let mut inner = Vec::new();
    expr.walk(&mut inner, 0);
    inner.iter().any(|e| match e {
        Expr::Name(name, _) => name.contains("secretValue") || name.contains("SecretValue"),
        Expr::Member { property, .. } => property.starts_with("secretValue"),
        Expr::Call { method, callee, .. } => {
            method.starts_with("secretValue") || callee.contains("SecretValue")
        }
        _ => false,
    })
}

fn default_runtime(kind: Kind) -> Option<&'static str> {
    match kind {
        Kind::Go | Kind::Rust => Some("provided.al2023"),
        // NodejsFunction's default follows the CDK version: Node.js, of some version.
        Kind::Nodejs => Some("nodejs"),
        _ => None,
    }
}

/// `JAVA_21` is `java21`, `PYTHON_3_13` is `python3.13`, `NODEJS_20_X` is `nodejs20.x`,
/// `DOTNET_8` is `dotnet8`, `PROVIDED_AL2023` is `provided.al2023`, `NODEJS_LATEST` is `nodejs`.
fn runtime_id(constant: &str) -> Option<String> {
    let lower = constant.to_ascii_lowercase();
    let (family, rest) = lower.split_once('_').unwrap_or((&lower, ""));
    let parts: Vec<&str> = rest.split('_').filter(|p| !p.is_empty()).collect();
    let version = match family {
        "python" => parts.join("."),
        "nodejs" if parts == ["latest"] => String::new(),
        "nodejs" => parts.join("."),
        "java" | "dotnet" => parts
            .iter()
            .take_while(|p| p.chars().all(|c| c.is_ascii_digit()))
            .copied()
            .collect::<Vec<_>>()
            .join("."),
        "provided" => parts.first().map(|p| format!(".{p}")).unwrap_or_default(),
        "ruby" => parts.join("."),
        _ => return None,
    };
    Some(format!("{family}{version}"))
}

/// `a` joined with `b` as paths, `..` and `.` resolved where they can be.
fn join(a: &str, b: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in a.split('/').chain(b.split('/')) {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_constants() {
        assert_eq!(runtime_id("JAVA_21").as_deref(), Some("java21"));
        assert_eq!(runtime_id("JAVA_8_CORRETTO").as_deref(), Some("java8"));
        assert_eq!(runtime_id("PYTHON_3_13").as_deref(), Some("python3.13"));
        assert_eq!(runtime_id("NODEJS_20_X").as_deref(), Some("nodejs20.x"));
        assert_eq!(runtime_id("NODEJS_LATEST").as_deref(), Some("nodejs"));
        assert_eq!(runtime_id("DOTNET_8").as_deref(), Some("dotnet8"));
        assert_eq!(
            runtime_id("PROVIDED_AL2023").as_deref(),
            Some("provided.al2023")
        );
        assert_eq!(runtime_id("FROM_IMAGE"), None);
    }

    #[test]
    fn libraries_have_one_spelling() {
        assert_eq!(
            library("aws-cdk-lib/aws-lambda").as_deref(),
            Some("aws-lambda")
        );
        assert_eq!(
            library("@aws-cdk/aws-lambda").as_deref(),
            Some("aws-lambda")
        );
        assert_eq!(library("aws_cdk.aws_lambda").as_deref(), Some("aws-lambda"));
        assert_eq!(
            library("aws_cdk.aws_lambda_python_alpha").as_deref(),
            Some("aws-lambda-python")
        );
        assert_eq!(library("aws-cdk-lib").as_deref(), Some(""));
        assert_eq!(library("aws_cdk").as_deref(), Some(""));
        assert_eq!(library("constructs"), None);
        assert_eq!(camel_case("snap_start"), "snapStart");
        assert_eq!(camel_case("from_asset"), "fromAsset");
        assert_eq!(camel_case("_private"), "_private");
    }

    #[test]
    fn paths_join() {
        assert_eq!(join("..", "lambda/orders"), "../lambda/orders");
        assert_eq!(join("", "../lambda"), "../lambda");
        assert_eq!(join("lib", "../src/"), "src");
        assert_eq!(join("", "."), "");
    }
}
