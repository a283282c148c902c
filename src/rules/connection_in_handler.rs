//! FL101 connection-in-handler: a database connection or pool opened on every invocation.

use crate::catalog::{CallPattern, Catalog, CATALOG};
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::{Call, CodeFile, CodeId, FunctionId, Project, RunsOnce};
use crate::rules::{deserialize, Context, OptionError, OptionsType, Rule, RuleOptions};
use serde::Deserialize;

pub static RULE: Rule = Rule {
    code: "FL101",
    name: "connection-in-handler",
    default_severity: Severity::Error,
    summary: "A database connection or pool opened on every invocation",
    doc: include_str!("../../rules/FL101-connection-in-handler.md"),
    check: Some(check),
    options: Some(OptionsType::of::<Options>()),
};

/// `[rules.connection-in-handler]`.
#[derive(Debug, Default)]
pub struct Options {
    /// `extra-constructors`: the team's own calls that open a connection (`mycorp_db.connect`).
    extra_constructors: Vec<CallPattern>,
}

impl RuleOptions for Options {
    fn parse(table: toml::Value) -> Result<Self, OptionError> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "kebab-case")]
        struct Raw {
            #[serde(default)]
            extra_constructors: Vec<String>,
        }
        let raw: Raw = deserialize(table)?;
        let extra_constructors = raw
            .extra_constructors
            .iter()
            .map(|pattern| CallPattern::parse(pattern))
            .collect::<Result<_, _>>()
            .map_err(|why| OptionError::new("extra-constructors", why))?;
        Ok(Options { extra_constructors })
    }

    fn calls_read(&self) -> &[CallPattern] {
        &self.extra_constructors
    }
}

fn check(project: &Project, context: &Context, out: &mut Vec<Diagnostic>) {
    let what = |file: &CodeFile, call: &Call| match Catalog::find(
        &CATALOG.connections,
        file.language,
        call,
    ) {
        Some(entry) => Some(entry.what.clone()),
        None => context
            .options::<Options>(file.file)
            .extra_constructors
            .iter()
            .any(|p| p.matches(call))
            .then(|| "database connection".into()),
    };
    let help = "Create it once at module scope, outside the handler, and reuse it: warm \
                invocations then skip the connection handshake, and a burst of invocations \
                cannot exhaust the database's connections. Or cache it lazily (`pool ??= new \
                Pool()`, `if conn is None:`, `OnceLock`); behind many concurrent functions, put \
                RDS Proxy in front of the database.";
    report_per_invocation(project, &RULE, "opens a", help, what, out);
}

/// Reports each call `what` recognises that runs on every invocation and is not cached:
/// "`<call>` <verb> <what> on every invocation of handler `h`". Shared by FL101 and FL102.
pub fn report_per_invocation(
    project: &Project,
    rule: &'static Rule,
    verb: &str,
    help: &str,
    what: impl Fn(&CodeFile, &Call) -> Option<String>,
    out: &mut Vec<Diagnostic>,
) {
    for (code, file) in project.code.iter_enumerated() {
        if runs_once(project, code).is_some() {
            continue;
        }
        for (call, handler) in project.per_invocation_calls(code) {
            if call.lazily_cached {
                continue;
            }
            let Some(what) = what(file, call) else {
                continue;
            };
            let message = format!(
                "{} {verb} {what} on every invocation of handler `{}`{}",
                call.display,
                file.functions[handler].name,
                via(file, call, handler)
            );
            out.push(
                Diagnostic::new(rule, file.file, call.span, message)
                    .with_help(help)
                    .with_related(file.file, file.functions[handler].span, "handler"),
            );
        }
    }
}

/// Why the code file runs once per event that matters (a custom resource, a rotation step), if
/// it does: reuse across invocations buys nothing there, and a rotation function opens
/// connections with the pending secret on purpose.
fn runs_once(project: &Project, code: CodeId) -> Option<&str> {
    let declared = project
        .functions_running(code)
        .filter(|f| f.events.is_empty())
        .find_map(|f| f.runs_once.map(RunsOnce::describe));
    declared.or_else(|| CATALOG.runs_once(&project.code[code], &project.handlers(code)))
}

