//! FL201 plaintext-secret-env: a secret written literally into a function's environment.

use crate::diagnostic::{Diagnostic, Severity};
use crate::knowledge::{is_non_secret_value, redact, SECRETS};
use crate::model::{EnvValue, EnvVar, FileId, Flavor, Function, Project};
use crate::rules::{Context, Rule};
use crate::source::Span;
use std::collections::BTreeMap;

pub static RULE: Rule = Rule {
    code: "FL201",
    name: "plaintext-secret-env",
    default_severity: Severity::Error,
    summary: "A secret value written literally into a function's environment",
    doc: include_str!("../../rules/FL201-plaintext-secret-env.md"),
    check: Some(check),
    options: None,
};

/// What is wrong with a variable's value.
enum Finding {
    /// A secret written in the template: what kind, and the part that is secret.
    Plaintext { kind: String, secret: String },
    /// A placeholder in a secret-named variable: the real value will be written there.
    Placeholder { text: String },
    /// A secret resolved into the function's configuration at deploy time.
    Resolved { how: String },
    /// A parameter that is not `NoEcho`, under a secret-like name.
    VisibleParameter { name: String },
}

impl Finding {
    fn severity(&self) -> Severity {
        match self {
            Finding::Plaintext { .. } => Severity::Error,
            _ => Severity::Warning,
        }
    }
}

fn check(project: &Project, _: &Context, out: &mut Vec<Diagnostic>) {
    // A variable in SAM `Globals` or `provider.environment` is shared by many functions, and a
    // file several services include is shared by all of them: report it once, where it is
    // written.
    // A conditional variable (`!If`, `!FindInMap`) is one finding at its first secret branch,
    // with the other secret branches as related places.
    let mut seen: BTreeMap<(FileId, Span), Vec<(&Function, &EnvVar)>> = BTreeMap::new();
    let mut found: Vec<(&Function, &EnvVar, Finding, Vec<&EnvVar>)> = Vec::new();
    for function in project.functions() {
        for var in &function.environment {
            let local = var
                .included
                .is_some_and(|included| is_local_file(&project.files[included.file].path));
            let Some(finding) = classify(var, local) else {
                continue;
            };
            let users = seen
                .entry((written_in(function, var), var.value_span))
                .or_default();
            if users.is_empty() {
                found.push((function, var, finding, Vec::new()));
            } else if let Some(first) = found.iter_mut().find(|(f, v, ..)| {
                std::ptr::eq(*f, function)
                    && v.value_span == var.value_span
                    && v.condition != var.condition
            }) {
                first.3.push(var);
            }
            if !users.iter().any(|(user, _)| std::ptr::eq(*user, function)) {
                users.push((function, var));
            }
        }
    }
    for (function, var, finding, other_branches) in found {
        let users = &seen[&(written_in(function, var), var.value_span)];
        let mut diagnostic = diagnostic(project, function, var, &finding, users);
        for other in other_branches {
            if let EnvValue::Literal { origin, .. } = &other.value {
                let when = other.condition.as_deref().unwrap_or("in another branch");
                diagnostic = diagnostic
                    .with_related(
                        written_in(function, other),
                        *origin,
                        format!("also a secret {when}"),
                    )
                    .with_redaction(written_in(function, other), *origin);
            }
        }
        out.push(diagnostic);
    }
}

/// `local` is a value read from a local stage's file: only a known token format counts there.
fn classify(var: &EnvVar, local: bool) -> Option<Finding> {
    let secret_name = SECRETS.is_secret_name(&var.name.value);
    let text = match &var.value {
        EnvValue::Literal { text, .. } | EnvValue::Interpolated { text } => text,
        EnvValue::Reference => return None,
        EnvValue::ResolvedSecret { how } => return Some(Finding::Resolved { how: how.clone() }),
        EnvValue::VisibleParameter { name } => {
            return secret_name.then(|| Finding::VisibleParameter { name: name.clone() })
        }
    };
    if let Some(token) = SECRETS.find_token(text) {
        let secret = &text[token.range];
        return (!SECRETS.is_placeholder(secret)).then(|| Finding::Plaintext {
            kind: token.kind.to_string(),
            secret: secret.to_string(),
        });
    }
    let literal = matches!(var.value, EnvValue::Literal { .. });
    if !literal
        || !secret_name
        || local
        || is_non_secret_value(text)
        || SECRETS.is_filler(text)
        || reserved_by_lambda(&var.name.value)
    {
        return None;
    }
    Some(match SECRETS.is_placeholder_for(&var.name.value, text) {
        true => Finding::Placeholder { text: text.clone() },
        false => Finding::Plaintext {
            kind: SECRETS.kind_of(&var.name.value).to_string(),
            secret: text.clone(),
        },
    })
}

