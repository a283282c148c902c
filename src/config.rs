//! `faaslint.toml` / `.faaslint.toml`: rule selection, severities, rule options, exclusions.
//!
//! Every mistake is a [`ConfigError`] naming the file, the key and what is allowed: the CLI exits
//! with status 2 on it rather than guessing.

use crate::catalog::CallPattern;
use crate::diagnostic::Severity;
use crate::rules::{self, AnyOptions, Rule};
use crate::source::FileId;
use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub const CONFIG_NAMES: [&str; 2] = ["faaslint.toml", ".faaslint.toml"];

#[derive(Debug, Clone, PartialEq)]
pub struct ConfigError {
    pub file: Option<PathBuf>,
    pub key: String,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, self.key.is_empty()) {
            (Some(file), false) => {
                write!(f, "{}: `{}`: {}", file.display(), self.key, self.message)
            }
            (Some(file), true) => write!(f, "{}: {}", file.display(), self.message),
            (None, false) => write!(f, "`{}`: {}", self.key, self.message),
            (None, true) => write!(f, "{}", self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    select: Option<Vec<String>>,
    ignore: Option<Vec<String>>,
    exclude: Option<Vec<String>>,
    severity: Option<BTreeMap<String, String>>,
    /// `[rules.<name>]` tables, each read by its rule's options type.
    rules: Option<BTreeMap<String, toml::Spanned<toml::Value>>>,
    per_file_ignores: Option<BTreeMap<String, Vec<String>>>,
}

/// The settings that govern a set of files: from a config file (or defaults) plus the command line.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The config file, if any; patterns are relative to its folder.
    pub file: Option<PathBuf>,
    pub root: PathBuf,
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub exclude: GlobSet,
    pub severity: BTreeMap<String, Severity>,
    pub per_file_ignores: Vec<(GlobSet, Vec<String>)>,
    /// Each rule's options (by code), for every rule that has options: configured or default.
    options: BTreeMap<&'static str, Arc<dyn AnyOptions>>,
}

/// Command-line overrides: `--select` replaces the configured selection, `--ignore` adds to it.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub select: Option<Vec<String>>,
    pub ignore: Vec<String>,
}

impl Settings {
    pub fn defaults(root: PathBuf) -> Settings {
        Settings {
            file: None,
            root,
            select: vec!["FL".to_string()],
            ignore: Vec::new(),
            exclude: GlobSet::empty(),
            severity: BTreeMap::new(),
            per_file_ignores: Vec::new(),
            options: rules::RULES
                .iter()
                .filter_map(|rule| Some((rule.code, (rule.options.as_ref()?.default)())))
                .collect(),
        }
    }

    /// The options of `rule` (which must have options) in this configuration.
    pub fn options(&self, rule: &Rule) -> &dyn AnyOptions {
        self.options
            .get(rule.code)
            .map(|options| &**options)
            .unwrap_or_else(|| panic!("{} has no options", rule.code))
    }

    /// Calls rules read beyond the built-in catalog (from their options): front ends keep them.
    pub fn calls_read(&self) -> impl Iterator<Item = &CallPattern> {
        self.options
            .values()
            .flat_map(|options| options.calls_read())
    }

    /// Finds `faaslint.toml` / `.faaslint.toml` in `start` or its ancestors.
    pub fn discover(start: &Path) -> Option<PathBuf> {
        let start = std::path::absolute(start).ok()?;
        let start = if start.is_file() {
            start.parent()?
        } else {
            &start
        };
        start.ancestors().find_map(|dir| {
            CONFIG_NAMES
                .iter()
                .map(|name| dir.join(name))
                .find(|candidate| candidate.is_file())
        })
    }

