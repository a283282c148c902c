//! FL404 queue-visibility-timeout: an SQS queue that hands a message out again while its
//! consumer may still be working on it.

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::{Event, Function, Project, Resource, ResourceKind};
use crate::rules::{Context, Rule};

pub static RULE: Rule = Rule {
    code: "FL404",
    name: "queue-visibility-timeout",
    default_severity: Severity::Warning,
    summary: "A queue's visibility timeout shorter than 6 times its consumer's timeout",
    doc: include_str!("../../rules/FL404-queue-visibility-timeout.md"),
    check: Some(check),
    options: None,
};

/// SQS's default visibility timeout, in seconds.
const DEFAULT_VISIBILITY_S: u64 = 30;
/// AWS's guidance: at least six times the function's timeout.
const GUIDANCE_FACTOR: u64 = 6;

fn check(project: &Project, _: &Context, out: &mut Vec<Diagnostic>) {
    // A durable function's run is bounded by its durable settings, not by the timeout alone:
    // too unsure to judge.
    for function in project.functions().filter(|f| !f.durable) {
        for event in function.events.iter().filter(|e| e.kind.is_queue()) {
            let queue = event
                .details
                .source
                .as_deref()
                .and_then(|id| project.resource(function.file, id))
                .filter(|r| r.kind == ResourceKind::Queue);
            if let Some(queue) = queue {
                out.extend(diagnostic(function, event, queue));
            }
        }
    }
}

