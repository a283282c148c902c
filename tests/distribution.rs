//! Distribution: the PyPI wheel maturin builds from `pyproject.toml` installs into a fresh
//! virtual environment, without a Rust toolchain, and its `faaslint` checks a project; the
//! pre-commit mirror installs that wheel from a local index.

mod common;

use common::clients::client;
use common::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The wheel of this checkout, built once for every test here (in its own target folder: the
/// test run holds the lock of the usual one), with the time the build took.
fn wheel(maturin: &Path) -> &'static (PathBuf, Duration) {
    static WHEEL: OnceLock<(PathBuf, Duration)> = OnceLock::new();
    WHEEL.get_or_init(|| {
        let out = repo_root().join("target/wheel/dist");
        let _ = std::fs::remove_dir_all(&out);
        let started = Instant::now();
        let built = Command::new(maturin)
            .args(["build", "--release", "--locked", "--quiet", "--out"])
            .arg(&out)
            .env("CARGO_TARGET_DIR", repo_root().join("target/wheel"))
            .current_dir(repo_root())
            .output()
            .unwrap();
        assert!(
            built.status.success(),
            "maturin build: {}",
            String::from_utf8_lossy(&built.stderr)
        );
        let wheel = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|e| e == "whl"))
            .expect("a wheel was built");
        (wheel, started.elapsed())
    })
}

#[test]
fn the_wheel_installs_into_a_fresh_venv_and_checks_a_fixture() {
    let Some(maturin) = client("maturin") else {
        return;
    };
    let (wheel, build_time) = wheel(&maturin);
    let dir = tempfile::tempdir().unwrap();
    let name = wheel.file_name().unwrap().to_string_lossy().to_string();
    assert!(
        name.starts_with(&format!("faaslint-{}-py3-none-", env!("CARGO_PKG_VERSION"))),
        "{name}"
    );

    let venv = dir.path().join("venv");
    let started = Instant::now();
    let made = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .status()
        .unwrap();
    assert!(made.success());
    let installed = Command::new(venv.join("bin/pip"))
        .args([
            "install",
            "--quiet",
            "--no-index",
            "--disable-pip-version-check",
        ])
        .arg(wheel)
        .output()
        .unwrap();
    assert!(
        installed.status.success(),
        "pip install: {}",
        String::from_utf8_lossy(&installed.stderr)
    );
    let install_time = started.elapsed();
    let faaslint = venv.join("bin/faaslint");
    let version = Command::new(&faaslint).arg("--version").output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        format!("faaslint {}", env!("CARGO_PKG_VERSION"))
    );
    let run = Command::new(&faaslint)
        .args(["check", "fixtures/sam-orders-api", "--format", "json"])
        .current_dir(repo_root())
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1), "findings make exit status 1");
    let report: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    let codes: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"FL201"), "{codes:?}");
    runs_through_pipx_and_uvx(wheel, dir.path());
    eprintln!(
        "note: wheel {name}, {} bytes, built in {:.1} s, installed into a fresh venv in {:.1} s",
        std::fs::metadata(wheel).unwrap().len(),
        build_time.as_secs_f64(),
        install_time.as_secs_f64()
    );
}

