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

/// What kind of secret a value is, and the part of the value that is secret.
struct Finding {
    kind: String,
    secret: String,
}

fn check(project: &Project, _: &Context, out: &mut Vec<Diagnostic>) {
    // A variable in SAM `Globals` or `provider.environment` is shared by many functions: report
    // it once, where it is written.
    let mut seen: BTreeMap<(FileId, Span), Vec<&Function>> = BTreeMap::new();
    let mut found = Vec::new();
    for function in project.functions() {
        for var in &function.environment {
            let Some(finding) = classify(var) else {
                continue;
            };
            let users = seen.entry((function.file, var.value_span)).or_default();
            if users.is_empty() {
                found.push((function, var, finding));
            }
            users.push(function);
        }
    }
    for (function, var, finding) in found {
        let users = &seen[&(function.file, var.value_span)];
        out.push(diagnostic(function, var, &finding, users.len()));
    }
}

fn classify(var: &EnvVar) -> Option<Finding> {
    let text = match &var.value {
        EnvValue::Literal { text, .. } | EnvValue::Interpolated { text } => text,
        EnvValue::Reference => return None,
    };
    if let Some(token) = SECRETS.find_token(text) {
        let secret = &text[token.range];
        return (!SECRETS.is_placeholder(secret)).then(|| Finding {
            kind: token.kind.to_string(),
            secret: secret.to_string(),
        });
    }
    let literal = matches!(var.value, EnvValue::Literal { .. });
    let secret = literal
        && SECRETS.is_secret_name(&var.name.value)
        && !is_non_secret_value(text)
        && !SECRETS.is_placeholder(text);
    secret.then(|| Finding {
        kind: "secret".to_string(),
        secret: text.clone(),
    })
}

fn diagnostic(function: &Function, var: &EnvVar, finding: &Finding, users: usize) -> Diagnostic {
    let owner = if var.from_defaults {
        let section = match function.flavor {
            Flavor::Serverless => "`provider.environment`",
            _ => "`Globals`",
        };
        match users {
            1 => format!("{section} (used by function `{}`)", function.logical_id),
            n => format!("{section} (used by {n} functions)"),
        }
    } else {
        format!("function `{}`", function.logical_id)
    };
    let message = format!(
        "environment variable `{}` in {owner} holds a plaintext {} (`{}`)",
        var.name.value,
        finding.kind,
        redact(&finding.secret)
    );
    let mut diagnostic = Diagnostic::new(&RULE, function.file, var.value_span, message)
        .with_help(help(function.flavor))
        .with_redaction(function.file, var.value_span);
    if let EnvValue::Literal { origin, .. } = &var.value {
        if *origin != var.value_span {
            diagnostic = diagnostic
                .with_related(function.file, *origin, "the secret value is written here")
                .with_redaction(function.file, *origin);
        }
    }
    if var.from_defaults && users == 1 {
        diagnostic = diagnostic.with_related(function.file, function.span, "function using it");
    }
    diagnostic
}

fn help(flavor: Flavor) -> &'static str {
    match flavor {
        Flavor::Serverless => {
            "Anyone who can read the repository or the function configuration can read it. Keep \
             it in SSM Parameter Store (SecureString) or Secrets Manager and reference it \
             (`${ssm:/path/to/secret}`), or better read it at run time with caching; then \
             rotate this value, it is in your history."
        }
        _ => {
            "Anyone who can read the repository, the stack or the function configuration can \
             read it. Store it in Secrets Manager and use a dynamic reference \
             (`{{resolve:secretsmanager:name:SecretString:key}}`) or a `NoEcho` parameter without a `Default`, or \
             better read it at run time with caching; then rotate this value, it is in your \
             history."
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::{check_file, lines};

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
        assert_eq!(found_lines, [6, 13, 23, 30], "{found:#?}");
        assert!(
            found[0].1.contains("`Globals` (used by 2 functions)"),
            "{}",
            found[0].1
        );
        assert!(found[0].1.contains("Stripe live key"));
        assert!(found[1].1.contains("function `Orders`"));
        assert!(found[2].1.contains("connection URL"));
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
