//! A CDK app's Python (tree-sitter) into the CDK [`Program`]: keyword arguments become the props
//! object, snake_case props and methods are spelled as in TypeScript, `self` is `this`.

use super::{camel_case, library, qualified, Expr, Program, Prop};
use crate::frontend::named_children as children;
use crate::source::Span;
use std::collections::HashMap;
use tree_sitter::Node;

/// Deeper statements and expressions are not read: no CDK prop is nested this far.
const MAX_DEPTH: usize = 200;

/// The CDK program of `text`, or `None` when it does not parse (the code front end reports it).
pub fn read(text: &str) -> Option<Program> {
    let tree = crate::frontend::python::parse_tree(text).ok()?;
    (!tree.root_node().has_error()).then(|| from_tree(&tree, text))
}

/// The CDK program of an already parsed file.
pub fn from_tree(tree: &tree_sitter::Tree, text: &str) -> Program {
    let root = tree.root_node();
    let mut reader = Reader {
        text,
        aliases: HashMap::new(),
        out: Program::default(),
        depth: 0,
    };
    reader.imports(root);
    reader.block(root);
    reader.out
}

struct Reader<'t> {
    text: &'t str,
    aliases: HashMap<String, String>,
    out: Program,
    depth: usize,
}

fn span(node: Node) -> Span {
    Span::new(node.start_byte(), node.end_byte())
}

