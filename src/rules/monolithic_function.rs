//! FL301 monolithic-function (template side): one function serving a whole API.

use crate::catalog::CATALOG;
use crate::diagnostic::{Diagnostic, Related, Severity};
use crate::model::{AppStart, Event, EventKind, Function, Project, WholeApp};
use crate::rules::{deserialize, Context, OptionError, OptionsType, Rule, RuleOptions};
use serde::Deserialize;

pub static RULE: Rule = Rule {
    code: "FL301",
    name: "monolithic-function",
    default_severity: Severity::Warning,
    summary: "One function serves a whole API (catch-all route or too many routes)",
    doc: include_str!("../../rules/FL301-monolithic-function.md"),
    check: Some(check),
    options: Some(OptionsType::of::<Options>()),
};

/// `[rules.monolithic-function]`.
#[derive(Debug)]
pub struct Options {
    /// More routes than this on one function (or dispatched in its code) is a monolith.
    max_routes: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options { max_routes: 8 }
    }
}

impl RuleOptions for Options {
    fn parse(table: toml::Value) -> Result<Self, OptionError> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "kebab-case")]
        struct Raw {
            max_routes: Option<i64>,
        }
        let raw: Raw = deserialize(table)?;
        match raw.max_routes {
            None => Ok(Options::default()),
            Some(max) if max >= 1 => Ok(Options {
                max_routes: max as usize,
            }),
            Some(max) => Err(OptionError::new(
                "max-routes",
                format!("must be a whole number of at least 1 (got {max})"),
            )),
        }
    }
}

fn check(project: &Project, context: &Context, out: &mut Vec<Diagnostic>) {
    let mut template_findings: Vec<(&Function, Diagnostic)> = project
        .functions()
        .filter_map(|f| {
            catch_all(f)
                .or_else(|| too_many(f, context.options(f.file)))
                .map(|d| (f, d))
        })
        .collect();
    for (code, file) in project.code.iter_enumerated() {
        if file.is_test {
            continue;
        }
        let max_routes = context.options::<Options>(file.file).max_routes;
        let handlers = project.handlers(code);
        let reached = file.per_invocation(&handlers);
        let dispatch = file
            .dispatches
            .iter()
            .filter(|d| d.routes > max_routes)
            .find(|d| d.function.is_some_and(|f| reached[f]));
        // An app with a few routes (a health check, two endpoints) is a small function.
        let app = CATALOG
            .served_app(file)
            .filter(|app| app.routes > max_routes);
        let (span, message, place) = match (app, dispatch) {
            (Some(app), _) => (
                app.adapter.span,
                format!(
                    "`{}` serves a web framework app with {} routes from one Lambda function, \
                     more than the limit of {max_routes}",
                    app.adapter.callee, app.routes
                ),
                format!(
                    "`{}` serves a web app with {} routes here",
                    app.adapter.callee, app.routes
                ),
            ),
            (None, Some(dispatch)) => (
                dispatch.span,
                format!(
                    "the handler dispatches {} routes in code, more than the limit of {}",
                    dispatch.routes, max_routes
                ),
                format!(
                    "the handler dispatches {} routes in code here",
                    dispatch.routes
                ),
            ),
            (None, None) => continue,
        };
        // The same function reported by its template: one finding, the code as a related place.
        let running: Vec<&Function> = project.functions_running(code).collect();
        let reported = template_findings
            .iter_mut()
            .find(|(f, _)| running.iter().any(|r| std::ptr::eq(*r, *f)));
        if let Some((_, diagnostic)) = reported {
            diagnostic.related.push(Related {
                file: file.file,
                span,
                message: place,
            });
            continue;
        }
        let mut diagnostic = Diagnostic::new(&RULE, file.file, span, message).with_help(
            "Every route of the app shares one function's permissions, memory, timeout and cold \
             start, and routing happens in code. Split the routes over functions behind API \
             Gateway, or, if this Lambdalith is deliberate, suppress FL301 here with the reason.",
        );
        if let Some(function) = running.first() {
            diagnostic = diagnostic.with_related(function.file, function.span, "function");
        }
        out.push(diagnostic);
    }
    for app in &project.whole_apps {
        whole_app(project, context, app, &mut template_findings, out);
    }
    out.extend(template_findings.into_iter().map(|(_, d)| d));
}

