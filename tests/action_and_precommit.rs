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
fn expand(value: &str, inputs: &HashMap<&str, String>, github: &[(&str, &str)]) -> String {
    let mut out = value.to_string();
    for (name, input) in inputs {
        out = out.replace(&format!("${{{{ inputs.{name} }}}}"), input);
    }
    for (name, value) in github {
        out = out.replace(&format!("${{{{ github.{name} }}}}"), value);
    }
    out
}

/// A simulated runner: one tool cache for all its runs, as on one machine.
struct Runner {
    dir: tempfile::TempDir,
    /// Extra environment of every step.
    env: Vec<(&'static str, String)>,
    /// The `github` context the steps' env reads.
    github: Vec<(&'static str, &'static str)>,
    /// Hands the test's binary to the install step instead of downloading or building.
    prebuilt: bool,
}

struct ActionRun {
    /// The last step run: the check step, or the step that failed before it.
    code: i32,
    stdout: String,
    stderr: String,
    /// What every step printed, in order.
    log: String,
    /// Whether the check step ran.
    checked: bool,
    outputs: HashMap<String, String>,
    summary: String,
}

impl Runner {
    fn new() -> Self {
        Runner {
            dir: tempdir().unwrap(),
            env: Vec::new(),
            github: vec![
                ("action_ref", "main"),
                ("action_repository", "faaslint/faaslint"),
            ],
            prebuilt: true,
        }
    }

