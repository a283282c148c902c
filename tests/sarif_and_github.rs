//! `--format sarif` validated against the official SARIF 2.1.0 schema, and `--format github`
//! checked against the runner's workflow-command syntax.

mod common;

use common::clients::client;
use common::*;
use std::process::Command;
use tempfile::tempdir;

fn sarif_of_fixtures(dir: &std::path::Path) -> (std::path::PathBuf, serde_json::Value) {
    let out = dir.join("faaslint.sarif");
    let run = faaslint(
        repo_root(),
        &[
            "check",
            "fixtures",
            "--format",
            "sarif",
            "--output",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    (out, log)
}

#[test]
fn sarif_has_every_rule_result_region_and_fingerprint() {
    let dir = tempdir().unwrap();
    let (out, log) = sarif_of_fixtures(dir.path());
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let table = faaslint(repo_root(), &["rule"]).stdout;
    assert_eq!(
        rules.len(),
        table.lines().count() - 1,
        "every rule is described"
    );
    for rule in rules {
        for field in ["id", "name"] {
            assert!(rule[field].is_string(), "{rule}");
        }
        for field in ["shortDescription", "fullDescription"] {
            assert!(!rule[field]["text"].as_str().unwrap().is_empty(), "{rule}");
        }
        assert!(rule["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("## Why is this bad?"));
    }
    let json = json(&faaslint(
        repo_root(),
        &["check", "fixtures", "--format", "json"],
    ));
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), json["diagnostics"].as_array().unwrap().len());
    for (result, diagnostic) in results.iter().zip(json["diagnostics"].as_array().unwrap()) {
        assert_eq!(result["ruleId"], diagnostic["code"]);
        let region = &result["locations"][0]["physicalLocation"]["region"];
        assert_eq!(region["startLine"], diagnostic["range"]["start"]["line"]);
        assert_eq!(
            region["startColumn"],
            diagnostic["range"]["start"]["column"]
        );
        assert_eq!(region["endColumn"], diagnostic["range"]["end"]["column"]);
        let level = result["level"].as_str().unwrap();
        assert!(["error", "warning", "note"].contains(&level));
        assert_eq!(
            result["partialFingerprints"]["faaslint/v1"]
                .as_str()
                .unwrap()
                .len(),
            16
        );
        assert_eq!(
            rules[result["ruleIndex"].as_u64().unwrap() as usize]["id"],
            result["ruleId"]
        );
    }
    let text = std::fs::read_to_string(out).unwrap();
    for secret in [
        "sk_live_51NzQ",
        "tk_9f8Qz2LmX4vB7nR1pW6s",
        "whsec_Q2x9",
        "SG.kX8pQm2",
    ] {
        assert!(!text.contains(secret), "SARIF shows {secret}");
    }
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let (Some(validator), Some(python)) = (client("check-jsonschema"), client("python")) else {
        return;
    };
    let dir = tempdir().unwrap();
    let (out, _) = sarif_of_fixtures(dir.path());
    let schema = dir.path().join("sarif-2.1.0.json");
    let extracted = Command::new(python)
        .arg(repo_root().join("tests/clients/sarif_schema.py"))
        .arg(&schema)
        .status()
        .unwrap();
    assert!(extracted.success(), "the SARIF schema could be extracted");
    let checked = Command::new(validator)
        // The official schema has a pattern ECMAScript rejects (`...]?$` in `run.language`); Python's
        // regex syntax accepts it, as do the SARIF tools.
        .args(["--regex-variant", "python"])
        .arg("--schemafile")
        .arg(&schema)
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        checked.status.success(),
        "{}{}",
        String::from_utf8_lossy(&checked.stdout),
        String::from_utf8_lossy(&checked.stderr)
    );
}

#[test]
fn github_annotations_escape_and_leave_out_columns_on_multi_line_ranges() {
    let dir = tempdir().unwrap();
    write(dir.path(), "a,b:c/template.yaml", SAM_WITH_FINDINGS);
    let run = faaslint(dir.path(), &["check", "--format", "github"]);
    assert_eq!(run.code, 1);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 4);
    let secret = lines.iter().find(|l| l.contains("FL201")).unwrap();
    assert!(
        secret.starts_with("::error file=a%2Cb%3Ac/template.yaml,line=11,endLine=11,col=24,endColumn=35,title=FL201 plaintext-secret-env::"),
        "{secret}"
    );
    assert!(
        secret.contains("%0A%0AAnyone who can read"),
        "help follows, newlines escaped: {secret}"
    );
    assert!(!secret.contains("Summer2024!"));
    let warning = lines.iter().find(|l| l.contains("FL501")).unwrap();
    assert!(warning.starts_with("::warning "), "{warning}");
    // A finding spanning lines carries no columns.
    let multi = tempdir().unwrap();
    write(
        multi.path(),
        "template.yaml",
        SAM_WITH_FINDINGS.replace(
            "DB_PASSWORD: Summer2024!",
            "DB_PASSWORD: \"Summer\n            2024!\"",
        ),
    );
    let run = faaslint(
        multi.path(),
        &["check", "--format", "github", "--select", "FL201"],
    );
    let line = run.stdout.lines().next().unwrap();
    assert!(line.contains("line=11,endLine=12,title="), "{line}");
}
