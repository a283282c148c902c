//! TypeScript and JavaScript (swc) into the [`CodeFile`] model.

use super::Unreadable;
use crate::model::{
    is_route_field, Arg, ArgValue, Call, CodeFile, CodeFunction, Dispatch, FunctionId, Import,
    Language, StringLiteral,
};
use crate::source::Span;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use swc_common::{BytePos, Spanned};
use swc_ecma_ast::*;
use swc_ecma_parser::{lexer::Lexer, EsSyntax, Parser, StringInput, Syntax, TsSyntax};
use swc_ecma_visit::{Visit, VisitWith};

pub fn language(path: &Path) -> Option<Language> {
    match path.extension()?.to_str()? {
        "ts" | "tsx" | "mts" | "cts" => Some(Language::TypeScript),
        "js" | "jsx" | "mjs" | "cjs" => Some(Language::JavaScript),
        _ => None,
    }
}

/// Deeper nesting than this is refused rather than parsed and walked (both recurse).
const MAX_DEPTH: usize = 500;

/// Where swc's positions of `text` start: position 0 is swc's "no position".
pub(crate) const BASE: u32 = 1;

/// The syntax tree of `text`, TypeScript or JavaScript by `extension`; positions start at `BASE`.
/// Straight from the borrowed text: a `SourceMap` would take a copy of the whole file.
pub fn parse_program(extension: &str, text: &str) -> swc_ecma_parser::PResult<Program> {
    let syntax = match extension {
        "ts" | "mts" | "cts" => Syntax::Typescript(TsSyntax {
            decorators: true,
            ..Default::default()
        }),
        "tsx" => Syntax::Typescript(TsSyntax {
            tsx: true,
            decorators: true,
            ..Default::default()
        }),
        _ => Syntax::Es(EsSyntax {
            jsx: true,
            decorators: true,
            ..Default::default()
        }),
    };
    let end = BytePos(BASE + u32::try_from(text.len()).unwrap_or(u32::MAX - BASE));
    let lexer = Lexer::new(
        syntax,
        EsVersion::latest(),
        StringInput::new(text, BytePos(BASE), end),
        None,
    );
    Parser::new_from(lexer).parse_program()
}

pub fn parse(path: &Path, text: &str) -> Result<CodeFile, Unreadable> {
    parse_with(path, text, |_| {})
}

/// [`parse`], with `with_program` shown the syntax tree too (the CDK reader), so that a file is
/// parsed once for both.
pub fn parse_with(
    path: &Path,
    text: &str,
    with_program: impl FnOnce(&Program),
) -> Result<CodeFile, Unreadable> {
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let what = if extension.starts_with('t') {
        "TypeScript file"
    } else {
        "JavaScript file"
    };
    if let Some(at) = super::too_deep(text, MAX_DEPTH) {
        return Err(Unreadable {
            span: Span::new(at, at),
            what,
            reason: format!("nesting is deeper than {MAX_DEPTH} levels"),
        });
    }
    let program = parse_program(extension, text).map_err(|error| {
        let span = error.span();
        Unreadable {
            span: to_span(BASE, text, span),
            what,
            reason: error.kind().msg().to_string(),
        }
    })?;
    with_program(&program);
    let mut extractor = Extractor {
        base: BASE,
        text,
        out: CodeFile::new(language(path).unwrap_or(Language::JavaScript)),
        imports: HashMap::new(),
        stack: Vec::new(),
        names: HashMap::new(),
        exported: Vec::new(),
        statement_call: None,
        args_unused: false,
        lazy: 0,
        guards: Vec::new(),
        invocation_data: Vec::new(),
        wrapped: Vec::new(),
        module_names: HashSet::new(),
        assigning: Vec::new(),
        bound: HashMap::new(),
        named_strings: HashSet::new(),
    };
    extractor.collect_imports(&program);
    program.visit_with(&mut extractor);
    Ok(extractor.finish())
}

/// The call as written in JavaScript, for messages: `` `new Pool()` from `pg` ``.
pub fn describe_call(call: &Call) -> String {
    let new = if call.is_new { "new " } else { "" };
    match call.callee.split_once('.') {
        Some((module, symbol)) => format!("`{new}{symbol}()` from `{module}`"),
        None => format!("`{new}{}()`", call.callee),
    }
}

pub(crate) fn to_span(base: u32, text: &str, span: swc_common::Span) -> Span {
    let clamp = |pos: u32| (pos.saturating_sub(base) as usize).min(text.len());
    Span::new(clamp(span.lo.0), clamp(span.hi.0))
}

fn str_value(s: &Str) -> String {
    s.value.to_atom_lossy().as_str().to_string()
}

fn unwrap_expr(mut expr: &Expr) -> &Expr {
    loop {
        expr = match expr {
            Expr::Paren(p) => &p.expr,
            Expr::TsAs(e) => &e.expr,
            Expr::TsNonNull(e) => &e.expr,
            Expr::TsSatisfies(e) => &e.expr,
            Expr::TsTypeAssertion(e) => &e.expr,
            Expr::TsConstAssertion(e) => &e.expr,
            _ => return expr,
        }
    }
}

fn prop_name(name: &PropName) -> Option<String> {
    match name {
        PropName::Ident(i) => Some(i.sym.to_string()),
        PropName::Str(s) => Some(str_value(s)),
        _ => None,
    }
}

