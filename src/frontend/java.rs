//! Java (tree-sitter-java) into the [`CodeFile`] model.
//!
//! Names are resolved through the imports (`S3Client` is
//! `software.amazon.awssdk.services.s3.S3Client`). A builder chain is one call with its builder
//! methods as request fields (`InvokeRequest.builder().functionName(x).build()` sets
//! `FunctionName`), as in the Rust front end. What runs at init has no function: static and
//! instance field initialisers, static blocks, and constructors (the handler class is created
//! once per execution environment). Methods are functions; `handleRequest` of a class that
//! implements `RequestHandler`/`RequestStreamHandler` is the handler by convention.

use super::{named_children, Unreadable};
use crate::model::{Annotation, Arg, ArgValue, Call, CodeFile, FunctionId, Import, Language};
use std::collections::{HashMap, HashSet};
use tree_sitter::Node;

const MAX_DEPTH: usize = 400;

pub fn parse_tree(text: &str) -> Result<tree_sitter::Tree, String> {
    super::tree_sitter_tree(text, tree_sitter_java::LANGUAGE.into(), "Java")
}

/// The call as written in Java, for messages: `` `new HikariDataSource()` ``,
/// `` `S3Client.builder().build()` ``, `` `DriverManager.getConnection()` ``.
pub fn describe_call(call: &Call) -> String {
    let mut segments: Vec<&str> = call.callee.split('.').collect();
    let short = if call.is_new {
        format!("new {}()", segments.last().unwrap_or(&""))
    } else {
        let method = segments.pop().unwrap_or("");
        match segments.last() {
            Some(owner) => format!("{owner}.{method}()"),
            None => format!("{method}()"),
        }
    };
    let chain: String = call
        .chain
        .iter()
        .filter(|(m, _)| m == "build" || m == "create")
        .map(|(m, _)| format!(".{m}()"))
        .collect();
    format!("`{short}{chain}`")
}

pub fn parse(text: &str) -> Result<CodeFile, Unreadable> {
    let tree = super::checked_tree(text, text, "Java file", MAX_DEPTH, parse_tree)?;
    let root = tree.root_node();
    let mut extractor = Extractor {
        text,
        out: CodeFile::new(Language::Java),
        imports: HashMap::new(),
        stack: Vec::new(),
        fields: HashSet::new(),
        guards: Vec::new(),
        invocation_data: Vec::new(),
        depth: 0,
    };
    extractor.collect_imports(root);
    extractor.walk(root);
    extractor.same_package_classes();
    Ok(extractor.out)
}

/// Classes every Java file sees without an import (`java.lang`): never classes of the project.
const JAVA_LANG: &[&str] = &[
    "Boolean",
    "Byte",
    "Character",
    "Double",
    "Float",
    "Integer",
    "Long",
    "Math",
    "Object",
    "Objects",
    "Runtime",
    "Short",
    "String",
    "StringBuilder",
    "System",
    "Thread",
];

use super::node_span as span_of;

/// `functionName` / `withFunctionName` as the request field it sets: `FunctionName`.
fn field_name(method: &str) -> String {
    let method = method
        .strip_prefix("with")
        .filter(|rest| rest.starts_with(char::is_uppercase))
        .unwrap_or(method);
    let mut chars = method.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// `InvocationType.EVENT` (SDK v2 enums) is the service's `Event`.
fn enum_value(constant: &str) -> Option<&'static str> {
    Some(match constant {
        "EVENT" | "Event" => "Event",
        "DRY_RUN" | "DryRun" => "DryRun",
        "REQUEST_RESPONSE" | "RequestResponse" => "RequestResponse",
        _ => return None,
    })
}

struct Extractor<'a> {
    text: &'a str,
    out: CodeFile,
    /// Simple name -> qualified name, from single-type imports.
    imports: HashMap<String, String>,
    stack: Vec<FunctionId>,
    /// Fields of the classes of this file: they outlive an invocation.
    fields: HashSet<String>,
    /// Fields an `if (x == null)` we are inside tests.
    guards: Vec<String>,
    invocation_data: Vec<HashSet<String>>,
    depth: usize,
}

