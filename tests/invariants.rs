//! Invariants: the output does not depend on the number of threads, and no secret value ever
//! reaches any output format.

mod common;

use common::*;
use faaslint::render::{render, Format};
use proptest::prelude::*;
use std::path::Path;
use tempfile::tempdir;

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn same_output_with_one_and_with_many_threads() {
    // Twenty copies of every fixture project: enough files that threads interleave.
    let dir = tempdir().unwrap();
    for copy in 0..20 {
        let target = dir.path().join(format!("copy{copy:02}"));
        std::fs::create_dir_all(&target).unwrap();
        copy_tree(&repo_root().join("fixtures"), &target);
    }
    for format in ["json", "sarif", "human", "concise", "github"] {
        let run = |threads: &str| {
            faaslint(
                dir.path(),
                &[
                    "check",
                    "--no-color",
                    "--format",
                    format,
                    "--threads",
                    threads,
                ],
            )
        };
        let one = run("1");
        assert_eq!(one.code, 1, "{}", one.stderr);
        assert!(one.stdout.len() > 10_000, "{format}: findings are printed");
        for threads in ["2", "8"] {
            let many = run(threads);
            assert_eq!(one.code, many.code);
            assert!(
                one.stdout == many.stdout,
                "{format}: output differs with {threads} threads"
            );
            assert_eq!(one.stderr, many.stderr);
        }
    }
}

/// A secret in one of the formats rules/secrets.toml knows, or a random one under a secret
/// name: (the format's fixed prefix, the random rest).
fn secret() -> impl Strategy<Value = (&'static str, String)> {
    prop_oneof![
        "[A-Z0-9]{16}".prop_map(|rest| ("AKIA", rest)),
        "[0-9A-Za-z]{24,40}".prop_map(|rest| ("sk_live_", rest)),
        "[A-Za-z0-9]{36}".prop_map(|rest| ("ghp_", rest)),
        "[0-9]{11}-[0-9A-Za-z]{24}".prop_map(|rest| ("xoxb-", rest)),
        "[A-Za-z0-9]{36}".prop_map(|rest| ("npm_", rest)),
        "[A-Za-z][A-Za-z0-9+/]{23,40}[0-9]".prop_map(|rest| ("", rest)),
    ]
}

/// Where the secret is written: the file name and its text.
fn placed(secret: &str, place: usize) -> (&'static str, String) {
    match place {
        0 => ("template.yaml", format!("AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.11\n      Handler: app.handler\n      Environment:\n        Variables:\n          SERVICE_API_KEY: {secret}\n")),
        1 => ("stack.template.json", format!("{{\"AWSTemplateFormatVersion\": \"2010-09-09\", \"Resources\": {{\"Fn\": {{\"Type\": \"AWS::Lambda::Function\", \"Properties\": {{\"Runtime\": \"nodejs22.x\", \"Handler\": \"index.handler\", \"Environment\": {{\"Variables\": {{\"AUTH_TOKEN\": \"{secret}\"}}}}}}}}}}}}")),
        2 => ("serverless.yml", format!("service: orders\nprovider:\n  name: aws\n  runtime: nodejs22.x\n  environment:\n    PARTNER_SECRET: '{secret}'\nfunctions:\n  api:\n    handler: src/api.handler\n")),
        3 => ("template.yaml", format!("AWSTemplateFormatVersion: '2010-09-09'\nParameters:\n  ApiKey:\n    Type: String\n    NoEcho: true\n    Default: {secret}\nResources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: python3.11\n      Handler: app.handler\n      Environment:\n        Variables:\n          PAYMENTS_API_KEY: !Ref ApiKey\n")),
        4 => ("src/handler.ts", format!("const PARTNER_API_KEY = \"{secret}\";\n\nexport const handler = async () => {{\n  return fetch(\"https://partner.example.com\", {{ headers: {{ authorization: PARTNER_API_KEY }} }});\n}};\n")),
        5 => ("src/handler.py", format!("import urllib.request\n\nAPI_TOKEN = \"{secret}\"\n\n\ndef lambda_handler(event, context):\n    return urllib.request.Request(\"https://partner.example.com\", headers={{\"Authorization\": API_TOKEN}})\n")),
        _ => ("src/main.rs", format!("use lambda_runtime::{{service_fn, Error, LambdaEvent}};\nuse serde_json::Value;\n\nconst PARTNER_API_KEY: &str = \"{secret}\";\n\nasync fn handler(event: LambdaEvent<Value>) -> Result<Value, Error> {{\n    Ok(serde_json::json!({{ \"key\": PARTNER_API_KEY.len(), \"id\": event.context.request_id }}))\n}}\n\n#[tokio::main]\nasync fn main() -> Result<(), Error> {{\n    lambda_runtime::run(service_fn(handler)).await\n}}\n")),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn no_secret_value_reaches_any_output_format((prefix, rest) in secret(), place in 0usize..7) {
        let secret = format!("{prefix}{rest}");
        let dir = tempdir().unwrap();
        let (name, text) = placed(&secret, place);
        write(dir.path(), name, &text);
        let report = faaslint::check(&faaslint::CheckOptions {
            paths: vec![dir.path().to_path_buf()],
            ..Default::default()
        })
        .unwrap();
        prop_assert!(
            report.diagnostics.iter().any(|d| d.code == "FL201" || d.code == "FL202"),
            "the secret is found in {}: {:?}", name, report.diagnostics
        );
        // Redaction keeps at most a short prefix: no 8 characters of the random part appear
        // together (the format's own prefix is in the rule documents).
        let windows: Vec<&str> = (0..=rest.len() - 8).map(|i| &rest[i..i + 8]).collect();
        for format in [Format::Human, Format::Concise, Format::Json, Format::Sarif, Format::Github] {
            for color in [false, true] {
                let output = render(&report, format, color);
                for window in &windows {
                    if let Some(at) = output.find(window) {
                        let context = output.get(at.saturating_sub(120)..(at + 120).min(output.len())).unwrap_or(window);
                        prop_assert!(false, "{:?} output shows `{}` of the secret from {}: ...{}...",
                            format, window, name, context);
                    }
                }
            }
        }
    }
}

/// A character that can make text read differently from what it is: a bidirectional control,
/// an invisible character, a terminal control code.
fn deceptive_char() -> impl Strategy<Value = char> {
    prop_oneof![
        prop::char::range('\u{202A}', '\u{202E}'),
        prop::char::range('\u{2066}', '\u{2069}'),
        prop::char::range('\u{200B}', '\u{200F}'),
        Just('\u{FEFF}'),
        Just('\u{1b}'),
        Just('\u{7}'),
        Just('\u{9b}'),
    ]
}

fn is_deceptive(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200B}'..='\u{200F}' | '\u{FEFF}')
        || (c.is_control() && c != '\n')
}

