//! YAML (and JSON, a subset of YAML 1.2) into a small tree whose every node knows its byte span.
//!
//! We build the tree from libyaml's event parser (the safe Rust port, libyaml-safer) for two
//! reasons. libyaml is what CloudFormation tooling parses with (PyYAML, so cfn-lint and the AWS
//! CLI): it accepts the flow collections and quoted scalars that real templates indent loosely,
//! which stricter YAML 1.2 parsers reject. And owning the tree builder lets us bound what hostile
//! files abuse: aliases expand under a node budget (a "billion laughs" file stops with a clear
//! error instead of eating memory), and nesting is capped. CloudFormation short-form tags
//! (`!Ref`, `!Sub`, ...) are kept on the node.

use crate::source::Span;
use libyaml_safer::{Event, EventData, Mark, Parser, ScalarStyle};
use std::borrow::Cow;
use std::collections::HashMap;

/// How many nodes alias expansion may create in one file before we call it an alias bomb.
const ALIAS_NODE_BUDGET: usize = 1_000_000;
/// Deepest nesting we build; real templates stay under 30. Bounds the recursion of every reader.
const MAX_DEPTH: usize = 200;

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A scalar's text; `plain` is false for quoted scalars, so `"12"` stays a string.
    Scalar {
        text: String,
        plain: bool,
    },
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
    /// A local tag without its `!` (`Ref` for `!Ref`); core tags such as `!!str` are dropped.
    pub tag: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub span: Span,
    pub message: String,
}

impl Node {
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, .. } if self.tag.is_none() => Some(text),
            _ => None,
        }
    }

    pub fn scalar_text(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    pub fn is_plain_scalar(&self) -> bool {
        matches!(self.value, Value::Scalar { plain: true, .. }) && self.tag.is_none()
    }

    pub fn entries(&self) -> &[(Node, Node)] {
        match &self.value {
            Value::Map(entries) => entries,
            _ => &[],
        }
    }

    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::Seq(items) => items,
            _ => &[],
        }
    }

    pub fn is_map(&self) -> bool {
        matches!(self.value, Value::Map(_))
    }

    /// The entry whose key is the scalar `key`, as (key node, value node).
    pub fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        self.entries()
            .iter()
            .rev() // YAML says duplicate keys are an error; CloudFormation keeps the last one.
            .find(|(k, _)| k.scalar_text() == Some(key))
            .map(|(k, v)| (k, v))
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, value)| value)
    }

    /// Follows a path of keys through nested mappings.
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(self, |node, key| node.get(key))
    }

    /// Number of nodes in this subtree (for the alias budget).
    fn size(&self) -> usize {
        1 + match &self.value {
            Value::Scalar { .. } => 0,
            Value::Seq(items) => items.iter().map(Node::size).sum(),
            Value::Map(entries) => entries.iter().map(|(k, v)| k.size() + v.size()).sum(),
        }
    }
}

/// The message for a panic of the YAML parser, caught around this one file.
pub const PARSER_PANIC: &str =
    "the YAML parser failed on this file (an internal error; please report it)";

/// Parses the first document of `text`. An empty document is a null scalar.
pub fn parse(text: &str) -> Result<Node, ParseError> {
    // libyaml-safer 0.3 panics on a block scalar that ends the file without a line break; one
    // more line break changes no offset. A panic on anything else is still contained.
    let original_len = text.len();
    let mut text = defuse_tag_before_comma(text);
    if !text.ends_with('\n') {
        text.to_mut().push('\n');
    }
    let text = text.as_ref();
    std::panic::catch_unwind(|| parse_events(text, original_len)).unwrap_or_else(|_| {
        Err(ParseError {
            span: Span::default(),
            message: PARSER_PANIC.into(),
        })
    })
}

