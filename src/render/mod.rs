//! Output formats. Each renders the same [`Report`]; none decides what is a finding.

pub mod concise;
pub mod github;
pub mod human;
pub mod json;
pub mod sarif;

use crate::diagnostic::Severity;
use crate::source::SourceFile;
use crate::Report;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Concise,
    Json,
    Sarif,
    Github,
}

pub fn render(report: &Report, format: Format, color: bool) -> String {
    match format {
        Format::Human => human::render(report, color),
        Format::Concise => concise::render(report),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report),
        Format::Github => github::render(report),
    }
}

/// Counts of findings by severity: (errors, warnings, infos).
pub fn counts(report: &Report) -> (usize, usize, usize) {
    let count = |severity| {
        report
            .diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    };
    (
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info),
    )
}

/// The file's text with every secret range of `redact` masked byte for byte, so spans stay valid.
pub fn redacted_text(file: &SourceFile, ranges: &[crate::source::Span]) -> String {
    if ranges.is_empty() {
        return file.text.clone();
    }
    let mut bytes = file.text.clone().into_bytes();
    for span in ranges {
        let end = (span.end as usize).min(bytes.len());
        let range = (span.start as usize).min(end)..end;
        for byte in &mut bytes[range] {
            // Keep line structure; everything else becomes `*`. Masking whole UTF-8 sequences
            // byte by byte keeps the text valid.
            if *byte != b'\n' && *byte != b'\r' {
                *byte = b'*';
            }
        }
    }
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}
