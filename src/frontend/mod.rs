//! Front ends: each turns one input language into the language-neutral model and nothing more.

pub mod cdk;
pub mod cloudformation;
pub mod cookiecutter;
pub mod csharp;
pub mod go;
pub mod intrinsics;
pub mod java;
pub mod javascript;
pub mod python;
pub mod rust;
pub mod serverless;
pub mod terraform;
pub mod wrangler;
pub mod yaml;

use crate::source::Span;

/// Whether an API route takes every request: `/{proxy+}`, `ANY /`, `$default`, `*`, `/*`.
pub fn is_catch_all_route(method: Option<&str>, path: Option<&str>) -> bool {
    let any_method = method.is_none_or(|m| m == "*" || m.eq_ignore_ascii_case("any"));
    match path.map(str::trim) {
        None => any_method,
        Some(path) => {
            path.contains("+}")
                || path == "$default"
                || path == "*"
                || path == "/*"
                || (any_method && (path == "/" || path.is_empty()))
        }
    }
}

/// An event of a route (or of a URL, a load balancer: no route) of kind `kind`, catch-all when
/// its route takes every request. Function URLs and WebSocket routes have no routes to split.
pub(crate) fn route_event(
    kind: crate::model::EventKind,
    method: Option<String>,
    path: Option<String>,
    span: Span,
) -> crate::model::Event {
    use crate::model::EventKind;
    crate::model::Event {
        catch_all: !matches!(kind, EventKind::FunctionUrl | EventKind::WebSocketApi)
            && path.is_some()
            && is_catch_all_route(method.as_deref(), path.as_deref()),
        kind,
        method,
        path: path.map(|p| normalize_path(&p)),
        span,
        details: Default::default(),
    }
}

/// Splits a `METHOD /path` route string (`GET /users`, `ANY /{proxy+}`, `$default`, `*`).
pub fn split_route(route: &str) -> (Option<String>, Option<String>) {
    let route = route.trim();
    match route.split_once(char::is_whitespace) {
        Some((method, path)) => (Some(method.to_string()), Some(path.trim().to_string())),
        None if route == "*" => (Some("*".to_string()), None),
        None => (None, Some(route.to_string())),
    }
}

/// Serverless and API Gateway paths are written with or without the leading slash.
pub fn normalize_path(path: &str) -> String {
    if path.starts_with('/') || path.starts_with('$') || path == "*" {
        path.to_string()
    } else {
        format!("/{path}")
    }
}

pub(crate) fn parse_u64(text: &str) -> Option<u64> {
    text.trim().parse().ok()
}

