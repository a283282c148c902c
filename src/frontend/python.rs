//! Python (tree-sitter) into the [`CodeFile`] model.

use super::Unreadable;
use crate::model::{
    is_route_field, Arg, ArgValue, Call, CodeFile, CodeFunction, Dispatch, FunctionId, Import,
    Language, StringLiteral,
};
use crate::source::Span;
use std::collections::{HashMap, HashSet};
use tree_sitter::{Node, Parser};

/// Deeper syntax than this is refused rather than walked (our walk recurses).
const MAX_DEPTH: usize = 400;

/// The tree-sitter syntax tree of `text`.
pub fn parse_tree(text: &str) -> Result<tree_sitter::Tree, String> {
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_python::LANGUAGE.into())
        .map_err(|e| format!("the Python grammar failed to load: {e}"))?;
    parser
        .parse(text, None)
        .ok_or_else(|| "the parser gave up".to_string())
}

/// The call as written in Python, for messages: `` `boto3.client("s3")` ``.
pub fn describe_call(call: &Call) -> String {
    match crate::catalog::first_string_arg(call) {
        Some(service) if call.callee.ends_with("client") || call.callee.ends_with("resource") => {
            format!("`{}(\"{service}\")`", call.callee)
        }
        _ => format!("`{}()`", call.callee),
    }
}

pub fn parse(text: &str) -> Result<CodeFile, Unreadable> {
    parse_with(text, |_| {})
}

/// [`parse`], with `with_tree` shown the syntax tree too (the CDK reader), so that a file is
/// parsed once for both.
pub fn parse_with(
    text: &str,
    with_tree: impl FnOnce(&tree_sitter::Tree),
) -> Result<CodeFile, Unreadable> {
    let unreadable = |span: Span, reason: String| Unreadable {
        span,
        what: "Python file",
        reason,
    };
    let tree = parse_tree(text).map_err(|reason| unreadable(Span::default(), reason))?;
    let root = tree.root_node();
    if root.has_error() {
        let (span, reason) = super::first_error(root, text);
        return Err(unreadable(span, reason));
    }
    with_tree(&tree);
    let mut extractor = Extractor {
        text,
        out: CodeFile::new(Language::Python),
        imports: HashMap::new(),
        stack: Vec::new(),
        lazy: 0,
        guards: Vec::new(),
        module_names: HashSet::new(),
        assigning: Vec::new(),
        invocation_data: Vec::new(),
        depth: 0,
    };
    extractor.collect_imports(root);
    extractor.walk(root, true)?;
    Ok(extractor.finish())
}

use super::node_span as span_of;

struct Extractor<'a> {
    text: &'a str,
    out: CodeFile,
    /// Local name -> module path (`b` -> `boto3`, `connect` -> `psycopg2.connect`).
    imports: HashMap<String, String>,
    stack: Vec<FunctionId>,
    /// Depth of cache-once forms we are inside (`client or boto3.client(...)`, `@cache`).
    lazy: usize,
    /// Names that `if x is None:` / `if not x:` guards we are inside test, each with whether it
    /// outlives an invocation (a module global, or an attribute).
    guards: Vec<(String, bool)>,
    /// Names assigned at module scope or declared `global`.
    module_names: HashSet<String>,
    /// The names assignments we are on the right side of assign to.
    assigning: Vec<String>,
    /// Per function we are in: its parameters and the variables computed from them.
    invocation_data: Vec<HashSet<String>>,
    depth: usize,
}

