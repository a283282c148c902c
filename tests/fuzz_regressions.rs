//! Inputs the fuzzers once broke faaslint with (kept under `fuzz/regressions/<target>/`), and
//! every fixture file, through the same entry points the fuzz targets use.

mod common;

use common::repo_root;
use std::path::Path;

/// The file name each fuzz target lints its input as.
const TARGETS: &[(&str, &str)] = &[
    ("template_yaml", "template.yaml"),
    ("template_json", "stack.template.json"),
    ("serverless_yml", "serverless.yml"),
    ("typescript", "src/handler.ts"),
    ("python", "src/handler.py"),
    ("rust_code", "src/main.rs"),
    ("terraform", "main.tf"),
    ("wrangler", "wrangler.toml"),
    ("wrangler", "wrangler.jsonc"),
    ("go", "src/main.go"),
    ("java", "src/main/java/Handler.java"),
    ("csharp", "src/Function.cs"),
];

/// Targets whose crashers are kept: their folders must be there, or the test would pass on
/// nothing.
const WITH_CRASHERS: &[&str] = &["template_json", "template_yaml"];

/// Targets that are not lint entry points: the configuration and suppression parsers.
const PARSER_TARGETS: &[&str] = &["config", "suppression"];

/// Every file below `dir`, which must exist.
fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let entries =
        std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{} is expected: {e}", dir.display()));
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// The crashers kept for `target`; none when its folder is absent.
fn crashers(target: &str) -> Vec<std::path::PathBuf> {
    let dir = repo_root().join("fuzz/regressions").join(target);
    if dir.exists() {
        files(&dir)
    } else {
        Vec::new()
    }
}

#[test]
fn every_regression_folder_is_a_target_and_none_is_missing() {
    let dir = repo_root().join("fuzz/regressions");
    for entry in std::fs::read_dir(&dir)
        .expect("fuzz/regressions exists")
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        let known = TARGETS.iter().any(|(target, _)| *target == name)
            || PARSER_TARGETS.contains(&name.as_str());
        assert!(
            known,
            "fuzz/regressions/{name} is no fuzz target: its inputs would never run"
        );
    }
    for target in WITH_CRASHERS {
        assert!(
            !crashers(target).is_empty(),
            "fuzz/regressions/{target} holds its crashers"
        );
    }
}

#[test]
fn regressions_stay_fixed() {
    for (target, name) in TARGETS {
        for input in crashers(target) {
            faaslint::fuzzing::lint_as(name, &std::fs::read(&input).unwrap());
        }
    }
    for input in crashers("config") {
        let text = String::from_utf8_lossy(&std::fs::read(&input).unwrap()).into_owned();
        let _ = faaslint::config::Settings::parse(&text, None, "/repo".into());
    }
    for input in crashers("suppression") {
        faaslint::fuzzing::suppressions(&String::from_utf8_lossy(&std::fs::read(&input).unwrap()));
    }
}

#[test]
fn every_fixture_file_through_every_front_end_keeps_the_invariants() {
    let fixtures = files(&repo_root().join("fixtures"));
    assert!(fixtures.len() > 20);
    for input in fixtures {
        let data = std::fs::read(&input).unwrap();
        for (_, name) in TARGETS {
            faaslint::fuzzing::lint_as(name, &data);
        }
        faaslint::fuzzing::suppressions(&String::from_utf8_lossy(&data));
    }
}
