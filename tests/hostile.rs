//! Hostile and broken input: each gives one FL000 finding or a skip note, never a panic, and the
//! run goes on with every other file.

mod common;

use common::*;
use std::time::{Duration, Instant};
use tempfile::tempdir;

/// Lints a folder holding `name` with `contents` beside a good template, and returns the report.
fn lint_beside_good_template(name: &str, contents: &[u8]) -> (Run, serde_json::Value) {
    let dir = tempdir().unwrap();
    write(dir.path(), "good/template.yaml", SAM_WITH_FINDINGS);
    write(dir.path(), name, contents);
    let started = Instant::now();
    let run = faaslint(dir.path(), &["check", "--format", "json"]);
    // A generous ceiling that only a hang or an explosion would cross.
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{name} took {:?}",
        started.elapsed()
    );
    assert_ne!(run.code, 2, "{name}: {}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{name}: {}", run.stderr);
    let report = json(&run);
    let good = findings(&report)
        .into_iter()
        .filter(|(p, _, _)| p == "good/template.yaml")
        .count();
    assert_eq!(good, 4, "{name}: the good template is still linted");
    (run, report)
}

/// The FL000 messages reported for `path`.
fn invalid(report: &serde_json::Value, path: &str) -> Vec<String> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["path"] == path && d["code"] == "FL000")
        .map(|d| d["message"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn broken_yaml_is_one_fl000_with_position() {
    let (_, report) = lint_beside_good_template(
        "bad/template.yaml",
        b"Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties: {Runtime: java21\n",
    );
    let messages = invalid(&report, "bad/template.yaml");
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(
        messages[0].starts_with("cannot parse YAML template: "),
        "{}",
        messages[0]
    );
}

#[test]
fn template_repositories_are_rendered_with_their_defaults_or_skipped_with_a_note() {
    let dir = tempdir().unwrap();
    write(
        dir.path(),
        "java-app/cookiecutter.json",
        r#"{"project_name": "orders", "runtime": ["java21", "java17"]}"#,
    );
    write(
        dir.path(),
        "java-app/{{cookiecutter.project_name}}/template.yaml",
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  {{ cookiecutter.project_name | title }}Function:\n    Type: AWS::Serverless::Function\n",
    );
    write(
        dir.path(),
        "java-app/{{cookiecutter.project_name}}/api/template.yaml",
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Api:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: {{ cookiecutter.runtime }}\n      Events:\n        Get:\n          Type: HttpApi\n          Properties: {Path: /orders, Method: GET}\n",
    );
    // Handler code: rendered when it does not parse as written, else skipped with a note.
    write(
        dir.path(),
        "java-app/{{cookiecutter.project_name}}/src/{{cookiecutter.project_name}}.ts",
        "import { Pool } from 'pg';\nconst {{cookiecutter.project_name}}Table = 'orders';\nexport const handler = async () => {\n  const pool = new Pool();\n  return {{cookiecutter.project_name}}Table;\n};\n",
    );
    write(
        dir.path(),
        "java-app/{{cookiecutter.project_name}}/hello/app.py",
        "{%- if cookiecutter.tracing %}\nfrom aws_xray_sdk.core import patch_all\n{%- endif %}\n\ndef lambda_handler(event, context):\n    return 1\n",
    );
    write(
        dir.path(),
        "blocks/template.yaml",
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n{% if cookiecutter.api == 'y' %}\n  Api:\n    Type: AWS::Serverless::Function\n{% endif %}\n",
    );
    let run = faaslint(dir.path(), &["check", "--format", "json"]);
    let report = json(&run);
    // Rendered: java21 behind an HTTP API, on the line the user wrote.
    assert_eq!(
        findings(&report),
        [
            (
                "java-app/{{cookiecutter.project_name}}/api/template.yaml".to_string(),
                3,
                "FL501".to_string()
            ),
            (
                "java-app/{{cookiecutter.project_name}}/src/{{cookiecutter.project_name}}.ts"
                    .to_string(),
                4,
                "FL101".to_string()
            )
        ],
        "{}",
        run.stdout
    );
    assert!(
        run.stderr
            .contains("hello/app.py: skipped: it contains Jinja blocks"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("applies a Jinja filter; lint the rendered template"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("blocks/template.yaml: skipped: it contains Jinja blocks"),
        "{}",
        run.stderr
    );
}

#[test]
fn broken_terraform_and_wrangler_files_are_fl000_and_their_siblings_are_still_read() {
    let dir = tempdir().unwrap();
    write(dir.path(), "good/template.yaml", SAM_WITH_FINDINGS);
    // A broken sibling does not stop the function beside it from being read.
    write(
        dir.path(),
        "infra/broken.tf",
        "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \n",
    );
    write(
        dir.path(),
        "infra/main.tf",
        "resource \"aws_lambda_function\" \"f\" {\n  runtime = \"nodejs20.x\"\n  snap_start {\n    apply_on = \"PublishedVersions\"\n  }\n}\n",
    );
    write(dir.path(), "infra/empty.tf", "");
    write(
        dir.path(),
        "worker/wrangler.jsonc",
        "{ \"vars\": { \"TOKEN\": } }",
    );
    write(dir.path(), "worker2/wrangler.toml", "name = \"w\"\n[vars\n");
    let run = faaslint(dir.path(), &["check", "--format", "json"]);
    assert_ne!(run.code, 2, "{}", run.stderr);
    let report = json(&run);
    let terraform = invalid(&report, "infra/broken.tf");
    assert_eq!(terraform.len(), 1, "{terraform:?}");
    assert!(
        terraform[0].contains("cannot parse HCL"),
        "{}",
        terraform[0]
    );
    assert!(terraform[0].contains("line 2"), "{}", terraform[0]);
    assert_eq!(invalid(&report, "worker/wrangler.jsonc").len(), 1);
    assert_eq!(invalid(&report, "worker2/wrangler.toml").len(), 1);
    let found = findings(&report);
    assert!(
        found.contains(&("infra/main.tf".into(), 3, "FL502".into())),
        "{found:?}"
    );
    assert_eq!(
        found
            .iter()
            .filter(|(p, _, _)| p == "good/template.yaml")
            .count(),
        4
    );
    // An empty `variables.tf` is normal in a module: no note about it.
    assert!(!run.stderr.contains("empty.tf"), "{}", run.stderr);
}

#[test]
fn empty_file_is_a_note() {
    let (run, report) = lint_beside_good_template("empty/template.yaml", b"");
    assert!(invalid(&report, "empty/template.yaml").is_empty());
    assert!(
        run.stderr
            .contains("empty/template.yaml: skipped: empty file"),
        "{}",
        run.stderr
    );
}

#[test]
fn binary_template_is_fl000_and_other_binaries_are_skipped() {
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend(std::iter::repeat_n(0u8, 4096));
    let (_, report) = lint_beside_good_template("bin/template.yaml", &png);
    let messages = invalid(&report, "bin/template.yaml");
    assert_eq!(
        messages,
        ["cannot parse template: it is a binary file, not YAML or JSON text"]
    );
    let (_, report) = lint_beside_good_template("assets/logo.json", &png);
    assert!(invalid(&report, "assets/logo.json").is_empty());
}

#[test]
fn invalid_utf8_is_fl000_with_the_byte_offset() {
    let (_, report) = lint_beside_good_template(
        "latin1/template.yaml",
        b"Resources:\n  Fn:\n    Description: caf\xe9\n",
    );
    let messages = invalid(&report, "latin1/template.yaml");
    let at = b"Resources:\n  Fn:\n    Description: caf".len();
    assert_eq!(
        messages,
        [format!(
            "cannot parse template: invalid UTF-8 at byte {at}; save the file as UTF-8"
        )]
    );
    let d = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["path"] == "latin1/template.yaml")
        .unwrap();
    assert_eq!(d["range"]["start"]["line"], 3);
}

#[test]
fn alias_bomb_is_refused() {
    let mut text = String::from("AWSTemplateFormatVersion: '2010-09-09'\nMappings:\n  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for level in 1..10 {
        let items = vec![format!("*a{}", level - 1); 9].join(", ");
        text.push_str(&format!("  a{level}: &a{level} [{items}]\n"));
    }
    text.push_str("Resources: {}\n");
    let (_, report) = lint_beside_good_template("bomb/template.yaml", text.as_bytes());
    let messages = invalid(&report, "bomb/template.yaml");
    assert_eq!(messages.len(), 1);
    assert!(messages[0].contains("alias bomb"), "{}", messages[0]);
}

#[test]
fn deep_nesting_is_refused_without_overflowing_the_stack() {
    let flow = format!(
        "AWSTemplateFormatVersion: '2010-09-09'\nResources: {}",
        "[".repeat(100_000)
    );
    let (_, report) = lint_beside_good_template("deep/template.yaml", flow.as_bytes());
    assert_eq!(invalid(&report, "deep/template.yaml").len(), 1);
    let json = format!(
        "{{\"AWSTemplateFormatVersion\": \"2010-09-09\", \"Resources\": {}{}}}",
        "{\"a\":".repeat(100_000),
        "}".repeat(100_000)
    );
    let (_, report) = lint_beside_good_template("deep/stack.template.json", json.as_bytes());
    assert_eq!(invalid(&report, "deep/stack.template.json").len(), 1);
}

#[test]
fn files_over_the_size_limit_are_skipped_with_a_note() {
    let mut big = String::from("{\"AWSTemplateFormatVersion\": \"2010-09-09\", \"Resources\": {\"Pad\": {\"Type\": \"AWS::CloudFormation::WaitConditionHandle\", \"Metadata\": [");
    let item = "\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\",";
    while big.len() < 50 * 1024 * 1024 {
        big.push_str(item);
    }
    big.push_str("\"end\"]}}}");
    let (run, report) = lint_beside_good_template("huge/template.json", big.as_bytes());
    assert!(invalid(&report, "huge/template.json").is_empty());
    assert!(
        run.stderr
            .contains("huge/template.json: skipped: 50.0 MB is over the 5 MB size limit"),
        "{}",
        run.stderr
    );
}

#[test]
fn non_templates_are_skipped_silently() {
    let dir = tempdir().unwrap();
    write(
        dir.path(),
        "docker-compose.yml",
        "services:\n  db:\n    image: postgres:16\n",
    );
    write(dir.path(), ".github/workflows/ci.yml", "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ secrets.TOKEN }}\n");
    write(dir.path(), "openapi.yaml", "openapi: 3.0.0\ninfo: {title: x, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    Resources: {type: object}\n");
    write(dir.path(), "broken-notes.yaml", "just: [some broken\n");
    write(dir.path(), "package.json", "{\"name\": \"x\"}");
    let run = faaslint(dir.path(), &["check", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    assert_eq!(json(&run)["summary"]["files"], 0);
}

#[test]
fn broken_handler_code_is_fl000_and_bundles_are_skipped() {
    let dir = tempdir().unwrap();
    write(
        dir.path(),
        "src/broken.ts",
        "export const handler = async (event => {\n  return 1;\n",
    );
    write(
        dir.path(),
        "src/broken.py",
        "def handler(event, context):\n    return (1,\n",
    );
    write(dir.path(), "src/broken.rs", "fn main() { let x = ; }\n");
    let mut bundle = String::from("\"use strict\";");
    while bundle.len() < 200_000 {
        bundle.push_str("var a=function(b){return b+1};");
    }
    write(dir.path(), "dist/index.js", &bundle);
    // One bracket per line, so it is not taken for a minified bundle.
    let deep = format!(
        "export const handler = () => {}1{};\n",
        "(\n".repeat(100_000),
        ")\n".repeat(100_000)
    );
    write(dir.path(), "src/deep.ts", &deep);
    let deep_py = format!(
        "def handler(event, context):\n    return {}1{}\n",
        "(\n".repeat(100_000),
        ")\n".repeat(100_000)
    );
    write(dir.path(), "src/deep.py", &deep_py);
    let deep_rs = format!(
        "fn handler() -> i64 {{\n    {}1{}\n}}\n",
        "(\n".repeat(100_000),
        ")\n".repeat(100_000)
    );
    write(dir.path(), "src/deep.rs", &deep_rs);
    let run = faaslint(dir.path(), &["check", "--format", "json"]);
    assert!(
        !run.stderr.contains("panicked") && !run.stderr.contains("internal error"),
        "{}",
        run.stderr
    );
    let report = json(&run);
    for path in [
        "src/broken.ts",
        "src/broken.py",
        "src/broken.rs",
        "src/deep.ts",
        "src/deep.py",
        "src/deep.rs",
    ] {
        assert_eq!(
            invalid(&report, path).len(),
            1,
            "{path}: {:#?}",
            report["diagnostics"]
        );
    }
    assert!(invalid(&report, "src/deep.ts")[0].contains("deeper than"));
    assert!(invalid(&report, "dist/index.js").is_empty());
    assert!(
        run.stderr
            .contains("dist/index.js: skipped: looks minified"),
        "{}",
        run.stderr
    );
}