impl<'a> Extractor<'a> {
    fn text_of(&self, node: Node) -> &'a str {
        &self.text[node.byte_range()]
    }

    fn finish(self) -> CodeFile {
        self.out
    }

    fn collect_imports(&mut self, root: Node) {
        let mut cursor = root.walk();
        // `client = None` at module scope: a variable of the execution environment.
        for statement in root.named_children(&mut cursor) {
            let assigned = Some(statement)
                .filter(|s| s.kind() == "expression_statement")
                .and_then(|s| s.named_child(0))
                .filter(|a| a.kind() == "assignment")
                .and_then(|a| a.child_by_field_name("left"))
                .filter(|left| left.kind() == "identifier");
            if let Some(left) = assigned {
                self.module_names.insert(self.text_of(left).to_string());
            }
        }
        let mut stack = vec![root];
        while let Some(node) = stack.pop() {
            match node.kind() {
                "import_statement" => {
                    let mut c = node.walk();
                    for name in node.children_by_field_name("name", &mut c) {
                        let (module, local) = self.aliased(name);
                        // `import a.b` binds `a`; `import a.b as c` binds `c` to `a.b`.
                        let local = local.unwrap_or_else(|| {
                            module.split('.').next().unwrap_or(&module).to_string()
                        });
                        let target = if name.kind() == "aliased_import" {
                            module.clone()
                        } else {
                            local.clone()
                        };
                        self.out.imports.push(Import::new(module.clone(), module));
                        self.imports.insert(local, target);
                    }
                }
                "import_from_statement" => {
                    let written = node
                        .child_by_field_name("module_name")
                        .map(|m| self.text_of(m).to_string())
                        .unwrap_or_default();
                    let module = written.trim_start_matches('.').to_string();
                    let mut c = node.walk();
                    for name in node.children_by_field_name("name", &mut c) {
                        let (symbol, local) = self.aliased(name);
                        let local = local.unwrap_or_else(|| symbol.clone());
                        if module.is_empty() {
                            // `from . import db` imports the module `.db`, called as `db.x()`.
                            let import = Import::new(format!("{written}{symbol}"), symbol.clone());
                            self.out.imports.push(import);
                            self.imports.insert(local, symbol);
                        } else {
                            self.imports.insert(local, format!("{module}.{symbol}"));
                        }
                    }
                    if !module.is_empty() {
                        self.out.imports.push(Import::new(written, module));
                    }
                }
                "global_statement" => {
                    let mut c = node.walk();
                    let names: Vec<String> = node
                        .named_children(&mut c)
                        .map(|n| self.text_of(n).to_string())
                        .collect();
                    self.module_names.extend(names);
                }
                _ => stack.extend(node.named_children(&mut cursor)),
            }
        }
        self.out.imports.sort();
        self.out.imports.dedup();
    }

    /// (`a.b`, Some(`c`)) for `a.b as c`; (`a.b`, None) for `a.b`.
    fn aliased(&self, node: Node) -> (String, Option<String>) {
        if node.kind() == "aliased_import" {
            let name = node
                .child_by_field_name("name")
                .map(|n| self.text_of(n).to_string())
                .unwrap_or_default();
            let alias = node
                .child_by_field_name("alias")
                .map(|n| self.text_of(n).to_string());
            (name, alias)
        } else {
            (self.text_of(node).to_string(), None)
        }
    }

    fn resolve(&self, node: Node) -> Option<String> {
        match node.kind() {
            "identifier" => {
                let name = self.text_of(node);
                Some(
                    self.imports
                        .get(name)
                        .cloned()
                        .unwrap_or_else(|| name.to_string()),
                )
            }
            "attribute" => {
                let object = self.resolve(node.child_by_field_name("object")?)?;
                let attribute = self.text_of(node.child_by_field_name("attribute")?);
                Some(format!("{object}.{attribute}"))
            }
            "subscript" => {
                // `os.environ["TARGET"]` names the variable, for FL401's target lookup.
                let value = self.resolve(node.child_by_field_name("value")?)?;
                let key = string_value(self.text, node.child_by_field_name("subscript")?)?;
                Some(format!("{value}.{key}"))
            }
            _ => None,
        }
    }

    fn arg_value(&self, node: Node) -> ArgValue {
        if let Some(value) = string_value(self.text, node) {
            return ArgValue::Str(value);
        }
        match node.kind() {
            "list" => {
                let mut cursor = node.walk();
                ArgValue::List(
                    node.named_children(&mut cursor)
                        .map(|item| self.arg_value(item))
                        .collect(),
                )
            }
            "dictionary" => {
                let mut cursor = node.walk();
                ArgValue::Object(
                    node.named_children(&mut cursor)
                        .filter(|pair| pair.kind() == "pair")
                        .filter_map(|pair| {
                            let key = string_value(self.text, pair.child_by_field_name("key")?)?;
                            Some((key, self.arg_value(pair.child_by_field_name("value")?)))
                        })
                        .collect(),
                )
            }
            "call" => {
                // `os.environ.get("TARGET")` / `os.getenv("TARGET")` name an environment variable.
                let callee = node
                    .child_by_field_name("function")
                    .and_then(|f| self.resolve(f));
                let first = node
                    .child_by_field_name("arguments")
                    .and_then(|a| a.named_child(0))
                    .and_then(|a| string_value(self.text, a));
                match (callee.as_deref(), first) {
                    (Some("os.environ.get" | "os.getenv"), Some(name)) => ArgValue::EnvVar(name),
                    _ => ArgValue::Other,
                }
            }
            _ => match self.resolve(node) {
                Some(path) => match path.strip_prefix("os.environ.") {
                    Some(variable) => ArgValue::EnvVar(variable.to_string()),
                    None => ArgValue::Path(path),
                },
                None => ArgValue::Other,
            },
        }
    }

    fn call(&mut self, node: Node, used: bool, bound_to: Option<String>) {
        let Some(function) = node.child_by_field_name("function") else {
            return;
        };
        let Some(callee) = self.resolve(function) else {
            return;
        };
        let mut args = Vec::new();
        let arguments = node.child_by_field_name("arguments");
        let from_invocation_data = arguments.is_some_and(|list| self.reads_invocation_data(list));
        if let Some(list) = arguments {
            let mut cursor = list.walk();
            for arg in list.named_children(&mut cursor) {
                if arg.kind() == "keyword_argument" {
                    let name = arg
                        .child_by_field_name("name")
                        .map(|n| self.text_of(n).to_string());
                    let value = arg
                        .child_by_field_name("value")
                        .map_or(ArgValue::Other, |v| self.arg_value(v));
                    args.push(Arg { name, value });
                } else if arg.kind() != "comment" {
                    args.push(Arg {
                        name: None,
                        value: self.arg_value(arg),
                    });
                }
            }
        }
        self.out.calls.push(Call {
            callee,
            display: String::new(),
            span: span_of(node),
            function: self.stack.last().copied(),
            is_new: false,
            args,
            chain: Vec::new(),
            result_used: used,
            lazily_cached: self.lazy > 0
                || self.guarded(bound_to.as_ref().or(self.assigning.last())),
            bound_to,
            from_invocation_data,
        });
    }

    /// Whether `node` reads data of this invocation (see `Call::from_invocation_data`): a
    /// name that is a parameter of a function we are in, or was computed from one. Keyword
    /// names and attribute names are not reads.
    fn reads_invocation_data(&self, node: Node) -> bool {
        if self.invocation_data.is_empty() {
            return false;
        }
        let mut stack = vec![node];
        while let Some(node) = stack.pop() {
            match node.kind() {
                "identifier" => {
                    let name = self.text_of(node);
                    if self
                        .invocation_data
                        .iter()
                        .any(|names| names.contains(name))
                    {
                        return true;
                    }
                }
                "attribute" => stack.extend(node.child_by_field_name("object")),
                "keyword_argument" => stack.extend(node.child_by_field_name("value")),
                _ => {
                    let mut cursor = node.walk();
                    stack.extend(node.named_children(&mut cursor));
                }
            }
        }
        false
    }

    fn string(&mut self, name: Option<String>, node: Node) {
        if let Some(value) = string_value(self.text, node) {
            self.out.strings.push(StringLiteral {
                name,
                value,
                span: span_of(node),
            });
        }
    }

    /// Walks a node; `used` says whether the value of a call here is used.
    fn walk(&mut self, node: Node, used: bool) -> Result<(), Unreadable> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Unreadable {
                span: Span::new(node.start_byte(), node.start_byte()),
                what: "Python file",
                reason: format!("nesting is deeper than {MAX_DEPTH} levels"),
            });
        }
        let result = self.walk_node(node, used);
        self.depth -= 1;
        result
    }

    fn walk_node(&mut self, node: Node, used: bool) -> Result<(), Unreadable> {
        match node.kind() {
            "function_definition" => return self.function(node, false),
            "decorated_definition" => return self.decorated(node),
            "lambda" => {
                let id = self.push_function("<lambda>".into(), node, node);
                let parameters = node.child_by_field_name("parameters");
                return self.inside(id, parameters, |this| this.children(node, true));
            }
            "expression_statement" => {
                let mut cursor = node.walk();
                for child in node.named_children(&mut cursor) {
                    // A call as a whole statement drops its result.
                    self.walk(child, child.kind() != "call")?;
                }
                return Ok(());
            }
            "assignment" => return self.assignment(node),
            "match_statement" => {
                let subject = node
                    .child_by_field_name("subject")
                    .and_then(|s| self.resolve(s));
                if subject.as_deref().is_some_and(is_route_field) {
                    let routes = count_kind(node, "case_clause");
                    self.dispatch(node, routes);
                }
            }
            "if_statement" => {
                let routes = self.route_comparisons(node);
                if routes > 1 {
                    self.dispatch(node, routes);
                }
                let guard = node
                    .child_by_field_name("condition")
                    .and_then(|c| self.unset_test(c));
                if let Some(condition) = node.child_by_field_name("condition") {
                    self.walk(condition, true)?;
                }
                if let Some(consequence) = node.child_by_field_name("consequence") {
                    let guarded = guard.is_some();
                    self.guards.extend(guard);
                    let result = self.walk(consequence, true);
                    if guarded {
                        self.guards.pop();
                    }
                    result?;
                }
                let mut cursor = node.walk();
                for alternative in node.children_by_field_name("alternative", &mut cursor) {
                    self.walk(alternative, true)?;
                }
                return Ok(());
            }
            "boolean_operator"
                if node
                    .child_by_field_name("operator")
                    .is_some_and(|o| self.text_of(o) == "or") =>
            {
                // `client = client or boto3.client("s3")`: the right side runs once.
                if let Some(left) = node.child_by_field_name("left") {
                    self.walk(left, true)?;
                }
                if let Some(right) = node.child_by_field_name("right") {
                    self.lazy += 1;
                    let result = self.walk(right, true);
                    self.lazy -= 1;
                    result?;
                }
                return Ok(());
            }
            "call" => {
                self.call(node, used, None);
                return self.children(node, true);
            }
            "keyword_argument" => {
                if let (Some(name), Some(value)) = (
                    node.child_by_field_name("name"),
                    node.child_by_field_name("value"),
                ) {
                    let name = self.text_of(name).to_string();
                    self.string(Some(name), value);
                }
            }
            "pair" => {
                if let (Some(key), Some(value)) = (
                    node.child_by_field_name("key"),
                    node.child_by_field_name("value"),
                ) {
                    if let Some(key) = string_value(self.text, key) {
                        self.string(Some(key), value);
                    }
                }
            }
            "string" | "concatenated_string" => {
                if !self.is_named_string(node) {
                    self.string(None, node);
                }
                return Ok(());
            }
            _ => {}
        }
        self.children(node, true)
    }

    fn dispatch(&mut self, node: Node, routes: usize) {
        self.out.dispatches.push(Dispatch {
            span: span_of(node),
            function: self.stack.last().copied(),
            routes,
        });
    }

    /// How many branches of an `if`/`elif` chain compare a route field with a string.
    fn route_comparisons(&self, node: Node) -> usize {
        let mut conditions = Vec::new();
        conditions.extend(node.child_by_field_name("condition"));
        let mut cursor = node.walk();
        for alternative in node.children_by_field_name("alternative", &mut cursor) {
            if alternative.kind() == "elif_clause" {
                conditions.extend(alternative.child_by_field_name("condition"));
            }
        }
        conditions
            .into_iter()
            .filter(|condition| {
                condition.kind() == "comparison_operator" && {
                    let mut c = condition.walk();
                    let parts: Vec<Node> = condition.named_children(&mut c).collect();
                    let field = parts
                        .iter()
                        .any(|p| self.resolve(*p).is_some_and(|r| is_route_field(&r)));
                    let literal = parts.iter().any(|p| p.kind() == "string");
                    field && literal
                }
            })
            .count()
    }

    fn children(&mut self, node: Node, used: bool) -> Result<(), Unreadable> {
        let mut cursor = node.walk();
        let children: Vec<Node> = node.named_children(&mut cursor).collect();
        for child in children {
            self.walk(child, used)?;
        }
        Ok(())
    }

    /// Strings already recorded with a name (assignment, keyword, dictionary value).
    fn is_named_string(&self, node: Node) -> bool {
        let Some(parent) = node.parent() else {
            return false;
        };
        match parent.kind() {
            "assignment" => parent.child_by_field_name("right") == Some(node),
            "keyword_argument" | "pair" => parent.child_by_field_name("value") == Some(node),
            _ => false,
        }
    }

    /// A decorated function: its decorators are calls (`@app.get("/orders")` registers a
    /// route), and a cache decorator makes the function run once.
    fn decorated(&mut self, node: Node) -> Result<(), Unreadable> {
        let mut cursor = node.walk();
        let decorators: Vec<Node> = node
            .named_children(&mut cursor)
            .filter(|d| d.kind() == "decorator")
            .collect();
        let cached = decorators.iter().any(|d| {
            let text = self.text_of(*d);
            text.contains("lru_cache")
                || (text.contains("cache") && !text.contains("cache_control"))
        });
        for decorator in decorators {
            // `@register_after_restore` applies the decorator: a call of it, with the function.
            let bare = decorator
                .named_child(0)
                .filter(|d| matches!(d.kind(), "identifier" | "attribute"));
            if let Some(callee) = bare.and_then(|d| self.resolve(d)) {
                self.out.calls.push(Call {
                    callee,
                    display: String::new(),
                    span: span_of(decorator),
                    function: self.stack.last().copied(),
                    is_new: false,
                    args: Vec::new(),
                    chain: Vec::new(),
                    result_used: true,
                    lazily_cached: false,
                    bound_to: None,
                    from_invocation_data: false,
                });
            }
            self.children(decorator, true)?;
        }
        match node.child_by_field_name("definition") {
            Some(definition) if definition.kind() == "function_definition" => {
                self.function(definition, cached)
            }
            Some(definition) => self.walk(definition, true),
            None => Ok(()),
        }
    }

    fn assignment(&mut self, node: Node) -> Result<(), Unreadable> {
        let left = node.child_by_field_name("left");
        let name = left.and_then(|l| match l.kind() {
            "identifier" => Some(self.text_of(l).to_string()),
            "attribute" => l
                .child_by_field_name("attribute")
                .map(|a| self.text_of(a).to_string()),
            _ => None,
        });
        let Some(right) = node.child_by_field_name("right") else {
            return Ok(());
        };
        // `region = event["ResourceProperties"]["Region"]`: computed from invocation data.
        let assigned = left.filter(|l| l.kind() == "identifier");
        if let (Some(left), true) = (assigned, self.reads_invocation_data(right)) {
            let name = self.text_of(left).to_string();
            if let Some(names) = self.invocation_data.last_mut() {
                names.insert(name);
            }
        }
        let value = if right.kind() == "await" {
            right.named_child(0).unwrap_or(right)
        } else {
            right
        };
        if value.kind() == "call" {
            self.call(value, true, name.clone());
            // `table = boto3.resource("dynamodb").Table(name)`: every call on the right side
            // builds what is assigned, for a guard on `table`.
            self.assigning.extend(name.clone());
            let result = self.children(value, true);
            if name.is_some() {
                self.assigning.pop();
            }
            return result;
        }
        if let Some(name) = &name {
            // A dictionary, or an environment read (`TABLE = os.environ["TABLE_NAME"]`) that a
            // request given the name reads.
            let bound = self.arg_value(value);
            if value.kind() == "dictionary" || matches!(bound, ArgValue::EnvVar(_)) {
                self.out.objects.push((name.clone(), bound));
            }
        }
        self.string(name, value);
        self.walk(right, true)
    }

    /// The variable an `x is None`, `not x` or `x == None` test checks, and whether it
    /// outlives an invocation (a module global, or an attribute).
    fn unset_test(&self, condition: Node) -> Option<(String, bool)> {
        let tested = match condition.kind() {
            "not_operator" => condition.child_by_field_name("argument")?,
            "comparison_operator" => {
                let text = self.text_of(condition);
                if !(text.ends_with("is None") || text.ends_with("== None")) {
                    return None;
                }
                condition.named_child(0)?
            }
            "parenthesized_expression" => return self.unset_test(condition.named_child(0)?),
            _ => return None,
        };
        match tested.kind() {
            "identifier" => {
                let name = self.text_of(tested).to_string();
                let lasting = self.module_names.contains(&name);
                Some((name, lasting))
            }
            "attribute" => {
                let attribute = tested.child_by_field_name("attribute")?;
                Some((self.text_of(attribute).to_string(), true))
            }
            _ => None,
        }
    }

    /// Whether a call whose result is assigned to `bound` is cached by a guard around it: the
    /// guard tests the very variable the result is assigned to, and that variable outlives the
    /// invocation. Any other condition is an ordinary branch that runs per invocation.
    fn guarded(&self, bound: Option<&String>) -> bool {
        bound.is_some_and(|name| {
            self.guards
                .iter()
                .any(|(guard, lasting)| *lasting && guard == name)
        })
    }

    fn push_function(&mut self, name: String, name_node: Node, whole: Node) -> FunctionId {
        self.out.functions.push(CodeFunction {
            // A lambda is shown as `<lambda>`.
            anonymous: name.starts_with('<'),
            name,
            span: span_of(name_node),
            body: span_of(whole),
            parent: self.stack.last().copied(),
        })
    }

    fn inside(
        &mut self,
        id: FunctionId,
        parameters: Option<Node>,
        visit: impl FnOnce(&mut Self) -> Result<(), Unreadable>,
    ) -> Result<(), Unreadable> {
        self.stack.push(id);
        let names = parameters
            .map(|p| self.parameter_names(p))
            .unwrap_or_default();
        self.invocation_data.push(names.into_iter().collect());
        let guards = std::mem::take(&mut self.guards);
        let saved = std::mem::replace(&mut self.lazy, 0);
        let result = visit(self);
        self.lazy = saved;
        self.guards = guards;
        self.invocation_data.pop();
        self.stack.pop();
        result
    }

    /// The names of a function's parameters (`event`, `context`; `self` and `cls` are the
    /// object, not data of the invocation).
    fn parameter_names(&self, parameters: Node) -> Vec<String> {
        let mut cursor = parameters.walk();
        parameters
            .named_children(&mut cursor)
            .filter_map(|param| {
                let text = self.text_of(param).trim_start_matches('*');
                let name = text.split([':', '=']).next()?.trim();
                (!name.is_empty() && name != "self" && name != "cls").then(|| name.to_string())
            })
            .collect()
    }

    fn function(&mut self, node: Node, cached: bool) -> Result<(), Unreadable> {
        let Some(name_node) = node.child_by_field_name("name") else {
            return Ok(());
        };
        let name = self.text_of(name_node).to_string();
        let top_level = self.stack.is_empty();
        let id = self.push_function(name.clone(), name_node, node);
        let parameters: Vec<String> = node
            .child_by_field_name("parameters")
            .map(|p| {
                let mut cursor = p.walk();
                p.named_children(&mut cursor)
                    .map(|param| self.text_of(param).to_string())
                    .collect()
            })
            .unwrap_or_default();
        let handler_name =
            name == "lambda_handler" || name == "handler" || name.ends_with("_handler");
        let event_context = parameters.len() >= 2
            && parameters[0].starts_with("event")
            && parameters[1].starts_with("context");
        if top_level && (event_context || (handler_name && parameters.len() >= 2)) {
            self.out.conventional_handlers.push(id);
        }
        if top_level {
            self.out.exports.push((name, id));
        }
        self.inside(id, node.child_by_field_name("parameters"), |this| {
            this.lazy += usize::from(cached);
            let result = node
                .child_by_field_name("body")
                .map_or(Ok(()), |body| this.walk(body, true));
            this.lazy -= usize::from(cached);
            result
        })
    }
}

