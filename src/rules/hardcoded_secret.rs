//! FL202 hardcoded-secret: a secret literal in handler code.

use crate::diagnostic::{Diagnostic, Severity};
use crate::knowledge::{is_non_secret_value, redact, SECRETS};
use crate::model::{Project, StringLiteral};
use crate::rules::{Context, Rule};

pub static RULE: Rule = Rule {
    code: "FL202",
    name: "hardcoded-secret",
    default_severity: Severity::Error,
    summary: "A secret literal in handler code",
    doc: include_str!("../../rules/FL202-hardcoded-secret.md"),
    check: Some(check),
    options: None,
};

/// Below this many bits per character a literal reads like a word or a placeholder
/// (`changeme` is 2.75), not like a generated secret.
const MIN_ENTROPY: f64 = 3.0;
const MIN_LENGTH: usize = 8;

fn check(project: &Project, _: &Context, out: &mut Vec<Diagnostic>) {
    // Handler code and what it imports: a front-end component, a CDK stack or a test is not
    // deployed into the function, and its strings are not the function's secrets.
    let handler_code = project.handler_code();
    // A CDK stack's literal secrets are its functions' environment: FL201 reports them there.
    let declares_functions: std::collections::HashSet<_> =
        project.functions().map(|f| f.file).collect();
    let files = project
        .code
        .iter_enumerated()
        .filter(|(code, file)| handler_code[*code] && !declares_functions.contains(&file.file))
        .map(|(_, file)| file);
    for file in files {
        for literal in &file.strings {
            let Some((kind, secret)) = classify(literal) else {
                continue;
            };
            let message = match &literal.name {
                Some(name) => format!("`{name}` holds a hard-coded {kind} (`{}`)", redact(secret)),
                None => format!("hard-coded {kind} (`{}`)", redact(secret)),
            };
            out.push(
                Diagnostic::new(&RULE, file.file, literal.span, message)
                    .with_help(
                        "Anyone with the code or the deployment package has it, and it cannot be \
                         rotated without a deploy. Keep it in Secrets Manager or SSM Parameter \
                         Store and read it at run time (cached, e.g. with the Parameters and \
                         Secrets Lambda Extension); then rotate this value.",
                    )
                    .with_redaction(file.file, literal.span),
            );
        }
    }
}

fn classify(literal: &StringLiteral) -> Option<(String, &str)> {
    let value = literal.value.as_str();
    if let Some(token) = SECRETS.find_token(value) {
        let secret = &value[token.range];
        return (!SECRETS.is_placeholder(secret)).then(|| (token.kind.to_string(), secret));
    }
    let name = literal.name.as_deref()?;
    let looks_secret = SECRETS.is_secret_name(name)
        && value.chars().count() >= MIN_LENGTH
        && !value.contains(char::is_whitespace)
        && !is_non_secret_value(value)
        && !SECRETS.is_placeholder(value)
        && !looks_like_a_name(value)
        && entropy(value) >= MIN_ENTROPY;
    looks_secret.then(|| ("secret".to_string(), value))
}