pub(crate) fn span_union(a: Span, b: Span) -> Span {
    Span {
        start: a.start.min(b.start),
        end: a.end.max(b.end),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catch_all_routes() {
        assert!(is_catch_all_route(Some("ANY"), Some("/{proxy+}")));
        assert!(is_catch_all_route(Some("get"), Some("/api/{path+}")));
        assert!(is_catch_all_route(Some("ANY"), Some("/")));
        assert!(is_catch_all_route(None, None));
        assert!(is_catch_all_route(Some("*"), None));
        assert!(is_catch_all_route(None, Some("$default")));
        assert!(!is_catch_all_route(Some("GET"), Some("/")));
        assert!(!is_catch_all_route(Some("GET"), Some("/orders/{id}")));
    }

    #[test]
    fn tests_and_foreign_cdk_stacks_are_not_read() {
        use crate::model::Language;
        let stack =
            "import software.amazon.awscdk.Stack;\npublic class AppStack extends Stack {}\n";
        assert!(nothing_to_read(
            Language::Java,
            Path::new("infra/AppStack.java"),
            stack
        ));
        let handler = "import com.amazonaws.services.lambda.runtime.RequestHandler;\n";
        assert!(!nothing_to_read(
            Language::Java,
            Path::new("src/main/java/App.java"),
            handler
        ));
        assert!(nothing_to_read(
            Language::CSharp,
            Path::new("test/Orders.Tests/FunctionTest.cs"),
            "using Xunit;"
        ));
        assert!(nothing_to_read(
            Language::CSharp,
            Path::new("src/Orders.UnitTests/A.cs"),
            ""
        ));
        assert!(!nothing_to_read(
            Language::CSharp,
            Path::new("src/Orders/Function.cs"),
            ""
        ));
        // TypeScript and Python tests are read as before (and marked as tests).
        assert!(!nothing_to_read(
            Language::TypeScript,
            Path::new("tests/a.test.ts"),
            ""
        ));
    }

    #[test]
    fn splits_routes() {
        assert_eq!(
            split_route("GET /users"),
            (Some("GET".into()), Some("/users".into()))
        );
        assert_eq!(split_route("*"), (Some("*".into()), None));
        assert_eq!(split_route("$default"), (None, Some("$default".into())));
    }
}

use crate::model::Template;
use crate::source::SourceFile;
use std::path::Path;

/// Why a file that looks like a template cannot be read: where, what it is, and the reason.
#[derive(Debug, Clone, PartialEq)]
pub struct Unreadable {
    pub span: Span,
    pub what: &'static str,
    pub reason: String,
}

/// Names that say "this is a template", so a file that fails to parse is reported, not skipped.
pub fn is_template_name(path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let stem = name
        .trim_end_matches(".yaml")
        .trim_end_matches(".yml")
        .trim_end_matches(".json");
    serverless::is_serverless_file(path)
        || wrangler::is_wrangler_file(path)
        || terraform::is_terraform_file(path)
        || stem == "template"
        || stem.ends_with(".template")
        || stem.ends_with("-template")
        || stem.ends_with("_template")
        || name.ends_with(".template")
}

/// Text that is very likely a CloudFormation or SAM template, parseable or not.
pub fn looks_like_template(text: &str) -> bool {
    text.contains("AWSTemplateFormatVersion")
        || text.contains("AWS::Serverless")
        || (text.contains("Resources") && text.contains("AWS::"))
}

/// Reads one YAML or JSON file as a template. `Ok(None)`: not a template (skipped silently).
pub fn read_template(source: &SourceFile) -> Result<Option<Template>, Unreadable> {
    let path = &source.path;
    let text = &source.text;
    if wrangler::is_wrangler_file(path) {
        return wrangler::parse(path, text).map(Some);
    }
    if terraform::is_terraform_file(path) {
        return terraform::parse(path, text).map(Some);
    }
    let serverless = serverless::is_serverless_file(path);
    let json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let what = match (serverless, json) {
        (true, _) => "serverless.yml",
        (false, true) => "JSON template",
        (false, false) => "YAML template",
    };
    let reported = serverless || is_template_name(path) || looks_like_template(text);
    if !reported && !text.contains("Resources") {
        return Ok(None); // cheap pre-filter: every template has Resources
    }
    if let Some(at) = jinja_markup(text) {
        return if reported {
            Err(Unreadable {
                span: Span::new(at, at + 2),
                what,
                reason: "it contains Jinja/cookiecutter markup; lint the rendered template".into(),
            })
        } else {
            Ok(None)
        };
    }
    let root = match yaml::parse(text) {
        Ok(root) => root,
        Err(error) if reported => {
            return Err(Unreadable {
                span: error.span,
                what,
                reason: error.message,
            })
        }
        Err(_) => return Ok(None),
    };
    if serverless {
        return Ok(serverless::is_serverless_config(&root)
            .then(|| serverless::extract(&root, &source.path)));
    }
    Ok(cloudformation::is_template(&root).then(|| cloudformation::extract(&root)))
}

/// Byte offset of the first Jinja block or cookiecutter variable, if any.
fn jinja_markup(text: &str) -> Option<usize> {
    ["{%", "{{ cookiecutter", "{{cookiecutter"]
        .iter()
        .filter_map(|marker| text.find(marker))
        .min()
}

/// Parses handler code in the language its path says. `calls_read`: what rules read beyond the
/// built-in catalog (from their options), kept like the catalog's calls.
pub fn read_code(
    language: crate::model::Language,
    source: &SourceFile,
    calls_read: &[crate::catalog::CallPattern],
) -> Result<crate::model::CodeFile, Unreadable> {
    read_code_and_stack(language, source, calls_read, false).map(|(code, _)| code)
}

/// [`read_code`], and when `stack` is asked for, the CDK constructs of the file from the same
/// parse.
pub fn read_code_and_stack(
    language: crate::model::Language,
    source: &SourceFile,
    calls_read: &[crate::catalog::CallPattern],
    stack: bool,
) -> Result<(crate::model::CodeFile, Option<cdk::Program>), Unreadable> {
    use crate::model::{Call, Language};
    let text = &source.text;
    let mut program = None;
    let (mut code, describe): (_, fn(&Call) -> String) = match language {
        Language::JavaScript | Language::TypeScript => (
            javascript::parse_with(&source.path, text, |tree| {
                program = stack.then(|| cdk::typescript::from_program(tree, text));
            })?,
            javascript::describe_call,
        ),
        Language::Python => (
            python::parse_with(text, |tree| {
                program = stack.then(|| cdk::python::from_tree(tree, text));
            })?,
            python::describe_call,
        ),
        Language::Rust => (rust::parse(text)?, rust::describe_call),
        Language::Go => (go::parse(text)?, go::describe_call),
        Language::Java => (java::parse(text)?, java::describe_call),
        Language::CSharp => (csharp::parse(text)?, csharp::describe_call),
    };
    // What no rule can read is dropped now, not carried through the whole run.
    let catalog = &crate::catalog::CATALOG;
    let route_values = catalog.route_values(&code);
    let into_project: std::collections::HashSet<String> = code
        .calls
        .iter()
        .filter(|call| may_call_project_code(&code, call))
        .map(|call| call.callee.clone())
        .collect();
    code.keep_calls(|call| {
        catalog.mentions(call)
            || calls_read.iter().any(|p| p.matches(call))
            || catalog.registers_route(language, &route_values, call)
            || into_project.contains(&call.callee)
    });
    for call in &mut code.calls {
        call.display = describe(call);
    }
    code.annotations
        .retain(|annotation| catalog.reads_annotation(language, annotation));
    code.annotations.shrink_to_fit();
    code.keep_strings(|literal| {
        crate::knowledge::SECRETS.may_be_secret(literal.name.as_deref(), &literal.value)
    });
    Ok((code, program))
}

/// Whether a call may go into another file of the project, where the call graph follows it: a
/// relative JavaScript import, a Python module (a package's or the project's: only linking can
/// tell), a Rust `mod` of the crate.
fn may_call_project_code(code: &crate::model::CodeFile, call: &crate::model::Call) -> bool {
    code.imported_callee(call).is_some_and(|(import, _)| {
        let module = import.module.as_str();
        match code.language {
            crate::model::Language::Python => true,
            // Another file of the same package (a package of the module by its import path is
            // not followed yet).
            crate::model::Language::Go => module == ".",
            // Classes of the project by their package; not followed yet.
            // A class of the same package, or an import that is no library's.
            crate::model::Language::Java => {
                module.starts_with("./")
                    || ![
                        "java.",
                        "javax.",
                        "software.amazon.awssdk.",
                        "com.amazonaws.",
                    ]
                    .iter()
                    .any(|library| module.starts_with(library))
            }
            crate::model::Language::CSharp => false,
            crate::model::Language::Rust => {
                module.starts_with("mod ") || module.starts_with("crate")
            }
            _ => module.starts_with('.'),
        }
    })
}

/// Code no rule reads, in the languages whose test and infrastructure code is worth skipping
/// unread: Java, C# and Go tests, and CDK stacks in those languages (no CDK front end reads them
/// yet; they are not handler code).
pub fn nothing_to_read(language: crate::model::Language, path: &Path, text: &str) -> bool {
    use crate::model::Language;
    let infrastructure = match language {
        Language::Java => text.contains("software.amazon.awscdk"),
        Language::CSharp => text.contains("using Amazon.CDK"),
        Language::Go => text.contains("github.com/aws/aws-cdk-go/"),
        _ => return false,
    };
    infrastructure || crate::walk::is_test_path(path)
}

/// A minified bundle (build output) is not linted: its sources are. Returns why, if it is one.
pub fn minified(text: &str) -> Option<String> {
    let longest = text.lines().map(str::len).max().unwrap_or(0);
    let lines = text.lines().count().max(1);
    (longest > 5_000 && text.len() / lines > 300).then(|| {
        format!(
            "skipped: looks minified (a line of {longest} characters); lint its sources instead"
        )
    })
}

/// Parses `text` with a tree-sitter grammar (`name` says which, for the rare failure to load).
pub(crate) fn tree_sitter_tree(
    text: &str,
    language: tree_sitter::Language,
    name: &str,
) -> Result<tree_sitter::Tree, String> {
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&language)
        .map_err(|e| format!("the {name} grammar failed to load: {e}"))?;
    parser
        .parse(text, None)
        .ok_or_else(|| "the parser gave up".to_string())
}