/// `env/local.yml`, `secrets.local.json`, `offline.env.yml`: the settings of a stage run on a
/// developer's machine (an emulator, a database in docker-compose), never deployed.
fn is_local_file(path: &std::path::Path) -> bool {
    path.file_name()
        .and_then(|name| name.to_str())
        .is_some_and(|name| {
            name.to_ascii_lowercase()
                .split(['.', '_', '-'])
                .any(|word| word == "local" || word == "offline")
        })
}

/// Lambda refuses to deploy a function that sets these: a template that does is run by a local
/// emulator (`sam local`, Step Functions Local) with dummy credentials. A real key there is still
/// found by its format.
fn reserved_by_lambda(name: &str) -> bool {
    matches!(
        name,
        "AWS_ACCESS_KEY" | "AWS_ACCESS_KEY_ID" | "AWS_SECRET_ACCESS_KEY" | "AWS_SESSION_TOKEN"
    )
}

fn diagnostic(
    project: &Project,
    function: &Function,
    var: &EnvVar,
    finding: &Finding,
    users: &[(&Function, &EnvVar)],
) -> Diagnostic {
    let section = match function.flavor {
        Flavor::Serverless => "`provider.environment`",
        _ => "`Globals`",
    };
    // Shared beyond one template's defaults (a file two services include): name the functions.
    let one_section = users
        .iter()
        .all(|(user, user_var)| user_var.from_defaults && user.file == function.file);
    let owner = if users.len() > 1 && !one_section {
        let names: Vec<String> = users
            .iter()
            .map(|(user, _)| format!("`{}`", qualified_name(project, user, users)))
            .collect();
        format!("{} functions ({})", users.len(), names.join(", "))
    } else if var.from_defaults {
        match users.len() {
            1 => format!("{section} (used by function `{}`)", function.logical_id),
            n => format!("{section} (used by {n} functions)"),
        }
    } else if function.flavor == Flavor::Wrangler {
        format!("the `vars` of Worker `{}`", function.logical_id)
    } else {
        format!("function `{}`", function.logical_id)
    };
    let when = var
        .condition
        .as_ref()
        .map_or(String::new(), |when| format!(" ({when})"));
    let variable = format!(
        "environment variable `{}` in {owner}{}{when}",
        var.name.value,
        function
            .created_when()
            .map_or(String::new(), |when| format!(" ({when})"))
    );
    let (message, help) = match finding {
        Finding::Plaintext { kind, secret } => (
            format!("{variable} holds a plaintext {kind} (`{}`)", redact(secret)),
            help(function.flavor).to_string(),
        ),
        Finding::Placeholder { text } => (
            format!(
                "{variable} holds a placeholder, not yet the secret (`{}`): the real value will \
                 be written here",
                redact(text)
            ),
            format!(
                "Declare it as a reference now, before the real value lands in the repository. {}",
                help(function.flavor)
            ),
        ),
        Finding::Resolved { how } => (
            format!(
                "{variable} gets a secret resolved into the function's configuration ({how}): \
                 anyone allowed `lambda:GetFunctionConfiguration` reads it in plaintext, and so \
                 does the console"
            ),
            READ_AT_RUN_TIME.to_string(),
        ),
        Finding::VisibleParameter { name } => (
            format!(
                "{variable} takes parameter `{name}`, which is not `NoEcho`: its value shows in \
                 the CloudFormation console and in `describe-stacks`"
            ),
            format!(
                "Mark `{name}` `NoEcho: true` (it still lands in the function's configuration), \
                 or better: {}",
                READ_AT_RUN_TIME_SHORT
            ),
        ),
    };
    // A value from an included file (`${file(./config/dev.yml)}`) is reported there, with the
    // include as a related place.
    let file = written_in(function, var);
    let diagnostic = Diagnostic::new(&RULE, file, var.value_span, message).with_help(help);
    let mut diagnostic = with_include_sites(diagnostic, users, section);
    // What the template holds is shown masked; a reference holds no secret to mask.
    if matches!(
        finding,
        Finding::Plaintext { .. } | Finding::Placeholder { .. }
    ) {
        diagnostic = diagnostic.with_redaction(file, var.value_span);
    }
    diagnostic.severity = finding.severity();
    if let EnvValue::Literal { origin, .. } = &var.value {
        if *origin != var.value_span {
            diagnostic = diagnostic
                .with_related(file, *origin, "the secret value is written here")
                .with_redaction(file, *origin);
        }
    }
    if var.from_defaults && users.len() == 1 {
        diagnostic = diagnostic.with_related(function.file, function.span, "function using it");
    }
    diagnostic
}

