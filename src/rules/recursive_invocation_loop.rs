//! FL402 recursive-invocation-loop: a function that writes into what triggers it, directly or
//! through one other function.

use crate::diagnostic::{Diagnostic, Severity};
use crate::graph::{Edge, EdgeKind, Graph, NodeKind};
use crate::model::Project;
use crate::rules::{Context, Rule};

pub static RULE: Rule = Rule {
    code: "FL402",
    name: "recursive-invocation-loop",
    default_severity: Severity::Error,
    summary: "A function writes into the event source that triggers it",
    doc: include_str!("../../rules/FL402-recursive-invocation-loop.md"),
    check: Some(check),
    options: None,
};

fn check(_: &Project, context: &Context, out: &mut Vec<Diagnostic>) {
    let graph = context.graph();
    let mut reported: Vec<(usize, usize)> = Vec::new();
    for write in graph.edges.iter().filter(|e| e.kind == EdgeKind::Writes) {
        // Into the function that wrote, or into another that writes back into the first.
        for trigger in triggers_from(graph, write) {
            if trigger.to == write.from {
                out.push(diagnostic(graph, write, trigger, None));
                continue;
            }
            let back = graph.edges.iter().find(|back| {
                back.kind == EdgeKind::Writes
                    && back.from == trigger.to
                    && triggers_from(graph, back).any(|t| t.to == write.from)
            });
            let pair = (write.from.min(trigger.to), write.from.max(trigger.to));
            if let Some(back) = back.filter(|_| !reported.contains(&pair)) {
                reported.push(pair);
                out.push(diagnostic(graph, write, trigger, Some(back)));
            }
        }
    }
}

/// The triggers a resource node fires that the write `write` into it can set off.
/// - An S3 trigger with a key filter may keep the written objects out: what the code writes is
///   rarely known, so it is not taken for a loop.
/// - An EventBridge rule runs again only when its pattern accepts a source the function puts:
///   both must be known.
fn triggers_from<'g>(graph: &'g Graph, write: &'g Edge) -> impl Iterator<Item = &'g Edge> {
    let node = write.to;
    let kind = &graph.nodes[node].kind;
    let loops = matches!(
        kind,
        NodeKind::Bucket
            | NodeKind::Queue
            | NodeKind::Topic
            | NodeKind::Table
            | NodeKind::Stream
            | NodeKind::Bus
    );
    graph.edges.iter().filter(move |t| {
        let sets_off = match kind {
            NodeKind::Bucket => !t.filtered,
            NodeKind::Bus => t
                .event_sources
                .iter()
                .any(|accepted| write.event_sources.contains(accepted)),
            _ => true,
        };
        loops && t.kind == EdgeKind::Triggers && t.from == node && sets_off
    })
}

fn what_runs(kind: &NodeKind) -> &'static str {
    match kind {
        NodeKind::Bucket => "each object it puts there runs it again",
        NodeKind::Queue => "each message it sends there runs it again",
        NodeKind::Topic => "each message it publishes there runs it again",
        NodeKind::Table => "each item it writes there comes back on the table's stream",
        NodeKind::Bus => "each event it puts there matches its own rule and runs it again",
        _ => "each record it puts there runs it again",
    }
}

