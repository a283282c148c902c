//! The values a CloudFormation expression can take, as CloudFormation evaluates it: `Fn::If`
//! is the set of its branches, `Fn::FindInMap` the mapping values its keys can pick, `Fn::Select`
//! an item of a literal list, `Fn::Sub` its text with its variable map filled in, `Fn::Join` its
//! parts joined. Nothing is guessed: what depends on a deploy-time value stays unknown.
//!
//! Evaluation is bounded: each expression yields at most [`MAX_VALUES`] values and nesting is
//! followed [`MAX_DEPTH`] deep, so a template with hundreds of conditions stays linear.

use super::cloudformation::intrinsic;
use super::yaml::Node;
use crate::source::Span;

/// At most this many values per expression; the rest are dropped (the first found are kept).
const MAX_VALUES: usize = 32;
const MAX_DEPTH: usize = 16;

/// One value an expression can take, and the choices that lead to it.
#[derive(Clone, Debug, PartialEq)]
pub struct Possible {
    /// `None` when it depends on what the template cannot tell (a resource, a deploy-time
    /// parameter, a pseudo parameter).
    pub text: Option<String>,
    /// Where the value is written: the literal itself when it is one, else the expression.
    pub origin: Span,
    /// The choices that select it, in reading order: "`IsProd` is true", "`Stage` is `prod`".
    pub when: Vec<String>,
}

impl Possible {
    fn known(text: impl Into<String>, origin: Span) -> Possible {
        Possible {
            text: Some(text.into()),
            origin,
            when: Vec::new(),
        }
    }

    fn unknown(origin: Span) -> Possible {
        Possible {
            text: None,
            origin,
            when: Vec::new(),
        }
    }

    /// The choices that select it, for a message: "when `IsProd` is true".
    pub fn condition(&self) -> Option<String> {
        (!self.when.is_empty()).then(|| format!("when {}", self.when.join(" and ")))
    }
}

/// Evaluates expressions of one template (its `Parameters` and `Mappings`).
pub struct Evaluator<'a> {
    root: &'a Node,
}

