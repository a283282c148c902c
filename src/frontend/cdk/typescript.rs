//! A CDK app's TypeScript or JavaScript (swc) into the CDK [`Program`].

use super::{camel_case, library, qualified, Expr, Program, Prop};
use crate::frontend::javascript::{parse_program, to_span, BASE};
use crate::source::Span;
use std::collections::HashMap;
use swc_ecma_ast as ast;

/// The CDK program of `text`, or `None` when it does not parse (the code front end reports it).
pub fn read(extension: &str, text: &str) -> Option<Program> {
    let program = parse_program(extension, text).ok()?;
    Some(from_program(&program, text))
}

/// The CDK program of an already parsed file.
pub fn from_program(program: &ast::Program, text: &str) -> Program {
    let mut reader = Reader {
        text,
        aliases: HashMap::new(),
        out: Program::default(),
        depth: 0,
    };
    match program {
        ast::Program::Module(module) => {
            for item in &module.body {
                match item {
                    ast::ModuleItem::ModuleDecl(ast::ModuleDecl::Import(import)) => {
                        reader.import(import)
                    }
                    // `import lambda = require('@aws-cdk/aws-lambda');`
                    ast::ModuleItem::ModuleDecl(ast::ModuleDecl::TsImportEquals(import)) => {
                        if let ast::TsModuleRef::TsExternalModuleRef(module) = &import.module_ref {
                            let module = module.expr.value.to_atom_lossy().to_string();
                            reader.alias_module(import.id.sym.to_string(), &module, None);
                        }
                    }
                    _ => {}
                }
            }
            for item in &module.body {
                match item {
                    ast::ModuleItem::Stmt(stmt) => reader.stmt(stmt),
                    ast::ModuleItem::ModuleDecl(decl) => reader.module_decl(decl),
                }
            }
        }
        ast::Program::Script(script) => script.body.iter().for_each(|s| reader.stmt(s)),
    }
    reader.out
}

struct Reader<'t> {
    text: &'t str,
    /// Local name -> what it stands for: `lambda` -> `aws-lambda`, `Function` ->
    /// `aws-lambda.Function`, `path` -> `path`.
    aliases: HashMap<String, String>,
    out: Program,
    depth: usize,
}

/// Deeper expressions are not read: no CDK prop is nested this far.
const MAX_DEPTH: usize = 200;

