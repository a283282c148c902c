//! FL501 missing-snapstart: a user-facing function on a SnapStart runtime that pays full cold
//! starts (no SnapStart, no provisioned concurrency).

use crate::diagnostic::{Diagnostic, Severity};
use crate::knowledge::supports_snapstart;
use crate::model::{Flavor, Function, Project};
use crate::rules::{Context, Rule};

pub static RULE: Rule = Rule {
    code: "FL501",
    name: "missing-snapstart",
    default_severity: Severity::Warning,
    summary:
        "A user-facing function on a SnapStart runtime without SnapStart or provisioned concurrency",
    doc: include_str!("../../rules/FL501-missing-snapstart.md"),
    check: Some(check),
    options: None,
};

/// SnapStart refuses ephemeral storage above this size (MB).
pub const SNAPSTART_MAX_EPHEMERAL_MB: u64 = 512;

fn check(project: &Project, _: &Context, out: &mut Vec<Diagnostic>) {
    for function in project.functions() {
        let Some(event) = function.user_facing_event() else {
            continue;
        };
        let Some(runtime) = &function.runtime else {
            continue;
        };
        if function.image.is_some()
            || !supports_snapstart(&runtime.value)
            || function.snapstart_enabled().is_some()
            || function.provisioned_concurrency.is_some()
        {
            continue;
        }
        let message = format!(
            "user-facing function `{}` ({}, behind {}) has neither SnapStart nor provisioned \
             concurrency: its cold starts land on waiting users",
            function.logical_id,
            runtime.value,
            event.kind.describe_with_article()
        );
        out.push(
            Diagnostic::new(&RULE, function.file, function.span, message)
                .with_help(help(function))
                .with_related(function.file, event.span, "user-facing trigger")
                .with_related(function.file, runtime.span, "runtime"),
        );
    }
}

/// What stops SnapStart for this function, if anything.
pub fn snapstart_blocker(function: &Function) -> Option<String> {
    if function.file_systems.is_some() {
        return Some("an EFS file system".to_string());
    }
    let storage = function.ephemeral_storage_mb.as_ref()?;
    (storage.value > SNAPSTART_MAX_EPHEMERAL_MB)
        .then(|| format!("{} MB of ephemeral storage", storage.value))
}

fn help(function: &Function) -> String {
    if let Some(blocker) = snapstart_blocker(function) {
        return format!(
            "SnapStart cannot be used with {blocker}; configure provisioned concurrency for the \
             steady traffic instead (SAM `ProvisionedConcurrencyConfig` with `AutoPublishAlias`, \
             serverless `provisionedConcurrency`)."
        );
    }
    match function.flavor {
        Flavor::Sam => {
            "Add `SnapStart: {ApplyOn: PublishedVersions}` with `AutoPublishAlias: live` \
             (SnapStart applies only to published versions), or set \
             `ProvisionedConcurrencyConfig`."
                .to_string()
        }
        Flavor::CloudFormation => "Add `SnapStart: {ApplyOn: PublishedVersions}`, publish an \
             `AWS::Lambda::Version` and point the trigger at it (or at an alias), or configure \
             provisioned concurrency on an alias."
            .to_string(),
        Flavor::Serverless => "Add `snapStart: true` to the function (the Framework publishes a \
             version on every deploy), or `provisionedConcurrency: N`."
            .to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::{check_file, lines};

    fn run(name: &str, text: &str) -> Vec<(usize, String)> {
        let (project, diagnostics) = check_file(name, text, &RULE, "");
        lines(&project, &diagnostics)
    }

    fn sam(runtime: &str, extra: &str, event: &str) -> String {
        format!(
            "Transform: AWS::Serverless-2016-10-31\nResources:\n  Api:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: {runtime}\n{extra}      Events:\n        E:\n          Type: {event}\n"
        )
    }

    #[test]
    fn flags_user_facing_functions_on_snapstart_runtimes() {
        for runtime in [
            "java11",
            "java21",
            "java25",
            "python3.12",
            "python3.14",
            "dotnet8",
            "dotnet10",
        ] {
            let found = run("template.yaml", &sam(runtime, "", "HttpApi"));
            assert_eq!(found.len(), 1, "{runtime}");
            assert_eq!(found[0].0, 3);
            assert!(found[0].1.contains("user-facing function `Api`"));
        }
    }

    #[test]
    fn quiet_where_snapstart_does_not_apply_or_is_handled() {
        let cases = [
            sam("nodejs20.x", "", "Api"),
            sam("python3.11", "", "Api"),
            sam("provided.al2023", "", "Api"),
            sam("python3.12", "", "SQS"),
            sam("java21", "      SnapStart:\n        ApplyOn: PublishedVersions\n      AutoPublishAlias: live\n", "Api"),
            sam("java21", "      AutoPublishAlias: live\n      ProvisionedConcurrencyConfig:\n        ProvisionedConcurrentExecutions: 2\n", "Api"),
            sam("java21", "      PackageType: Image\n", "Api"),
        ];
        for case in cases {
            assert!(run("template.yaml", &case).is_empty(), "{case}");
        }
    }

    #[test]
    fn snapstart_from_globals_counts() {
        let text = format!(
            "Globals:\n  Function:\n    SnapStart:\n      ApplyOn: PublishedVersions\n{}",
            sam("java21", "", "Api").replace("Transform: AWS::Serverless-2016-10-31\n", "")
        );
        assert!(run("template.yaml", &text).is_empty());
    }

    #[test]
    fn efs_suggests_provisioned_concurrency() {
        let text = sam("java21", "      FileSystemConfigs:\n        - Arn: !GetAtt AccessPoint.Arn\n          LocalMountPath: /mnt/data\n", "Api");
        let (_, diagnostics) = check_file("template.yaml", &text, &RULE, "");
        assert!(diagnostics[0]
            .help
            .as_ref()
            .unwrap()
            .contains("provisioned concurrency"));
    }
}
