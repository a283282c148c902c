//! The fixture projects: every line marked with a code (`# FL201`, `// FL101`) is reported with
//! that code,
//! and nothing else is. JSON cannot hold comments, so a JSON fixture lists its expected findings
//! in an `EXPECTED` file beside it (`CODE LINE` per line). Rendered output is kept as snapshots.

mod common;

use common::*;
use regex::Regex;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

type Finding = (String, u64, String);

fn files_below(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(files_below(&path));
        } else {
            files.push(path);
        }
    }
    files
}

/// What the markers and EXPECTED files of one fixture project promise.
fn expected(dir: &Path) -> BTreeSet<Finding> {
    let marker = Regex::new(r"(?:#|//)\s*(FL\d{3}(?:[\s,]+FL\d{3})*)\s*$").unwrap();
    let code = Regex::new(r"FL\d{3}").unwrap();
    let mut out = BTreeSet::new();
    let files = files_below(dir);
    for file in &files {
        let marked = [
            "yaml", "yml", "ts", "js", "mjs", "cjs", "py", "rs", "tf", "toml", "jsonc", "go",
            "java", "cs",
        ];
        if !file
            .extension()
            .is_some_and(|e| marked.iter().any(|m| e == *m))
        {
            continue;
        }
        let text = std::fs::read_to_string(file).unwrap();
        for (index, line) in text.lines().enumerate() {
            if let Some(found) = marker.captures(line) {
                for c in code.find_iter(&found[1]) {
                    out.insert((relative(file), index as u64 + 1, c.as_str().to_string()));
                }
            }
        }
    }
    if let Ok(list) = std::fs::read_to_string(dir.join("EXPECTED")) {
        let json: Vec<&PathBuf> = files
            .iter()
            .filter(|f| f.extension().is_some_and(|e| e == "json"))
            .collect();
        let templates: Vec<&&PathBuf> = json
            .iter()
            .filter(|f| !f.ends_with("package.json"))
            .collect();
        assert_eq!(
            templates.len(),
            1,
            "EXPECTED describes the one JSON template of {}",
            dir.display()
        );
        for line in list
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        {
            let mut parts = line.split_whitespace();
            let (code, number) = (parts.next().unwrap(), parts.next().unwrap());
            out.insert((
                relative(templates[0]),
                number.parse().unwrap(),
                code.to_string(),
            ));
        }
    }
    out
}

fn reported(dir: &Path) -> BTreeSet<Finding> {
    let run = faaslint(repo_root(), &["check", &relative(dir), "--format", "json"]);
    assert_ne!(run.code, 2, "{}", run.stderr);
    findings(&json(&run)).into_iter().collect()
}

#[test]
fn every_marked_line_and_nothing_else_is_reported() {
    let mut failures = Vec::new();
    for dir in fixture_dirs() {
        let want = expected(&dir);
        let got = reported(&dir);
        if want != got {
            let missing: Vec<_> = want.difference(&got).collect();
            let extra: Vec<_> = got.difference(&want).collect();
            failures.push(format!(
                "{}:\n  missing: {missing:?}\n  unexpected: {extra:?}",
                relative(&dir)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn fixtures_cover_every_rule_and_a_clean_project() {
    let mut codes = BTreeSet::new();
    let mut clean = 0;
    for dir in fixture_dirs() {
        let want = expected(&dir);
        if want.is_empty() {
            clean += 1;
        }
        codes.extend(want.into_iter().map(|(_, _, code)| code));
    }
    // Every rule that checks the model; FL000 and FL001 come from the pipeline itself.
    for rule in faaslint::rules::RULES.iter().filter(|r| r.check.is_some()) {
        assert!(codes.contains(rule.code), "a fixture marks {}", rule.code);
    }
    assert!(clean >= 1, "at least one fixture project is clean");
}

#[test]
fn no_secret_value_appears_in_any_format() {
    let secret = Regex::new(r"(sk_live_[0-9A-Za-z]{8,}|AKIA[0-9A-Z]{16}|ghp_[0-9A-Za-z]{20,}|SG\.[A-Za-z0-9_-]{10,}|hooks\.slack\.com/services/\S+)").unwrap();
    for format in ["human", "concise", "json"] {
        let run = faaslint(
            repo_root(),
            &["check", "fixtures", "--format", format, "--no-color"],
        );
        if let Some(found) = secret.find(&run.stdout) {
            panic!("{format} output shows a secret: {}", found.as_str());
        }
    }
}

#[test]
fn human_output_snapshots() {
    for dir in fixture_dirs() {
        let run = faaslint(repo_root(), &["check", &relative(&dir), "--no-color"]);
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        insta::assert_snapshot!(name, run.stdout);
    }
}