/// Every place that includes the value's file: one per service sharing a configuration file;
/// for a value read through a `${self:...}` path, where it is read and where the file is.
fn with_include_sites(
    mut diagnostic: Diagnostic,
    users: &[(&Function, &EnvVar)],
    section: &str,
) -> Diagnostic {
    let mut shown: Vec<(FileId, Span)> = Vec::new();
    for (user, user_var) in users {
        let Some(included) = user_var.included else {
            continue;
        };
        if shown.contains(&(user.file, included.at)) {
            continue;
        }
        shown.push((user.file, included.at));
        let into = if user_var.from_defaults {
            section.to_string()
        } else {
            format!("function `{}`", user.logical_id)
        };
        let Some(site) = included.site else {
            diagnostic = diagnostic.with_related(
                user.file,
                included.at,
                format!("included into {into} here"),
            );
            continue;
        };
        diagnostic =
            diagnostic.with_related(user.file, included.at, format!("read into {into} here"));
        if !shown.contains(&(user.file, site)) {
            shown.push((user.file, site));
            diagnostic = diagnostic.with_related(user.file, site, "the file is included here");
        }
    }
    diagnostic
}

/// A function's name, with its template's folder when another function of the list has the
/// same name (`users-api/app`, `orders-api/app`: one `app` per service).
fn qualified_name(
    project: &Project,
    function: &Function,
    among: &[(&Function, &EnvVar)],
) -> String {
    let clash = among.iter().any(|(other, _)| {
        other.logical_id == function.logical_id && !std::ptr::eq(*other, function)
    });
    let folder = project.files[function.file]
        .path
        .parent()
        .and_then(|dir| dir.file_name())
        .map(|name| name.to_string_lossy().into_owned());
    match folder {
        Some(folder) if clash => format!("{folder}/{}", function.logical_id),
        _ => function.logical_id.clone(),
    }
}

/// The file a variable's value is written in: the template, or a file it includes.
fn written_in(function: &Function, var: &EnvVar) -> FileId {
    var.included.map_or(function.file, |included| included.file)
}

const READ_AT_RUN_TIME: &str = "Keep the secret out of the function's configuration: pass the \
    secret's name or ARN and read the value at run time with caching (the AWS Parameters and \
    Secrets Lambda Extension, or Powertools Parameters), so only the function's role can read it.";

const READ_AT_RUN_TIME_SHORT: &str = "store the secret in Secrets Manager, pass its name, and \
    read it at run time with caching (the Parameters and Secrets Lambda Extension, or Powertools \
    Parameters).";

