//! Hostile file systems and sizes: loops, FIFOs, unreadable and vanishing files, names that are
//! not UTF-8, huge folders, bundles and templates. Each run ends in bounded time with a clear
//! note or finding, and every other file is still linted.

mod common;

use common::*;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};
use tempfile::tempdir;

/// Runs `faaslint check --format json` in `dir` (with `args`), checking what every hostile run
/// must keep: no crash, a time bound, valid JSON, and the good template's 4 findings.
fn lint(dir: &Path, args: &[&str], limit: Duration) -> (Run, serde_json::Value) {
    let started = Instant::now();
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let run = faaslint(dir, &all);
    assert!(started.elapsed() < limit, "took {:?}", started.elapsed());
    assert!(
        run.code == 0 || run.code == 1,
        "exit {}: {}",
        run.code,
        run.stderr
    );
    assert!(
        !run.stderr.contains("panicked") && !run.stderr.contains("internal error"),
        "{}",
        run.stderr
    );
    let report = json(&run);
    (run, report)
}

fn good_findings(report: &serde_json::Value, path: &str) -> usize {
    findings(report)
        .iter()
        .filter(|(p, _, _)| p == path)
        .count()
}

fn with_good_template() -> tempfile::TempDir {
    let dir = tempdir().unwrap();
    write(dir.path(), "good/template.yaml", SAM_WITH_FINDINGS);
    dir
}

const MINUTE: Duration = Duration::from_secs(60);

#[test]
fn symlink_loops_are_not_followed_and_named_ones_get_a_note() {
    let dir = with_good_template();
    let root = dir.path();
    std::os::unix::fs::symlink("loop-b.yaml", root.join("loop-a.yaml")).unwrap();
    std::os::unix::fs::symlink("loop-a.yaml", root.join("loop-b.yaml")).unwrap();
    std::fs::create_dir(root.join("nested")).unwrap();
    std::os::unix::fs::symlink("..", root.join("nested/up")).unwrap();

    let (_, report) = lint(root, &[], MINUTE);
    assert_eq!(good_findings(&report, "good/template.yaml"), 4);
    assert_eq!(report["summary"]["files"], 1, "the loop is not walked into");

    let (run, report) = lint(root, &["loop-a.yaml", "good"], MINUTE);
    assert!(
        run.stderr
            .contains("skipped: loop-a.yaml: Too many levels of symbolic links"),
        "{}",
        run.stderr
    );
    assert_eq!(good_findings(&report, "good/template.yaml"), 4);
}

#[test]
fn a_fifo_is_never_opened() {
    let dir = with_good_template();
    let fifo = dir.path().join("pipe/template.yaml");
    std::fs::create_dir(fifo.parent().unwrap()).unwrap();
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    // Opening a FIFO with no writer blocks forever: the time bound is the test.
    for args in [&[][..], &["pipe/template.yaml", "good"][..]] {
        let (run, report) = lint(dir.path(), args, MINUTE);
        assert!(
            run.stderr.contains(
                "pipe/template.yaml: not a regular file (a FIFO, socket or device), not read"
            ),
            "{}",
            run.stderr
        );
        assert_eq!(good_findings(&report, "good/template.yaml"), 4);
    }
}

fn is_root() -> bool {
    let id = Command::new("id").arg("-u").output().unwrap();
    String::from_utf8_lossy(&id.stdout).trim() == "0"
}

