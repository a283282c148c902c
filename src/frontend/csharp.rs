//! C# (tree-sitter-c-sharp) into the [`CodeFile`] model.
//!
//! `using` imports namespaces, not types, so a type keeps the name it is written with
//! (`AmazonDynamoDBClient`, `Amazon.Lambda.Model.InvokeRequest`); the catalog matches C# types
//! by their last segments. What runs at init has no function: static and instance field
//! initialisers and constructors (the function class is created once per execution
//! environment). `FunctionHandler`, and what top-level statements give
//! `LambdaBootstrapBuilder.Create`, are handlers by convention.

use super::{named_children, Unreadable};
use crate::model::{Annotation, Arg, ArgValue, Call, CodeFile, FunctionId, Import, Language};
use std::collections::HashSet;
use tree_sitter::Node;

const MAX_DEPTH: usize = 400;

pub fn parse_tree(text: &str) -> Result<tree_sitter::Tree, String> {
    super::tree_sitter_tree(text, tree_sitter_c_sharp::LANGUAGE.into(), "C#")
}

/// The call as written in C#: `` `new AmazonS3Client()` ``, `` `ConnectionMultiplexer.Connect()` ``.
pub fn describe_call(call: &Call) -> String {
    let mut segments: Vec<&str> = call.callee.split('.').collect();
    if call.is_new {
        return format!("`new {}()`", segments.last().unwrap_or(&""));
    }
    let method = segments.pop().unwrap_or("");
    match segments.last() {
        Some(owner) => format!("`{owner}.{method}()`"),
        None => format!("`{method}()`"),
    }
}

pub fn parse(text: &str) -> Result<CodeFile, Unreadable> {
    // `#pragma` lines tell the compiler about warnings; the grammar rejects some the compiler
    // accepts (`#pragma warning enable`). Blanked, with every byte offset kept.
    let masked = without_pragmas(text);
    let tree = super::checked_tree(text, &masked, "C# file", MAX_DEPTH, parse_tree)?;
    let root = tree.root_node();
    let mut extractor = Extractor {
        text,
        out: CodeFile::new(Language::CSharp),
        stack: Vec::new(),
        fields: HashSet::new(),
        guards: Vec::new(),
        invocation_data: Vec::new(),
        started: Vec::new(),
        depth: 0,
    };
    extractor.walk(root);
    extractor.finish();
    Ok(extractor.out)
}

use super::node_span as span_of;

struct Extractor<'a> {
    text: &'a str,
    out: CodeFile,
    stack: Vec<FunctionId>,
    /// Fields of the classes of this file: they outlive an invocation.
    fields: HashSet<String>,
    /// Fields an `if (x == null)` we are inside tests.
    guards: Vec<String>,
    invocation_data: Vec<HashSet<String>>,
    /// Methods given to `LambdaBootstrapBuilder.Create` by name.
    started: Vec<String>,
    depth: usize,
}

