//! Go (tree-sitter-go) into the [`CodeFile`] model.
//!
//! Imports are named by their path without the host and without a major-version suffix
//! (`github.com/jackc/pgx/v5/pgxpool` is `jackc/pgx/pgxpool`), so a catalog entry holds for every
//! major version. What runs at init (package variables, `init()`) has no function; what the
//! function given to `lambda.Start` calls runs per invocation.

use super::{named_children, Unreadable};
use crate::model::Import;
use crate::model::{Arg, ArgValue, Call, CodeFile, FunctionId, Language};
use std::collections::{HashMap, HashSet};
use tree_sitter::Node;

/// Deeper syntax than this is not walked (the walk recurses).
const MAX_DEPTH: usize = 400;

/// How calls into other files of the file's own package are named (see `same_package_calls`).
pub const SAME_PACKAGE: &str = "package";

/// Go's predeclared functions: never calls into the project.
const BUILTINS: &[&str] = &[
    "append", "cap", "clear", "close", "complex", "copy", "delete", "imag", "len", "make", "max",
    "min", "new", "panic", "print", "println", "real", "recover",
];

/// The package that starts a Go Lambda function, and its entry points.
const LAMBDA_PACKAGE: &str = "aws/aws-lambda-go/lambda";
const STARTS: &[&str] = &[
    "Start",
    "StartWithOptions",
    "StartHandler",
    "StartWithContext",
];

pub fn parse_tree(text: &str) -> Result<tree_sitter::Tree, String> {
    super::tree_sitter_tree(text, tree_sitter_go::LANGUAGE.into(), "Go")
}

/// The call as written in Go, for messages: `` `pgxpool.New()` ``, `` `&lambda.InvokeInput{}` ``.
pub fn describe_call(call: &Call) -> String {
    let mut segments = call.callee.rsplit(['.', '/']);
    let name = segments.next().unwrap_or(&call.callee);
    match (segments.next(), call.is_new) {
        (Some(package), true) => format!("`&{package}.{name}{{}}`"),
        (Some(package), false) => format!("`{package}.{name}()`"),
        (None, _) => format!("`{name}()`"),
    }
}

pub fn parse(text: &str) -> Result<CodeFile, Unreadable> {
    let tree = super::checked_tree(text, text, "Go file", MAX_DEPTH, parse_tree)?;
    let root = tree.root_node();
    let mut extractor = Extractor {
        text,
        out: CodeFile::new(Language::Go),
        imports: HashMap::new(),
        stack: Vec::new(),
        package_vars: HashSet::new(),
        guards: Vec::new(),
        lazy: 0,
        invocation_data: Vec::new(),
        started: Vec::new(),
        depth: 0,
    };
    extractor.collect(root);
    extractor.walk(root, true);
    Ok(extractor.finish())
}

/// An import path as the model names it: no host, no `/vN` major version.
pub fn module_name(path: &str) -> String {
    let mut segments: Vec<&str> = path.split('/').collect();
    if segments.len() > 1 && segments[0].contains('.') {
        segments.remove(0);
    }
    segments.retain(|s| !is_major_version(s));
    segments.join("/")
}

fn is_major_version(segment: &str) -> bool {
    segment.len() > 1
        && segment.starts_with('v')
        && segment[1..].chars().all(|c| c.is_ascii_digit())
}

/// The name a package is used by when the import does not rename it: its last segment, with the
/// `go-` prefix and `-go` suffix of module names dropped (`go-redis/v9` is `redis`).
fn package_name(path: &str) -> String {
    let last = path
        .split('/')
        .rev()
        .find(|s| !is_major_version(s))
        .unwrap_or(path);
    let last = last.strip_prefix("go-").unwrap_or(last);
    let last = last.strip_suffix("-go").unwrap_or(last);
    last.replace(['-', '.'], "")
}

use super::node_span as span_of;

