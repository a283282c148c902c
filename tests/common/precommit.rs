//! pre-commit's `try-repo` run on a commit that adds an anti-pattern (blocked) and on a clean one
//! (passes): shared by the source-built hook's test and the wheel mirror's.

use super::{write, SAM_WITH_FINDINGS};
use std::ffi::OsString;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

pub fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(["-c", "user.name=test", "-c", "user.email=test@example.com"])
        .args(args)
        .current_dir(dir)
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

/// Runs hook `hook` of `repo` on a project staging a template with findings, then on a fixed
/// one. Returns how long the first run took (it installs the hook's environment).
pub fn blocks_an_anti_pattern_and_passes_a_clean_change(
    pre_commit: &Path,
    repo: &Path,
    hook: &str,
    env: &[(&str, OsString)],
) -> Duration {
    let try_repo = |dir: &Path| {
        Command::new(pre_commit)
            .args(["try-repo", repo.to_str().unwrap(), hook, "--color", "never"])
            .current_dir(dir)
            .envs(env.iter().map(|(k, v)| (k, v)))
            .output()
            .unwrap()
    };
    let project = tempfile::tempdir().unwrap();
    git(project.path(), &["init", "-q"]);
    write(project.path(), "template.yaml", SAM_WITH_FINDINGS);
    git(project.path(), &["add", "template.yaml"]);
    let started = Instant::now();
    let blocked = try_repo(project.path());
    let first_run = started.elapsed();
    let shown = String::from_utf8_lossy(&blocked.stdout).into_owned()
        + &String::from_utf8_lossy(&blocked.stderr);
    assert!(!blocked.status.success(), "{shown}");
    assert!(
        shown.contains("error[FL201]") && shown.contains("environment variable `DB_PASSWORD`"),
        "{shown}"
    );
    assert!(!shown.contains("Summer2024!"), "{shown}");

    let clean = tempfile::tempdir().unwrap();
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
    first_run
}