impl<'a> Evaluator<'a> {
    pub fn new(root: &'a Node) -> Evaluator<'a> {
        Evaluator { root }
    }

    /// Whether `node` is an expression this evaluator reads beyond `Ref` (which callers treat
    /// themselves): a condition, a mapping, a selection, a substitution or a join.
    pub fn evaluates(node: &Node) -> bool {
        intrinsic(node).is_some_and(|(name, _)| {
            matches!(
                name.as_str(),
                "Fn::If" | "Fn::FindInMap" | "Fn::Select" | "Fn::Sub" | "Fn::Join"
            )
        })
    }

    /// Every value `node` can take. Empty when it is absent on every path (`AWS::NoValue`).
    pub fn values(&self, node: &Node) -> Vec<Possible> {
        self.eval(node, 0)
    }

    fn eval(&self, node: &Node, depth: usize) -> Vec<Possible> {
        if depth > MAX_DEPTH {
            return vec![Possible::unknown(node.span)];
        }
        let Some((name, arg)) = intrinsic(node) else {
            return match node.as_str() {
                Some(text) => vec![Possible::known(text, node.span)],
                None => vec![Possible::unknown(node.span)],
            };
        };
        let mut values = match name.as_str() {
            "Ref" => self.reference(arg),
            "Fn::If" => self.condition(arg, depth),
            "Fn::FindInMap" => self.mapping(node, arg, depth),
            "Fn::Select" => self.select(node, arg, depth),
            "Fn::Sub" => self.substitute(node, arg, depth),
            "Fn::Join" => self.join(node, arg, depth),
            _ => vec![Possible::unknown(node.span)],
        };
        values.truncate(MAX_VALUES);
        values
    }

    /// A parameter's literal `Default`; `AWS::NoValue` is absent; anything else is unknown.
    fn reference(&self, arg: &Node) -> Vec<Possible> {
        let Some(name) = arg.scalar_text() else {
            return vec![Possible::unknown(arg.span)];
        };
        if name == "AWS::NoValue" {
            return Vec::new();
        }
        let default = self
            .root
            .path(&["Parameters", name, "Default"])
            .filter(|d| d.as_str().is_some_and(|t| !t.is_empty()));
        match default {
            Some(default) => vec![Possible::known(
                default.as_str().unwrap_or_default(),
                default.span,
            )],
            None => vec![Possible::unknown(arg.span)],
        }
    }

    /// `[Condition, WhenTrue, WhenFalse]`: both branches, each with its choice.
    fn condition(&self, arg: &Node, depth: usize) -> Vec<Possible> {
        let [condition, when_true, when_false] = arg.items() else {
            return vec![Possible::unknown(arg.span)];
        };
        let name = condition.scalar_text().unwrap_or("?");
        let mut out = Vec::new();
        for (branch, truth) in [(when_true, "true"), (when_false, "false")] {
            for mut value in self.eval(branch, depth + 1) {
                value.when.insert(0, format!("`{name}` is {truth}"));
                out.push(value);
            }
        }
        out
    }

    /// `[Map, TopKey, SecondKey]`: the values its keys can pick. A key is a literal, or a
    /// parameter with `AllowedValues` (any of them) or a `Default`.
    fn mapping(&self, node: &Node, arg: &Node, depth: usize) -> Vec<Possible> {
        let [map, top, second] = arg.items() else {
            return vec![Possible::unknown(node.span)];
        };
        let (Some(map), Some(tops), Some(seconds)) =
            (map.scalar_text(), self.keys(top), self.keys(second))
        else {
            return vec![Possible::unknown(node.span)];
        };
        let mut out = Vec::new();
        for (top, top_when) in &tops {
            for (second, second_when) in &seconds {
                let Some(value) = self.root.path(&["Mappings", map, top, second]) else {
                    continue;
                };
                for mut possible in self.eval(value, depth + 1) {
                    possible
                        .when
                        .extend(top_when.iter().chain(second_when).cloned());
                    out.push(possible);
                }
            }
        }
        if out.is_empty() {
            out.push(Possible::unknown(node.span));
        }
        out
    }

    /// The keys a mapping lookup can use, each with the choice that selects it.
    fn keys(&self, key: &Node) -> Option<Vec<(String, Option<String>)>> {
        if let Some(text) = key.as_str() {
            return Some(vec![(text.to_string(), None)]);
        }
        let (name, arg) = intrinsic(key)?;
        if name != "Ref" {
            return None;
        }
        let parameter_name = arg.scalar_text()?;
        let parameter = self.root.path(&["Parameters", parameter_name])?;
        let allowed: Vec<(String, Option<String>)> = parameter
            .get("AllowedValues")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .filter_map(|v| v.as_str())
            .map(|v| (v.to_string(), Some(format!("`{parameter_name}` is `{v}`"))))
            .collect();
        if !allowed.is_empty() {
            return Some(allowed);
        }
        let default = parameter.get("Default")?.as_str()?;
        Some(vec![(default.to_string(), None)])
    }

    /// `[Index, [Items...]]` on a literal list.
    fn select(&self, node: &Node, arg: &Node, depth: usize) -> Vec<Possible> {
        let [index, list] = arg.items() else {
            return vec![Possible::unknown(node.span)];
        };
        let item = index
            .as_str()
            .and_then(|i| i.trim().parse::<usize>().ok())
            .filter(|_| intrinsic(list).is_none())
            .and_then(|i| list.items().get(i));
        match item {
            Some(item) => self.eval(item, depth + 1),
            None => vec![Possible::unknown(node.span)],
        }
    }

    /// `"text"` or `["text ${Var}", {Var: value}]`: the map's variables filled in; other
    /// `${...}` (parameters, resources, pseudo parameters) stay as written.
    fn substitute(&self, node: &Node, arg: &Node, depth: usize) -> Vec<Possible> {
        let (text, variables) = match arg.items() {
            [text, variables, ..] => (text, Some(variables)),
            _ => (arg, None),
        };
        let Some(text) = text.scalar_text() else {
            return vec![Possible::unknown(node.span)];
        };
        let mut out = vec![Possible::known(text, node.span)];
        for (name, value) in variables.map(Node::entries).unwrap_or_default() {
            let Some(name) = name.scalar_text() else {
                continue;
            };
            let placeholder = format!("${{{name}}}");
            if !text.contains(&placeholder) {
                continue;
            }
            let choices = self.eval(value, depth + 1);
            out = product(&out, &choices, |so_far, choice| {
                so_far.replace(&placeholder, choice.unwrap_or("${…}"))
            });
        }
        for value in &mut out {
            value.origin = node.span;
        }
        out
    }

    /// `[Delimiter, [Parts...]]`: the parts joined; an unknown part is `${…}`.
    fn join(&self, node: &Node, arg: &Node, depth: usize) -> Vec<Possible> {
        let [delimiter, parts] = arg.items() else {
            return vec![Possible::unknown(node.span)];
        };
        let (Some(delimiter), None) = (delimiter.scalar_text(), intrinsic(parts)) else {
            return vec![Possible::unknown(node.span)];
        };
        let mut out = vec![Possible::known("", node.span)];
        for (index, part) in parts.items().iter().enumerate() {
            let choices = self.eval(part, depth + 1);
            out = product(&out, &choices, |so_far, choice| {
                let separator = if index == 0 { "" } else { delimiter };
                format!("{so_far}{separator}{}", choice.unwrap_or("${…}"))
            });
        }
        out
    }
}

/// Every combination of the values so far with the choices for the next part, at most
/// [`MAX_VALUES`]. A part absent on a path (`AWS::NoValue`) leaves the text as it was.
fn product(
    so_far: &[Possible],
    choices: &[Possible],
    combine: impl Fn(&str, Option<&str>) -> String,
) -> Vec<Possible> {
    if choices.is_empty() {
        return so_far.to_vec();
    }
    let mut out = Vec::new();
    for value in so_far {
        for choice in choices {
            if out.len() == MAX_VALUES {
                return out;
            }
            let Some(text) = &value.text else {
                out.push(value.clone());
                continue;
            };
            let mut when = value.when.clone();
            when.extend(choice.when.iter().cloned());
            out.push(Possible {
                text: Some(combine(text, choice.text.as_deref())),
                origin: value.origin,
                when,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(template: &str, expression: &str) -> Vec<(Option<String>, Option<String>)> {
        let text = format!("{template}\nValue: {expression}\n");
        let root = crate::frontend::yaml::parse(&text).expect("valid YAML");
        let node = root.get("Value").expect("the expression");
        Evaluator::new(&root)
            .values(node)
            .into_iter()
            .map(|p| (p.text.clone(), p.condition()))
            .collect()
    }

    fn known(text: &str, when: Option<&str>) -> (Option<String>, Option<String>) {
        (Some(text.to_string()), when.map(str::to_string))
    }

    #[test]
    fn if_is_both_branches_and_no_value_is_absent() {
        assert_eq!(
            values("", "!If [IsProd, java21, java17]"),
            [
                known("java21", Some("when `IsProd` is true")),
                known("java17", Some("when `IsProd` is false"))
            ]
        );
        assert_eq!(
            values("", "!If [IsProd, secret, !Ref AWS::NoValue]"),
            [known("secret", Some("when `IsProd` is true"))]
        );
        let nested = values("", "!If [A, !If [B, x, y], !Ref Bucket]");
        assert_eq!(
            nested[1],
            known("y", Some("when `A` is true and `B` is false"))
        );
        assert_eq!(nested[2].0, None, "a resource is unknown");
    }

    #[test]
    fn find_in_map_follows_literal_keys_and_parameters() {
        let template = "Parameters:\n  Stage:\n    Type: String\n    AllowedValues: [dev, prod]\n  Region:\n    Type: String\n    Default: eu\nMappings:\n  Config:\n    dev:\n      Key: devkey\n    prod:\n      Key: prodkey\n    eu:\n      Key: eukey\n";
        assert_eq!(
            values(template, "!FindInMap [Config, prod, Key]"),
            [known("prodkey", None)]
        );
        assert_eq!(
            values(template, "!FindInMap [Config, !Ref Stage, Key]"),
            [
                known("devkey", Some("when `Stage` is `dev`")),
                known("prodkey", Some("when `Stage` is `prod`"))
            ]
        );
        assert_eq!(
            values(template, "!FindInMap [Config, !Ref Region, Key]"),
            [known("eukey", None)]
        );
        assert_eq!(
            values(template, "!FindInMap [Config, !Ref AWS::Region, Key]")[0].0,
            None,
            "a pseudo parameter is not guessed"
        );
    }

    #[test]
    fn select_sub_and_join_combine_what_they_contain() {
        assert_eq!(values("", "!Select [1, [a, b, c]]"), [known("b", None)]);
        assert_eq!(values("", "!Select [1, !Ref List]")[0].0, None);
        assert_eq!(
            values(
                "",
                "!Sub ['postgres://app:${Pw}@${Host}/db', {Pw: !If [P, hunter2, dev]}]"
            ),
            [
                known(
                    "postgres://app:hunter2@${Host}/db",
                    Some("when `P` is true")
                ),
                known("postgres://app:dev@${Host}/db", Some("when `P` is false"))
            ]
        );
        assert_eq!(
            values("", "!Join ['-', [a, !Ref Bucket, !Select [0, [z]]]]"),
            [known("a-${…}-z", None)]
        );
    }

    #[test]
    fn deep_and_wide_expressions_stay_bounded() {
        let mut nested = String::from("leaf");
        // As deep as the YAML reader takes (each `Fn::If` is a map and a list).
        for i in 0..90 {
            nested = format!("{{\"Fn::If\": [C{i}, {nested}, other{i}]}}");
        }
        let found = values("", &nested);
        assert!(found.len() <= MAX_VALUES, "{}", found.len());
        let parts: Vec<String> = (0..40).map(|i| format!("!If [C{i}, a, b]")).collect();
        let wide = values("", &format!("!Join ['', [{}]]", parts.join(", ")));
        assert!(wide.len() <= MAX_VALUES);
    }
}