    pub fn load(path: &Path) -> Result<Settings, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|error| ConfigError {
            file: Some(path.to_path_buf()),
            key: String::new(),
            message: format!("cannot read the configuration file: {error}"),
        })?;
        let root = path
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        Settings::parse(&text, Some(path.to_path_buf()), root)
    }

    pub fn parse(
        text: &str,
        file: Option<PathBuf>,
        root: PathBuf,
    ) -> Result<Settings, ConfigError> {
        let error = |key: &str, message: String| ConfigError {
            file: file.clone(),
            key: key.to_string(),
            message,
        };
        let raw: RawConfig = toml::from_str(text).map_err(|e| toml_error(&file, text, &e))?;
        let mut settings = Settings::defaults(root);
        settings.file = file.clone();
        if let Some(select) = raw.select {
            check_codes("select", &select, &error)?;
            settings.select = select;
        }
        if let Some(ignore) = raw.ignore {
            check_codes("ignore", &ignore, &error)?;
            settings.ignore = ignore;
        }
        if let Some(exclude) = raw.exclude {
            settings.exclude = glob_set(&exclude, "exclude", &error)?;
        }
        for (code, level) in raw.severity.unwrap_or_default() {
            let key = format!("severity.{code}");
            if rules::find(&code).is_none() && !rules::known_codes().any(|c| c == code) {
                return Err(error(&key, unknown_code_message(&code)));
            }
            let level = Severity::parse(&level).ok_or_else(|| {
                error(
                    &key,
                    format!("must be one of \"error\", \"warning\", \"info\" (got \"{level}\")"),
                )
            })?;
            settings.severity.insert(code, level);
        }
        for (name, table) in raw.rules.unwrap_or_default() {
            let line = text[..table.span().start.min(text.len())]
                .matches('\n')
                .count()
                + 1;
            let key = format!("rules.{name}");
            let Some((rule, options)) = rules::find(&name)
                .filter(|rule| rule.name == name)
                .and_then(|rule| Some((rule, rule.options.as_ref()?)))
            else {
                return Err(error(&key, unknown_rule_table_message(&name)));
            };
            let parsed = (options.parse)(table.into_inner()).map_err(|e| {
                let key = e.key.map_or(key.clone(), |inner| format!("{key}.{inner}"));
                error(&key, format!("{} (line {line})", e.message))
            })?;
            settings.options.insert(rule.code, parsed);
        }
        for (pattern, codes) in raw.per_file_ignores.unwrap_or_default() {
            let key = format!("per-file-ignores.\"{pattern}\"");
            check_codes(&key, &codes, &error)?;
            let set = glob_set(std::slice::from_ref(&pattern), &key, &error)?;
            settings.per_file_ignores.push((set, codes));
        }
        Ok(settings)
    }

    pub fn apply(&mut self, overrides: &Overrides) -> Result<(), ConfigError> {
        let error = |key: &str, message: String| ConfigError {
            file: None,
            key: key.to_string(),
            message,
        };
        if let Some(select) = &overrides.select {
            check_codes("--select", select, &error)?;
            self.select = select.clone();
        }
        check_codes("--ignore", &overrides.ignore, &error)?;
        self.ignore.extend(overrides.ignore.iter().cloned());
        Ok(())
    }

    /// The path as patterns see it: relative to the config folder, with `/` separators.
    fn relative<'p>(&self, path: &'p Path) -> std::borrow::Cow<'p, Path> {
        match path.strip_prefix(&self.root) {
            Ok(relative) => relative.into(),
            Err(_) => match (std::path::absolute(path), std::path::absolute(&self.root)) {
                (Ok(abs), Ok(root)) => abs
                    .strip_prefix(&root)
                    .map_or(path.into(), |r| r.to_path_buf().into()),
                _ => path.into(),
            },
        }
    }

    pub fn is_excluded(&self, path: &Path) -> bool {
        !self.exclude.is_empty() && self.exclude.is_match(self.relative(path))
    }

    /// Whether findings of `code` are reported for `path`.
    pub fn is_enabled(&self, code: &str, path: &Path) -> bool {
        let matches = |patterns: &[String]| patterns.iter().any(|p| selector_matches(p, code));
        if !matches(&self.select) || matches(&self.ignore) {
            return false;
        }
        if self.per_file_ignores.is_empty() {
            return true;
        }
        let relative = self.relative(path);
        !self
            .per_file_ignores
            .iter()
            .any(|(set, codes)| set.is_match(&relative) && matches(codes))
    }

    pub fn severity_of(&self, code: &str, default: Severity) -> Severity {
        self.severity.get(code).copied().unwrap_or(default)
    }
}