/// A project with `c` in a function's name, an environment variable's name, a file's name or
/// a source line that is shown: (file name, text).
fn with_deceptive(c: char, place: usize) -> (String, String) {
    let template = |id: &str, var: &str, comment: &str| {
        format!("AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nResources:\n  {id}:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: java21\n      Handler: com.example.App::handleRequest\n      Environment:\n        Variables:\n          {var}: sk_live_4eC39HqLyjWDarjtT1zdp7dc # {comment}\n      Events:\n        Get:\n          Type: HttpApi\n          Properties:\n            Path: /orders\n            Method: GET\n")
    };
    let quoted = |text: String| {
        format!(
            "\"{}\"",
            text.replace('\u{1b}', "\\e")
                .replace('\u{7}', "\\a")
                .replace('\u{9b}', "\\x9b")
        )
    };
    match place {
        0 => (
            "template.yaml".into(),
            template(&quoted(format!("Orders{c}Api")), "API_KEY", "ok"),
        ),
        1 => (
            "template.yaml".into(),
            template("OrdersApi", &quoted(format!("STRIPE{c}_KEY")), "ok"),
        ),
        2 => (
            format!("orders{c}.yaml"),
            template("OrdersApi", "API_KEY", "ok"),
        ),
        _ => (
            "template.yaml".into(),
            template("OrdersApi", "API_KEY", &format!("key for {c}prod")),
        ),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn no_format_prints_a_deceptive_character_raw(c in deceptive_char(), place in 0usize..4) {
        let dir = tempdir().unwrap();
        let (name, text) = with_deceptive(c, place);
        write(dir.path(), &name, &text);
        let report = faaslint::check(&faaslint::CheckOptions {
            paths: vec![dir.path().to_path_buf()],
            ..Default::default()
        })
        .unwrap();
        prop_assert!(!report.diagnostics.is_empty(), "{name} gives findings");
        for format in [Format::Human, Format::Concise, Format::Json, Format::Sarif, Format::Github] {
            let output = render(&report, format, false);
            if let Some(raw) = output.chars().find(|&c| is_deceptive(c)) {
                prop_assert!(false, "{format:?} output prints {raw:?} raw:\n{output}");
            }
            if matches!(format, Format::Json | Format::Sarif) {
                let value: Result<serde_json::Value, _> = serde_json::from_str(&output);
                prop_assert!(value.is_ok(), "{format:?} is valid JSON");
            }
        }
        // The JSON keeps the original text of a path for programs, escaped for people.
        if place == 2 {
            let json: serde_json::Value = serde_json::from_str(&render(&report, Format::Json, false)).unwrap();
            let path = json["diagnostics"][0]["path"].as_str().unwrap_or_default().to_string();
            prop_assert!(path.ends_with(&name), "{path} is the file's own name");
        }
    }
}
