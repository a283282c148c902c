//! FL101 connection-in-handler: a database connection or pool opened on every invocation.

use crate::catalog::{CallPattern, Catalog, CATALOG};
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::{CodeFile, CodeId, FunctionId, InvocationSite, Project, RunsOnce};
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
    let what = |site: &InvocationSite| {
        let (file, call) = (&project.code[site.code], site.call);
        if let Some(entry) = Catalog::find(&CATALOG.connections, file.language, call) {
            return Some(entry.what.clone());
        }
        let options = context.options::<Options>(file.file);
        if options.extra_constructors.iter().any(|p| p.matches(call)) {
            return Some("database connection".into());
        }
        // Not catalogued, but named like a driver: said as inferred. A function of the project
        // is read instead (it may cache what it opens).
        let module = CATALOG.inferred_driver(call)?;
        (!project.calls_project_code(site.code, site.index))
            .then(|| format!("database connection (inferred from the driver's name `{module}`)"))
    };
    let help = "Create it once at module scope, outside the handler, and reuse it: warm \
                invocations then skip the connection handshake, and a burst of invocations \
                cannot exhaust the database's connections. Or cache it lazily (`pool ??= new \
                Pool()`, `if conn is None:`, `OnceLock`); behind many concurrent functions, put \
                RDS Proxy in front of the database.";
    let found = report_per_invocation(project, &RULE, "opens a", help, what);
    // FL503 and this rule agree: with SnapStart, the connection moved to init is cloned into
    // every restored environment and must be checked again after a restore.
    out.extend(found.into_iter().map(|(site, mut diagnostic)| {
        let snapstart = project
            .functions_running(site.entry)
            .any(|f| f.snapstart_enabled().is_some());
        if let (true, Some(help)) = (snapstart, &mut diagnostic.help) {
            help.push_str(
                " This function has SnapStart: a connection made at init is restored into every \
                 environment from the snapshot, so validate or reopen it after each restore \
                 (see FL503).",
            );
        }
        diagnostic
    }));
}

/// A finding for each call `what` recognises that runs on every invocation and is not cached:
/// "`<call>` <verb> <what> on every invocation of handler `h`", with the place it was found.
/// Shared by FL101 and FL102.
pub fn report_per_invocation<'p>(
    project: &'p Project,
    rule: &'static Rule,
    verb: &str,
    help: &str,
    what: impl Fn(&InvocationSite) -> Option<String>,
) -> Vec<(InvocationSite<'p>, Diagnostic)> {
    let mut out = Vec::new();
    let sites = invocation_sites(project, |entry| runs_once(project, entry).is_some());
    for site in sites {
        let file = &project.code[site.code];
        if site.call.lazily_cached {
            continue;
        }
        let Some(what) = what(&site) else {
            continue;
        };
        let handler = &project.code[site.entry].functions[site.handler];
        let message = format!(
            "{} {verb} {what} on every invocation of handler `{}`{}",
            site.call.display,
            handler.name,
            via(project, &site)
        );
        let diagnostic = Diagnostic::new(rule, file.file, site.call.span, message).with_help(help);
        out.push((site, with_handler(diagnostic, project, &site)));
    }
    out
}

/// Every call that runs on every invocation of a handler, once: a call reached from several
/// handlers is told with the handler of its own file, else with the first that reaches it.
/// `skip` leaves out the handlers of some files.
pub fn invocation_sites(
    project: &Project,
    skip: impl Fn(CodeId) -> bool,
) -> Vec<InvocationSite<'_>> {
    let mut chosen: std::collections::BTreeMap<(CodeId, usize), InvocationSite> =
        std::collections::BTreeMap::new();
    for entry in project.code.indices().filter(|&entry| !skip(entry)) {
        for site in project.per_invocation_sites(entry) {
            let key = (site.code, site.index);
            match chosen.get(&key) {
                Some(kept) if kept.entry == kept.code || site.entry != site.code => {}
                _ => {
                    chosen.insert(key, site);
                }
            }
        }
    }
    chosen.into_values().collect()
}

