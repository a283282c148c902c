//! What a handler source file says, independent of TypeScript, JavaScript, Python or Rust:
//! functions and their nesting, calls with resolved callees, string literals and the names they
//! bind to. Rules read this, never a syntax tree.

use super::ids::{FileId, FunctionId, IndexVec};
use crate::source::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Language {
    JavaScript,
    TypeScript,
    Python,
    Rust,
    Go,
    Java,
    CSharp,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CodeFunction {
    /// The name it is called by in this file (`handler`, `getPool`); for a function without
    /// one, how the front end shows it (`<anonymous>`, `<closure>`).
    pub name: String,
    /// It has no name of its own: nothing calls it by `name`, and messages do not name it.
    pub anonymous: bool,
    /// The name as written (or the start of the function when anonymous).
    pub span: Span,
    /// The whole function, to tell which calls lie inside it.
    pub body: Span,
    pub parent: Option<FunctionId>,
}

/// A value passed to a call, as far as a linter can know it without running the code.
#[derive(Clone, Debug, PartialEq)]
pub enum ArgValue {
    Str(String),
    /// `{ InvocationType: "Event" }`, Python keyword arguments, Rust builder arguments.
    Object(Vec<(String, ArgValue)>),
    /// A list literal: `Entries: [{ Source: "orders" }]`.
    List(Vec<ArgValue>),
    /// An identifier or path: `InvocationType::Event`, `params`.
    Path(String),
    /// The value of an environment variable, read however the language spells it
    /// (`process.env.X`, `os.environ["X"]`, `os.getenv("X")`, `std::env::var("X")`).
    EnvVar(String),
    Other,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Arg {
    /// The request field this argument sets, in the service's own spelling: a keyword
    /// (Python `InvocationType=`) or a builder method (Rust `.invocation_type(..)` is
    /// `InvocationType`); `None` for positional arguments.
    pub name: Option<String>,
    pub value: ArgValue,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    /// The callee with imports resolved, segments joined by `.`: `pg.Pool`, `boto3.client`,
    /// `@aws-sdk/client-lambda.InvokeCommand`, `sqlx.postgres.PgPoolOptions.new`. A call of a
    /// function of this file is its plain name (`getPool`); a method on a local value is
    /// `value.method` as written (`client.send`).
    pub callee: String,
    /// The call as the user wrote it, for messages: `` `new Pool()` from `pg` ``,
    /// `` `boto3.client("s3")` ``, `` `PgPoolOptions::new().connect()` ``. Set by the front end
    /// for the calls it keeps.
    pub display: String,
    pub span: Span,
    /// The innermost function the call is in; `None` at module scope.
    pub function: Option<FunctionId>,
    pub is_new: bool,
    pub args: Vec<Arg>,
    /// Builder methods called on the result, in order (Rust `.invoke().function_name(..).send()`,
    /// JS `.promise()`), with their arguments.
    pub chain: Vec<(String, Vec<Arg>)>,
    /// The result is awaited, assigned, returned or passed on (not a fire-and-forget statement).
    pub result_used: bool,
    /// Inside a cache-once guard: `if (!pool) pool = ...`, `pool ??= ...`, `if conn is None:`,
    /// `OnceLock::get_or_init(|| ...)`.
    pub lazily_cached: bool,
    /// The name the result is bound to (`const pool = new Pool()` -> `pool`).
    pub bound_to: Option<String>,
    /// Its arguments read data of this invocation: a parameter of the function it is in, or a
    /// variable computed from one (`endpoint` from the event, credentials assumed for the
    /// caller). What it builds may differ from one invocation to the next.
    pub from_invocation_data: bool,
}

/// A module a file imports, and how its calls name it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Import {
    /// As written: `pg`, `./db`, `../lib/index.js` (JavaScript), `boto3`, `app.repo`, `.db`
    /// (Python), `crate::db`, `mod db` (Rust).
    pub module: String,
    /// The start of the callee of a call into it: `./db` for `saveOrder()` after
    /// `import { saveOrder } from "./db"` (callee `./db.saveOrder`), `db` for `.db`, `crate.db`.
    pub callee_prefix: String,
}

impl Import {
    pub fn new(module: impl Into<String>, callee_prefix: impl Into<String>) -> Import {
        Import {
            module: module.into(),
            callee_prefix: callee_prefix.into(),
        }
    }
}

/// A string literal and the name it is bound to (variable, constant, property or keyword).
#[derive(Clone, Debug, PartialEq)]
pub struct StringLiteral {
    pub name: Option<String>,
    pub value: String,
    pub span: Span,
}

/// Routing inside a function: a `switch (event.routeKey)` or an `if`/`elif` chain over the
/// request's path or method, with how many routes it tells apart.
#[derive(Clone, Debug, PartialEq)]
pub struct Dispatch {
    pub span: Span,
    pub function: Option<FunctionId>,
    pub routes: usize,
}

/// What a declaration is marked with or built on, its name resolved like a callee: an
/// annotation (Java `@GetMapping`), an attribute (C# `[HttpGet]`), or a base type of a class
/// (`APIGatewayProxyFunction`). Web frameworks find routes and entry points by them.
#[derive(Clone, Debug, PartialEq)]
pub struct Annotation {
    pub name: String,
    pub span: Span,
    /// The function it marks; `None` for a class (its annotations and base types).
    pub function: Option<FunctionId>,
}

/// Names of request fields that carry the route (`event.routeKey`, `event["path"]`).
pub fn is_route_field(name: &str) -> bool {
    let last = name.rsplit('.').next().unwrap_or(name);
    matches!(
        last,
        "routeKey"
            | "route_key"
            | "path"
            | "rawPath"
            | "raw_path"
            | "resource"
            | "httpMethod"
            | "http_method"
            | "route"
    )
}

#[derive(Clone, Debug, PartialEq)]
pub struct CodeFile {
    /// Assigned by [`Project::add_code`](super::Project::add_code).
    pub file: FileId,
    pub language: Language,
    pub functions: IndexVec<FunctionId, CodeFunction>,
    /// The modules the file imports, sorted.
    pub imports: Vec<Import>,
    pub calls: Vec<Call>,
    pub strings: Vec<StringLiteral>,
    /// Values bound to names that a call given the name reads: object literals (`const params =
    /// { InvocationType: "Event" }`) and environment reads (`TABLE = os.environ["TABLE"]`).
    pub objects: Vec<(String, ArgValue)>,
    pub dispatches: Vec<Dispatch>,
    /// Annotations, attributes and base types, as far as a rule reads them.
    pub annotations: Vec<Annotation>,
    /// Exported names and the function each names (`export const handler = ...`).
    pub exports: Vec<(String, FunctionId)>,
    /// Entry points found by convention (`export const handler`, `def lambda_handler(event,
    /// context)`, the function given to `lambda_runtime::service_fn`).
    pub conventional_handlers: Vec<FunctionId>,
    /// A Cloudflare Worker (`export default { fetch }`): per-request clients are right there.
    pub is_worker: bool,
    /// Test code (`*.test.ts`, `test_*.py`, `tests/`): it never runs per invocation.
    pub is_test: bool,
}

impl CodeFile {
    pub fn new(language: Language) -> CodeFile {
        CodeFile {
            file: FileId::new(0),
            language,
            functions: IndexVec::new(),
            imports: Vec::new(),
            calls: Vec::new(),
            strings: Vec::new(),
            objects: Vec::new(),
            dispatches: Vec::new(),
            annotations: Vec::new(),
            exports: Vec::new(),
            conventional_handlers: Vec::new(),
            is_worker: false,
            is_test: false,
        }
    }

    /// Keeps the string literals `wanted` accepts (what could be a secret), in place.
    pub fn keep_strings(&mut self, wanted: impl Fn(&StringLiteral) -> bool) {
        self.strings.retain(wanted);
        self.strings.shrink_to_fit();
    }

    /// Keeps the calls `wanted` accepts and those of functions of this file (the call graph
    /// needs them), then gives back spare capacity. A front end records every call it sees;
    /// on a large repository most are `logger.info` and friends that no rule reads.
    pub fn keep_calls(&mut self, wanted: impl Fn(&Call) -> bool) {
        let local: std::collections::HashSet<&str> = self
            .functions
            .iter()
            .filter(|f| !f.anonymous)
            .map(|f| f.name.as_str())
            .collect();
        self.calls
            .retain(|call| local.contains(call.callee.as_str()) || wanted(call));
        for call in &mut self.calls {
            call.args.shrink_to_fit();
            call.chain.shrink_to_fit();
        }
        self.calls.shrink_to_fit();
        self.functions.shrink_to_fit();
        self.objects.shrink_to_fit();
    }

    /// The import a call goes into, and the rest of its callee (`saveOrder` of
    /// `./db.saveOrder`), by the longest callee prefix.
    pub fn imported_callee<'c>(&self, call: &'c Call) -> Option<(&Import, &'c str)> {
        self.imports
            .iter()
            .filter_map(|import| {
                let rest = call.callee.strip_prefix(import.callee_prefix.as_str())?;
                let rest = match rest.strip_prefix('.') {
                    Some(rest) => rest,
                    None if rest.is_empty() => rest,
                    None => return None,
                };
                Some((import, rest))
            })
            .max_by_key(|(import, _)| import.callee_prefix.len())
    }

    pub fn function_named(&self, name: &str) -> Option<FunctionId> {
        self.functions
            .iter_enumerated()
            .find(|(_, f)| !f.anonymous && f.name == name)
            .map(|(id, _)| id)
    }

    /// The fields of a service request a call sends, in one shape whatever the language:
    /// keyword and builder arguments, the properties of an object argument, and those of an
    /// object literal the call is given by name (`lambda.invoke(params)`).
    pub fn request_fields<'f>(&'f self, call: &'f Call) -> Vec<(&'f str, &'f ArgValue)> {
        let mut fields = Vec::new();
        let bound = |name: &str| {
            self.objects
                .iter()
                .rev()
                .find(|(n, _)| n == name)
                .map(|(_, value)| value)
        };
        // A field given a name bound to an environment read reads that variable.
        let through_names = |value: &'f ArgValue| match value {
            ArgValue::Path(name) => match bound(name) {
                Some(read @ ArgValue::EnvVar(_)) => read,
                _ => value,
            },
            _ => value,
        };
        for arg in &call.args {
            match (&arg.name, &arg.value) {
                (Some(name), value) => fields.push((name.as_str(), through_names(value))),
                (None, ArgValue::Object(props)) => {
                    fields.extend(props.iter().map(|(k, v)| (k.as_str(), through_names(v))))
                }
                (None, ArgValue::Path(name)) => {
                    if let Some((_, ArgValue::Object(props))) =
                        self.objects.iter().rev().find(|(n, _)| n == name)
                    {
                        fields.extend(props.iter().map(|(k, v)| (k.as_str(), v)));
                    }
                }
                _ => {}
            }
        }
        fields
    }

    /// The functions that run on every invocation of `handlers`: the handlers, the functions
    /// nested in them, and what they call in this file, transitively.
    pub fn per_invocation(&self, handlers: &[FunctionId]) -> IndexVec<FunctionId, bool> {
        let mut reached: IndexVec<FunctionId, bool> =
            self.functions.iter().map(|_| false).collect();
        let mut work: Vec<FunctionId> = handlers.to_vec();
        while let Some(function) = work.pop() {
            if std::mem::replace(&mut reached[function], true) {
                continue;
            }
            for (id, candidate) in self.functions.iter_enumerated() {
                if candidate.parent == Some(function) && !reached[id] {
                    work.push(id);
                }
            }
            for call in self.calls.iter().filter(|c| c.function == Some(function)) {
                if let Some(target) = self.function_named(&call.callee) {
                    if !reached[target] {
                        work.push(target);
                    }
                }
            }
        }
        reached
    }
}