/// The syntax tree of handler code in a tree-sitter language, or why the file is unreadable:
/// nesting beyond `max_depth`, or the first syntax error. `parse_tree` is the language's parser;
/// its tree may be of `source`, a copy of the text with the same byte offsets.
pub(crate) fn checked_tree(
    text: &str,
    source: &str,
    what: &'static str,
    max_depth: usize,
    parse_tree: impl FnOnce(&str) -> Result<tree_sitter::Tree, String>,
) -> Result<tree_sitter::Tree, Unreadable> {
    let unreadable = |span: Span, reason: String| Unreadable { span, what, reason };
    if let Some(at) = too_deep(text, max_depth) {
        let reason = format!("nesting is deeper than {max_depth} levels");
        return Err(unreadable(Span::new(at, at), reason));
    }
    let tree = parse_tree(source).map_err(|reason| unreadable(Span::default(), reason))?;
    if tree.root_node().has_error() {
        let (span, reason) = first_error(tree.root_node(), text);
        return Err(unreadable(span, reason));
    }
    Ok(tree)
}

/// Whether the expression `node` reads one of `names` (the parameters of the function it is in,
/// and the variables computed from them). A member access reads its object, not its member
/// name: `follow` lists, per node kind, the fields that are read (Java `method_invocation`:
/// `object` and `arguments`; C# `member_access_expression`: `expression`).
pub(crate) fn reads_names(
    node: tree_sitter::Node,
    text: &str,
    names: &std::collections::HashSet<String>,
    follow: &[(&str, &[&str])],
) -> bool {
    let mut stack = named_children(node);
    while let Some(node) = stack.pop() {
        if node.kind() == "identifier" && names.contains(&text[node.byte_range()]) {
            return true;
        }
        match follow.iter().find(|(kind, _)| *kind == node.kind()) {
            Some((_, fields)) => stack.extend(
                fields
                    .iter()
                    .filter_map(|field| node.child_by_field_name(field)),
            ),
            None => stack.extend(named_children(node)),
        }
    }
    false
}