impl<'a> Extractor<'a> {
    fn text_of(&self, node: Node) -> &'a str {
        &self.text[node.byte_range()]
    }

    fn finish(&mut self) {
        for name in std::mem::take(&mut self.started) {
            let id = self.out.function_named(&name);
            self.out.conventional_handlers.extend(id);
        }
        self.out.imports.sort();
        self.out.imports.dedup();
    }

    /// A name or a dotted path as written (`AmazonS3Client`, `Amazon.Lambda.Model.InvokeRequest`,
    /// `client.InvokeAsync`); generic arguments dropped.
    fn path(&self, node: Node) -> Option<String> {
        match node.kind() {
            "identifier" | "predefined_type" => Some(self.text_of(node).to_string()),
            "generic_name" => Some(self.text_of(*named_children(node).first()?).to_string()),
            "this_expression" | "this" => Some("this".to_string()),
            "qualified_name" => Some(format!(
                "{}.{}",
                self.path(node.child_by_field_name("qualifier")?)?,
                self.path(node.child_by_field_name("name")?)?
            )),
            "member_access_expression" => Some(format!(
                "{}.{}",
                self.path(node.child_by_field_name("expression")?)?,
                self.path(node.child_by_field_name("name")?)?
            )),
            "nullable_type" => self.path(*named_children(node).first()?),
            _ => None,
        }
    }

    fn arg_value(&self, node: Node) -> ArgValue {
        if let Some(text) = string_value(self.text, node) {
            return ArgValue::Str(text);
        }
        match node.kind() {
            "argument" => named_children(node)
                .last()
                .map_or(ArgValue::Other, |v| self.arg_value(*v)),
            "invocation_expression" => {
                let callee = node
                    .child_by_field_name("function")
                    .and_then(|f| self.path(f));
                let first = node
                    .child_by_field_name("arguments")
                    .and_then(|a| named_children(a).into_iter().next());
                match (callee.as_deref(), first) {
                    (Some("Environment.GetEnvironmentVariable"), Some(first)) => {
                        match self.arg_value(first) {
                            ArgValue::Str(name) => ArgValue::EnvVar(name),
                            _ => ArgValue::Other,
                        }
                    }
                    _ => ArgValue::Other,
                }
            }
            _ => self.path(node).map_or(ArgValue::Other, ArgValue::Path),
        }
    }

    /// `new InvokeRequest { FunctionName = "x", InvocationType = InvocationType.Event }`.
    fn initializer_fields(&self, initializer: Node) -> Option<ArgValue> {
        let fields: Vec<(String, ArgValue)> = named_children(initializer)
            .into_iter()
            .filter(|e| e.kind() == "assignment_expression")
            .filter_map(|assignment| {
                let key = self.text_of(assignment.child_by_field_name("left")?).trim();
                let value = self.arg_value(assignment.child_by_field_name("right")?);
                Some((key.to_string(), value))
            })
            .collect();
        (!fields.is_empty()).then_some(ArgValue::Object(fields))
    }

    fn args(&self, arguments: Option<Node>) -> Vec<Arg> {
        arguments
            .map(named_children)
            .unwrap_or_default()
            .into_iter()
            .map(|arg| Arg {
                name: arg
                    .child_by_field_name("name")
                    .map(|n| self.text_of(n).to_string()),
                value: self.arg_value(arg),
            })
            .collect()
    }

    fn record(
        &mut self,
        callee: String,
        node: Node,
        is_new: bool,
        args: Vec<Arg>,
        bound: Option<String>,
    ) {
        let from_invocation_data = self.reads_invocation_data(node);
        let lazily_cached = bound.as_deref().is_some_and(|name| {
            self.fields.contains(name) && self.guards.iter().any(|g| g == name)
        });
        self.out.calls.push(Call {
            callee,
            display: String::new(),
            span: span_of(node),
            function: self.stack.last().copied(),
            is_new,
            args,
            chain: Vec::new(),
            result_used: true,
            lazily_cached,
            bound_to: bound,
            from_invocation_data,
        });
    }

    fn invocation(&mut self, node: Node, bound: Option<String>) {
        let Some(callee) = node
            .child_by_field_name("function")
            .and_then(|f| self.path(f))
        else {
            return;
        };
        let arguments = node.child_by_field_name("arguments");
        if callee.ends_with("LambdaBootstrapBuilder.Create") {
            self.started_with(arguments);
        }
        let args = self.args(arguments);
        self.record(callee, node, false, args, bound);
    }

    /// `LambdaBootstrapBuilder.Create(handler, serializer)`: a method by name, or a lambda.
    fn started_with(&mut self, arguments: Option<Node>) {
        let Some(first) = arguments.and_then(|a| named_children(a).into_iter().next()) else {
            return;
        };
        let Some(value) = named_children(first).into_iter().last() else {
            return;
        };
        match value.kind() {
            "identifier" => self.started.push(self.text_of(value).to_string()),
            "lambda_expression" => {
                let id = FunctionId::new(self.out.functions.len());
                self.out.conventional_handlers.push(id);
            }
            _ => {}
        }
    }

    fn creation(&mut self, node: Node, bound: Option<String>) {
        let Some(class) = node.child_by_field_name("type").and_then(|t| self.path(t)) else {
            return;
        };
        let mut args = self.args(node.child_by_field_name("arguments"));
        if let Some(fields) = node
            .child_by_field_name("initializer")
            .and_then(|i| self.initializer_fields(i))
        {
            args.push(Arg {
                name: None,
                value: fields,
            });
        }
        self.record(class, node, true, args, bound);
    }

    fn reads_invocation_data(&self, node: Node) -> bool {
        self.invocation_data.last().is_some_and(|names| {
            super::reads_names(
                node,
                self.text,
                names,
                &[("member_access_expression", &["expression"])],
            )
        })
    }

    fn string(&mut self, name: Option<String>, node: Node) {
        super::push_string(&mut self.out, name, string_value(self.text, node), node);
    }

    fn walk(&mut self, node: Node) {
        if self.depth > MAX_DEPTH {
            return;
        }
        self.depth += 1;
        self.walk_node(node);
        self.depth -= 1;
    }

    fn walk_node(&mut self, node: Node) {
        match node.kind() {
            "using_directive" => {
                let name = self.text_of(node).trim_start_matches("using").trim();
                let name = name
                    .trim_start_matches("static ")
                    .trim_end_matches(';')
                    .trim();
                self.out.imports.push(Import::new(name, name));
            }
            "field_declaration" | "property_declaration" => {
                self.collect_fields(node);
                self.children(node);
            }
            "method_declaration" | "local_function_statement" => self.method(node),
            "class_declaration" | "record_declaration" => {
                self.attributes(node, None);
                let base_list = named_children(node)
                    .into_iter()
                    .filter(|child| child.kind() == "base_list");
                for base in base_list.flat_map(named_children) {
                    let base = match base.kind() {
                        "primary_constructor_base_type" => named_children(base).first().copied(),
                        _ => Some(base),
                    };
                    if let Some((base, name)) = base.and_then(|b| Some((b, self.path(b)?))) {
                        self.out.annotations.push(Annotation {
                            name,
                            span: span_of(base),
                            function: None,
                        });
                    }
                }
                self.children(node);
            }
            "lambda_expression" | "anonymous_method_expression" => {
                let id = self.push_function("<lambda>".to_string(), node);
                self.inside(id, node.child_by_field_name("parameters"), |this| {
                    this.children(node)
                });
            }
            "invocation_expression" => {
                self.invocation(node, None);
                self.children(node);
            }
            "object_creation_expression" => {
                self.creation(node, None);
                self.children(node);
            }
            "variable_declaration" => self.declaration(node),
            "variable_declarator" => self.declarator(node, None),
            "assignment_expression" => self.assignment(node),
            "if_statement" => self.if_statement(node),
            _ => self.children(node),
        }
    }

    fn children(&mut self, node: Node) {
        for child in named_children(node) {
            self.walk(child);
        }
    }

    fn collect_fields(&mut self, node: Node) {
        if let Some(name) = node.child_by_field_name("name") {
            self.fields.insert(self.text_of(name).to_string());
        }
        let mut stack = named_children(node);
        while let Some(child) = stack.pop() {
            match child.kind() {
                "variable_declarator" => {
                    if let Some(name) = child.child_by_field_name("name") {
                        self.fields.insert(self.text_of(name).to_string());
                    }
                }
                "variable_declaration" => stack.extend(named_children(child)),
                _ => {}
            }
        }
    }

    /// `AmazonS3Client s3 = new();`: the declared type is what a target-typed `new()` builds.
    fn declaration(&mut self, node: Node) {
        let declared = node
            .child_by_field_name("type")
            .and_then(|t| self.path(t))
            .filter(|t| t != "var");
        for child in named_children(node) {
            match child.kind() {
                "variable_declarator" => self.declarator(child, declared.clone()),
                _ => self.walk(child),
            }
        }
    }

    fn declarator(&mut self, node: Node, declared: Option<String>) {
        let name = node
            .child_by_field_name("name")
            .map(|n| self.text_of(n).to_string());
        // The initial value is the declarator's last child (after `=`).
        let Some(value) = named_children(node).into_iter().skip(1).last() else {
            return;
        };
        if value.kind() == "implicit_object_creation_expression" {
            if let Some(class) = declared {
                let arguments = named_children(value)
                    .into_iter()
                    .find(|c| c.kind() == "argument_list");
                let args = self.args(arguments);
                self.record(class, value, true, args, name);
            }
            self.children(value);
            return;
        }
        self.bind(name, value);
    }

    fn assignment(&mut self, node: Node) {
        let name = node
            .child_by_field_name("left")
            .and_then(|left| match left.kind() {
                "identifier" => Some(self.text_of(left).to_string()),
                "member_access_expression" => left
                    .child_by_field_name("name")
                    .map(|n| self.text_of(n).to_string()),
                _ => None,
            });
        let Some(value) = node.child_by_field_name("right") else {
            return;
        };
        // `_s3 ??= new AmazonS3Client()`, `_s3 = _s3 ?? new AmazonS3Client()`: cache-once.
        let operator = |n: Node| {
            n.child_by_field_name("operator")
                .map(|o| self.text_of(o).to_string())
        };
        let coalesces_itself = value.kind() == "binary_expression"
            && operator(value).as_deref() == Some("??")
            && value
                .child_by_field_name("left")
                .zip(name.as_deref())
                .is_some_and(|(left, name)| self.text_of(left).ends_with(name));
        let cached = operator(node).as_deref() == Some("??=") || coalesces_itself;
        let guard = name.clone().filter(|_| cached);
        self.guards.extend(guard.clone());
        match value
            .child_by_field_name("right")
            .filter(|_| coalesces_itself)
        {
            Some(fallback) => self.bind(name, fallback),
            None => self.bind(name, value),
        }
        if guard.is_some() {
            self.guards.pop();
        }
    }

    fn bind(&mut self, name: Option<String>, value: Node) {
        if let (Some(name), true) = (&name, self.reads_invocation_data(value)) {
            if let Some(names) = self.invocation_data.last_mut() {
                names.insert(name.clone());
            }
        }
        let inner = match value.kind() {
            "await_expression" => named_children(value).into_iter().next().unwrap_or(value),
            _ => value,
        };
        match inner.kind() {
            // `var handler = async (input, context) => { ... };` is the function `handler`.
            "lambda_expression" if name.is_some() => {
                let id = self.push_function(name.unwrap_or_default(), inner);
                self.inside(id, inner.child_by_field_name("parameters"), |this| {
                    this.children(inner)
                });
            }
            "invocation_expression" => {
                self.invocation(inner, name);
                self.children(inner);
            }
            "object_creation_expression" => {
                self.creation(inner, name);
                self.children(inner);
            }
            _ => {
                self.string(name, value);
                self.walk(value);
            }
        }
    }

    /// `if (client == null) { client = ... }` caches what it assigns to a field.
    fn if_statement(&mut self, node: Node) {
        let tested = node
            .child_by_field_name("condition")
            .and_then(|c| self.null_test(c));
        self.guards.extend(tested.clone());
        if let Some(consequence) = node.child_by_field_name("consequence") {
            self.walk(consequence);
        }
        if tested.is_some() {
            self.guards.pop();
        }
        if let Some(alternative) = node.child_by_field_name("alternative") {
            self.walk(alternative);
        }
    }

    /// `x == null` or `x is null`: the field tested.
    fn null_test(&self, condition: Node) -> Option<String> {
        let left = match condition.kind() {
            "binary_expression" => {
                let right = condition.child_by_field_name("right")?;
                let operator = condition.child_by_field_name("operator")?;
                if self.text_of(operator) != "==" || self.text_of(right) != "null" {
                    return None;
                }
                condition.child_by_field_name("left")?
            }
            "is_pattern_expression" => {
                let pattern = condition.child_by_field_name("pattern")?;
                if self.text_of(pattern).trim() != "null" {
                    return None;
                }
                condition.child_by_field_name("expression")?
            }
            _ => return None,
        };
        match left.kind() {
            "identifier" => Some(self.text_of(left).to_string()),
            "member_access_expression" => left
                .child_by_field_name("name")
                .map(|n| self.text_of(n).to_string()),
            _ => None,
        }
    }

    fn method(&mut self, node: Node) {
        let Some(name_node) = node.child_by_field_name("name") else {
            return;
        };
        let name = self.text_of(name_node).to_string();
        let id = self.push_function(name.clone(), name_node);
        self.out.functions[id].body = span_of(node);
        if name == "FunctionHandler" || name == "FunctionHandlerAsync" {
            self.out.conventional_handlers.push(id);
        }
        self.out.exports.push((name, id));
        self.attributes(node, Some(id));
        self.inside(id, node.child_by_field_name("parameters"), |this| {
            if let Some(body) = node.child_by_field_name("body") {
                this.walk(body);
            }
        });
    }

    /// The attributes of a class or method (`[HttpGet("{id}")]`, `[LambdaFunction]`).
    fn attributes(&mut self, declaration: Node, function: Option<FunctionId>) {
        for attribute in super::declaration_marks(declaration, "attribute_list", &["attribute"]) {
            if let Some(name) = attribute
                .child_by_field_name("name")
                .and_then(|n| self.path(n))
            {
                self.out.annotations.push(Annotation {
                    name,
                    span: span_of(attribute),
                    function,
                });
            }
        }
    }

    fn push_function(&mut self, name: String, node: Node) -> FunctionId {
        let parent = self.stack.last().copied();
        self.out
            .functions
            .push(super::code_function(name, node, node, parent))
    }

    fn inside(&mut self, id: FunctionId, parameters: Option<Node>, visit: impl FnOnce(&mut Self)) {
        self.stack.push(id);
        let mut names = HashSet::new();
        if let Some(parameters) = parameters {
            for parameter in named_children(parameters) {
                let context = parameter
                    .child_by_field_name("type")
                    .is_some_and(|t| self.text_of(t).ends_with("ILambdaContext"));
                let name = match parameter.kind() {
                    "identifier" => Some(parameter),
                    _ => parameter.child_by_field_name("name"),
                };
                if let (Some(name), false) = (name, context) {
                    names.insert(self.text_of(name).to_string());
                }
            }
        }
        self.invocation_data.push(names);
        let guards = std::mem::take(&mut self.guards);
        visit(self);
        self.guards = guards;
        self.invocation_data.pop();
        self.stack.pop();
    }
}

