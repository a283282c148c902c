//! Rust (syn) into the [`CodeFile`] model.

use super::Unreadable;
use crate::model::{
    Arg, ArgValue, Call, CodeFile, CodeFunction, FunctionId, Import, Language, StringLiteral,
};
use crate::source::Span;
use std::collections::HashMap;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};
use syn::{
    Expr, ExprCall, ExprClosure, ExprMethodCall, ImplItemFn, ItemFn, ItemMod, Lit, Pat, UseTree,
};

/// Deeper expressions than this are refused rather than walked (syn and our walk recurse).
const MAX_DEPTH: usize = 300;

pub fn parse(text: &str) -> Result<CodeFile, Unreadable> {
    if let Some(at) = super::too_deep(text, MAX_DEPTH) {
        return Err(Unreadable {
            span: Span::new(at, at),
            what: "Rust file",
            reason: format!("nesting is deeper than {MAX_DEPTH} levels"),
        });
    }
    let parsed = syn::parse_file(text);
    let result = parsed
        .map_err(|error| {
            let range = error.span().byte_range();
            Unreadable {
                span: Span::new(range.start.min(text.len()), range.end.min(text.len())),
                what: "Rust file",
                reason: error.to_string(),
            }
        })
        .map(|file| {
            let mut extractor = Extractor {
                text,
                out: CodeFile::new(Language::Rust),
                uses: HashMap::new(),
                stack: Vec::new(),
                lazy: 0,
                unused: None,
                bound: None,
                handler_closures: Vec::new(),
                handler_names: Vec::new(),
            };
            for item in &file.items {
                match item {
                    syn::Item::Use(u) => extractor.collect_use(&u.tree, &mut Vec::new()),
                    // `mod db;`: the module's file is part of this crate's code.
                    syn::Item::Mod(m) if m.content.is_none() && !is_test_only(&m.attrs) => {
                        let module = format!("mod {}", m.ident);
                        for prefix in [m.ident.to_string(), format!("crate.{}", m.ident)] {
                            extractor
                                .out
                                .imports
                                .push(Import::new(module.clone(), prefix));
                        }
                    }
                    _ => {}
                }
            }
            extractor.out.imports.sort();
            extractor.out.imports.dedup();
            extractor.visit_file(&file);
            extractor.finish()
        });
    // syn keeps every parsed file's positions in a per-thread table; free it for the next one.
    proc_macro2::extra::invalidate_current_thread_spans();
    result
}

fn span_of(spanned: &impl Spanned) -> Span {
    let range = spanned.span().byte_range();
    Span::new(range.start, range.end)
}

fn unwrap_expr(mut expr: &Expr) -> &Expr {
    loop {
        expr = match expr {
            Expr::Paren(e) => &e.expr,
            Expr::Reference(e) => &e.expr,
            Expr::Try(e) => &e.expr,
            Expr::Group(e) => &e.expr,
            _ => return expr,
        }
    }
}

/// `invocation_type` -> `InvocationType`.
fn pascal_case(snake: &str) -> String {
    snake
        .split('_')
        .flat_map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase())
                .into_iter()
                .chain(chars)
        })
        .collect()
}

/// The call as written in Rust, for messages: `` `PgPoolOptions::new().connect()` ``.
pub fn describe_call(call: &Call) -> String {
    let chain: String = call.chain.iter().map(|(m, _)| format!(".{m}()")).collect();
    format!("`{}(){chain}`", call.callee.replace('.', "::"))
}

fn is_test_only(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        let path = attr.path();
        path.is_ident("test")
            || path.segments.last().is_some_and(|s| s.ident == "test")
            || (path.is_ident("cfg")
                && attr
                    .meta
                    .require_list()
                    .is_ok_and(|l| l.tokens.to_string().contains("test")))
    })
}

struct Extractor<'a> {
    text: &'a str,
    out: CodeFile,
    /// Local name -> full path (`PgPoolOptions` -> `sqlx.postgres.PgPoolOptions`).
    uses: HashMap<String, String>,
    stack: Vec<FunctionId>,
    lazy: usize,
    /// The expression statement whose value is dropped (`foo();`).
    unused: Option<Span>,
    bound: Option<(Span, String)>,
    handler_closures: Vec<Span>,
    handler_names: Vec<String>,
}