/// Every configuration of a run, and which one governs each file.
#[derive(Debug)]
pub struct Configurations {
    settings: Vec<Settings>,
    /// Index in `settings` per file id; a file not listed is governed by the first.
    of_file: Vec<usize>,
}

impl Configurations {
    /// One configuration for every file.
    pub fn single(settings: Settings) -> Configurations {
        Configurations {
            settings: vec![settings],
            of_file: Vec::new(),
        }
    }

    pub fn new(settings: Vec<Settings>) -> Configurations {
        assert!(!settings.is_empty(), "a run has a configuration");
        Configurations {
            settings,
            of_file: Vec::new(),
        }
    }

    /// Every configuration, in the order of the indexes given to `assign`.
    pub fn iter(&self) -> impl Iterator<Item = &Settings> {
        self.settings.iter()
    }

    /// Records that `settings` (an index given to `new`) governs the next file id.
    pub fn assign(&mut self, file: FileId, settings: usize) {
        debug_assert_eq!(
            file.index(),
            self.of_file.len(),
            "files are assigned in order"
        );
        self.of_file.push(settings);
    }

    /// The settings that govern `file`.
    pub fn governing(&self, file: FileId) -> &Settings {
        &self.settings[self.of_file.get(file.index()).copied().unwrap_or(0)]
    }
}

/// `FL` selects every rule, `FL5` the SnapStart area, `FL501` one rule; a rule name works too.
fn selector_matches(selector: &str, code: &str) -> bool {
    let selector = selector.trim();
    if selector.eq_ignore_ascii_case("ALL") {
        return true;
    }
    if let Some(rule) = rules::find(selector) {
        return rule.code == code;
    }
    code.starts_with(&selector.to_ascii_uppercase())
}

fn check_codes(
    key: &str,
    codes: &[String],
    error: &dyn Fn(&str, String) -> ConfigError,
) -> Result<(), ConfigError> {
    for code in codes {
        let known = code.eq_ignore_ascii_case("ALL")
            || rules::find(code).is_some()
            || (code.len() <= 5
                && rules::known_codes().any(|known| known.starts_with(&code.to_ascii_uppercase())));
        if !known {
            return Err(error(key, unknown_code_message(code)));
        }
    }
    Ok(())
}

fn unknown_rule_table_message(name: &str) -> String {
    let with_options: Vec<String> = rules::RULES
        .iter()
        .filter(|rule| rule.options.is_some())
        .map(|rule| format!("[rules.{}]", rule.name))
        .collect();
    format!(
        "no rule named `{name}` has options; the tables are {}",
        with_options.join(", ")
    )
}

fn unknown_code_message(code: &str) -> String {
    let known: Vec<&str> = rules::known_codes().collect();
    format!(
        "unknown rule code `{code}`; use a code ({}), a prefix such as `FL5`, or a rule name",
        known.join(", ")
    )
}

fn glob_set(
    patterns: &[String],
    key: &str,
    error: &dyn Fn(&str, String) -> ConfigError,
) -> Result<GlobSet, ConfigError> {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        let glob = Glob::new(pattern)
            .map_err(|e| error(key, format!("invalid glob pattern `{pattern}`: {e}")))?;
        builder.add(glob);
        // `legacy` and `legacy/` also mean everything below that folder.
        let below = format!("{}/**", pattern.trim_end_matches('/'));
        if let Ok(glob) = Glob::new(&below) {
            builder.add(glob);
        }
    }
    builder
        .build()
        .map_err(|e| error(key, format!("invalid glob patterns: {e}")))
}

