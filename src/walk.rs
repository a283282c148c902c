//! Discovery: which files to read (gitignore-aware, parallel) and what kind each one is.

use crate::config::Settings;
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
}

pub fn classify(path: &Path) -> Option<FileKind> {
    let name = path.file_name()?.to_str()?;
    if NOT_TEMPLATES.contains(&name) || (name.starts_with("tsconfig") && name.ends_with(".json")) {
        return None;
    }
    let extension = path.extension()?.to_str()?.to_ascii_lowercase();
    matches!(extension.as_str(), "yaml" | "yml" | "json" | "template").then_some(FileKind::Template)
}

fn is_default_excluded(name: &std::ffi::OsStr) -> bool {
    name.to_str()
        .is_some_and(|name| DEFAULT_EXCLUDES.contains(&name))
}

#[derive(Debug, Default)]
pub struct Walked {
    pub files: Vec<PathBuf>,
    /// Things the user should know that are not findings (unreadable folders, loops).
    pub notes: Vec<String>,
}

/// Files under `root` (or `root` itself) to lint, sorted. Explicit file arguments are linted
/// even inside default-excluded folders; `exclude` from the configuration always applies.
pub fn walk(root: &Path, settings: &Settings) -> Walked {
    if root.is_file() {
        let wanted = classify(root).is_some() && !settings.is_excluded(root);
        return Walked {
            files: if wanted {
                vec![root.to_path_buf()]
            } else {
                Vec::new()
            },
            notes: Vec::new(),
        };
    }
    let files = Mutex::new(Vec::new());
    let notes = Mutex::new(Vec::new());
    WalkBuilder::new(root)
        .hidden(false)
        .require_git(false)
        .follow_links(false)
        .filter_entry(|entry| entry.depth() == 0 || !is_default_excluded(entry.file_name()))
        .build_parallel()
        .run(|| {
            Box::new(|entry| {
                match entry {
                    Ok(entry) => {
                        let path = entry.path();
                        let is_file = entry.file_type().is_some_and(|t| t.is_file());
                        if settings.is_excluded(path) {
                            return WalkState::Skip;
                        }
                        if is_file && classify(path).is_some() {
                            files.lock().expect("walker lock").push(path.to_path_buf());
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
        assert_eq!(classify(Path::new("src/app.ts")), None);
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
        assert_eq!(found, ["nested/serverless.yml", "template.yaml"]);
    }
}
