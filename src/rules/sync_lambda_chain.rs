//! FL401 sync-lambda-chain: a function invokes another Lambda synchronously and waits for it.

use crate::catalog::CATALOG;
use crate::diagnostic::{Diagnostic, Severity};
use crate::graph::{invocation_type, invoked_function, invoked_name};
use crate::model::Project;
use crate::rules::connection_in_handler::{invocation_sites, named_function, with_handler};
use crate::rules::{Context, Rule};

pub static RULE: Rule = Rule {
    code: "FL401",
    name: "sync-lambda-chain",
    default_severity: Severity::Warning,
    summary: "A function invokes another Lambda synchronously and waits for it",
    doc: include_str!("../../rules/FL401-sync-lambda-chain.md"),
    check: Some(check),
    options: None,
};

fn check(project: &Project, _: &Context, out: &mut Vec<Diagnostic>) {
    for site in invocation_sites(project, |_| false) {
        let (entry, file, call) = (site.entry, &project.code[site.code], site.call);
        if !call.result_used || !CATALOG.is_invoke(file, call) {
            continue;
        }
        let invocation_type = invocation_type(file, call);
        if matches!(invocation_type.as_deref(), Some("Event" | "DryRun")) {
            continue;
        }
        let target = invoked_function(project, entry, file, call).map(|id| &project.functions[id]);
        let caller_name = match project.functions_running(entry).next() {
            Some(f) => format!("function `{}`", f.logical_id),
            None => format!(
                "handler `{}`",
                project.code[entry].functions[site.handler].name
            ),
        };
        let target_name = match (&target, invoked_name(file, call)) {
            (Some(t), _) => format!("`{}`", t.logical_id),
            (None, Some(name)) => format!("`{name}`"),
            _ => "another Lambda function".to_string(),
        };
        let default = if invocation_type.is_none() {
            ", the default"
        } else {
            ""
        };
        // In another file: the function it is in, beside the caller's name.
        let place = if site.code == entry {
            String::new()
        } else {
            let function = named_function(file, site.function).unwrap_or(site.function);
            format!(" (in `{}`, which it calls)", file.functions[function].name)
        };
        let message = format!(
            "{caller_name} invokes {target_name} synchronously and waits for it \
             (InvocationType RequestResponse{default}){place}: you pay for both while it runs",
        );
        let diagnostic = Diagnostic::new(&RULE, file.file, call.span, message).with_help(
            "If the caller does not need the answer, invoke with `InvocationType: \"Event\"`. \
             Otherwise decouple them: a queue (SQS), a topic (SNS), an event bus (EventBridge) \
             or a Step Functions workflow, or Lambda destinations to pass results on without \
             waiting.",
        );
        let mut diagnostic = with_handler(diagnostic, project, &site);
        if let Some(target) = target {
            diagnostic = diagnostic.with_related(target.file, target.span, "invoked function");
        }
        out.push(diagnostic);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::check_code;

    #[test]
    fn javascript_v3_v2_and_async_invokes() {
        let found = check_code(
            "src/orders.ts",
            r#"import { LambdaClient, InvokeCommand } from "@aws-sdk/client-lambda";
import AWS from "aws-sdk";
const client = new LambdaClient({});
const lambda = new AWS.Lambda();
const asyncParams = { FunctionName: "audit", InvocationType: "Event" };
export const handler = async (event) => {
  const billing = await client.send(new InvokeCommand({ FunctionName: "billing", Payload: "{}" }));
  await client.send(new InvokeCommand({ FunctionName: "audit", InvocationType: "Event" }));
  await lambda.invoke(asyncParams).promise();
  const result = await lambda.invoke({ FunctionName: "tax" }).promise();
  const dry = await client.send(new InvokeCommand({ FunctionName: "x", InvocationType: "DryRun" }));
  await context.invoke("step", { FunctionName: "y" });
};
"#,
            &super::RULE,
        );
        let lines: Vec<usize> = found.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, [7, 10], "{found:#?}");
        assert!(
            found[0]
                .1
                .contains("handler `handler` invokes `billing` synchronously"),
            "{}",
            found[0].1
        );
        assert!(found[0].1.contains("RequestResponse, the default"));
    }

    #[test]
    fn boto3_and_rust() {
        let py = check_code(
            "app.py",
            "import boto3\nlambda_client = boto3.client('lambda')\n\ndef handler(event, context):\n    r = lambda_client.invoke(FunctionName='billing', Payload=b'{}')\n    lambda_client.invoke(FunctionName='audit', InvocationType='Event')\n    return r\n",
            &super::RULE,
        );
        assert_eq!(py.iter().map(|(l, _)| *l).collect::<Vec<_>>(), [5]);
        let rs = check_code(
            "src/main.rs",
            "async fn handler(client: &aws_sdk_lambda::Client, e: LambdaEvent<Value>) -> Result<(), Error> {\n    let out = client.invoke().function_name(\"billing\").send().await?;\n    client.invoke().function_name(\"audit\").invocation_type(InvocationType::Event).send().await?;\n    Ok(())\n}\nasync fn main() { run(service_fn(|e| handler(&c, e))).await; }\n",
            &super::RULE,
        );
        assert_eq!(
            rs.iter().map(|(l, _)| *l).collect::<Vec<_>>(),
            [2],
            "{rs:#?}"
        );
    }

    /// The caller's template binds the variable the code reads to the invoked function.
    fn template(handler: &str, runtime: &str, target: &str) -> String {
        format!(
            "Transform: AWS::Serverless-2016-10-31\nResources:\n  Orders:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: {runtime}\n      CodeUri: .\n      Handler: {handler}\n      Environment:\n        Variables:\n          BILLING_FUNCTION: {target}\n  Billing:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: {runtime}\n      Handler: {handler}\n"
        )
    }

    #[test]
    fn the_target_is_found_through_an_environment_variable_in_every_language() {
        use crate::rules::test_support::check_project;
        let cases = [
            (
                "app.handler",
                "nodejs20.x",
                "app.ts",
                "import { LambdaClient, InvokeCommand } from '@aws-sdk/client-lambda';\nconst client = new LambdaClient({});\nexport const handler = async () => {\n  await client.send(new InvokeCommand({ FunctionName: process.env.BILLING_FUNCTION }));\n};\n",
            ),
            (
                "app.handler",
                "python3.12",
                "app.py",
                "import os\nimport boto3\nclient = boto3.client('lambda')\n\ndef handler(event, context):\n    return client.invoke(FunctionName=os.environ['BILLING_FUNCTION'])\n",
            ),
            (
                "app.handler",
                "python3.12",
                "app.py",
                "import os\nimport boto3\nclient = boto3.client('lambda')\n\ndef handler(event, context):\n    return client.invoke(FunctionName=os.getenv('BILLING_FUNCTION'))\n",
            ),
            (
                "bootstrap",
                "provided.al2023",
                "src/main.rs",
                "use std::env;\nasync fn handler(client: &aws_sdk_lambda::Client, e: LambdaEvent<Value>) -> Result<(), Error> {\n    let out = client.invoke().function_name(env::var(\"BILLING_FUNCTION\").unwrap()).send().await?;\n    Ok(())\n}\nasync fn main() { run(service_fn(|e| handler(&c, e))).await; }\n",
            ),
        ];
        for target in ["!Ref Billing", "!GetAtt Billing.Arn"] {
            for (handler, runtime, path, code) in cases {
                let template = template(handler, runtime, target);
                let found =
                    check_project(&[("template.yaml", &template), (path, code)], &super::RULE);
                assert_eq!(found.len(), 1, "{path}: {found:#?}");
                assert!(
                    found[0]
                        .2
                        .starts_with("function `Orders` invokes `Billing` synchronously"),
                    "{path} with {target}: {}",
                    found[0].2
                );
            }
        }
    }

    #[test]
    fn serverless_logical_ids_name_the_target() {
        use crate::rules::test_support::check_project;
        let serverless = "service: orders\nprovider:\n  name: aws\n  runtime: nodejs20.x\nfunctions:\n  create-order:\n    handler: src/create.handler\n    environment:\n      BILLING_FUNCTION: !GetAtt ChargeUnderscorecardLambdaFunction.Arn\n  charge_card:\n    handler: src/charge.handler\n";
        let code = "import { LambdaClient, InvokeCommand } from '@aws-sdk/client-lambda';\nconst client = new LambdaClient({});\nexport const handler = async () => {\n  await client.send(new InvokeCommand({ FunctionName: process.env.BILLING_FUNCTION }));\n};\n";
        let found = check_project(
            &[("serverless.yml", serverless), ("src/create.ts", code)],
            &super::RULE,
        );
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(
            found[0]
                .2
                .starts_with("function `create-order` invokes `charge_card` synchronously"),
            "{}",
            found[0].2
        );
    }

    #[test]
    fn invokes_in_helpers_and_in_parallel_are_waited_for() {
        use crate::rules::test_support::check_project;
        let handler = "import { chargeAll } from './billing';\nexport const handler = async (event) => chargeAll(event.Records);\n";
        let billing = "import { LambdaClient, InvokeCommand } from '@aws-sdk/client-lambda';\nconst client = new LambdaClient({});\nexport async function chargeAll(records) {\n  return Promise.all(records.map((r) => client.send(new InvokeCommand({ FunctionName: 'charge', Payload: r.body }))));\n}\n";
        let found = check_project(
            &[("src/handler.ts", handler), ("src/billing.ts", billing)],
            &super::RULE,
        );
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!((found[0].0.as_str(), found[0].1), ("src/billing.ts", 4));
        assert!(
            found[0].2.contains("invokes `charge` synchronously")
                && found[0].2.contains("(in `chargeAll`, which it calls)"),
            "{}",
            found[0].2
        );
    }

    #[test]
    fn terraform_functions_link_their_code_and_name_their_targets() {
        use crate::rules::test_support::check_project;
        let main = r#"
data "archive_file" "orders" {
  type        = "zip"
  source_dir  = "${path.module}/src"
  output_path = "${path.module}/orders.zip"
}
resource "aws_lambda_function" "orders" {
  filename = data.archive_file.orders.output_path
  handler  = "app.handler"
  runtime  = "python3.12"
  environment {
    variables = { BILLING_FUNCTION = module.billing.lambda_function_name }
  }
}
module "billing" {
  source      = "terraform-aws-modules/lambda/aws"
  runtime     = "python3.12"
  handler     = "billing.handler"
  source_path = "${path.module}/billing"
}
"#;
        let code = "import os\nimport boto3\nclient = boto3.client('lambda')\n\ndef handler(event, context):\n    return client.invoke(FunctionName=os.environ['BILLING_FUNCTION'])\n";
        let found = check_project(&[("main.tf", main), ("src/app.py", code)], &super::RULE);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(
            found[0].2.starts_with(
                "function `aws_lambda_function.orders` invokes `module.billing` synchronously"
            ),
            "{}",
            found[0].2
        );
    }
}