impl Extractor<'_> {
    fn finish(mut self) -> CodeFile {
        let _ = self.text;
        for name in std::mem::take(&mut self.handler_names) {
            if let Some(id) = self.out.function_named(&name) {
                self.out.conventional_handlers.push(id);
            }
        }
        self.out
    }

    fn collect_use(&mut self, tree: &UseTree, prefix: &mut Vec<String>) {
        match tree {
            UseTree::Path(path) => {
                prefix.push(path.ident.to_string());
                self.collect_use(&path.tree, prefix);
                prefix.pop();
            }
            UseTree::Name(name) => {
                let ident = name.ident.to_string();
                self.out
                    .imports
                    .push(Import::new(prefix.join("::"), prefix.join(".")));
                if ident == "self" {
                    if let Some(last) = prefix.last() {
                        self.uses.insert(last.clone(), prefix.join("."));
                    }
                } else {
                    self.uses.insert(ident.clone(), full(prefix, &ident));
                }
            }
            UseTree::Rename(rename) => {
                self.out
                    .imports
                    .push(Import::new(prefix.join("::"), prefix.join(".")));
                self.uses.insert(
                    rename.rename.to_string(),
                    full(prefix, &rename.ident.to_string()),
                );
            }
            UseTree::Group(group) => {
                for tree in &group.items {
                    self.collect_use(tree, prefix);
                }
            }
            UseTree::Glob(_) => {}
        }
    }

    fn resolve_path(&self, path: &syn::Path) -> String {
        let mut segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        while matches!(
            segments.first().map(String::as_str),
            Some("crate" | "self" | "super")
        ) && segments.len() > 1
        {
            segments.remove(0);
        }
        if let Some(first) = segments.first() {
            if let Some(resolved) = self.uses.get(first) {
                segments[0] = resolved.clone();
            }
        }
        segments.join(".")
    }

    /// The path an expression names: a path, a field (`self.client`), a local variable.
    fn resolve(&self, expr: &Expr) -> Option<String> {
        match unwrap_expr(expr) {
            Expr::Path(p) => Some(self.resolve_path(&p.path)),
            Expr::Field(f) => {
                let base = self.resolve(&f.base)?;
                match &f.member {
                    syn::Member::Named(name) => Some(format!("{base}.{name}")),
                    syn::Member::Unnamed(index) => Some(format!("{base}.{}", index.index)),
                }
            }
            _ => None,
        }
    }

    fn arg_value(&self, expr: &Expr) -> ArgValue {
        match unwrap_expr(expr) {
            Expr::Lit(lit) => match &lit.lit {
                Lit::Str(s) => ArgValue::Str(s.value()),
                _ => ArgValue::Other,
            },
            Expr::Call(call) => self.env_var(call).map_or(ArgValue::Other, ArgValue::EnvVar),
            // `std::env::var("X").unwrap()`, `.expect(..)`, `.unwrap_or_default()`.
            Expr::MethodCall(call)
                if call.method.to_string().starts_with("unwrap") || call.method == "expect" =>
            {
                self.arg_value(&call.receiver)
            }
            other => self.resolve(other).map_or(ArgValue::Other, ArgValue::Path),
        }
    }

    /// `std::env::var("X")` (or `env::var` after `use std::env`): the variable it reads.
    fn env_var(&self, call: &syn::ExprCall) -> Option<String> {
        let Expr::Path(path) = unwrap_expr(&call.func) else {
            return None;
        };
        let callee = self.resolve_path(&path.path);
        if !matches!(callee.as_str(), "std.env.var" | "std.env.var_os") {
            return None;
        }
        match call.args.first().map(unwrap_expr) {
            Some(Expr::Lit(syn::ExprLit {
                lit: Lit::Str(name),
                ..
            })) => Some(name.value()),
            _ => None,
        }
    }

    fn args(&self, args: impl IntoIterator<Item = impl std::borrow::Borrow<Expr>>) -> Vec<Arg> {
        args.into_iter()
            .map(|a| Arg {
                name: None,
                value: self.arg_value(a.borrow()),
            })
            .collect()
    }

    fn push_function(&mut self, name: String, name_span: Span, whole: Span) -> FunctionId {
        self.out.functions.push(CodeFunction {
            // Closures are shown as `<closure>`.
            anonymous: name.starts_with('<'),
            name,
            span: name_span,
            body: whole,
            parent: self.stack.last().copied(),
        })
    }

    fn inside(&mut self, id: FunctionId, visit: impl FnOnce(&mut Self)) {
        self.stack.push(id);
        let saved = std::mem::replace(&mut self.lazy, 0);
        visit(self);
        self.lazy = saved;
        self.stack.pop();
    }

    fn record(
        &mut self,
        callee: String,
        whole: &Expr,
        mut args: Vec<Arg>,
        chain: Vec<(String, Vec<Arg>)>,
    ) {
        // A builder method sets the request field of its name: `.invocation_type(x)` is
        // `InvocationType`, as the other SDKs spell it.
        args.extend(
            chain
                .iter()
                .filter_map(|(method, args)| match args.as_slice() {
                    [one] => Some(Arg {
                        name: Some(pascal_case(method)),
                        value: one.value.clone(),
                    }),
                    _ => None,
                }),
        );
        let span = span_of(whole);
        let bound_to = self
            .bound
            .as_ref()
            .filter(|(s, _)| *s == span)
            .map(|(_, name)| name.clone());
        self.out.calls.push(Call {
            callee,
            display: String::new(),
            span,
            function: self.stack.last().copied(),
            is_new: false,
            args,
            chain,
            result_used: self.unused != Some(span),
            lazily_cached: self.lazy > 0,
            bound_to,
            from_invocation_data: false,
        });
    }

    /// Records a method-call chain as one call: its root (a path call or a receiver's first
    /// method) and the builder methods after it; then walks the arguments only.
    fn chain(&mut self, outer: &ExprMethodCall) {
        let whole = Expr::MethodCall(outer.clone());
        let mut methods: Vec<&ExprMethodCall> = vec![outer];
        let mut root = &*outer.receiver;
        while let Expr::MethodCall(inner) = unwrap_expr(root) {
            methods.push(inner);
            root = &inner.receiver;
        }
        methods.reverse();
        let mut chain: Vec<(String, Vec<Arg>)> = methods
            .iter()
            .map(|m| (m.method.to_string(), self.args(m.args.iter())))
            .collect();
        let lazy_closure = chain.iter().any(|(m, _)| {
            m.starts_with("get_or_init")
                || m.starts_with("get_or_try_init")
                || m == "get_or_insert_with"
        });
        match unwrap_expr(root) {
            Expr::Call(call) => {
                if let Expr::Path(path) = unwrap_expr(&call.func) {
                    let callee = self.resolve_path(&path.path);
                    let args = self.args(call.args.iter());
                    self.record(callee, &whole, args, chain);
                }
                for arg in &call.args {
                    self.visit_expr(arg);
                }
            }
            other => {
                if let Some(receiver) = self.resolve(other) {
                    let (first, args) = chain.remove(0);
                    self.record(format!("{receiver}.{first}"), &whole, args, chain);
                } else {
                    self.visit_expr(other);
                }
            }
        }
        self.lazy += usize::from(lazy_closure);
        for method in methods {
            for arg in &method.args {
                self.visit_expr(arg);
            }
        }
        self.lazy -= usize::from(lazy_closure);
    }

    fn string(&mut self, name: Option<String>, expr: &Expr) {
        if let Expr::Lit(syn::ExprLit {
            lit: Lit::Str(s), ..
        }) = unwrap_expr(expr)
        {
            self.out.strings.push(StringLiteral {
                name,
                value: s.value(),
                span: span_of(s),
            });
        }
    }
}

