//! FL102 client-in-handler: an AWS SDK client, SDK configuration or HTTP client built on every
//! invocation.

use super::connection_in_handler::report_per_invocation;
use crate::catalog::{Catalog, CATALOG};
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::{InvocationSite, Project};
use crate::rules::{Context, Rule};

pub static RULE: Rule = Rule {
    code: "FL102",
    name: "client-in-handler",
    default_severity: Severity::Warning,
    summary: "An AWS SDK or HTTP client built on every invocation",
    doc: include_str!("../../rules/FL102-client-in-handler.md"),
    check: Some(check),
    options: None,
};

fn check(project: &Project, _: &Context, out: &mut Vec<Diagnostic>) {
    let what = |site: &InvocationSite| {
        let entry = Catalog::find(
            &CATALOG.clients,
            project.code[site.code].language,
            site.call,
        )?;
        // A client for this invocation's endpoint or credentials cannot simply be hoisted.
        Some(match site.call.from_invocation_data {
            true => format!(
                "{} from this invocation's data (an endpoint, credentials, a region it was given)",
                entry.what
            ),
            false => entry.what.clone(),
        })
    };
    let help = "Build it once at module scope and reuse it across invocations: a client resolves \
                credentials and configuration and keeps connections alive, work a warm \
                invocation should not repeat.";
    let found = report_per_invocation(project, &RULE, "builds an", help, what);
    // `DynamoDBDocumentClient.from(new DynamoDBClient())`, `dynamodb.New(session.New())`: one
    // client is built, reported once, at the outer call.
    let outer = |site: &InvocationSite| {
        !found.iter().any(|(other, _)| {
            other.code == site.code
                && other.index != site.index
                && other.call.span.start <= site.call.span.start
                && site.call.span.end <= other.call.span.end
        })
    };
    let kept: Vec<bool> = found.iter().map(|(site, _)| outer(site)).collect();
    for ((site, mut diagnostic), keep) in found.into_iter().zip(kept) {
        if !keep {
            continue;
        }
        if site.call.from_invocation_data {
            diagnostic.severity = Severity::Info;
            diagnostic.help = Some(PER_REQUEST_HELP.to_string());
        }
        out.push(diagnostic);
    }
}

const PER_REQUEST_HELP: &str = "It cannot simply move to module scope. If the value repeats \
    (the same WebSocket endpoint, the same assumed role, the same region), keep the clients in a \
    module-scope map keyed by it, so warm invocations reuse them; otherwise this is fine.";

#[cfg(test)]
mod tests {
    use crate::rules::test_support::check_code;

    #[test]
    fn a_client_wrapped_in_another_is_one_finding_at_the_outer_call() {
        let ts = check_code(
            "src/h.ts",
            "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nimport { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';\nexport const handler = async () => {\n  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));\n  const raw = new DynamoDBClient({});\n};\n",
            &super::RULE,
        );
        assert_eq!(
            ts.iter().map(|(l, _)| *l).collect::<Vec<_>>(),
            [4, 5],
            "{ts:#?}"
        );
        assert!(
            ts[0].1.contains("DynamoDBDocumentClient.from"),
            "{}",
            ts[0].1
        );
        let go = check_code(
            "main.go",
            "package main\n\nimport (\n\t\"github.com/aws/aws-sdk-go/aws/session\"\n\t\"github.com/aws/aws-sdk-go/service/dynamodb\"\n\t\"github.com/aws/aws-lambda-go/lambda\"\n)\n\nfunc create() {\n\tsvc := dynamodb.New(session.New())\n\t_ = svc\n}\n\nfunc main() {\n\tlambda.Start(create)\n}\n",
            &super::RULE,
        );
        assert_eq!(go.len(), 1, "{go:#?}");
        assert!(
            go[0]
                .1
                .starts_with("`dynamodb.New()` builds an AWS SDK client"),
            "{}",
            go[0].1
        );
    }

    #[test]
    fn java_handlers_reach_imported_and_same_package_classes() {
        use crate::rules::test_support::check_project;
        let handler = "package com.example.orders;\n\nimport com.amazonaws.services.lambda.runtime.Context;\nimport com.amazonaws.services.lambda.runtime.RequestHandler;\nimport com.example.utils.DDBUtils;\n\npublic class OrderHandler implements RequestHandler<String, String> {\n    public String handleRequest(String order, Context context) {\n        DDBUtils.persist(order);\n        Archive.store(order);\n        return order;\n    }\n}\n";
        let utils = "package com.example.utils;\n\nimport software.amazon.awssdk.services.dynamodb.DynamoDbClient;\n\npublic class DDBUtils {\n    public static void persist(String order) {\n        DynamoDbClient client = DynamoDbClient.builder().build();\n    }\n}\n";
        let archive = "package com.example.orders;\n\nimport software.amazon.awssdk.services.s3.S3Client;\n\nclass Archive {\n    private static final S3Client S3 = S3Client.create();\n    static void store(String order) {\n        S3Client perCall = S3Client.create();\n    }\n}\n";
        let root = "src/main/java/com/example";
        let found = check_project(
            &[
                (&format!("{root}/orders/OrderHandler.java"), handler),
                (&format!("{root}/utils/DDBUtils.java"), utils),
                (&format!("{root}/orders/Archive.java"), archive),
            ],
            &super::RULE,
        );
        let places: Vec<(&str, usize)> = found.iter().map(|(p, l, _)| (p.as_str(), *l)).collect();
        assert_eq!(
            places,
            [
                ("src/main/java/com/example/orders/Archive.java", 8),
                ("src/main/java/com/example/utils/DDBUtils.java", 7)
            ],
            "{found:#?}"
        );
    }