#[test]
fn an_unreadable_file_is_a_note() {
    use std::os::unix::fs::PermissionsExt;
    let dir = with_good_template();
    write(dir.path(), "locked/template.yaml", SAM_WITH_FINDINGS);
    let locked = dir.path().join("locked/template.yaml");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let run = if is_root() {
        // Root reads anything: run faaslint as `nobody`, which may enter but not read.
        let Some(setpriv) = common::clients::client("setpriv") else {
            return;
        };
        for folder in [
            dir.path(),
            &dir.path().join("good"),
            &dir.path().join("locked"),
        ] {
            std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        std::fs::set_permissions(
            dir.path().join("good/template.yaml"),
            std::fs::Permissions::from_mode(0o644),
        )
        .unwrap();
        // A copy of the binary where `nobody` may run it, whatever the checkout's permissions.
        let binary = dir.path().join("faaslint");
        std::fs::copy(env!("CARGO_BIN_EXE_faaslint"), &binary).unwrap();
        std::fs::set_permissions(&binary, std::fs::Permissions::from_mode(0o755)).unwrap();
        let output = Command::new(setpriv)
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&binary)
            .args(["check", "--format", "json", "."])
            .current_dir(dir.path())
            .output()
            .unwrap();
        Run {
            code: output.status.code().unwrap(),
            stdout: String::from_utf8(output.stdout).unwrap(),
            stderr: String::from_utf8(output.stderr).unwrap(),
        }
    } else {
        faaslint(dir.path(), &["check", "--format", "json"])
    };
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("locked/template.yaml: skipped: cannot read it: Permission denied"),
        "{}",
        run.stderr
    );
    assert_eq!(good_findings(&json(&run), "good/template.yaml"), 4);
}

#[test]
fn a_file_name_that_is_not_utf8_is_linted_and_shown_lossily() {
    let dir = with_good_template();
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9");
    let folder = dir.path().join(name);
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("template.yaml"), SAM_WITH_FINDINGS).unwrap();
    let (_, report) = lint(dir.path(), &[], MINUTE);
    assert_eq!(good_findings(&report, "caf\u{fffd}/template.yaml"), 4);
    let sarif = faaslint(dir.path(), &["check", "--format", "sarif"]);
    assert!(
        sarif.stdout.contains("\"caf%EF%BF%BD/template.yaml\""),
        "SARIF URIs are percent-encoded"
    );
}

#[test]
fn a_file_deleted_after_discovery_is_a_note() {
    let dir = with_good_template();
    let gone = dir.path().join("gone/template.yaml");
    // The editor and pre-commit hand over file lists; one may be gone by the time it is read,
    // as a file deleted between the walk and the read is.
    let report = faaslint::check(&faaslint::CheckOptions {
        paths: vec![dir.path().to_path_buf()],
        files: Some(vec![gone.clone(), dir.path().join("good/template.yaml")]),
        ..Default::default()
    })
    .unwrap();
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("gone/template.yaml: skipped: cannot read it: No such file")),
        "{:?}",
        report.notes
    );
    assert_eq!(report.diagnostics.len(), 4);
}

