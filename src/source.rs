//! Source files, byte spans and the line index that turns spans into 1-based line/column pairs.

use std::path::{Component, Path, PathBuf};

/// A half-open byte range `[start, end)` in one source file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span {
            start: start as u32,
            end: end.max(start) as u32,
        }
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// A 1-based line and column; columns count Unicode scalar values (the JSON contract).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// Byte offsets of line starts, so a span can be turned into line/column without rescanning.
#[derive(Debug, Clone)]
pub struct LineIndex {
    /// `u32`: files are read only up to a few megabytes, and a large repository has millions
    /// of lines, kept for the whole run.
    line_starts: Vec<u32>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| offset_u32(i + 1)));
        line_starts.shrink_to_fit();
        LineIndex { line_starts }
    }

    /// Line (0-based) holding the byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset_u32(offset)) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts[line.min(self.line_starts.len() - 1)] as usize
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    pub fn position(&self, text: &str, offset: usize) -> Position {
        let (line, before) = self.line_and_prefix(text, offset);
        Position {
            line: line + 1,
            column: before.chars().count() + 1,
        }
    }

    /// The line (0-based) holding `offset`, and the text of that line before it: columns are
    /// counted in it, in whatever unit a client wants.
    pub fn line_and_prefix<'t>(&self, text: &'t str, offset: usize) -> (usize, &'t str) {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.line_of(offset);
        let start = self.line_start(line).min(offset);
        (line, &text[start..offset])
    }
}

fn hash(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut hasher);
    hasher.finish()
}

fn offset_u32(offset: usize) -> u32 {
    u32::try_from(offset).unwrap_or(u32::MAX)
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// `path` made absolute against `cwd` and lexically normal: `a/./b/../c` is `<cwd>/a/c`. Links
/// compare paths this way, and output shows them this way.
pub fn normalize(path: &Path, cwd: &Path) -> PathBuf {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    };
    absolute
        .components()
        .fold(PathBuf::new(), |mut normal, component| {
            match component {
                Component::CurDir => {}
                Component::ParentDir => {
                    normal.pop();
                }
                other => normal.push(other),
            }
            normal
        })
}

/// Relative to the current directory when below it, with `/` separators (the JSON contract).
pub fn display_path(path: &Path, cwd: &Path) -> String {
    let normal = normalize(path, cwd);
    let shown = normal
        .strip_prefix(cwd)
        .map_or(normal.as_path(), |relative| relative);
    shown.to_string_lossy().replace('\\', "/")
}

/// What a path keeps unescaped in a URI: letters, digits, `/ - _ . ~`.
const URI_PATH: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'/')
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// A path as the path part of a URI: spaces, `#`, `%` and non-ASCII bytes percent-encoded.
pub fn uri_path(path: &[u8]) -> String {
    percent_encoding::percent_encode(path, URI_PATH).to_string()
}

pub use crate::model::FileId;

/// A file read for linting: where it is, how to show its path, and its text.
#[derive(Debug)]
pub struct SourceFile {
    pub path: PathBuf,
    /// Path as printed: relative to the current directory when below it, with `/` separators.
    pub display: String,
    /// Empty while released (see `release_text`).
    pub text: String,
    pub lines: LineIndex,
    /// A hash of the text given back by `release_text`, to know it again on `restore_text`.
    released: Option<u64>,
}

impl SourceFile {
    pub fn new(path: PathBuf, display: String, text: String) -> Self {
        let lines = LineIndex::new(&text);
        SourceFile {
            path,
            display,
            text,
            lines,
            released: None,
        }
    }

    /// Gives the text's memory back once the front end has read it: on a large repository the
    /// sources are most of the memory, and only files with findings are shown. The line index
    /// stays, so positions are still exact; `restore_text` reads the text again for display.
    pub fn release_text(&mut self) {
        self.released = Some(hash(&self.text));
        self.text = String::new();
    }

    /// Reads a released text again. A file changed on disk since is not shown (its snippets
    /// could show what a redaction was meant to hide); its positions still come from the index.
    pub fn restore_text(&mut self) {
        let Some(expected) = self.released else {
            return;
        };
        if let Ok(bytes) = std::fs::read(&self.path) {
            if let Ok(text) = String::from_utf8(bytes) {
                if hash(&text) == expected {
                    self.text = text;
                    self.released = None;
                }
            }
        }
    }

    pub fn position(&self, offset: usize) -> Position {
        if self.released.is_some() {
            // No text to count characters in: count bytes.
            let line = self.lines.line_of(offset);
            return Position {
                line: line + 1,
                column: offset.saturating_sub(self.lines.line_start(line)) + 1,
            };
        }
        self.lines.position(&self.text, offset)
    }

    pub fn line_number(&self, offset: usize) -> usize {
        self.lines.line_of(offset) + 1
    }

    /// The text of a 1-based line without its line break.
    pub fn line_text(&self, line: usize) -> &str {
        if line == 0 || line > self.lines.line_count() || self.released.is_some() {
            return "";
        }
        let start = self.lines.line_start(line - 1);
        let end = if line < self.lines.line_count() {
            self.lines.line_start(line)
        } else {
            self.text.len()
        };
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_paths_are_relative_with_slashes() {
        let cwd = Path::new("/repo");
        assert_eq!(
            display_path(Path::new("./app/template.yaml"), cwd),
            "app/template.yaml"
        );
        assert_eq!(display_path(Path::new("/repo/a/../b.yaml"), cwd), "b.yaml");
        assert_eq!(
            display_path(Path::new("/elsewhere/t.yaml"), cwd),
            "/elsewhere/t.yaml"
        );
    }

    #[test]
    fn positions_count_characters_not_bytes() {
        let text = "a: é\nbb: x\n";
        let index = LineIndex::new(text);
        assert_eq!(index.position(text, 0), Position { line: 1, column: 1 });
        let x = text.find('x').unwrap();
        assert_eq!(index.position(text, x), Position { line: 2, column: 5 });
        let after_e = text.find('é').unwrap() + 'é'.len_utf8();
        assert_eq!(
            index.position(text, after_e),
            Position { line: 1, column: 5 }
        );
    }
}
