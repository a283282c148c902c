//! Links template functions to their handler code: SAM `CodeUri` + `Handler`, esbuild
//! `EntryPoints`, Serverless `handler: src/x.main`, cargo-lambda crates. A `.js` handler built
//! from TypeScript is found at its source.

use crate::knowledge::Runtime;
use crate::model::{
    AppStart, CodeFile, CodeId, CrossCall, Flavor, Function, FunctionId, Import, Language, Link,
    Project, WholeApp,
};
use crate::source::normalize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

const NODE_EXTENSIONS: &[&str] = &["ts", "mts", "cts", "tsx", "js", "mjs", "cjs", "jsx"];
/// Build output folders whose sources usually live in `src/`.
const BUILD_FOLDERS: &[&str] = &["dist", "build", "out", "lib", ".build"];

pub fn link(project: &mut Project) {
    let cwd = std::env::current_dir().unwrap_or_default();
    let by_path: HashMap<PathBuf, CodeId> = project
        .code
        .iter_enumerated()
        .map(|(id, code)| (normalize(&project.files[code.file].path, &cwd), id))
        .collect();
    let mut links = Vec::new();
    for (function_id, function) in project.functions.iter_enumerated() {
        let template_dir = project.files[function.file]
            .path
            .parent()
            .unwrap_or(Path::new(""));
        let Some((code, export)) = candidates(template_dir, function)
            .into_iter()
            .find_map(|(path, export)| by_path.get(&normalize(&path, &cwd)).map(|c| (*c, export)))
        else {
            continue;
        };
        let file = &project.code[code];
        let handler = export
            .as_deref()
            .and_then(|name| {
                file.exports
                    .iter()
                    .find(|(exported, _)| exported == name)
                    .map(|(_, id)| *id)
                    .or_else(|| file.function_named(name))
            })
            .or_else(|| file.conventional_handlers.first().copied());
        links.push(Link {
            function: function_id,
            code,
            handler,
        });
    }
    let (whole_apps, app_links) = whole_apps(project, &cwd);
    links.extend(app_links);
    links.extend(hosted_functions(project, &cwd));
    project.whole_apps = whole_apps;
    project.set_links(links);
    // Each file's modules are resolved once, however many calls go into them.
    let resolved = std::cell::RefCell::new(HashMap::new());
    let resolve = |from: CodeId, module: &str| -> Option<CodeId> {
        if let Some(&known) = resolved.borrow().get(&(from, module.to_string())) {
            return known;
        }
        let code = &project.code[from];
        let found = imported_files(&project.files[code.file].path, code.language, module)
            .iter()
            .find_map(|candidate| by_path.get(&normalize(candidate, &cwd)).copied());
        resolved
            .borrow_mut()
            .insert((from, module.to_string()), found);
        found
    };
    let packages = go_packages(project, &cwd);
    let same_package = |from: CodeId| -> &[CodeId] {
        let code = &project.code[from];
        let dir = normalize(&project.files[code.file].path, &cwd);
        match dir.parent().and_then(|dir| packages.get(dir)) {
            Some(files) if code.language == Language::Go => files,
            _ => &[],
        }
    };
    let imported = project
        .code
        .iter_enumerated()
        .map(|(from, code)| {
            let mut found: Vec<CodeId> = code
                .imports
                .iter()
                .filter_map(|import| resolve(from, &import.module))
                .collect();
            if code.imports.iter().any(|i| i.module == ".") {
                found.extend(same_package(from).iter().filter(|&&c| c != from));
            }
            found.sort();
            found.dedup();
            found
        })
        .collect();
    let cross_calls = project
        .code
        .iter_enumerated()
        .map(|(from, code)| {
            code.calls
                .iter()
                .enumerate()
                .filter_map(|(index, call)| {
                    let (import, rest) = code.imported_callee(call)?;
                    let (target, function) = match import.module.as_str() {
                        // Go: a function of another file of the same package.
                        "." => same_package(from).iter().find_map(|&target| {
                            let function = project.code[target].function_named(rest)?;
                            (target != from).then_some((target, function))
                        })?,
                        _ => called_function(project, &resolve, from, import, rest)?,
                    };
                    Some(CrossCall {
                        call: index,
                        target,
                        function,
                    })
                })
                .collect()
        })
        .collect();
    project.set_imports(imported);
    project.set_cross_calls(cross_calls);
}

