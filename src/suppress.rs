//! Suppressions: `# faaslint: ignore[FL201] reason` on a finding's line or the line above,
//! `faaslint: ignore-file[FL301]` anywhere in a file, and CloudFormation resource metadata
//! `Metadata: {faaslint: {ignore: [FL501]}}`. What suppresses nothing becomes FL001.

use crate::diagnostic::Diagnostic;
use crate::model::Project;
use crate::rules::{self, unused_suppression};
use crate::source::{FileId, SourceFile, Span};
use regex::Regex;
use std::sync::LazyLock;

static COMMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:#|//)\s*faaslint:\s*(ignore-file|ignore)\[([^\]\n]*)\]")
        .expect("suppression regex compiles")
});

#[derive(Debug, Clone, PartialEq)]
enum Scope {
    /// The comment's 1-based line and the line below it.
    Line(usize),
    File,
    /// A template resource (its whole span).
    Resource(Span),
}

#[derive(Debug, Clone)]
struct Entry {
    file: FileId,
    scope: Scope,
    code: String,
    /// Where the code is written, for FL001.
    span: Span,
    used: bool,
}

#[derive(Debug, Default)]
pub struct Suppressions {
    entries: Vec<Entry>,
}

impl Suppressions {
    /// Comments in the files that were read, and metadata entries in templates.
    pub fn collect(project: &Project, files: impl IntoIterator<Item = FileId>) -> Suppressions {
        let mut entries = Vec::new();
        for file in files {
            entries.extend(comments(file, project.file(file)));
        }
        for (file, s) in &project.metadata_suppressions {
            entries.push(Entry {
                file: *file,
                scope: Scope::Resource(s.resource),
                code: s.code.value.clone(),
                span: s.code.span,
                used: false,
            });
        }
        Suppressions { entries }
    }

    /// Drops the diagnostics a suppression covers and marks those suppressions used.
    pub fn filter(&mut self, project: &Project, diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
        diagnostics
            .into_iter()
            .filter(|diagnostic| !self.suppress(project, diagnostic))
            .collect()
    }

    fn suppress(&mut self, project: &Project, diagnostic: &Diagnostic) -> bool {
        let line = project
            .file(diagnostic.file)
            .line_number(diagnostic.span.start as usize);
        let mut suppressed = false;
        for entry in &mut self.entries {
            if !entry.code.eq_ignore_ascii_case(diagnostic.code) {
                continue;
            }
            let covers = match &entry.scope {
                Scope::Line(at) => entry.file == diagnostic.file && (line == *at || line == at + 1),
                Scope::File => entry.file == diagnostic.file,
                // A finding concerns a resource when it, or a place it names, lies inside it.
                Scope::Resource(resource) => {
                    let inside = |file: FileId, span: Span| {
                        file == entry.file
                            && resource.start <= span.start
                            && span.start < resource.end
                    };
                    inside(diagnostic.file, diagnostic.span)
                        || diagnostic.related.iter().any(|r| inside(r.file, r.span))
                }
            };
            if covers {
                entry.used = true;
                suppressed = true;
            }
        }
        suppressed
    }

    /// FL001 for each suppression that suppressed nothing; `enabled` says whether its rule ran
    /// for that file (a suppression of a rule that was switched off is not "unused").
    pub fn unused(&self, enabled: impl Fn(FileId, &str) -> bool) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for entry in self.entries.iter().filter(|e| !e.used) {
            let known = rules::known_codes().find(|c| c.eq_ignore_ascii_case(&entry.code));
            match known {
                None => out.push(unused_suppression::unknown_code(
                    entry.file,
                    entry.span,
                    &entry.code,
                )),
                Some(code) if enabled(entry.file, code) => {
                    out.push(unused_suppression::unused(entry.file, entry.span, code))
                }
                Some(_) => {}
            }
        }
        out
    }
}

/// The codes of the suppression comments in a file, with where each is written (for fuzzing and
/// tooling; the pipeline uses [`Suppressions::collect`]).
pub fn comments_in(file: FileId, source: &SourceFile) -> Vec<(String, Span)> {
    comments(file, source)
        .into_iter()
        .map(|e| (e.code, e.span))
        .collect()
}

/// Every suppression comment holds this; a file without it has none.
pub const MARKER: &str = "faaslint:";

fn comments(file: FileId, source: &SourceFile) -> Vec<Entry> {
    if !source.text.contains(MARKER) {
        return Vec::new();
    }
    let mut entries = Vec::new();
    for found in COMMENT.captures_iter(&source.text) {
        let (Some(kind), Some(codes)) = (found.get(1), found.get(2)) else {
            continue;
        };
        let scope = match kind.as_str() {
            "ignore-file" => Scope::File,
            _ => Scope::Line(source.line_number(kind.start())),
        };
        for code in split_codes(codes.as_str()) {
            let start = codes.start() + (code.as_ptr() as usize - codes.as_str().as_ptr() as usize);
            entries.push(Entry {
                file,
                scope: scope.clone(),
                code: code.to_string(),
                span: Span::new(start, start + code.len()),
                used: false,
            });
        }
    }
    entries
}

fn split_codes(codes: &str) -> impl Iterator<Item = &str> {
    codes
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|code| !code.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_line_and_file_comments_with_code_spans() {
        let text = "a: 1\n# faaslint: ignore[FL201, FL501] rotated weekly\nb: 2  # faaslint: ignore-file[FL301]\n";
        let source = SourceFile::new("t.yaml".into(), "t.yaml".into(), text.into());
        let entries = comments(FileId::new(0), &source);
        let summary: Vec<_> = entries
            .iter()
            .map(|e| (e.code.as_str(), e.scope.clone(), &text[e.span.range()]))
            .collect();
        assert_eq!(
            summary,
            [
                ("FL201", Scope::Line(2), "FL201"),
                ("FL501", Scope::Line(2), "FL501"),
                ("FL301", Scope::File, "FL301"),
            ]
        );
    }

    #[test]
    fn a_mention_without_brackets_is_not_a_suppression() {
        let source = SourceFile::new(
            "t.yaml".into(),
            "t.yaml".into(),
            "# faaslint: see docs\n".into(),
        );
        assert!(comments(FileId::new(0), &source).is_empty());
    }
}
