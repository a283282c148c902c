//! `--format github`: workflow commands the GitHub Actions runner turns into annotations.

use crate::diagnostic::Severity;
use crate::Report;
use std::fmt::Write;

/// Escaping of a command's message (what follows `::`).
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escaping of a property value (`file=...,title=...`): also `:` and `,`.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for d in &report.diagnostics {
        let file = report.project.file(d.file);
        let start = file.position(d.span.start as usize);
        let end = file.position(d.span.end as usize);
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut properties = format!(
            "file={},line={},endLine={}",
            escape_property(&super::escape_deceptive(&file.display)),
            start.line,
            end.line
        );
        // The runner rejects columns on annotations that span lines.
        if start.line == end.line {
            let _ = write!(properties, ",col={},endColumn={}", start.column, end.column);
        }
        let _ = write!(
            properties,
            ",title={}",
            escape_property(&format!("{} {}", d.code, d.name))
        );
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\n\n");
            message.push_str(help);
        }
        let _ = writeln!(out, "::{command} {properties}::{}", escape_data(&message));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_the_runner() {
        assert_eq!(escape_data("50% done\r\nnext"), "50%25 done%0D%0Anext");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }
}
