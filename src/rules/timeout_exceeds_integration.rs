//! FL403 timeout-exceeds-integration: a function that may run longer than its synchronous
//! caller waits for it.

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::{Event, EventKind, Function, Project};
use crate::rules::{Context, Rule};

pub static RULE: Rule = Rule {
    code: "FL403",
    name: "timeout-exceeds-integration",
    default_severity: Severity::Warning,
    summary: "A function timeout longer than its API can wait for it",
    doc: include_str!("../../rules/FL403-timeout-exceeds-integration.md"),
    check: Some(check),
    options: None,
};

/// API Gateway's integration timeouts: a REST API waits 29 s unless its
/// integration sets `TimeoutInMillis` (which may be raised for regional and private REST APIs);
/// an HTTP API waits at most 30 s, a hard limit.
const REST_API_MS: u64 = 29_000;
const HTTP_API_MS: u64 = 30_000;
/// A timeout this little over what the API waits is reported at info.
const NARROW_MARGIN_MS: u64 = 1_000;

fn check(project: &Project, _: &Context, out: &mut Vec<Diagnostic>) {
    for function in project.functions() {
        let timeout_ms = function.timeout_seconds() * 1000;
        let exceeded = function
            .events
            .iter()
            .filter_map(|event| Some((event, wait_ms(function, event)?)))
            .find(|(_, wait)| timeout_ms > *wait);
        if let Some((event, wait)) = exceeded {
            let mut diagnostic = diagnostic(function, event, wait);
            // A 30 s timeout behind a 29 s API: true, and rarely what goes wrong.
            if timeout_ms - wait <= NARROW_MARGIN_MS {
                diagnostic.severity = Severity::Info;
            }
            out.push(diagnostic);
        }
    }
}

/// How long the API behind `event` waits for `function`, in milliseconds. Only a route the
/// template declares counts: a bare `Lambda::Permission` may be an authorizer's. A WebSocket
/// API is not waited on the same way (a function may keep posting to the connection), a REST
/// API streaming the response waits up to 15 minutes (a function built to stream, with a
/// streaming URL, is taken to stream), and an asynchronous integration does not wait.
fn wait_ms(function: &Function, event: &Event) -> Option<u64> {
    let set = event.details.timeout_ms.as_ref().map(|t| t.value);
    if event.path.is_none() || event.details.asynchronous {
        return None;
    }
    match event.kind {
        EventKind::RestApi if !function.streams_responses => Some(set.unwrap_or(REST_API_MS)),
        EventKind::HttpApi => Some(set.unwrap_or(HTTP_API_MS).min(HTTP_API_MS)),
        _ => None,
    }
}

fn seconds(ms: u64) -> String {
    if ms % 1000 == 0 {
        format!("{} s", ms / 1000)
    } else {
        format!("{:.1} s", ms as f64 / 1000.0)
    }
}

