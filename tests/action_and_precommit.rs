//! The GitHub Action and the pre-commit hook, each driven by its real client or a faithful
//! stand-in: check-jsonschema validates `action.yml` against GitHub's metadata schema, the
//! composite steps run under a simulated runner environment, and pre-commit runs the hook
//! from this repository with `try-repo`.

mod common;

use common::clients::client;
use common::*;
use faaslint::frontend::yaml::{self, Node};
use std::collections::HashMap;
use std::path::Path;
use std::process::Command;
use tempfile::tempdir;

fn action() -> Node {
    let text = std::fs::read_to_string(repo_root().join("action.yml")).unwrap();
    yaml::parse(&text).expect("action.yml parses")
}

#[test]
fn action_metadata_validates_against_the_github_schema() {
    let Some(validator) = client("check-jsonschema") else {
        return;
    };
    let output = Command::new(validator)
        .args(["--builtin-schema", "vendor.github-actions"])
        .arg(repo_root().join("action.yml"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn inputs_reach_scripts_only_through_env() {
    let action = action();
    for step in action.path(&["runs", "steps"]).unwrap().items() {
        if let Some(run) = step.get("run").and_then(Node::as_str) {
            assert!(
                !run.contains("${{"),
                "a run script interpolates an expression: {run}"
            );
        }
    }
}

/// Replaces the `${{ ... }}` expressions a step's env uses with what the runner would.
fn expand(value: &str, inputs: &HashMap<&str, String>) -> String {
    let mut out = value.to_string();
    for (name, input) in inputs {
        out = out.replace(&format!("${{{{ inputs.{name} }}}}"), input);
    }
    out
}

/// Runs the action's `run` steps with a simulated runner; returns the check step's output.
fn run_action(
    workspace: &Path,
    inputs: &[(&str, &str)],
) -> (i32, String, String, HashMap<String, String>, String) {
    let action = action();
    let mut values: HashMap<&str, String> = HashMap::new();
    for (key, input) in action.get("inputs").unwrap().entries() {
        let default = input
            .get("default")
            .and_then(Node::scalar_text)
            .unwrap_or("")
            .to_string();
        values.insert(key.scalar_text().unwrap(), default);
    }
    for (name, value) in inputs {
        values.insert(name, value.to_string());
    }
    let runner = tempdir().unwrap();
    let files: Vec<_> = ["output", "summary", "path"]
        .iter()
        .map(|f| runner.path().join(f))
        .collect();
    for file in &files {
        std::fs::write(file, "").unwrap();
    }
    let mut path_var = std::env::var("PATH").unwrap();
    let mut last = (0, String::new(), String::new());
    for step in action.path(&["runs", "steps"]).unwrap().items() {
        let Some(script) = step.get("run").and_then(Node::as_str) else {
            continue; // `uses:` steps (the cache) are the runner's business
        };
        let mut command = Command::new("bash");
        command
            .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
            .current_dir(workspace)
            .env("PATH", &path_var)
            .env("GITHUB_ACTION_PATH", repo_root())
            .env("GITHUB_OUTPUT", &files[0])
            .env("GITHUB_STEP_SUMMARY", &files[1])
            .env("GITHUB_PATH", &files[2])
            .env("RUNNER_TOOL_CACHE", runner.path().join("tool-cache"))
            .env("FAASLINT_PREBUILT", env!("CARGO_BIN_EXE_faaslint"));
        if let Some(env) = step.get("env") {
            for (key, value) in env.entries() {
                command.env(
                    key.scalar_text().unwrap(),
                    expand(value.scalar_text().unwrap_or(""), &values),
                );
            }
        }
        let output = command.output().unwrap();
        last = (
            output.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        );
        if step.get("id").and_then(Node::as_str) != Some("check") {
            assert_eq!(last.0, 0, "step failed: {}{}", last.1, last.2);
        }
        // Later steps see what GITHUB_PATH added, as on a runner.
        for dir in std::fs::read_to_string(&files[2]).unwrap().lines() {
            path_var = format!("{dir}:{path_var}");
        }
    }
    let outputs = std::fs::read_to_string(&files[0])
        .unwrap()
        .lines()
        .filter_map(|l| {
            l.split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
        })
        .collect();
    let summary = std::fs::read_to_string(&files[1]).unwrap();
    (last.0, last.1, last.2, outputs, summary)
}

#[test]
fn composite_steps_annotate_summarise_and_write_sarif() {
    let workspace = tempdir().unwrap();
    write(workspace.path(), "infra/template.yaml", SAM_WITH_FINDINGS);
    write(workspace.path(), "README.md", "not linted");
    let (code, stdout, stderr, outputs, summary) = run_action(
        workspace.path(),
        &[("paths", "infra"), ("sarif-file", "out/faaslint.sarif")],
    );
    assert_eq!(code, 1, "findings fail the step: {stderr}");
    assert!(stdout.contains("::error file=infra/template.yaml,line=11,endLine=11,col=24,endColumn=35,title=FL201 plaintext-secret-env::"), "{stdout}");
    assert!(
        stdout.contains("::warning file=infra/template.yaml,line=4,"),
        "{stdout}"
    );
    assert!(!stdout.contains("Summer2024!"));
    assert!(
        summary.contains("| FL201 | plaintext-secret-env | error | 1 |"),
        "{summary}"
    );
    assert!(
        summary.contains("2 errors, 2 warnings, 0 infos in 1 files."),
        "{summary}"
    );
    assert_eq!(outputs["findings"], "4");
    assert_eq!(outputs["sarif-file"], "out/faaslint.sarif");
    let sarif: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(workspace.path().join("out/faaslint.sarif")).unwrap(),
    )
    .unwrap();
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 4);

    // fail-on error passes with warnings only; extra args reach faaslint.
    let (code, _, stderr, outputs, _) = run_action(
        workspace.path(),
        &[
            ("paths", "infra"),
            ("args", "--ignore FL201,FL502"),
            ("fail-on", "error"),
            ("sarif-file", ""),
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(outputs["findings"], "2");
    assert!(!outputs.contains_key("sarif-file"));

    // A configuration error is exit 2 with an annotation saying so.
    write(workspace.path(), "infra/faaslint.toml", "selct = []\n");
    let (code, stdout, _, _, _) = run_action(workspace.path(), &[("paths", "infra")]);
    assert_eq!(code, 2);
    assert!(
        stdout.contains("::error title=faaslint::faaslint could not run"),
        "{stdout}"
    );
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(["-c", "user.name=test", "-c", "user.email=test@example.com"])
        .args(args)
        .current_dir(dir)
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

#[test]
fn pre_commit_blocks_an_anti_pattern_and_passes_a_clean_change() {
    let Some(pre_commit) = client("pre-commit") else {
        return;
    };
    let project = tempdir().unwrap();
    git(project.path(), &["init", "-q"]);
    write(project.path(), "template.yaml", SAM_WITH_FINDINGS);
    git(project.path(), &["add", "template.yaml"]);
    let home = repo_root().join("target/pre-commit-home");
    let try_repo = |dir: &Path| {
        Command::new(&pre_commit)
            .args([
                "try-repo",
                repo_root().to_str().unwrap(),
                "faaslint",
                "--color",
                "never",
            ])
            .current_dir(dir)
            .env("PRE_COMMIT_HOME", &home)
            .output()
            .unwrap()
    };
    let blocked = try_repo(project.path());
    let shown = String::from_utf8_lossy(&blocked.stdout).into_owned()
        + &String::from_utf8_lossy(&blocked.stderr);
    assert!(!blocked.status.success(), "{shown}");
    assert!(
        shown.contains("error[FL201]") && shown.contains("environment variable `DB_PASSWORD`"),
        "{shown}"
    );
    assert!(!shown.contains("Summer2024!"), "{shown}");

    let clean = tempdir().unwrap();
    git(clean.path(), &["init", "-q"]);
    let fixed = SAM_WITH_FINDINGS
        .replace("DB_PASSWORD: Summer2024!", "DB_SECRET_NAME: prod/db")
        .replace("/{proxy+}", "/orders")
        .replace("Runtime: java21", "Runtime: nodejs20.x")
        .replace("      SnapStart:\n        ApplyOn: PublishedVersions\n", "");
    write(clean.path(), "template.yaml", fixed);
    git(clean.path(), &["add", "template.yaml"]);
    let passed = try_repo(clean.path());
    assert!(
        passed.status.success(),
        "{}{}",
        String::from_utf8_lossy(&passed.stdout),
        String::from_utf8_lossy(&passed.stderr)
    );
}

#[test]
fn the_hook_reads_every_file_kind_faaslint_does() {
    let hooks = std::fs::read_to_string(repo_root().join(".pre-commit-hooks.yaml")).unwrap();
    let hook = yaml::parse(&hooks).unwrap();
    let hook = &hook.items()[0];
    assert_eq!(hook.get("id").and_then(Node::as_str), Some("faaslint"));
    assert_eq!(hook.get("language").and_then(Node::as_str), Some("rust"));
    assert_eq!(
        hook.get("require_serial").and_then(Node::as_str),
        Some("true")
    );
    let pattern = regex::Regex::new(hook.get("files").and_then(Node::as_str).unwrap()).unwrap();
    for name in [
        "template.yaml",
        "a.yml",
        "stack.json",
        "x.template",
        "serverless.yml",
        "h.ts",
        "h.tsx",
        "h.mts",
        "h.cjs",
        "h.js",
        "h.mjs",
        "h.py",
        "main.rs",
        "infra/main.tf",
        "wrangler.toml",
        "worker/wrangler.jsonc",
        "cmd/orders/main.go",
        "src/main/java/com/example/App.java",
        "src/Orders/Function.cs",
    ] {
        assert!(pattern.is_match(name), "{name}");
        assert!(
            faaslint::walk::classify(Path::new(name)).is_some(),
            "{name} is read by faaslint"
        );
    }
    assert!(!pattern.is_match("README.md"));
}