fn count_kind(node: Node, kind: &str) -> usize {
    let mut cursor = node.walk();
    let mut count = 0;
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        if n.kind() == kind {
            count += 1;
            continue;
        }
        stack.extend(n.named_children(&mut cursor));
    }
    count
}

/// The value of a plain string literal (no f-string interpolation), else `None`.
fn string_value(text: &str, node: Node) -> Option<String> {
    match node.kind() {
        "string" => {
            let mut cursor = node.walk();
            let mut value = String::new();
            for child in node.named_children(&mut cursor) {
                match child.kind() {
                    "string_content" => value.push_str(&text[child.byte_range()]),
                    "interpolation" => return None,
                    _ => {}
                }
            }
            Some(value)
        }
        "concatenated_string" => {
            let mut cursor = node.walk();
            let parts: Option<Vec<String>> = node
                .named_children(&mut cursor)
                .map(|c| string_value(text, c))
                .collect();
            parts.map(|p| p.concat())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn callees(file: &CodeFile) -> Vec<(&str, Option<FunctionId>, bool)> {
        file.calls
            .iter()
            .map(|c| (c.callee.as_str(), c.function, c.lazily_cached))
            .collect()
    }

    #[test]
    fn resolves_imports_and_scopes() {
        let file = parse(
            r#"import boto3 as b
import psycopg2
from pymongo import MongoClient as MC
import redis.asyncio

s3 = b.client("s3")

def lambda_handler(event, context):
    conn = psycopg2.connect(host="db", password="x")
    mongo = MC("mongodb://h")
    return helper()

def helper():
    return b.resource("dynamodb")
"#,
        )
        .unwrap();
        assert_eq!(
            callees(&file),
            [
                ("boto3.client", None, false),
                ("psycopg2.connect", Some(FunctionId::new(0)), false),
                ("pymongo.MongoClient", Some(FunctionId::new(0)), false),
                ("helper", Some(FunctionId::new(0)), false),
                ("boto3.resource", Some(FunctionId::new(1)), false),
            ]
        );
        assert_eq!(file.conventional_handlers, [FunctionId::new(0)]);
        assert_eq!(file.per_invocation(&[FunctionId::new(0)]), [true, true]);
        let connect = &file.calls[1];
        assert_eq!(connect.bound_to.as_deref(), Some("conn"));
        assert_eq!(connect.args[1].name.as_deref(), Some("password"));
    }

    #[test]
    fn lazy_globals_and_caches() {
        let file = parse(
            r#"import pymysql
from functools import lru_cache
conn = None

def get_conn():
    global conn
    if conn is None:
        conn = pymysql.connect(host="db")
    return conn

@lru_cache(maxsize=None)
def cached():
    return pymysql.connect(host="db")

def handler(event, context):
    c = get_conn() or pymysql.connect()
    pymysql.connect()
"#,
        )
        .unwrap();
        let connects: Vec<(bool, bool)> = file
            .calls
            .iter()
            .filter(|c| c.callee == "pymysql.connect")
            .map(|c| (c.lazily_cached, c.result_used))
            .collect();
        assert_eq!(
            connects,
            [(true, true), (true, true), (true, true), (false, false)]
        );
    }

    #[test]
    fn strings_with_names_and_environment_reads() {
        let file = parse(
            "API_KEY = 'abc'\nclient.invoke(FunctionName=os.environ['TARGET'], InvocationType='Event')\nx = {'token': 'def'}\nprint('loose')\n",
        )
        .unwrap();
        let strings: Vec<(Option<&str>, &str)> = file
            .strings
            .iter()
            .map(|s| (s.name.as_deref(), s.value.as_str()))
            .collect();
        assert!(strings.contains(&(Some("API_KEY"), "abc")));
        assert!(strings.contains(&(Some("InvocationType"), "Event")));
        assert!(strings.contains(&(Some("token"), "def")));
        assert!(strings.contains(&(None, "loose")));
        let invoke = file
            .calls
            .iter()
            .find(|c| c.callee == "client.invoke")
            .unwrap();
        assert_eq!(invoke.args[0].value, ArgValue::EnvVar("TARGET".into()));
        assert!(!invoke.result_used);
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let error = parse("def handler(event, context):\n    return (1,\n").unwrap_err();
        assert!(error.span.start > 0, "{error:?}");
    }
}
