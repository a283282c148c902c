//! Discovery: which files to read (gitignore-aware, parallel) and what kind each one is.

use crate::config::Settings;
use crate::model::Language;
use ignore::{WalkBuilder, WalkState};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Folders never worth linting: dependencies, build output, caches.
pub const DEFAULT_EXCLUDES: &[&str] = &[
    "node_modules",
    ".aws-sam",
    "cdk.out",
    ".serverless",
    "target",
    ".venv",
    "venv",
    "site-packages",
    "__pycache__",
    ".git",
];

/// Larger files are skipped with a note: no template or handler is this big.
pub const MAX_FILE_BYTES: u64 = 5 * 1024 * 1024;

/// Well-known YAML/JSON files that are never templates; skipping them by name saves reading
/// lock files that can be megabytes long.
const NOT_TEMPLATES: &[&str] = &[
    "package.json",
    "package-lock.json",
    "npm-shrinkwrap.json",
    "composer.json",
    "pnpm-lock.yaml",
    "jsconfig.json",
    "cdk.json",
    "cdk.context.json",
    ".eslintrc.json",
    ".prettierrc.json",
    "renovate.json",
    ".pre-commit-config.yaml",
    ".pre-commit-hooks.yaml",
    "mkdocs.yml",
    "docker-compose.yml",
    "docker-compose.yaml",
    "compose.yaml",
    "compose.yml",
    "pubspec.yaml",
    "action.yml",
    "action.yaml",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// YAML or JSON that may be a SAM/CloudFormation template or a `serverless.yml`.
    Template,
    /// Handler code.
    Code(Language),
}

pub fn classify(path: &Path) -> Option<FileKind> {
    let name = path.file_name()?.to_str()?;
    if NOT_TEMPLATES.contains(&name) || (name.starts_with("tsconfig") && name.ends_with(".json")) {
        return None;
    }
    // Type declarations hold no code; minified bundles are build output, their sources are linted.
    if name.ends_with(".d.ts") || name.ends_with(".min.js") || name.ends_with(".min.mjs") {
        return None;
    }
    let extension = path.extension()?.to_str()?.to_ascii_lowercase();
    match extension.as_str() {
        "yaml" | "yml" | "json" | "template" | "tf" => Some(FileKind::Template),
        "toml" | "jsonc" if crate::frontend::wrangler::is_wrangler_file(path) => {
            Some(FileKind::Template)
        }
        "py" => Some(FileKind::Code(Language::Python)),
        "rs" => Some(FileKind::Code(Language::Rust)),
        "go" if !name.ends_with("_test.go") => Some(FileKind::Code(Language::Go)),
        "java" => Some(FileKind::Code(Language::Java)),
        "cs" => Some(FileKind::Code(Language::CSharp)),
        _ => crate::frontend::javascript::language(path).map(FileKind::Code),
    }
}

/// Test code (`test_*.py`, `*_test.py`, `*.test.ts`, `*.spec.js`, `__tests__/`, `tests/`): it
/// runs on a developer's machine or in CI, never per invocation.
pub fn is_test_path(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let test_name = (name.starts_with("test_") && name.ends_with(".py"))
        || name.ends_with("_test.py")
        || name == "conftest.py"
        || name.contains(".test.")
        || name.contains(".spec.")
        || ((name.ends_with("Tests.cs") || name.ends_with("Test.cs")) && name.len() > 8);
    // .NET test projects are folders named `<Project>.Tests` (or `.UnitTests`, `.Test`).
    let test_dir = path.parent().is_some_and(|dir| {
        dir.components().any(|c| {
            let part = c.as_os_str().to_str().unwrap_or("");
            matches!(
                part,
                "__tests__" | "__mocks__" | "tests" | "test" | "Tests" | "Test"
            ) || part.ends_with(".Tests")
                || part.ends_with(".UnitTests")
                || part.ends_with(".IntegrationTests")
                || part.ends_with(".Test")
        })
    });
    test_name || test_dir
}

fn is_default_excluded(name: &std::ffi::OsStr) -> bool {
    name.to_str()
        .is_some_and(|name| DEFAULT_EXCLUDES.contains(&name))
}

/// A folder `pip install --target` filled (a Lambda layer's `python/`, a vendored
/// `dependencies/`): other people's packages, recognised by their `*.dist-info` records.
fn is_vendored_packages(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries.flatten().any(|entry| {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            name.ends_with(".dist-info") || name.ends_with(".egg-info")
        })
    })
}

#[derive(Debug, Default)]
pub struct Walked {
    pub files: Vec<PathBuf>,
    /// Things the user should know that are not findings (unreadable folders, loops).
    pub notes: Vec<String>,
}

const NOT_REGULAR: &str = "not a regular file (a FIFO, socket or device), not read";

/// A FIFO, socket or device: reading it could block forever or never end.
fn is_special(file_type: std::fs::FileType) -> bool {
    !(file_type.is_file() || file_type.is_dir() || file_type.is_symlink())
}

