//! faaslint: a static analyzer for serverless applications.
//!
//! The pipeline, top to bottom: walk -> read and parse (in parallel) -> model -> rules ->
//! severities, selection and suppressions -> sorted diagnostics, ready for a renderer.

pub mod catalog;
pub mod config;
pub mod diagnostic;
pub mod frontend;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
pub mod graph;
pub mod knowledge;
pub mod link;
pub mod lsp;
pub mod model;
pub mod read;
pub mod render;
pub mod rules;
pub mod source;
pub mod suppress;
pub mod walk;

use config::{ConfigError, Configurations, Overrides, Settings};
use diagnostic::Diagnostic;
use model::{FileId, Project};
use rayon::prelude::*;
use read::{Input, Reader};
use std::path::{Path, PathBuf};
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
    /// The project's event graph, as the rules read it.
    pub graph: graph::Graph,
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

pub fn check(options: &CheckOptions) -> Result<Report, Error> {
    let cwd = std::env::current_dir()
        .map_err(|e| Error::Usage(format!("cannot read the current directory: {e}")))?;
    let Discovered {
        settings,
        inputs,
        mut notes,
    } = discover(options, &cwd)?;
    let mut configurations = Configurations::new(settings);
    let reader = Reader::new(&cwd, &configurations);
    // In the chunks the threads made, in input order: each chunk is freed once moved into the
    // project, so the reads are never held twice.
    let reads = inputs
        .into_par_iter()
        .filter_map(|input| reader.read(input))
        .collect_vec_list();
    let count = reads.iter().map(Vec::len).sum();
    let code_count = reads.iter().flatten().filter(|r| r.code.is_some()).count();

    let mut project = Project::default();
    project.files.reserve(count);
    project.code.reserve(code_count);
    let mut diagnostics = Vec::new();
    let mut checked = Vec::new();
    for read in reads.into_iter().flatten() {
        notes.extend(
            read.note
                .map(|note| format!("{}: {note}", read.source.display)),
        );
        let id = project.add_file(read.source);
        configurations.assign(id, read.settings);
        if let Some(unreadable) = &read.invalid {
            diagnostics.push(rules::invalid_file::diagnostic(
                id,
                unreadable.span,
                unreadable.what,
                &unreadable.reason,
            ));
        }
        if read.template.is_some() || read.code.is_some() || read.invalid.is_some() {
            checked.push(id);
        }
        if let Some(template) = read.template {
            // Included files hold findings, under the template's configuration, and their
            // suppression comments count.
            for included in project.add_template(id, template) {
                configurations.assign(included, read.settings);
                checked.push(included);
            }
        }
        if let Some(code) = read.code {
            project.add_code(id, code);
        }
    }
    link::link(&mut project);
    let graph = graph::Graph::build(&project);
    diagnostics.extend(rules::run(&project, &graph, &configurations));

    let enabled = |file: FileId, code: &str| {
        configurations
            .governing(file)
            .is_enabled(code, &project.files[file].path)
    };
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
        diagnostic.severity = configurations
            .governing(diagnostic.file)
            .severity_of(diagnostic.code, diagnostic.severity);
    }
    restore_texts(&mut project, &diagnostics);
    sort(&project, &mut diagnostics);
    render::escape_report_text(&mut diagnostics, &mut notes);
    Ok(Report {
        files_checked: checked.len(),
        project,
        graph,
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

/// Reads again the texts released after parsing of the files that findings show.
fn restore_texts(project: &mut Project, diagnostics: &[Diagnostic]) {
    let shown: std::collections::BTreeSet<FileId> = diagnostics
        .iter()
        .flat_map(|d| std::iter::once(d.file).chain(d.related.iter().map(|r| r.file)))
        .collect();
    for file in shown {
        project.files[file].restore_text();
    }
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