struct Extractor<'a> {
    text: &'a str,
    out: CodeFile,
    /// Package name in this file -> module name (`pgxpool` -> `jackc/pgx/pgxpool`).
    imports: HashMap<String, String>,
    stack: Vec<FunctionId>,
    /// Package-level variables: they outlive an invocation.
    package_vars: HashSet<String>,
    /// Variables an `if x == nil` we are inside tests.
    guards: Vec<String>,
    /// Depth of `once.Do(func() { ... })` we are inside.
    lazy: usize,
    /// Per function we are in: its parameters and the variables computed from them.
    invocation_data: Vec<HashSet<String>>,
    /// What `lambda.Start` is given: a function's name, or an anonymous function.
    started: Vec<Started>,
    depth: usize,
}

enum Started {
    Named(String),
    Function(FunctionId),
}

impl<'a> Extractor<'a> {
    fn text_of(&self, node: Node) -> &'a str {
        &self.text[node.byte_range()]
    }

    /// Imports and package-level variables, before the walk needs them.
    fn collect(&mut self, root: Node) {
        for declaration in named_children(root) {
            match declaration.kind() {
                "import_declaration" => {
                    let mut specs = Vec::new();
                    let mut stack = vec![declaration];
                    while let Some(node) = stack.pop() {
                        match node.kind() {
                            "import_spec" => specs.push(node),
                            _ => stack.extend(named_children(node)),
                        }
                    }
                    for spec in specs {
                        self.import(spec);
                    }
                }
                "var_declaration" => {
                    let mut stack = vec![declaration];
                    while let Some(node) = stack.pop() {
                        if node.kind() == "var_spec" {
                            let mut cursor = node.walk();
                            for name in node.children_by_field_name("name", &mut cursor) {
                                self.package_vars.insert(self.text_of(name).to_string());
                            }
                        } else {
                            stack.extend(named_children(node));
                        }
                    }
                }
                _ => {}
            }
        }
    }

    fn import(&mut self, spec: Node) {
        let Some(path) = spec.child_by_field_name("path") else {
            return;
        };
        let path = self.text_of(path).trim_matches(['"', '`']).to_string();
        let local = match spec.child_by_field_name("name") {
            Some(name) if name.kind() == "package_identifier" => self.text_of(name).to_string(),
            Some(_) => return, // `_` and `.` imports name nothing
            None => package_name(&path),
        };
        let module = module_name(&path);
        self.out.imports.push(Import::new(path, local.clone()));
        self.imports.insert(local, module);
    }

    fn finish(mut self) -> CodeFile {
        for started in std::mem::take(&mut self.started) {
            let id = match started {
                Started::Function(id) => Some(id),
                Started::Named(name) => self.out.function_named(&name),
            };
            self.out.conventional_handlers.extend(id);
        }
        self.same_package_calls();
        self.out.imports.sort();
        self.out.imports.dedup();
        // The model's imports name the module as its callees do.
        for import in &mut self.out.imports {
            import.callee_prefix = self
                .imports
                .get(&import.callee_prefix)
                .cloned()
                .unwrap_or_else(|| import.callee_prefix.clone());
        }
        self.out
    }

    /// A call of a function this file does not declare, by its bare name, is a call into
    /// another file of the same package (`saveOrder(ctx)` declared in `db.go`): named
    /// `package.saveOrder` for the linker to follow.
    fn same_package_calls(&mut self) {
        let declared: HashSet<String> = self
            .out
            .functions
            .iter()
            .filter(|f| !f.anonymous)
            .map(|f| f.name.clone())
            .collect();
        let mut any = false;
        for call in &mut self.out.calls {
            let bare = !call.callee.contains(['.', '/']);
            if bare && !declared.contains(&call.callee) && !BUILTINS.contains(&call.callee.as_str())
            {
                call.callee = format!("{SAME_PACKAGE}.{}", call.callee);
                any = true;
            }
        }
        if any {
            self.out.imports.push(Import::new(".", SAME_PACKAGE));
        }
    }

    /// `pkg.Name` with the package resolved; `x.Method` and `name` as written.
    fn resolve(&self, node: Node) -> Option<String> {
        match node.kind() {
            "identifier" | "field_identifier" | "type_identifier" => {
                Some(self.text_of(node).to_string())
            }
            "selector_expression" | "qualified_type" => {
                let (operand, field) = match node.kind() {
                    "qualified_type" => (
                        node.child_by_field_name("package")?,
                        node.child_by_field_name("name")?,
                    ),
                    _ => (
                        node.child_by_field_name("operand")?,
                        node.child_by_field_name("field")?,
                    ),
                };
                let field = self.text_of(field);
                let operand = match operand.kind() {
                    "identifier" | "package_identifier" => {
                        let name = self.text_of(operand);
                        self.imports
                            .get(name)
                            .cloned()
                            .unwrap_or_else(|| name.to_string())
                    }
                    _ => self.resolve(operand)?,
                };
                Some(format!("{operand}.{field}"))
            }
            "parenthesized_expression" => self.resolve(node.named_child(0)?),
            _ => None,
        }
    }

    fn arg_value(&self, node: Node) -> ArgValue {
        if let Some(text) = string_value(self.text, node) {
            return ArgValue::Str(text);
        }
        match node.kind() {
            "unary_expression" => node
                .child_by_field_name("operand")
                .map_or(ArgValue::Other, |operand| self.arg_value(operand)),
            "composite_literal" => self.fields(node),
            "call_expression" => {
                let callee = node
                    .child_by_field_name("function")
                    .and_then(|f| self.resolve(f));
                let first = node
                    .child_by_field_name("arguments")
                    .and_then(|a| named_children(a).into_iter().next());
                match (callee.as_deref(), first) {
                    // `aws.String("billing")`: the value it points to.
                    (Some(c), Some(first)) if c.ends_with("/aws.String") || c == "aws.String" => {
                        self.arg_value(first)
                    }
                    (Some("os.Getenv" | "os.LookupEnv"), Some(first)) => {
                        match string_value(self.text, first) {
                            Some(name) => ArgValue::EnvVar(name),
                            None => ArgValue::Other,
                        }
                    }
                    _ => ArgValue::Other,
                }
            }
            _ => match self.resolve(node) {
                // `types.InvocationTypeEvent` is the SDK's spelling of `Event`.
                Some(path) => match path.rsplit('.').next().and_then(|last| {
                    last.strip_prefix("InvocationType")
                        .filter(|s| !s.is_empty())
                }) {
                    Some(kind) => ArgValue::Str(kind.to_string()),
                    None => ArgValue::Path(path),
                },
                None => ArgValue::Other,
            },
        }
    }

    /// The keyed fields of a composite literal (`lambda.InvokeInput{FunctionName: ...}`).
    fn fields(&self, literal: Node) -> ArgValue {
        let Some(body) = literal.child_by_field_name("body") else {
            return ArgValue::Other;
        };
        let fields = named_children(body)
            .into_iter()
            .filter(|e| e.kind() == "keyed_element")
            .filter_map(|element| {
                let parts = named_children(element);
                let key = parts.first()?;
                let value = parts.get(1)?;
                let key = self.text_of(*key).trim().to_string();
                let value = named_children(*value)
                    .first()
                    .map_or(ArgValue::Other, |v| self.arg_value(*v));
                Some((key, value))
            })
            .collect();
        ArgValue::Object(fields)
    }

    fn call(&mut self, node: Node, used: bool, bound_to: Option<String>) {
        let Some(function) = node.child_by_field_name("function") else {
            return;
        };
        let Some(callee) = self.resolve(function) else {
            return;
        };
        let arguments = node.child_by_field_name("arguments");
        let args: Vec<Arg> = arguments
            .map(named_children)
            .unwrap_or_default()
            .into_iter()
            .map(|arg| Arg {
                name: None,
                value: self.arg_value(arg),
            })
            .collect();
        if let Some((package, entry)) = callee.rsplit_once('.') {
            if package == LAMBDA_PACKAGE && STARTS.contains(&entry) {
                self.started_with(arguments);
            }
        }
        let from_invocation_data = arguments.is_some_and(|list| self.reads_invocation_data(list));
        let lazily_cached = self.lazy > 0 || self.guarded(bound_to.as_deref());
        self.out.calls.push(Call {
            callee,
            display: String::new(),
            span: span_of(node),
            function: self.stack.last().copied(),
            is_new: false,
            args,
            chain: Vec::new(),
            result_used: used,
            lazily_cached,
            bound_to,
            from_invocation_data,
        });
    }

    /// `lambda.Start(handler)`, `lambda.Start(h.Handle)`, `lambda.Start(func(...) {...})`.
    fn started_with(&mut self, arguments: Option<Node>) {
        let Some(first) = arguments.and_then(|a| named_children(a).into_iter().next()) else {
            return;
        };
        match first.kind() {
            "identifier" => self
                .started
                .push(Started::Named(self.text_of(first).to_string())),
            "selector_expression" => {
                if let Some(field) = first.child_by_field_name("field") {
                    self.started
                        .push(Started::Named(self.text_of(field).to_string()));
                }
            }
            "func_literal" => {
                // Walked next as an argument: it becomes the next function pushed.
                let id = FunctionId::new(self.out.functions.len());
                self.started.push(Started::Function(id));
            }
            "call_expression" => {
                // `lambda.Start(otelaws.WrapHandler(handler))`: the wrapped function.
                self.started_with(first.child_by_field_name("arguments"));
            }
            _ => {}
        }
    }

    /// `&lambda.InvokeInput{...}`: a request value, read like a constructor call.
    fn literal(&mut self, node: Node) {
        let Some(kind) = node.child_by_field_name("type") else {
            return;
        };
        if kind.kind() != "qualified_type" {
            return;
        }
        let Some(callee) = self.resolve(kind) else {
            return;
        };
        let value = self.fields(node);
        self.out.calls.push(Call {
            callee,
            display: String::new(),
            span: span_of(node),
            function: self.stack.last().copied(),
            is_new: true,
            args: vec![Arg { name: None, value }],
            chain: Vec::new(),
            result_used: true,
            lazily_cached: self.lazy > 0,
            bound_to: None,
            from_invocation_data: false,
        });
    }

    fn reads_invocation_data(&self, node: Node) -> bool {
        if self.invocation_data.is_empty() {
            return false;
        }
        let mut stack = vec![node];
        while let Some(node) = stack.pop() {
            match node.kind() {
                "identifier" => {
                    let name = self.text_of(node);
                    // `ctx` carries deadlines and cancellation, not data of the request.
                    if name != "ctx"
                        && self
                            .invocation_data
                            .iter()
                            .any(|names| names.contains(name))
                    {
                        return true;
                    }
                }
                "selector_expression" => stack.extend(node.child_by_field_name("operand")),
                _ => stack.extend(named_children(node)),
            }
        }
        false
    }

    fn guarded(&self, bound: Option<&str>) -> bool {
        bound.is_some_and(|name| {
            self.package_vars.contains(name) && self.guards.iter().any(|g| g == name)
        })
    }

    fn string(&mut self, name: Option<String>, node: Node) {
        super::push_string(&mut self.out, name, string_value(self.text, node), node);
    }

    fn walk(&mut self, node: Node, used: bool) {
        if self.depth > MAX_DEPTH {
            return;
        }
        self.depth += 1;
        self.walk_node(node, used);
        self.depth -= 1;
    }

    fn walk_node(&mut self, node: Node, used: bool) {
        match node.kind() {
            "function_declaration" | "method_declaration" => self.function(node),
            "func_literal" => {
                let id = self.push_function("<func>".to_string(), node, node);
                self.inside(id, node.child_by_field_name("parameters"), true, |this| {
                    if let Some(body) = node.child_by_field_name("body") {
                        this.walk(body, true);
                    }
                });
            }
            "call_expression" => {
                self.call(node, used, None);
                self.call_children(node);
            }
            "composite_literal" => {
                self.literal(node);
                self.keyed_strings(node);
                self.children(node);
            }
            "short_var_declaration" | "assignment_statement" | "var_spec" | "const_spec" => {
                self.assignment(node)
            }
            "if_statement" => self.if_statement(node),
            _ => self.children(node),
        }
    }

    fn children(&mut self, node: Node) {
        for child in named_children(node) {
            self.walk(child, true);
        }
    }

    /// A call's children; a `once.Do(func() {...})` runs its function once.
    fn call_children(&mut self, node: Node) {
        let once = node
            .child_by_field_name("function")
            .filter(|f| f.kind() == "selector_expression")
            .and_then(|f| f.child_by_field_name("field"))
            .is_some_and(|field| self.text_of(field) == "Do")
            && node
                .child_by_field_name("arguments")
                .is_some_and(|a| named_children(a).iter().any(|n| n.kind() == "func_literal"));
        self.lazy += usize::from(once);
        self.children(node);
        self.lazy -= usize::from(once);
    }

    /// `Password: "..."` in a composite literal: a string with a name.
    fn keyed_strings(&mut self, node: Node) {
        let Some(body) = node.child_by_field_name("body") else {
            return;
        };
        for element in named_children(body)
            .into_iter()
            .filter(|e| e.kind() == "keyed_element")
        {
            let parts = named_children(element);
            let (Some(key), Some(value)) = (parts.first(), parts.get(1)) else {
                continue;
            };
            let name = self.text_of(*key).trim().to_string();
            if let Some(value) = named_children(*value).first() {
                self.string(Some(name), *value);
            }
        }
    }

    /// `x := f()`, `x = f()`, `var x = f()`, `const key = "..."`.
    fn assignment(&mut self, node: Node) {
        let (left, right) = match node.kind() {
            "var_spec" | "const_spec" => {
                let mut cursor = node.walk();
                let names: Vec<Node> = node.children_by_field_name("name", &mut cursor).collect();
                (names, node.child_by_field_name("value"))
            }
            _ => (
                node.child_by_field_name("left")
                    .map(named_children)
                    .unwrap_or_default(),
                node.child_by_field_name("right"),
            ),
        };
        let Some(right) = right else {
            return;
        };
        let values = named_children(right);
        for (i, value) in values.iter().enumerate() {
            let name = left
                .get(i)
                .filter(|l| l.kind() == "identifier")
                .map(|l| self.text_of(*l).to_string());
            if let (Some(name), true) = (&name, self.reads_invocation_data(*value)) {
                if let Some(names) = self.invocation_data.last_mut() {
                    names.insert(name.clone());
                }
            }
            match value.kind() {
                "call_expression" => {
                    // `pool, err := pgxpool.New(...)`: the first result is what is built.
                    let bound = left
                        .first()
                        .filter(|l| l.kind() == "identifier")
                        .map(|l| self.text_of(*l).to_string());
                    self.call(*value, true, bound);
                    self.call_children(*value);
                }
                _ => {
                    self.string(name, *value);
                    self.walk(*value, true);
                }
            }
        }
    }

    /// `if client == nil { client = ... }`: a cache-once guard around what it assigns.
    fn if_statement(&mut self, node: Node) {
        let tested = node
            .child_by_field_name("condition")
            .and_then(|condition| self.nil_test(condition));
        if let Some(initializer) = node.child_by_field_name("initializer") {
            self.walk(initializer, true);
        }
        self.guards.extend(tested.clone());
        if let Some(consequence) = node.child_by_field_name("consequence") {
            self.walk(consequence, true);
        }
        if tested.is_some() {
            self.guards.pop();
        }
        if let Some(alternative) = node.child_by_field_name("alternative") {
            self.walk(alternative, true);
        }
    }

    fn nil_test(&self, condition: Node) -> Option<String> {
        if condition.kind() != "binary_expression" {
            return None;
        }
        let left = condition.child_by_field_name("left")?;
        let right = condition.child_by_field_name("right")?;
        let operator = condition.child_by_field_name("operator")?;
        (self.text_of(operator) == "=="
            && self.text_of(right) == "nil"
            && left.kind() == "identifier")
            .then(|| self.text_of(left).to_string())
    }

    fn push_function(&mut self, name: String, name_node: Node, whole: Node) -> FunctionId {
        let parent = self.stack.last().copied();
        self.out
            .functions
            .push(super::code_function(name, name_node, whole, parent))
    }

    /// Visits a function's body. A function literal keeps the cache-once context it is written
    /// in (`once.Do(func() { ... })`); a declared function starts afresh.
    fn inside(
        &mut self,
        id: FunctionId,
        parameters: Option<Node>,
        literal: bool,
        visit: impl FnOnce(&mut Self),
    ) {
        self.stack.push(id);
        let names: HashSet<String> = parameters
            .map(|p| self.parameter_names(p))
            .unwrap_or_default()
            .into_iter()
            .collect();
        self.invocation_data.push(names);
        let guards = std::mem::take(&mut self.guards);
        let lazy = match literal {
            true => self.lazy,
            false => std::mem::replace(&mut self.lazy, 0),
        };
        visit(self);
        self.lazy = lazy;
        self.guards = guards;
        self.invocation_data.pop();
        self.stack.pop();
    }

    fn parameter_names(&self, parameters: Node) -> Vec<String> {
        let mut names = Vec::new();
        for declaration in named_children(parameters) {
            let mut cursor = declaration.walk();
            for name in declaration.children_by_field_name("name", &mut cursor) {
                names.push(self.text_of(name).to_string());
            }
        }
        names
    }

    fn function(&mut self, node: Node) {
        let Some(name_node) = node.child_by_field_name("name") else {
            return;
        };
        let name = self.text_of(name_node).to_string();
        let id = self.push_function(name.clone(), name_node, node);
        if node.kind() == "function_declaration" && name != "init" && name != "main" {
            self.out.exports.push((name, id));
        }
        self.inside(id, node.child_by_field_name("parameters"), false, |this| {
            if let Some(body) = node.child_by_field_name("body") {
                this.walk(body, true);
            }
        });
    }
}