/// A value that names something rather than hides it: a constant (`API_KEY_HEADER`), a dotted
/// identifier (`AMAZON.FallbackIntent`, `delimiter.curly`), lowercase words
/// (`x-api-token`, `session_token`) or one CamelCase word (`AuthorizationHeader`).
fn looks_like_a_name(value: &str) -> bool {
    let constant = value
        .chars()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    let identifier = |segment: &str| {
        segment
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && segment
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    let segments: Vec<&str> = value.split('.').collect();
    let dotted = segments.len() >= 2 && segments.iter().all(|s| identifier(s));
    let words = value
        .split(['-', '_', '.'])
        .all(|word| !word.is_empty() && word.chars().all(|c| c.is_ascii_lowercase()));
    let camel_word = value.chars().all(|c| c.is_ascii_alphabetic())
        && value.chars().skip(1).any(|c| c.is_ascii_uppercase())
        && !value
            .as_bytes()
            .windows(2)
            .any(|pair| pair[0].is_ascii_uppercase() && pair[1].is_ascii_uppercase());
    constant || dotted || words || camel_word
}

/// Shannon entropy in bits per character.
fn entropy(text: &str) -> f64 {
    let mut counts = std::collections::HashMap::new();
    let mut total = 0.0;
    for c in text.chars() {
        *counts.entry(c).or_insert(0.0) += 1.0;
        total += 1.0;
    }
    counts
        .values()
        .map(|n: &f64| -(n / total) * (n / total).log2())
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::{check_code, check_project};

    #[test]
    fn tokens_anywhere_and_secrets_by_name() {
        let found = check_code(
            "src/pay.ts",
            r#"const STRIPE_KEY = "sk_live_51NzQpLKj8sT4vWx2Yb7cDe9F";
const config = { apiToken: "f3c9a1e07b5d4c2a9e8f" };
const DB_PASSWORD = "changeme";
const TOKEN_HEADER = "x-api-token";
const password = process.env.DB_PASSWORD;
const API_KEY_ENV = "PAYMENTS_API_KEY";
call("ghp_ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
const example = "AKIAIOSFODNN7EXAMPLE";
const intent = { parentIntentSignature: "AMAZON.FallbackIntent", secretToken: "delimiter.curly" };
const apiKeyHeader = "AuthorizationHeader";
export const handler = async () => ({ statusCode: 200 });
"#,
            &super::RULE,
        );
        let lines: Vec<usize> = found.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, [1, 2, 7], "{found:#?}");
        assert!(found[0].1.contains("Stripe live key (`sk_l…[redacted]`)"));
        for (_, message) in &found {
            assert!(
                !message.contains("sk_live_51NzQ") && !message.contains("f3c9a1e07b5d"),
                "{message}"
            );
        }
    }

    #[test]
    fn python_and_rust_literals() {
        let py = check_code(
            "app.py",
            "SECRET_KEY = 'q8Zr2Vm4Lx9Tn6Wb'\nclient = connect(password='Xk9#mP2$vL7q')\n\ndef lambda_handler(event, context):\n    return 1\n",
            &super::RULE,
        );
        assert_eq!(py.iter().map(|(l, _)| *l).collect::<Vec<_>>(), [1, 2]);
        let rs = check_code(
            "src/main.rs",
            "const API_TOKEN: &str = \"xoxb-1234567890-abcdefghij\";\nasync fn handler(e: LambdaEvent<Value>) -> Result<Value, Error> { Ok(e.payload) }\nasync fn main() { lambda_runtime::run(service_fn(handler)).await }\n",
            &super::RULE,
        );
        assert_eq!(rs.len(), 1);
        assert!(rs[0].1.contains("Slack token"));
    }

    #[test]
    fn only_handler_code_and_what_it_imports() {
        let component = "const rules = [{ token: \"delimiter.curly\" }, { secretKey: \"q8Zr2Vm4Lx9Tn6Wb\" }];\nexport function CodeEditor() { return rules; }\n";
        let stack = "from aws_cdk import Stack\nclass MqStack(Stack):\n    def __init__(self):\n        mq_password = 'Xk9#mP2$vL7q'\n";
        let handler =
            "import { sign } from './auth';\nexport const handler = async () => sign();\n";
        let imported =
            "const SIGNING_KEY = \"q8Zr2Vm4Lx9Tn6Wb\";\nexport const sign = () => SIGNING_KEY;\n";
        let found = check_project(
            &[
                ("web/src/CodeEditor.tsx", component),
                ("infra/mq_stack.py", stack),
                ("functions/handler.ts", handler),
                ("functions/auth.ts", imported),
            ],
            &super::RULE,
        );
        let places: Vec<(&str, usize)> = found.iter().map(|(p, l, _)| (p.as_str(), *l)).collect();
        assert_eq!(places, [("functions/auth.ts", 1)], "{found:#?}");
    }

    #[test]
    fn names_are_not_secrets() {
        for name in [
            "AMAZON.FallbackIntent",
            "delimiter.curly",
            "x-api-token",
            "session_token",
            "AuthorizationHeader",
            "API_KEY_HEADER",
        ] {
            assert!(looks_like_a_name(name), "{name}");
        }
        for secret in [
            "q8Zr2Vm4Lx9Tn6Wb",
            "Summer2024!",
            "Xk9#mP2$vL7q",
            "Summer.2024",
        ] {
            assert!(!looks_like_a_name(secret), "{secret}");
        }
    }

    #[test]
    fn test_files_are_skipped() {
        assert!(check_code(
            "tests/test_app.py",
            "SECRET_KEY = 'q8Zr2Vm4Lx9Tn6Wb'\n\ndef lambda_handler(event, context):\n    return 1\n",
            &super::RULE
        )
        .is_empty());
    }

    #[test]
    fn entropy_separates_words_from_keys() {
        assert!(entropy("changeme") < MIN_ENTROPY);
        assert!(entropy("q8Zr2Vm4Lx9Tn6Wb") > MIN_ENTROPY);
    }

    #[test]
    fn a_secret_in_a_construct_environment_is_reported_once_as_fl201() {
        use crate::rules::test_support::check_project;
        // A one-file app whose stack is also the function's code.
        let stack = "import * as lambda from 'aws-cdk-lib/aws-lambda';\nexport function build(scope) {\n  return new lambda.Function(scope, 'Fn', {\n    runtime: lambda.Runtime.NODEJS_20_X,\n    handler: 'stack.handler',\n    code: lambda.Code.fromAsset('.'),\n    environment: { STRIPE_KEY: 'sk_live_51HqLyjWDarjtT1zdp7dc0abcdEf' },\n  });\n}\nexport const handler = async () => ({ statusCode: 200 });\n";
        let files = [("stack.ts", stack)];
        assert!(check_project(&files, &RULE).is_empty());
        let fl201 = check_project(&files, &crate::rules::plaintext_secret_env::RULE);
        assert_eq!(fl201.len(), 1, "{fl201:#?}");
        assert_eq!(fl201[0].1, 7);
    }
}
