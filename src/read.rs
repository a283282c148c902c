//! Reading one input file: size limits, binary, invalid UTF-8 and minified sniffing, and the
//! front end its kind calls for. What a file cannot give is a note (skipped) or an FL000
//! finding (a file we are sure we should read), never an error that stops the run.

use crate::catalog::CallPattern;
use crate::config::Configurations;
use crate::frontend::cookiecutter::{self, Defaults, Rendered};
use crate::frontend::terraform::{self, Folder};
use crate::frontend::{self, Unreadable};
use crate::model::{CodeFile, Language, Template};
use crate::source::{display_path, SourceFile, Span};
use crate::{suppress, walk};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// One file to read, with the configuration that governs it.
pub struct Input {
    pub path: PathBuf,
    /// Index of its settings in the run's [`Configurations`].
    pub settings: usize,
    /// The text given instead of the file on disk (stdin, an editor buffer).
    pub bytes: Option<Vec<u8>>,
}

/// What reading one file produced.
pub struct Read {
    pub source: SourceFile,
    pub settings: usize,
    pub template: Option<Template>,
    pub code: Option<CodeFile>,
    pub invalid: Option<Unreadable>,
    /// Why the file was skipped, for the user's information.
    pub note: Option<String>,
}

impl Read {
    fn new(source: SourceFile, settings: usize) -> Read {
        Read {
            source,
            settings,
            template: None,
            code: None,
            invalid: None,
            note: None,
        }
    }
}

/// Reads files for one run; shared by the reading threads.
pub struct Reader<'a> {
    cwd: &'a Path,
    /// Per configuration: the calls its rules read beyond the catalog.
    calls_read: Vec<Vec<CallPattern>>,
    /// Code below a Wrangler configuration is a Cloudflare Worker: it runs per request, where
    /// per-request clients are right.
    wrangler: MarkedFolders,
    /// CDK apps: asset paths in their stacks are relative to the folder of `cdk.json`.
    cdk_apps: MarkedFolders,
    cookiecutter: CookiecutterFolders,
    /// The `.tf` files of each Terraform folder, parsed once for all the files that refer to
    /// their siblings' variables and resources.
    terraform: TerraformFolders,
}

impl<'a> Reader<'a> {
    pub fn new(cwd: &'a Path, configurations: &Configurations) -> Reader<'a> {
        Reader {
            cwd,
            calls_read: configurations
                .iter()
                .map(|settings| settings.calls_read().cloned().collect())
                .collect(),
            wrangler: MarkedFolders::new(&["wrangler.toml", "wrangler.json", "wrangler.jsonc"]),
            cdk_apps: MarkedFolders::new(&["cdk.json"]),
            cookiecutter: CookiecutterFolders::default(),
            terraform: TerraformFolders::default(),
        }
    }

    /// Reads and parses one file. `None`: nothing to say about it.
    pub fn read(&self, input: Input) -> Option<Read> {
        let display = display_path(&input.path, self.cwd);
        let language = match walk::classify(&input.path) {
            Some(walk::FileKind::Code(language)) => Some(language),
            _ => None,
        };
        // Files we are sure we should read get FL000 when they cannot be; others are skipped.
        let expected = frontend::is_template_name(&input.path) || language.is_some();
        let from_disk = input.bytes.is_none();
        let empty = |note: String| {
            let mut read = Read::new(
                SourceFile::new(input.path.clone(), display.clone(), String::new()),
                input.settings,
            );
            read.note = Some(note);
            read
        };
        let bytes = match input.bytes {
            Some(bytes) => bytes,
            None => match read_bytes(&input.path) {
                Ok(bytes) => bytes,
                Err(note) => return Some(empty(note)),
            },
        };
        if bytes.len() as u64 > walk::MAX_FILE_BYTES {
            return Some(empty(format!(
                "skipped: over the {} MB size limit",
                walk::MAX_FILE_BYTES / 1_048_576
            )));
        }
        let what = what_it_is(&input.path, language);
        let unreadable = |text: String, span: Span, reason: String| {
            let mut read = Read::new(
                SourceFile::new(input.path.clone(), display.clone(), text),
                input.settings,
            );
            read.invalid = Some(Unreadable { span, what, reason });
            read
        };
        if bytes.iter().take(8192).any(|&b| b == 0) {
            let reason = "it is a binary file, not YAML or JSON text".to_string();
            return expected.then(|| unreadable(String::new(), Span::default(), reason));
        }
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(error) => {
                let at = error.utf8_error().valid_up_to();
                let text = String::from_utf8_lossy(error.as_bytes()).into_owned();
                let reported = expected || frontend::looks_like_template(&text);
                let span = Span::new(at.min(text.len()), at.min(text.len()));
                let reason = format!("invalid UTF-8 at byte {at}; save the file as UTF-8");
                return reported.then(|| unreadable(text, span, reason));
            }
        };
        // A template of a template repository is linted as rendered with its defaults.
        let (text, from_disk) = match language {
            None if cookiecutter::has_markup(&text)
                && (expected || frontend::looks_like_template(&text)) =>
            {
                let defaults = self.cookiecutter.defaults_for(&input.path);
                match cookiecutter::render(&text, defaults.as_deref()) {
                    Rendered::Text(rendered) => (rendered, false),
                    Rendered::Unknown(why) => {
                        let note = format!("skipped: {why}; lint the rendered template");
                        return Some(empty(note));
                    }
                    Rendered::Plain => (text, from_disk),
                }
            }
            _ => (text, from_disk),
        };
        let source = SourceFile::new(input.path.clone(), display, text);
        let mut read = Read::new(source, input.settings);
        if read.source.text.trim().is_empty() {
            // An empty `variables.tf` is a normal part of a Terraform module.
            read.note = Some("skipped: empty file".to_string());
            let worth_a_note = !terraform::is_terraform_file(&read.source.path);
            return (expected && language.is_none() && worth_a_note).then_some(read);
        }
        // Test code and infrastructure code in a language without an IaC front end (Java or C#
        // CDK stacks) hold nothing any rule reads: not parsed.
        if let Some(language) = language {
            if frontend::nothing_to_read(language, &read.source.path, &read.source.text) {
                return None;
            }
        }
        let parsed = match language {
            Some(language) => match frontend::minified(&read.source.text) {
                Some(note) => {
                    read.note = Some(note);
                    return Some(read);
                }
                None => self
                    .code(language, &read.source, input.settings)
                    .map(|(code, stack)| (read.code, read.template) = (Some(code), stack)),
            },
            None if terraform::is_terraform_file(&read.source.path) => self
                .terraform(&read.source, from_disk)
                .map(|template| read.template = Some(template)),
            None => frontend::read_template(&read.source).map(|template| read.template = template),
        };
        match parsed {
            Ok(()) => read.source = released(read.source, from_disk),
            Err(unreadable) => match language {
                // Handler code of a template repository: parsed as rendered, or skipped.
                Some(language) if cookiecutter::has_markup(&read.source.text) => {
                    return Some(self.rendered_code(read, language, input.settings));
                }
                _ => read.invalid = Some(unreadable),
            },
        }
        Some(read)
    }