    #[test]
    fn routes_of_a_whole_application_run_per_request_only_when_a_container_serves_it() {
        use crate::rules::test_support::check_project;
        let controller = "using Amazon.S3;\nusing Microsoft.AspNetCore.Mvc;\n\n[ApiController]\npublic class FilesController : ControllerBase\n{\n    private readonly IAmazonS3 _s3;\n\n    public FilesController(IAmazonS3 s3) { _s3 = s3; }\n\n    [HttpGet(\"{key}\")]\n    public async Task<IActionResult> Get(string key)\n    {\n        var s3 = new AmazonS3Client();\n        return Ok(await s3.GetObjectAsync(\"bucket\", key));\n    }\n}\n";
        let program = "var builder = WebApplication.CreateBuilder(args);\nbuilder.Services.AddSingleton<IAmazonS3>(_ => new AmazonS3Client());\nbuilder.Services.AddAWSLambdaHosting(LambdaEventSource.HttpApi);\nvar app = builder.Build();\napp.MapControllers();\napp.MapGet(\"/health\", () => new HttpClient().GetStringAsync(\"http://localhost\"));\napp.Run();\n";
        let found = check_project(
            &[
                ("api/Program.cs", program),
                ("api/Controllers/FilesController.cs", controller),
            ],
            &super::RULE,
        );
        let places: Vec<(&str, usize)> = found.iter().map(|(p, l, _)| (p.as_str(), *l)).collect();
        // The singleton factory runs once; the routes run per request.
        assert_eq!(
            places,
            [
                ("api/Controllers/FilesController.cs", 14),
                ("api/Program.cs", 6)
            ],
            "{found:#?}"
        );
        // The same app served by Kestrel in a container is no Lambda function.
        let kestrel = program.replace(
            "builder.Services.AddAWSLambdaHosting(LambdaEventSource.HttpApi);\n",
            "",
        );
        let found = check_project(
            &[
                ("api/Program.cs", &kestrel),
                ("api/Controllers/FilesController.cs", controller),
            ],
            &super::RULE,
        );
        assert!(found.is_empty(), "{found:#?}");
    }

    #[test]
    fn spring_cloud_function_beans_run_per_invocation_inside_their_function() {
        use crate::rules::test_support::check_project;
        let template = "Transform: AWS::Serverless-2016-10-31\nResources:\n  Orders:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: java21\n      CodeUri: orders/target/orders-aws.jar\n      Handler: org.springframework.cloud.function.adapter.aws.FunctionInvoker::handleRequest\n";
        let functions = "package com.example;\n\nimport java.util.function.Function;\nimport org.springframework.context.annotation.Bean;\nimport software.amazon.awssdk.services.sqs.SqsClient;\nimport software.amazon.awssdk.services.sns.SnsClient;\n\n@SpringBootApplication\npublic class Functions {\n    @Bean\n    public SnsClient sns() {\n        return SnsClient.create();\n    }\n\n    @Bean\n    public Function<String, String> enqueue() {\n        SqsClient once = SqsClient.create();\n        return order -> {\n            SqsClient perCall = SqsClient.create();\n            return order;\n        };\n    }\n}\n";
        let path = "orders/src/main/java/com/example/Functions.java";
        let found = check_project(
            &[("template.yaml", template), (path, functions)],
            &super::RULE,
        );
        let lines: Vec<usize> = found.iter().map(|(_, line, _)| *line).collect();
        assert_eq!(lines, [19], "{found:#?}");
        // Without the invoker, a Spring application's beans are no Lambda handlers.
        let plain = template.replace(
            "org.springframework.cloud.function.adapter.aws.FunctionInvoker",
            "com.example.Other",
        );
        assert!(check_project(
            &[("template.yaml", &plain), (path, functions)],
            &super::RULE
        )
        .is_empty());
    }