fn help(flavor: Flavor) -> &'static str {
    match flavor {
        Flavor::Wrangler => {
            "`vars` are plain text in the repository and in the dashboard. Store it as a secret \
             with `wrangler secret put NAME` (or `secrets` in the configuration, values set \
             outside it), keep local values in `.dev.vars` (not committed), and read it from \
             `env.NAME` as before; then rotate this value, it is in your history."
        }
        Flavor::Cdk => {
            "Anyone who can read the repository, the synthesized template or the function \
             configuration can read it. Store it in Secrets Manager, pass its name or ARN \
             (`secret.secretName`, `grantRead`), and read it at run time with caching (the \
             Parameters and Secrets Lambda Extension, Powertools Parameters). Then rotate this \
             value, it is in your history."
        }
        Flavor::Terraform => {
            "Anyone who can read the repository, the Terraform state or the function \
             configuration can read it. Store it in Secrets Manager, pass its name or ARN, and \
             read it at run time with caching (the Parameters and Secrets Lambda Extension, \
             Powertools Parameters); a `data` source keeps it out of the code but not out of the \
             state or the function's configuration. Then rotate this value, it is in your \
             history."
        }
        Flavor::Serverless => {
            "Anyone who can read the repository or the function configuration can read it. Keep \
             it in Secrets Manager or SSM Parameter Store (SecureString), pass its name, and read \
             it at run time with caching (the Parameters and Secrets Lambda Extension, \
             Powertools Parameters); then rotate this value, it is in your history."
        }
        _ => {
            "Anyone who can read the repository, the stack or the function configuration can \
             read it. Store it in Secrets Manager, pass its name or ARN, and read it at run time \
             with caching (the Parameters and Secrets Lambda Extension, Powertools Parameters); \
             a `{{resolve:secretsmanager:...}}` reference keeps it out of the template but not \
             out of the function's configuration. Then rotate this value, it is in your history."
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::{check_file, lines};
    use std::path::Path;

    fn run(name: &str, text: &str) -> Vec<(usize, String)> {
        let (project, diagnostics) = check_file(name, text, &RULE, "");
        lines(&project, &diagnostics)
    }

    const SAM: &str = r#"Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Environment:
      Variables:
        STRIPE_KEY: sk_live_4eC39HqLyjWDarjtT1zdp7dc
Resources:
  Orders:
    Type: AWS::Serverless::Function
    Properties:
      Environment:
        Variables:
          DB_PASSWORD: Summer2024!
          DB_SECRET_ARN: arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf
          DB_SECRET_NAME: prod/db/credentials
          PASSWORD_MIN_LENGTH: "12"
          TOKEN_TTL_SECONDS: 3600
          MAX_TOKENS: 4096
          API_TOKEN: "{{resolve:secretsmanager:prod/api:SecretString:token}}"
          SESSION_SECRET: !Ref SessionSecret
          FEATURE_ENABLED: "true"
          ANALYTICS_URL: !Sub "https://u:${Password}@example.com"
          DATABASE_URL: !Sub "postgres://orders:hunter22@${Db.Endpoint.Address}/orders"
          SUPPORT_EMAIL: help@example.com
  Billing:
    Type: AWS::Serverless::Function
    Properties:
      Environment:
        Variables:
          GH: ghp_ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789
"#;

    #[test]
    fn flags_secrets_once_and_only_secrets() {
        let found = run("template.yaml", SAM);
        let found_lines: Vec<usize> = found.iter().map(|(line, _)| *line).collect();
        assert_eq!(found_lines, [6, 13, 19, 23, 30], "{found:#?}");
        assert!(
            found[0].1.contains("`Globals` (used by 2 functions)"),
            "{}",
            found[0].1
        );
        assert!(found[0].1.contains("Stripe live key"));
        assert!(found[1].1.contains("function `Orders`"));
        assert!(found[2]
            .1
            .contains("resolved into the function's configuration"));
        assert!(found[3].1.contains("connection URL"));
    }

    #[test]
    fn fillers_are_no_secrets_and_words_for_the_secret_are_placeholders() {
        let text = r#"Transform: AWS::Serverless-2016-10-31
Resources:
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Environment:
        Variables:
          SQS_SECRET_ACCESS_KEY: na
          SMTP_PASS: dummy
          LEDGER_TOKEN: abc
          DB_PASS: xxx
          QUEUE_PASSWORD: Hunter2-Orders-2024
          ADMIN_PASSWORD: password
          API_TOKEN: API_TOKEN
"#;
        let found = run("template.yaml", text);
        let lines: Vec<usize> = found.iter().map(|(line, _)| *line).collect();
        assert_eq!(lines, [11, 12, 13, 14], "{found:#?}");
        for placeholder in [0, 2, 3] {
            assert!(
                found[placeholder].1.contains("placeholder"),
                "{}",
                found[placeholder].1
            );
        }
        assert!(
            found[1].1.contains("`QUEUE_PASSWORD`") && found[1].1.contains("plaintext password")
        );
    }

    #[test]
    fn a_local_stage_file_counts_only_known_token_formats() {
        let dir = tempfile::tempdir().unwrap();
        let config = "service: orders\nprovider:\n  name: aws\n  stage: ${opt:stage, 'local'}\n  environment: ${file(./env/${self:provider.stage}.yml)}\nfunctions:\n  api:\n    handler: h.main\n";
        let local = "DB_HOST: localhost\nDB_PASSWORD: docker-root-pw-123\nSTRIPE_KEY: sk_live_51HqLyjWDarjtT1zdp7dcQ2bX9\n";
        std::fs::create_dir_all(dir.path().join("env")).unwrap();
        std::fs::write(dir.path().join("env/local.yml"), local).unwrap();
        let path = dir.path().join("serverless.yml");
        let (project, diagnostics) = check_file(path.to_str().unwrap(), config, &RULE, "");
        let found = lines(&project, &diagnostics);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].0, 3);
        assert!(found[0].1.contains("`STRIPE_KEY`") && found[0].1.contains("Stripe live key"));
        assert!(is_local_file(Path::new("config/secrets.local.json")));
        assert!(is_local_file(Path::new("offline-env.yml")));
        assert!(!is_local_file(Path::new("config/locale.yml")));
    }

    #[test]
    fn placeholders_resolved_secrets_and_visible_parameters_are_warnings() {
        let text = r#"Transform: AWS::Serverless-2016-10-31
Parameters:
  TwilioToken:
    Type: String
  StripeKey:
    Type: String
    NoEcho: true
  ApiKeyName:
    Type: String
Resources:
  Client:
    Type: AWS::Cognito::UserPoolClient
    Properties:
      GenerateSecret: true
  Notify:
    Type: AWS::Serverless::Function
    Properties:
      Environment:
        Variables:
          SENDGRID_API_KEY: YOUR_SENDGRID_API_KEY
          TWILIO_AUTH_TOKEN: !Ref TwilioToken
          STRIPE_SECRET_KEY: !Ref StripeKey
          CLIENT_SECRET: !GetAtt Client.ClientSecret
          CLIENT_ID: !Ref Client
          API_KEY_NAME: !Ref ApiKeyName
"#;
        let (project, diagnostics) = check_file("template.yaml", text, &RULE, "");
        let found: Vec<(usize, Severity, String)> = diagnostics
            .iter()
            .map(|d| {
                let line = project.file(d.file).line_number(d.span.start as usize);
                (line, d.severity, d.message.clone())
            })
            .collect();
        let places: Vec<(usize, Severity)> = found.iter().map(|(l, s, _)| (*l, *s)).collect();
        assert_eq!(
            places,
            [
                (20, Severity::Warning),
                (21, Severity::Warning),
                (23, Severity::Warning)
            ],
            "{found:#?}"
        );
        assert!(found[0].2.contains("placeholder"), "{}", found[0].2);
        assert!(found[1]
            .2
            .contains("parameter `TwilioToken`, which is not `NoEcho`"));
        assert!(
            found[2].2.contains("`!GetAtt Client.ClientSecret`"),
            "{}",
            found[2].2
        );
        let serverless = "service: s\nprovider:\n  name: aws\n  environment:\n    DB_PASSWORD: ${ssm:/prod/db/password~true}\n    DB_HOST: ${ssm:/prod/db/host}\nfunctions:\n  a:\n    handler: h.h\n";
        let found = run("serverless.yml", serverless);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(found[0].1.contains("decrypts at deploy"), "{}", found[0].1);
    }

    #[test]
    fn dummy_credentials_for_local_emulators_are_not_secrets_but_real_keys_are() {
        let text = "Transform: AWS::Serverless-2016-10-31\nResources:\n  Sum:\n    Type: AWS::Serverless::Function\n    Properties:\n      Environment:\n        Variables:\n          AWS_ACCESS_KEY_ID: DUMMYIDEXAMPLE\n          AWS_SECRET_ACCESS_KEY: DUMMYEXAMPLEKEY\n          AWS_SESSION_TOKEN: local\n  Leak:\n    Type: AWS::Serverless::Function\n    Properties:\n      Environment:\n        Variables:\n          AWS_ACCESS_KEY_ID: AKIA2E0A8F3B244C9986\n";
        let found = run("template.yaml", text);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].0, 16);
        assert!(found[0].1.contains("AWS access key"), "{}", found[0].1);
    }

    #[test]
    fn never_prints_the_value() {
        for (_, message) in run("template.yaml", SAM) {
            for secret in [
                "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
                "Summer2024!",
                "hunter22",
                "ghp_ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
            ] {
                assert!(!message.contains(secret), "{message}");
            }
        }
    }

    #[test]
    fn serverless_self_variables_resolve_to_literals() {
        let text = "service: s\ncustom:\n  key: hunter2hunter2\nprovider:\n  name: aws\n  environment:\n    API_KEY: ${self:custom.key}\n    OTHER_KEY: ${ssm:/prod/other}\n    PLAIN: ${env:PLAIN}\nfunctions:\n  a:\n    handler: h.h\n  b:\n    handler: h.h\n";
        let found = run("serverless.yml", text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, 7);
        assert!(found[0]
            .1
            .contains("`provider.environment` (used by 2 functions)"));
    }
}