fn is_function(expr: &Expr) -> bool {
    matches!(unwrap_expr(expr), Expr::Arrow(_) | Expr::Fn(_))
}

/// The function a wrapper call is given (`middy(fn)`, `middy(fn).use(x)`, `wrap(fn)`).
fn wrapped_function(expr: &Expr) -> Option<&Expr> {
    match unwrap_expr(expr) {
        Expr::Call(call) => {
            if let Some(arg) = call.args.iter().find(|a| is_function(&a.expr)) {
                return Some(&arg.expr);
            }
            match &call.callee {
                Callee::Expr(callee) => match unwrap_expr(callee) {
                    Expr::Member(member) => wrapped_function(&member.obj),
                    _ => None,
                },
                _ => None,
            }
        }
        _ => None,
    }
}

/// The function a wrapper is given by name: `baseHandler` in `middy(baseHandler).use(...)`,
/// `Sentry.AWSLambda.wrapHandler(main)`, `withTracing(handler)`.
fn wrapped_name(expr: &Expr) -> Option<String> {
    let Expr::Call(call) = unwrap_expr(expr) else {
        return None;
    };
    let inner = match &call.callee {
        Callee::Expr(callee) => match unwrap_expr(callee) {
            Expr::Member(member) => wrapped_name(&member.obj),
            _ => None,
        },
        _ => None,
    };
    inner.or_else(|| match call.args.first().map(|a| unwrap_expr(&a.expr)) {
        Some(Expr::Ident(ident)) => Some(ident.sym.to_string()),
        _ => None,
    })
}

/// `module.exports.handler` / `exports.handler` -> `handler`.
fn commonjs_export(expr: &Expr) -> Option<String> {
    let Expr::Member(member) = unwrap_expr(expr) else {
        return None;
    };
    let MemberProp::Ident(prop) = &member.prop else {
        return None;
    };
    let is_exports = match unwrap_expr(&member.obj) {
        Expr::Ident(i) => i.sym == *"exports",
        Expr::Member(inner) => {
            matches!(unwrap_expr(&inner.obj), Expr::Ident(i) if i.sym == *"module")
                && matches!(&inner.prop, MemberProp::Ident(p) if p.sym == *"exports")
        }
        _ => false,
    };
    is_exports.then(|| prop.sym.to_string())
}

fn is_module_exports(expr: &Expr) -> bool {
    let Expr::Member(member) = unwrap_expr(expr) else {
        return false;
    };
    matches!(unwrap_expr(&member.obj), Expr::Ident(i) if i.sym == *"module")
        && matches!(&member.prop, MemberProp::Ident(p) if p.sym == *"exports")
}

struct Extractor<'a> {
    base: u32,
    text: &'a str,
    out: CodeFile,
    /// Local name -> module path (`Pool` -> `pg.Pool`, `AWS` -> `aws-sdk`).
    imports: HashMap<String, String>,
    stack: Vec<FunctionId>,
    /// Names for function expressions, by their start: `const handler = async () => {}`.
    names: HashMap<u32, String>,
    exported: Vec<String>,
    /// The call that is a whole expression statement (its result is dropped).
    statement_call: Option<swc_common::Span>,
    args_unused: bool,
    /// Depth of cache-once forms we are inside (`pool ??= ...`, `pool || ...`).
    lazy: usize,
    /// Names that `if (!x)` / `if (x == null)` guards we are inside test, each with whether it
    /// outlives an invocation (declared at module scope, or a property).
    guards: Vec<(String, bool)>,
    /// Names bound to a wrapper of a function given by name: (`handler`, `baseHandler`).
    wrapped: Vec<(String, String)>,
    /// Per function we are in: its parameters and the variables computed from them.
    invocation_data: Vec<HashSet<String>>,
    /// Variables declared at module scope: they live as long as the execution environment.
    module_names: HashSet<String>,
    /// The names assignments we are on the right side of assign to.
    assigning: Vec<String>,
    /// Calls' results bound to names, by the call's start.
    bound: HashMap<u32, String>,
    named_strings: HashSet<u32>,
}

