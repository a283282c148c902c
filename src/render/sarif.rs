//! `--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF consumers.

use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::{self, Rule};
use crate::source::uri_path;
use crate::source::{FileId, Span};
use crate::Report;
use serde_json::{json, Value};

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn rule_descriptor(rule: &Rule) -> Value {
    // The document's first paragraph under "What it does" is the full description.
    let full = rule
        .doc
        .split("## What it does")
        .nth(1)
        .and_then(|rest| rest.trim().split("\n\n").next())
        .map(|p| p.replace('\n', " "))
        .unwrap_or_else(|| rule.summary.to_string());
    json!({
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": full},
        "help": {"text": rule.doc, "markdown": rule.doc},
        "defaultConfiguration": {"level": level(rule.default_severity)},
        "properties": {"tags": ["serverless", "aws-lambda"]}
    })
}

fn region(report: &Report, file: FileId, span: Span) -> Value {
    let source = report.project.file(file);
    let start = source.position(span.start as usize);
    let end = source.position(span.end as usize);
    json!({
        "startLine": start.line,
        "startColumn": start.column,
        "endLine": end.line,
        "endColumn": end.column
    })
}

fn location(report: &Report, file: FileId, span: Span) -> Value {
    json!({
        "physicalLocation": {
            "artifactLocation": {"uri": uri_path(report.project.file(file).display.as_bytes()), "uriBaseId": "%SRCROOT%"},
            "region": region(report, file, span)
        }
    })
}

/// Stable across runs and line moves: the rule, the file and the finding's own line text.
fn fingerprint(report: &Report, d: &Diagnostic) -> String {
    let file = report.project.file(d.file);
    let line = file.line_text(file.line_number(d.span.start as usize));
    let key = format!("{}\u{0}{}\u{0}{}", d.code, file.display, line.trim());
    // FNV-1a, 64 bits: small, dependency-free and stable across versions of Rust.
    let hash = key.bytes().fold(0xcbf29ce484222325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100000001b3)
    });
    format!("{hash:016x}")
}

pub fn render(report: &Report) -> String {
    let rule_index = |code: &str| rules::RULES.iter().position(|r| r.code == code);
    let results: Vec<Value> = report
        .diagnostics
        .iter()
        .map(|d| {
            let mut text = d.message.clone();
            if let Some(help) = &d.help {
                text.push_str("\n\n");
                text.push_str(help);
            }
            let related: Vec<Value> = d
                .related
                .iter()
                .enumerate()
                .map(|(id, r)| {
                    let mut loc = location(report, r.file, r.span);
                    loc["id"] = json!(id);
                    loc["message"] = json!({"text": r.message});
                    loc
                })
                .collect();
            let mut result = json!({
                "ruleId": d.code,
                "level": level(d.severity),
                "message": {"text": text},
                "locations": [location(report, d.file, d.span)],
                "partialFingerprints": {"faaslint/v1": fingerprint(report, d)}
            });
            if let Some(index) = rule_index(d.code) {
                result["ruleIndex"] = json!(index);
            }
            if !related.is_empty() {
                result["relatedLocations"] = json!(related);
            }
            result
        })
        .collect();
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "faaslint",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules::RULES.iter().map(|r| rule_descriptor(r)).collect::<Vec<_>>()
            }},
            "columnKind": "unicodeCodePoints",
            "results": results
        }]
    });
    let text = serde_json::to_string_pretty(&log).expect("SARIF serializes");
    let mut text = super::json_ascii_escapes(&text);
    text.push('\n');
    text
}