impl Reader<'_> {
    fn span(&self, span: swc_common::Span) -> Span {
        to_span(BASE, self.text, span)
    }

    /// `local` stands for `module` (or its export `imported`), when it is a module we read.
    fn alias_module(&mut self, local: String, module: &str, imported: Option<&str>) {
        let Some(canonical) = canonical_module(module) else {
            return;
        };
        let target = match imported {
            Some(name) => qualified(&canonical, name),
            None => canonical,
        };
        self.aliases.insert(local, target);
    }

    fn import(&mut self, import: &ast::ImportDecl) {
        let module = import.src.value.to_atom_lossy().to_string();
        let Some(canonical) = canonical_module(&module) else {
            return;
        };
        for specifier in &import.specifiers {
            let (local, imported) = match specifier {
                ast::ImportSpecifier::Namespace(n) => (n.local.sym.to_string(), None),
                ast::ImportSpecifier::Default(d) => (d.local.sym.to_string(), None),
                ast::ImportSpecifier::Named(n) => {
                    let imported = match &n.imported {
                        Some(ast::ModuleExportName::Ident(i)) => i.sym.to_string(),
                        Some(ast::ModuleExportName::Str(s)) => s.value.to_atom_lossy().to_string(),
                        None => n.local.sym.to_string(),
                    };
                    (n.local.sym.to_string(), Some(imported))
                }
            };
            let target = match imported {
                Some(name) => qualified(&canonical, &name),
                None => canonical.clone(),
            };
            self.aliases.insert(local, target);
        }
    }

    fn module_decl(&mut self, decl: &ast::ModuleDecl) {
        match decl {
            ast::ModuleDecl::ExportDecl(export) => self.decl(&export.decl),
            ast::ModuleDecl::ExportDefaultDecl(export) => {
                if let ast::DefaultDecl::Class(class) = &export.decl {
                    self.class(&class.class);
                }
            }
            _ => {}
        }
    }

    fn decl(&mut self, decl: &ast::Decl) {
        match decl {
            ast::Decl::Var(var) => self.var(var),
            ast::Decl::Class(class) => self.class(&class.class),
            ast::Decl::Fn(function) => {
                self.stmts(function.function.body.as_ref().map(|b| &b.stmts))
            }
            _ => {}
        }
    }

    fn var(&mut self, var: &ast::VarDecl) {
        for declarator in &var.decls {
            let Some(init) = &declarator.init else {
                continue;
            };
            // `const lambda = require('aws-cdk-lib/aws-lambda')`,
            // `const { Function } = require('@aws-cdk/aws-lambda')`
            if let Some(module) = required(init) {
                match &declarator.name {
                    ast::Pat::Ident(name) => {
                        self.alias_module(name.id.sym.to_string(), &module, None)
                    }
                    ast::Pat::Object(object) => {
                        for prop in &object.props {
                            match prop {
                                ast::ObjectPatProp::Assign(assign) => {
                                    let name = assign.key.sym.to_string();
                                    self.alias_module(name.clone(), &module, Some(&name));
                                }
                                ast::ObjectPatProp::KeyValue(kv) => {
                                    let (ast::PropName::Ident(key), ast::Pat::Ident(local)) =
                                        (&kv.key, kv.value.as_ref())
                                    else {
                                        continue;
                                    };
                                    let local = local.id.sym.to_string();
                                    self.alias_module(local, &module, Some(&key.sym));
                                }
                                ast::ObjectPatProp::Rest(_) => {}
                            }
                        }
                    }
                    _ => {}
                }
                continue;
            }
            let ast::Pat::Ident(name) = &declarator.name else {
                continue;
            };
            let value = self.expr(init);
            self.out.bindings.push((name.id.sym.to_string(), value));
        }
    }

    fn class(&mut self, class: &ast::Class) {
        for member in &class.body {
            match member {
                ast::ClassMember::Constructor(constructor) => {
                    self.stmts(constructor.body.as_ref().map(|b| &b.stmts))
                }
                ast::ClassMember::Method(method) => {
                    self.stmts(method.function.body.as_ref().map(|b| &b.stmts))
                }
                ast::ClassMember::ClassProp(prop) => {
                    if let (ast::PropName::Ident(name), Some(value)) = (&prop.key, &prop.value) {
                        let value = self.expr(value);
                        self.out
                            .bindings
                            .push((format!("this.{}", name.sym), value));
                    }
                }
                _ => {}
            }
        }
    }

    fn stmts(&mut self, stmts: Option<&Vec<ast::Stmt>>) {
        stmts.into_iter().flatten().for_each(|s| self.stmt(s));
    }

    fn stmt(&mut self, stmt: &ast::Stmt) {
        if self.depth > MAX_DEPTH {
            return;
        }
        self.depth += 1;
        match stmt {
            ast::Stmt::Decl(decl) => self.decl(decl),
            ast::Stmt::Block(block) => self.stmts(Some(&block.stmts)),
            ast::Stmt::If(branch) => {
                self.stmt(&branch.cons);
                if let Some(alt) = &branch.alt {
                    self.stmt(alt);
                }
            }
            ast::Stmt::For(each) => self.stmt(&each.body),
            ast::Stmt::ForOf(each) => self.stmt(&each.body),
            ast::Stmt::ForIn(each) => self.stmt(&each.body),
            ast::Stmt::Return(ret) => {
                if let Some(arg) = &ret.arg {
                    let value = self.expr(arg);
                    self.out.statements.push(value);
                }
            }
            ast::Stmt::Expr(statement) => self.expr_stmt(&statement.expr),
            _ => {}
        }
        self.depth -= 1;
    }

    /// `this.fn = new Function(...)` and `fn = ...` bind; other statements are kept as they are.
    fn expr_stmt(&mut self, expr: &ast::Expr) {
        if let ast::Expr::Assign(assign) = expr {
            let target = match &assign.left {
                ast::AssignTarget::Simple(ast::SimpleAssignTarget::Ident(i)) => {
                    Some(i.id.sym.to_string())
                }
                ast::AssignTarget::Simple(ast::SimpleAssignTarget::Member(member)) => {
                    self.path(&ast::Expr::Member(member.clone()))
                }
                _ => None,
            };
            if let Some(name) = target {
                let value = self.expr(&assign.right);
                self.out.bindings.push((name, value));
                return;
            }
        }
        let value = self.expr(expr);
        self.out.statements.push(value);
    }

    /// A name path (`lambda.Runtime.JAVA_21`, `this.api.root`) with its root resolved.
    fn path(&self, expr: &ast::Expr) -> Option<String> {
        match unwrap(expr) {
            ast::Expr::Ident(ident) => {
                let name = ident.sym.to_string();
                Some(self.aliases.get(&name).cloned().unwrap_or(name))
            }
            ast::Expr::This(_) => Some("this".to_string()),
            ast::Expr::Member(member) => {
                let ast::MemberProp::Ident(property) = &member.prop else {
                    return None;
                };
                let object = self.path(&member.obj)?;
                Some(qualified(&object, &property.sym))
            }
            _ => None,
        }
    }

    fn expr(&mut self, expr: &ast::Expr) -> Expr {
        let span = self.span(swc_common::Spanned::span(expr));
        if self.depth > MAX_DEPTH {
            return Expr::Other(span);
        }
        self.depth += 1;
        let value = self.expr_inner(unwrap(expr), span);
        self.depth -= 1;
        value
    }

    fn expr_inner(&mut self, expr: &ast::Expr, span: Span) -> Expr {
        match expr {
            ast::Expr::Lit(ast::Lit::Str(s)) => {
                Expr::Str(s.value.to_atom_lossy().to_string(), span)
            }
            ast::Expr::Lit(ast::Lit::Num(n)) => Expr::Num(n.value, span),
            ast::Expr::Lit(ast::Lit::Bool(b)) => Expr::Bool(b.value, span),
            ast::Expr::Tpl(template) => {
                let mut text = String::new();
                for (i, quasi) in template.quasis.iter().enumerate() {
                    let cooked = quasi.cooked.as_ref().map(|c| c.to_atom_lossy().to_string());
                    text.push_str(&cooked.unwrap_or_else(|| quasi.raw.to_string()));
                    if i < template.exprs.len() {
                        text.push_str("${...}");
                    }
                }
                match template.exprs.is_empty() {
                    true => Expr::Str(text, span),
                    false => Expr::Template(text, span),
                }
            }
            ast::Expr::Object(object) => {
                let mut props = Vec::new();
                for prop in &object.props {
                    let ast::PropOrSpread::Prop(prop) = prop else {
                        continue;
                    };
                    match prop.as_ref() {
                        ast::Prop::KeyValue(kv) => {
                            let key = match &kv.key {
                                ast::PropName::Ident(i) => i.sym.to_string(),
                                ast::PropName::Str(s) => s.value.to_atom_lossy().to_string(),
                                _ => continue,
                            };
                            let key_span = self.span(swc_common::Spanned::span(&kv.key));
                            let value = self.expr(&kv.value);
                            props.push(Prop {
                                key,
                                key_span,
                                value,
                            });
                        }
                        ast::Prop::Shorthand(ident) => {
                            let key_span = self.span(ident.span);
                            let name = ident.sym.to_string();
                            let value = Expr::Name(
                                self.aliases.get(&name).cloned().unwrap_or(name.clone()),
                                key_span,
                            );
                            props.push(Prop {
                                key: name,
                                key_span,
                                value,
                            });
                        }
                        _ => {}
                    }
                }
                Expr::Object(props, span)
            }
            ast::Expr::Array(array) => {
                let items = array
                    .elems
                    .iter()
                    .flatten()
                    .filter(|e| e.spread.is_none())
                    .map(|e| self.expr(&e.expr))
                    .collect();
                Expr::Array(items, span)
            }
            ast::Expr::Ident(_) | ast::Expr::This(_) => match self.path(expr) {
                Some(name) => Expr::Name(name, span),
                None => Expr::Other(span),
            },
            ast::Expr::Member(member) => match self.path(expr) {
                Some(name) => Expr::Name(name, span),
                None => match &member.prop {
                    ast::MemberProp::Ident(property) => Expr::Member {
                        object: Box::new(self.expr(&member.obj)),
                        property: property.sym.to_string(),
                        span,
                    },
                    _ => Expr::Other(span),
                },
            },
            ast::Expr::New(new) => {
                let Some(class) = self.path(&new.callee) else {
                    return Expr::Other(span);
                };
                let args = new
                    .args
                    .iter()
                    .flatten()
                    .map(|a| self.expr(&a.expr))
                    .collect();
                Expr::New { class, args, span }
            }
            ast::Expr::Call(call) => {
                let ast::Callee::Expr(callee) = &call.callee else {
                    return Expr::Other(span);
                };
                let args = call.args.iter().map(|a| self.expr(&a.expr)).collect();
                self.call(callee, args, span)
            }
            _ => Expr::Other(span),
        }
    }

    fn call(&mut self, callee: &ast::Expr, args: Vec<Expr>, span: Span) -> Expr {
        let callee = unwrap(callee);
        if let ast::Expr::Member(member) = callee {
            if let ast::MemberProp::Ident(method) = &member.prop {
                let method = method.sym.to_string();
                let receiver = self.expr(&member.obj);
                let callee = match &receiver {
                    Expr::Name(path, _) => qualified(path, &method),
                    _ => method.clone(),
                };
                return Expr::Call {
                    callee,
                    receiver: Some(Box::new(receiver)),
                    method: camel_case(&method),
                    args,
                    span,
                };
            }
        }
        match self.path(callee) {
            Some(name) => Expr::Call {
                method: name.rsplit('.').next().unwrap_or(&name).to_string(),
                callee: name,
                receiver: None,
                args,
                span,
            },
            None => Expr::Other(span),
        }
    }
}