#[test]
fn files_deleted_and_rewritten_during_runs_never_break_a_run() {
    let dir = with_good_template();
    let root = dir.path().to_path_buf();
    for i in 0..200 {
        write(
            &root,
            &format!("churn/f{i}/handler.py"),
            HANDLER_WITH_FINDING,
        );
    }
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let churn = {
        let (root, stop) = (root.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut round = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                for i in 0..200 {
                    let path = root.join(format!("churn/f{i}/handler.py"));
                    if (i + round) % 2 == 0 {
                        let _ = std::fs::remove_file(&path);
                    } else {
                        let _ = std::fs::write(&path, HANDLER_WITH_FINDING);
                    }
                }
                round += 1;
            }
        })
    };
    for _ in 0..15 {
        let (_, report) = lint(&root, &[], MINUTE);
        assert_eq!(good_findings(&report, "good/template.yaml"), 4);
        for (path, _, code) in findings(&report) {
            assert!(
                path == "good/template.yaml" || code == "FL101",
                "{path} {code}"
            );
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    churn.join().unwrap();
}

const HANDLER_WITH_FINDING: &str = "import os\n\nimport psycopg2\n\n\ndef lambda_handler(event, context):\n    connection = psycopg2.connect(os.environ[\"DATABASE_URL\"])\n    with connection.cursor() as cursor:\n        cursor.execute(\"select 1\")\n        return {\"ok\": cursor.fetchone()[0]}\n";

#[test]
fn ten_thousand_files_in_one_folder() {
    let dir = with_good_template();
    let folder = dir.path().join("flat");
    std::fs::create_dir(&folder).unwrap();
    for i in 0..10_000 {
        std::fs::write(folder.join(format!("h{i:05}.py")), HANDLER_WITH_FINDING).unwrap();
    }
    let (_, report) = lint(dir.path(), &[], MINUTE);
    assert_eq!(report["summary"]["files"], 10_001);
    let connections = findings(&report)
        .iter()
        .filter(|(p, _, c)| p.starts_with("flat/") && c == "FL101")
        .count();
    assert_eq!(connections, 10_000);
    assert_eq!(good_findings(&report, "good/template.yaml"), 4);
}

#[test]
fn a_twenty_megabyte_minified_bundle_is_skipped_with_a_note() {
    let dir = with_good_template();
    let mut bundle = String::with_capacity(21 << 20);
    bundle.push_str("\"use strict\";");
    let mut n = 0;
    while bundle.len() < 20 << 20 {
        bundle.push_str(&format!(
            "var a{n}=function(b){{return new (require(\"pg\").Pool)({{max:b}})}};"
        ));
        n += 1;
    }
    write(dir.path(), "functions/api/index.js", &bundle);
    let (run, report) = lint(dir.path(), &[], MINUTE);
    assert!(
        run.stderr
            .contains("functions/api/index.js: skipped: 20.0 MB is over the 5 MB size limit"),
        "{}",
        run.stderr
    );
    assert_eq!(good_findings(&report, "good/template.yaml"), 4);
    // Under the size limit, a minified bundle is still recognised and skipped.
    write(dir.path(), "functions/api/index.js", &bundle[..4 << 20]);
    let (run, _) = lint(dir.path(), &[], MINUTE);
    assert!(
        run.stderr
            .contains("functions/api/index.js: skipped: looks minified"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_template_with_five_thousand_functions() {
    let dir = tempdir().unwrap();
    let mut template =
        String::from("AWSTemplateFormatVersion: \"2010-09-09\"\nTransform: AWS::Serverless-2016-10-31\nResources:\n");
    for i in 0..5_000 {
        template.push_str(&format!(
            "  Fn{i}:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: src/\n      Handler: h{}.lambda_handler\n      Runtime: python3.11\n      Environment:\n        Variables:\n          API_TOKEN: ghp_{:036}\n",
            i % 50,
            i
        ));
    }
    write(dir.path(), "template.yaml", &template);
    for i in 0..50 {
        write(dir.path(), &format!("src/h{i}.py"), HANDLER_WITH_FINDING);
    }
    let (_, report) = lint(dir.path(), &[], MINUTE);
    let count = |code: &str| {
        findings(&report)
            .iter()
            .filter(|(_, _, c)| c == code)
            .count()
    };
    assert_eq!(count("FL201"), 5_000, "one plaintext token per function");
    assert_eq!(
        count("FL101"),
        50,
        "one finding per handler file, not per function"
    );
    assert!(
        !serde_json::to_string(&report).unwrap().contains("ghp_0000"),
        "tokens are redacted"
    );
}

#[test]
fn file_includes_never_read_a_device_a_fifo_a_loop_or_a_huge_file() {
    let dir = with_good_template();
    let root = dir.path();
    std::fs::create_dir_all(root.join("app")).unwrap();
    assert!(Command::new("mkfifo")
        .arg(root.join("app/pipe.yml"))
        .status()
        .unwrap()
        .success());
    std::os::unix::fs::symlink("loop.yml", root.join("app/loop.yml")).unwrap();
    write(
        root,
        "app/huge.yml",
        format!("KEY: {}\n", "x".repeat(2 << 20)),
    );
    write(
        root,
        "app/serverless.yml",
        "service: s\nprovider:\n  name: aws\n  runtime: nodejs22.x\n  environment: ${file(./pipe.yml)}\nfunctions:\n  f:\n    handler: h.main\n    environment:\n      A: ${file(/dev/zero)}\n      B: ${file(./loop.yml):key}\n      C: ${file(./huge.yml):KEY}\n      D: ${file(./serverless.yml):provider.environment}\n      E: ${file(../../../../../../../etc/passwd)}\n",
    );
    let (_, report) = lint(root, &[], MINUTE);
    assert_eq!(good_findings(&report, "good/template.yaml"), 4);
    assert!(
        findings(&report)
            .iter()
            .all(|(path, ..)| !path.starts_with("app/")),
        "nothing is made up from what was not read: {report}"
    );
}