/// Web applications served whole by a container: from an adapter in code, or from a template
/// handler that is the container's class. The methods that serve their routes become entry
/// points of their files, and a template's function is linked to the files that declare them.
fn whole_apps(project: &mut Project, cwd: &Path) -> (Vec<WholeApp>, Vec<Link>) {
    let catalog = &crate::catalog::CATALOG;
    let mut starts: Vec<(AppStart, Language, PathBuf)> = Vec::new();
    for (id, code) in project.code.iter_enumerated() {
        if code.is_test {
            continue;
        }
        if let Some(adapter) = catalog.whole_app_adapter(code) {
            let path = normalize(&project.files[code.file].path, cwd);
            let start = AppStart::Code {
                code: id,
                span: adapter.span,
                adapter: adapter.name.to_string(),
            };
            starts.push((start, code.language, module_root(&path, code.language)));
        }
    }
    for (id, function) in project.functions.iter_enumerated() {
        let Some((class, language, root)) = handler_class(project, function, cwd) else {
            continue;
        };
        if catalog.starts_whole_app(language, &class) {
            let start = AppStart::Template {
                function: id,
                handler: class,
            };
            starts.push((start, language, root));
        }
    }
    let mut apps = Vec::new();
    let mut links = Vec::new();
    for (start, language, root) in starts {
        let mut routes = Vec::new();
        for (id, code) in project.code.iter_mut_enumerated() {
            if code.language != language || code.is_test {
                continue;
            }
            let path = normalize(&project.files[code.file].path, cwd);
            if !path.starts_with(&root) {
                continue;
            }
            let declared = catalog.declared_routes(code);
            if declared.is_empty() {
                continue;
            }
            for (span, functions) in declared {
                routes.push((id, span));
                add_entry_points(code, functions);
            }
            if let AppStart::Template { function, .. } = start {
                links.push(Link {
                    function,
                    code: id,
                    handler: None,
                });
            }
        }
        apps.push(WholeApp { start, routes });
    }
    (apps, links)
}

/// Functions whose handler is a library class that runs the functions its application declares
/// (Spring Cloud Function's `FunctionInvoker`): linked to the files that declare them, which
/// become those files' entry points.
fn hosted_functions(project: &mut Project, cwd: &Path) -> Vec<Link> {
    let catalog = &crate::catalog::CATALOG;
    let mut links = Vec::new();
    for (id, function) in project.functions.iter_enumerated() {
        let Some((class, language, root)) = handler_class(project, function, cwd) else {
            continue;
        };
        for (code_id, code) in project.code.iter_mut_enumerated() {
            if code.language != language || code.is_test {
                continue;
            }
            let Some(hosted) = catalog.hosted_functions(code, &class) else {
                break; // The handler hosts no functions.
            };
            if hosted.is_empty()
                || !normalize(&project.files[code.file].path, cwd).starts_with(&root)
            {
                continue;
            }
            add_entry_points(code, hosted);
            links.push(Link {
                function: id,
                code: code_id,
                handler: None,
            });
        }
    }
    links
}

/// Makes `functions` entry points of `code`, found by convention.
fn add_entry_points(code: &mut CodeFile, functions: Vec<FunctionId>) {
    for function in functions {
        if !code.conventional_handlers.contains(&function) {
            code.conventional_handlers.push(function);
        }
    }
}

/// The class a Java or .NET function's handler names (`pkg.Class` of `pkg.Class::method`), the
/// language, and the project folder its code is in.
fn handler_class(
    project: &Project,
    function: &Function,
    cwd: &Path,
) -> Option<(String, Language, PathBuf)> {
    let language = runtime_language(function)?;
    let handler = function.handler.as_ref()?;
    let class = handler.value.split("::").next().unwrap_or_default();
    let template_dir = project.files[function.file].path.parent();
    let base = code_base(template_dir.unwrap_or(Path::new("")), function);
    Some((
        class.to_string(),
        language,
        normalize(&java_project(&base), cwd),
    ))
}

/// The language of a function's runtime, for the runtimes whose handlers name classes.
fn runtime_language(function: &Function) -> Option<Language> {
    let runtime = function.runtime.as_ref()?;
    match Runtime::parse(&runtime.value).family.as_str() {
        "java" => Some(Language::Java),
        "dotnet" => Some(Language::CSharp),
        _ => None,
    }
}

/// The folder of the project a code file belongs to: a Maven or Gradle project holds
/// `src/main/java`; a .NET project's classes sit in and below the folder of its entry point.
fn module_root(path: &Path, language: Language) -> PathBuf {
    let dir = path.parent().unwrap_or(Path::new(""));
    if language == Language::Java {
        let source_root = dir
            .ancestors()
            .find(|a| a.ends_with("src/main/java") || a.ends_with("src"));
        if let Some(project) = source_root.map(|root| {
            if root.ends_with("src/main/java") {
                root.parent().and_then(Path::parent).and_then(Path::parent)
            } else {
                root.parent()
            }
        }) {
            return project.unwrap_or(Path::new("")).to_path_buf();
        }
    }
    dir.to_path_buf()
}

