//! FL501 missing-snapstart: a user-facing function on a SnapStart runtime that pays full cold
//! starts (no SnapStart, no provisioned concurrency).

use crate::catalog::CATALOG;
use crate::diagnostic::{Diagnostic, Severity};
use crate::knowledge::{supports_snapstart, Runtime};
use crate::model::{Flavor, Function, IacFunctionId, Located, Project};
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

/// From this much memory on (MB) a function is taken to do heavy work, and to initialise some.
pub const LARGE_MEMORY_MB: u64 = 1024;

fn check(project: &Project, _: &Context, out: &mut Vec<Diagnostic>) {
    for (id, function) in project.functions.iter_enumerated() {
        let Some(event) = function.user_facing_event() else {
            continue;
        };
        // A conditional runtime is reported when a branch can use SnapStart, naming it when
        // another cannot.
        let runtimes = function.runtimes();
        let capable: Vec<&(&Located<String>, &str)> = runtimes
            .iter()
            .filter(|(r, _)| supports_snapstart(&r.value))
            .collect();
        let Some(&&(runtime, when)) = capable.first() else {
            continue;
        };
        let differ = runtimes.iter().any(|(r, _)| r.value != runtime.value);
        let shown = if capable.len() < runtimes.len() {
            format!("{} {when}", runtime.value)
        } else if differ {
            // Every branch can use SnapStart: name them all, not one.
            let branches: Vec<String> = runtimes
                .iter()
                .map(|(r, when)| format!("{} {when}", r.value))
                .collect();
            branches.join(", ")
        } else {
            runtime.value.clone()
        };
        if function.image.is_some()
            || function.snapstart_enabled().is_some()
            || function.provisioned_concurrency.is_some()
            || function.tenant_isolation.is_some()
        {
            // Per-tenant isolation rules out both remedies: nothing to suggest.
            continue;
        }
        let created = function
            .created_when()
            .map_or(String::new(), |when| format!(", {when}"));
        let subject = format!(
            "user-facing function `{}` ({shown}, behind {}{created}) has neither SnapStart nor \
             provisioned concurrency",
            function.logical_id,
            event.kind.describe_with_article()
        );
        // Java's cold starts are the expensive ones, and its SnapStart has no extra charge. On
        // Python and .NET, SnapStart bills for caching and restores: worth it for heavy init.
        let weigh = "weigh SnapStart's caching and restore charges against the cold starts it \
                     saves";
        let (severity, message) = match (is_java(&runtime.value), heavy_init(project, id)) {
            (true, _) => (
                RULE.default_severity,
                format!("{subject}: its cold starts land on waiting users"),
            ),
            (false, Init::Heavy(why)) => (
                RULE.default_severity,
                format!("{subject}: {why}, and its cold starts land on waiting users"),
            ),
            (false, Init::Light) => (
                Severity::Info,
                format!(
                    "{subject}; its handler imports no framework, ML or data library, so \
                     {weigh}"
                ),
            ),
            (false, Init::Unseen) => (
                Severity::Info,
                format!("{subject}; {weigh} (its handler code was not found to judge its init)"),
            ),
        };
        let mut diagnostic = Diagnostic::new(&RULE, function.file, function.span, message)
            .with_help(help(function))
            .with_related(function.file, event.span, "user-facing trigger")
            .with_related(function.file, runtime.span, "runtime");
        diagnostic.severity = severity;
        out.push(diagnostic);
    }
}

fn is_java(runtime: &str) -> bool {
    Runtime::parse(runtime).family == "java"
}

/// What faaslint can tell of a function's initialisation.
enum Init {
    /// Why it is heavy: the framework, ML or data libraries its handler code imports, or a
    /// large memory size.
    Heavy(String),
    /// Its handler code imports none of those.
    Light,
    /// Its handler code was not found.
    Unseen,
}

