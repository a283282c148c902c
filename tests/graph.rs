//! `faaslint graph`: the event graph of every fixture project (JSON kept as snapshots), DOT that
//! Graphviz renders, Mermaid whose edges name declared nodes, and the focus options.

mod common;

use common::clients::client;
use common::*;
use std::process::{Command, Stdio};

fn graph(dir: &str, args: &[&str]) -> Run {
    let mut all = vec!["graph", dir];
    all.extend_from_slice(args);
    let run = faaslint(repo_root(), &all);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run
}

#[test]
fn json_graph_of_every_fixture() {
    for dir in fixture_dirs() {
        let run = graph(&relative(&dir), &["--format", "json"]);
        let value = json(&run);
        let ids: Vec<&str> = value["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["id"].as_str().unwrap())
            .collect();
        for edge in value["edges"].as_array().unwrap() {
            assert!(ids.contains(&edge["from"].as_str().unwrap()), "{edge}");
            assert!(ids.contains(&edge["to"].as_str().unwrap()), "{edge}");
            assert!(edge["range"]["start"]["line"].as_u64().unwrap() >= 1);
        }
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        insta::assert_snapshot!(format!("graph-{name}"), run.stdout);
    }
}

#[test]
fn the_pipeline_graph_resolves_writes_through_the_environment() {
    let value = json(&graph("fixtures/sam-order-pipeline", &["--format", "json"]));
    let name = |id: &str| {
        value["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["id"] == id)
            .map(|n| {
                format!(
                    "{}:{}",
                    n["kind"].as_str().unwrap(),
                    n["name"].as_str().unwrap()
                )
            })
            .unwrap()
    };
    let edges: Vec<(String, String, String)> = value["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                name(e["from"].as_str().unwrap()),
                e["kind"].as_str().unwrap().to_string(),
                name(e["to"].as_str().unwrap()),
            )
        })
        .collect();
    for expected in [
        ("queue:OrdersQueue", "triggers", "function:OrdersWorker"),
        ("function:CheckoutFunction", "writes", "queue:OrdersQueue"),
        ("function:OrdersWorker", "writes", "queue:EmailsQueue"),
        (
            "function:ThumbnailFunction",
            "writes",
            "bucket:ImagesBucket",
        ),
        (
            "api:API Gateway HTTP API",
            "triggers",
            "function:ExportFunction",
        ),
    ] {
        let expected = (
            expected.0.to_string(),
            expected.1.to_string(),
            expected.2.to_string(),
        );
        assert!(edges.contains(&expected), "{expected:?} in {edges:#?}");
    }
    // Focus: one function and its neighbours; without code edges, only triggers.
    let focused = json(&graph(
        "fixtures/sam-order-pipeline",
        &[
            "--format",
            "json",
            "--function",
            "OrdersWorker",
            "--no-code-edges",
        ],
    ));
    let kinds: Vec<&str> = focused["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["triggers"]);
    assert_eq!(focused["nodes"].as_array().unwrap().len(), 2);
    let unknown = faaslint(
        repo_root(),
        &["graph", "fixtures/sam-order-pipeline", "--function", "Nope"],
    );
    assert_eq!(unknown.code, 2);
    assert!(unknown.stderr.contains("no function named `Nope`"));
}

#[test]
fn mermaid_parses_and_dot_renders_with_the_real_tools() {
    for dir in fixture_dirs() {
        let mermaid = graph(&relative(&dir), &["--format", "mermaid"]).stdout;
        assert!(mermaid.starts_with("flowchart LR\n"));
        let declared: Vec<&str> = mermaid
            .lines()
            .filter(|l| l.contains("[\""))
            .map(|l| l.trim().split('[').next().unwrap())
            .collect();
        for line in mermaid.lines().filter(|l| l.contains("-->")) {
            let mut parts = line.split_whitespace();
            let (from, to) = (parts.next().unwrap(), parts.nth(1).unwrap());
            assert!(declared.contains(&from) && declared.contains(&to), "{line}");
        }
    }
    if let Some(parser) = client("mermaid-parse") {
        for dir in fixture_dirs() {
            let text = graph(&relative(&dir), &["--format", "mermaid"]).stdout;
            let output = pipe(&parser, &[], &text);
            assert!(
                output.status.success(),
                "Mermaid rejects the graph of {}: {}\n{text}",
                dir.display(),
                String::from_utf8_lossy(&output.stderr)
            );
        }
    }
    let Some(dot) = client("dot") else {
        return;
    };
    for dir in fixture_dirs() {
        let text = graph(&relative(&dir), &["--format", "dot"]).stdout;
        let output = pipe(&dot, &["-Tsvg"], &text);
        assert!(
            output.status.success() && output.stdout.starts_with(b"<?xml"),
            "Graphviz rejects the graph of {}: {}\n{text}",
            dir.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// Runs `program` with `args`, `input` on its standard input.
fn pipe(program: &std::path::Path, args: &[&str], input: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(input.as_bytes()).unwrap();
    drop(stdin);
    child.wait_with_output().unwrap()
}
