//! End-to-end tests of the built binary: the command line, exit codes and the JSON contract.

mod common;

use common::*;
use tempfile::tempdir;

#[test]
fn exit_codes_follow_fail_on() {
    let dir = tempdir().unwrap();
    write(dir.path(), "template.yaml", SAM_WITH_FINDINGS);
    assert_eq!(faaslint(dir.path(), &["check"]).code, 1);
    assert_eq!(
        faaslint(dir.path(), &["check", "--fail-on", "never"]).code,
        0
    );
    // Only warnings left: FL301 and FL501.
    let warnings = ["check", "--ignore", "FL201,FL502", "--fail-on", "error"];
    assert_eq!(faaslint(dir.path(), &warnings).code, 0);
    assert_eq!(
        faaslint(dir.path(), &["check", "--ignore", "FL201,FL502"]).code,
        1
    );
    assert_eq!(
        faaslint(
            dir.path(),
            &["check", "--select", "FL2", "--fail-on", "error"]
        )
        .code,
        1
    );

    let clean = tempdir().unwrap();
    write(clean.path(), "README.md", "nothing to lint");
    let run = faaslint(clean.path(), &["check"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("All checks passed"), "{}", run.stdout);
}

#[test]
fn usage_and_configuration_errors_exit_2_and_say_where() {
    let dir = tempdir().unwrap();
    write(dir.path(), "template.yaml", SAM_WITH_FINDINGS);
    let run = faaslint(dir.path(), &["check", "no/such/path"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("no/such/path: no such file or directory"),
        "{}",
        run.stderr
    );

    let run = faaslint(dir.path(), &["check", "--select", "FL999"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("`--select`") && run.stderr.contains("FL999"),
        "{}",
        run.stderr
    );

    let run = faaslint(dir.path(), &["check", "--format", "xml"]);
    assert_eq!(run.code, 2);

    write(
        dir.path(),
        "faaslint.toml",
        "[rules.monolithic-function]\nmax-routs = 3\n",
    );
    let run = faaslint(dir.path(), &["check"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("faaslint.toml"), "{}", run.stderr);
    assert!(
        run.stderr.contains("unknown field `max-routs`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("max-routes"),
        "the allowed key is named: {}",
        run.stderr
    );

    write(
        dir.path(),
        "faaslint.toml",
        "[severity]\nFL301 = \"fatal\"\n",
    );
    let run = faaslint(dir.path(), &["check"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("severity.FL301"), "{}", run.stderr);
}

#[test]
fn json_output_matches_the_contract() {
    let dir = tempdir().unwrap();
    write(dir.path(), "app/template.yaml", SAM_WITH_FINDINGS);
    let report = json(&faaslint(dir.path(), &["check", "--format", "json"]));
    assert_eq!(report["version"], 1);
    let top: Vec<&str> = report
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(top, ["diagnostics", "summary", "version"]);
    assert_eq!(report["summary"]["files"], 1);
    assert_eq!(report["summary"]["errors"], 2);
    assert_eq!(report["summary"]["warnings"], 2);
    assert_eq!(report["summary"]["infos"], 0);
    let diagnostics = report["diagnostics"].as_array().unwrap();
    for d in diagnostics {
        let keys: Vec<&str> = d.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            ["code", "help", "message", "name", "path", "range", "related", "severity"]
        );
        assert_eq!(d["path"], "app/template.yaml");
        for end in ["start", "end"] {
            assert!(d["range"][end]["line"].as_u64().unwrap() >= 1);
            assert!(d["range"][end]["column"].as_u64().unwrap() >= 1);
        }
        for related in d["related"].as_array().unwrap() {
            assert!(related["path"].is_string() && related["message"].is_string());
            assert!(related["range"]["start"]["line"].is_u64());
        }
    }
    let summary: Vec<(String, u64, String)> = findings(&report);
    let expected = [
        ("app/template.yaml", 4, "FL501"),
        ("app/template.yaml", 11, "FL201"),
        ("app/template.yaml", 16, "FL301"),
        ("app/template.yaml", 25, "FL502"),
    ];
    let expected: Vec<_> = expected
        .iter()
        .map(|(p, l, c)| (p.to_string(), *l, c.to_string()))
        .collect();
    assert_eq!(summary, expected);
    let secret = &diagnostics[1];
    assert_eq!(secret["name"], "plaintext-secret-env");
    assert_eq!(secret["range"]["start"]["column"], 24);
    assert_eq!(secret["range"]["end"]["column"], 35);
    assert!(secret["message"]
        .as_str()
        .unwrap()
        .contains("Su…[redacted]"));
}

#[test]
fn columns_count_characters_not_bytes() {
    let dir = tempdir().unwrap();
    let text = SAM_WITH_FINDINGS.replace(
        "DB_PASSWORD: Summer2024!",
        "DB_PASSWORD: \"Ünïcödé-pässwörd\"",
    );
    write(dir.path(), "template.yaml", text);
    let report = json(&faaslint(
        dir.path(),
        &["check", "--format", "json", "--select", "FL201"],
    ));
    let d = &report["diagnostics"][0];
    assert_eq!(d["range"]["start"]["column"], 24);
    assert_eq!(d["range"]["end"]["column"], 24 + 18);
}

#[test]
fn output_is_deterministic_and_sorted() {
    let dir = tempdir().unwrap();
    for name in ["b/template.yaml", "a/template.yaml", "c/serverless.yml"] {
        write(dir.path(), name, SAM_WITH_FINDINGS);
    }
    let first = faaslint(dir.path(), &["check", "--format", "concise"]).stdout;
    for _ in 0..3 {
        assert_eq!(
            faaslint(dir.path(), &["check", "--format", "concise"]).stdout,
            first
        );
    }
    let report = json(&faaslint(dir.path(), &["check", "--format", "json"]));
    let found = findings(&report);
    let mut sorted = found.clone();
    sorted.sort();
    assert_eq!(found, sorted);
    // serverless.yml holding a SAM template is not a Serverless config: nothing from c/.
    assert!(found.iter().all(|(path, _, _)| !path.starts_with("c/")));
}

#[test]
fn concise_format_is_one_line_per_finding() {
    let dir = tempdir().unwrap();
    write(dir.path(), "template.yaml", SAM_WITH_FINDINGS);
    let run = faaslint(dir.path(), &["check", "--format", "concise"]);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 4);
    assert!(
        lines[1]
            .starts_with("template.yaml:11:24: FL201 [error] environment variable `DB_PASSWORD`"),
        "{}",
        lines[1]
    );
}

#[test]
fn human_format_shows_snippet_help_and_summary_without_secrets() {
    let dir = tempdir().unwrap();
    write(dir.path(), "template.yaml", SAM_WITH_FINDINGS);
    let run = faaslint(dir.path(), &["check", "--no-color"]);
    assert!(run.stdout.contains("error[FL201]"), "{}", run.stdout);
    assert!(
        run.stdout.contains("┌─ template.yaml:11:24"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("= help: "), "{}", run.stdout);
    assert!(
        run.stdout.contains("Found 2 errors, 2 warnings in 1 file."),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("Summer2024!"), "{}", run.stdout);
    assert!(
        !run.stdout.contains('\u{1b}'),
        "no color codes with --no-color"
    );
}

#[test]
fn output_file_and_stdin_filename() {
    let dir = tempdir().unwrap();
    let run = faaslint_with_stdin(
        dir.path(),
        &[
            "check",
            "--stdin-filename",
            "infra/template.yaml",
            "--format",
            "json",
            "--output",
            "out.json",
        ],
        Some(SAM_WITH_FINDINGS.as_bytes()),
    );
    assert_eq!(run.code, 1);
    assert!(run.stdout.is_empty());
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out.json")).unwrap())
            .unwrap();
    let found = findings(&report);
    assert_eq!(found.len(), 4);
    assert!(found
        .iter()
        .all(|(path, _, _)| path == "infra/template.yaml"));
}

#[test]
fn configuration_selects_excludes_overrides_and_ignores_per_file() {
    let dir = tempdir().unwrap();
    write(dir.path(), "svc/template.yaml", SAM_WITH_FINDINGS);
    write(dir.path(), "legacy/template.yaml", SAM_WITH_FINDINGS);
    write(dir.path(), "scripts/template.yaml", SAM_WITH_FINDINGS);
    write(
        dir.path(),
        "faaslint.toml",
        r#"ignore = ["FL5"]
exclude = ["legacy/**"]
[severity]
FL301 = "error"
[per-file-ignores]
"scripts/**" = ["FL201"]
"#,
    );
    let report = json(&faaslint(dir.path(), &["check", "--format", "json"]));
    let found: Vec<(String, String, String)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().into(),
                d["code"].as_str().unwrap().into(),
                d["severity"].as_str().unwrap().into(),
            )
        })
        .collect();
    let expected = [
        ("scripts/template.yaml", "FL301", "error"),
        ("svc/template.yaml", "FL201", "error"),
        ("svc/template.yaml", "FL301", "error"),
    ];
    let expected: Vec<_> = expected
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
    assert_eq!(found, expected);
    // The configuration is found from a path below it, too.
    let report = json(&faaslint(
        &dir.path().join("svc"),
        &["check", ".", "--format", "json"],
    ));
    assert_eq!(findings(&report).len(), 2);
}

#[test]
fn terraform_cdk_and_wrangler_findings_are_suppressed_by_comments_like_any_other() {
    let dir = tempdir().unwrap();
    let main = "resource \"aws_lambda_function\" \"api\" {\n  runtime = \"java21\"\n  environment {\n    variables = {\n      DB_PASSWORD = \"Summer2024!\"\n      API_TOKEN = \"tok_8c1f0e9d2b7a\" # faaslint: ignore[FL201] rotated, test account\n    }\n  }\n}\n";
    write(dir.path(), "infra/main.tf", main);
    let wrangler = "name = \"hooks\"\n[vars]\nWEBHOOK_SECRET = \"whsec_123456789\" # faaslint: ignore[FL201]\n";
    write(dir.path(), "worker/wrangler.toml", wrangler);
    let stack = "import * as lambda from 'aws-cdk-lib/aws-lambda';\nexport function build(scope) {\n  new lambda.Function(scope, 'Fn', {\n    runtime: lambda.Runtime.NODEJS_20_X,\n    handler: 'index.handler',\n    code: lambda.Code.fromAsset('src'),\n    environment: { API_KEY: 'ak_live_12345678' }, // faaslint: ignore[FL201]\n  });\n}\n";
    write(dir.path(), "cdk/lib/stack.ts", stack);
    let run = faaslint(dir.path(), &["check", "--format", "json"]);
    let found = findings(&json(&run));
    // A suppression covers its own line and the next: the password above it is still reported.
    assert_eq!(
        found,
        [("infra/main.tf".to_string(), 5, "FL201".to_string())],
        "{}",
        run.stdout
    );
}

#[test]
fn max_routes_option_is_read() {
    let dir = tempdir().unwrap();
    let mut text = String::from("Resources:\n  Api:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: nodejs20.x\n      Events:\n");
    for i in 0..4 {
        text.push_str(&format!("        R{i}:\n          Type: HttpApi\n          Properties:\n            Path: /r{i}\n            Method: GET\n"));
    }
    write(dir.path(), "template.yaml", &text);
    assert_eq!(faaslint(dir.path(), &["check"]).code, 0);
    write(
        dir.path(),
        ".faaslint.toml",
        "[rules.monolithic-function]\nmax-routes = 3\n",
    );
    let report = json(&faaslint(dir.path(), &["check", "--format", "json"]));
    assert_eq!(
        findings(&report),
        [("template.yaml".to_string(), 25, "FL301".to_string())]
    );
}

#[test]
fn suppressions_and_unused_suppressions() {
    let dir = tempdir().unwrap();
    let text = SAM_WITH_FINDINGS
        .replace("          DB_PASSWORD: Summer2024!\n", "          # faaslint: ignore[FL201] rotated by the platform team\n          DB_PASSWORD: Summer2024!\n")
        .replace("  Worker:\n    Type: AWS::Serverless::Function\n", "  Worker:\n    Type: AWS::Serverless::Function\n    Metadata:\n      faaslint:\n        ignore: [FL502, FL301]\n")
        .replace("Resources:\n", "# faaslint: ignore-file[FL501] internal tool\n# faaslint: ignore[FL999]\nResources:\n");
    write(dir.path(), "template.yaml", &text);
    let report = json(&faaslint(dir.path(), &["check", "--format", "json"]));
    let found: Vec<(u64, String, String)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["range"]["start"]["line"].as_u64().unwrap(),
                d["code"].as_str().unwrap().into(),
                d["message"].as_str().unwrap().into(),
            )
        })
        .collect();
    let codes: Vec<(u64, &str)> = found.iter().map(|(l, c, _)| (*l, c.as_str())).collect();
    assert_eq!(
        codes,
        [(4, "FL001"), (19, "FL301"), (25, "FL001")],
        "{found:#?}"
    );
    assert!(found[0]
        .2
        .contains("`FL999`, which is not a faaslint rule code"));
    assert!(found[2]
        .2
        .contains("suppression of FL301 suppresses nothing"));
    // With FL301 switched off, its suppression is not reported as unused.
    let report = json(&faaslint(
        dir.path(),
        &["check", "--format", "json", "--ignore", "FL301"],
    ));
    let codes: Vec<String> = findings(&report).into_iter().map(|(_, _, c)| c).collect();
    assert_eq!(codes, ["FL001"]);
}