fn heavy_init(project: &Project, function: IacFunctionId) -> Init {
    let code = project.code_of(function);
    let imports = code
        .map(|code| CATALOG.heavy_imports(project.imports_reached(code).into_iter()))
        .unwrap_or_default();
    if !imports.is_empty() {
        let names: Vec<String> = imports.iter().map(|m| format!("`{m}`")).collect();
        return Init::Heavy(format!("its init imports {}", names.join(", ")));
    }
    let memory = project.functions[function].memory_mb.as_ref();
    match memory.filter(|m| m.value >= LARGE_MEMORY_MB) {
        Some(memory) => Init::Heavy(format!(
            "it has {} MB of memory for heavy work",
            memory.value
        )),
        None if code.is_some() => Init::Light,
        None => Init::Unseen,
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
    let trade_off = "SnapStart is free for Java; on Python and .NET it bills for caching the \
                     snapshot and for each restore, which pays off when init is heavy.";
    format!("{} {trade_off}", remedy(function))
}

fn remedy(function: &Function) -> String {
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
        Flavor::Terraform => "Add `snap_start { apply_on = \"PublishedVersions\" }` with \
             `publish = true` and point the trigger at a version or an alias (module: \
             `snap_start = true`, `publish = true`), or configure provisioned concurrency on an \
             alias."
            .to_string(),
        Flavor::Cdk => "Add `snapStart: SnapStartConf.ON_PUBLISHED_VERSIONS` and point the \
             trigger at `fn.currentVersion` or an alias (`fn.addAlias('live')`), or give the alias \
             `provisionedConcurrentExecutions`."
            .to_string(),
        // Workers have no cold-start setting and no runtime of the model: never reported.
        Flavor::Wrangler => String::new(),
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
            // Per-tenant isolation rules out SnapStart and provisioned concurrency alike.
            sam("java21", "      TenancyConfig:\n        TenantIsolationMode: PER_TENANT\n", "Api"),
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

    #[test]
    fn python_and_dotnet_report_at_info_unless_init_is_heavy() {
        use crate::rules::test_support::check_project;
        let severity = |runtime: &str, extra: &str| {
            let (_, found) = check_file("template.yaml", &sam(runtime, extra, "Api"), &RULE, "");
            assert_eq!(found.len(), 1, "{runtime}");
            (found[0].severity, found[0].message.clone())
        };
        assert_eq!(severity("java21", "").0, Severity::Warning);
        let (level, message) = severity("python3.12", "");
        assert_eq!(level, Severity::Info);
        assert!(message.contains("handler code was not found"), "{message}");
        assert_eq!(severity("dotnet8", "").0, Severity::Info);
        let (level, message) = severity("python3.13", "      MemorySize: 3008\n");
        assert_eq!(level, Severity::Warning);
        assert!(message.contains("3008 MB of memory"), "{message}");

        let template = "Transform: AWS::Serverless-2016-10-31\nResources:\n  Report:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      CodeUri: report/\n      Handler: app.handler\n      Events:\n        Get:\n          Type: HttpApi\n          Properties: {Path: /report, Method: GET}\n";
        let handler = "from .frames import summarise\n\ndef handler(event, context):\n    return summarise(event)\n";
        let frames = "import pandas as pd\nimport numpy\n\ndef summarise(event):\n    return pd.DataFrame([event]).to_json()\n";
        let found = check_project(
            &[
                ("template.yaml", template),
                ("report/app.py", handler),
                ("report/frames.py", frames),
            ],
            &RULE,
        );
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(
            found[0].2.contains("its init imports `numpy`, `pandas`"),
            "{}",
            found[0].2
        );
        let light = "import json\n\ndef handler(event, context):\n    return json.dumps(event)\n";
        let found = check_project(
            &[("template.yaml", template), ("report/app.py", light)],
            &RULE,
        );
        assert!(
            found[0]
                .2
                .contains("its handler imports no framework, ML or data library"),
            "{}",
            found[0].2
        );
    }
}