#[test]
fn the_pre_commit_mirror_installs_the_wheel_from_a_local_index_in_seconds() {
    let (Some(maturin), Some(pre_commit)) = (client("maturin"), client("pre-commit")) else {
        return;
    };
    // The index: this checkout's wheel, and the build backend of the mirror's empty package
    // (.ci/clients.sh downloads it), so nothing comes from the network.
    let (wheel, _) = wheel(&maturin);
    let index = tempfile::tempdir().unwrap();
    std::fs::copy(wheel, index.path().join(wheel.file_name().unwrap())).unwrap();
    let wheelhouse = repo_root().join("target/clients/wheelhouse");
    let backend: Vec<_> = std::fs::read_dir(&wheelhouse)
        .map(|dir| dir.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    if backend.is_empty() {
        assert_ne!(
            std::env::var("FAASLINT_REQUIRE_CLIENTS").as_deref(),
            Ok("1"),
            "{} holds no build backend; run .ci/clients.sh",
            wheelhouse.display()
        );
        eprintln!(
            "note: skipping: no build backend in {}",
            wheelhouse.display()
        );
        return;
    }
    for file in &backend {
        std::fs::copy(file, index.path().join(file.file_name().unwrap())).unwrap();
    }

    // The mirror is its own repository, made from pre-commit/ as the release workflow makes it.
    let mirror = tempfile::tempdir().unwrap();
    for name in [".pre-commit-hooks.yaml", "pyproject.toml", "README.md"] {
        std::fs::copy(
            repo_root().join("pre-commit").join(name),
            mirror.path().join(name),
        )
        .unwrap();
    }
    precommit::git(mirror.path(), &["init", "-q"]);
    precommit::git(mirror.path(), &["add", "."]);
    precommit::git(mirror.path(), &["commit", "-q", "-m", "mirror"]);

    // A fresh pre-commit home: the first run installs the hook, as on a new machine.
    let home = tempfile::tempdir().unwrap();
    let first_run = precommit::blocks_an_anti_pattern_and_passes_a_clean_change(
        &pre_commit,
        mirror.path(),
        "faaslint",
        &[
            ("PRE_COMMIT_HOME", home.path().into()),
            ("PIP_NO_INDEX", "1".into()),
            ("PIP_FIND_LINKS", index.path().into()),
            // No toolchain: a source build would fail instead of hiding in the time.
            ("CARGO", "/nonexistent/cargo".into()),
            ("RUSTUP_TOOLCHAIN", "none".into()),
        ],
    );
    assert!(
        first_run < Duration::from_secs(60),
        "installing and running the hook took {first_run:?}"
    );
    eprintln!(
        "note: the pre-commit mirror hook installed from a local index and ran in {:.1} s",
        first_run.as_secs_f64()
    );
}

fn npm(dir: &Path, npm: &Path, args: &[&str]) -> std::process::Output {
    Command::new(npm)
        .args(args)
        .current_dir(dir)
        // Offline and pointed at no registry: everything comes from the tarballs.
        .env("npm_config_registry", "http://127.0.0.1:9/")
        .env("npm_config_offline", "true")
        .env("npm_config_audit", "false")
        .env("npm_config_fund", "false")
        .env("npm_config_update_notifier", "false")
        .output()
        .unwrap()
}

fn succeeded(output: &std::process::Output, what: &str) {
    assert!(
        output.status.success(),
        "{what}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn the_npm_launcher_and_the_linux_package_install_offline_and_run() {
    if !(cfg!(target_os = "linux") && cfg!(target_arch = "x86_64")) {
        eprintln!("note: skipping: the test packs the linux-x64 package, for this platform only");
        return;
    }
    let (Some(npm_bin), Some(node)) = (client("npm"), client("node")) else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let tarballs = work.path().join("tarballs");
    std::fs::create_dir(&tarballs).unwrap();
    let platform = work.path().join("cli-linux-x64");
    let made = Command::new(&node)
        .arg(repo_root().join("npm/make-platform-package.mjs"))
        .args(["linux", "x64", env!("CARGO_BIN_EXE_faaslint")])
        .arg(&platform)
        .output()
        .unwrap();
    succeeded(&made, "make-platform-package");
    let launcher = work.path().join("launcher");
    copy_dir(&repo_root().join("npm/faaslint"), &launcher);
    for package in [&launcher, &platform] {
        let packed = npm(
            package,
            &npm_bin,
            &[
                "pack",
                "--silent",
                "--pack-destination",
                tarballs.to_str().unwrap(),
            ],
        );
        succeeded(&packed, "npm pack");
    }
    let version = env!("CARGO_PKG_VERSION");
    let launcher_tgz = tarballs.join(format!("faaslint-{version}.tgz"));
    let platform_tgz = tarballs.join(format!("faaslint-cli-linux-x64-{version}.tgz"));
    assert!(launcher_tgz.is_file() && platform_tgz.is_file());

    let project = work.path().join("project");
    write(
        &project,
        "package.json",
        r#"{"name": "orders-service", "version": "1.0.0", "private": true}"#,
    );
    let started = Instant::now();
    let installed = npm(
        &project,
        &npm_bin,
        &[
            "install",
            "--save-dev",
            launcher_tgz.to_str().unwrap(),
            platform_tgz.to_str().unwrap(),
        ],
    );
    let install_time = started.elapsed();
    succeeded(&installed, "npm install");

    let npx = |args: &[&str]| {
        let mut all = vec!["exec", "--", "faaslint"];
        all.extend_from_slice(args);
        npm(&project, &npm_bin, &all)
    };
    let shown = npx(&["--version"]);
    succeeded(&shown, "npx faaslint --version");
    assert_eq!(
        String::from_utf8_lossy(&shown.stdout).trim(),
        format!("faaslint {version}")
    );
    let fixture = repo_root().join("fixtures/sam-orders-api");
    let run = npx(&["check", fixture.to_str().unwrap(), "--format", "json"]);
    assert_eq!(
        run.status.code(),
        Some(1),
        "findings pass through as exit 1"
    );
    let report: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert!(report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["code"] == "FL201"));

    // A platform no package serves: a clear message, not a stack trace.
    write(
        &project,
        "aix.cjs",
        r#"Object.defineProperty(process, "platform", { value: "aix" });"#,
    );
    let entry = project.join("node_modules/faaslint/bin/faaslint.js");
    let unsupported = Command::new(&node)
        .args(["--require", "./aix.cjs"])
        .arg(&entry)
        .arg("--version")
        .current_dir(&project)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&unsupported.stderr);
    assert_eq!(unsupported.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.starts_with(
            "faaslint: no prebuilt binary for aix-x64; there are binaries for linux-x64,"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("    at "), "no stack trace: {stderr}");
    // The right platform whose optional package was left out: says how to get it.
    std::fs::remove_dir_all(project.join("node_modules/@faaslint")).unwrap();
    let omitted = Command::new(&node)
        .arg(&entry)
        .arg("--version")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&omitted.stderr);
    assert_eq!(omitted.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("@faaslint/cli-linux-x64") && stderr.contains("--omit=optional"),
        "{stderr}"
    );
    eprintln!(
        "note: npm launcher {} bytes and linux-x64 package {} bytes installed offline in {:.1} s",
        std::fs::metadata(&launcher_tgz).unwrap().len(),
        std::fs::metadata(&platform_tgz).unwrap().len(),
        install_time.as_secs_f64()
    );
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn the_workflows_pass_actionlint() {
    let Some(actionlint) = client("actionlint") else {
        return;
    };
    let workflows: Vec<PathBuf> = std::fs::read_dir(repo_root().join(".github/workflows"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .collect();
    assert!(!workflows.is_empty());
    let run = Command::new(&actionlint)
        .args(&workflows)
        .current_dir(repo_root())
        .output()
        .unwrap();
    succeeded(&run, "actionlint");
    // It does check: an expression injected into a script is reported.
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "bad.yml",
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.event.head_commit.message }}\n",
    );
    let bad = Command::new(&actionlint)
        .arg(dir.path().join("bad.yml"))
        .current_dir(repo_root())
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stdout).contains("potentially untrusted"));
}

