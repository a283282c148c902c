//! FL502 snapstart-misconfigured: SnapStart switched on where it cannot work.

use crate::diagnostic::{Diagnostic, Severity};
use crate::knowledge::supports_snapstart;
use crate::model::{Flavor, Function, Project, SnapStart};
use crate::rules::missing_snapstart::SNAPSTART_MAX_EPHEMERAL_MB;
use crate::rules::{Context, Rule};
use crate::source::Span;

pub static RULE: Rule = Rule {
    code: "FL502",
    name: "snapstart-misconfigured",
    default_severity: Severity::Error,
    summary: "SnapStart configured where it cannot work",
    doc: include_str!("../../rules/FL502-snapstart-misconfigured.md"),
    check: Some(check),
    options: None,
};

/// One reason SnapStart cannot work, with the place that causes it.
struct Conflict {
    what: String,
    at: Option<(Span, &'static str)>,
    help: String,
}

fn check(project: &Project, _: &Context, out: &mut Vec<Diagnostic>) {
    for function in project.functions() {
        let Some(snap) = function.snapstart_enabled() else {
            continue;
        };
        for conflict in conflicts(function) {
            out.push(diagnostic(function, snap, conflict));
        }
    }
}

fn conflicts(function: &Function) -> Vec<Conflict> {
    let mut found = Vec::new();
    if let Some(image) = function.image {
        found.push(Conflict {
            what: "container images (`PackageType: Image`) do not support SnapStart".into(),
            at: Some((image, "container image")),
            help:
                "Remove SnapStart, or ship the function as a .zip archive on a supported runtime."
                    .into(),
        });
        // Where SnapStart is not available at all, nothing else about it matters.
        return found;
    } else if let Some((runtime, when)) = function
        .runtimes()
        .into_iter()
        .find(|(r, _)| !supports_snapstart(&r.value))
    {
        let when = if when.is_empty() {
            String::new()
        } else {
            format!(" ({when})")
        };
        found.push(Conflict {
            what: format!(
                "runtime `{}`{when} does not support SnapStart",
                runtime.value
            ),
            at: Some((runtime.span, "runtime")),
            help: "Remove SnapStart (it supports Java 11+, Python 3.12+ and .NET 8+); for cold \
                   starts on this runtime use provisioned concurrency."
                .into(),
        });
        return found;
    }
    if !function.publishes_versions {
        found.push(Conflict {
            what: "it publishes no version, and SnapStart applies only to published versions \
                   (`$LATEST` never benefits)"
                .into(),
            at: None,
            help: match function.flavor {
                Flavor::Sam => "Add `AutoPublishAlias: live` and invoke the alias.".into(),
                Flavor::CloudFormation => "Add an `AWS::Lambda::Version` for this function and \
                                           invoke that version or an alias of it."
                    .into(),
                Flavor::Serverless => "Remove `versionFunctions: false`.".into(),
                Flavor::Terraform => "Set `publish = true` and invoke a version or an alias \
                                      (`aws_lambda_alias`) of this function."
                    .into(),
                Flavor::Cdk => "Point the trigger at a version or an alias of the function \
                                (`fn.currentVersion`, `fn.addAlias('live')`), not at the \
                                function itself."
                    .into(),
                Flavor::Wrangler => String::new(),
            },
        });
    }
    if let Some(span) = function.provisioned_concurrency {
        found.push(Conflict {
            what: "SnapStart cannot be combined with provisioned concurrency".into(),
            at: Some((span, "provisioned concurrency")),
            help: "Keep one of the two: provisioned concurrency already keeps environments warm."
                .into(),
        });
    }
    if let Some(span) = function.tenant_isolation {
        found.push(Conflict {
            what: "SnapStart cannot be used with per-tenant isolation".into(),
            at: Some((span, "tenant isolation mode")),
            help: "Remove SnapStart: functions isolated per tenant cannot use it.".into(),
        });
    }
    if let Some(span) = function.file_systems {
        found.push(Conflict {
            what: "SnapStart cannot be used with an EFS file system".into(),
            at: Some((span, "EFS file system")),
            help: "Remove SnapStart and use provisioned concurrency, or move the data off EFS."
                .into(),
        });
    }
    if let Some(storage) = function
        .ephemeral_storage_mb
        .as_ref()
        .filter(|s| s.value > SNAPSTART_MAX_EPHEMERAL_MB)
    {
        found.push(Conflict {
            what: format!(
                "SnapStart allows at most {SNAPSTART_MAX_EPHEMERAL_MB} MB of ephemeral storage, \
                 and this function has {} MB",
                storage.value
            ),
            at: Some((storage.span, "ephemeral storage")),
            help: format!(
                "Lower `EphemeralStorage.Size` to {SNAPSTART_MAX_EPHEMERAL_MB} or remove SnapStart."
            ),
        });
    }
    found
}

fn diagnostic(function: &Function, snap: &SnapStart, conflict: Conflict) -> Diagnostic {
    let message = format!(
        "SnapStart on function `{}` cannot work: {}",
        function.logical_id, conflict.what
    );
    let mut diagnostic =
        Diagnostic::new(&RULE, function.file, snap.span, message).with_help(conflict.help);
    if let Some((span, label)) = conflict.at {
        diagnostic = diagnostic.with_related(function.file, span, label);
    }
    if !function.span.range().contains(&(snap.span.start as usize)) {
        diagnostic = diagnostic.with_related(function.file, function.span, "function");
    }
    diagnostic
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::{check_file, lines};

    fn run(name: &str, text: &str) -> Vec<(usize, String)> {
        let (project, diagnostics) = check_file(name, text, &RULE, "");
        lines(&project, &diagnostics)
    }

    fn sam(props: &str) -> String {
        format!(
            "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      SnapStart:\n        ApplyOn: PublishedVersions\n{props}"
        )
    }

    #[test]
    fn each_conflict_is_one_finding_at_the_snapstart_setting() {
        let conflicts = "      ProvisionedConcurrencyConfig:\n        ProvisionedConcurrentExecutions: 1\n      EphemeralStorage:\n        Size: 1024\n";
        let text = sam(&format!("      Runtime: java21\n{conflicts}"));
        let found = run("template.yaml", &text);
        let messages: Vec<&str> = found.iter().map(|(_, m)| m.as_str()).collect();
        assert!(found.iter().all(|(line, _)| *line == 7), "{found:?}");
        assert_eq!(found.len(), 3, "{messages:#?}");
        for expected in [
            "publishes no version",
            "combined with provisioned concurrency",
            "this function has 1024 MB",
        ] {
            assert!(
                messages.iter().any(|m| m.contains(expected)),
                "{expected}: {messages:#?}"
            );
        }
        // On a runtime without SnapStart, that is the one thing to say.
        let text = sam(&format!("      Runtime: nodejs20.x\n{conflicts}"));
        let found = run("template.yaml", &text);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(found[0]
            .1
            .contains("runtime `nodejs20.x` does not support SnapStart"));
    }

    #[test]
    fn a_supported_published_function_is_fine() {
        assert!(run(
            "template.yaml",
            &sam("      Runtime: python3.13\n      AutoPublishAlias: live\n")
        )
        .is_empty());
        assert!(run("template.yaml", &sam("      Runtime: java21\n      AutoPublishAlias: live\n      EphemeralStorage:\n        Size: 512\n")).is_empty());
    }

    #[test]
    fn cloudformation_needs_a_version_resource() {
        let base = "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: java21\n      SnapStart:\n        ApplyOn: PublishedVersions\n";
        let found = run("template.yaml", base);
        assert_eq!(found.len(), 1);
        assert!(found[0].1.contains("publishes no version"));
        let versioned = format!("{base}  FnVersion:\n    Type: AWS::Lambda::Version\n    Properties:\n      FunctionName: !Ref Fn\n");
        assert!(run("template.yaml", &versioned).is_empty());
    }

    #[test]
    fn serverless_java8_snapstart() {
        let text = "service: s\nprovider:\n  name: aws\n  runtime: java8\nfunctions:\n  report:\n    handler: com.example.Report\n    snapStart: true\n";
        let found = run("serverless.yml", text);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, 8);
        assert!(found[0].1.contains("`java8`"));
    }
}
