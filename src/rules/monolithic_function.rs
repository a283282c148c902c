//! FL301 monolithic-function (template side): one function serving a whole API.

use crate::catalog::CATALOG;
use crate::diagnostic::{Diagnostic, Related, Severity};
use crate::model::{Event, EventKind, Function, Project};
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
        let (span, message, place) = match (CATALOG.framework_adapter(file), dispatch) {
            (Some(adapter), _) => (
                adapter.span,
                format!(
                    "`{}` serves a whole web framework app from one Lambda function",
                    adapter.callee
                ),
                format!("`{}` serves a whole web app here", adapter.callee),
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
    out.extend(template_findings.into_iter().map(|(_, d)| d));
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
        let express = "const express = require('express');\nconst serverless = require('serverless-http');\nconst app = express();\napp.get('/', (req, res) => res.send('hi'));\nmodule.exports.handler = serverless(app);\n";
        let found = check_code("src/lambda.js", express, &RULE);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, 5);
        assert!(found[0]
            .1
            .contains("`serverless-http` serves a whole web framework app"));
        let fastapi = "from fastapi import FastAPI\nfrom mangum import Mangum\napp = FastAPI()\nhandler = Mangum(app)\n";
        assert_eq!(check_code("app/main.py", fastapi, &RULE).len(), 1);
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

    fn run_serverless(text: &str) -> Vec<(usize, String)> {
        let (project, diagnostics) = check_file("serverless.yml", text, &RULE, "");
        lines(&project, &diagnostics)
    }
}