/// libyaml-safer 0.3 panics ("TODO: What is expected here?") on a tag followed straight by a
/// comma inside a flow collection (`[!Ref, x]`), where C libyaml reads a tagged empty node. We
/// turn the tag's last character into a space before parsing, which keeps every offset and
/// gives the same tree as libyaml but for one letter of a tag that had no value anyway. Only a
/// `!` where a tag can start is considered; in a quoted scalar the same text loses one letter,
/// a price worth a parser that cannot crash.
fn defuse_tag_before_comma(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut fixed: Option<Vec<u8>> = None;
    for (start, _) in text.match_indices('!') {
        // A token starts after a blank, a flow indicator, a `:` or a closing quote.
        let at_token_start = text[..start].trim_start_matches('\u{feff}').is_empty()
            || matches!(
                bytes[start - 1],
                b' ' | b'\t'
                    | b'\r'
                    | b'\n'
                    | b'['
                    | b']'
                    | b'{'
                    | b'}'
                    | b','
                    | b':'
                    | b'"'
                    | b'\''
            );
        if !at_token_start {
            continue;
        }
        let end = tag_end(bytes, start);
        if bytes.get(end) == Some(&b',') {
            fixed.get_or_insert_with(|| bytes.to_vec())[end - 1] = b' ';
        }
    }
    match fixed {
        // Only an ASCII byte was replaced by a space: still UTF-8.
        Some(bytes) => Cow::Owned(String::from_utf8(bytes).expect("ASCII replaced by ASCII")),
        None => Cow::Borrowed(text),
    }
}

/// Where the tag starting with the `!` at `start` ends, as libyaml scans it.
fn tag_end(bytes: &[u8], start: usize) -> usize {
    let rest = &bytes[start + 1..];
    if rest.first() == Some(&b'<') {
        // A verbatim tag, `!<uri>`: a URI may hold commas and brackets; it ends after `>`.
        return match rest.iter().position(|&byte| byte == b'>') {
            Some(close) => start + 1 + close + 1,
            None => bytes.len(),
        };
    }
    start + 1 + rest.iter().take_while(|&&byte| is_tag_char(byte)).count()
}

/// The characters libyaml reads as part of a tag outside `!<...>`.
fn is_tag_char(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"-_;/?:@&=+$.%!~*'()".contains(&byte)
}

fn parse_events(text: &str, original_len: usize) -> Result<Node, ParseError> {
    let mut input = text.as_bytes();
    let mut parser = Parser::new();
    parser.set_input_string(&mut input);
    let mut builder = Builder {
        // libyaml does not count a byte-order mark.
        bom: if text.starts_with('\u{feff}') { 3 } else { 0 },
        len: original_len,
        stack: Vec::new(),
        anchors: HashMap::new(),
        budget: ALIAS_NODE_BUDGET,
        root: None,
    };
    loop {
        let event = parser.parse().map_err(|error| {
            let offset = error.problem_mark().map_or(0, |mark| builder.offset(mark));
            let message = match error.context() {
                Some(context) => format!("{} {context}", error.problem()),
                None => error.problem().to_string(),
            };
            ParseError {
                span: Span::new(offset, offset),
                message,
            }
        })?;
        if matches!(event.data, EventData::StreamEnd) || builder.on_event(event)? {
            break;
        }
    }
    Ok(builder.root.unwrap_or(Node {
        value: Value::Scalar {
            text: String::new(),
            plain: true,
        },
        span: Span::default(),
        tag: None,
    }))
}

enum Frame {
    Seq {
        items: Vec<Node>,
        start: usize,
        tag: Option<String>,
        anchor: Option<String>,
    },
    Map {
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
        start: usize,
        tag: Option<String>,
        anchor: Option<String>,
    },
}

struct Builder {
    bom: usize,
    len: usize,
    stack: Vec<Frame>,
    anchors: HashMap<String, Node>,
    budget: usize,
    root: Option<Node>,
}

impl Builder {
    /// libyaml marks count bytes.
    fn offset(&self, mark: Mark) -> usize {
        (mark.index as usize + self.bom).min(self.len)
    }