/// A whole application served by a container (Spring Boot, ASP.NET Core) with more routes than
/// the limit: reported where it starts, or added to the template's finding for the function.
fn whole_app<'p>(
    project: &'p Project,
    context: &Context,
    app: &WholeApp,
    template_findings: &mut [(&'p Function, Diagnostic)],
    out: &mut Vec<Diagnostic>,
) {
    let (file, span, running, message, place) = match &app.start {
        AppStart::Code {
            code,
            span,
            adapter,
        } => {
            let running: Vec<&Function> = project.functions_running(*code).collect();
            let routes = app.routes.len();
            (
                project.code[*code].file,
                *span,
                running,
                format!(
                    "`{}` serves a whole web application with {routes} routes from one Lambda \
                     function",
                    short(adapter)
                ),
                format!("`{}` serves {routes} routes here", short(adapter)),
            )
        }
        AppStart::Template { function, handler } => {
            let function = &project.functions[*function];
            let routes = app.routes.len();
            let span = function.handler.as_ref().map_or(function.span, |h| h.span);
            (
                function.file,
                span,
                vec![function],
                format!(
                    "function `{}` serves a whole web application with {routes} routes through \
                     `{}`",
                    function.logical_id,
                    short(handler)
                ),
                format!("`{}` serves {routes} routes here", short(handler)),
            )
        }
    };
    let max_routes = context.options::<Options>(file).max_routes;
    if app.routes.len() <= max_routes {
        return;
    }
    let reported = template_findings
        .iter_mut()
        .find(|(f, _)| running.iter().any(|r| std::ptr::eq(*r, *f)));
    if let Some((_, diagnostic)) = reported {
        diagnostic.related.push(Related {
            file,
            span,
            message: place,
        });
        return;
    }
    let mut diagnostic = Diagnostic::new(
        &RULE,
        file,
        span,
        format!("{message}, more than the limit of {max_routes}"),
    )
    .with_help(
        "Every route shares one function's permissions, memory, timeout and the cold start of \
         the whole framework, and routing happens inside the application. Split the routes \
         over functions behind API Gateway, or, if this Lambdalith is deliberate, suppress FL301 \
         here with the reason.",
    );
    if let Some(&(code, route)) = app.routes.get(max_routes) {
        diagnostic = diagnostic.with_related(
            project.code[code].file,
            route,
            format!("route {} of {}", max_routes + 1, app.routes.len()),
        );
    }
    if let (AppStart::Code { .. }, Some(function)) = (&app.start, running.first()) {
        diagnostic = diagnostic.with_related(function.file, function.span, "function");
    }
    out.push(diagnostic);
}

/// A container's name without its package or receiver: `AddAWSLambdaHosting`,
/// `SpringBootLambdaContainerHandler.getAwsProxyHandler` (a static method keeps its class).
fn short(name: &str) -> &str {
    let mut dots = name.rmatch_indices('.').map(|(i, _)| i);
    let Some(last) = dots.next() else {
        return name;
    };
    let method = name[last + 1..].starts_with(char::is_lowercase);
    let class_start = dots.next().map_or(0, |i| i + 1);
    if method && name[class_start..].starts_with(char::is_uppercase) {
        &name[class_start..]
    } else {
        &name[last + 1..]
    }
}

fn is_route(event: &Event) -> bool {
    matches!(
        event.kind,
        EventKind::RestApi | EventKind::HttpApi | EventKind::Alb
    )
}

/// Prefers a greedy path (`/{proxy+}`) over `ANY /` when a function has both.
fn catch_all(function: &Function) -> Option<Diagnostic> {
    let catch_alls = function
        .events
        .iter()
        .filter(|e| is_route(e) && e.catch_all);
    let event = catch_alls
        .clone()
        .find(|e| e.path.as_deref().is_some_and(|p| p.contains("+}")))
        .or_else(|| catch_alls.clone().next())?;
    let root_only = event.path.as_deref() == Some("/");
    let message = if root_only {
        format!(
            "function `{}` takes every HTTP method through `{}`, a catch-all that leaves routing \
             to code inside the function",
            function.logical_id,
            event.route()
        )
    } else {
        format!(
            "function `{}` takes every request of its {} through the catch-all route `{}`",
            function.logical_id,
            event.kind.describe(),
            event.route()
        )
    };
    Some(
        Diagnostic::new(&RULE, function.file, event.span, message)
            .with_help(
                "Give each route (or group of closely related routes) its own function with the \
                 permissions, memory and timeout it needs. If this is a deliberate Lambdalith, \
                 suppress FL301 here with the reason.",
            )
            .with_related(function.file, function.span, "function"),
    )
}

fn too_many(function: &Function, options: &Options) -> Option<Diagnostic> {
    let max_routes = options.max_routes;
    let routes: Vec<&Event> = function
        .events
        .iter()
        .filter(|e| is_route(e) && e.path.is_some())
        .collect();
    if routes.len() <= max_routes {
        return None;
    }
    let first_extra = routes[max_routes];
    let message = format!(
        "function `{}` serves {} API routes, more than the limit of {}",
        function.logical_id,
        routes.len(),
        max_routes
    );
    Some(
        Diagnostic::new(&RULE, function.file, first_extra.span, message)
            .with_help(format!(
                "Split the routes over functions by resource or use case, so each gets its own \
                 permissions and scaling. Raise `max-routes` under \
                 `[rules.monolithic-function]` in faaslint.toml if {} routes is fine for you.",
                routes.len()
            ))
            .with_related(function.file, function.span, "function"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::{check_file, lines};

    fn run(text: &str, max_routes: usize) -> Vec<(usize, String)> {
        let config = format!("[rules.monolithic-function]\nmax-routes = {max_routes}\n");
        let (project, diagnostics) = check_file("template.yaml", text, &RULE, &config);
        lines(&project, &diagnostics)
    }

    fn sam_function(name: &str, routes: &[(&str, &str)]) -> String {
        let mut text = format!(
            "  {name}:\n    Type: AWS::Serverless::Function\n    Properties:\n      Events:\n"
        );
        for (i, (method, path)) in routes.iter().enumerate() {
            text.push_str(&format!(
                "        R{i}:\n          Type: Api\n          Properties:\n            Path: {path}\n            Method: {method}\n"
            ));
        }
        text
    }

    #[test]
    fn catch_all_points_at_the_greedy_path() {
        let text = format!(
            "Transform: AWS::Serverless-2016-10-31\nResources:\n{}",
            sam_function("App", &[("ANY", "/"), ("ANY", "/{proxy+}")])
        );
        let found = run(&text, 8);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, 15, "{found:?}");
        assert!(found[0].1.contains("catch-all route `ANY /{proxy+}`"));
    }

    #[test]
    fn counts_explicit_routes_against_the_limit() {
        let routes: Vec<(&str, String)> = (0..9).map(|i| ("GET", format!("/r{i}"))).collect();
        let routes: Vec<(&str, &str)> = routes.iter().map(|(m, p)| (*m, p.as_str())).collect();
        let text = format!("Resources:\n{}", sam_function("Api", &routes));
        let found = run(&text, 8);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, 9 + 5 * 8, "the ninth route's Path line");
        assert!(found[0]
            .1
            .contains("serves 9 API routes, more than the limit of 8"));
        assert!(run(&text, 9).is_empty());
    }

    #[test]
    fn queue_consumers_and_single_routes_are_fine() {
        let text = "Resources:\n  Worker:\n    Type: AWS::Serverless::Function\n    Properties:\n      Events:\n        Q:\n          Type: SQS\n          Properties:\n            Queue: !GetAtt Q.Arn\n        Get:\n          Type: HttpApi\n          Properties:\n            Path: /orders/{id}\n            Method: GET\n";
        assert!(run(text, 8).is_empty());
    }

    #[test]
    fn serverless_http_api_star() {
        let text = "service: s\nprovider:\n  name: aws\nfunctions:\n  app:\n    handler: a.h\n    events:\n      - httpApi: '*'\n";
        let found = run_serverless(text);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, 8);
    }

    #[test]
    fn web_framework_behind_an_adapter() {
        use crate::rules::test_support::check_code;
        // Routes registered in code count against the same limit as the template's.
        let mut express = String::from("const express = require('express');\nconst serverless = require('serverless-http');\nconst app = express();\nconst api = express.Router();\n");
        for i in 0..5 {
            express.push_str(&format!(
                "app.get('/r{i}', (req, res) => res.send('{i}'));\n"
            ));
            express.push_str(&format!(
                "api.post('/r{i}', (req, res) => res.send('{i}'));\n"
            ));
        }
        express.push_str("app.use('/api', api);\nmodule.exports.handler = serverless(app);\n");
        let found = check_code("src/lambda.js", &express, &RULE);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].0, 16);
        assert!(
            found[0].1.contains(
                "`serverless-http` serves a web framework app with 10 routes from one Lambda \
                 function, more than the limit of 8"
            ),
            "{}",
            found[0].1
        );
        let two_routes = "const express = require('express');\nconst serverless = require('serverless-http');\nconst app = express();\napp.get('/health', (req, res) => res.send('ok'));\napp.post('/orders', (req, res) => res.send('ok'));\nmodule.exports.handler = serverless(app);\n";
        assert!(check_code("src/lambda.js", two_routes, &RULE).is_empty());
        let mut fastapi = String::from(
            "from fastapi import FastAPI\nfrom mangum import Mangum\napp = FastAPI()\n",
        );
        for i in 0..9 {
            fastapi.push_str(&format!("@app.get('/r{i}')\ndef r{i}():\n    return {i}\n"));
        }
        fastapi.push_str("handler = Mangum(app)\n");
        let found = check_code("app/main.py", &fastapi, &RULE);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(found[0].1.contains("with 9 routes"), "{}", found[0].1);
        let health = "from fastapi import FastAPI\nfrom mangum import Mangum\napp = FastAPI()\n@app.get('/health')\ndef health():\n    return 'ok'\nhandler = Mangum(app)\n";
        assert!(check_code("app/main.py", health, &RULE).is_empty());
        let axum = |routes: usize| {
            let chain: String = (0..routes)
                .map(|i| format!(".route(\"/r{i}\", get(h))"))
                .collect();
            format!("use axum::Router;\n#[tokio::main]\nasync fn main() -> Result<(), Error> {{\n    let app = Router::new(){chain};\n    lambda_http::run(app).await\n}}\n")
        };
        assert!(check_code("src/main.rs", &axum(1), &RULE).is_empty());
        assert_eq!(check_code("src/main.rs", &axum(9), &RULE).len(), 1);
        let mut routes = String::from(
            "export const handler = async (event) => {\n  switch (event.routeKey) {\n",
        );
        for i in 0..9 {
            routes.push_str(&format!("    case \"GET /r{i}\": return {i};\n"));
        }
        routes.push_str("  }\n};\n");
        let found = check_code("src/router.ts", &routes, &RULE);
        assert_eq!(found.len(), 1);
        assert!(found[0]
            .1
            .contains("dispatches 9 routes in code, more than the limit of 8"));
        let py = "def handler(event, context):\n    path = event['path']\n    if event['path'] == '/a':\n        return 1\n    elif event['path'] == '/b':\n        return 2\n";
        assert!(
            check_code("app.py", py, &RULE).is_empty(),
            "two routes are fine"
        );
        let no_app = "const serverless = require('serverless-http');\nmodule.exports.handler = serverless(makeApp());\n";
        assert!(check_code("src/lambda.js", no_app, &RULE).is_empty());
    }

    /// A Maven project with a JAX-RS resource of `routes` routes, and `other` routes in another
    /// project beside it.
    fn jersey_project(routes: usize, other: usize) -> Vec<(String, String)> {
        let resource = |class: &str, count: usize| {
            let methods: String = (0..count)
                .map(|i| format!("    @GET\n    @Path(\"/r{i}\")\n    public String r{i}() {{ return \"{i}\"; }}\n"))
                .collect();
            format!("package com.example.api;\n\nimport javax.ws.rs.GET;\nimport javax.ws.rs.Path;\n\n@Path(\"/\")\npublic class {class} {{\n{methods}}}\n")
        };
        vec![
            (
                "api/src/main/java/com/example/api/StreamLambdaHandler.java".into(),
                "package com.example.api;\n\nimport com.amazonaws.serverless.proxy.jersey.JerseyLambdaContainerHandler;\nimport com.amazonaws.services.lambda.runtime.RequestStreamHandler;\n\npublic class StreamLambdaHandler implements RequestStreamHandler {\n    private static final JerseyLambdaContainerHandler handler =\n        JerseyLambdaContainerHandler.getAwsProxyHandler(new ResourceConfig().packages(\"com.example.api\"));\n\n    public void handleRequest(InputStream in, OutputStream out, Context context) throws IOException {\n        handler.proxyStream(in, out, context);\n    }\n}\n".into(),
            ),
            (
                "api/src/main/java/com/example/api/resources/Orders.java".into(),
                resource("Orders", routes),
            ),
            (
                "admin/src/main/java/com/example/api/Admin.java".into(),
                resource("Admin", other),
            ),
        ]
    }

    #[test]
    fn a_whole_application_counts_the_routes_its_project_declares() {
        use crate::rules::test_support::check_project;
        let files = jersey_project(9, 20);
        let files: Vec<(&str, &str)> = files
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect();
        let found = check_project(&files, &RULE);
        assert_eq!(found.len(), 1, "{found:#?}");
        let (path, line, message) = &found[0];
        assert!(
            path.ends_with("StreamLambdaHandler.java") && *line == 8,
            "{found:?}"
        );
        assert!(
            message.contains(
                "`JerseyLambdaContainerHandler.getAwsProxyHandler` serves a whole web application \
                 with 9 routes from one Lambda function, more than the limit of 8"
            ),
            "{message}"
        );
        // The routes of the project beside it are another application's.
        let files = jersey_project(8, 20);
        let files: Vec<(&str, &str)> = files
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect();
        assert!(check_project(&files, &RULE).is_empty());
    }

    #[test]
    fn a_container_named_as_the_handler_serves_the_routes_of_its_code() {
        use crate::rules::test_support::check_project;
        let template = "Transform: AWS::Serverless-2016-10-31\nResources:\n  Api:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: java21\n      CodeUri: api\n      Handler: com.amazonaws.serverless.proxy.spring.SpringDelegatingLambdaContainerHandler\n";
        let controller = |count: usize| {
            let methods: String = (0..count)
                .map(|i| format!("    @GetMapping(\"/r{i}\")\n    public String r{i}() {{ return \"{i}\"; }}\n"))
                .collect();
            format!("package com.example;\n\nimport org.springframework.web.bind.annotation.*;\n\n@RestController\n@RequestMapping(\"/orders\")\npublic class OrderController {{\n{methods}}}\n")
        };
        let path = "api/src/main/java/com/example/OrderController.java";
        let many = controller(10);
        let found = check_project(&[("template.yaml", template), (path, &many)], &RULE);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!((found[0].0.as_str(), found[0].1), ("template.yaml", 8));
        assert!(
            found[0].2.contains(
                "function `Api` serves a whole web application with 10 routes through \
                 `SpringDelegatingLambdaContainerHandler`"
            ),
            "{}",
            found[0].2
        );
        // The class-level `@RequestMapping` is a prefix, not a route.
        let eight = controller(8);
        assert!(check_project(&[("template.yaml", template), (path, &eight)], &RULE).is_empty());
    }

    #[test]
    fn the_default_route_of_a_websocket_api_is_a_fallback_not_a_catch_all() {
        let template = |protocol: &str| {
            format!(
                "Resources:\n  Api:\n    Type: AWS::ApiGatewayV2::Api\n    Properties:\n      Name: chat\n      ProtocolType: {protocol}\n  Integration:\n    Type: AWS::ApiGatewayV2::Integration\n    Properties:\n      ApiId: !Ref Api\n      IntegrationType: AWS_PROXY\n      IntegrationUri: !Sub arn:aws:apigateway:${{AWS::Region}}:lambda:path/2015-03-31/functions/${{DefaultFunction.Arn}}/invocations\n  DefaultRoute:\n    Type: AWS::ApiGatewayV2::Route\n    Properties:\n      ApiId: !Ref Api\n      RouteKey: $default\n      Target: !Join [/, [integrations, !Ref Integration]]\n  DefaultFunction:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: nodejs20.x\n      Handler: app.handler\n"
            )
        };
        assert!(run(&template("WEBSOCKET"), 8).is_empty());
        let http = run(&template("HTTP"), 8);
        assert_eq!(http.len(), 1, "{http:#?}");
        assert!(
            http[0].1.contains("catch-all route `$default`"),
            "{}",
            http[0].1
        );
        let serverless = "service: chat\nprovider:\n  name: aws\nfunctions:\n  default:\n    handler: a.h\n    events:\n      - websocket: $default\n";
        assert!(run_serverless(serverless).is_empty());
    }

    fn run_serverless(text: &str) -> Vec<(usize, String)> {
        let (project, diagnostics) = check_file("serverless.yml", text, &RULE, "");
        lines(&project, &diagnostics)
    }
}