/// What follows the handler's name: the handler's file when the call is in another one
/// (` of `src/handler.ts``), and ` (in `getPool`, which it calls)` when the call is not in
/// the handler itself.
pub fn via(project: &Project, site: &InvocationSite) -> String {
    let file = &project.code[site.code];
    let named = named_function(file, site.function);
    let other_file = site.code != site.entry;
    let of = if other_file {
        let entry = &project.code[site.entry];
        format!(" of `{}`", project.files[entry.file].display)
    } else {
        String::new()
    };
    match named.filter(|&f| other_file || f != site.handler) {
        Some(f) => format!("{of} (in `{}`, which it calls)", file.functions[f].name),
        None => of,
    }
}

/// The function a call is told by: its own, or for a callback (`records.map((r) => ...)`) the
/// named function it is written in.
pub fn named_function(file: &CodeFile, function: FunctionId) -> Option<FunctionId> {
    std::iter::successors(Some(function), |&f| file.functions[f].parent)
        .find(|&f| !file.functions[f].anonymous)
}

/// The handler and the function that runs it (a SAM resource, a Terraform resource, a CDK
/// construct) as related places.
pub fn with_handler(
    diagnostic: Diagnostic,
    project: &Project,
    site: &InvocationSite,
) -> Diagnostic {
    let entry = &project.code[site.entry];
    let diagnostic =
        diagnostic.with_related(entry.file, entry.functions[site.handler].span, "handler");
    match project.functions_running(site.entry).next() {
        Some(function) => diagnostic.with_related(function.file, function.span, "function"),
        None => diagnostic,
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
    fn go_handlers_reach_the_other_files_of_their_package() {
        use crate::rules::test_support::check_project;
        let main = "package main\n\nimport (\n\t\"context\"\n\t\"github.com/aws/aws-lambda-go/lambda\"\n)\n\nfunc handler(ctx context.Context) error {\n\treturn saveOrder(ctx)\n}\n\nfunc main() {\n\tlambda.Start(handler)\n}\n";
        let db = "package main\n\nimport (\n\t\"context\"\n\t\"github.com/jackc/pgx/v5\"\n)\n\nfunc saveOrder(ctx context.Context) error {\n\tconn, err := pgx.Connect(ctx, \"postgres://db/orders\")\n\tif err != nil {\n\t\treturn err\n\t}\n\treturn conn.Close(ctx)\n}\n\nfunc unused(ctx context.Context) {\n\tpgx.Connect(ctx, \"x\")\n}\n";
        let other = "package main\n\nfunc helper() {}\n";
        let found = check_project(
            &[
                ("orders/main.go", main),
                ("orders/db.go", db),
                ("billing/db.go", other),
            ],
            &super::RULE,
        );
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!((found[0].0.as_str(), found[0].1), ("orders/db.go", 9));
        assert!(
            found[0].2.contains("`pgx.Connect()`")
                && found[0].2.contains("(in `saveOrder`, which it calls)"),
            "{}",
            found[0].2
        );
    }

    #[test]
    fn ledger_drivers_hold_a_session_pool() {
        let js = found(
            "src/get-person.js",
            "const { QldbDriver } = require('amazon-qldb-driver-nodejs');\nexports.handler = async (event) => {\n  const driver = new QldbDriver(process.env.LEDGER_NAME);\n  return driver.executeLambda((txn) => txn.execute('SELECT * FROM Person'));\n};\n",
        );
        assert_eq!(
            js.iter().map(|(l, _)| *l).collect::<Vec<_>>(),
            [3],
            "{js:#?}"
        );
        let py = found(
            "app.py",
            "from pyqldb.driver.qldb_driver import QldbDriver\n\ndef handler(event, context):\n    driver = QldbDriver(ledger_name='people')\n    return driver.list_tables()\n",
        );
        assert_eq!(
            py.iter().map(|(l, _)| *l).collect::<Vec<_>>(),
            [4],
            "{py:#?}"
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

    #[test]
    fn calls_are_followed_into_other_files() {
        use crate::rules::test_support::check_project;
        let handler = "import { saveOrder } from './db';\nimport { cachedPool } from './pool';\nexport const handler = async (event) => {\n  await cachedPool().query('select 1');\n  return saveOrder(JSON.parse(event.body));\n};\n";
        let db = "import { Client } from 'pg';\nexport async function saveOrder(order) {\n  const client = new Client();\n  await client.connect();\n  return client.query('insert into orders values ($1)', [order.id]);\n}\n";
        let pool = "import { Pool } from 'pg';\nlet pool;\nexport function cachedPool() {\n  if (!pool) pool = new Pool();\n  return pool;\n}\n";
        let found = check_project(
            &[
                ("orders/handler.ts", handler),
                ("orders/db.ts", db),
                ("orders/pool.ts", pool),
            ],
            &super::RULE,
        );
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!((found[0].0.as_str(), found[0].1), ("orders/db.ts", 3));
        assert!(
            found[0].2.ends_with(
                "on every invocation of handler `handler` of `orders/handler.ts` (in \
                 `saveOrder`, which it calls)"
            ),
            "{}",
            found[0].2
        );

        let app = "from app.repo import load_profile\n\ndef lambda_handler(event, context):\n    return load_profile(event['id'])\n";
        let repo = "import pymysql\n\ndef load_profile(user_id):\n    conn = pymysql.connect(host='db')\n    return conn.cursor().execute('select 1')\n";
        let found = check_project(
            &[
                ("svc/handler.py", app),
                ("svc/app/repo.py", repo),
                ("svc/app/__init__.py", "\n"),
            ],
            &super::RULE,
        );
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!((found[0].0.as_str(), found[0].1), ("svc/app/repo.py", 4));

        let main = "mod db;\nasync fn handler(e: LambdaEvent<Value>) -> Result<Value, Error> {\n    let pool = db::connect().await;\n    Ok(e.payload)\n}\n#[tokio::main]\nasync fn main() -> Result<(), Error> {\n    lambda_runtime::run(service_fn(handler)).await\n}\n";
        let db_rs = "use sqlx::PgPool;\npub async fn connect() -> PgPool {\n    PgPool::connect(&std::env::var(\"DATABASE_URL\").unwrap()).await.unwrap()\n}\n";
        let found = check_project(
            &[("crate/src/main.rs", main), ("crate/src/db.rs", db_rs)],
            &super::RULE,
        );
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!((found[0].0.as_str(), found[0].1), ("crate/src/db.rs", 3));
    }

    #[test]
    fn import_cycles_end_and_wrapped_handlers_are_handlers() {
        use crate::rules::test_support::check_project;
        let a = "import { b } from './b';\nimport middy from '@middy/core';\nimport { Pool } from 'pg';\nexport function a() { return b(); }\nconst baseHandler = async () => { const pool = new Pool(); return a(); };\nexport const handler = middy(baseHandler).use(jsonBodyParser());\n";
        let b = "import { a } from './a';\nexport function b() { return a(); }\n";
        let found = check_project(&[("src/a.ts", a), ("src/b.ts", b)], &super::RULE);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].1, 5);
        assert!(
            found[0].2.contains("handler `baseHandler`"),
            "{}",
            found[0].2
        );
    }

    #[test]
    fn drivers_the_catalog_does_not_list_are_inferred_from_their_name() {
        let py = found(
            "app.py",
            "import aurora_dsql_psycopg2 as dsql\nimport socket\n\ndef lambda_handler(event, context):\n    conn = dsql.connect(host='cluster')\n    s = socket.create_connection(('example.com', 443))\n",
        );
        assert_eq!(py.len(), 1, "{py:#?}");
        assert_eq!(py[0].0, 5);
        assert!(
            py[0]
                .1
                .contains("(inferred from the driver's name `aurora_dsql_psycopg2`)"),
            "{}",
            py[0].1
        );
        let ts = found(
            "src/h.ts",
            "import { createPool } from 'edge-postgres';\nimport net from 'net';\nexport const handler = async () => {\n  const pool = createPool(process.env.URL);\n  net.createConnection(443, 'example.com');\n};\n",
        );
        assert_eq!(
            ts.iter().map(|(l, _)| *l).collect::<Vec<_>>(),
            [4],
            "{ts:#?}"
        );
    }

    #[test]
    fn a_project_helper_named_like_a_driver_is_read_not_inferred() {
        use crate::rules::test_support::check_project;
        let handler = "from lib.postgres import connect\n\ndef lambda_handler(event, context):\n    return connect().execute('select 1')\n";
        let helper = "import psycopg2\n_conn = None\n\ndef connect():\n    global _conn\n    if _conn is None:\n        _conn = psycopg2.connect(host='db')\n    return _conn\n";
        let found = check_project(
            &[("svc/handler.py", handler), ("svc/lib/postgres.py", helper)],
            &super::RULE,
        );
        assert!(found.is_empty(), "{found:#?}");
    }
}
