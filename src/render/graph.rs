//! `faaslint graph`: the event graph as JSON (version 1, the contract in DESIGN.md), Mermaid
//! (pastes into a README or a pull request) or DOT (renders with Graphviz).

use crate::graph::{Edge, Graph, Node};
use crate::Report;
use serde::Serialize;
use std::fmt::Write;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GraphFormat {
    Json,
    Mermaid,
    Dot,
}

/// What to draw: everything, or one function's neighbourhood; with or without the edges that
/// come from code.
#[derive(Clone, Debug, Default)]
pub struct Focus {
    pub function: Option<String>,
    pub code_edges: bool,
}

/// The nodes and edges to draw, in the graph's order.
fn selected<'g>(graph: &'g Graph, focus: &Focus) -> (Vec<usize>, Vec<&'g Edge>) {
    let center: Option<Vec<usize>> = focus.function.as_ref().map(|name| {
        graph
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.function.is_some() && n.name == *name)
            .map(|(i, _)| i)
            .collect()
    });
    let edges: Vec<&Edge> = graph
        .edges
        .iter()
        .filter(|e| focus.code_edges || !e.kind.from_code())
        .filter(|e| {
            center
                .as_ref()
                .is_none_or(|c| c.contains(&e.from) || c.contains(&e.to))
        })
        .collect();
    let mut nodes: Vec<usize> = match &center {
        Some(center) => center.clone(),
        None => (0..graph.nodes.len()).collect(),
    };
    nodes.extend(edges.iter().flat_map(|e| [e.from, e.to]));
    nodes.sort_unstable();
    nodes.dedup();
    (nodes, edges)
}

pub fn render(report: &Report, format: GraphFormat, focus: &Focus) -> String {
    let graph = &report.graph;
    let (nodes, edges) = selected(graph, focus);
    match format {
        GraphFormat::Json => json(report, graph, &nodes, &edges),
        GraphFormat::Mermaid => mermaid(graph, &nodes, &edges),
        GraphFormat::Dot => dot(graph, &nodes, &edges),
    }
}

#[derive(Serialize)]
struct JsonGraph<'a> {
    version: u32,
    nodes: Vec<JsonNode<'a>>,
    edges: Vec<JsonEdge<'a>>,
}

#[derive(Serialize)]
struct JsonNode<'a> {
    id: String,
    kind: &'a str,
    name: &'a str,
    path: Option<&'a str>,
    range: Option<super::json::Range>,
}

#[derive(Serialize)]
struct JsonEdge<'a> {
    from: String,
    to: String,
    kind: &'a str,
    path: &'a str,
    range: super::json::Range,
}

fn id(node: usize) -> String {
    format!("n{node}")
}

fn json(report: &Report, graph: &Graph, nodes: &[usize], edges: &[&Edge]) -> String {
    let output = JsonGraph {
        version: 1,
        nodes: nodes
            .iter()
            .map(|&i| {
                let node = &graph.nodes[i];
                JsonNode {
                    id: id(i),
                    kind: node.kind.as_str(),
                    name: &node.name,
                    path: node
                        .at
                        .map(|(f, _)| report.project.file(f).display.as_str()),
                    range: node.at.map(|(f, s)| super::json::range(report, f, s)),
                }
            })
            .collect(),
        edges: edges
            .iter()
            .map(|e| JsonEdge {
                from: id(e.from),
                to: id(e.to),
                kind: e.kind.as_str(),
                path: &report.project.file(e.file).display,
                range: super::json::range(report, e.file, e.span),
            })
            .collect(),
    };
    let text = serde_json::to_string_pretty(&output).expect("the graph serializes");
    let mut text = super::json_ascii_escapes(&text);
    text.push('\n');
    text
}

/// A node's label: its kind and name, safe to print.
fn label(node: &Node) -> String {
    let name = super::escape_deceptive(&node.name);
    format!("{}: {name}", node.kind.as_str())
}

fn mermaid(graph: &Graph, nodes: &[usize], edges: &[&Edge]) -> String {
    let mut out = String::from("flowchart LR\n");
    for &i in nodes {
        let text = label(&graph.nodes[i]).replace('"', "#quot;");
        let _ = writeln!(out, "  {}[\"{text}\"]", id(i));
    }
    for edge in edges {
        let _ = writeln!(
            out,
            "  {} -->|{}| {}",
            id(edge.from),
            edge.kind.as_str(),
            id(edge.to)
        );
    }
    out
}

fn dot(graph: &Graph, nodes: &[usize], edges: &[&Edge]) -> String {
    let mut out = String::from("digraph faaslint {\n  rankdir=LR;\n  node [shape=box];\n");
    for &i in nodes {
        let text = label(&graph.nodes[i])
            .replace('\\', "\\\\")
            .replace('"', "\\\"");
        let shape = match graph.nodes[i].function {
            Some(_) => "box",
            None => "ellipse",
        };
        let _ = writeln!(out, "  {} [label=\"{text}\", shape={shape}];", id(i));
    }
    for edge in edges {
        let _ = writeln!(
            out,
            "  {} -> {} [label=\"{}\"];",
            id(edge.from),
            id(edge.to),
            edge.kind.as_str()
        );
    }
    out.push_str("}\n");
    out
}