    /// Code that does not parse as written but holds template markup: parsed as rendered with
    /// the defaults of the nearest `cookiecutter.json`, else skipped with a note.
    fn rendered_code(&self, mut read: Read, language: Language, settings: usize) -> Read {
        let defaults = self.cookiecutter.defaults_for(&read.source.path);
        let why = match cookiecutter::render(&read.source.text, defaults.as_deref()) {
            Rendered::Text(text) => {
                let rendered =
                    SourceFile::new(read.source.path.clone(), read.source.display.clone(), text);
                match self.code(language, &rendered, settings) {
                    Ok((code, stack)) => {
                        read.source = rendered;
                        read.code = Some(code);
                        read.template = stack;
                        return read;
                    }
                    Err(unreadable) => {
                        format!("it does not parse once rendered ({})", unreadable.reason)
                    }
                }
            }
            Rendered::Unknown(why) => why,
            Rendered::Plain => "it does not parse".to_string(),
        };
        read.source = SourceFile::new(read.source.path, read.source.display, String::new());
        read.note = Some(format!("skipped: {why}; lint the rendered template"));
        read
    }

    /// A Terraform file, read with the other files of its folder (its module).
    /// The folder's parse of the file is used when the text is the one on disk.
    fn terraform(&self, source: &SourceFile, from_disk: bool) -> Result<Template, Unreadable> {
        let dir = source.path.parent().unwrap_or(Path::new("."));
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        let folder = self.terraform.take(dir);
        if let Some(body) = folder.body_of(&source.path).filter(|_| from_disk) {
            return Ok(terraform::extract(&source.path, body, &folder));
        }
        let body = terraform::parse_body(&source.text)?;
        Ok(terraform::extract(&source.path, &body, &folder))
    }

    /// Handler code, and the functions it declares when it is a CDK stack (not a test of one).
    fn code(
        &self,
        language: Language,
        source: &SourceFile,
        settings: usize,
    ) -> Result<(CodeFile, Option<Template>), Unreadable> {
        let is_test = walk::is_test_path(&source.path);
        let stack = !is_test && frontend::cdk::mentions_cdk(&source.text);
        let calls_read = &self.calls_read[settings];
        let (mut code, program) =
            frontend::read_code_and_stack(language, source, calls_read, stack)?;
        code.is_test = is_test;
        code.is_worker |= self.wrangler.levels_up(&source.path, 6).is_some();
        let template = program.and_then(|program| {
            let levels = self.cdk_apps.levels_up(&source.path, 6).unwrap_or(0);
            let app_root = vec![".."; levels].join("/");
            frontend::cdk::stack(&program, source, &app_root)
        });
        Ok((code, template))
    }
}

/// The file's bytes, or why it is skipped (over the size limit, not a regular file, unreadable).
fn read_bytes(path: &Path) -> Result<Vec<u8>, String> {
    let cannot = |error: std::io::Error| format!("skipped: cannot read it: {error}");
    let meta = std::fs::metadata(path).map_err(cannot)?;
    if meta.len() > walk::MAX_FILE_BYTES {
        return Err(format!(
            "skipped: {:.1} MB is over the {} MB size limit",
            meta.len() as f64 / 1_048_576.0,
            walk::MAX_FILE_BYTES / 1_048_576
        ));
    }
    if !meta.is_file() {
        return Err("skipped: not a regular file".into());
    }
    std::fs::read(path).map_err(cannot)
}