/// A string literal of handler code with the name it is bound to, when `value` is one.
pub(crate) fn push_string(
    out: &mut crate::model::CodeFile,
    name: Option<String>,
    value: Option<String>,
    node: tree_sitter::Node,
) {
    if let Some(value) = value {
        let span = Span::new(node.start_byte(), node.end_byte());
        out.strings
            .push(crate::model::StringLiteral { name, value, span });
    }
}

/// A node's named children, comments left out (a comment between arguments is no argument).
/// Where a tree-sitter node is, in bytes.
pub(crate) fn node_span(node: tree_sitter::Node) -> Span {
    Span::new(node.start_byte(), node.end_byte())
}

/// A function the tree-sitter front ends record: named at `name_node`, spanning `whole`, nested
/// in `parent`. A name in angle brackets (`<lambda>`) is how an anonymous one is shown.
pub(crate) fn code_function(
    name: String,
    name_node: tree_sitter::Node,
    whole: tree_sitter::Node,
    parent: Option<crate::model::FunctionId>,
) -> crate::model::CodeFunction {
    crate::model::CodeFunction {
        anonymous: name.starts_with('<'),
        name,
        span: node_span(name_node),
        body: node_span(whole),
        parent,
    }
}

/// The marks a declaration carries in its `list_kind` children (Java `modifiers`, C#
/// `attribute_list`): the nodes of `mark_kinds`, whose `name` field the caller resolves.
pub(crate) fn declaration_marks<'n>(
    declaration: tree_sitter::Node<'n>,
    list_kind: &str,
    mark_kinds: &[&str],
) -> Vec<tree_sitter::Node<'n>> {
    named_children(declaration)
        .into_iter()
        .filter(|child| child.kind() == list_kind)
        .flat_map(named_children)
        .filter(|mark| mark_kinds.contains(&mark.kind()))
        .collect()
}

pub(crate) fn named_children<'n>(node: tree_sitter::Node<'n>) -> Vec<tree_sitter::Node<'n>> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor)
        .filter(|n| !matches!(n.kind(), "comment" | "line_comment" | "block_comment"))
        .collect()
}

/// The first syntax error of a tree-sitter tree, described like a compiler would: the innermost
/// node that is missing or in error; for an error node, where its last piece starts (where
/// parsing went wrong), shown by its text when it has no name of its own.
pub(crate) fn first_error(root: tree_sitter::Node, text: &str) -> (Span, String) {
    let mut node = root;
    loop {
        if node.is_missing() {
            let span = Span::new(node.start_byte(), node.end_byte());
            return (span, format!("expected `{}`", node.kind()));
        }
        let mut cursor = node.walk();
        let inner = node.children(&mut cursor).find(|c| c.has_error());
        match inner {
            Some(child) => node = child,
            None => {
                let mut cursor = node.walk();
                let last = node.children(&mut cursor).last().unwrap_or(node);
                let at = Span::new(last.start_byte(), last.start_byte());
                let near = match last.kind() {
                    "ERROR" => text[last.byte_range()]
                        .lines()
                        .next()
                        .unwrap_or("")
                        .chars()
                        .take(24)
                        .collect::<String>(),
                    kind => kind.to_string(),
                };
                return (at, format!("invalid syntax near `{}`", near.trim()));
            }
        }
    }
}

/// Parsers and our visitors recurse on nested expressions; a file nested deeper than `max`
/// brackets is refused before parsing. Returns where the limit is crossed. (Brackets in strings
/// count too: no real file comes near the limit.)
pub fn too_deep(text: &str, max: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, byte) in text.bytes().enumerate() {
        match byte {
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > max {
                    return Some(i);
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// The annotations a front end recorded: (name, the function it marks).
#[cfg(test)]
fn annotations_of(file: &crate::model::CodeFile) -> Vec<(&str, Option<crate::model::FunctionId>)> {
    file.annotations
        .iter()
        .map(|a| (a.name.as_str(), a.function))
        .collect()
}