/// The release builds what the Action downloads and what npm selects, for the same five
/// platforms.
#[test]
fn the_release_the_action_and_npm_agree_on_the_platforms() {
    let workflow =
        std::fs::read_to_string(repo_root().join(".github/workflows/release.yml")).unwrap();
    let install = std::fs::read_to_string(repo_root().join("action/install.sh")).unwrap();
    let launcher: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo_root().join("npm/faaslint/package.json")).unwrap(),
    )
    .unwrap();
    let npm_packages: Vec<&str> = launcher["optionalDependencies"]
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.strip_prefix("@faaslint/cli-").unwrap())
        .collect();
    let binaries = regex::Regex::new(r"\{ target: (\S+), runner: \S+, npm: (\S+) \}").unwrap();
    let built: Vec<(&str, &str)> = binaries
        .captures_iter(&workflow)
        .map(|c| (c.get(1).unwrap().as_str(), c.get(2).unwrap().as_str()))
        .collect();
    assert_eq!(built.len(), 5, "{built:?}");
    for (target, npm) in &built {
        assert!(npm_packages.contains(npm), "{npm} has a package");
        assert!(
            install.contains(&format!("target={target} ;;")),
            "the Action maps {target}"
        );
    }
    assert_eq!(npm_packages.len(), built.len());
    for version_file in [
        "npm/faaslint/package.json",
        "pre-commit/pyproject.toml",
        "editors/vscode/package.json",
    ] {
        let text = std::fs::read_to_string(repo_root().join(version_file)).unwrap();
        assert!(
            text.contains(&format!("\"{}\"", env!("CARGO_PKG_VERSION"))),
            "{version_file} is at the crate's version"
        );
    }
}

