//! Templates of template repositories (`sam init`, cookiecutter): `{{ cookiecutter.runtime }}`
//! is rendered with the defaults of the nearest `cookiecutter.json`, so the template is linted
//! as a user would first deploy it. Substitutions stay on their line, so line numbers are the
//! user's; a template whose text cannot be known (Jinja blocks, filters, a variable without a
//! default) is skipped with a note rather than reported as broken.

use std::collections::HashMap;

/// The defaults of a `cookiecutter.json`: a string, the first choice of a list, or the first
/// of a `{"value": [...]}` choice.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Defaults(HashMap<String, String>);

impl Defaults {
    /// `None` when the text is not a JSON object.
    pub fn parse(json: &str) -> Option<Defaults> {
        let value: serde_json::Value = serde_json::from_str(json).ok()?;
        let defaults = value
            .as_object()?
            .iter()
            .filter_map(|(name, value)| Some((name.clone(), default_of(value)?)))
            .collect();
        Some(Defaults(defaults))
    }
}

fn default_of(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(text) => Some(text.clone()),
        serde_json::Value::Number(number) => Some(number.to_string()),
        serde_json::Value::Bool(flag) => Some(flag.to_string()),
        serde_json::Value::Array(choices) => choices.first().and_then(default_of),
        serde_json::Value::Object(fields) => fields.get("value").and_then(default_of),
        serde_json::Value::Null => None,
    }
}

/// What rendering a text gave.
#[derive(Debug, PartialEq)]
pub enum Rendered {
    /// No template markup: the text as it is.
    Plain,
    /// Every variable had a default.
    Text(String),
    /// Why the rendered text cannot be known.
    Unknown(String),
}

/// Whether a text holds template markup (a Jinja block or a cookiecutter variable).
pub fn has_markup(text: &str) -> bool {
    text.contains("{%") || (text.contains("{{") && text.contains("cookiecutter"))
}

/// Renders the `{{ cookiecutter.x }}` variables of `text` with `defaults`.
pub fn render(text: &str, defaults: Option<&Defaults>) -> Rendered {
    if !has_markup(text) {
        return Rendered::Plain;
    }
    if text.contains("{%") {
        return Rendered::Unknown("it contains Jinja blocks (`{% ... %}`)".into());
    }
    let Some(defaults) = defaults else {
        return Rendered::Unknown("no cookiecutter.json above it gives its variables".into());
    };
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let Some(length) = rest[start..].find("}}") else {
            return Rendered::Unknown("a `{{` is never closed".into());
        };
        let inner = rest[start + 2..start + length].trim();
        if inner.contains('|') {
            return Rendered::Unknown(format!("`{{{{ {inner} }}}}` applies a Jinja filter"));
        }
        let Some(name) = inner.strip_prefix("cookiecutter.") else {
            // `{{resolve:...}}` and other double braces are the template's own text.
            out.push_str(&rest[..start + length + 2]);
            rest = &rest[start + length + 2..];
            continue;
        };
        let Some(value) = defaults
            .0
            .get(name)
            .filter(|_| name.chars().all(|c| c.is_alphanumeric() || c == '_'))
        else {
            return Rendered::Unknown(format!(
                "`{{{{ {inner} }}}}` has no default in cookiecutter.json"
            ));
        };
        if value.contains('\n') {
            return Rendered::Unknown(format!("`{name}` spans lines"));
        }
        out.push_str(&rest[..start]);
        out.push_str(value);
        rest = &rest[start + length + 2..];
    }
    out.push_str(rest);
    Rendered::Text(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults() -> Defaults {
        Defaults::parse(
            r#"{"project_name": "orders", "runtime": ["java21", "java17"],
                "architectures": {"value": ["arm64"]}, "memory": 512, "note": null}"#,
        )
        .unwrap()
    }

    #[test]
    fn variables_take_their_defaults_and_other_braces_stay() {
        let text = "Runtime: {{ cookiecutter.runtime }}\nArchitectures: [{{cookiecutter.architectures}}]\nMemorySize: {{ cookiecutter.memory }}\nX: '{{resolve:ssm:/a}}'\n";
        assert_eq!(
            render(text, Some(&defaults())),
            Rendered::Text(
                "Runtime: java21\nArchitectures: [arm64]\nMemorySize: 512\nX: '{{resolve:ssm:/a}}'\n"
                    .into()
            )
        );
        assert_eq!(
            render("Runtime: java21\n", Some(&defaults())),
            Rendered::Plain
        );
    }

    #[test]
    fn what_cannot_be_known_is_said() {
        let unknown = |text: &str, defaults: Option<&Defaults>| match render(text, defaults) {
            Rendered::Unknown(why) => why,
            other => panic!("{other:?}"),
        };
        assert!(
            unknown("{% if cookiecutter.x %}a{% endif %}", Some(&defaults()))
                .contains("Jinja blocks")
        );
        assert!(unknown("A: {{ cookiecutter.note }}", Some(&defaults())).contains("no default"));
        assert!(
            unknown("A: {{ cookiecutter.runtime | lower }}", Some(&defaults())).contains("filter")
        );
        assert!(unknown("A: {{ cookiecutter.runtime }}", None).contains("no cookiecutter.json"));
    }
}
