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
    for file in project.code.iter().filter(|f| !f.is_test) {
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
        && !value
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        && entropy(value) >= MIN_ENTROPY;
    looks_secret.then(|| ("secret".to_string(), value))
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
    use crate::rules::test_support::check_code;

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
            "SECRET_KEY = 'q8Zr2Vm4Lx9Tn6Wb'\nclient = connect(password='Xk9#mP2$vL7q')\n",
            &super::RULE,
        );
        assert_eq!(py.iter().map(|(l, _)| *l).collect::<Vec<_>>(), [1, 2]);
        let rs = check_code(
            "src/main.rs",
            "const API_TOKEN: &str = \"xoxb-1234567890-abcdefghij\";\nfn main() {}\n",
            &super::RULE,
        );
        assert_eq!(rs.len(), 1);
        assert!(rs[0].1.contains("Slack token"));
    }

    #[test]
    fn test_files_are_skipped() {
        assert!(check_code(
            "tests/test_app.py",
            "SECRET_KEY = 'q8Zr2Vm4Lx9Tn6Wb'\n",
            &super::RULE
        )
        .is_empty());
    }

    #[test]
    fn entropy_separates_words_from_keys() {
        assert!(entropy("changeme") < MIN_ENTROPY);
        assert!(entropy("q8Zr2Vm4Lx9Tn6Wb") > MIN_ENTROPY);
    }
}
