//! FL503 snapstart-restore-hazard: state made at init that SnapStart must not freeze.

use crate::catalog::{Catalog, CATALOG};
use crate::diagnostic::{Diagnostic, Severity};
use crate::knowledge::Runtime;
use crate::model::{Call, CodeId, Function, Project};
use crate::rules::{Context, Rule};

pub static RULE: Rule = Rule {
    code: "FL503",
    name: "snapstart-restore-hazard",
    default_severity: Severity::Warning,
    summary: "A connection or unique value made at init, cloned by SnapStart into every restore",
    doc: include_str!("../../rules/FL503-snapstart-restore-hazard.md"),
    check: Some(check),
    options: None,
};

fn check(project: &Project, _: &Context, out: &mut Vec<Diagnostic>) {
    for (id, function) in project.functions.iter_enumerated() {
        if function.snapstart_enabled().is_none() {
            continue;
        }
        let Some(code) = project.code_of(id) else {
            continue;
        };
        let files = project.files_reached(code);
        if files.iter().any(|&file| restores(project, file)) {
            continue;
        }
        for file in files {
            for call in init_calls(project, file) {
                if let Some(what) = hazard(project, file, call) {
                    out.push(diagnostic(project, file, call, function, &what));
                }
            }
        }
    }
}

/// Whether a file registers an after-restore hook (which may re-create what init made).
fn restores(project: &Project, file: CodeId) -> bool {
    let code = &project.code[file];
    code.calls
        .iter()
        .any(|call| Catalog::find(&CATALOG.restore_hooks, code.language, call).is_some())
        || code.functions.iter().any(|f| f.name == "afterRestore")
}

/// Calls that run at init: at module scope (or in a constructor, a static initialiser), not
/// cached lazily for the first invocation.
fn init_calls(project: &Project, file: CodeId) -> impl Iterator<Item = &Call> {
    project.code[file]
        .calls
        .iter()
        .filter(|call| call.function.is_none() && !call.lazily_cached)
}

/// What an init call makes that a restore must not reuse: a connection, or a value that must
/// differ per execution environment.
fn hazard(project: &Project, file: CodeId, call: &Call) -> Option<String> {
    let language = project.code[file].language;
    if let Some(entry) = Catalog::find(&CATALOG.connections, language, call) {
        return Some(format!(
            "opens a {} at init: every environment restored from the snapshot starts with this \
             connection, made before the snapshot and likely closed by then",
            entry.what.trim_end_matches(',')
        ));
    }
    let entry = Catalog::find(&CATALOG.unique_at_init, language, call)?;
    Some(format!(
        "makes a {} at init: every environment restored from the snapshot has the same one",
        entry.what
    ))
}

fn diagnostic(
    project: &Project,
    file: CodeId,
    call: &Call,
    function: &Function,
    what: &str,
) -> Diagnostic {
    let code = &project.code[file];
    let message = format!(
        "{} {what} (function `{}` has SnapStart)",
        call.display, function.logical_id
    );
    let family = function
        .runtime
        .as_ref()
        .map(|r| Runtime::parse(&r.value).family)
        .unwrap_or_default();
    Diagnostic::new(&RULE, code.file, call.span, message)
        .with_help(help(&family))
        .with_related(function.file, function.span, "function with SnapStart")
}

/// The after-restore hook of the function's runtime.
fn help(family: &str) -> String {
    let hook = match family {
        "java" => {
            "register an `org.crac.Resource` with `Core.getGlobalContext().register(this)` and \
             re-create it in `afterRestore`"
        }
        "python" => {
            "re-create it in a function decorated with \
             `@snapshot_restore_py.register_after_restore`"
        }
        "dotnet" => "re-create it in `SnapshotRestore.RegisterAfterRestore(...)`",
        _ => "re-create it in the runtime's after-restore hook",
    };
    format!(
        "Make it after the restore instead: {hook}, or create it lazily on first use in the \
         handler. Connections made at init are fine without SnapStart, and with it they must be \
         validated or reopened after each restore."
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::check_project;

    fn sam(runtime: &str, handler: &str, snapstart: bool) -> String {
        let snap = if snapstart {
            "      AutoPublishAlias: live\n      SnapStart:\n        ApplyOn: PublishedVersions\n"
        } else {
            ""
        };
        format!(
            "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: {runtime}\n      CodeUri: .\n      Handler: {handler}\n{snap}"
        )
    }

    const PYTHON: &str = "import uuid\nimport psycopg2\nimport boto3\n\nINSTANCE = str(uuid.uuid4())\nconn = psycopg2.connect(host='db')\ns3 = boto3.client('s3')\n\ndef handler(event, context):\n    request_id = uuid.uuid4()\n    return INSTANCE\n";

    #[test]
    fn connections_and_unique_values_at_init_with_snapstart() {
        let template = sam("python3.13", "app.handler", true);
        let found = check_project(
            &[("template.yaml", &template), ("app.py", PYTHON)],
            &super::RULE,
        );
        let lines: Vec<usize> = found.iter().map(|(_, l, _)| *l).collect();
        assert_eq!(lines, [5, 6], "{found:#?}");
        assert!(found[0].2.contains("unique id at init"), "{}", found[0].2);
        assert!(
            found[1].2.contains("database connection at init"),
            "{}",
            found[1].2
        );
        assert!(found[1].2.contains("function `Fn` has SnapStart"));
    }

    #[test]
    fn quiet_without_snapstart_or_with_a_restore_hook() {
        let template = sam("python3.13", "app.handler", false);
        assert!(check_project(
            &[("template.yaml", &template), ("app.py", PYTHON)],
            &super::RULE
        )
        .is_empty());
        let hooked = format!(
            "from snapshot_restore_py import register_after_restore\n{PYTHON}\n@register_after_restore\ndef reconnect():\n    global conn\n    conn = psycopg2.connect(host='db')\n"
        );
        let template = sam("python3.13", "app.handler", true);
        assert!(check_project(
            &[("template.yaml", &template), ("app.py", &hooked)],
            &super::RULE
        )
        .is_empty());
    }

    #[test]
    fn java_static_fields_and_crac_resources() {
        let template = sam("java21", "com.example.App::handleRequest", true);
        let app = "package com.example;\n\nimport java.util.UUID;\nimport com.amazonaws.services.lambda.runtime.RequestHandler;\n\npublic class App implements RequestHandler<String, String> {\n    private static final String ID = UUID.randomUUID().toString();\n    public String handleRequest(String input, Context context) {\n        return ID;\n    }\n}\n";
        let path = "src/main/java/com/example/App.java";
        let found = check_project(&[("template.yaml", &template), (path, app)], &super::RULE);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].1, 7);
        let crac = app.replace(
            "    public String handleRequest",
            "    public void afterRestore(org.crac.Context<? extends Resource> c) {}\n    public String handleRequest",
        );
        assert!(
            check_project(&[("template.yaml", &template), (path, &crac)], &super::RULE).is_empty()
        );
    }
}
