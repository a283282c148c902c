//! faaslint: a static analyzer for serverless applications.
//!
//! The pipeline, top to bottom: walk -> read and parse (in parallel) -> model -> rules ->
//! severities, selection and suppressions -> sorted diagnostics, ready for a renderer.

pub mod catalog;
pub mod config;
pub mod diagnostic;
pub mod frontend;
pub mod fuzzing;
pub mod knowledge;
pub mod link;
pub mod lsp;
pub mod model;
pub mod render;
pub mod rules;
pub mod source;
pub mod suppress;
pub mod walk;

use config::{ConfigError, Overrides, Settings};
use diagnostic::Diagnostic;
use model::{CodeFile, Project, Template};
use rayon::prelude::*;
use source::{SourceFile, Span};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use suppress::Suppressions;

/// What to check and how.
#[derive(Debug, Default)]
pub struct CheckOptions {
    pub paths: Vec<PathBuf>,
    /// `--config FILE`: used for every path instead of discovered files.
    pub config: Option<PathBuf>,
    pub overrides: Overrides,
    /// `--stdin-filename NAME`: lint these bytes as if they were the file NAME.
    pub stdin: Option<(PathBuf, Vec<u8>)>,
    /// Lint exactly these files (the editor's workspace list) instead of walking `paths`.
    pub files: Option<Vec<PathBuf>>,
    /// Unsaved editor buffers: their text replaces what is on disk.
    pub overlays: std::collections::HashMap<PathBuf, String>,
}

#[derive(Debug)]
pub struct Report {
    pub project: Project,
    pub diagnostics: Vec<Diagnostic>,
    /// Not findings: skipped files and folders, for the user's information (printed to stderr).
    pub notes: Vec<String>,
    /// Files that were analysed (templates found, and files that failed to parse).
    pub files_checked: usize,
}

/// Errors that stop the run (exit status 2); bad input files are findings instead.
#[derive(Debug)]
pub enum Error {
    Config(ConfigError),
    Usage(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Config(error) => write!(f, "configuration error: {error}"),
            Error::Usage(message) => write!(f, "{message}"),
        }
    }
}

impl From<ConfigError> for Error {
    fn from(error: ConfigError) -> Self {
        Error::Config(error)
    }
}

/// One input file on its way through the pipeline.
struct Input {
    path: PathBuf,
    settings: usize,
    bytes: Option<Vec<u8>>,
}

/// What reading one file produced.
struct Read {
    source: SourceFile,
    settings: usize,
    template: Option<Template>,
    code: Option<CodeFile>,
    invalid: Option<(Span, String, String)>,
    note: Option<String>,
}

pub fn check(options: &CheckOptions) -> Result<Report, Error> {
    let cwd = std::env::current_dir()
        .map_err(|e| Error::Usage(format!("cannot read the current directory: {e}")))?;
    let Discovered {
        settings: all_settings,
        inputs,
        mut notes,
    } = discover(options, &cwd)?;
    let wrangler = WranglerFolders::default();
    // In the chunks the threads made, in input order: each chunk is freed once moved into the
    // project, so the reads are never held twice.
    let reads = inputs
        .into_par_iter()
        .filter_map(|input| read(input, &cwd, &wrangler))
        .collect_vec_list();
    let count = reads.iter().map(Vec::len).sum();
    let code_count = reads.iter().flatten().filter(|r| r.code.is_some()).count();

    let mut project = Project::default();
    project.files.reserve_exact(count);
    project.code.reserve_exact(code_count);
    let mut file_settings = Vec::with_capacity(count);
    let mut diagnostics = Vec::new();
    let mut checked = Vec::new();
    for read in reads.into_iter().flatten() {
        let id = project.files.len();
        notes.extend(
            read.note
                .map(|note| format!("{}: {note}", read.source.display)),
        );
        if let Some((span, what, reason)) = &read.invalid {
            diagnostics.push(rules::invalid_file::diagnostic(id, *span, what, reason));
        }
        if read.template.is_some() || read.code.is_some() || read.invalid.is_some() {
            checked.push(id);
        }
        if let Some(template) = read.template {
            let mut template = template;
            reassign_file(&mut template, id);
            project.templates.push((id, template));
        }
        if let Some(mut code) = read.code {
            code.file = id;
            project.code.push(code);
        }
        project.files.push(read.source);
        file_settings.push(read.settings);
    }
    link::link(&mut project);
    let settings_of = |file: usize| &all_settings[file_settings[file]];
    let options_for_rules = all_settings
        .first()
        .map(|s| s.options.clone())
        .unwrap_or_default();
    diagnostics.extend(rules::run(&project, &options_for_rules));

    let enabled =
        |file: usize, code: &str| settings_of(file).is_enabled(code, &project.files[file].path);
    let diagnostics: Vec<Diagnostic> = diagnostics
        .into_iter()
        .filter(|d| enabled(d.file, d.code))
        .collect();
    let mut suppressions = Suppressions::collect(&project, checked.iter().copied());
    let mut diagnostics = suppressions.filter(&project, diagnostics);
    diagnostics.extend(
        suppressions
            .unused(enabled)
            .into_iter()
            .filter(|d| enabled(d.file, d.code)),
    );
    for diagnostic in &mut diagnostics {
        diagnostic.severity =
            settings_of(diagnostic.file).severity_of(diagnostic.code, diagnostic.severity);
    }
    restore_texts(&mut project, &diagnostics);
    sort(&project, &mut diagnostics);
    Ok(Report {
        files_checked: checked.len(),
        project,
        diagnostics,
        notes,
    })
}