    /// Handles one event; returns true once the first document is complete.
    fn on_event(&mut self, event: Event) -> Result<bool, ParseError> {
        let here = Span::new(self.offset(event.start_mark), self.offset(event.end_mark));
        if self.stack.len() > MAX_DEPTH {
            return Err(ParseError {
                span: here,
                message: format!("nesting is deeper than {MAX_DEPTH} levels"),
            });
        }
        match event.data {
            EventData::Scalar {
                anchor,
                tag,
                value,
                style,
                ..
            } => {
                let node = Node {
                    value: Value::Scalar {
                        text: value,
                        plain: style == ScalarStyle::Plain,
                    },
                    span: here,
                    tag: local_tag(tag),
                };
                return Ok(self.finish(node, anchor));
            }
            EventData::SequenceStart { anchor, tag, .. } => self.stack.push(Frame::Seq {
                items: Vec::new(),
                start: here.start as usize,
                tag: local_tag(tag),
                anchor,
            }),
            EventData::MappingStart { anchor, tag, .. } => self.stack.push(Frame::Map {
                entries: Vec::new(),
                key: None,
                start: here.start as usize,
                tag: local_tag(tag),
                anchor,
            }),
            EventData::SequenceEnd | EventData::MappingEnd => {
                let (value, start, tag, anchor) = match self.stack.pop() {
                    Some(Frame::Seq {
                        items,
                        start,
                        tag,
                        anchor,
                    }) => (Value::Seq(items), start, tag, anchor),
                    Some(Frame::Map {
                        entries,
                        start,
                        tag,
                        anchor,
                        ..
                    }) => (Value::Map(entries), start, tag, anchor),
                    None => return Ok(false),
                };
                let end = (here.end as usize).max(start);
                let node = Node {
                    value,
                    span: Span::new(start, end),
                    tag,
                };
                return Ok(self.finish(node, anchor));
            }
            EventData::Alias { anchor } => {
                let Some(target) = self.anchors.get(&anchor) else {
                    return Err(ParseError {
                        span: here,
                        message: format!("alias `*{anchor}` refers to an unknown anchor"),
                    });
                };
                let size = target.size();
                if size > self.budget {
                    return Err(ParseError {
                        span: here,
                        message: format!(
                            "YAML aliases expand to more than {ALIAS_NODE_BUDGET} nodes \
                             (an alias bomb?); refusing to expand them"
                        ),
                    });
                }
                self.budget -= size;
                let mut node = target.clone();
                node.span = here;
                return Ok(self.finish(node, None));
            }
            EventData::DocumentEnd { .. } => return Ok(self.root.is_some()),
            _ => {}
        }
        Ok(false)
    }

    /// Places a completed node in its parent; returns true when it completed the document.
    fn finish(&mut self, node: Node, anchor: Option<String>) -> bool {
        if let Some(anchor) = anchor {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                Some(k) => entries.push((k, node)),
                None => *key = Some(node),
            },
            None => {
                self.root = Some(node);
                return true;
            }
        }
        false
    }
}

