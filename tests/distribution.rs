//! Distribution: the PyPI wheel maturin builds from `pyproject.toml` installs into a fresh
//! virtual environment, without a Rust toolchain, and its `faaslint` checks a project.

mod common;

use common::clients::client;
use common::*;
use std::process::Command;
use std::time::Instant;

#[test]
fn the_wheel_installs_into_a_fresh_venv_and_checks_a_fixture() {
    let Some(maturin) = client("maturin") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let wheels = dir.path().join("wheels");
    // Its own target folder: the test run holds the lock of the usual one.
    let started = Instant::now();
    let built = Command::new(&maturin)
        .args(["build", "--release", "--locked", "--quiet", "--out"])
        .arg(&wheels)
        .env("CARGO_TARGET_DIR", repo_root().join("target/wheel"))
        .current_dir(repo_root())
        .output()
        .unwrap();
    assert!(
        built.status.success(),
        "maturin build: {}",
        String::from_utf8_lossy(&built.stderr)
    );
    let build_time = started.elapsed();
    let wheel = std::fs::read_dir(&wheels)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "whl"))
        .expect("a wheel was built");
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
        .arg(&wheel)
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
    eprintln!(
        "note: wheel {name}, {} bytes, built in {:.1} s, installed into a fresh venv in {:.1} s",
        std::fs::metadata(&wheel).unwrap().len(),
        build_time.as_secs_f64(),
        install_time.as_secs_f64()
    );
}