/// The Go files of each folder: a folder is a package, and its files call each other's
/// functions without an import.
fn go_packages(project: &Project, cwd: &Path) -> HashMap<PathBuf, Vec<CodeId>> {
    let mut packages: HashMap<PathBuf, Vec<CodeId>> = HashMap::new();
    for (id, code) in project.code.iter_enumerated() {
        if code.language != Language::Go {
            continue;
        }
        let path = normalize(&project.files[code.file].path, cwd);
        if let Some(dir) = path.parent() {
            packages.entry(dir.to_path_buf()).or_default().push(id);
        }
    }
    packages
}

/// The function a call into `import` names with `rest` (`saveOrder`, `repo.load_profile`): in
/// the module's file, or for a Python package, in the submodule the first name is.
fn called_function(
    project: &Project,
    resolve: &impl Fn(CodeId, &str) -> Option<CodeId>,
    from: CodeId,
    import: &Import,
    rest: &str,
) -> Option<(CodeId, FunctionId)> {
    let mut names = rest.split('.');
    let first = names.next().filter(|n| !n.is_empty()).unwrap_or("default");
    let in_file = |target: CodeId, name: &str| {
        let file = &project.code[target];
        file.exports
            .iter()
            .find(|(exported, _)| exported == name)
            .map(|(_, id)| *id)
            .or_else(|| file.function_named(name))
            .map(|function| (target, function))
    };
    if let Some(found) = resolve(from, &import.module).and_then(|target| in_file(target, first)) {
        return Some(found);
    }
    let second = names.next()?;
    let submodule = format!("{}.{first}", import.module);
    resolve(from, &submodule).and_then(|target| in_file(target, second))
}

/// The files a module name may be in, relative to the importing file at `from`: a relative
/// JavaScript import (`./db`, `../lib`), a Python module (`.db`, `app.repo`, looked for beside the
/// file and in the folders above it), a Rust `mod db;`. Packages (`pg`, `boto3`) are none.
fn imported_files(from: &Path, language: Language, module: &str) -> Vec<PathBuf> {
    let dir = from.parent().unwrap_or(Path::new(""));
    match language {
        Language::JavaScript | Language::TypeScript if module.starts_with('.') => {
            let base = dir.join(module);
            let stem = base.with_extension("");
            let mut found = vec![base.clone()];
            for extension in NODE_EXTENSIONS {
                found.push(PathBuf::from(format!("{}.{extension}", base.display())));
                found.push(PathBuf::from(format!("{}.{extension}", stem.display())));
                found.push(base.join(format!("index.{extension}")));
            }
            found
        }
        Language::JavaScript | Language::TypeScript => Vec::new(),
        Language::Python => {
            let dots = module.chars().take_while(|&c| c == '.').count();
            let relative = module[dots..].replace('.', "/");
            let roots: Vec<&Path> = if dots > 0 {
                dir.ancestors().skip(dots - 1).take(1).collect()
            } else {
                dir.ancestors().take(4).collect()
            };
            roots
                .into_iter()
                .flat_map(|root| {
                    [
                        root.join(format!("{relative}.py")),
                        root.join(&relative).join("__init__.py"),
                    ]
                })
                .collect()
        }
        // `./Helper` is a class beside the file; `com.example.db.Repo` is looked for under the
        // source roots above it (`src/main/java`).
        Language::Java => match module.strip_prefix("./") {
            Some(class) => vec![dir.join(format!("{class}.java"))],
            None => {
                let relative = format!("{}.java", module.replace('.', "/"));
                dir.ancestors()
                    .take(12)
                    .map(|root| root.join(&relative))
                    .collect()
            }
        },
        Language::Go | Language::CSharp => Vec::new(),
        Language::Rust => match module.strip_prefix("mod ") {
            Some(name) => {
                let own = from.file_stem().and_then(|s| s.to_str()).unwrap_or("");
                let base = if matches!(own, "main" | "lib" | "mod") {
                    dir.to_path_buf()
                } else {
                    dir.join(own)
                };
                vec![
                    base.join(format!("{name}.rs")),
                    base.join(name).join("mod.rs"),
                ]
            }
            None => Vec::new(),
        },
    }
}