/// What discovery found: settings per path argument, the files to read, notes for the user.
struct Discovered {
    settings: Vec<Settings>,
    inputs: Vec<Input>,
    notes: Vec<String>,
}

/// Settings per path argument (a config file governs the paths below it) and the files to read.
fn discover(options: &CheckOptions, cwd: &Path) -> Result<Discovered, Error> {
    let settings_for = |path: &Path| -> Result<Settings, Error> {
        let mut settings = match options
            .config
            .as_deref()
            .or(Settings::discover(path).as_deref())
        {
            Some(file) => Settings::load(file)?,
            None => Settings::defaults(cwd.to_path_buf()),
        };
        settings.apply(&options.overrides)?;
        Ok(settings)
    };
    if let Some((name, bytes)) = &options.stdin {
        let parent = name
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let settings = settings_for(&cwd.join(parent))?;
        let wanted = walk::classify(name).is_some() && !settings.is_excluded(name);
        let inputs = wanted
            .then(|| Input {
                path: name.clone(),
                settings: 0,
                bytes: Some(bytes.clone()),
            })
            .into_iter()
            .collect();
        return Ok(Discovered {
            settings: vec![settings],
            inputs,
            notes: Vec::new(),
        });
    }
    if let Some(files) = &options.files {
        let root = options
            .paths
            .first()
            .cloned()
            .unwrap_or_else(|| cwd.to_path_buf());
        let settings = settings_for(&root)?;
        let inputs = files
            .iter()
            .filter(|file| walk::classify(file).is_some() && !settings.is_excluded(file))
            .map(|file| Input {
                path: file.clone(),
                settings: 0,
                bytes: options
                    .overlays
                    .get(file)
                    .map(|text| text.clone().into_bytes()),
            })
            .collect();
        return Ok(Discovered {
            settings: vec![settings],
            inputs,
            notes: Vec::new(),
        });
    }
    let paths = if options.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        options.paths.clone()
    };
    let mut all_settings = Vec::new();
    let mut inputs = Vec::new();
    let mut notes = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for path in &paths {
        if std::fs::symlink_metadata(path).is_err() {
            return Err(Error::Usage(format!(
                "{}: no such file or directory",
                path.display()
            )));
        }
        let settings = settings_for(path)?;
        let walked = walk::walk(path, &settings);
        notes.extend(walked.notes);
        let index = all_settings.len();
        all_settings.push(settings);
        for file in walked.files {
            if seen.insert(file.clone()) {
                inputs.push(Input {
                    path: file,
                    settings: index,
                    bytes: None,
                });
            }
        }
    }
    Ok(Discovered {
        settings: all_settings,
        inputs,
        notes,
    })
}

