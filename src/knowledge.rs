//! Knowledge users may extend, kept as data in `rules/` and embedded in the binary: what makes a
//! value a secret, and which runtimes support SnapStart.

use regex::Regex;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::LazyLock;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SecretCatalog {
    secret_words: Vec<String>,
    secret_word_pairs: Vec<[String; 2]>,
    metadata_words: Vec<String>,
    placeholder_markers: Vec<String>,
    filler_values: Vec<String>,
    secret_kinds: Vec<SecretKind>,
    tokens: Vec<TokenEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SecretKind {
    words: Vec<String>,
    kind: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenEntry {
    name: String,
    regex: String,
    #[serde(default)]
    secret_group: usize,
}

pub struct TokenFormat {
    pub name: String,
    regex: Regex,
    secret_group: usize,
}

/// A secret found in a text: what kind, and the byte range of the secret part.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenMatch<'a> {
    pub kind: &'a str,
    pub range: std::ops::Range<usize>,
}

pub struct Secrets {
    secret_words: Vec<String>,
    secret_word_pairs: Vec<[String; 2]>,
    metadata_words: Vec<String>,
    placeholder_markers: Vec<String>,
    filler_values: Vec<String>,
    secret_kinds: Vec<SecretKind>,
    tokens: Vec<TokenFormat>,
}

pub static SECRETS: LazyLock<Secrets> = LazyLock::new(|| {
    let catalog: SecretCatalog = toml::from_str(include_str!("../rules/secrets.toml"))
        .expect("rules/secrets.toml is valid (checked by tests)");
    Secrets {
        secret_words: catalog.secret_words,
        secret_word_pairs: catalog.secret_word_pairs,
        metadata_words: catalog.metadata_words,
        placeholder_markers: catalog.placeholder_markers,
        filler_values: catalog.filler_values,
        secret_kinds: catalog.secret_kinds,
        tokens: catalog
            .tokens
            .into_iter()
            .map(|t| TokenFormat {
                regex: Regex::new(&t.regex).expect("token regex compiles (checked by tests)"),
                name: t.name,
                secret_group: t.secret_group,
            })
            .collect(),
    }
});

impl Secrets {
    /// `DB_PASSWORD`, `stripeSecretKey`, `API_KEY`: yes. `DB_SECRET_ARN`, `MAX_TOKENS`: no.
    pub fn is_secret_name(&self, name: &str) -> bool {
        let words = name_words(name);
        let has = |word: &str| words.iter().any(|w| w == word);
        let secret = self.secret_words.iter().any(|w| has(w))
            || words.windows(2).any(|pair| {
                self.secret_word_pairs
                    .iter()
                    .any(|[a, b]| pair[0] == *a && pair[1] == *b)
            });
        secret && !self.metadata_words.iter().any(|w| has(w))
    }

    /// `YOUR-API-KEY-HERE`, `<connection string>`, `AKIAIOSFODNN7EXAMPLE`: to be replaced, not leaked.
    pub fn is_placeholder(&self, value: &str) -> bool {
        let value = value.trim();
        let upper = value.to_uppercase();
        let mut chars = value.chars();
        let repeated = chars
            .next()
            .is_some_and(|first| value.len() >= 3 && chars.all(|c| c == first));
        (value.starts_with('<') && value.ends_with('>'))
            || repeated
            || self
                .placeholder_markers
                .iter()
                .any(|m| upper.contains(m.as_str()))
    }

    /// What a secret-like name says its value is: `DB_PASSWORD` a password, `stripeApiKey` an API
    /// key; `secret` when it does not say.
    pub fn kind_of(&self, name: &str) -> &str {
        let words = name_words(name);
        self.secret_kinds
            .iter()
            .find(|kind| kind.words.iter().all(|w| words.contains(w)))
            .map_or("secret", |kind| kind.kind.as_str())
    }

    /// `na`, `none`, `dummy`, `local`: a value that says there is no secret here (a local
    /// emulator's configuration, an unused setting), and any value of three characters or fewer
    /// that is not a placeholder (`xxx`): too short to be a credential anyone relies on.
    pub fn is_filler(&self, value: &str) -> bool {
        let lower = value.trim().to_lowercase();
        self.filler_values.contains(&lower)
            || (lower.chars().count() <= 3 && !self.is_placeholder(&lower))
    }

    /// A placeholder for the secret a variable named `name` will hold: one of
    /// [`Secrets::is_placeholder`], the variable's own name (`DB_PASSWORD: DB_PASSWORD`), or a
    /// secret word (`PASSWORD: password`): it names what belongs there. (If it is deployed as
    /// it is, it is a guessable secret; either way it must be replaced.)
    pub fn is_placeholder_for(&self, name: &str, value: &str) -> bool {
        self.is_placeholder(value)
            || self.is_secret_word(value)
            || Secrets::names_itself(name, value)
    }

    /// `password`, `secret`, `api_key`: the value names what belongs there instead of being it.
    fn is_secret_word(&self, value: &str) -> bool {
        let squashed = squash(value);
        self.secret_words.iter().any(|w| squash(w) == squashed)
            || self
                .secret_word_pairs
                .iter()
                .any(|[a, b]| squash(&format!("{a}{b}")) == squashed)
    }

    /// `DB_PASSWORD: "DB_PASSWORD"`: a value that repeats its variable's name.
    fn names_itself(name: &str, value: &str) -> bool {
        let squashed = squash(value);
        !squashed.is_empty() && squash(name) == squashed
    }

    /// Whether a literal bound to `name` (if any) could be a secret: a secret-like name or a known
    /// token format. A superset of what FL202 reports; front ends keep only such literals.
    pub fn may_be_secret(&self, name: Option<&str>, value: &str) -> bool {
        name.is_some_and(|name| self.is_secret_name(name)) || self.find_token(value).is_some()
    }

    /// The first known token format in `text`, if any.
    pub fn find_token<'a>(&'a self, text: &str) -> Option<TokenMatch<'a>> {
        self.tokens.iter().find_map(|format| {
            let captures = format.regex.captures(text)?;
            let secret = captures.get(format.secret_group)?;
            Some(TokenMatch {
                kind: &format.name,
                range: secret.range(),
            })
        })
    }
}

