//! `--format json`, schema version 1 (the JSON contract in the README). Other tools parse this: change nothing
//! without a new version.

use crate::diagnostic::Severity;
use crate::source::{FileId, Span};
use crate::Report;
use serde::Serialize;

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'a str,
    name: &'a str,
    severity: Severity,
    path: &'a str,
    range: Range,
    message: &'a str,
    help: Option<&'a str>,
    related: Vec<JsonRelated<'a>>,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    path: &'a str,
    range: Range,
    message: &'a str,
}

#[derive(Serialize)]
pub(crate) struct Range {
    start: Point,
    end: Point,
}

#[derive(Serialize)]
struct Point {
    line: usize,
    column: usize,
}

#[derive(Serialize)]
struct Summary {
    files: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
}

pub(crate) fn range(report: &Report, file: FileId, span: Span) -> Range {
    let file = report.project.file(file);
    let start = file.position(span.start as usize);
    let end = file.position(span.end as usize);
    Range {
        start: Point {
            line: start.line,
            column: start.column,
        },
        end: Point {
            line: end.line,
            column: end.column,
        },
    }
}

pub fn render(report: &Report) -> String {
    let diagnostics = report
        .diagnostics
        .iter()
        .map(|d| JsonDiagnostic {
            code: d.code,
            name: d.name,
            severity: d.severity,
            path: &report.project.file(d.file).display,
            range: range(report, d.file, d.span),
            message: &d.message,
            help: d.help.as_deref(),
            related: d
                .related
                .iter()
                .map(|r| JsonRelated {
                    path: &report.project.file(r.file).display,
                    range: range(report, r.file, r.span),
                    message: &r.message,
                })
                .collect(),
        })
        .collect();
    let (errors, warnings, infos) = super::counts(report);
    let output = Output {
        version: 1,
        diagnostics,
        summary: Summary {
            files: report.files_checked,
            errors,
            warnings,
            infos,
        },
    };
    let text = serde_json::to_string_pretty(&output).expect("JSON output serializes");
    let mut text = super::json_ascii_escapes(&text);
    text.push('\n');
    text
}