fn diagnostic(function: &Function, event: &Event, queue: &Resource) -> Option<Diagnostic> {
    let visibility = queue
        .visibility_timeout_s
        .as_ref()
        .map_or(DEFAULT_VISIBILITY_S, |v| v.value);
    let timeout = function.timeout_seconds();
    let wanted = timeout * GUIDANCE_FACTOR;
    if visibility >= wanted {
        return None;
    }
    let shown = match &queue.visibility_timeout_s {
        Some(_) => format!("{visibility} s"),
        None => format!("{visibility} s (the default)"),
    };
    let (severity, message) = if visibility < timeout {
        (
            Severity::Error,
            format!(
                "queue `{}` hands a message out again after {shown}, before function `{}` may \
                 be done with it ({timeout} s timeout): a slow batch is processed twice",
                queue.logical_id, function.logical_id
            ),
        )
    } else {
        // Both left at their defaults: true of the guidance, but the least likely to bite.
        let severity = if queue.visibility_timeout_s.is_none() && function.timeout_s.is_none() {
            Severity::Info
        } else {
            RULE.default_severity
        };
        (
            severity,
            format!(
                "queue `{}` hides a received message for {shown}, less than {GUIDANCE_FACTOR} times the \
                 {timeout} s timeout of function `{}` ({wanted} s): a batch retried after throttling or an \
                 error can reappear while it still runs",
                queue.logical_id, function.logical_id
            ),
        )
    };
    let span = queue
        .visibility_timeout_s
        .as_ref()
        .map_or(queue.span, |v| v.span);
    let timeout_at = function
        .timeout_s
        .as_ref()
        .map_or(function.span, |t| t.span);
    let mut diagnostic = Diagnostic::new(&RULE, queue.file, span, message)
        .with_help(format!(
            "Set the queue's `VisibilityTimeout` to at least {wanted} s ({GUIDANCE_FACTOR} times the \
             function's timeout, plus any `MaximumBatchingWindowInSeconds`), or lower the function's \
             timeout. Make the handler idempotent either way: SQS delivers at least once."
        ))
        .with_related(function.file, timeout_at, format!("timeout of {timeout} s"))
        .with_related(function.file, event.span, "consumes the queue");
    diagnostic.severity = severity;
    Some(diagnostic)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::{check_file, check_lines};

    fn run(name: &str, text: &str) -> Vec<(usize, String)> {
        check_lines(name, text, &RULE)
    }

    fn severities(name: &str, text: &str) -> Vec<Severity> {
        check_file(name, text, &RULE, "")
            .1
            .iter()
            .map(|d| d.severity)
            .collect()
    }

    fn sam(timeout: Option<u64>, visibility: Option<u64>) -> String {
        let timeout = timeout.map_or(String::new(), |t| format!("      Timeout: {t}\n"));
        let visibility = visibility.map_or(String::new(), |v| {
            format!("    Properties:\n      VisibilityTimeout: {v}\n")
        });
        format!(
            "Transform: AWS::Serverless-2016-10-31\nResources:\n  Orders:\n    Type: AWS::SQS::Queue\n{visibility}  Worker:\n    Type: AWS::Serverless::Function\n    Properties:\n{timeout}      Events:\n        Q:\n          Type: SQS\n          Properties:\n            Queue: !GetAtt Orders.Arn\n"
        )
    }

    #[test]
    fn below_six_times_is_a_warning_below_once_an_error() {
        let found = run("template.yaml", &sam(Some(30), Some(60)));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, 6, "at the visibility timeout");
        assert!(
            found[0].1.contains(
                "queue `Orders` hides a received message for 60 s, less than 6 times the 30 s \
                 timeout of function `Worker` (180 s)"
            ),
            "{}",
            found[0].1
        );
        assert_eq!(
            severities("template.yaml", &sam(Some(30), Some(60))),
            [Severity::Warning]
        );
        assert_eq!(
            severities("template.yaml", &sam(Some(60), None)),
            [Severity::Error]
        );
        let default = run("template.yaml", &sam(Some(60), None));
        assert!(
            default[0].1.contains("after 30 s (the default), before"),
            "{default:?}"
        );
    }

    #[test]
    fn exactly_six_times_and_unknown_queues_are_fine() {
        assert!(run("template.yaml", &sam(Some(30), Some(180))).is_empty());
        // Lambda's 3 s default against SQS's 30 s default: 18 s is enough.
        assert!(run("template.yaml", &sam(None, None)).is_empty());
        // A queue of another stack (an ARN) is not known here.
        let external = sam(Some(60), None).replace(
            "!GetAtt Orders.Arn",
            "arn:aws:sqs:eu-west-1:123456789012:orders",
        );
        assert!(run("template.yaml", &external).is_empty());
    }

    #[test]
    fn terraform_queues_in_another_file_of_the_module() {
        use crate::rules::test_support::check_project;
        let main = "resource \"aws_lambda_function\" \"worker\" {\n  function_name = \"worker\"\n  runtime       = \"python3.12\"\n  handler       = \"app.handler\"\n  timeout       = 60\n}\n\nresource \"aws_lambda_event_source_mapping\" \"jobs\" {\n  event_source_arn = aws_sqs_queue.jobs.arn\n  function_name    = aws_lambda_function.worker.arn\n}\n";
        let queues = "resource \"aws_sqs_queue\" \"jobs\" {\n  name                       = \"jobs\"\n  visibility_timeout_seconds = 120\n}\n";
        let found = check_project(
            &[("infra/main.tf", main), ("infra/queues.tf", queues)],
            &super::RULE,
        );
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!((found[0].0.as_str(), found[0].1), ("infra/queues.tf", 3));
        assert!(
            found[0]
                .2
                .contains("queue `aws_sqs_queue.jobs` hides a received message for 120 s"),
            "{}",
            found[0].2
        );
        let enough = queues.replace("120", "360");
        assert!(check_project(
            &[("infra/main.tf", main), ("infra/queues.tf", &enough)],
            &super::RULE
        )
        .is_empty());
    }

    #[test]
    fn cdk_queues_and_event_sources() {
        use crate::rules::test_support::check_project;
        let stack = "import * as cdk from 'aws-cdk-lib';\nimport { Duration } from 'aws-cdk-lib';\nimport * as lambda from 'aws-cdk-lib/aws-lambda';\nimport * as sqs from 'aws-cdk-lib/aws-sqs';\nimport { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';\n\nexport class JobsStack extends cdk.Stack {\n  constructor(scope: cdk.App, id: string) {\n    super(scope, id);\n    const jobs = new sqs.Queue(this, 'Jobs', { visibilityTimeout: Duration.seconds(60) });\n    const worker = new lambda.Function(this, 'Worker', {\n      runtime: lambda.Runtime.NODEJS_22_X,\n      handler: 'worker.handler',\n      code: lambda.Code.fromAsset('src'),\n      timeout: Duration.minutes(2),\n    });\n    worker.addEventSource(new SqsEventSource(jobs, { batchSize: 10 }));\n  }\n}\n";
        let found = check_project(&[("lib/stack.ts", stack)], &super::RULE);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(
            found[0].2.contains(
                "queue `jobs` hands a message out again after 60 s, before function `Worker`"
            ),
            "{}",
            found[0].2
        );
    }

    #[test]
    fn event_source_mappings_and_serverless_resources() {
        let cfn = "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      VisibilityTimeout: 20\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Timeout: 30\n  Mapping:\n    Type: AWS::Lambda::EventSourceMapping\n    Properties:\n      EventSourceArn: !GetAtt Q.Arn\n      FunctionName: !Ref Fn\n";
        assert_eq!(severities("template.yaml", cfn), [Severity::Error]);
        let sls = "service: s\nprovider:\n  name: aws\nfunctions:\n  worker:\n    handler: h.main\n    events:\n      - sqs:\n          arn: !GetAtt Jobs.Arn\nresources:\n  Resources:\n    Jobs:\n      Type: AWS::SQS::Queue\n";
        // The Framework's 6 s default against SQS's 30 s: below the guidance, said quietly.
        assert_eq!(severities("serverless.yml", sls), [Severity::Info]);
    }
}