/// `text` with its `#pragma` lines turned into spaces (same length, so positions hold).
fn without_pragmas(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains("#pragma") {
        return std::borrow::Cow::Borrowed(text);
    }
    let masked: Vec<String> = text
        .split_inclusive('\n')
        .map(|line| match line.trim_start().starts_with("#pragma") {
            true => line
                .chars()
                .map(|c| match c {
                    '\n' | '\r' => c.to_string(),
                    _ => " ".repeat(c.len_utf8()),
                })
                .collect(),
            false => line.to_string(),
        })
        .collect();
    std::borrow::Cow::Owned(masked.concat())
}

/// The value of a C# string literal: regular or verbatim, not interpolated.
fn string_value(text: &str, node: Node) -> Option<String> {
    let raw = &text[node.byte_range()];
    match node.kind() {
        "string_literal" => {
            let inner = raw.strip_prefix('"')?.strip_suffix('"')?;
            Some(inner.replace("\\\"", "\"").replace("\\\\", "\\"))
        }
        "verbatim_string_literal" => {
            let inner = raw.strip_prefix("@\"")?.strip_suffix('"')?;
            Some(inner.replace("\"\"", "\""))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FUNCTION: &str = r#"using Amazon.DynamoDBv2;
using Amazon.Lambda;
using Amazon.Lambda.Core;
using Amazon.Lambda.Model;
using Npgsql;
using StackExchange.Redis;

namespace Orders;

public class Function
{
    private static readonly AmazonLambdaClient Lambda = new AmazonLambdaClient();
    private readonly AmazonDynamoDBClient _dynamo;
    private static ConnectionMultiplexer _redis;
    private const string ApiKey = "sk_live_51HqLyjWDarjtT1zdp7dc0abcdEf";

    public Function()
    {
        _dynamo = new AmazonDynamoDBClient();
    }

    public async Task<string> FunctionHandler(Order order, ILambdaContext context)
    {
        await using var connection = new NpgsqlConnection(Environment.GetEnvironmentVariable("DB"));
        await connection.OpenAsync();
        if (_redis == null)
        {
            _redis = ConnectionMultiplexer.Connect("cache:6379");
        }
        var perCall = ConnectionMultiplexer.Connect("cache:6379");
        await Lambda.InvokeAsync(new InvokeRequest
        {
            FunctionName = "billing",
            InvocationType = InvocationType.Event,
        });
        return order.Id;
    }
}
"#;

    #[test]
    fn init_invocation_and_request_initializers() {
        let file = parse(FUNCTION).unwrap();
        let handler = file.function_named("FunctionHandler").unwrap();
        assert_eq!(file.conventional_handlers, [handler]);
        let calls: Vec<(&str, Option<&str>, bool)> = file
            .calls
            .iter()
            .map(|c| {
                (
                    c.callee.as_str(),
                    c.function.map(|f| file.functions[f].name.as_str()),
                    c.lazily_cached,
                )
            })
            .collect();
        let has = |callee: &str, function: Option<&str>, cached: bool| {
            assert!(
                calls.contains(&(callee, function, cached)),
                "{callee}: {calls:#?}"
            );
        };
        has("AmazonLambdaClient", None, false);
        has("AmazonDynamoDBClient", None, false);
        has("NpgsqlConnection", Some("FunctionHandler"), false);
        has(
            "ConnectionMultiplexer.Connect",
            Some("FunctionHandler"),
            true,
        );
        has(
            "ConnectionMultiplexer.Connect",
            Some("FunctionHandler"),
            false,
        );
        let request = file
            .calls
            .iter()
            .find(|c| c.callee == "InvokeRequest")
            .unwrap();
        let fields = file.request_fields(request);
        assert!(
            fields.contains(&("FunctionName", &ArgValue::Str("billing".into()))),
            "{fields:?}"
        );
        assert!(fields.contains(&(
            "InvocationType",
            &ArgValue::Path("InvocationType.Event".into())
        )));
        assert!(file
            .strings
            .iter()
            .any(|s| s.name.as_deref() == Some("ApiKey") && s.value.starts_with("sk_live_")));
    }

    #[test]
    fn top_level_statements_start_the_handler() {
        let text = "using Amazon.Lambda.RuntimeSupport;\nusing Amazon.S3;\n\nvar handler = async (string input, ILambdaContext context) =>\n{\n    var s3 = new AmazonS3Client();\n    return input;\n};\nawait LambdaBootstrapBuilder.Create(handler, new DefaultLambdaJsonSerializer()).Build().RunAsync();\n";
        let file = parse(text).unwrap();
        let handler = file
            .function_named("handler")
            .expect("the lambda is named by its variable");
        assert_eq!(file.conventional_handlers, [handler]);
        let s3 = file
            .calls
            .iter()
            .find(|c| c.callee == "AmazonS3Client")
            .unwrap();
        assert_eq!(s3.function, Some(handler));
    }

    #[test]
    fn pragmas_the_compiler_accepts_are_not_syntax_errors() {
        let text = "class A\n{\n    void F()\n    {\n#pragma warning disable\n        var x = 1;\n#pragma warning enable \u{e9}\n    }\n}\n";
        assert!(parse(text).is_ok());
        assert_eq!(without_pragmas(text).len(), text.len());
    }

    #[test]
    fn attributes_and_base_types_are_recorded_with_what_they_mark() {
        let text = "namespace Api;\n\n[ApiController]\npublic class LambdaEntryPoint : Amazon.Lambda.AspNetCoreServer.APIGatewayProxyFunction, IDisposable\n{\n    [HttpGet(\"{id}\"), Authorize]\n    public string Get(string id) => id;\n}\n";
        let file = parse(text).unwrap();
        let get = file.function_named("Get");
        assert_eq!(
            super::super::annotations_of(&file),
            [
                ("ApiController", None),
                (
                    "Amazon.Lambda.AspNetCoreServer.APIGatewayProxyFunction",
                    None
                ),
                ("IDisposable", None),
                ("HttpGet", get),
                ("Authorize", get),
            ]
        );
    }

    #[test]
    fn caching_idioms_and_target_typed_new() {
        let text = "using Amazon.S3;\n\npublic class Function\n{\n    private static AmazonS3Client _a;\n    private static AmazonS3Client _b;\n    private static AmazonS3Client _c;\n\n    public void FunctionHandler(string input)\n    {\n        _a ??= new AmazonS3Client();\n        _b = _b ?? new AmazonS3Client();\n        if (_c is null)\n        {\n            _c = new AmazonS3Client();\n        }\n        AmazonS3Client perCall = new();\n    }\n}\n";
        let file = parse(text).unwrap();
        let built: Vec<(usize, bool)> = file
            .calls
            .iter()
            .filter(|c| c.callee == "AmazonS3Client")
            .map(|c| {
                (
                    text[..c.span.start as usize].lines().count(),
                    c.lazily_cached,
                )
            })
            .collect();
        assert_eq!(
            built,
            [(11, true), (12, true), (15, true), (17, false)],
            "{built:?}"
        );
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let error = parse("class A { void F() { var x = ; } }").unwrap_err();
        assert_eq!(error.what, "C# file");
    }
}