impl<'a> Extractor<'a> {
    fn text_of(&self, node: Node) -> &'a str {
        &self.text[node.byte_range()]
    }

    /// `Helper.save(x)` of a class not imported is a class of the same package (a file beside
    /// this one): an import of `./Helper` for the linker to follow.
    fn same_package_classes(&mut self) {
        let mut classes: Vec<String> = self
            .out
            .calls
            .iter()
            .filter_map(|call| {
                let (class, _) = call.callee.split_once('.')?;
                let own = class.starts_with(char::is_uppercase)
                    && !self.imports.contains_key(class)
                    && !JAVA_LANG.contains(&class);
                own.then(|| class.to_string())
            })
            .collect();
        classes.sort();
        classes.dedup();
        for class in classes {
            self.out
                .imports
                .push(Import::new(format!("./{class}"), class));
        }
        self.out.imports.sort();
    }

    fn collect_imports(&mut self, root: Node) {
        for declaration in named_children(root) {
            if declaration.kind() != "import_declaration" {
                continue;
            }
            let text = self.text_of(declaration);
            let path = text
                .trim_start_matches("import")
                .trim()
                .trim_start_matches("static ")
                .trim_end_matches(';')
                .trim();
            if path.ends_with(".*") {
                continue;
            }
            let simple = path.rsplit('.').next().unwrap_or(path).to_string();
            self.out.imports.push(Import::new(path, path));
            self.imports.insert(simple, path.to_string());
        }
        // Fields, for the cache-once guards.
        let mut stack = vec![root];
        while let Some(node) = stack.pop() {
            if node.kind() == "field_declaration" {
                let mut cursor = node.walk();
                for declarator in node.children_by_field_name("declarator", &mut cursor) {
                    if let Some(name) = declarator.child_by_field_name("name") {
                        self.fields.insert(self.text_of(name).to_string());
                    }
                }
            } else if matches!(
                node.kind(),
                "program" | "class_declaration" | "class_body" | "enum_declaration" | "enum_body"
            ) {
                stack.extend(named_children(node));
            }
        }
        self.out.imports.sort();
    }

    /// A name or a `scope.Name` path with its first name resolved through the imports.
    fn resolve(&self, node: Node) -> Option<String> {
        match node.kind() {
            "identifier" | "type_identifier" => {
                let name = self.text_of(node);
                Some(
                    self.imports
                        .get(name)
                        .cloned()
                        .unwrap_or_else(|| name.to_string()),
                )
            }
            "scoped_identifier" | "scoped_type_identifier" | "field_access" => {
                let (scope, name) = match node.kind() {
                    "field_access" => (
                        node.child_by_field_name("object")?,
                        node.child_by_field_name("field")?,
                    ),
                    "scoped_identifier" => (
                        node.child_by_field_name("scope")?,
                        node.child_by_field_name("name")?,
                    ),
                    _ => {
                        let parts = named_children(node);
                        (*parts.first()?, *parts.last()?)
                    }
                };
                let scope = match scope.kind() {
                    "this" => "this".to_string(),
                    _ => self.resolve(scope)?,
                };
                Some(format!("{scope}.{}", self.text_of(name)))
            }
            "generic_type" => self.resolve(*named_children(node).first()?),
            "this" => Some("this".to_string()),
            _ => None,
        }
    }

    fn arg_value(&self, node: Node) -> ArgValue {
        if let Some(text) = string_value(self.text, node) {
            return ArgValue::Str(text);
        }
        match node.kind() {
            "method_invocation" => {
                let callee = self.invocation_callee(node);
                let first = node
                    .child_by_field_name("arguments")
                    .and_then(|a| named_children(a).into_iter().next());
                match (callee.as_deref(), first) {
                    (Some("System.getenv" | "java.lang.System.getenv"), Some(first)) => {
                        string_value(self.text, first).map_or(ArgValue::Other, ArgValue::EnvVar)
                    }
                    _ => ArgValue::Other,
                }
            }
            _ => match self.resolve(node) {
                Some(path) => match path.rsplit('.').next().and_then(enum_value) {
                    Some(value) => ArgValue::Str(value.to_string()),
                    None => ArgValue::Path(path),
                },
                None => ArgValue::Other,
            },
        }
    }

    fn args(&self, arguments: Option<Node>) -> Vec<Arg> {
        arguments
            .map(named_children)
            .unwrap_or_default()
            .into_iter()
            .map(|arg| Arg {
                name: None,
                value: self.arg_value(arg),
            })
            .collect()
    }

    /// The callee of one method invocation: `Owner.method` resolved, `local.method`, `method`.
    fn invocation_callee(&self, node: Node) -> Option<String> {
        let name = self.text_of(node.child_by_field_name("name")?);
        match node.child_by_field_name("object") {
            Some(object) => Some(format!("{}.{name}", self.resolve(object)?)),
            None => Some(name.to_string()),
        }
    }

    /// A method chain is one call: its root (`Type.method(...)`, `new Type(...)`,
    /// `local.method(...)`) and the methods called on the result, as builder fields.
    fn chain(&mut self, outer: Node, bound_to: Option<String>) {
        let mut methods = vec![outer];
        let mut root = outer;
        while let Some(object) = root.child_by_field_name("object") {
            if object.kind() != "method_invocation" {
                break;
            }
            methods.push(object);
            root = object;
        }
        methods.reverse();
        let (callee, is_new, args, builder) = match root.child_by_field_name("object") {
            Some(object) if object.kind() == "object_creation_expression" => {
                let Some(class) = object
                    .child_by_field_name("type")
                    .and_then(|t| self.resolve(t))
                else {
                    return;
                };
                let args = self.args(object.child_by_field_name("arguments"));
                (class, true, args, &methods[..])
            }
            _ => {
                let Some(callee) = self.invocation_callee(root) else {
                    return;
                };
                let args = self.args(root.child_by_field_name("arguments"));
                (callee, false, args, &methods[1..])
            }
        };
        let chain: Vec<(String, Vec<Arg>)> = builder
            .iter()
            .filter_map(|m| {
                let name = self.text_of(m.child_by_field_name("name")?).to_string();
                Some((name, self.args(m.child_by_field_name("arguments"))))
            })
            .collect();
        self.record(callee, outer, is_new, args, chain, bound_to);
    }

    fn record(
        &mut self,
        callee: String,
        node: Node,
        is_new: bool,
        mut args: Vec<Arg>,
        chain: Vec<(String, Vec<Arg>)>,
        bound_to: Option<String>,
    ) {
        // A builder method sets the request field of its name.
        args.extend(
            chain
                .iter()
                .filter_map(|(method, args)| match args.as_slice() {
                    [one] => Some(Arg {
                        name: Some(field_name(method)),
                        value: one.value.clone(),
                    }),
                    _ => None,
                }),
        );
        let from_invocation_data = self.reads_invocation_data(node);
        let lazily_cached = bound_to.as_deref().is_some_and(|name| {
            self.fields.contains(name) && self.guards.iter().any(|g| g == name)
        });
        self.out.calls.push(Call {
            callee,
            display: String::new(),
            span: span_of(node),
            function: self.stack.last().copied(),
            is_new,
            args,
            chain,
            result_used: true,
            lazily_cached,
            bound_to,
            from_invocation_data,
        });
    }

    fn reads_invocation_data(&self, node: Node) -> bool {
        self.invocation_data.last().is_some_and(|names| {
            super::reads_names(
                node,
                self.text,
                names,
                &[
                    ("method_invocation", &["object", "arguments"]),
                    ("field_access", &["object"]),
                ],
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
            "class_declaration" => self.class(node),
            "method_declaration" => self.method(node),
            // Constructors and static blocks run at init, once per execution environment.
            "constructor_declaration" | "static_initializer" => self.children(node),
            "lambda_expression" => {
                let id = self.push_function("<lambda>".to_string(), node);
                self.inside(id, node.child_by_field_name("parameters"), |this| {
                    this.children(node)
                });
            }
            "method_invocation" => {
                self.chain(node, None);
                self.invocation_children(node);
            }
            "object_creation_expression" => {
                if let Some(class) = node
                    .child_by_field_name("type")
                    .and_then(|t| self.resolve(t))
                {
                    let args = self.args(node.child_by_field_name("arguments"));
                    self.record(class, node, true, args, Vec::new(), None);
                }
                self.children(node);
            }
            "variable_declarator" => self.declarator(node),
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

    /// The arguments of every method of a chain, and its root's receiver (the chain itself was
    /// recorded as one call).
    fn invocation_children(&mut self, node: Node) {
        let mut current = Some(node);
        while let Some(invocation) = current {
            if let Some(arguments) = invocation.child_by_field_name("arguments") {
                self.walk(arguments);
            }
            current = match invocation.child_by_field_name("object") {
                Some(object) if object.kind() == "method_invocation" => Some(object),
                Some(object) if object.kind() == "object_creation_expression" => {
                    if let Some(arguments) = object.child_by_field_name("arguments") {
                        self.walk(arguments);
                    }
                    None
                }
                Some(object) => {
                    self.walk(object);
                    None
                }
                None => None,
            };
        }
    }

    /// `Type name = value;` and fields: the value's call is bound to the name, a string is named.
    fn declarator(&mut self, node: Node) {
        let name = node
            .child_by_field_name("name")
            .map(|n| self.text_of(n).to_string());
        let Some(value) = node.child_by_field_name("value") else {
            return;
        };
        self.bind(name, value);
    }

    fn assignment(&mut self, node: Node) {
        let name = node
            .child_by_field_name("left")
            .and_then(|left| match left.kind() {
                "identifier" => Some(self.text_of(left).to_string()),
                "field_access" => left
                    .child_by_field_name("field")
                    .map(|f| self.text_of(f).to_string()),
                _ => None,
            });
        if let Some(value) = node.child_by_field_name("right") {
            self.bind(name, value);
        }
    }

    fn bind(&mut self, name: Option<String>, value: Node) {
        if let (Some(name), true) = (&name, self.reads_invocation_data(value)) {
            if let Some(names) = self.invocation_data.last_mut() {
                names.insert(name.clone());
            }
        }
        match value.kind() {
            "method_invocation" => {
                self.chain(value, name);
                self.invocation_children(value);
            }
            "object_creation_expression" => {
                if let Some(class) = value
                    .child_by_field_name("type")
                    .and_then(|t| self.resolve(t))
                {
                    let args = self.args(value.child_by_field_name("arguments"));
                    self.record(class, value, true, args, Vec::new(), name);
                }
                self.children(value);
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
            .and_then(|c| named_children(c).into_iter().next())
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

    fn null_test(&self, condition: Node) -> Option<String> {
        if condition.kind() != "binary_expression" {
            return None;
        }
        let left = condition.child_by_field_name("left")?;
        let right = condition.child_by_field_name("right")?;
        let operator = condition.child_by_field_name("operator")?;
        if self.text_of(operator) != "==" || self.text_of(right) != "null" {
            return None;
        }
        match left.kind() {
            "identifier" => Some(self.text_of(left).to_string()),
            "field_access" => left
                .child_by_field_name("field")
                .map(|f| self.text_of(f).to_string()),
            _ => None,
        }
    }

    fn class(&mut self, node: Node) {
        let handler_class = node
            .child_by_field_name("interfaces")
            .is_some_and(|interfaces| {
                let text = self.text_of(interfaces);
                text.contains("RequestHandler") || text.contains("RequestStreamHandler")
            });
        self.annotations(node, None);
        // `extends Base` holds the type; `implements A, B` holds a list of them.
        let superclass = node.child_by_field_name("superclass").map(named_children);
        let interfaces = node.child_by_field_name("interfaces").map(|i| {
            named_children(i)
                .into_iter()
                .flat_map(named_children)
                .collect()
        });
        let base_types: Vec<Node> = superclass.into_iter().chain(interfaces).flatten().collect();
        for base in base_types {
            if let Some(name) = self.resolve(base) {
                self.out.annotations.push(Annotation {
                    name,
                    span: span_of(base),
                    function: None,
                });
            }
        }
        let Some(body) = node.child_by_field_name("body") else {
            return;
        };
        let first = self.out.functions.len();
        self.children(body);
        if handler_class {
            let handle = self
                .out
                .functions
                .iter_enumerated()
                .skip(first)
                .find(|(_, f)| f.name == "handleRequest" && f.parent.is_none())
                .map(|(id, _)| id);
            self.out.conventional_handlers.extend(handle);
        }
    }

    fn method(&mut self, node: Node) {
        let Some(name_node) = node.child_by_field_name("name") else {
            return;
        };
        let name = self.text_of(name_node).to_string();
        let id = self.push_function(name.clone(), name_node);
        self.out.functions[id].body = span_of(node);
        self.out.exports.push((name, id));
        self.annotations(node, Some(id));
        self.inside(id, node.child_by_field_name("parameters"), |this| {
            if let Some(body) = node.child_by_field_name("body") {
                this.walk(body);
            }
        });
    }

    /// The annotations of a class or method (`@GetMapping("/{id}")`, `@Bean`).
    fn annotations(&mut self, declaration: Node, function: Option<FunctionId>) {
        let marks = super::declaration_marks(
            declaration,
            "modifiers",
            &["annotation", "marker_annotation"],
        );
        for annotation in marks {
            if let Some(name) = annotation
                .child_by_field_name("name")
                .and_then(|n| self.resolve(n))
            {
                self.out.annotations.push(Annotation {
                    name,
                    span: span_of(annotation),
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
                let name = match parameter.kind() {
                    "identifier" => Some(parameter),
                    _ => parameter.child_by_field_name("name"),
                };
                // The `Context` carries the request id and logger, not data of the request.
                let context = parameter
                    .child_by_field_name("type")
                    .is_some_and(|t| self.text_of(t) == "Context");
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

/// The value of a Java string literal (text blocks included), common escapes resolved.
fn string_value(text: &str, node: Node) -> Option<String> {
    if node.kind() != "string_literal" {
        return None;
    }
    let raw = &text[node.byte_range()];
    let inner = raw
        .strip_prefix("\"\"\"")
        .and_then(|r| r.strip_suffix("\"\"\""))
        .or_else(|| raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')))?;
    Some(inner.replace("\\\"", "\"").replace("\\\\", "\\"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HANDLER: &str = r#"package com.example.orders;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeRequest;

public class OrderHandler implements RequestHandler<Order, String> {
    private static final String API_KEY = "sk_live_51HqLyjWDarjtT1zdp7dc0abcdEf";
    private static final LambdaClient LAMBDA = LambdaClient.create();
    private final DynamoDbClient dynamo;
    private HikariDataSource pool;

    public OrderHandler() {
        this.dynamo = DynamoDbClient.builder().build();
    }

    @Override
    public String handleRequest(Order order, Context context) {
        try (Connection connection = DriverManager.getConnection(System.getenv("DB_URL"))) {
            LAMBDA.invoke(InvokeRequest.builder()
                .functionName("billing")
                .invocationType(InvocationType.EVENT)
                .payload(SdkBytes.fromUtf8String(order.id()))
                .build());
            return audit(order);
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    private String audit(Order order) {
        if (pool == null) {
            pool = new HikariDataSource();
        }
        LambdaClient perCall = LambdaClient.builder().region(Region.EU_WEST_1).build();
        return order.id();
    }
}
"#;

    #[test]
    fn annotations_and_base_types_are_recorded_with_what_they_mark() {
        let text = "package com.example;\n\nimport org.springframework.web.bind.annotation.GetMapping;\nimport org.springframework.web.bind.annotation.RestController;\n\n@RestController\npublic class Api extends BaseController implements Auditable {\n    @GetMapping(\"/orders\")\n    @Deprecated\n    public String orders() { return \"\"; }\n}\n";
        let file = parse(text).unwrap();
        let orders = file.function_named("orders");
        assert_eq!(
            super::super::annotations_of(&file),
            [
                (
                    "org.springframework.web.bind.annotation.RestController",
                    None
                ),
                ("BaseController", None),
                ("Auditable", None),
                ("org.springframework.web.bind.annotation.GetMapping", orders),
                ("Deprecated", orders),
            ]
        );
    }

    #[test]
    fn init_invocation_builders_and_the_handler() {
        let file = parse(HANDLER).unwrap();
        let handle = file.function_named("handleRequest").unwrap();
        assert_eq!(file.conventional_handlers, [handle]);
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
        has(
            "software.amazon.awssdk.services.lambda.LambdaClient.create",
            None,
            false,
        );
        has(
            "software.amazon.awssdk.services.dynamodb.DynamoDbClient.builder",
            None,
            false,
        );
        has(
            "java.sql.DriverManager.getConnection",
            Some("handleRequest"),
            false,
        );
        has("com.zaxxer.hikari.HikariDataSource", Some("audit"), true);
        has(
            "software.amazon.awssdk.services.lambda.LambdaClient.builder",
            Some("audit"),
            false,
        );
        let request = file
            .calls
            .iter()
            .find(|c| c.callee.ends_with("InvokeRequest.builder"))
            .unwrap();
        let fields = file.request_fields(request);
        assert!(
            fields.contains(&("InvocationType", &ArgValue::Str("Event".into()))),
            "{fields:?}"
        );
        assert!(fields.contains(&("FunctionName", &ArgValue::Str("billing".into()))));
        let connection = file
            .calls
            .iter()
            .find(|c| c.callee.ends_with("getConnection"))
            .unwrap();
        assert_eq!(connection.args[0].value, ArgValue::EnvVar("DB_URL".into()));
        assert!(file
            .strings
            .iter()
            .any(|s| s.name.as_deref() == Some("API_KEY") && s.value.starts_with("sk_live_")));
        assert_eq!(describe_call(request), "`InvokeRequest.builder().build()`");
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let error = parse("class A { void f() { int x = ; } }").unwrap_err();
        assert_eq!(error.what, "Java file");
        assert!(error.span.start > 0, "{error:?}");
    }
}