fn full(prefix: &[String], ident: &str) -> String {
    if prefix.is_empty() {
        ident.to_string()
    } else {
        format!("{}.{ident}", prefix.join("."))
    }
}

impl<'ast> Visit<'ast> for Extractor<'_> {
    fn visit_item_mod(&mut self, item: &'ast ItemMod) {
        if !is_test_only(&item.attrs) {
            visit::visit_item_mod(self, item);
        }
    }

    fn visit_item_fn(&mut self, item: &'ast ItemFn) {
        if is_test_only(&item.attrs) {
            return;
        }
        let id = self.push_function(
            item.sig.ident.to_string(),
            span_of(&item.sig.ident),
            span_of(item),
        );
        if self.stack.is_empty() {
            self.out.exports.push((item.sig.ident.to_string(), id));
        }
        self.inside(id, |this| visit::visit_item_fn(this, item));
    }

    fn visit_impl_item_fn(&mut self, item: &'ast ImplItemFn) {
        if is_test_only(&item.attrs) {
            return;
        }
        let id = self.push_function(
            item.sig.ident.to_string(),
            span_of(&item.sig.ident),
            span_of(item),
        );
        self.inside(id, |this| visit::visit_impl_item_fn(this, item));
    }

    fn visit_expr_closure(&mut self, closure: &'ast ExprClosure) {
        let span = span_of(closure);
        let id = self.push_function("<closure>".into(), span, span);
        if self.handler_closures.contains(&span) {
            self.out.conventional_handlers.push(id);
        }
        // A closure keeps the cache-once context it is written in (`get_or_init(|| ...)`).
        self.stack.push(id);
        visit::visit_expr_closure(self, closure);
        self.stack.pop();
    }

    fn visit_item_const(&mut self, item: &'ast syn::ItemConst) {
        self.string(Some(item.ident.to_string()), &item.expr);
        visit::visit_item_const(self, item);
    }

    fn visit_item_static(&mut self, item: &'ast syn::ItemStatic) {
        self.string(Some(item.ident.to_string()), &item.expr);
        visit::visit_item_static(self, item);
    }

    fn visit_local(&mut self, local: &'ast syn::Local) {
        let name = match &local.pat {
            Pat::Ident(p) => Some(p.ident.to_string()),
            Pat::Type(t) => match &*t.pat {
                Pat::Ident(p) => Some(p.ident.to_string()),
                _ => None,
            },
            _ => None,
        };
        if let (Some(name), Some(init)) = (name, &local.init) {
            let mut value = unwrap_expr(&init.expr);
            if let Expr::Await(a) = value {
                value = unwrap_expr(&a.base);
            }
            self.bound = Some((span_of(value), name.clone()));
            self.string(Some(name), &init.expr);
        }
        visit::visit_local(self, local);
    }

    fn visit_field_value(&mut self, field: &'ast syn::FieldValue) {
        if let syn::Member::Named(name) = &field.member {
            self.string(Some(name.to_string()), &field.expr);
        }
        visit::visit_field_value(self, field);
    }

    fn visit_stmt(&mut self, stmt: &'ast syn::Stmt) {
        if let syn::Stmt::Expr(expr, Some(_)) = stmt {
            if matches!(unwrap_expr(expr), Expr::Call(_) | Expr::MethodCall(_)) {
                self.unused = Some(span_of(unwrap_expr(expr)));
            }
        }
        visit::visit_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'ast Expr) {
        match expr {
            Expr::MethodCall(call) => self.chain(call),
            Expr::Lit(syn::ExprLit {
                lit: Lit::Str(s), ..
            }) => {
                let span = span_of(s);
                if !self.out.strings.iter().any(|known| known.span == span) {
                    self.out.strings.push(StringLiteral {
                        name: None,
                        value: s.value(),
                        span,
                    });
                }
            }
            _ => visit::visit_expr(self, expr),
        }
    }

    fn visit_expr_call(&mut self, call: &'ast ExprCall) {
        let Expr::Path(path) = unwrap_expr(&call.func) else {
            visit::visit_expr_call(self, call);
            return;
        };
        let callee = self.resolve_path(&path.path);
        if callee.ends_with("service_fn") {
            match call.args.first().map(unwrap_expr) {
                Some(Expr::Path(handler)) => {
                    if let Some(last) = handler.path.segments.last() {
                        self.handler_names.push(last.ident.to_string());
                    }
                }
                Some(closure @ Expr::Closure(_)) => self.handler_closures.push(span_of(closure)),
                _ => {}
            }
        }
        let lazy = callee.ends_with("LazyLock.new")
            || callee.ends_with("Lazy.new")
            || callee.ends_with("LazyCell.new");
        let args = self.args(call.args.iter());
        self.record(callee, &Expr::Call(call.clone()), args, Vec::new());
        self.lazy += usize::from(lazy);
        for arg in &call.args {
            self.visit_expr(arg);
        }
        self.lazy -= usize::from(lazy);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_uses_chains_and_handlers() {
        let file = parse(
            r#"use aws_sdk_lambda as lambda;
use lambda_runtime::{run, service_fn, Error, LambdaEvent};
use sqlx::postgres::PgPoolOptions;
use std::sync::OnceLock;

static POOL: OnceLock<sqlx::PgPool> = OnceLock::new();

async fn handler(client: &lambda::Client, event: LambdaEvent<serde_json::Value>) -> Result<(), Error> {
    let pool = PgPoolOptions::new().max_connections(5).connect("postgres://db").await?;
    client.invoke().function_name("billing").send().await?;
    let cached = POOL.get_or_init(|| sqlx::PgPool::connect_lazy("postgres://db").unwrap());
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let config = aws_config::load_from_env().await;
    let client = lambda::Client::new(&config);
    run(service_fn(|event| handler(&client, event))).await
}

#[cfg(test)]
mod tests {
    fn t() { let pool = sqlx::PgPool::connect("x"); }
}
"#,
        )
        .unwrap();
        let calls: Vec<(&str, Option<FunctionId>, bool)> = file
            .calls
            .iter()
            .map(|c| (c.callee.as_str(), c.function, c.lazily_cached))
            .collect();
        assert!(
            calls.contains(&(
                "sqlx.postgres.PgPoolOptions.new",
                Some(FunctionId::new(0)),
                false
            )),
            "{calls:#?}"
        );
        assert!(calls.contains(&("client.invoke", Some(FunctionId::new(0)), false)));
        assert!(
            calls.contains(&("sqlx.PgPool.connect_lazy", Some(FunctionId::new(1)), true)),
            "{calls:#?}"
        );
        assert!(calls.contains(&("aws_config.load_from_env", Some(FunctionId::new(2)), false)));
        assert!(calls.contains(&("aws_sdk_lambda.Client.new", Some(FunctionId::new(2)), false)));
        assert!(
            !calls.iter().any(|(c, _, _)| *c == "sqlx.PgPool.connect"),
            "test code is skipped"
        );
        let pool = file
            .calls
            .iter()
            .find(|c| c.callee == "sqlx.postgres.PgPoolOptions.new")
            .unwrap();
        let chain: Vec<&str> = pool.chain.iter().map(|(m, _)| m.as_str()).collect();
        assert_eq!(chain, ["max_connections", "connect"]);
        assert_eq!(pool.bound_to.as_deref(), Some("pool"));
        let invoke = file
            .calls
            .iter()
            .find(|c| c.callee == "client.invoke")
            .unwrap();
        assert_eq!(
            invoke.chain[0],
            (
                "function_name".to_string(),
                vec![Arg {
                    name: None,
                    value: ArgValue::Str("billing".into())
                }]
            )
        );
        // The handler is the closure given to service_fn; it calls `handler`.
        assert_eq!(file.conventional_handlers.len(), 1);
        let closure = file.conventional_handlers[0];
        assert_eq!(file.functions[closure].name, "<closure>");
        let reached = file.per_invocation(&file.conventional_handlers);
        assert!(reached[FunctionId::new(0)], "handler runs per invocation");
        assert!(!reached[FunctionId::new(2)], "main does not");
    }

    #[test]
    fn syntax_errors_and_depth() {
        let error = parse("fn main() { let x = ; }").unwrap_err();
        assert!(error.span.start > 0);
        let deep = format!(
            "fn main() {{ let x = {}1{}; }}",
            "(".repeat(5000),
            ")".repeat(5000)
        );
        assert!(parse(&deep).unwrap_err().reason.contains("deeper than"));
    }
}
