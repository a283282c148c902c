//! Entry points for the fuzz targets in `fuzz/` (and their regression tests): the pipeline on
//! in-memory bytes, with every output format rendered.

use crate::render::{self, Format};
use crate::source::SourceFile;
use crate::{check, CheckOptions};

/// Lints `data` as if it were the file `name`, renders every format, and checks the invariants
/// a fuzzer cannot see by itself: positions lie in the file, output order is deterministic.
pub fn lint_as(name: &str, data: &[u8]) {
    let options = CheckOptions {
        stdin: Some((name.into(), data.to_vec())),
        ..CheckOptions::default()
    };
    let Ok(report) = check(&options) else { return };
    for format in [
        Format::Human,
        Format::Concise,
        Format::Json,
        Format::Sarif,
        Format::Github,
    ] {
        let _ = render::render(&report, format, false);
    }
    for diagnostic in &report.diagnostics {
        // A parser panic is contained and reported; the fuzzer must still hear of it.
        assert!(
            !diagnostic
                .message
                .contains(crate::frontend::yaml::PARSER_PANIC),
            "{}",
            diagnostic.message
        );
        let file = report.project.file(diagnostic.file);
        assert!(diagnostic.span.start <= diagnostic.span.end);
        assert!(
            diagnostic.span.end as usize <= file.text.len(),
            "span past the end of {name}"
        );
    }
}

/// Parses suppression comments in `text` (as YAML and as TypeScript) and applies them.
pub fn suppressions(text: &str) {
    for name in ["template.yaml", "handler.ts"] {
        let file = SourceFile::new(name.into(), name.into(), text.to_string());
        let _ = crate::suppress::comments_in(crate::model::FileId::new(0), &file);
    }
}