impl Extractor<'_> {
    fn span(&self, span: swc_common::Span) -> Span {
        to_span(self.base, self.text, span)
    }

    fn finish(mut self) -> CodeFile {
        let exported = std::mem::take(&mut self.exported);
        for name in exported {
            // `export const handler = middy(baseHandler)`: the wrapped function answers.
            let wrapped = self
                .wrapped
                .iter()
                .find(|(export, _)| *export == name)
                .and_then(|(_, local)| self.out.function_named(local));
            if let Some(id) = self.out.function_named(&name).or(wrapped) {
                self.out.exports.push((name.clone(), id));
                if name == "handler" || name.ends_with("Handler") || name.ends_with("_handler") {
                    self.out.conventional_handlers.push(id);
                }
            }
        }
        self.out
    }

    /// Imports and `require`s first, so a call resolves wherever its import is written.
    fn collect_imports(&mut self, program: &Program) {
        /// Local names to module paths, and the module specifiers the file imports.
        struct Imports<'m>(&'m mut HashMap<String, String>, &'m mut Vec<Import>);
        impl Visit for Imports<'_> {
            fn visit_call_expr(&mut self, call: &CallExpr) {
                if let Some(module) = required(call) {
                    self.1.push(Import::new(module.clone(), module));
                }
                call.visit_children_with(self);
            }

            fn visit_export_all(&mut self, export: &ExportAll) {
                let module = str_value(&export.src);
                self.1.push(Import::new(module.clone(), module));
            }

            fn visit_named_export(&mut self, export: &NamedExport) {
                if let Some(module) = export.src.as_deref().map(str_value) {
                    self.1.push(Import::new(module.clone(), module));
                }
            }

            fn visit_import_decl(&mut self, import: &ImportDecl) {
                let module = str_value(&import.src);
                self.1.push(Import::new(module.clone(), module.clone()));
                for specifier in &import.specifiers {
                    let (local, path) = match specifier {
                        ImportSpecifier::Named(named) => {
                            let imported = match &named.imported {
                                Some(ModuleExportName::Ident(i)) => i.sym.to_string(),
                                Some(ModuleExportName::Str(s)) => str_value(s),
                                None => named.local.sym.to_string(),
                            };
                            (named.local.sym.to_string(), format!("{module}.{imported}"))
                        }
                        ImportSpecifier::Default(default) => {
                            (default.local.sym.to_string(), module.clone())
                        }
                        ImportSpecifier::Namespace(all) => {
                            (all.local.sym.to_string(), module.clone())
                        }
                    };
                    self.0.insert(local, path);
                }
            }

            fn visit_var_declarator(&mut self, declarator: &VarDeclarator) {
                let Some(init) = &declarator.init else { return };
                let Some(module) = required_module(init) else {
                    declarator.visit_children_with(self);
                    return;
                };
                self.1.push(Import::new(module.clone(), module.clone()));
                match &declarator.name {
                    Pat::Ident(id) => {
                        self.0.insert(id.sym.to_string(), module);
                    }
                    Pat::Object(object) => {
                        for prop in &object.props {
                            match prop {
                                ObjectPatProp::Assign(assign) => {
                                    let name = assign.key.sym.to_string();
                                    self.0.insert(name.clone(), format!("{module}.{name}"));
                                }
                                ObjectPatProp::KeyValue(kv) => {
                                    if let (Some(key), Pat::Ident(local)) =
                                        (prop_name(&kv.key), &*kv.value)
                                    {
                                        self.0.insert(
                                            local.sym.to_string(),
                                            format!("{module}.{key}"),
                                        );
                                    }
                                }
                                ObjectPatProp::Rest(_) => {}
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        program.visit_with(&mut Imports(&mut self.imports, &mut self.out.imports));
        self.out.imports.sort();
        self.out.imports.dedup();
        self.module_names = module_level_names(program);
    }

    /// The dotted path an expression names, with imports resolved.
    fn resolve(&self, expr: &Expr) -> Option<String> {
        match unwrap_expr(expr) {
            Expr::Ident(ident) => {
                let name = ident.sym.to_string();
                Some(self.imports.get(&name).cloned().unwrap_or(name))
            }
            Expr::This(_) => Some("this".to_string()),
            Expr::Member(member) => {
                let object = self.resolve(&member.obj)?;
                match &member.prop {
                    MemberProp::Ident(prop) => Some(format!("{object}.{}", prop.sym)),
                    MemberProp::Computed(computed) => match unwrap_expr(&computed.expr) {
                        Expr::Lit(Lit::Str(s)) => Some(format!("{object}.{}", str_value(s))),
                        _ => None,
                    },
                    MemberProp::PrivateName(_) => None,
                }
            }
            Expr::Call(call) => {
                // `require("pg").Pool` and `require("aws-sdk")`.
                required(call)
            }
            _ => None,
        }
    }

    fn arg_value(&self, expr: &Expr) -> ArgValue {
        match unwrap_expr(expr) {
            Expr::Lit(Lit::Str(s)) => ArgValue::Str(str_value(s)),
            Expr::Tpl(tpl) if tpl.exprs.is_empty() => ArgValue::Str(
                tpl.quasis
                    .iter()
                    .filter_map(|q| {
                        q.cooked
                            .as_ref()
                            .map(|c| c.to_atom_lossy().as_str().to_string())
                    })
                    .collect(),
            ),
            Expr::Array(array) => ArgValue::List(
                array
                    .elems
                    .iter()
                    .flatten()
                    .filter(|e| e.spread.is_none())
                    .map(|e| self.arg_value(&e.expr))
                    .collect(),
            ),
            Expr::Object(object) => ArgValue::Object(
                object
                    .props
                    .iter()
                    .filter_map(|prop| match prop {
                        PropOrSpread::Prop(prop) => match &**prop {
                            Prop::KeyValue(kv) => {
                                Some((prop_name(&kv.key)?, self.arg_value(&kv.value)))
                            }
                            Prop::Shorthand(ident) => {
                                Some((ident.sym.to_string(), ArgValue::Path(ident.sym.to_string())))
                            }
                            _ => None,
                        },
                        PropOrSpread::Spread(_) => None,
                    })
                    .collect(),
            ),
            other => match self.resolve(other) {
                Some(path) => match path.strip_prefix("process.env.") {
                    Some(variable) => ArgValue::EnvVar(variable.to_string()),
                    None => ArgValue::Path(path),
                },
                None => ArgValue::Other,
            },
        }
    }

    fn push_function(
        &mut self,
        name: String,
        name_span: swc_common::Span,
        whole: swc_common::Span,
    ) -> FunctionId {
        let function = CodeFunction {
            // A function without a name is shown as `<anonymous>` or `<method>`.
            anonymous: name.starts_with('<'),
            name,
            span: self.span(name_span),
            body: self.span(whole),
            parent: self.stack.last().copied(),
        };
        self.out.functions.push(function)
    }

    fn in_function<'p>(
        &mut self,
        id: FunctionId,
        params: impl IntoIterator<Item = &'p Pat>,
        visit: impl FnOnce(&mut Self),
    ) {
        self.stack.push(id);
        let mut names = HashSet::new();
        for param in params {
            pat_names(param, &mut names);
        }
        self.invocation_data.push(names);
        let saved = (self.lazy, self.args_unused, self.statement_call.take());
        let guards = std::mem::take(&mut self.guards);
        self.lazy = 0;
        self.args_unused = false;
        visit(self);
        (self.lazy, self.args_unused, self.statement_call) = saved;
        self.guards = guards;
        self.invocation_data.pop();
        self.stack.pop();
    }

    /// Whether `expr` reads data of this invocation (see `Call::from_invocation_data`).
    fn reads_invocation_data(&self, expr: &Expr) -> bool {
        struct Reads<'a>(&'a [HashSet<String>], bool);
        impl Visit for Reads<'_> {
            fn visit_ident(&mut self, ident: &Ident) {
                self.1 |= self
                    .0
                    .iter()
                    .any(|names| names.contains(ident.sym.as_str()));
            }
        }
        if self.invocation_data.is_empty() {
            return false;
        }
        let mut reads = Reads(&self.invocation_data, false);
        expr.visit_with(&mut reads);
        reads.1
    }

    /// `const region = event.region`: a variable computed from invocation data is some.
    fn track_invocation_data(&mut self, pat: &Pat, value: &Expr) {
        if self.reads_invocation_data(value) {
            if let Some(names) = self.invocation_data.last_mut() {
                pat_names(pat, names);
            }
        }
    }

    fn record_call(
        &mut self,
        span: swc_common::Span,
        callee: Option<String>,
        is_new: bool,
        args: &[ExprOrSpread],
    ) -> bool {
        let used = self.statement_call != Some(span) && !self.args_unused;
        if let Some(callee) = callee {
            let call = Call {
                callee,
                display: String::new(),
                span: self.span(span),
                function: self.stack.last().copied(),
                is_new,
                args: args
                    .iter()
                    .map(|a| Arg {
                        name: None,
                        value: self.arg_value(&a.expr),
                    })
                    .collect(),
                chain: Vec::new(),
                result_used: used,
                lazily_cached: self.lazy > 0
                    || self.guarded(self.bound.get(&span.lo.0).or(self.assigning.last())),
                from_invocation_data: args.iter().any(|a| self.reads_invocation_data(&a.expr)),
                bound_to: self.bound.get(&span.lo.0).cloned(),
            };
            self.out.calls.push(call);
        }
        used
    }

    fn string(&mut self, name: Option<String>, expr: &Expr) {
        let (value, span) = match unwrap_expr(expr) {
            Expr::Lit(Lit::Str(s)) => (str_value(s), s.span),
            Expr::Tpl(tpl) if tpl.exprs.is_empty() => match self.arg_value(expr) {
                ArgValue::Str(value) => (value, tpl.span),
                _ => return,
            },
            _ => return,
        };
        self.named_strings.insert(span.lo.0);
        let span = self.span(span);
        self.out.strings.push(StringLiteral { name, value, span });
    }

    /// Whether `test` guards a cache-once assignment: `!x`, `x == null`, `x === undefined`,
    /// `typeof x === "undefined"`.
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

    /// The variable an `if (!x)`, `if (x == null)` or `if (x === undefined)` test checks, and
    /// whether it outlives an invocation.
    fn unset_test(&self, test: &Expr) -> Option<(String, bool)> {
        let tested = match unwrap_expr(test) {
            Expr::Unary(unary) if unary.op == UnaryOp::Bang => &unary.arg,
            Expr::Bin(bin) if matches!(bin.op, BinaryOp::EqEq | BinaryOp::EqEqEq) => {
                let unset = |e: &Expr| match unwrap_expr(e) {
                    Expr::Lit(Lit::Null(_)) => true,
                    Expr::Ident(i) => i.sym == *"undefined",
                    Expr::Lit(Lit::Str(s)) => str_value(s) == "undefined",
                    _ => false,
                };
                match (unset(&bin.left), unset(&bin.right)) {
                    (true, false) => &bin.right,
                    (false, true) => &bin.left,
                    _ => return None,
                }
            }
            _ => return None,
        };
        match unwrap_expr(tested) {
            Expr::Ident(ident) => {
                let name = ident.sym.to_string();
                let lasting = self.module_names.contains(&name);
                Some((name, lasting))
            }
            Expr::Member(member) => match &member.prop {
                MemberProp::Ident(prop) => Some((prop.sym.to_string(), true)),
                _ => None,
            },
            _ => None,
        }
    }
}

/// The names a pattern binds: `event`, `{ body, headers }`, `[first, ...rest]`, `x = 1`.
fn pat_names(pat: &Pat, out: &mut HashSet<String>) {
    match pat {
        Pat::Ident(ident) => {
            out.insert(ident.sym.to_string());
        }
        Pat::Array(array) => array.elems.iter().flatten().for_each(|p| pat_names(p, out)),
        Pat::Rest(rest) => pat_names(&rest.arg, out),
        Pat::Assign(assign) => pat_names(&assign.left, out),
        Pat::Object(object) => {
            for prop in &object.props {
                match prop {
                    ObjectPatProp::KeyValue(kv) => pat_names(&kv.value, out),
                    ObjectPatProp::Assign(assign) => {
                        out.insert(assign.key.sym.to_string());
                    }
                    ObjectPatProp::Rest(rest) => pat_names(&rest.arg, out),
                }
            }
        }
        _ => {}
    }
}

/// The variables a module declares at its top level (`let pool;`, `export const client = ...`).
fn module_level_names(program: &Program) -> HashSet<String> {
    let Program::Module(module) = program else {
        let Program::Script(script) = program else {
            return HashSet::new();
        };
        return script.body.iter().flat_map(statement_names).collect();
    };
    module
        .body
        .iter()
        .flat_map(|item| match item {
            ModuleItem::Stmt(stmt) => statement_names(stmt),
            ModuleItem::ModuleDecl(ModuleDecl::ExportDecl(export)) => match &export.decl {
                Decl::Var(var) => var_names(var),
                _ => Vec::new(),
            },
            _ => Vec::new(),
        })
        .collect()
}

fn statement_names(stmt: &Stmt) -> Vec<String> {
    match stmt {
        Stmt::Decl(Decl::Var(var)) => var_names(var),
        _ => Vec::new(),
    }
}

fn var_names(var: &VarDecl) -> Vec<String> {
    var.decls
        .iter()
        .filter_map(|d| match &d.name {
            Pat::Ident(id) => Some(id.sym.to_string()),
            _ => None,
        })
        .collect()
}

fn required_module(expr: &Expr) -> Option<String> {
    match unwrap_expr(expr) {
        Expr::Call(call) => required(call),
        _ => None,
    }
}

/// `require("pg")` -> `pg`.
fn required(call: &CallExpr) -> Option<String> {
    let Callee::Expr(callee) = &call.callee else {
        return None;
    };
    let Expr::Ident(ident) = unwrap_expr(callee) else {
        return None;
    };
    if ident.sym != *"require" {
        return None;
    }
    match call.args.first().map(|a| unwrap_expr(&a.expr)) {
        Some(Expr::Lit(Lit::Str(s))) => Some(str_value(s)),
        _ => None,
    }
}

impl Visit for Extractor<'_> {
    fn visit_fn_decl(&mut self, decl: &FnDecl) {
        let id = self.push_function(
            decl.ident.sym.to_string(),
            decl.ident.span,
            decl.function.span,
        );
        let params = decl.function.params.iter().map(|p| &p.pat);
        self.in_function(id, params, |this| decl.function.visit_children_with(this));
    }

    fn visit_arrow_expr(&mut self, arrow: &ArrowExpr) {
        let name = self
            .names
            .get(&arrow.span.lo.0)
            .cloned()
            .unwrap_or_else(|| "<anonymous>".into());
        let id = self.push_function(name, arrow.span, arrow.span);
        self.in_function(id, &arrow.params, |this| arrow.visit_children_with(this));
    }

    fn visit_fn_expr(&mut self, expr: &FnExpr) {
        let name = self
            .names
            .get(&expr.function.span.lo.0)
            .cloned()
            .or_else(|| expr.ident.as_ref().map(|i| i.sym.to_string()))
            .unwrap_or_else(|| "<anonymous>".into());
        let id = self.push_function(name, expr.function.span, expr.function.span);
        let params = expr.function.params.iter().map(|p| &p.pat);
        self.in_function(id, params, |this| expr.function.visit_children_with(this));
    }

    fn visit_class_method(&mut self, method: &ClassMethod) {
        let name = prop_name(&method.key).unwrap_or_else(|| "<method>".into());
        let id = self.push_function(name, method.key.span(), method.span);
        let params = method.function.params.iter().map(|p| &p.pat);
        self.in_function(id, params, |this| method.function.visit_children_with(this));
    }

    fn visit_method_prop(&mut self, method: &MethodProp) {
        let name = prop_name(&method.key).unwrap_or_else(|| "<method>".into());
        let id = self.push_function(name, method.key.span(), method.function.span);
        let params = method.function.params.iter().map(|p| &p.pat);
        self.in_function(id, params, |this| method.function.visit_children_with(this));
    }

    fn visit_export_decl(&mut self, export: &ExportDecl) {
        match &export.decl {
            Decl::Fn(f) => self.exported.push(f.ident.sym.to_string()),
            Decl::Var(var) => {
                for declarator in &var.decls {
                    if let Pat::Ident(id) = &declarator.name {
                        self.exported.push(id.sym.to_string());
                    }
                }
            }
            _ => {}
        }
        export.visit_children_with(self);
    }

    fn visit_named_export(&mut self, export: &NamedExport) {
        if export.src.is_some() {
            return;
        }
        for specifier in &export.specifiers {
            if let ExportSpecifier::Named(named) = specifier {
                let name = |n: &ModuleExportName| match n {
                    ModuleExportName::Ident(i) => i.sym.to_string(),
                    ModuleExportName::Str(s) => str_value(s),
                };
                let local = name(&named.orig);
                let exported = named.exported.as_ref().map_or(local.clone(), name);
                // `export { main as handler }`: the local function answers to the exported name.
                if let Some(id) = self.out.function_named(&local) {
                    if exported != local {
                        self.out.functions[id].name = exported.clone();
                        self.out.functions[id].anonymous = false;
                    }
                }
                self.exported.push(exported);
            }
        }
    }

    fn visit_export_default_expr(&mut self, export: &ExportDefaultExpr) {
        if let Expr::Object(object) = unwrap_expr(&export.expr) {
            let has_fetch = object.props.iter().any(|prop| match prop {
                PropOrSpread::Prop(prop) => match &**prop {
                    Prop::Method(m) => prop_name(&m.key).as_deref() == Some("fetch"),
                    Prop::KeyValue(kv) => prop_name(&kv.key).as_deref() == Some("fetch"),
                    Prop::Shorthand(i) => i.sym == *"fetch",
                    _ => false,
                },
                PropOrSpread::Spread(_) => false,
            });
            self.out.is_worker |= has_fetch;
        }
        export.visit_children_with(self);
    }

    fn visit_var_declarator(&mut self, declarator: &VarDeclarator) {
        if let Some(init) = &declarator.init {
            self.track_invocation_data(&declarator.name, init);
        }
        if let (Pat::Ident(id), Some(init)) = (&declarator.name, &declarator.init) {
            let name = id.sym.to_string();
            let target = if is_function(init) {
                Some(&**init)
            } else {
                wrapped_function(init)
            };
            if let Some(function) = target {
                self.names.insert(function_start(function), name.clone());
            } else if let Some(local) = wrapped_name(init) {
                self.wrapped.push((name.clone(), local));
            }
            let value = match unwrap_expr(init) {
                Expr::Await(a) => unwrap_expr(&a.arg),
                other => other,
            };
            if matches!(value, Expr::Call(_) | Expr::New(_)) {
                self.bound.insert(value.span().lo.0, name.clone());
            }
            if let Expr::Object(_) = value {
                self.out.objects.push((name.clone(), self.arg_value(value)));
            } else if let read @ ArgValue::EnvVar(_) = self.arg_value(value) {
                // `const table = process.env.TABLE_NAME`: a request given `table` reads it.
                self.out.objects.push((name.clone(), read));
            }
            self.string(Some(name), init);
        }
        declarator.visit_children_with(self);
    }

    fn visit_key_value_prop(&mut self, prop: &KeyValueProp) {
        if let Some(key) = prop_name(&prop.key) {
            if is_function(&prop.value) {
                self.names.insert(function_start(&prop.value), key.clone());
            }
            self.string(Some(key), &prop.value);
        }
        prop.visit_children_with(self);
    }

    fn visit_class_prop(&mut self, prop: &ClassProp) {
        if let (Some(key), Some(value)) = (prop_name(&prop.key), &prop.value) {
            self.string(Some(key), value);
        }
        prop.visit_children_with(self);
    }

    fn visit_assign_expr(&mut self, assign: &AssignExpr) {
        let target_name = match &assign.left {
            AssignTarget::Simple(SimpleAssignTarget::Ident(id)) => Some(id.sym.to_string()),
            AssignTarget::Simple(SimpleAssignTarget::Member(member)) => match &member.prop {
                MemberProp::Ident(prop) => Some(prop.sym.to_string()),
                _ => None,
            },
            _ => None,
        };
        if let AssignTarget::Simple(SimpleAssignTarget::Member(member)) = &assign.left {
            let target = Expr::Member(member.clone());
            if let Some(export) = commonjs_export(&target) {
                self.exported.push(export.clone());
                if is_function(&assign.right) {
                    self.names.insert(function_start(&assign.right), export);
                } else if let Some(function) = wrapped_function(&assign.right) {
                    self.names.insert(function_start(function), export);
                } else if let Some(local) = wrapped_name(&assign.right) {
                    self.wrapped.push((export, local));
                }
            } else if is_module_exports(&target) {
                self.export_object(&assign.right);
            }
        }
        if let AssignTarget::Simple(SimpleAssignTarget::Ident(id)) = &assign.left {
            let pat = Pat::Ident(id.clone());
            self.track_invocation_data(&pat, &assign.right);
        }
        if let Some(name) = &target_name {
            let value = match unwrap_expr(&assign.right) {
                Expr::Await(a) => unwrap_expr(&a.arg),
                other => other,
            };
            if matches!(value, Expr::Call(_) | Expr::New(_)) {
                self.bound.insert(value.span().lo.0, name.clone());
            }
            if assign.op == AssignOp::Assign {
                self.string(Some(name.clone()), &assign.right);
            }
        }
        // `pool ??= new Pool()`, `pool ||= ...`: evaluated once, then cached.
        let caches = matches!(assign.op, AssignOp::NullishAssign | AssignOp::OrAssign);
        self.lazy += usize::from(caches);
        // `table = new DynamoDB().table(name)`: every call on the right side builds what is
        // assigned, for a guard on `table`.
        let assigning = target_name.is_some();
        self.assigning.extend(target_name);
        assign.visit_children_with(self);
        if assigning {
            self.assigning.pop();
        }
        self.lazy -= usize::from(caches);
    }

    fn visit_bin_expr(&mut self, bin: &BinExpr) {
        // `pool = pool ?? new Pool()` / `pool || createPool()`: the right side runs once.
        let caches = matches!(bin.op, BinaryOp::NullishCoalescing | BinaryOp::LogicalOr);
        bin.left.visit_with(self);
        self.lazy += usize::from(caches);
        bin.right.visit_with(self);
        self.lazy -= usize::from(caches);
    }

    fn visit_if_stmt(&mut self, stmt: &IfStmt) {
        stmt.test.visit_with(self);
        let guard = self.unset_test(&stmt.test);
        let guarded = guard.is_some();
        self.guards.extend(guard);
        stmt.cons.visit_with(self);
        if guarded {
            self.guards.pop();
        }
        if let Some(alt) = &stmt.alt {
            alt.visit_with(self);
        }
    }

    fn visit_switch_stmt(&mut self, stmt: &SwitchStmt) {
        let on_route = match unwrap_expr(&stmt.discriminant) {
            Expr::Tpl(tpl) => tpl
                .exprs
                .iter()
                .any(|e| self.resolve(e).is_some_and(|p| is_route_field(&p))),
            other => self.resolve(other).is_some_and(|p| is_route_field(&p)),
        };
        let routes = stmt
            .cases
            .iter()
            .filter(|c| {
                matches!(
                    c.test.as_deref().map(unwrap_expr),
                    Some(Expr::Lit(Lit::Str(_)) | Expr::Tpl(_))
                )
            })
            .count();
        if on_route && routes > 0 {
            let span = self.span(stmt.span);
            self.out.dispatches.push(Dispatch {
                span,
                function: self.stack.last().copied(),
                routes,
            });
        }
        stmt.visit_children_with(self);
    }

    fn visit_expr_stmt(&mut self, stmt: &ExprStmt) {
        if let Expr::Call(_) | Expr::New(_) = unwrap_expr(&stmt.expr) {
            self.statement_call = Some(unwrap_expr(&stmt.expr).span());
        }
        stmt.visit_children_with(self);
    }

    fn visit_call_expr(&mut self, call: &CallExpr) {
        let callee = match &call.callee {
            Callee::Expr(callee) => self.resolve(callee),
            _ => None,
        };
        let used = self.record_call(call.span, callee, false, &call.args);
        let saved = std::mem::replace(&mut self.args_unused, !used);
        call.visit_children_with(self);
        self.args_unused = saved;
    }

    fn visit_new_expr(&mut self, new: &NewExpr) {
        let callee = self.resolve(&new.callee);
        let args = new.args.as_deref().unwrap_or_default();
        let used = self.record_call(new.span, callee, true, args);
        let saved = std::mem::replace(&mut self.args_unused, !used);
        new.visit_children_with(self);
        self.args_unused = saved;
    }

    fn visit_await_expr(&mut self, expr: &AwaitExpr) {
        let saved = (
            std::mem::replace(&mut self.args_unused, false),
            self.statement_call.take(),
        );
        expr.visit_children_with(self);
        (self.args_unused, self.statement_call) = saved;
    }

    fn visit_str(&mut self, s: &Str) {
        if !self.named_strings.contains(&s.span.lo.0) {
            let span = self.span(s.span);
            self.out.strings.push(StringLiteral {
                name: None,
                value: str_value(s),
                span,
            });
        }
    }
}