impl Reader<'_> {
    fn source(&self, node: Node) -> &str {
        &self.text[node.start_byte()..node.end_byte()]
    }

    /// `from aws_cdk import aws_lambda as _lambda`, `import aws_cdk.aws_lambda as lambda_`,
    /// `from aws_cdk.aws_lambda import Function`, `import os`, `from os import path`.
    fn imports(&mut self, root: Node) {
        for statement in children(root) {
            match statement.kind() {
                "import_statement" => {
                    for name in children(statement) {
                        let (module, local) = match name.kind() {
                            "aliased_import" => (
                                name.child_by_field_name("name"),
                                name.child_by_field_name("alias"),
                            ),
                            _ => (Some(name), Some(name)),
                        };
                        let (Some(module), Some(local)) = (module, local) else {
                            continue;
                        };
                        let module = self.source(module).to_string();
                        if let Some(target) = canonical_module(&module) {
                            self.aliases.insert(self.source(local).to_string(), target);
                        }
                    }
                }
                "import_from_statement" => {
                    let Some(module) = statement.child_by_field_name("module_name") else {
                        continue;
                    };
                    let Some(target) = canonical_module(self.source(module)) else {
                        continue;
                    };
                    let mut cursor = statement.walk();
                    for name in statement.children_by_field_name("name", &mut cursor) {
                        let (imported, local) = match name.kind() {
                            "aliased_import" => (
                                name.child_by_field_name("name"),
                                name.child_by_field_name("alias"),
                            ),
                            _ => (Some(name), Some(name)),
                        };
                        let (Some(imported), Some(local)) = (imported, local) else {
                            continue;
                        };
                        let value = qualified(&target, self.source(imported));
                        self.aliases.insert(self.source(local).to_string(), value);
                    }
                }
                _ => {}
            }
        }
    }

    fn block(&mut self, node: Node) {
        if self.depth > MAX_DEPTH {
            return;
        }
        self.depth += 1;
        for statement in children(node) {
            self.statement(statement);
        }
        self.depth -= 1;
    }

    fn statement(&mut self, node: Node) {
        match node.kind() {
            "class_definition" | "function_definition" => {
                if let Some(body) = node.child_by_field_name("body") {
                    self.block(body);
                }
            }
            "decorated_definition" => {
                if let Some(definition) = node.child_by_field_name("definition") {
                    self.statement(definition);
                }
            }
            "if_statement" | "for_statement" | "while_statement" | "with_statement"
            | "try_statement" | "else_clause" | "elif_clause" | "block" => {
                for child in children(node) {
                    if matches!(child.kind(), "block" | "else_clause" | "elif_clause") {
                        self.statement(child);
                    }
                }
                if node.kind() == "block" {
                    self.block(node);
                }
            }
            "expression_statement" => {
                for child in children(node) {
                    self.expression_statement(child);
                }
            }
            "return_statement" => {
                for child in children(node) {
                    let value = self.expr(child);
                    self.out.statements.push(value);
                }
            }
            _ => {}
        }
    }

    fn expression_statement(&mut self, node: Node) {
        if node.kind() == "assignment" {
            let (Some(left), Some(right)) = (
                node.child_by_field_name("left"),
                node.child_by_field_name("right"),
            ) else {
                return;
            };
            if let Some(name) = self.path(left) {
                let value = self.expr(right);
                self.out.bindings.push((name, value));
            }
            return;
        }
        let value = self.expr(node);
        self.out.statements.push(value);
    }

    /// A name path with its root resolved and later parts spelled as in TypeScript:
    /// `self.my_fn.current_version` is `this.myFn.currentVersion`.
    fn path(&self, node: Node) -> Option<String> {
        match node.kind() {
            "identifier" => {
                let name = self.source(node);
                Some(match name {
                    "self" => "this".to_string(),
                    _ => self
                        .aliases
                        .get(name)
                        .cloned()
                        .unwrap_or_else(|| name.to_string()),
                })
            }
            "attribute" => {
                let object = self.path(node.child_by_field_name("object")?)?;
                let attribute = self.source(node.child_by_field_name("attribute")?);
                Some(qualified(&object, &ts_spelling(attribute)))
            }
            _ => None,
        }
    }

    fn expr(&mut self, node: Node) -> Expr {
        let at = span(node);
        if self.depth > MAX_DEPTH {
            return Expr::Other(at);
        }
        self.depth += 1;
        let value = self.expr_inner(node, at);
        self.depth -= 1;
        value
    }

    fn expr_inner(&mut self, node: Node, at: Span) -> Expr {
        match node.kind() {
            "string" => self.string(node, at),
            "integer" | "float" => self
                .source(node)
                .replace('_', "")
                .parse()
                .map_or(Expr::Other(at), |n| Expr::Num(n, at)),
            "true" => Expr::Bool(true, at),
            "false" => Expr::Bool(false, at),
            "parenthesized_expression" => match children(node).first() {
                Some(inner) => self.expr(*inner),
                None => Expr::Other(at),
            },
            "dictionary" => {
                let mut props = Vec::new();
                for pair in children(node).into_iter().filter(|p| p.kind() == "pair") {
                    let (Some(key), Some(value)) = (
                        pair.child_by_field_name("key"),
                        pair.child_by_field_name("value"),
                    ) else {
                        continue;
                    };
                    let Expr::Str(name, key_span) = self.expr(key) else {
                        continue;
                    };
                    let value = self.expr(value);
                    props.push(Prop {
                        key: name,
                        key_span,
                        value,
                    });
                }
                Expr::Object(props, at)
            }
            "list" | "tuple" => {
                let items = children(node).into_iter().map(|i| self.expr(i)).collect();
                Expr::Array(items, at)
            }
            "identifier" | "attribute" => match self.path(node) {
                Some(name) => Expr::Name(name, at),
                None => match (
                    node.child_by_field_name("object"),
                    node.child_by_field_name("attribute"),
                ) {
                    (Some(object), Some(attribute)) => Expr::Member {
                        object: Box::new(self.expr(object)),
                        property: ts_spelling(self.source(attribute)),
                        span: at,
                    },
                    _ => Expr::Other(at),
                },
            },
            "call" => self.call(node, at),
            _ => Expr::Other(at),
        }
    }

    fn string(&self, node: Node, at: Span) -> Expr {
        let mut text = String::new();
        let mut interpolated = false;
        for part in children(node) {
            match part.kind() {
                "string_content" => text.push_str(self.source(part)),
                "interpolation" => {
                    interpolated = true;
                    text.push_str("${...}");
                }
                _ => {}
            }
        }
        match interpolated {
            true => Expr::Template(text, at),
            false => Expr::Str(text, at),
        }
    }

    /// A call; a capitalised class name makes it a `new` (`_lambda.Function(self, "Fn", ...)`).
    /// Keyword arguments become one props object after the positional ones.
    fn call(&mut self, node: Node, at: Span) -> Expr {
        let Some(function) = node.child_by_field_name("function") else {
            return Expr::Other(at);
        };
        let mut args = Vec::new();
        let mut props = Vec::new();
        if let Some(list) = node.child_by_field_name("arguments") {
            for arg in children(list) {
                match arg.kind() {
                    "keyword_argument" => {
                        let (Some(name), Some(value)) = (
                            arg.child_by_field_name("name"),
                            arg.child_by_field_name("value"),
                        ) else {
                            continue;
                        };
                        let value = self.expr(value);
                        props.push(Prop {
                            key: camel_case(self.source(name)),
                            key_span: span(name),
                            value,
                        });
                    }
                    "list_splat" | "dictionary_splat" => {}
                    _ => args.push(self.expr(arg)),
                }
            }
        }
        if !props.is_empty() {
            args.push(Expr::Object(props, span(node)));
        }
        let name = self.path(function);
        let last = name
            .as_deref()
            .and_then(|n| n.rsplit('.').next())
            .unwrap_or("");
        if last.starts_with(|c: char| c.is_ascii_uppercase()) {
            return Expr::New {
                class: name.unwrap_or_default(),
                args,
                span: at,
            };
        }
        match (function.kind(), function.child_by_field_name("object")) {
            ("attribute", Some(object)) => {
                let method = ts_spelling(
                    function
                        .child_by_field_name("attribute")
                        .map_or("", |a| self.source(a)),
                );
                let receiver = self.expr(object);
                let callee = match &receiver {
                    Expr::Name(path, _) => qualified(path, &method),
                    _ => method.clone(),
                };
                Expr::Call {
                    callee,
                    receiver: Some(Box::new(receiver)),
                    method,
                    args,
                    span: at,
                }
            }
            _ => match name {
                Some(name) => Expr::Call {
                    method: name.rsplit('.').next().unwrap_or(&name).to_string(),
                    callee: name,
                    receiver: None,
                    args,
                    span: at,
                },
                None => Expr::Other(at),
            },
        }
    }
}