/// What a file that cannot be decoded was meant to be, for its FL000 message.
fn what_it_is(path: &Path, language: Option<Language>) -> &'static str {
    match language {
        Some(Language::TypeScript) => "TypeScript file",
        Some(Language::JavaScript) => "JavaScript file",
        Some(Language::Python) => "Python file",
        Some(Language::Rust) => "Rust file",
        Some(Language::Go) => "Go file",
        Some(Language::Java) => "Java file",
        Some(Language::CSharp) => "C# file",
        None if frontend::serverless::is_serverless_file(path) => "serverless.yml",
        None if terraform::is_terraform_file(path) => "Terraform file",
        None if frontend::wrangler::is_wrangler_file(path) => "Wrangler configuration",
        None => "template",
    }
}

/// What is known of a folder (a Wrangler configuration, a `cookiecutter.json`), asked of the
/// file system once per folder however many files share it.
struct FolderCache<T>(Mutex<HashMap<PathBuf, T>>);

impl<T> Default for FolderCache<T> {
    fn default() -> Self {
        FolderCache(Mutex::new(HashMap::new()))
    }
}

impl<T: Clone> FolderCache<T> {
    fn get(&self, dir: &Path, load: impl FnOnce(&Path) -> T) -> T {
        if let Some(known) = self.0.lock().expect("folder cache lock").get(dir) {
            return known.clone();
        }
        let found = load(dir);
        self.0
            .lock()
            .expect("folder cache lock")
            .insert(dir.to_path_buf(), found.clone());
        found
    }
}

/// The folders above a file, nearest first, up to `depth` of them.
fn folders_above(path: &Path, depth: usize) -> impl Iterator<Item = PathBuf> {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let folders: Vec<PathBuf> = absolute
        .ancestors()
        .skip(1)
        .take(depth)
        .map(Path::to_path_buf)
        .collect();
    folders.into_iter()
}

/// Folders that hold one of a few marker files (`wrangler.toml`, `cdk.json`).
struct MarkedFolders {
    names: &'static [&'static str],
    marked: FolderCache<bool>,
}

impl MarkedFolders {
    fn new(names: &'static [&'static str]) -> MarkedFolders {
        MarkedFolders {
            names,
            marked: FolderCache::default(),
        }
    }

    /// How many folders above a file's own the nearest marked folder is (0: its own folder).
    fn levels_up(&self, path: &Path, depth: usize) -> Option<usize> {
        folders_above(path, depth).position(|dir| {
            self.marked.get(&dir, |dir| {
                self.names.iter().any(|name| dir.join(name).is_file())
            })
        })
    }
}

/// A Terraform folder being read: parsed by the first of its files to ask, and how many asked.
#[derive(Default)]
struct FolderReads {
    parsed: Arc<OnceLock<Arc<Folder>>>,
    asked: usize,
}

/// Terraform folders, parsed once and kept until each of their files has been read.
#[derive(Default)]
struct TerraformFolders(Mutex<HashMap<PathBuf, FolderReads>>);

impl TerraformFolders {
    /// The folder of one of its files, read for that file: the last of its files to ask lets
    /// it go, so a run never holds every module's syntax at once.
    fn take(&self, dir: &Path) -> Arc<Folder> {
        let cell = {
            let mut folders = self.0.lock().expect("terraform folders lock");
            let reads = folders.entry(dir.to_path_buf()).or_default();
            reads.asked += 1;
            reads.parsed.clone()
        };
        // Parsed outside the lock: the other files of this folder wait for it, no one else.
        let folder = cell.get_or_init(|| Arc::new(Folder::load(dir))).clone();
        let mut folders = self.0.lock().expect("terraform folders lock");
        if folders
            .get(dir)
            .is_some_and(|reads| reads.asked >= folder.file_count())
        {
            folders.remove(dir);
        }
        folder
    }
}

/// The defaults of the nearest `cookiecutter.json` above a file.
#[derive(Default)]
struct CookiecutterFolders(FolderCache<Option<Arc<Defaults>>>);

impl CookiecutterFolders {
    fn defaults_for(&self, path: &Path) -> Option<Arc<Defaults>> {
        folders_above(path, 8).find_map(|dir| {
            self.0.get(&dir, |dir| {
                std::fs::read_to_string(dir.join("cookiecutter.json"))
                    .ok()
                    .and_then(|json| Defaults::parse(&json))
                    .map(Arc::new)
            })
        })
    }
}

/// A parsed file without its text, when the text is on disk to read again and holds no
/// suppression comment (those are read from the text later). The pipeline restores the texts
/// of the files that findings show.
fn released(mut source: SourceFile, from_disk: bool) -> SourceFile {
    if from_disk && !source.text.contains(suppress::MARKER) {
        source.release_text();
    }
    source
}
