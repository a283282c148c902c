//! The default format: codespan-reporting snippets with code, message and help, secrets masked.

use super::EscapedSource;
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::{FileId, Span};
use crate::Report;
use codespan_reporting::diagnostic::{Diagnostic as Snippet, Label, Severity as SnippetSeverity};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, termcolor};
use std::collections::BTreeMap;

pub fn render(report: &Report, color: bool) -> String {
    let files = snippet_files(report);
    let config = term::Config::default();
    let mut buffer: Vec<u8> = Vec::new();
    for diagnostic in &report.diagnostics {
        let snippet = snippet(diagnostic, &files.1);
        let result = if color {
            term::emit_to_write_style(
                &mut termcolor::Ansi::new(&mut buffer),
                &config,
                &files.0,
                &snippet,
            )
        } else {
            term::emit_to_write_style(
                &mut termcolor::NoColor::new(&mut buffer),
                &config,
                &files.0,
                &snippet,
            )
        };
        if result.is_err() {
            // A span past the end of its file is our bug; still show the finding.
            buffer.extend(crate::render::concise::render_one(report, diagnostic).as_bytes());
        }
    }
    let mut out = String::from_utf8_lossy(&buffer).into_owned();
    out.push_str(&summary(report));
    out
}

/// Our file id -> codespan's file id, and how offsets move in its escaped text.
type SnippetIds = BTreeMap<FileId, (usize, EscapedSource)>;

/// Files as codespan sees them (secrets masked, deceptive characters escaped), and our file id
/// -> its file id.
fn snippet_files(report: &Report) -> (SimpleFiles<String, String>, SnippetIds) {
    let mut redactions: BTreeMap<FileId, Vec<Span>> = BTreeMap::new();
    for diagnostic in &report.diagnostics {
        redactions.entry(diagnostic.file).or_default();
        for related in &diagnostic.related {
            redactions.entry(related.file).or_default();
        }
        for (file, span) in &diagnostic.redact {
            redactions.entry(*file).or_default().push(*span);
        }
    }
    let mut files = SimpleFiles::new();
    let mut ids = BTreeMap::new();
    for (file, ranges) in redactions {
        let source = report.project.file(file);
        let shown = EscapedSource::new(super::redacted_text(source, &ranges));
        let id = files.add(
            super::escape_deceptive(&source.display).into_owned(),
            shown.text.clone(),
        );
        ids.insert(file, (id, shown));
    }
    (files, ids)
}

fn snippet(diagnostic: &Diagnostic, ids: &SnippetIds) -> Snippet<usize> {
    let label = |file: &FileId, span: Span| {
        let (id, shown) = &ids[file];
        (*id, shown.range(span.range()))
    };
    let severity = match diagnostic.severity {
        Severity::Error => SnippetSeverity::Error,
        Severity::Warning => SnippetSeverity::Warning,
        Severity::Info => SnippetSeverity::Note,
    };
    let (file, range) = label(&diagnostic.file, diagnostic.span);
    let mut labels = vec![Label::primary(file, range)];
    labels.extend(diagnostic.related.iter().map(|related| {
        let (file, range) = label(&related.file, related.span);
        Label::secondary(file, range).with_message(&related.message)
    }));
    let mut notes = Vec::new();
    if let Some(help) = &diagnostic.help {
        notes.push(format!("help: {help}"));
    }
    notes.push(format!(
        "rule: {} (`faaslint rule {}`)",
        diagnostic.name, diagnostic.code
    ));
    Snippet::new(severity)
        .with_code(diagnostic.code)
        .with_message(&diagnostic.message)
        .with_labels(labels)
        .with_notes(notes)
}

fn summary(report: &Report) -> String {
    let (errors, warnings, infos) = super::counts(report);
    let files = plural(report.files_checked, "file");
    if errors + warnings + infos == 0 {
        return format!("All checks passed ({files} checked).\n");
    }
    let mut parts = vec![plural(errors, "error"), plural(warnings, "warning")];
    if infos > 0 {
        parts.push(plural(infos, "info"));
    }
    format!("Found {} in {files}.\n", parts.join(", "))
}

fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}
