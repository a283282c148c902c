//! `path:line:col: CODE [severity] message`, one finding per line (for grep and editors).

use crate::diagnostic::Diagnostic;
use crate::Report;
use std::fmt::Write;

pub fn render(report: &Report) -> String {
    report
        .diagnostics
        .iter()
        .map(|d| render_one(report, d))
        .collect()
}

pub fn render_one(report: &Report, d: &Diagnostic) -> String {
    let file = report.project.file(d.file);
    let at = file.position(d.span.start as usize);
    let mut line = String::new();
    let _ = writeln!(
        line,
        "{}:{}:{}: {} [{}] {}",
        super::escape_deceptive(&file.display),
        at.line,
        at.column,
        d.code,
        d.severity.as_str(),
        d.message
    );
    line
}