#[test]
fn the_vscode_extension_compiles_lints_packages_and_drives_the_server() {
    let Some(npm_bin) = client("npm") else {
        return;
    };
    let extension = repo_root().join("editors/vscode");
    if !extension.join("node_modules/.package-lock.json").is_file() {
        assert_ne!(
            std::env::var("FAASLINT_REQUIRE_CLIENTS").as_deref(),
            Ok("1"),
            "the extension's dependencies are not installed; run .ci/clients.sh"
        );
        eprintln!("note: skipping: run .ci/clients.sh to install the extension's dependencies");
        return;
    }
    let run = |args: &[&str], env: &[(&str, &Path)]| {
        let output = Command::new(&npm_bin)
            .args(args)
            .current_dir(&extension)
            .envs(env.iter().copied())
            .env("npm_config_update_notifier", "false")
            .output()
            .unwrap();
        succeeded(&output, &format!("npm {args:?}"));
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    run(&["run", "compile"], &[]);
    run(&["run", "lint"], &[]);
    let dir = tempfile::tempdir().unwrap();
    let vsix = dir.path().join("faaslint.vsix");
    run(
        &[
            "exec",
            "--",
            "vsce",
            "package",
            "--allow-missing-repository",
            "--out",
            vsix.to_str().unwrap(),
        ],
        &[],
    );
    let listing = Command::new("python3")
        .args(["-m", "zipfile", "-l"])
        .arg(&vsix)
        .output()
        .unwrap();
    let listing = String::from_utf8_lossy(&listing.stdout);
    for packed in [
        "extension/package.json",
        "extension/out/extension.js",
        "extension/out/server.js",
        "extension/node_modules/vscode-languageclient/package.json",
    ] {
        assert!(
            listing.contains(packed),
            "{packed} in the .vsix:\n{listing}"
        );
    }
    assert!(!listing.contains("extension/src/"), "sources stay out");
    let fixture = repo_root().join("fixtures/sam-orders-api");
    let tests = run(
        &["test"],
        &[
            ("FAASLINT_PATH", Path::new(env!("CARGO_BIN_EXE_faaslint"))),
            ("FAASLINT_FIXTURE", &fixture),
        ],
    );
    assert!(
        tests.contains("# pass 2") && tests.contains("# skipped 0"),
        "{tests}"
    );
    eprintln!(
        "note: the VS Code extension packaged into {} bytes",
        std::fs::metadata(&vsix).unwrap().len()
    );
}

/// `pipx run` and `uvx` give the same binary from the wheel, offline.
fn runs_through_pipx_and_uvx(wheel: &Path, scratch: &Path) {
    let (Some(pipx), Some(uvx)) = (client("pipx"), client("uvx")) else {
        return;
    };
    let spec = wheel.to_str().unwrap();
    let pipx_run = Command::new(pipx)
        .args(["run", "--spec", spec, "faaslint", "--version"])
        .env("PIPX_HOME", scratch.join("pipx"))
        .env("PIPX_BIN_DIR", scratch.join("pipx-bin"))
        .env("PIP_NO_INDEX", "1")
        .output()
        .unwrap();
    let uvx_run = Command::new(uvx)
        .args(["--offline", "--from", spec, "faaslint", "--version"])
        .env("UV_CACHE_DIR", scratch.join("uv-cache"))
        .env("UV_TOOL_DIR", scratch.join("uv-tools"))
        .output()
        .unwrap();
    for (how, run) in [("pipx run", pipx_run), ("uvx", uvx_run)] {
        succeeded(&run, how);
        assert_eq!(
            String::from_utf8_lossy(&run.stdout).trim(),
            format!("faaslint {}", env!("CARGO_PKG_VERSION")),
            "{how}"
        );
    }
}

/// `cargo install faaslint` builds from the published crate: it packages, leaves the
/// repository's bulk out, and the packaged sources build on their own.
#[test]
fn the_crate_packages_and_builds_from_its_own_files() {
    let listed = Command::new(env!("CARGO"))
        .args(["package", "--list", "--allow-dirty", "--locked"])
        .current_dir(repo_root())
        .output()
        .unwrap();
    succeeded(&listed, "cargo package --list");
    let files = String::from_utf8_lossy(&listed.stdout).into_owned();
    for needed in [
        "Cargo.toml",
        "Cargo.lock",
        "src/main.rs",
        "rules/catalog.toml",
        "README.md",
    ] {
        assert!(files.lines().any(|f| f == needed), "{needed} is packaged");
    }
    for left_out in [
        "fixtures/",
        "tests/",
        "npm/",
        "editors/",
        "bench/",
        "pre-commit/",
        ".github/",
    ] {
        assert!(
            !files.lines().any(|f| f.starts_with(left_out)),
            "{left_out} stays out of the crate"
        );
    }
    // Its own target folder: the test run holds the lock of the usual one.
    let verified = Command::new(env!("CARGO"))
        .args(["package", "--allow-dirty", "--locked"])
        .env("CARGO_TARGET_DIR", repo_root().join("target/package-check"))
        .current_dir(repo_root())
        .output()
        .unwrap();
    succeeded(&verified, "cargo package");
    let crate_file = repo_root().join(format!(
        "target/package-check/package/faaslint-{}.crate",
        env!("CARGO_PKG_VERSION")
    ));
    eprintln!(
        "note: the crate packages into {} bytes and builds from them",
        std::fs::metadata(crate_file).unwrap().len()
    );
}