/// Reads and parses one file. `None`: nothing to say about it.
fn read(input: Input, cwd: &Path, wrangler: &WranglerFolders) -> Option<Read> {
    let display = display_path(&input.path, cwd);
    let kind = walk::classify(&input.path);
    let code_language = match kind {
        Some(walk::FileKind::Code(language)) => Some(language),
        _ => None,
    };
    // Files we are sure we should read get FL000 when they cannot be; others are skipped.
    let named_template = frontend::is_template_name(&input.path) || code_language.is_some();
    let skip = |note: String| {
        Some(Read {
            source: SourceFile::new(input.path.clone(), display.clone(), String::new()),
            settings: input.settings,
            template: None,
            code: None,
            invalid: None,
            note: Some(note),
        })
    };
    let from_disk = input.bytes.is_none();
    let bytes = match input.bytes {
        Some(bytes) => bytes,
        None => {
            match std::fs::metadata(&input.path) {
                Ok(meta) if meta.len() > walk::MAX_FILE_BYTES => {
                    return skip(format!(
                        "skipped: {:.1} MB is over the {} MB size limit",
                        meta.len() as f64 / 1_048_576.0,
                        walk::MAX_FILE_BYTES / 1_048_576
                    ))
                }
                Ok(meta) if !meta.is_file() => return skip("skipped: not a regular file".into()),
                Ok(_) => {}
                Err(error) => return skip(format!("skipped: cannot read it: {error}")),
            }
            match std::fs::read(&input.path) {
                Ok(bytes) => bytes,
                Err(error) => return skip(format!("skipped: cannot read it: {error}")),
            }
        }
    };
    if bytes.len() as u64 > walk::MAX_FILE_BYTES {
        return skip(format!(
            "skipped: over the {} MB size limit",
            walk::MAX_FILE_BYTES / 1_048_576
        ));
    }
    let what = if frontend::serverless::is_serverless_file(&input.path) {
        "serverless.yml"
    } else {
        "template"
    };
    let invalid = |text: String, span: Span, reason: String| Read {
        source: SourceFile::new(input.path.clone(), display.clone(), text),
        settings: input.settings,
        template: None,
        code: None,
        invalid: Some((span, what.to_string(), reason)),
        note: None,
    };
    if bytes.iter().take(8192).any(|&b| b == 0) {
        return named_template.then(|| {
            invalid(
                String::new(),
                Span::default(),
                "it is a binary file, not YAML or JSON text".into(),
            )
        });
    }
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => {
            let at = error.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(error.as_bytes()).into_owned();
            let reported = named_template || frontend::looks_like_template(&text);
            let span = Span::new(at.min(text.len()), at.min(text.len()));
            return reported.then(|| {
                invalid(
                    text,
                    span,
                    format!("invalid UTF-8 at byte {at}; save the file as UTF-8"),
                )
            });
        }
    };
    let source = SourceFile::new(input.path.clone(), display, text);
    let read = |source, template, code, invalid: Option<frontend::Unreadable>, note| Read {
        source,
        settings: input.settings,
        template,
        code,
        invalid: invalid.map(|u| (u.span, u.what.to_string(), u.reason)),
        note,
    };
    if source.text.trim().is_empty() {
        let note = Some("skipped: empty file".to_string());
        return (named_template && code_language.is_none())
            .then(|| read(source, None, None, None, note));
    }
    if let Some(language) = code_language {
        if let Some(note) = frontend::minified(&source.text) {
            return Some(read(source, None, None, None, Some(note)));
        }
        return Some(match frontend::read_code(language, &source) {
            Ok(mut code) => {
                code.is_test = walk::is_test_path(&source.path);
                code.is_worker |= wrangler.contain(&source.path);
                read(released(source, from_disk), None, Some(code), None, None)
            }
            Err(unreadable) => read(source, None, None, Some(unreadable), None),
        });
    }
    match frontend::read_template(0, &source) {
        Ok(template) => Some(read(
            released(source, from_disk),
            template,
            None,
            None,
            None,
        )),
        Err(unreadable) => Some(read(source, None, None, Some(unreadable), None)),
    }
}

/// Which folders hold a Wrangler configuration, asked of the file system once per folder however
/// many files share it.
#[derive(Default)]
struct WranglerFolders(Mutex<HashMap<PathBuf, bool>>);

impl WranglerFolders {
    /// Code in a Cloudflare Workers project (a `wrangler.toml` above it) runs per request, where
    /// per-request clients are right.
    fn contain(&self, path: &Path) -> bool {
        let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        absolute
            .ancestors()
            .skip(1)
            .take(6)
            .any(|dir| self.has_configuration(dir))
    }

    fn has_configuration(&self, dir: &Path) -> bool {
        if let Some(&known) = self.0.lock().expect("wrangler lock").get(dir) {
            return known;
        }
        let found = ["wrangler.toml", "wrangler.json", "wrangler.jsonc"]
            .iter()
            .any(|name| dir.join(name).is_file());
        self.0
            .lock()
            .expect("wrangler lock")
            .insert(dir.to_path_buf(), found);
        found
    }
}

/// A parsed file without its text, when the text is on disk to read again and holds no
/// suppression comment (those are read from the text later). `restore_texts` brings back the
/// texts of the files that findings show.
fn released(mut source: SourceFile, from_disk: bool) -> SourceFile {
    if from_disk && !source.text.contains(suppress::MARKER) {
        source.release_text();
    }
    source
}

/// Reads again the texts released after parsing of the files that findings show.
fn restore_texts(project: &mut Project, diagnostics: &[Diagnostic]) {
    let shown: std::collections::BTreeSet<usize> = diagnostics
        .iter()
        .flat_map(|d| std::iter::once(d.file).chain(d.related.iter().map(|r| r.file)))
        .collect();
    for file in shown {
        project.files[file].restore_text();
    }
}

/// Front ends run before file ids are known; give the template's functions their real id.
fn reassign_file(template: &mut Template, id: usize) {
    for function in &mut template.functions {
        function.file = id;
    }
}

/// Relative to the current directory when below it, with `/` separators (the JSON contract).
pub fn display_path(path: &Path, cwd: &Path) -> String {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    };
    let normal: PathBuf = absolute.components().fold(PathBuf::new(), |mut acc, c| {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                acc.pop();
            }
            other => acc.push(other),
        }
        acc
    });
    let shown = normal
        .strip_prefix(cwd)
        .map_or(normal.as_path(), |relative| relative);
    shown.to_string_lossy().replace('\\', "/")
}

/// Deterministic order: path, line, column, code, then message.
fn sort(project: &Project, diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        let file_a = &project.files[a.file].display;
        let file_b = &project.files[b.file].display;
        file_a
            .cmp(file_b)
            .then(a.span.start.cmp(&b.span.start))
            .then(a.code.cmp(b.code))
            .then(a.message.cmp(&b.message))
    });
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
}