/// The value of a Go string literal, escapes of interpreted strings resolved.
fn string_value(text: &str, node: Node) -> Option<String> {
    let raw = &text[node.byte_range()];
    match node.kind() {
        "raw_string_literal" => Some(raw.trim_matches('`').to_string()),
        "interpreted_string_literal" => {
            let inner = raw.strip_prefix('"')?.strip_suffix('"')?;
            Some(inner.replace("\\\"", "\"").replace("\\\\", "\\"))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn callees(file: &CodeFile) -> Vec<(&str, Option<&str>, bool)> {
        file.calls
            .iter()
            .map(|c| {
                (
                    c.callee.as_str(),
                    c.function.map(|f| file.functions[f].name.as_str()),
                    c.lazily_cached,
                )
            })
            .collect()
    }

    #[test]
    fn modules_are_named_without_host_or_major_version() {
        assert_eq!(
            module_name("github.com/jackc/pgx/v5/pgxpool"),
            "jackc/pgx/pgxpool"
        );
        assert_eq!(module_name("database/sql"), "database/sql");
        assert_eq!(
            module_name("go.mongodb.org/mongo-driver/mongo"),
            "mongo-driver/mongo"
        );
        assert_eq!(package_name("github.com/redis/go-redis/v9"), "redis");
        assert_eq!(
            package_name("github.com/aws/aws-lambda-go/lambda"),
            "lambda"
        );
        assert_eq!(package_name("github.com/jackc/pgx/v5"), "pgx");
    }

    const HANDLER: &str = r#"package main

import (
	"context"
	"database/sql"
	"os"
	"sync"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	lambdasvc "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

var (
	table  = os.Getenv("TABLE_NAME")
	db     *dynamodb.Client
	once   sync.Once
	shared *lambdasvc.Client
)

const apiKey = "sk_live_51HqLyjWDarjtT1zdp7dc0abcdEf"

func init() {
	cfg, _ := config.LoadDefaultConfig(context.Background())
	shared = lambdasvc.NewFromConfig(cfg)
}

func client(ctx context.Context) *dynamodb.Client {
	once.Do(func() {
		cfg, _ := config.LoadDefaultConfig(ctx)
		db = dynamodb.NewFromConfig(cfg)
	})
	return db
}

func handler(ctx context.Context, event Event) (string, error) {
	conn, err := sql.Open("postgres", os.Getenv("DATABASE_URL"))
	_, err = shared.Invoke(ctx, &lambdasvc.InvokeInput{
		FunctionName:   aws.String("billing"),
		InvocationType: types.InvocationTypeEvent,
	})
	return table, err
}

func main() {
	lambda.Start(handler)
}
"#;

    #[test]
    fn calls_imports_init_and_the_started_handler() {
        let file = parse(HANDLER).unwrap();
        let handler = file.function_named("handler").unwrap();
        assert_eq!(file.conventional_handlers, [handler]);
        let found = callees(&file);
        assert!(found.contains(&(
            "aws/aws-sdk-go-v2/config.LoadDefaultConfig",
            Some("init"),
            false
        )));
        // Inside `once.Do`: built once.
        assert!(found.contains(&(
            "aws/aws-sdk-go-v2/service/dynamodb.NewFromConfig",
            Some("<func>"),
            true
        )));
        assert!(found.contains(&("database/sql.Open", Some("handler"), false)));
        let invoke = file
            .calls
            .iter()
            .find(|c| c.callee == "aws/aws-sdk-go-v2/service/lambda.InvokeInput")
            .expect("the request value is read");
        assert!(invoke.is_new);
        let fields = file.request_fields(invoke);
        assert!(fields.contains(&("InvocationType", &ArgValue::Str("Event".into()))));
        assert!(fields.contains(&("FunctionName", &ArgValue::Str("billing".into()))));
        let key = file
            .strings
            .iter()
            .find(|s| s.name.as_deref() == Some("apiKey"));
        assert!(key.is_some_and(|k| k.value.starts_with("sk_live_")));
        // A package variable read from the environment at init.
        let open = file
            .calls
            .iter()
            .find(|c| c.callee == "database/sql.Open")
            .unwrap();
        assert_eq!(open.args[1].value, ArgValue::EnvVar("DATABASE_URL".into()));
    }

    #[test]
    fn nil_guards_on_package_variables_cache() {
        let text = "package main\n\nimport \"github.com/redis/go-redis/v9\"\n\nvar rdb *redis.Client\n\nfunc handle() {\n\tif rdb == nil {\n\t\trdb = redis.NewClient(&redis.Options{Addr: \"x:6379\"})\n\t}\n\tlocal := redis.NewClient(&redis.Options{})\n\t_ = local\n}\n";
        let file = parse(text).unwrap();
        let found = callees(&file);
        assert!(
            found.contains(&("redis/go-redis.NewClient", Some("handle"), true)),
            "{found:?}"
        );
        assert!(
            found.contains(&("redis/go-redis.NewClient", Some("handle"), false)),
            "{found:?}"
        );
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let error = parse("package main\n\nfunc main() {\n\tx := \n").unwrap_err();
        assert_eq!(error.what, "Go file");
        assert!(error.span.start > 10, "{error:?}");
    }
}