/// Where the handler of `function` may live, most likely first, with the function it exports.
fn candidates(template_dir: &Path, function: &Function) -> Vec<(PathBuf, Option<String>)> {
    let base = code_base(template_dir, function);
    let family = function
        .runtime
        .as_ref()
        .map(|r| Runtime::parse(&r.value).family);
    let mut found = Vec::new();
    if matches!(family.as_deref(), Some("provided" | "go")) {
        // A custom runtime's `bootstrap`: a cargo-lambda crate or a Go `main` package.
        found.push((base.join("src/main.rs"), None));
        found.push((base.join("main.go"), None));
        return found;
    }
    let Some(handler) = &function.handler else {
        return found;
    };
    if family.as_deref() == Some("java") {
        return java_candidates(&base, &handler.value);
    }
    if family.as_deref() == Some("dotnet") {
        return dotnet_candidates(&base, &handler.value);
    }
    let Some((module, export)) = handler.value.rsplit_once('.') else {
        return found;
    };
    let export = Some(export.to_string());
    for entry in &function.entry_points {
        found.push((base.join(entry), export.clone()));
    }
    let node = family.as_deref().is_none_or(|f| f == "nodejs");
    let python = family.as_deref().is_none_or(|f| f == "python");
    if node {
        for module in with_source_folder(module) {
            for extension in NODE_EXTENSIONS {
                found.push((base.join(format!("{module}.{extension}")), export.clone()));
            }
        }
    }
    if python {
        // `pkg.module.handler` is `pkg/module.py`; Serverless writes `pkg/module.handler`.
        found.push((
            base.join(format!("{}.py", module.replace('.', "/"))),
            export.clone(),
        ));
    }
    found
}

/// The folder (or archive) a function's code is in: its code location beside the template.
fn code_base(template_dir: &Path, function: &Function) -> PathBuf {
    match (&function.flavor, &function.code_uri) {
        (Flavor::Serverless, _) => template_dir.to_path_buf(),
        (_, Some(uri)) if !uri.value.contains("://") => template_dir.join(&uri.value),
        _ => template_dir.to_path_buf(),
    }
}

/// The project a Java code location is: the folder itself, or for a built archive
/// (`target/app.jar`, `build/libs/app.zip`), the project it was built in.
fn java_project(base: &Path) -> PathBuf {
    let mut project = base.to_path_buf();
    if project
        .extension()
        .is_some_and(|e| e == "jar" || e == "zip")
    {
        project.pop();
        while project.file_name().is_some_and(|n| {
            matches!(
                n.to_str(),
                Some("target" | "build" | "libs" | "distributions")
            )
        }) {
            project.pop();
        }
    }
    project
}

/// A Java handler, `com.example.App::handleRequest` or `com.example.App` (whose method is
/// `handleRequest`), in a Maven or Gradle project: `src/main/java/com/example/App.java`. A code
/// location that is the built archive (`target/app.jar`, `build/libs/app.zip`) names the project
/// it was built in.
fn java_candidates(base: &Path, handler: &str) -> Vec<(PathBuf, Option<String>)> {
    let (class, method) = handler
        .split_once("::")
        .unwrap_or((handler, "handleRequest"));
    let export = Some(method.to_string());
    let project = java_project(base);
    let file = format!("{}.java", class.replace('.', "/"));
    ["src/main/java", "src", ""]
        .iter()
        .map(|root| (project.join(root).join(&file), export.clone()))
        .collect()
}

/// A .NET handler, `Assembly::Namespace.Class::Method`: the class's file (`Function.cs`), in the
/// project folder or its `src/<Assembly>/`. An assembly alone (top-level statements) is its
/// `Program.cs`.
fn dotnet_candidates(base: &Path, handler: &str) -> Vec<(PathBuf, Option<String>)> {
    let parts: Vec<&str> = handler.split("::").collect();
    let (assembly, class, method) = match parts.as_slice() {
        [assembly, class, method] => (*assembly, Some(*class), Some(method.to_string())),
        [assembly, ..] => (*assembly, None, None),
        [] => return Vec::new(),
    };
    let file = match class {
        Some(class) => {
            let simple = class.rsplit('.').next().unwrap_or(class);
            // Lambda Annotations generate `Functions_Add_Generated::Add` from the method `Add`
            // of `Functions`, which is where the code is.
            let generated = method
                .as_deref()
                .and_then(|m| simple.strip_suffix(&format!("_{m}_Generated")));
            format!("{}.cs", generated.unwrap_or(simple))
        }
        None => "Program.cs".to_string(),
    };
    [
        base.to_path_buf(),
        base.join("src").join(assembly),
        base.join(assembly),
    ]
    .into_iter()
    .map(|folder| (folder.join(&file), method.clone()))
    .collect()
}