/// A path argument that is not a folder: a file (through any symbolic link), or why not.
fn walk_one(path: &Path, settings: &Settings) -> Walked {
    let mut walked = Walked::default();
    if classify(path).is_none() || settings.is_excluded(path) {
        return walked;
    }
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_file() => walked.files.push(path.to_path_buf()),
        Ok(_) => walked
            .notes
            .push(format!("skipped: {}: {NOT_REGULAR}", path.display())),
        Err(error) => walked
            .notes
            .push(format!("skipped: {}: {error}", path.display())),
    }
    walked
}

/// Files under `root` (or `root` itself) to lint, sorted. Explicit file arguments are linted
/// even inside default-excluded folders; `exclude` from the configuration always applies.
pub fn walk(root: &Path, settings: &Settings) -> Walked {
    if !root.is_dir() {
        return walk_one(root, settings);
    }
    let files = Mutex::new(Vec::new());
    let notes = Mutex::new(Vec::new());
    WalkBuilder::new(root)
        .hidden(false)
        .require_git(false)
        .follow_links(false)
        // As many walkers as parsers: `--threads 1` means one thread throughout.
        .threads(rayon::current_num_threads())
        .filter_entry(|entry| {
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            entry.depth() == 0
                || !(is_default_excluded(entry.file_name())
                    || (is_dir && is_vendored_packages(entry.path())))
        })
        .build_parallel()
        .run(|| {
            Box::new(|entry| {
                match entry {
                    Ok(entry) => {
                        let path = entry.path();
                        if settings.is_excluded(path) {
                            return WalkState::Skip;
                        }
                        if classify(path).is_none() {
                            return WalkState::Continue;
                        }
                        // Symbolic links are not followed (no loops, no file linted twice).
                        match entry.file_type() {
                            Some(t) if t.is_file() => {
                                files.lock().expect("walker lock").push(path.to_path_buf())
                            }
                            Some(t) if is_special(t) => notes
                                .lock()
                                .expect("walker lock")
                                .push(format!("skipped: {}: {}", path.display(), NOT_REGULAR)),
                            _ => {}
                        }
                    }
                    Err(error) => notes
                        .lock()
                        .expect("walker lock")
                        .push(format!("skipped: {error}")),
                }
                WalkState::Continue
            })
        });
    let mut files = files.into_inner().expect("walker lock");
    files.sort();
    let mut notes = notes.into_inner().expect("walker lock");
    notes.sort();
    Walked { files, notes }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_by_name_and_extension() {
        assert_eq!(
            classify(Path::new("a/template.yaml")),
            Some(FileKind::Template)
        );
        assert_eq!(
            classify(Path::new("stack.template")),
            Some(FileKind::Template)
        );
        assert_eq!(
            classify(Path::new("infra/api.JSON")),
            Some(FileKind::Template)
        );
        assert_eq!(classify(Path::new("package.json")), None);
        assert_eq!(classify(Path::new("tsconfig.build.json")), None);
        assert_eq!(
            classify(Path::new("src/app.ts")),
            Some(FileKind::Code(Language::TypeScript))
        );
        assert_eq!(
            classify(Path::new("app.py")),
            Some(FileKind::Code(Language::Python))
        );
        assert_eq!(
            classify(Path::new("src/main.rs")),
            Some(FileKind::Code(Language::Rust))
        );
        assert_eq!(
            classify(Path::new("cmd/orders/main.go")),
            Some(FileKind::Code(Language::Go))
        );
        assert_eq!(classify(Path::new("main_test.go")), None);
        assert_eq!(
            classify(Path::new("src/main/java/com/example/App.java")),
            Some(FileKind::Code(Language::Java))
        );
        assert_eq!(
            classify(Path::new("src/Orders/Function.cs")),
            Some(FileKind::Code(Language::CSharp))
        );
        assert_eq!(classify(Path::new("types.d.ts")), None);
        assert_eq!(classify(Path::new("vendor.min.js")), None);
        assert_eq!(classify(Path::new("README.md")), None);
    }

    #[test]
    fn walks_respecting_gitignore_and_default_excludes() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for file in [
            "template.yaml",
            "node_modules/x/template.yaml",
            "build/template.yaml",
            "legacy/template.yaml",
            "nested/serverless.yml",
            "src/app.ts",
        ] {
            let path = root.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "Resources: {}\n").unwrap();
        }
        std::fs::write(root.join(".gitignore"), "build/\n").unwrap();
        let settings = Settings::parse("exclude = [\"legacy\"]", None, root.to_path_buf()).unwrap();
        let walked = walk(root, &settings);
        let found: Vec<_> = walked
            .files
            .iter()
            .map(|p| {
                p.strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect();
        assert_eq!(
            found,
            ["nested/serverless.yml", "src/app.ts", "template.yaml"]
        );
    }

    #[test]
    fn test_paths() {
        for test in [
            "test_orders.py",
            "orders_test.py",
            "src/orders.test.ts",
            "a.spec.js",
            "src/__tests__/a.ts",
            "tests/unit/a.py",
        ] {
            assert!(is_test_path(Path::new(test)), "{test}");
        }
        for code in [
            "src/orders.py",
            "handlers/testing_utils.py",
            "src/latest.ts",
        ] {
            assert!(!is_test_path(Path::new(code)), "{code}");
        }
    }
}