/// ` (in `getPool`, which it calls)` when the call is not in the handler itself.
fn via(file: &CodeFile, call: &Call, handler: FunctionId) -> String {
    match call.function {
        Some(function) if function != handler && !file.functions[function].anonymous => {
            format!(" (in `{}`, which it calls)", file.functions[function].name)
        }
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::check_code;

    fn found(name: &str, text: &str) -> Vec<(usize, String)> {
        check_code(name, text, &super::RULE)
    }

    #[test]
    fn typescript_per_invocation_and_near_misses() {
        let found = found(
            "src/items.ts",
            r#"import { Pool } from "pg";
import { MongoClient } from "mongodb";
const shared = new Pool();
let cached: MongoClient | undefined;
async function db() {
  if (!cached) cached = new MongoClient(process.env.URL!);
  return cached;
}
function openPerCall() {
  return new Pool({ max: 1 });
}
function neverCalled() {
  return new Pool();
}
export const handler = async (event: unknown) => {
  const client = await db();
  const pool = openPerCall();
  const direct = new Pool();
  return { statusCode: 200 };
};
"#,
        );
        let lines: Vec<usize> = found.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, [10, 18], "{found:#?}");
        assert!(
            found[0].1.contains("(in `openPerCall`, which it calls)"),
            "{}",
            found[0].1
        );
        assert!(
            found[1].1.starts_with("`new Pool()` from `pg` opens a database connection on every invocation of handler `handler`"),
            "{}",
            found[1].1
        );
    }

    #[test]
    fn python_and_rust() {
        let py = found(
            "app.py",
            "import psycopg2\nimport redis\nr = redis.Redis()\n\ndef lambda_handler(event, context):\n    conn = psycopg2.connect(host='db')\n    return 1\n",
        );
        assert_eq!(py.iter().map(|(l, _)| *l).collect::<Vec<_>>(), [6]);
        let rs = found(
            "src/main.rs",
            "use sqlx::PgPool;\nasync fn handler(event: LambdaEvent<Value>) -> Result<(), Error> {\n    let pool = PgPool::connect(&url).await?;\n    let lazy = PgPool::connect_lazy(&url)?;\n    Ok(())\n}\n#[tokio::main]\nasync fn main() -> Result<(), Error> {\n    let pool = PgPool::connect(&url).await?;\n    lambda_runtime::run(service_fn(handler)).await\n}\n",
        );
        assert_eq!(
            rs.iter().map(|(l, _)| *l).collect::<Vec<_>>(),
            [3],
            "{rs:#?}"
        );
    }

    #[test]
    fn tests_and_workers_are_exempt() {
        let text = "import { Pool } from 'pg';\nexport const handler = async () => { const p = new Pool(); };\n";
        assert!(found("src/items.test.ts", text).is_empty());
        let worker = "import { Client } from 'pg';\nexport default { async fetch(req, env) { const c = new Client(env.DB); await c.connect(); return new Response('ok'); } };\n";
        assert!(found("src/worker.ts", worker).is_empty());
    }

    #[test]
    fn custom_resources_and_rotation_functions_run_once() {
        let cfn_response = "const response = require('cfn-response');\nconst { Client } = require('pg');\nexports.handler = async (event, context) => {\n  const client = new Client();\n  await client.connect();\n  await client.query('CREATE TABLE IF NOT EXISTS orders (id text)');\n  response.send(event, context, response.SUCCESS, {});\n};\n";
        assert!(found("setup/index.js", cfn_response).is_empty());
        let provider = "import pymysql\n\ndef on_event(event, context):\n    conn = pymysql.connect(host='db')\n    return {'PhysicalResourceId': 'schema'}\n";
        assert!(found("provider/app.py", provider).is_empty());
        let rotation = "import boto3\nimport pymysql\n\ndef lambda_handler(event, context):\n    step = event['Step']\n    if step == 'setSecret':\n        set_secret(event['SecretId'])\n\ndef create_secret(arn):\n    pass\n\ndef set_secret(arn):\n    conn = pymysql.connect(host='db', password=pending(arn))\n\ndef test_secret(arn):\n    pass\n\ndef finish_secret(arn):\n    pass\n";
        assert!(found("rotation/app.py", rotation).is_empty());
        let ordinary = "import pymysql\n\ndef create_secret(arn):\n    pass\n\ndef lambda_handler(event, context):\n    conn = pymysql.connect(host='db')\n";
        assert_eq!(
            found("orders/app.py", ordinary).len(),
            1,
            "one step is no rotation"
        );
    }

    #[test]
    fn a_function_whose_only_caller_is_a_custom_resource_runs_once() {
        use crate::rules::test_support::check_project;
        let template = |events: &str| {
            format!("Transform: AWS::Serverless-2016-10-31\nResources:\n  Setup:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: nodejs20.x\n      CodeUri: setup/\n      Handler: index.handler\n{events}  Schema:\n    Type: Custom::Schema\n    Properties:\n      ServiceToken: !GetAtt Setup.Arn\n")
        };
        let code = "import { Client } from 'pg';\nexport const handler = async (event) => {\n  const client = new Client();\n  await client.connect();\n  return { PhysicalResourceId: 'schema' };\n};\n";
        let quiet = check_project(
            &[("template.yaml", &template("")), ("setup/index.ts", code)],
            &super::RULE,
        );
        assert!(quiet.is_empty(), "{quiet:#?}");
        let api = "      Events:\n        Get:\n          Type: HttpApi\n          Properties: {Path: /schema, Method: GET}\n";
        let served = check_project(
            &[("template.yaml", &template(api)), ("setup/index.ts", code)],
            &super::RULE,
        );
        assert_eq!(served.len(), 1, "an API calls it too: {served:#?}");
    }
}