/// The module a Python import names, in the CDK model's spelling (`os.path` and `os` are kept).
fn canonical_module(module: &str) -> Option<String> {
    match module {
        "os" | "os.path" => Some(module.to_string()),
        _ => library(module),
    }
}

/// An attribute or method as TypeScript spells it; constants (`PYTHON_3_12`) are kept.
fn ts_spelling(name: &str) -> String {
    match name.chars().any(|c| c.is_ascii_lowercase()) {
        true => camel_case(name),
        false => name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontend::cdk::{extract, Location};
    use crate::model::{EnvValue, EventKind};

    fn at(text: &str, span: Span) -> &str {
        &text[span.start as usize..span.end as usize]
    }

    const STACK: &str = r#"
import os
from aws_cdk import (
    Duration,
    Stack,
    aws_lambda as _lambda,
    aws_apigateway as apigw,
)
from aws_cdk.aws_lambda_python_alpha import PythonFunction
from constructs import Construct


class SearchStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, **kwargs) -> None:
        super().__init__(scope, construct_id, **kwargs)

        self.search = _lambda.Function(
            self,
            "SearchFunction",
            runtime=_lambda.Runtime.PYTHON_3_12,
            handler="index.handler",
            code=_lambda.Code.from_asset(os.path.join(os.path.dirname(__file__), "../lambda")),
            memory_size=1024,
            timeout=Duration.minutes(1),
            snap_start=_lambda.SnapStartConf.ON_PUBLISHED_VERSIONS,
            environment={
                "API_TOKEN": "tok_7f3a9c2e1b4d",
                "INDEX": f"orders-{construct_id}",
            },
        )
        apigw.LambdaRestApi(self, "SearchApi", handler=self.search, proxy=False)

        loader = PythonFunction(self, "Loader", entry="functions/loader", index="main.py")
        loader.add_function_url()
"#;

    #[test]
    fn python_stacks_read_as_typescript_ones() {
        let program = read(STACK).expect("parses");
        let template = extract(
            &program,
            &Location {
                file_stem: "search_stack",
                app_root: "..",
            },
        );
        let found = &template.functions;
        assert_eq!(found.len(), 2, "{found:#?}");
        let search = &found[0];
        assert_eq!(search.logical_id, "SearchFunction");
        assert_eq!(search.runtime.as_ref().unwrap().value, "python3.12");
        assert_eq!(search.code_uri.as_ref().unwrap().value, "../lambda");
        assert_eq!(search.timeout_s.as_ref().unwrap().value, 60);
        assert!(search.snapstart_enabled().is_some());
        assert!(!search.publishes_versions);
        // `proxy=False`: a REST API that is not a catch-all.
        assert_eq!(search.events.len(), 1);
        assert_eq!(search.events[0].kind, EventKind::RestApi);
        assert!(!search.events[0].catch_all);
        let token = &search.environment[0];
        assert_eq!(token.name.value, "API_TOKEN");
        assert!(
            matches!(&token.value, EnvValue::Literal { text, .. } if text == "tok_7f3a9c2e1b4d")
        );
        assert_eq!(at(STACK, token.value_span), "\"tok_7f3a9c2e1b4d\"");
        assert!(matches!(
            search.environment[1].value,
            EnvValue::Interpolated { .. }
        ));

        let loader = &found[1];
        assert_eq!(
            loader.code_uri.as_ref().unwrap().value,
            "../functions/loader"
        );
        assert_eq!(loader.handler.as_ref().unwrap().value, "main.handler");
        assert_eq!(loader.events[0].kind, EventKind::FunctionUrl);
    }

    #[test]
    fn keyword_arguments_stand_for_positional_ones() {
        let text = r#"
from aws_cdk import Stack, aws_lambda as _lambda, aws_apigateway as apigw
from aws_cdk.aws_apigatewayv2 import HttpApi
from aws_cdk.aws_apigatewayv2_integrations import HttpLambdaIntegration


class Api(Stack):
    def __init__(self, scope, construct_id):
        super().__init__(scope, construct_id)
        fn = _lambda.Function(self, "Orders", runtime=_lambda.Runtime.PYTHON_3_13,
                              handler="app.handler", code=_lambda.Code.from_asset("src"))
        HttpApi(self, "Http", default_integration=HttpLambdaIntegration("Int", handler=fn))
        rest = apigw.RestApi(self, "Rest")
        rest.root.add_resource("orders").add_method(
            http_method="GET", integration=apigw.LambdaIntegration(handler=fn)
        )
"#;
        let program = read(text).expect("parses");
        let template = extract(
            &program,
            &Location {
                file_stem: "api",
                app_root: "",
            },
        );
        let routes: Vec<(EventKind, String)> = template.functions[0]
            .events
            .iter()
            .map(|e| (e.kind.clone(), e.route()))
            .collect();
        assert_eq!(
            routes,
            [
                (EventKind::HttpApi, "$default".to_string()),
                (EventKind::RestApi, "GET /orders".to_string())
            ]
        );
    }
}