/// `dist/orders/get` is also looked for as `src/orders/get` (a build folder's sources).
fn with_source_folder(module: &str) -> Vec<String> {
    let mut modules = vec![module.to_string()];
    if let Some((first, rest)) = module.split_once('/') {
        if BUILD_FOLDERS.contains(&first) {
            modules.push(format!("src/{rest}"));
            modules.push(rest.to_string());
        }
    }
    modules
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Flavor, Located};
    use crate::source::Span;

    fn function(flavor: Flavor, runtime: &str, code_uri: Option<&str>, handler: &str) -> Function {
        let mut f = Function::new("Fn".into(), Span::default(), flavor);
        f.runtime = Some(Located::new(runtime.into(), Span::default()));
        f.code_uri = code_uri.map(|c| Located::new(c.into(), Span::default()));
        f.handler = Some(Located::new(handler.into(), Span::default()));
        f
    }

    fn paths(found: Vec<(PathBuf, Option<String>)>) -> Vec<String> {
        found
            .into_iter()
            .map(|(p, _)| p.to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn sam_python_and_node_handlers() {
        let python = candidates(
            Path::new("app"),
            &function(
                Flavor::Sam,
                "python3.12",
                Some("src/orders/"),
                "create.lambda_handler",
            ),
        );
        assert_eq!(paths(python), ["app/src/orders/create.py"]);
        let dotted = candidates(
            Path::new("app"),
            &function(Flavor::Sam, "python3.12", Some("."), "pkg.api.handler"),
        );
        assert_eq!(paths(dotted), ["app/./pkg/api.py"]);
        let node = paths(candidates(
            Path::new("."),
            &function(Flavor::Sam, "nodejs20.x", Some("dist/"), "lambda.handler"),
        ));
        assert!(node.contains(&"./dist/lambda.ts".to_string()));
        let built = paths(candidates(
            Path::new("."),
            &function(
                Flavor::Serverless,
                "nodejs20.x",
                None,
                "dist/orders/get.handler",
            ),
        ));
        assert!(
            built.contains(&"./src/orders/get.ts".to_string()),
            "{built:?}"
        );
    }

    #[test]
    fn esbuild_entry_points_come_first_and_rust_uses_the_crate() {
        let mut f = function(
            Flavor::Sam,
            "nodejs20.x",
            Some("hello-world/"),
            "app.lambdaHandler",
        );
        f.entry_points = vec!["app.ts".into()];
        let found = candidates(Path::new("."), &f);
        assert_eq!(
            found[0],
            (
                PathBuf::from("./hello-world/app.ts"),
                Some("lambdaHandler".into())
            )
        );
        let rust = candidates(
            Path::new("."),
            &function(
                Flavor::Sam,
                "provided.al2023",
                Some("rust_app"),
                "bootstrap",
            ),
        );
        // A `bootstrap` is a cargo-lambda crate or a Go `main` package.
        assert_eq!(
            paths(rust),
            ["./rust_app/src/main.rs", "./rust_app/main.go"]
        );
    }

    #[test]
    fn dotnet_handlers_of_lambda_annotations_are_their_own_class() {
        let found = candidates(
            Path::new("."),
            &function(
                Flavor::Sam,
                "dotnet8",
                Some("src/Api"),
                "Api::Api.Functions_GetProduct_Generated::GetProduct",
            ),
        );
        assert_eq!(
            found[0],
            (
                PathBuf::from("./src/Api/Functions.cs"),
                Some("GetProduct".to_string())
            )
        );
    }

    #[test]
    fn java_handlers_are_found_in_their_maven_or_gradle_project() {
        let sam = candidates(
            Path::new("."),
            &function(
                Flavor::Sam,
                "java21",
                Some("OrdersFunction"),
                "com.example.App::handleRequest",
            ),
        );
        assert_eq!(
            sam[0],
            (
                PathBuf::from("./OrdersFunction/src/main/java/com/example/App.java"),
                Some("handleRequest".to_string())
            )
        );
        // A built archive names the project; a class alone means `handleRequest`.
        let cdk = candidates(
            Path::new("lib"),
            &function(
                Flavor::Cdk,
                "java17",
                Some("../reports/target/reports.jar"),
                "com.example.Reports",
            ),
        );
        assert_eq!(
            cdk[0],
            (
                PathBuf::from("lib/../reports/src/main/java/com/example/Reports.java"),
                Some("handleRequest".to_string())
            )
        );
    }
}