fn diagnostic(function: &Function, event: &Event, wait_ms: u64) -> Diagnostic {
    let api = event.kind.describe();
    let message = format!(
        "function `{}` may run for {}, but its {api} waits at most {}: past that the caller gets \
         a 504 while the function runs on, and is billed",
        function.logical_id,
        seconds(function.timeout_seconds() * 1000),
        seconds(wait_ms)
    );
    let span = function
        .timeout_s
        .as_ref()
        .map_or(function.span, |t| t.span);
    let help = match event.kind {
        EventKind::HttpApi => {
            "Keep the timeout at or below 30 s, an HTTP API's hard limit. Work that takes longer \
             belongs off the request: accept it (202), hand it to a queue or a Step Functions \
             workflow, and let the client poll or be notified."
        }
        _ => {
            "Keep the timeout below what the API waits, or raise the integration's \
             `TimeoutInMillis` (above 29 s for regional and private REST APIs, after a quota \
             increase). Work that takes longer belongs off the request: accept it (202), hand it \
             to a queue or a Step Functions workflow, and let the client poll or be notified."
        }
    };
    let waits = match &event.details.timeout_ms {
        Some(set) => (
            set.span,
            format!("the integration waits {}", seconds(set.value)),
        ),
        None => (
            event.span,
            format!("{api} route: waits {}", seconds(wait_ms)),
        ),
    };
    let mut diagnostic = Diagnostic::new(&RULE, function.file, span, message)
        .with_help(help)
        .with_related(function.file, waits.0, waits.1);
    if function.timeout_s.is_some() {
        diagnostic = diagnostic.with_related(function.file, function.span, "function");
    }
    diagnostic
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::{check_file, check_lines};

    fn run(name: &str, text: &str) -> Vec<(usize, String)> {
        check_lines(name, text, &RULE)
    }

    fn sam(timeout: u64, event: &str, extra: &str) -> String {
        format!(
            "Transform: AWS::Serverless-2016-10-31\nResources:\n  Report:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Timeout: {timeout}\n      Events:\n        E:\n          Type: {event}\n          Properties:\n            Path: /report\n            Method: GET\n{extra}"
        )
    }

    #[test]
    fn a_timeout_past_what_the_api_waits() {
        let found = run("template.yaml", &sam(60, "Api", ""));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, 7, "at the timeout");
        assert!(
            found[0].1.contains(
                "function `Report` may run for 60 s, but its API Gateway REST API waits at most \
                 29 s"
            ),
            "{}",
            found[0].1
        );
        let http = run("template.yaml", &sam(45, "HttpApi", ""));
        assert!(
            http[0].1.contains("HTTP API waits at most 30 s"),
            "{http:?}"
        );
        // One second over (a 30 s timeout behind a 29 s REST API) is said quietly.
        let severity = |timeout| {
            check_file("template.yaml", &sam(timeout, "Api", ""), &RULE, "").1[0].severity
        };
        assert_eq!(severity(30), Severity::Info);
        assert_eq!(severity(31), Severity::Warning);
    }

    #[test]
    fn what_the_api_waits_is_the_limit_not_a_round_number() {
        // 25 s behind a REST API, and 30 s behind an HTTP API, finish in time.
        assert!(run("template.yaml", &sam(25, "Api", "")).is_empty());
        assert!(run("template.yaml", &sam(30, "HttpApi", "")).is_empty());
        // A REST integration raised to 60 s waits for a 50 s function; an HTTP API cannot be.
        let raised = "            TimeoutInMillis: 60000\n";
        assert!(run("template.yaml", &sam(50, "Api", raised)).is_empty());
        assert_eq!(run("template.yaml", &sam(50, "HttpApi", raised)).len(), 1);
        // A lowered one is the limit too.
        let lowered = "            TimeoutInMillis: 5000\n";
        let found = run("template.yaml", &sam(10, "Api", lowered));
        assert!(found[0].1.contains("waits at most 5 s"), "{found:?}");
        // Globals apply; a queue consumer has no caller waiting.
        let globals = "Transform: AWS::Serverless-2016-10-31\nGlobals:\n  Function:\n    Timeout: 120\nResources:\n  Api:\n    Type: AWS::Serverless::Function\n    Properties:\n      Events:\n        E:\n          Type: HttpApi\n  Worker:\n    Type: AWS::Serverless::Function\n    Properties:\n      Events:\n        Q:\n          Type: SQS\n          Properties:\n            Queue: !GetAtt Q.Arn\n";
        let found = run("template.yaml", globals);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].1.contains("function `Api` may run for 120 s"));
    }

    #[test]
    fn streaming_responses_websockets_and_bare_permissions_are_not_waited_on() {
        let streaming = "Transform: AWS::Serverless-2016-10-31\nResources:\n  Story:\n    Type: AWS::Serverless::Function\n    Properties:\n      Timeout: 300\n      Events:\n        E:\n          Type: Api\n          Properties:\n            Path: /story\n            Method: POST\n            RestApiId: !Ref Api\n  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      DefinitionBody:\n        paths:\n          /story:\n            post:\n              x-amazon-apigateway-integration:\n                responseTransferMode: STREAM\n                uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2021-11-15/functions/${Story.Arn}/response-streaming-invocations\n";
        assert!(run("template.yaml", streaming).is_empty());
        let buffered = streaming.replace(
            "2021-11-15/functions/${Story.Arn}/response-streaming-invocations",
            "2015-03-31/functions/${Story.Arn}/invocations",
        );
        assert_eq!(run("template.yaml", &buffered).len(), 1);
        let websocket = "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Timeout: 300\n  Api:\n    Type: AWS::ApiGatewayV2::Api\n    Properties:\n      ProtocolType: WEBSOCKET\n  Route:\n    Type: AWS::ApiGatewayV2::Route\n    Properties:\n      ApiId: !Ref Api\n      RouteKey: sendmessage\n      Target: !Sub integrations/${Integration}\n  Integration:\n    Type: AWS::ApiGatewayV2::Integration\n    Properties:\n      IntegrationUri: !GetAtt Fn.Arn\n  Permission:\n    Type: AWS::Lambda::Permission\n    Properties:\n      FunctionName: !Ref Fn\n      Principal: apigateway.amazonaws.com\n";
        assert!(run("template.yaml", websocket).is_empty());
    }

    #[test]
    fn a_cdk_integration_timeout_is_what_the_api_waits() {
        use crate::rules::test_support::check_project;
        let stack = |options: &str| {
            format!("import * as cdk from 'aws-cdk-lib';\nimport * as lambda from 'aws-cdk-lib/aws-lambda';\nimport * as apigateway from 'aws-cdk-lib/aws-apigateway';\n\nexport class ChatStack extends cdk.Stack {{\n  constructor(scope: cdk.App, id: string) {{\n    super(scope, id);\n    const fn = new lambda.Function(this, 'Chat', {{\n      runtime: lambda.Runtime.NODEJS_22_X,\n      handler: 'chat.handler',\n      code: lambda.Code.fromAsset('src'),\n      timeout: cdk.Duration.minutes(5),\n    }});\n    const api = new apigateway.RestApi(this, 'Api');\n    api.root.addResource('chat').addMethod('POST', new apigateway.LambdaIntegration(fn{options}));\n  }}\n}}\n")
        };
        let found = check_project(&[("stack.ts", &stack(""))], &RULE);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(
            found[0]
                .2
                .contains("may run for 300 s, but its API Gateway REST API waits at most 29 s"),
            "{}",
            found[0].2
        );
        let raised = stack(", { timeout: cdk.Duration.minutes(5) }");
        assert!(check_project(&[("stack.ts", &raised)], &RULE).is_empty());
    }

    #[test]
    fn serverless_and_cloudformation_alike() {
        let sls = "service: s\nprovider:\n  name: aws\n  timeout: 45\nfunctions:\n  api:\n    handler: h.main\n    events:\n      - http: GET /report\n";
        let found = run("serverless.yml", sls);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, 4, "at the provider's timeout");
        let cfn = "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Timeout: 40\n  Method:\n    Type: AWS::ApiGateway::Method\n    Properties:\n      HttpMethod: GET\n      Integration:\n        TimeoutInMillis: 45000\n        Uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations\n";
        assert!(
            run("template.yaml", cfn).is_empty(),
            "the integration waits 45 s"
        );
        let short = cfn.replace("TimeoutInMillis: 45000", "TimeoutInMillis: 20000");
        assert_eq!(run("template.yaml", &short).len(), 1);
    }
}