/// `!Ref` arrives as `!Ref`; core tags (`!!str`) arrive as `tag:yaml.org,2002:str` and are dropped.
fn local_tag(tag: Option<String>) -> Option<String> {
    let tag = tag?;
    let local = tag.strip_prefix('!')?;
    (!local.is_empty() && !local.starts_with('!')).then(|| local.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Node, ParseError> {
        parse(text)
    }

    #[test]
    fn keeps_short_form_tags_and_spans() {
        let text = "Resources:\n  Fn:\n    Role: !GetAtt [Role, Arn]\n    Name: !Ref Param\n";
        let root = parse_str(text).unwrap();
        let role = root.path(&["Resources", "Fn", "Role"]).unwrap();
        assert_eq!(role.tag.as_deref(), Some("GetAtt"));
        assert_eq!(role.items().len(), 2);
        let name = root.path(&["Resources", "Fn", "Name"]).unwrap();
        assert_eq!(name.tag.as_deref(), Some("Ref"));
        assert_eq!(name.scalar_text(), Some("Param"));
        assert_eq!(&text[name.span.range()], "!Ref Param");
    }

    #[test]
    fn spans_are_bytes_even_after_multibyte_characters() {
        let text = "Description: \"Café ☕\"\nKey: value\n";
        let root = parse_str(text).unwrap();
        let value = root.get("Key").unwrap();
        assert_eq!(&text[value.span.range()], "value");
    }

    #[test]
    fn a_tag_followed_by_a_comma_in_a_flow_collection_is_read_not_a_panic() {
        // Both made libyaml-safer 0.3 panic (found by the template fuzz targets).
        let root = parse_str("Items: [!Ref, second]\n").unwrap();
        let items = root.get("Items").unwrap().items();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].scalar_text(), Some(""));
        assert_eq!(items[1].scalar_text(), Some("second"));
        assert_eq!(items[1].span, Span::new(14, 20));
        // Without the catch_unwind of `parse`, so a panic fails this test.
        for text in [
            "{!Etricrue, outDir\": \"startLine\n",
            "[!, a]\n",
            "{a: !<x>, b}\n",
            "{a[s]!!x, b}\n",
            "[\"a\"!x, b]\n",
        ] {
            let defused = defuse_tag_before_comma(text);
            assert_eq!(defused.len(), text.len());
            assert!(parse_events(&defused, text.len()).is_err(), "{text}");
        }
    }

    #[test]
    fn a_bang_inside_a_word_is_left_alone() {
        let root = parse_str("Greeting: \"Hi!there, folks\"\n").unwrap();
        assert_eq!(
            root.get("Greeting").unwrap().scalar_text(),
            Some("Hi!there, folks")
        );
    }

    #[test]
    fn quoted_scalars_are_not_plain() {
        let root = parse_str("a: \"12\"\nb: 12\n").unwrap();
        assert!(!root.get("a").unwrap().is_plain_scalar());
        assert!(root.get("b").unwrap().is_plain_scalar());
    }

    #[test]
    fn parses_json_with_tabs() {
        let root = parse_str("{\n\t\"Resources\": {\"A\": [1, \"x\"]}\n}\n").unwrap();
        assert_eq!(root.path(&["Resources", "A"]).unwrap().items().len(), 2);
    }

    #[test]
    fn aliases_expand_within_budget() {
        let root = parse_str("base: &b {x: 1}\ncopy: *b\n").unwrap();
        assert_eq!(root.path(&["copy", "x"]).unwrap().scalar_text(), Some("1"));
    }

    #[test]
    fn alias_bomb_is_an_error_not_an_allocation() {
        let mut text = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for level in 1..12 {
            let prev = format!("*a{}", level - 1);
            let items = [prev.as_str(); 9].join(", ");
            text.push_str(&format!("a{level}: &a{level} [{items}]\n"));
        }
        let error = parse_str(&text).unwrap_err();
        assert!(error.message.contains("alias bomb"), "{}", error.message);
    }

    #[test]
    fn deep_nesting_is_an_error() {
        let text = "[".repeat(100_000);
        let error = parse_str(&text).unwrap_err();
        assert!(error.message.contains("deeper than"), "{}", error.message);
        let block: String = (0..300)
            .map(|depth| format!("{}k:\n", " ".repeat(depth)))
            .collect();
        let error = parse_str(&block).unwrap_err();
        assert!(error.message.contains("deeper than"), "{}", error.message);
    }

    #[test]
    fn accepts_loosely_indented_flow_collections_as_cloudformation_does() {
        let text =
            "Statements: [{\n  \"Effect\": \"Allow\"\n}]\nPolicy: !Sub '{\n    \"a\": 1\n  }'\n";
        let root = parse_str(text).unwrap();
        assert_eq!(root.get("Statements").unwrap().items().len(), 1);
        assert_eq!(root.get("Policy").unwrap().tag.as_deref(), Some("Sub"));
    }

    #[test]
    fn block_scalar_at_the_end_without_a_line_break() {
        let root = parse_str("a: |\n  text").unwrap();
        assert_eq!(root.get("a").unwrap().scalar_text(), Some("text\n"));
    }

    #[test]
    fn spans_count_a_byte_order_mark() {
        let text = "\u{feff}Key: value\n";
        let root = parse_str(text).unwrap();
        assert_eq!(&text[root.get("Key").unwrap().span.range()], "value");
    }

    #[test]
    fn syntax_error_has_position() {
        let text = "a: 1\nb: [unclosed\n";
        let error = parse_str(text).unwrap_err();
        assert!(error.span.start as usize <= text.len());
    }
}