fn diagnostic(graph: &Graph, write: &Edge, trigger: &Edge, back: Option<&Edge>) -> Diagnostic {
    let function = &graph.nodes[write.from].name;
    let resource = &graph.nodes[write.to];
    let kind = resource.kind.as_str();
    let message = match back {
        None => format!(
            "function `{function}` writes to {kind} `{}`, which triggers it: {}",
            resource.name,
            what_runs(&resource.kind)
        ),
        Some(back) => format!(
            "function `{function}` writes to {kind} `{}`, which triggers `{}`, which writes to \
             {} `{}`, which triggers `{function}`: a loop through two functions",
            resource.name,
            graph.nodes[trigger.to].name,
            graph.nodes[back.to].kind.as_str(),
            graph.nodes[back.to].name
        ),
    };
    let mut diagnostic = Diagnostic::new(&RULE, write.file, write.span, message)
        .with_help(
            "Write to a different bucket, queue or topic than the one that triggers the \
             function, or filter the trigger (an S3 prefix or suffix the written keys do not \
             match). Lambda's recursive loop detection stops SQS, SNS and S3 loops only after \
             about 16 invocations, each of them billed, and does not see every loop.",
        )
        .with_related(
            trigger.file,
            trigger.span,
            format!("triggers `{}`", graph.nodes[trigger.to].name),
        );
    if let Some(back) = back {
        diagnostic = diagnostic.with_related(back.file, back.span, "writes back");
    }
    diagnostic
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::check_project;

    fn template(filter: &str, output: &str) -> String {
        format!(
            "Transform: AWS::Serverless-2016-10-31\nResources:\n  Uploads:\n    Type: AWS::S3::Bucket\n  Thumbs:\n    Type: AWS::S3::Bucket\n  Resize:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: nodejs22.x\n      CodeUri: src/\n      Handler: resize.handler\n      Environment:\n        Variables:\n          OUTPUT_BUCKET: !Ref {output}\n      Events:\n        Upload:\n          Type: S3\n          Properties:\n            Bucket: !Ref Uploads\n            Events: s3:ObjectCreated:*\n{filter}"
        )
    }

    const RESIZE: &str = "import { S3Client, PutObjectCommand } from '@aws-sdk/client-s3';\nconst s3 = new S3Client({});\nexport const handler = async (event) => {\n  for (const record of event.Records) {\n    await s3.send(new PutObjectCommand({ Bucket: process.env.OUTPUT_BUCKET, Key: `thumbs/${record.s3.object.key}`, Body: '' }));\n  }\n};\n";

    #[test]
    fn a_function_writing_into_the_bucket_that_triggers_it() {
        let found = check_project(
            &[
                ("template.yaml", &template("", "Uploads")),
                ("src/resize.mjs", RESIZE),
            ],
            &super::RULE,
        );
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!((found[0].0.as_str(), found[0].1), ("src/resize.mjs", 5));
        assert!(
            found[0]
                .2
                .contains("function `Resize` writes to bucket `Uploads`, which triggers it"),
            "{}",
            found[0].2
        );
        // Another bucket, or a key filter on the trigger, is no loop.
        let elsewhere = template("", "Thumbs");
        assert!(check_project(
            &[("template.yaml", &elsewhere), ("src/resize.mjs", RESIZE)],
            &super::RULE
        )
        .is_empty());
        let filtered = template("            Filter:\n              S3Key:\n                Rules:\n                  - Name: prefix\n                    Value: uploads/\n", "Uploads");
        assert!(check_project(
            &[("template.yaml", &filtered), ("src/resize.mjs", RESIZE)],
            &super::RULE
        )
        .is_empty());
    }

    #[test]
    fn a_target_read_into_a_variable_first_is_followed() {
        let through_variable = "import { S3Client, PutObjectCommand } from '@aws-sdk/client-s3';\nconst s3 = new S3Client({});\nconst output = process.env.OUTPUT_BUCKET;\nexport const handler = async (event) => {\n  await s3.send(new PutObjectCommand({ Bucket: output, Key: 'x', Body: '' }));\n};\n";
        let found = check_project(
            &[
                ("template.yaml", &template("", "Uploads")),
                ("src/resize.mjs", through_variable),
            ],
            &super::RULE,
        );
        assert_eq!(found.len(), 1, "{found:#?}");
        let python = "import os\nimport boto3\nBUCKET = os.environ['OUTPUT_BUCKET']\ns3 = boto3.client('s3')\n\ndef handler(event, context):\n    s3.put_object(Bucket=BUCKET, Key='x', Body=b'')\n";
        let template = template("", "Uploads").replace("nodejs22.x", "python3.12");
        let found = check_project(
            &[("template.yaml", &template), ("src/resize.py", python)],
            &super::RULE,
        );
        assert_eq!(found.len(), 1, "{found:#?}");
    }

    #[test]
    fn terraform_notifications_and_environments() {
        let tf = |filter: &str| {
            format!("resource \"aws_s3_bucket\" \"uploads\" {{\n  bucket = \"uploads\"\n}}\n\ndata \"archive_file\" \"resize\" {{\n  type        = \"zip\"\n  source_dir  = \"${{path.module}}/src\"\n  output_path = \"${{path.module}}/resize.zip\"\n}}\n\nresource \"aws_lambda_function\" \"resize\" {{\n  function_name = \"resize\"\n  runtime       = \"python3.12\"\n  handler       = \"app.handler\"\n  filename      = data.archive_file.resize.output_path\n  environment {{\n    variables = {{\n      OUTPUT_BUCKET = aws_s3_bucket.uploads.id\n    }}\n  }}\n}}\n\nresource \"aws_s3_bucket_notification\" \"uploads\" {{\n  bucket = aws_s3_bucket.uploads.id\n  lambda_function {{\n    lambda_function_arn = aws_lambda_function.resize.arn\n    events              = [\"s3:ObjectCreated:*\"]\n{filter}  }}\n}}\n")
        };
        let code = "import os\nimport boto3\ns3 = boto3.client('s3')\n\ndef handler(event, context):\n    s3.put_object(Bucket=os.environ['OUTPUT_BUCKET'], Key='thumb', Body=b'')\n";
        let found = check_project(&[("main.tf", &tf("")), ("src/app.py", code)], &super::RULE);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(
            found[0]
                .2
                .contains("writes to bucket `aws_s3_bucket.uploads`, which triggers it"),
            "{}",
            found[0].2
        );
        let filtered = tf("    filter_prefix       = \"uploads/\"\n");
        assert!(check_project(
            &[("main.tf", &filtered), ("src/app.py", code)],
            &super::RULE
        )
        .is_empty());
    }

    #[test]
    fn cdk_notifications_and_event_sources() {
        let stack = |options: &str| {
            format!("import * as cdk from 'aws-cdk-lib';\nimport * as lambda from 'aws-cdk-lib/aws-lambda';\nimport * as s3 from 'aws-cdk-lib/aws-s3';\nimport * as s3n from 'aws-cdk-lib/aws-s3-notifications';\n\nexport class ImagesStack extends cdk.Stack {{\n  constructor(scope: cdk.App, id: string) {{\n    super(scope, id);\n    const uploads = new s3.Bucket(this, 'Uploads');\n    const resize = new lambda.Function(this, 'Resize', {{\n      runtime: lambda.Runtime.NODEJS_22_X,\n      handler: 'resize.handler',\n      code: lambda.Code.fromAsset('src'),\n      environment: {{ OUTPUT_BUCKET: uploads.bucketName }},\n    }});\n    uploads.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.LambdaDestination(resize){options});\n  }}\n}}\n")
        };
        let found = check_project(
            &[("stack.ts", &stack("")), ("src/resize.mjs", RESIZE)],
            &super::RULE,
        );
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(
            found[0]
                .2
                .contains("writes to bucket `uploads`, which triggers it"),
            "{}",
            found[0].2
        );
        let filtered = stack(", { prefix: 'incoming/' }");
        assert!(check_project(
            &[("stack.ts", &filtered), ("src/resize.mjs", RESIZE)],
            &super::RULE
        )
        .is_empty());
    }

    #[test]
    fn an_eventbridge_rule_that_matches_what_the_function_puts() {
        let template = |source: &str, bus: &str| {
            format!("Transform: AWS::Serverless-2016-10-31\nResources:\n  OrdersBus:\n    Type: AWS::Events::EventBus\n    Properties:\n      Name: orders\n  Enricher:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: nodejs22.x\n      CodeUri: src/\n      Handler: enrich.handler\n      Environment:\n        Variables:\n          BUS_NAME: !Ref OrdersBus\n      Events:\n        Placed:\n          Type: EventBridgeRule\n          Properties:\n{bus}            Pattern:\n              source: [{source}]\n")
        };
        let code = "import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';\nconst events = new EventBridgeClient({});\nexport const handler = async (event) => {\n  await events.send(new PutEventsCommand({ Entries: [{ EventBusName: process.env.BUS_NAME, Source: 'orders.enricher', DetailType: 'OrderEnriched', Detail: JSON.stringify(event.detail) }] }));\n};\n";
        let on_bus = "            EventBusName: !Ref OrdersBus\n";
        let found = check_project(
            &[
                ("template.yaml", &template("orders.enricher", on_bus)),
                ("src/enrich.mjs", code),
            ],
            &super::RULE,
        );
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(found[0].2.contains("writes to bus `OrdersBus`, which triggers it: each event it puts there matches its own rule"), "{}", found[0].2);
        // Another source, or a rule on the default bus, is no loop.
        let other = template("orders.checkout", on_bus);
        assert!(check_project(
            &[("template.yaml", &other), ("src/enrich.mjs", code)],
            &super::RULE
        )
        .is_empty());
        let default_bus = template("orders.enricher", "");
        assert!(check_project(
            &[("template.yaml", &default_bus), ("src/enrich.mjs", code)],
            &super::RULE
        )
        .is_empty());
        // Python on the default bus, both sides saying so by leaving the bus out.
        let python = "import boto3\nevents = boto3.client('events')\n\ndef handler(event, context):\n    events.put_events(Entries=[{'Source': 'orders.enricher', 'DetailType': 'OrderEnriched', 'Detail': '{}'}])\n";
        let template = default_bus.replace("nodejs22.x", "python3.12");
        let found = check_project(
            &[("template.yaml", &template), ("src/enrich.py", python)],
            &super::RULE,
        );
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(found[0].2.contains("bus `default`"), "{}", found[0].2);
    }

    #[test]
    fn queues_in_python_and_loops_through_two_functions() {
        let template = "Transform: AWS::Serverless-2016-10-31\nResources:\n  Jobs:\n    Type: AWS::SQS::Queue\n  Results:\n    Type: AWS::SQS::Queue\n  Worker:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      CodeUri: worker/\n      Handler: app.handler\n      Environment:\n        Variables:\n          NEXT_QUEUE: !Ref Results\n      Events:\n        Q:\n          Type: SQS\n          Properties:\n            Queue: !GetAtt Jobs.Arn\n  Collector:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      CodeUri: collector/\n      Handler: app.handler\n      Environment:\n        Variables:\n          NEXT_QUEUE: !Ref Jobs\n      Events:\n        Q:\n          Type: SQS\n          Properties:\n            Queue: !GetAtt Results.Arn\n";
        let code = "import os\nimport boto3\nsqs = boto3.client('sqs')\n\ndef handler(event, context):\n    for record in event['Records']:\n        sqs.send_message(QueueUrl=os.environ['NEXT_QUEUE'], MessageBody=record['body'])\n";
        let found = check_project(
            &[
                ("template.yaml", template),
                ("worker/app.py", code),
                ("collector/app.py", code),
            ],
            &super::RULE,
        );
        assert_eq!(found.len(), 1, "one finding for the cycle: {found:#?}");
        assert!(
            found[0].2.contains("a loop through two functions"),
            "{}",
            found[0].2
        );
        // The collector sending to a third queue breaks the cycle.
        let broken = template.replace("NEXT_QUEUE: !Ref Jobs", "NEXT_QUEUE: !Ref Archive");
        assert!(check_project(
            &[
                ("template.yaml", &broken),
                ("worker/app.py", code),
                ("collector/app.py", code)
            ],
            &super::RULE
        )
        .is_empty());
    }
}
