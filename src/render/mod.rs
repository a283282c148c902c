//! Output formats. Each renders the same [`Report`]; none decides what is a finding.

pub mod concise;
pub mod github;
pub mod graph;
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

/// Whether a character changes how a reader sees the text around it: Unicode bidirectional
/// controls (a `U+202E` reverses the rest of the line), invisible characters, and control codes
/// a terminal acts on. Line breaks and tabs are kept when `keep_layout` (source snippets).
fn is_deceptive(c: char, keep_layout: bool) -> bool {
    match c {
        '\n' | '\t' | '\r' => !keep_layout,
        '\u{202A}'..='\u{202E}'
        | '\u{2066}'..='\u{2069}'
        | '\u{200B}'..='\u{200F}'
        | '\u{2060}'..='\u{2064}'
        | '\u{061C}'
        | '\u{180E}'
        | '\u{FEFF}' => true,
        c => c.is_control(),
    }
}

/// `text` with every deceptive character written as its escape (`\u{202e}`), as rustc shows
/// them: a message, path or snippet then reads the same in a terminal, an editor and a web page.
pub fn escape_deceptive(text: &str) -> std::borrow::Cow<'_, str> {
    escape_with(text, false)
}

fn escape_with(text: &str, keep_layout: bool) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(|c| is_deceptive(c, keep_layout)) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_deceptive(c, keep_layout) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// A source text with its deceptive characters escaped (line breaks kept), and how to move a
/// byte offset of the original into it.
pub struct EscapedSource {
    pub text: String,
    /// (offset in the original, bytes added before it), for each escaped character.
    shifts: Vec<(usize, usize)>,
}

impl EscapedSource {
    pub fn new(text: String) -> EscapedSource {
        if !text.chars().any(|c| is_deceptive(c, true)) {
            return EscapedSource {
                text,
                shifts: Vec::new(),
            };
        }
        let mut out = String::with_capacity(text.len() + 16);
        let mut shifts = Vec::new();
        let mut added = 0;
        for (offset, c) in text.char_indices() {
            if is_deceptive(c, true) {
                let escape = format!("\\u{{{:x}}}", c as u32);
                added += escape.len() - c.len_utf8();
                out.push_str(&escape);
                shifts.push((offset + c.len_utf8(), added));
            } else {
                out.push(c);
            }
        }
        EscapedSource { text: out, shifts }
    }

    /// Where `offset` of the original text is in the escaped one.
    pub fn offset(&self, offset: usize) -> usize {
        let before = self.shifts.partition_point(|(at, _)| *at <= offset);
        offset + before.checked_sub(1).map_or(0, |i| self.shifts[i].1)
    }

    pub fn range(&self, range: std::ops::Range<usize>) -> std::ops::Range<usize> {
        self.offset(range.start)..self.offset(range.end)
    }
}

/// Makes every text of a report safe to show: messages, help and related messages, notes.
pub fn escape_report_text(diagnostics: &mut [crate::diagnostic::Diagnostic], notes: &mut [String]) {
    let escape = |text: &mut String| {
        if let std::borrow::Cow::Owned(escaped) = escape_deceptive(text) {
            *text = escaped;
        }
    };
    for diagnostic in diagnostics {
        escape(&mut diagnostic.message);
        if let Some(help) = &mut diagnostic.help {
            escape(help);
        }
        for related in &mut diagnostic.related {
            escape(&mut related.message);
        }
    }
    notes.iter_mut().for_each(escape);
}

/// JSON text with every deceptive character inside its strings written as a JSON escape
/// (`\u202e`): the same value for a program, plain ASCII for a terminal or a log viewer.
pub fn json_ascii_escapes(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if is_deceptive(c, true) {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}