    #[test]
    fn sdk_clients_in_every_language() {
        let ts = check_code(
            "src/h.ts",
            r#"import { S3Client, GetObjectCommand } from "@aws-sdk/client-s3";
import AWS from "aws-sdk";
const shared = new S3Client({});
export const handler = async () => {
  const s3 = new S3Client({});
  const cmd = new GetObjectCommand({ Bucket: "b", Key: "k" });
  const ddb = new AWS.DynamoDB.DocumentClient();
  AWS.config.update({ region: "eu-west-1" });
};
"#,
            &super::RULE,
        );
        assert_eq!(
            ts.iter().map(|(l, _)| *l).collect::<Vec<_>>(),
            [5, 7],
            "{ts:#?}"
        );
        let py = check_code(
            "app.py",
            "import boto3\nimport requests\ns3 = boto3.client('s3')\n\ndef handler(event, context):\n    table = boto3.resource('dynamodb').Table('t')\n    session = requests.Session()\n",
            &super::RULE,
        );
        assert_eq!(py.iter().map(|(l, _)| *l).collect::<Vec<_>>(), [6, 7]);
        assert!(
            py[0]
                .1
                .starts_with("`boto3.resource(\"dynamodb\")` builds an AWS SDK client"),
            "{}",
            py[0].1
        );
        let rs = check_code(
            "src/main.rs",
            "async fn handler(e: LambdaEvent<Value>) -> Result<(), Error> {\n    let config = aws_config::load_from_env().await;\n    let client = aws_sdk_s3::Client::new(&config);\n    Ok(())\n}\nasync fn main() { lambda_runtime::run(lambda_runtime::service_fn(handler)).await; }\n",
            &super::RULE,
        );
        assert_eq!(rs.iter().map(|(l, _)| *l).collect::<Vec<_>>(), [2, 3]);
    }

    #[test]
    fn only_a_guard_on_the_cached_variable_caches() {
        let py = check_code(
            "app.py",
            "import boto3\nclient = None\n\ndef lambda_handler(event, context):\n    global client\n    if client is None:\n        client = boto3.client('s3')\n    item = load(event)\n    if not item:\n        config = boto3.client('config')\n    if not event.get('cached'):\n        s3 = boto3.client('s3')\n    return client\n",
            &super::RULE,
        );
        assert_eq!(
            py.iter().map(|(l, _)| *l).collect::<Vec<_>>(),
            [10, 12],
            "{py:#?}"
        );
        let local = check_code(
            "app.py",
            "import boto3\n\ndef lambda_handler(event, context):\n    client = None\n    if client is None:\n        client = boto3.client('s3')\n",
            &super::RULE,
        );
        assert_eq!(
            local.len(),
            1,
            "a local variable is new on every invocation"
        );
        let chained = check_code(
            "app.py",
            "import boto3\ntable = None\n\ndef lambda_handler(event, context):\n    global table\n    if table is None:\n        table = boto3.resource('dynamodb').Table('connections')\n",
            &super::RULE,
        );
        assert!(chained.is_empty(), "{chained:#?}");
        let ts = check_code(
            "src/h.ts",
            "import { S3Client } from '@aws-sdk/client-s3';\nlet s3: S3Client | undefined;\nexport const handler = async (event) => {\n  if (!s3) s3 = new S3Client({});\n  if (!event.body) {\n    const fresh = new S3Client({});\n  }\n  let local;\n  if (!local) local = new S3Client({});\n};\n",
            &super::RULE,
        );
        assert_eq!(
            ts.iter().map(|(l, _)| *l).collect::<Vec<_>>(),
            [6, 9],
            "{ts:#?}"
        );
    }

    #[test]
    fn a_custom_resource_replying_to_cloudformation_runs_once() {
        let py = check_code(
            "app.py",
            "import boto3\nimport requests\n\ndef handler(event, context):\n    s3 = boto3.client('s3')\n    s3.put_bucket_notification_configuration(Bucket=event['ResourceProperties']['Bucket'])\n    requests.put(event['ResponseURL'], json={'Status': 'SUCCESS'})\n",
            &super::RULE,
        );
        assert!(py.is_empty(), "{py:#?}");
    }

    #[test]
    fn clients_built_from_invocation_data_are_said_less_loudly() {
        use crate::rules::test_support::check_project;
        let ts = "import { ApiGatewayManagementApiClient, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';\nimport { S3Client } from '@aws-sdk/client-s3';\nexport const handler = async (event) => {\n  const { domainName, stage } = event.requestContext;\n  const api = new ApiGatewayManagementApiClient({ endpoint: `https://${domainName}/${stage}` });\n  const region = process.env.AWS_REGION;\n  const s3 = new S3Client({ region });\n  await api.send(new PostToConnectionCommand({ ConnectionId: event.requestContext.connectionId, Data: 'hi' }));\n};\n";
        let py = "import boto3\n\ndef handler(event, context):\n    region = event['ResourceProperties']['Region']\n    ec2 = boto3.client('ec2', region_name=region)\n    s3 = boto3.client('s3')\n";
        let found = check_project(&[("src/ws.ts", ts), ("app.py", py)], &super::RULE);
        let summary: Vec<(&str, usize, bool)> = found
            .iter()
            .map(|(path, line, message)| {
                let per_request = message.contains("from this invocation's data");
                (path.as_str(), *line, per_request)
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("app.py", 5, true),
                ("app.py", 6, false),
                ("src/ws.ts", 5, true),
                ("src/ws.ts", 7, false),
            ],
            "{found:#?}"
        );
    }
}
