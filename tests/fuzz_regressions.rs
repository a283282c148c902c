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
];

fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
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

#[test]
fn regressions_stay_fixed() {
    for (target, name) in TARGETS {
        for input in files(&repo_root().join("fuzz/regressions").join(target)) {
            faaslint::fuzzing::lint_as(name, &std::fs::read(&input).unwrap());
        }
    }
    for input in files(&repo_root().join("fuzz/regressions/config")) {
        let text = String::from_utf8_lossy(&std::fs::read(&input).unwrap()).into_owned();
        let _ = faaslint::config::Settings::parse(&text, None, "/repo".into());
    }
    for input in files(&repo_root().join("fuzz/regressions/suppression")) {
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