    /// Runs the action's `run` steps in order, stopping at the first failing step before the
    /// check step.
    fn run(&self, workspace: &Path, inputs: &[(&str, &str)]) -> ActionRun {
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
        let files: Vec<_> = ["output", "summary", "path"]
            .iter()
            .map(|f| self.dir.path().join(f))
            .collect();
        for file in &files {
            std::fs::write(file, "").unwrap();
        }
        let mut path_var = std::env::var("PATH").unwrap();
        let mut last = (0, String::new(), String::new());
        let mut log = String::new();
        let mut checked = false;
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
                .env("RUNNER_TOOL_CACHE", self.dir.path().join("tool-cache"))
                .envs(self.env.iter().map(|(k, v)| (k, v)));
            if self.prebuilt {
                command.env("FAASLINT_PREBUILT", env!("CARGO_BIN_EXE_faaslint"));
            }
            if let Some(env) = step.get("env") {
                for (key, value) in env.entries() {
                    command.env(
                        key.scalar_text().unwrap(),
                        expand(value.scalar_text().unwrap_or(""), &values, &self.github),
                    );
                }
            }
            let output = command.output().unwrap();
            last = (
                output.status.code().unwrap_or(-1),
                String::from_utf8_lossy(&output.stdout).into_owned(),
                String::from_utf8_lossy(&output.stderr).into_owned(),
            );
            log += &last.1;
            log += &last.2;
            let is_check = step.get("id").and_then(Node::as_str) == Some("check");
            checked |= is_check;
            if !is_check && last.0 != 0 {
                break;
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
        ActionRun {
            code: last.0,
            stdout: last.1,
            stderr: last.2,
            log,
            checked,
            outputs,
            summary,
        }
    }
}

/// Runs the action with the test's binary; returns the check step's output.
fn run_action(
    workspace: &Path,
    inputs: &[(&str, &str)],
) -> (i32, String, String, HashMap<String, String>, String) {
    let run = Runner::new().run(workspace, inputs);
    assert!(run.checked, "a step before the check failed: {}", run.log);
    (run.code, run.stdout, run.stderr, run.outputs, run.summary)
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

#[test]
fn the_source_built_hook_blocks_an_anti_pattern_and_passes_a_clean_change() {
    let Some(pre_commit) = client("pre-commit") else {
        return;
    };
    // A home kept between runs: the hook's cargo build happens once per machine, as for a user.
    let home = repo_root().join("target/pre-commit-home");
    precommit::blocks_an_anti_pattern_and_passes_a_clean_change(
        &pre_commit,
        repo_root(),
        "faaslint-rust",
        &[("PRE_COMMIT_HOME", home.into_os_string())],
    );
}

fn hooks(path: &Path) -> Vec<Node> {
    let text = std::fs::read_to_string(repo_root().join(path)).unwrap();
    yaml::parse(&text).unwrap().items().to_vec()
}

#[test]
fn the_hooks_are_the_wheel_and_the_source_build_with_one_definition() {
    let root = hooks(Path::new(".pre-commit-hooks.yaml"));
    let mirror = hooks(Path::new("pre-commit/.pre-commit-hooks.yaml"));
    let field = |hook: &Node, key: &str| hook.get(key).and_then(Node::as_str).map(str::to_string);
    let ids: Vec<_> = root.iter().map(|h| field(h, "id").unwrap()).collect();
    assert_eq!(ids, ["faaslint", "faaslint-rust"]);
    assert_eq!(field(&root[0], "language").as_deref(), Some("python"));
    assert_eq!(field(&root[1], "language").as_deref(), Some("rust"));
    assert_eq!(mirror.len(), 1);
    assert_eq!(field(&mirror[0], "id").as_deref(), Some("faaslint"));
    assert_eq!(field(&mirror[0], "language").as_deref(), Some("python"));
    // One hook, three installs: what runs and on which files never drifts apart.
    for hook in root.iter().chain(&mirror) {
        for key in ["entry", "files", "require_serial"] {
            assert_eq!(field(hook, key), field(&root[0], key), "{key}");
        }
    }
    // The mirror installs the wheel of this very version.
    let shim: toml::Table = std::fs::read_to_string(repo_root().join("pre-commit/pyproject.toml"))
        .unwrap()
        .parse()
        .unwrap();
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(shim["project"]["version"].as_str(), Some(version));
    assert_eq!(
        shim["project"]["dependencies"].as_array().unwrap()[0].as_str(),
        Some(format!("faaslint=={version}").as_str())
    );
}

#[test]
fn the_hook_reads_every_file_kind_faaslint_does() {
    let hook = &hooks(Path::new(".pre-commit-hooks.yaml"))[0];
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

/// A release as the workflow publishes it, packed by its own script from the test's binary.
fn release_layout(version: &str, target: &str) -> tempfile::TempDir {
    let releases = tempdir().unwrap();
    let packed = Command::new("bash")
        .arg(repo_root().join(".github/scripts/package.sh"))
        .args([version, target, env!("CARGO_BIN_EXE_faaslint")])
        .arg(releases.path().join(format!("v{version}")))
        .output()
        .unwrap();
    assert!(
        packed.status.success(),
        "{}",
        String::from_utf8_lossy(&packed.stderr)
    );
    releases
}

#[test]
fn the_action_downloads_the_release_asset_verifies_it_and_caches_it() {
    let version = env!("CARGO_PKG_VERSION");
    let target = "x86_64-unknown-linux-musl";
    let releases = release_layout(version, target);
    let server = http::FileServer::start(releases.path().to_path_buf());
    let asset = format!("/v{version}/faaslint-{version}-{target}.tar.gz");
    let mut runner = Runner::new();
    runner.prebuilt = false;
    // The action's own tag names the version; no toolchain, so a source build would fail.
    runner.github = vec![
        ("action_ref", "v0.1.0"),
        ("action_repository", "faaslint/faaslint"),
    ];
    runner.env = vec![
        ("FAASLINT_RELEASE_URL", server.url.clone()),
        ("RUNNER_OS", "Linux".into()),
        ("RUNNER_ARCH", "X64".into()),
        ("CARGO", "/nonexistent".into()),
    ];
    assert!(
        runner.github[0].1.ends_with(version),
        "the test's tag is this version"
    );
    let workspace = tempdir().unwrap();
    write(workspace.path(), "template.yaml", SAM_WITH_FINDINGS);

    let run = runner.run(workspace.path(), &[]);
    assert!(run.checked, "{}", run.log);
    assert!(
        run.log.contains(&format!(
            "faaslint: downloaded faaslint-{version}-{target}.tar.gz (SHA-256 verified)"
        )),
        "{}",
        run.log
    );
    assert!(!run.log.contains("building it from"), "{}", run.log);
    assert_eq!(run.code, 1, "{}", run.log);
    assert_eq!(run.outputs["findings"], "4");
    let cached = runner
        .dir
        .path()
        .join(format!("tool-cache/faaslint/{version}/{target}/faaslint"));
    assert!(cached.is_file());
    assert_eq!(server.requests(&asset), 1);

    // The next job on this runner takes it from the tool cache.
    let run = runner.run(workspace.path(), &[]);
    assert!(run.log.contains("from the tool cache"), "{}", run.log);
    assert_eq!(server.requests(&asset), 1, "not downloaded again");
}

#[test]
fn a_checksum_mismatch_fails_the_install_with_a_clear_message() {
    let version = "0.1.0";
    let target = "aarch64-apple-darwin";
    let releases = release_layout(version, target);
    let sums = releases.path().join(format!(
        "v{version}/faaslint-{version}-{target}.tar.gz.sha256"
    ));
    let published = std::fs::read_to_string(&sums).unwrap();
    std::fs::write(&sums, format!("{}{}", "0".repeat(64), &published[64..])).unwrap();
    let server = http::FileServer::start(releases.path().to_path_buf());
    let mut runner = Runner::new();
    runner.prebuilt = false;
    runner.env = vec![
        ("FAASLINT_RELEASE_URL", server.url.clone()),
        ("RUNNER_OS", "macOS".into()),
        ("RUNNER_ARCH", "ARM64".into()),
    ];
    let workspace = tempdir().unwrap();
    let run = runner.run(workspace.path(), &[("version", version)]);
    assert!(!run.checked, "the check must not run: {}", run.log);
    assert_eq!(run.code, 1);
    assert!(
        run.log.contains(&format!(
            "::error title=faaslint install::checksum mismatch for faaslint-{version}-{target}.tar.gz: the release says {}",
            "0".repeat(64)
        )),
        "{}",
        run.log
    );
    assert!(
        !run.log.contains("building it from"),
        "never falls back: {}",
        run.log
    );
    let cache = runner.dir.path().join("tool-cache/faaslint");
    assert!(!cache.join(version).join(target).join("faaslint").exists());
}

#[test]
fn without_a_release_version_or_asset_the_action_says_it_builds_from_source() {
    let releases = tempdir().unwrap(); // no assets at all
    let server = http::FileServer::start(releases.path().to_path_buf());
    for (inputs, github_ref, expected) in [
        (
            vec![],
            "main",
            "no release version (input `version` is empty and the action's ref 'main' is no tag)",
        ),
        (
            vec![("version", "9.9.9")],
            "main",
            "no release asset faaslint-9.9.9-x86_64-unknown-linux-musl.tar.gz at",
        ),
    ] {
        let mut runner = Runner::new();
        runner.prebuilt = false;
        runner.github = vec![
            ("action_ref", github_ref),
            ("action_repository", "faaslint/faaslint"),
        ];
        // A cargo that records its call instead of compiling for minutes.
        let fake = runner.dir.path().join("fake-bin");
        write(&fake, "cargo", "#!/bin/sh\necho \"cargo $*\"\nexit 3\n");
        Command::new("chmod")
            .arg("+x")
            .arg(fake.join("cargo"))
            .status()
            .unwrap();
        let path = format!("{}:{}", fake.display(), std::env::var("PATH").unwrap());
        runner.env = vec![
            ("FAASLINT_RELEASE_URL", server.url.clone()),
            ("RUNNER_OS", "Linux".into()),
            ("RUNNER_ARCH", "X64".into()),
            ("PATH", path),
        ];
        let workspace = tempdir().unwrap();
        let run = runner.run(workspace.path(), &inputs);
        assert!(run.log.contains(expected), "{}", run.log);
        assert!(
            run.log.contains("building it from the action's source"),
            "{}",
            run.log
        );
        assert!(
            run.log.contains("cargo install --locked --path"),
            "{}",
            run.log
        );
    }
}