/// The module a `require('...')` call loads.
fn required(expr: &ast::Expr) -> Option<String> {
    let ast::Expr::Call(call) = unwrap(expr) else {
        return None;
    };
    let ast::Callee::Expr(callee) = &call.callee else {
        return None;
    };
    let ast::Expr::Ident(name) = unwrap(callee) else {
        return None;
    };
    if &*name.sym != "require" {
        return None;
    }
    match call.args.first().map(|a| unwrap(&a.expr)) {
        Some(ast::Expr::Lit(ast::Lit::Str(module))) => {
            Some(module.value.to_atom_lossy().to_string())
        }
        _ => None,
    }
}

/// A module the CDK model names: a CDK library, or `path`.
fn canonical_module(module: &str) -> Option<String> {
    match module {
        "path" | "node:path" => Some("path".to_string()),
        _ => library(module),
    }
}

fn unwrap(mut expr: &ast::Expr) -> &ast::Expr {
    loop {
        expr = match expr {
            ast::Expr::Paren(p) => &p.expr,
            ast::Expr::TsAs(e) => &e.expr,
            ast::Expr::TsNonNull(e) => &e.expr,
            ast::Expr::TsSatisfies(e) => &e.expr,
            ast::Expr::TsTypeAssertion(e) => &e.expr,
            ast::Expr::TsConstAssertion(e) => &e.expr,
            _ => return expr,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontend::cdk::{extract, Location};
    use crate::model::{EnvValue, EventKind};

    fn template(text: &str) -> crate::model::Template {
        let program = read("ts", text).expect("parses");
        extract(
            &program,
            &Location {
                file_stem: "stack",
                app_root: "..",
            },
        )
    }

    fn at(text: &str, span: Span) -> &str {
        &text[span.start as usize..span.end as usize]
    }

    const STACK: &str = r#"
import * as cdk from 'aws-cdk-lib';
import { Construct } from 'constructs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as path from 'path';

const STRIPE_KEY = 'sk_live_51HqLyjWDarjtT1zdp7dc0abcdEf';

export class OrdersStack extends cdk.Stack {
  public readonly api: apigw.RestApi;

  constructor(scope: Construct, id: string, props?: cdk.StackProps) {
    super(scope, id, props);

    const reports = new lambda.Function(this, 'ReportsFunction', {
      runtime: lambda.Runtime.JAVA_21,
      handler: 'com.example.Reports::handleRequest',
      code: lambda.Code.fromAsset(path.join(__dirname, '../reports/target/reports.jar')),
      memorySize: 2048,
      timeout: cdk.Duration.seconds(30),
      snapStart: lambda.SnapStartConf.ON_PUBLISHED_VERSIONS,
      environment: {
        STRIPE_KEY,
        TABLE: 'reports',
        WEBHOOK_SECRET: cdk.SecretValue.unsafePlainText('whsec_0123456789abcdef').unsafeUnwrap(),
      },
    });

    this.api = new apigw.LambdaRestApi(this, 'ReportsApi', { handler: reports });

    const orders = new NodejsFunction(this, 'OrdersFunction', {
      entry: path.join(__dirname, '../src/orders/handler.ts'),
      handler: 'main',
    });
    const items = this.api.root.addResource('orders');
    items.addResource('{id}').addMethod('GET', new apigw.LambdaIntegration(orders.currentVersion));
    orders.addFunctionUrl();
  }
}
"#;

    #[test]
    fn functions_their_props_and_their_triggers() {
        let found = template(STACK).functions;
        assert_eq!(found.len(), 2, "{found:#?}");
        let reports = &found[0];
        assert_eq!(reports.logical_id, "ReportsFunction");
        assert_eq!(at(STACK, reports.span), "'ReportsFunction'");
        assert_eq!(reports.runtime.as_ref().unwrap().value, "java21");
        assert_eq!(
            reports.code_uri.as_ref().unwrap().value,
            "../reports/target/reports.jar"
        );
        assert_eq!(reports.memory_mb.as_ref().unwrap().value, 2048);
        assert_eq!(reports.timeout_s.as_ref().unwrap().value, 30);
        assert!(reports.snapstart_enabled().is_some());
        // The API invokes the function itself, never a version: SnapStart cannot apply.
        assert!(!reports.publishes_versions);
        let route = &reports.events[0];
        assert_eq!(
            (route.kind.clone(), route.catch_all),
            (EventKind::RestApi, true)
        );

        let orders = &found[1];
        assert_eq!(orders.handler.as_ref().unwrap().value, "handler.main");
        assert_eq!(orders.entry_points, ["../src/orders/handler.ts"]);
        assert_eq!(orders.runtime.as_ref().unwrap().value, "nodejs");
        let routes: Vec<(EventKind, String)> = orders
            .events
            .iter()
            .map(|e| (e.kind.clone(), e.route()))
            .collect();
        assert_eq!(
            routes,
            [
                (EventKind::RestApi, "GET /orders/{id}".to_string()),
                (EventKind::FunctionUrl, "(every route)".to_string())
            ]
        );
        // Its URL invokes the function itself.
        assert!(!orders.publishes_versions);
    }

    #[test]
    fn environment_values() {
        let found = template(STACK).functions;
        let env = &found[0].environment;
        let EnvValue::Literal { text, origin } = &env[0].value else {
            panic!("{:?}", env[0]);
        };
        assert!(text.starts_with("sk_live_"));
        assert_eq!(at(STACK, *origin), "'sk_live_51HqLyjWDarjtT1zdp7dc0abcdEf'");
        assert!(matches!(&env[1].value, EnvValue::Literal { text, .. } if text == "reports"));
        // `SecretValue.unsafePlainText('...')` is a literal, even unwrapped.
        let EnvValue::Literal { text, origin } = &env[2].value else {
            panic!("{:?}", env[2]);
        };
        assert!(text.starts_with("whsec_"));
        assert_eq!(at(STACK, *origin), "'whsec_0123456789abcdef'");
    }

    #[test]
    fn http_routes_aliases_and_named_imports() {
        let text = r#"
import { Stack, Duration, aws_lambda as lambda } from 'aws-cdk-lib';
import { HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';

export class Search extends Stack {
  constructor(scope, id) {
    super(scope, id);
    const search = new lambda.Function(this, 'Search', {
      runtime: lambda.Runtime.PYTHON_3_13,
      handler: 'app.handler',
      code: lambda.Code.fromAsset('functions/search'),
      snapStart: lambda.SnapStartConf.ON_PUBLISHED_VERSIONS,
    });
    const live = search.addAlias('live', { provisionedConcurrentExecutions: 2 });
    const api = new HttpApi(this, 'Api');
    api.addRoutes({
      path: '/{proxy+}',
      methods: [HttpMethod.ANY],
      integration: new HttpLambdaIntegration('SearchIntegration', live),
    });
  }
}
"#;
        let found = template(text).functions;
        let search = &found[0];
        assert_eq!(search.runtime.as_ref().unwrap().value, "python3.13");
        assert_eq!(
            search.code_uri.as_ref().unwrap().value,
            "../functions/search"
        );
        assert!(search.publishes_versions, "the route invokes an alias");
        assert!(search.provisioned_concurrency.is_some());
        assert_eq!(search.events.len(), 1);
        assert!(search.events[0].catch_all);
        assert_eq!(at(text, search.events[0].span), "'/{proxy+}'");
    }

    #[test]
    fn cdk_v1_require_imports_and_proxy_integrations() {
        let text = r#"
import cdk = require('@aws-cdk/core');
import lambda = require('@aws-cdk/aws-lambda');
const { HttpApi } = require('@aws-cdk/aws-apigatewayv2');
import { LambdaProxyIntegration } from '@aws-cdk/aws-apigatewayv2-integrations';

export class TheStack extends cdk.Stack {
  constructor(scope: cdk.Construct, id: string) {
    super(scope, id);
    const fn = new lambda.Function(this, 'Monolith', {
      runtime: lambda.Runtime.JAVA_11,
      handler: 'app.Handler',
      code: lambda.Code.fromAsset('target/app.jar'),
    });
    new HttpApi(this, 'Api', {
      defaultIntegration: new LambdaProxyIntegration({ handler: fn }),
    });
  }
}
"#;
        let found = template(text).functions;
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].runtime.as_ref().unwrap().value, "java11");
        assert_eq!(found[0].events.len(), 1);
        assert!(found[0].events[0].catch_all);
    }

    #[test]
    fn a_name_means_the_value_bound_last_before_its_use() {
        let text = r#"
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as apigw from 'aws-cdk-lib/aws-apigateway';

export class Public extends cdk.Stack {
  constructor(scope, id) {
    super(scope, id);
    const fn = new lambda.Function(this, 'PublicApi', { runtime: lambda.Runtime.NODEJS_20_X, handler: 'a.handler', code: lambda.Code.fromAsset('a') });
    new apigw.LambdaRestApi(this, 'Api', { handler: fn });
  }
}

export class Worker extends cdk.Stack {
  constructor(scope, id) {
    super(scope, id);
    const fn = new lambda.Function(this, 'QueueWorker', { runtime: lambda.Runtime.JAVA_21, handler: 'b.Handler', code: lambda.Code.fromAsset('b'), snapStart: lambda.SnapStartConf.ON_PUBLISHED_VERSIONS });
    new lambda.Alias(this, 'Live', { aliasName: 'live', version: fn.currentVersion });
  }
}
"#;
        let found = template(text).functions;
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].logical_id, "PublicApi");
        assert_eq!(found[0].events.len(), 1);
        assert!(!found[0].publishes_versions);
        assert_eq!(found[1].logical_id, "QueueWorker");
        assert!(found[1].events.is_empty(), "{:#?}", found[1].events);
        assert!(found[1].publishes_versions);
    }
}