impl Extractor<'_> {
    /// `module.exports = { handler, other: async () => {} }`.
    fn export_object(&mut self, expr: &Expr) {
        let Expr::Object(object) = unwrap_expr(expr) else {
            return;
        };
        for prop in &object.props {
            let PropOrSpread::Prop(prop) = prop else {
                continue;
            };
            match &**prop {
                Prop::Shorthand(ident) => self.exported.push(ident.sym.to_string()),
                Prop::KeyValue(kv) => {
                    if let Some(key) = prop_name(&kv.key) {
                        if let Expr::Ident(local) = unwrap_expr(&kv.value) {
                            if let Some(id) = self.out.function_named(&local.sym) {
                                self.out.functions[id].name = key.clone();
                                self.out.functions[id].anonymous = false;
                            }
                        }
                        self.exported.push(key);
                    }
                }
                Prop::Method(m) => self.exported.extend(prop_name(&m.key)),
                _ => {}
            }
        }
    }
}

fn function_start(expr: &Expr) -> u32 {
    match unwrap_expr(expr) {
        Expr::Arrow(arrow) => arrow.span.lo.0,
        Expr::Fn(f) => f.function.span.lo.0,
        other => other.span().lo.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ts(text: &str) -> CodeFile {
        parse(Path::new("handler.ts"), text).unwrap()
    }

    fn call<'c>(file: &'c CodeFile, callee: &str) -> &'c Call {
        file.calls
            .iter()
            .find(|c| c.callee == callee)
            .unwrap_or_else(|| {
                panic!(
                    "no call of {callee}: {:#?}",
                    file.calls.iter().map(|c| &c.callee).collect::<Vec<_>>()
                )
            })
    }

    #[test]
    fn resolves_imports_and_requires() {
        let file = parse_ts(
            r#"import { Pool as PgPool } from "pg";
import pg from "pg";
import * as AWS from "aws-sdk";
const { MongoClient } = require("mongodb");
const mysql = require("mysql2/promise");
export const handler = async () => {
  const a = new PgPool();
  const b = new pg.Client();
  const c = new AWS.DynamoDB.DocumentClient();
  const d = new MongoClient(process.env.URL);
  const e = await mysql.createConnection({ host: "db" });
};
"#,
        );
        for callee in [
            "pg.Pool",
            "pg.Client",
            "aws-sdk.DynamoDB.DocumentClient",
            "mongodb.MongoClient",
            "mysql2/promise.createConnection",
        ] {
            let c = call(&file, callee);
            assert_eq!(
                c.function,
                Some(FunctionId::new(0)),
                "{callee} is inside the handler"
            );
        }
        assert_eq!(call(&file, "pg.Pool").bound_to.as_deref(), Some("a"));
        assert_eq!(file.conventional_handlers, [FunctionId::new(0)]);
    }

    #[test]
    fn module_scope_and_lazy_caches() {
        let file = parse_ts(
            r#"import { Pool } from "pg";
const shared = new Pool();
let cached: Pool | undefined;
let other;
function getPool() {
  if (!cached) {
    cached = new Pool();
  }
  other ??= new Pool();
  return cached;
}
export async function handler(event) {
  const pool = getPool();
  const fresh = new Pool();
  return fresh;
}
"#,
        );
        let pools: Vec<(Option<FunctionId>, bool)> = file
            .calls
            .iter()
            .filter(|c| c.callee == "pg.Pool")
            .map(|c| (c.function, c.lazily_cached))
            .collect();
        assert_eq!(
            pools,
            [
                (None, false),
                (Some(FunctionId::new(0)), true),
                (Some(FunctionId::new(0)), true),
                (Some(FunctionId::new(1)), false)
            ]
        );
        let reached = file.per_invocation(&file.conventional_handlers);
        assert_eq!(reached, [true, true], "getPool runs per invocation");
    }

    #[test]
    fn exports_in_every_form_and_workers() {
        let cjs = parse(
            Path::new("a.js"),
            "exports.handler = async (event) => {};\nmodule.exports.other = function () {};\n",
        )
        .unwrap();
        assert_eq!(
            cjs.exports
                .iter()
                .map(|(n, _)| n.as_str())
                .collect::<Vec<_>>(),
            ["handler", "other"]
        );
        let wrapped = parse_ts("import middy from '@middy/core';\nconst base = async (event) => {};\nexport const handler = middy(async (event) => { return 1; }).use(x());\n");
        assert_eq!(wrapped.conventional_handlers.len(), 1);
        let id = wrapped.conventional_handlers[0];
        assert_eq!(wrapped.functions[id].name, "handler");
        let renamed = parse_ts("async function main() {}\nexport { main as handler };\n");
        assert_eq!(renamed.conventional_handlers, [FunctionId::new(0)]);
        let worker = parse_ts(
            "export default { async fetch(request, env) { return new Response('ok'); } };\n",
        );
        assert!(worker.is_worker);
    }

    #[test]
    fn results_used_awaited_or_dropped() {
        let file = parse_ts(
            r#"import { LambdaClient, InvokeCommand } from "@aws-sdk/client-lambda";
const client = new LambdaClient({});
const params = { FunctionName: "x", InvocationType: "Event" };
export const handler = async () => {
  await client.send(new InvokeCommand({ FunctionName: "billing", Payload: "{}" }));
  client.send(new InvokeCommand({ FunctionName: "audit" }));
  const r = client.invoke(params);
};
"#,
        );
        let invokes: Vec<bool> = file
            .calls
            .iter()
            .filter(|c| c.callee == "@aws-sdk/client-lambda.InvokeCommand")
            .map(|c| c.result_used)
            .collect();
        assert_eq!(invokes, [true, false]);
        let first = call(&file, "@aws-sdk/client-lambda.InvokeCommand");
        assert!(
            matches!(&first.args[0].value, ArgValue::Object(props) if props.iter().any(|(k, v)| k == "FunctionName" && *v == ArgValue::Str("billing".into())))
        );
        assert!(file.objects.iter().any(|(name, _)| name == "params"));
        assert_eq!(
            call(&file, "@aws-sdk/client-lambda.LambdaClient")
                .bound_to
                .as_deref(),
            Some("client")
        );
    }

    #[test]
    fn strings_and_the_names_they_bind_to() {
        let file = parse_ts(
            "const STRIPE_KEY = 'sk_live_x';\nconst config = { apiToken: `abc` };\nfoo('loose');\n",
        );
        let strings: Vec<(Option<&str>, &str)> = file
            .strings
            .iter()
            .map(|s| (s.name.as_deref(), s.value.as_str()))
            .collect();
        assert_eq!(
            strings,
            [
                (Some("STRIPE_KEY"), "sk_live_x"),
                (Some("apiToken"), "abc"),
                (None, "loose")
            ]
        );
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let error = parse(
            Path::new("a.ts"),
            "export const handler = async (event => {\n",
        )
        .unwrap_err();
        assert!(error.span.start > 0);
        assert!(!error.reason.is_empty());
    }
}