#[test]
fn rule_command_prints_documents_and_the_table() {
    let dir = tempdir().unwrap();
    let run = faaslint(dir.path(), &["rule", "FL501"]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.starts_with("# FL501 missing-snapstart"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("## Why is this bad?"));
    let by_name = faaslint(dir.path(), &["rule", "missing-snapstart"]);
    assert_eq!(by_name.stdout, run.stdout);
    let table = faaslint(dir.path(), &["rule"]);
    for code in ["FL000", "FL001", "FL201", "FL301", "FL501", "FL502"] {
        assert!(table.stdout.contains(code), "{code} in {}", table.stdout);
    }
    let unknown = faaslint(dir.path(), &["rule", "FL999"]);
    assert_eq!(unknown.code, 2);
    assert!(unknown.stderr.contains("unknown rule `FL999`"));
}

#[test]
fn readme_rule_table_matches_the_rules() {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    let table = faaslint(repo_root(), &["rule"]).stdout;
    for line in table.lines().skip(1) {
        let mut parts = line.split_whitespace();
        let (code, name, severity) = (
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap(),
        );
        let row = format!("| {code} | {name} | {severity} |");
        assert!(readme.contains(&row), "README lacks the row `{row}`");
    }
}

/// One function with three HttpApi routes: above a limit of 2, within the default limit.
const THREE_ROUTES: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Events:
        List:
          Type: HttpApi
          Properties: {Path: /orders, Method: GET}
        Create:
          Type: HttpApi
          Properties: {Path: /orders, Method: POST}
        Show:
          Type: HttpApi
          Properties: {Path: "/orders/{id}", Method: GET}
"#;

#[test]
fn rule_options_come_from_the_configuration_that_governs_each_file() {
    let dir = tempdir().unwrap();
    write(
        dir.path(),
        "a/faaslint.toml",
        "[rules.monolithic-function]\nmax-routes = 2\n",
    );
    write(dir.path(), "a/template.yaml", THREE_ROUTES);
    write(dir.path(), "b/template.yaml", THREE_ROUTES);
    let fl301 = |args: &[&str]| -> Vec<String> {
        let run = faaslint(dir.path(), args);
        findings(&json(&run))
            .into_iter()
            .filter(|(_, _, code)| code == "FL301")
            .map(|(path, _, _)| path)
            .collect()
    };
    let a_then_b = fl301(&["check", "a", "b", "--format", "json", "--select", "FL301"]);
    assert_eq!(a_then_b, ["a/template.yaml"], "only a/ has the limit of 2");
    let b_then_a = fl301(&["check", "b", "a", "--format", "json", "--select", "FL301"]);
    assert_eq!(b_then_a, a_then_b, "argument order changes nothing");
}

#[test]
fn extra_constructors_from_configuration_are_reported() {
    let dir = tempdir().unwrap();
    write(
        dir.path(),
        "faaslint.toml",
        "[rules.connection-in-handler]\nextra-constructors = [\"mycorp_db.connect\"]\n",
    );
    write(
        dir.path(),
        "app.py",
        "import mycorp_db\n\n\ndef lambda_handler(event, context):\n    conn = mycorp_db.connect(\"orders\")\n    return conn.query(event[\"id\"])\n",
    );
    let run = faaslint(dir.path(), &["check", "--format", "json"]);
    let report = json(&run);
    assert_eq!(
        findings(&report),
        [("app.py".to_string(), 5, "FL101".to_string())],
        "{}",
        run.stdout
    );
    let message = report["diagnostics"][0]["message"].as_str().unwrap();
    assert!(message.contains("mycorp_db.connect"), "{message}");
}

#[test]
fn an_invalid_call_pattern_in_configuration_is_an_error() {
    let dir = tempdir().unwrap();
    write(
        dir.path(),
        "faaslint.toml",
        "[rules.connection-in-handler]\nextra-constructors = [\"mycorp_db.[connect\"]\n",
    );
    write(
        dir.path(),
        "app.py",
        "def lambda_handler(event, context):\n    return 1\n",
    );
    let run = faaslint(dir.path(), &["check"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("faaslint.toml"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("rules.connection-in-handler.extra-constructors"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("mycorp_db.[connect"), "{}", run.stderr);
}

#[test]
fn a_connection_in_an_imported_module_is_reported_where_it_is_made() {
    let dir = tempdir().unwrap();
    write(
        dir.path(),
        "template.yaml",
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Orders:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: nodejs20.x\n      CodeUri: src/\n      Handler: handler.handler\n",
    );
    write(
        dir.path(),
        "src/handler.ts",
        "import { saveOrder } from './db';\nexport const handler = async (event) => saveOrder(event);\n",
    );
    write(
        dir.path(),
        "src/db.ts",
        "import { Client } from 'pg';\nexport async function saveOrder(order) {\n  const client = new Client();\n  await client.connect();\n}\n",
    );
    let report = json(&faaslint(dir.path(), &["check", "--format", "json"]));
    assert_eq!(
        findings(&report),
        [("src/db.ts".to_string(), 3, "FL101".to_string())]
    );
    let related: Vec<(&str, &str)> = report["diagnostics"][0]["related"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["path"].as_str().unwrap(), r["message"].as_str().unwrap()))
        .collect();
    assert_eq!(
        related,
        [("src/handler.ts", "handler"), ("template.yaml", "function")]
    );
}

#[test]
fn secrets_in_the_configuration_and_per_request_clients_are_said_less_loudly() {
    let run = faaslint(
        repo_root(),
        &["check", "fixtures/sam-ops-platform", "--format", "json"],
    );
    let report = json(&run);
    let severity_of = |path_end: &str, code: &str| -> Vec<String> {
        report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["code"] == code && d["path"].as_str().unwrap().ends_with(path_end))
            .map(|d| d["severity"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        severity_of("template.yaml", "FL201"),
        ["warning", "warning", "warning"],
        "placeholder, resolved secret, visible parameter"
    );
    assert_eq!(severity_of("chat/default.js", "FL102"), ["info"]);
    assert_eq!(severity_of("config_check/app.py", "FL102"), ["warning"]);
}

#[test]
fn code_below_a_wrangler_configuration_runs_per_request() {
    let code = "import { Client } from 'pg';\nexport const handler = async () => {\n  const client = new Client();\n  await client.connect();\n};\n";
    let dir = tempdir().unwrap();
    write(
        dir.path(),
        "worker/wrangler.toml",
        "name = \"orders\"\nmain = \"src/deep/index.ts\"\n",
    );
    write(dir.path(), "worker/src/deep/index.ts", code);
    write(dir.path(), "lambda/src/deep/index.ts", code);
    let report = json(&faaslint(dir.path(), &["check", "--format", "json"]));
    assert_eq!(
        findings(&report),
        [(
            "lambda/src/deep/index.ts".to_string(),
            3,
            "FL101".to_string()
        )]
    );
}