/// Words of an identifier, upper-cased: `stripeSecretKey` -> STRIPE, SECRET, KEY.
pub fn name_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
        current.extend(c.to_uppercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// Lower case, letters and digits only: `DB_PASSWORD`, `db-password` and `dbPassword` agree.
fn squash(text: &str) -> String {
    text.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Values that are plainly not secrets even under a secret-like name: numbers, booleans, ARNs,
/// paths and secret names, URLs without credentials, placeholders for deploy-time values.
pub fn is_non_secret_value(value: &str) -> bool {
    let value = value.trim();
    let lower = value.to_ascii_lowercase();
    value.is_empty()
        || value.parse::<f64>().is_ok()
        || matches!(
            lower.as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "none" | "~"
        )
        || lower.starts_with("arn:")
        || value.contains("${")
        || value.contains("{{")
        || value.starts_with("$.")
        || value.starts_with("$request.")
        || (value.starts_with('/') && !value.contains(char::is_whitespace))
        || is_url_without_password(value)
        || is_resource_name(value)
}

fn is_url_without_password(value: &str) -> bool {
    let Some((scheme, rest)) = value.split_once("://") else {
        return false;
    };
    let authority = rest.split('/').next().unwrap_or("");
    scheme
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
        && !authority.contains('@')
}

/// `prod/db/credentials`: the name of a secret, not its value. Lowercase words joined by `/`.
/// (A dashed word such as `poc-gateway-token-42` can be either, so it is treated as a value.)
fn is_resource_name(value: &str) -> bool {
    let name_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_./".contains(c);
    value.chars().all(name_char) && value.split('/').filter(|s| !s.is_empty()).count() >= 2
}

/// Shows enough of a secret to recognise it and never the whole: `sk_l…[redacted]`. Short
/// values keep fewer characters, so a ten-letter password shows two.
pub fn redact(secret: &str) -> String {
    let count = secret.chars().count();
    let keep = (count / 4).min(4);
    let prefix: String = secret.chars().take(keep).collect();
    format!("{prefix}…[redacted]")
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuntimeCatalog {
    snapstart: HashMap<String, String>,
}

/// A runtime identifier split into family and numeric version: `python3.12` -> (python, [3, 12]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Runtime {
    pub family: String,
    pub version: Vec<u64>,
}

impl Runtime {
    pub fn parse(id: &str) -> Runtime {
        let id = id.trim().to_ascii_lowercase();
        let split = id
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(id.len());
        let family = id[..split].to_string();
        let version = id[split..]
            .split(|c: char| !c.is_ascii_digit())
            .take_while(|part| !part.is_empty())
            .filter_map(|part| part.parse().ok())
            .collect();
        Runtime { family, version }
    }
}

static SNAPSTART_MINIMUM: LazyLock<HashMap<String, Vec<u64>>> = LazyLock::new(|| {
    let catalog: RuntimeCatalog = toml::from_str(include_str!("../rules/runtimes.toml"))
        .expect("rules/runtimes.toml is valid (checked by tests)");
    catalog
        .snapstart
        .into_iter()
        .map(|(family, min)| (family, Runtime::parse(&format!("x{min}")).version))
        .collect()
});

/// Whether Lambda SnapStart supports this runtime identifier.
pub fn supports_snapstart(runtime_id: &str) -> bool {
    let runtime = Runtime::parse(runtime_id);
    SNAPSTART_MINIMUM
        .get(&runtime.family)
        .is_some_and(|minimum| !runtime.version.is_empty() && runtime.version >= *minimum)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogs_load() {
        assert!(SECRETS.tokens.len() >= 10);
        assert!(SNAPSTART_MINIMUM.contains_key("python"));
    }

    #[test]
    fn secret_names() {
        for name in [
            "DB_PASSWORD",
            "stripeSecretKey",
            "API_KEY",
            "JWT_SECRET",
            "GITHUB_TOKEN",
            "SLACK_SIGNING_SECRET",
            "privateKey",
            "SENTRY_DSN",
            "DB_CONNECTION_STRING",
        ] {
            assert!(SECRETS.is_secret_name(name), "{name}");
        }
        for name in [
            "DB_SECRET_ARN",
            "PASSWORD_MIN_LENGTH",
            "TOKEN_TTL_SECONDS",
            "MAX_TOKENS",
            "API_KEY_PARAM",
            "SECRET_NAME",
            "TABLE_NAME",
            "KEY_PREFIX",
            "LOG_LEVEL",
        ] {
            assert!(!SECRETS.is_secret_name(name), "{name}");
        }
    }

    #[test]
    fn token_formats() {
        let found = |text: &str| SECRETS.find_token(text).map(|m| m.kind.to_string());
        assert_eq!(
            found("AKIAIOSFODNN7EXAMPLE").as_deref(),
            Some("AWS access key id")
        );
        assert_eq!(
            found("sk_live_4eC39HqLyjWDarjtT1zdp7dc").as_deref(),
            Some("Stripe live key")
        );
        assert_eq!(
            found("postgres://app:hunter22@db:5432/app").as_deref(),
            Some("connection URL with an embedded password")
        );
        let url = "mysql://app:s3cretpw@host/db";
        let m = SECRETS.find_token(url).unwrap();
        assert_eq!(&url[m.range], "s3cretpw");
        assert_eq!(found("postgres://app@db/app"), None);
        assert_eq!(found("postgres://app:${…}@db/app"), None);
        assert_eq!(found("sk_test_4eC39HqLyjWDarjtT1zdp7dc"), None);
    }

    #[test]
    fn non_secret_values() {
        for value in [
            "12",
            "3600",
            "true",
            "arn:aws:secretsmanager:us-east-1:1:secret:x",
            "prod/db/credentials",
            "/prod/api-key",
            "https://api.example.com/v1",
            "$.GetQueryExecution.NextToken",
            "",
        ] {
            assert!(is_non_secret_value(value), "{value}");
        }
        for value in [
            "Summer2024!",
            "hunter2",
            "change-me-in-prod",
            "s3cr3t",
            "postgres://a:b@c/d",
        ] {
            assert!(!is_non_secret_value(value), "{value}");
        }
    }

    #[test]
    fn placeholders() {
        for value in [
            "YOUR-TWILIO-AUTH-TOKEN-HERE",
            "<AzureServiceBusConnectionString>",
            "AKIAIOSFODNN7EXAMPLE",
            "AIzaXXXX",
            "REPLACE-WITH-YOUR-SECRET-HERE",
            "xxx",
            "********",
        ] {
            assert!(SECRETS.is_placeholder(value), "{value}");
        }
        for value in [
            "Summer2024!",
            "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
            "change-me-in-prod",
        ] {
            assert!(!SECRETS.is_placeholder(value), "{value}");
        }
    }

    #[test]
    fn fillers_say_there_is_no_secret() {
        for value in ["na", "N/A", "none", "dummy", "local", "abc", " ab "] {
            assert!(SECRETS.is_filler(value), "{value}");
        }
        for value in [
            "xxx",
            "Summer2024!",
            "hunter22",
            "change-me-in-prod",
            "sk_live_x",
        ] {
            assert!(!SECRETS.is_filler(value), "{value}");
        }
    }

    #[test]
    fn secret_words_and_the_own_name_are_placeholders() {
        for (name, value) in [
            ("DB_PASSWORD", "db-password"),
            ("PASSWORD", "password"),
            ("JWT_SECRET", "secret"),
            ("KEY", "api_key"),
        ] {
            assert!(SECRETS.is_placeholder_for(name, value), "{name}: {value}");
            assert!(!SECRETS.is_filler(value), "{value}");
        }
        assert!(!SECRETS.is_placeholder_for("DB_PASSWORD", "Summer2024!"));
    }

    #[test]
    fn a_name_says_what_kind_of_secret() {
        for (name, kind) in [
            ("DB_PASSWORD", "password"),
            ("smtpPass", "password"),
            ("STRIPE_API_KEY", "API key"),
            ("GITHUB_TOKEN", "token"),
            ("JWT_PRIVATE_KEY", "private key"),
            ("AWS_SECRET_ACCESS_KEY", "secret access key"),
            ("OAUTH_CLIENT_SECRET", "client secret"),
            ("JWT_SECRET", "secret"),
        ] {
            assert_eq!(SECRETS.kind_of(name), kind, "{name}");
        }
    }

    #[test]
    fn pass_is_a_secret_word() {
        for name in ["PASS", "DB_PASS", "dbPass", "SMTP_PASS"] {
            assert!(SECRETS.is_secret_name(name), "{name}");
        }
        for name in ["PASSTHROUGH", "BYPASS_CACHE", "DB_PASS_ARN"] {
            assert!(!SECRETS.is_secret_name(name), "{name}");
        }
    }

    #[test]
    fn redaction_never_shows_the_whole_value() {
        assert_eq!(
            redact("sk_live_4eC39HqLyjWDarjtT1zdp7dc"),
            "sk_l…[redacted]"
        );
        assert_eq!(redact("Summer2024!"), "Su…[redacted]");
        assert_eq!(redact("abc"), "…[redacted]");
    }

    #[test]
    fn runtimes_compare_numerically() {
        assert_eq!(Runtime::parse("python3.12").version, [3, 12]);
        assert_eq!(Runtime::parse("provided.al2023").family, "provided");
        assert_eq!(Runtime::parse("nodejs20.x").version, [20]);
        for yes in [
            "java11",
            "java21",
            "java25",
            "python3.12",
            "python3.14",
            "dotnet8",
            "dotnet10",
        ] {
            assert!(supports_snapstart(yes), "{yes}");
        }
        for no in [
            "java8",
            "java8.al2",
            "python3.9",
            "python3.11",
            "nodejs22.x",
            "provided.al2023",
            "dotnet6",
            "ruby3.3",
            "go1.x",
            "python",
        ] {
            assert!(!supports_snapstart(no), "{no}");
        }
    }
}