fn toml_error(file: &Option<PathBuf>, text: &str, error: &toml::de::Error) -> ConfigError {
    let location = error.span().map(|span| {
        let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
        format!(" (line {line})")
    });
    let key = error
        .span()
        .and_then(|span| text.get(span))
        .map(|k| k.trim().to_string())
        .unwrap_or_default();
    ConfigError {
        file: file.clone(),
        key: if key.len() > 60 { String::new() } else { key },
        message: format!("{}{}", error.message(), location.unwrap_or_default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Settings, ConfigError> {
        Settings::parse(text, Some("faaslint.toml".into()), PathBuf::from("/repo"))
    }

    #[test]
    fn the_contract_example_parses() {
        let settings = parse(
            r#"
select = ["FL"]
ignore = ["FL102"]
exclude = ["legacy/**"]
[severity]
FL301 = "error"
[rules.monolithic-function]
max-routes = 5
[rules.connection-in-handler]
extra-constructors = ["mycorp_db.connect"]
[per-file-ignores]
"scripts/**" = ["FL101"]
"#,
        )
        .unwrap();
        let limit = settings.options(&rules::monolithic_function::RULE);
        assert!(format!("{limit:?}").contains("max_routes: 5"), "{limit:?}");
        assert_eq!(
            settings.calls_read().count(),
            1,
            "the extra constructor is read"
        );
        assert_eq!(
            settings.severity_of("FL301", Severity::Warning),
            Severity::Error
        );
        assert!(settings.is_excluded(Path::new("/repo/legacy/template.yaml")));
        assert!(!settings.is_excluded(Path::new("/repo/app/template.yaml")));
        assert!(!settings.is_enabled("FL102", Path::new("/repo/a.ts")));
        assert!(!settings.is_enabled("FL101", Path::new("/repo/scripts/x.py")));
        assert!(settings.is_enabled("FL101", Path::new("/repo/src/x.py")));
    }

    #[test]
    fn unknown_keys_codes_and_values_name_the_key() {
        let e = parse("selct = [\"FL\"]\n").unwrap_err();
        assert!(e.to_string().contains("unknown field `selct`"), "{e}");
        assert!(e.to_string().contains("faaslint.toml"), "{e}");
        let e = parse("ignore = [\"FL999\"]\n").unwrap_err();
        assert_eq!(e.key, "ignore");
        assert!(e.message.contains("unknown rule code `FL999`"), "{e}");
        let e = parse("[severity]\nFL301 = \"fatal\"\n").unwrap_err();
        assert_eq!(e.key, "severity.FL301");
        assert!(e.message.contains("\"error\", \"warning\", \"info\""));
        let e = parse("[rules.monolithic-function]\nmax-routes = 0\n").unwrap_err();
        assert_eq!(e.key, "rules.monolithic-function.max-routes");
        let e = parse("[rules.monolithic-function]\nmax-routes = \"many\"\n").unwrap_err();
        assert!(e.message.contains("invalid type"), "{e}");
        let e = parse("[rules.no-such-rule]\n").unwrap_err();
        assert!(e.to_string().contains("no-such-rule"), "{e}");
        assert!(e.message.contains("[rules.monolithic-function]"), "{e}");
        let e = parse("[rules.hardcoded-secret]\nentropy = 3\n").unwrap_err();
        assert_eq!(e.key, "rules.hardcoded-secret", "a rule without options");
        let e =
            parse("[rules.connection-in-handler]\nextra-constructors = [\"db.[x\"]\n").unwrap_err();
        assert_eq!(e.key, "rules.connection-in-handler.extra-constructors");
        assert!(
            e.message.contains("`db.[x`") && e.message.contains("(line 1)"),
            "{e}"
        );
    }

    #[test]
    fn selectors_take_prefixes_and_names() {
        let mut settings = Settings::defaults("/repo".into());
        settings
            .apply(&Overrides {
                select: Some(vec!["FL5".into(), "plaintext-secret-env".into()]),
                ignore: vec!["FL502".into()],
            })
            .unwrap();
        let path = Path::new("/repo/template.yaml");
        assert!(settings.is_enabled("FL501", path));
        assert!(settings.is_enabled("FL201", path));
        assert!(!settings.is_enabled("FL502", path));
        assert!(!settings.is_enabled("FL301", path));
    }
}
