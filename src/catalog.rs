//! The catalog of what handler code does (`rules/catalog.toml`): which calls open connections,
//! build SDK clients, invoke Lambda functions, or serve a web framework through an adapter.

use crate::model::{ArgValue, Call, CodeFile, FunctionId, Language};
use globset::{GlobBuilder, GlobMatcher, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use std::cell::RefCell;
use std::sync::LazyLock;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalog {
    connection: Vec<RawEntry>,
    client: Vec<RawEntry>,
    invoke: Vec<RawInvoke>,
    framework: Vec<RawFramework>,
    run_once: Vec<RawRunOnce>,
    function_host: Vec<RawFunctionHost>,
    write: Vec<RawWrite>,
    unique_at_init: Vec<RawEntry>,
    restore_hook: Vec<RawEntry>,
    heavy_init: RawHeavyInit,
    inferred_connection: InferredConnection,
}

/// What makes a call a connection the catalog does not list (see `rules/catalog.toml`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct InferredConnection {
    calls: Vec<String>,
    module_words: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHeavyInit {
    python: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRunOnce {
    language: String,
    what: String,
    calls: Vec<String>,
    handlers: Vec<String>,
    functions: Vec<String>,
    reply_fields: Vec<String>,
}

/// Code that runs once per event that matters (a custom resource, a rotation step).
#[derive(Debug)]
pub struct RunOnce {
    languages: Vec<Language>,
    pub what: String,
    calls: Vec<CallPattern>,
    handlers: Vec<String>,
    functions: Vec<String>,
    reply_fields: Vec<String>,
}

impl RunOnce {
    /// A call given one of the event's reply fields (`requests.put(event["ResponseURL"])`).
    fn replies(&self, call: &Call) -> bool {
        call.args.iter().any(|arg| {
            matches!(&arg.value, ArgValue::Path(path)
                if self.reply_fields.iter().any(|f| path.rsplit('.').next() == Some(f)))
        })
    }

    fn matches(&self, file: &CodeFile, handlers: &[FunctionId]) -> bool {
        let named_handler = handlers
            .iter()
            .any(|&h| self.handlers.contains(&file.functions[h].name));
        let steps = !self.functions.is_empty()
            && self
                .functions
                .iter()
                .all(|step| file.function_named(step).is_some());
        self.languages.contains(&file.language)
            && (named_handler
                || steps
                || file
                    .calls
                    .iter()
                    .any(|call| self.calls.iter().any(|p| p.matches(call)) || self.replies(call)))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    language: String,
    what: String,
    calls: Vec<String>,
    #[serde(default)]
    new: bool,
    #[serde(default)]
    except: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInvoke {
    language: String,
    calls: Vec<String>,
    receivers: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFramework {
    language: String,
    apps: Vec<String>,
    adapters: Vec<String>,
    routers: Vec<String>,
    routes: Vec<String>,
    #[serde(default)]
    route_annotations: Vec<String>,
    #[serde(default)]
    route_calls: Vec<String>,
    #[serde(default)]
    handlers: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWrite {
    language: String,
    target: String,
    calls: Vec<String>,
    field: String,
}

/// What a call writes to: an object into a bucket, a message into a queue or topic, an item
/// into a table, a record into a stream, named by a request field.
#[derive(Debug)]
pub struct Write {
    languages: Vec<Language>,
    /// `bucket`, `queue`, `topic`, `table`, `stream` or `bus`.
    pub target: String,
    calls: Vec<CallPattern>,
    /// The request field that names the target (`Bucket`, `QueueUrl`, `TopicArn`).
    pub field: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFunctionHost {
    language: String,
    handlers: Vec<String>,
    entries: Vec<String>,
}

/// A library handler that runs functions its application declares (Spring Cloud Function's
/// `FunctionInvoker` runs the `Function` beans): the functions written inside a method with one
/// of the `entries` annotations run per invocation.
#[derive(Debug)]
pub struct FunctionHost {
    languages: Vec<Language>,
    handlers: Vec<String>,
    entries: Vec<CallPattern>,
}

/// One `call` pattern: a glob over the callee, a builder method, a first argument.
#[derive(Debug, Clone)]
pub struct CallPattern {
    glob: GlobMatcher,
    chain: Option<String>,
    first_arg: Option<String>,
}

impl CallPattern {
    pub fn parse(pattern: &str) -> Result<CallPattern, String> {
        let (rest, first_arg) = match pattern.split_once('(') {
            Some((rest, arg)) => (rest, Some(arg.trim_end_matches(')').to_string())),
            None => (pattern, None),
        };
        let (base, chain) = match rest.split_once('>') {
            Some((base, chain)) => (base, Some(chain.to_string())),
            None => (rest, None),
        };
        let glob = GlobBuilder::new(&base.replace('.', "/"))
            .literal_separator(true)
            .build()
            .map_err(|e| format!("invalid call pattern `{pattern}`: {}", e.kind()))?
            .compile_matcher();
        Ok(CallPattern {
            glob,
            chain,
            first_arg,
        })
    }

    /// Whether a name (an annotation, a base class) matches the pattern's glob.
    pub fn matches_name(&self, name: &str) -> bool {
        self.chain.is_none()
            && self.first_arg.is_none()
            && as_glob_path(name, |path| self.glob.is_match(path))
    }

    pub fn matches(&self, call: &Call) -> bool {
        as_glob_path(&call.callee, |path| self.glob.is_match(path))
            && self
                .chain
                .as_ref()
                .is_none_or(|method| call.chain.iter().any(|(m, _)| m == method))
            && self
                .first_arg
                .as_ref()
                .is_none_or(|wanted| first_string_arg(call) == Some(wanted.as_str()))
    }
}

thread_local! {
    /// One buffer per thread for `as_glob_path`: rules match every call against many patterns.
    static GLOB_PATH: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Calls `f` with `a.b.c` written as the path `a/b/c`, the form call globs are compiled for.
fn as_glob_path<T>(callee: &str, f: impl FnOnce(&str) -> T) -> T {
    GLOB_PATH.with_borrow_mut(|path| {
        path.clear();
        path.extend(callee.chars().map(|c| if c == '.' { '/' } else { c }));
        f(path)
    })
}

/// The names apps and routers of `framework` are bound to (`app`, `router`).
fn route_receivers<'c>(
    framework: &Framework,
    calls: impl Iterator<Item = &'c Call>,
) -> Vec<String> {
    calls
        .filter(|call| {
            framework
                .apps
                .iter()
                .chain(&framework.routers)
                .any(|p| p.matches(call))
        })
        .filter_map(|call| call.bound_to.clone())
        .collect()
}

/// `app.get(...)`, `router.post(...)`, `@app.route(...)`: one route on an app or a router.
fn registers_route(framework: &Framework, receivers: &[String], call: &Call) -> bool {
    call.callee
        .rsplit_once('.')
        .is_some_and(|(receiver, method)| {
            framework.routes.iter().any(|r| r == method) && receivers.iter().any(|r| r == receiver)
        })
}

/// The functions written inside a call's arguments (`app.MapGet("/", () => ...)`): those whose
/// body lies within the call, outermost only.
fn functions_given_to(file: &CodeFile, call: &Call) -> Vec<FunctionId> {
    file.functions
        .iter_enumerated()
        .filter(|(_, f)| {
            f.parent == call.function
                && f.body.start >= call.span.start
                && f.body.end <= call.span.end
        })
        .map(|(id, _)| id)
        .collect()
}

/// The first positional string argument, or the keyword a service name is given by.
pub fn first_string_arg(call: &Call) -> Option<&str> {
    call.args
        .iter()
        .find_map(|arg| match (&arg.name, &arg.value) {
            (None, ArgValue::Str(s)) => Some(s.as_str()),
            (Some(name), ArgValue::Str(s)) if name == "service_name" => Some(s.as_str()),
            _ => None,
        })
}

#[derive(Debug)]
pub struct Entry {
    languages: Vec<Language>,
    pub what: String,
    patterns: Vec<CallPattern>,
    new_only: bool,
    except: GlobSet,
}

impl Entry {
    pub fn matches(&self, language: Language, call: &Call) -> bool {
        self.languages.contains(&language)
            && (!self.new_only || call.is_new)
            && self.patterns.iter().any(|p| p.matches(call))
            && !call
                .callee
                .rsplit('.')
                .next()
                .is_some_and(|last| self.except.is_match(last))
    }
}

#[derive(Debug)]
pub struct InvokeShape {
    languages: Vec<Language>,
    calls: Vec<CallPattern>,
    receivers: Vec<CallPattern>,
}

#[derive(Debug)]
pub struct Framework {
    languages: Vec<Language>,
    apps: Vec<CallPattern>,
    adapters: Vec<CallPattern>,
    /// What routes are registered on besides the app (`express.Router()`, `APIRouter()`).
    routers: Vec<CallPattern>,
    /// The methods that register one route (`get`, `route`, `add_url_rule`).
    routes: Vec<String>,
    /// A whole-application container (`apps` empty): the adapter starts the application, whose
    /// routes are declared across its project by annotations on methods (`@GetMapping`,
    /// `[HttpGet]`) or by calls given the function that serves the route (`app.MapGet`).
    route_annotations: Vec<CallPattern>,
    route_calls: Vec<CallPattern>,
    /// Library classes a template names as the handler, which start the application itself.
    handlers: Vec<String>,
}

impl Framework {
    fn serves_whole_app(&self) -> bool {
        self.apps.is_empty()
    }
}

/// A whole-application container's adapter in a file: a call, or a base class of a class.
#[derive(Debug)]
pub struct WholeAppAdapter<'f> {
    pub name: &'f str,
    pub span: crate::source::Span,
}

/// A web framework app served from one Lambda function through an adapter.
#[derive(Debug)]
pub struct ServedApp<'f> {
    pub adapter: &'f Call,
    /// The routes registered in the file: on the app, on its routers, in decorators.
    pub routes: usize,
}

#[derive(Debug)]
pub struct Catalog {
    pub connections: Vec<Entry>,
    pub clients: Vec<Entry>,
    /// Values that must differ per execution environment (FL503): made at init, SnapStart
    /// clones them into every environment restored from the snapshot.
    pub unique_at_init: Vec<Entry>,
    /// After-restore hooks (CRaC, `snapshot_restore_py`, `SnapshotRestore`).
    pub restore_hooks: Vec<Entry>,
    invokes: Vec<InvokeShape>,
    frameworks: Vec<Framework>,
    function_hosts: Vec<FunctionHost>,
    writes: Vec<Write>,
    run_once: Vec<RunOnce>,
    /// First segments of Python modules whose import makes initialisation heavy.
    heavy_python: GlobSet,
    inferred_connection: InferredConnection,
    /// Every call pattern above, of any kind and language, in one set (see `mentions`).
    every_pattern: GlobSet,
}

pub static CATALOG: LazyLock<Catalog> = LazyLock::new(|| {
    Catalog::parse(include_str!("../rules/catalog.toml"))
        .expect("rules/catalog.toml is valid (checked by tests)")
});

fn every_pattern(raw: &RawCatalog) -> Result<GlobSet, String> {
    let lists = raw
        .connection
        .iter()
        .chain(&raw.client)
        .chain(&raw.unique_at_init)
        .chain(&raw.restore_hook)
        .map(|e| &e.calls)
        .chain(raw.invoke.iter().flat_map(|i| [&i.calls, &i.receivers]))
        .chain(
            raw.framework
                .iter()
                .flat_map(|f| [&f.apps, &f.adapters, &f.routers, &f.route_calls]),
        )
        .chain(raw.run_once.iter().map(|r| &r.calls))
        .chain(raw.write.iter().map(|w| &w.calls));
    let mut set = GlobSetBuilder::new();
    for pattern in lists.flatten() {
        set.add(CallPattern::parse(pattern)?.glob.glob().clone());
    }
    set.build().map_err(|e| e.to_string())
}

fn languages(name: &str) -> Result<Vec<Language>, String> {
    match name {
        "javascript" => Ok(vec![Language::JavaScript, Language::TypeScript]),
        "python" => Ok(vec![Language::Python]),
        "rust" => Ok(vec![Language::Rust]),
        "go" => Ok(vec![Language::Go]),
        "java" => Ok(vec![Language::Java]),
        "csharp" => Ok(vec![Language::CSharp]),
        other => Err(format!(
            "unknown language `{other}` (javascript, python, rust, go, java, csharp)"
        )),
    }
}

fn patterns(list: &[String]) -> Result<Vec<CallPattern>, String> {
    list.iter().map(|p| CallPattern::parse(p)).collect()
}

impl Catalog {
    pub fn parse(text: &str) -> Result<Catalog, String> {
        let raw: RawCatalog = toml::from_str(text).map_err(|e| e.to_string())?;
        let every_pattern = every_pattern(&raw)?;
        let entries = |raw: Vec<RawEntry>| -> Result<Vec<Entry>, String> {
            raw.into_iter()
                .map(|e| {
                    let mut except = GlobSetBuilder::new();
                    for pattern in &e.except {
                        except.add(globset::Glob::new(pattern).map_err(|err| err.to_string())?);
                    }
                    Ok(Entry {
                        languages: languages(&e.language)?,
                        what: e.what,
                        patterns: patterns(&e.calls)?,
                        new_only: e.new,
                        except: except.build().map_err(|err| err.to_string())?,
                    })
                })
                .collect()
        };
        Ok(Catalog {
            connections: entries(raw.connection)?,
            clients: entries(raw.client)?,
            unique_at_init: entries(raw.unique_at_init)?,
            restore_hooks: entries(raw.restore_hook)?,
            invokes: raw
                .invoke
                .into_iter()
                .map(|i| {
                    Ok(InvokeShape {
                        languages: languages(&i.language)?,
                        calls: patterns(&i.calls)?,
                        receivers: patterns(&i.receivers)?,
                    })
                })
                .collect::<Result<_, String>>()?,
            frameworks: raw
                .framework
                .into_iter()
                .map(|f| {
                    Ok(Framework {
                        languages: languages(&f.language)?,
                        apps: patterns(&f.apps)?,
                        adapters: patterns(&f.adapters)?,
                        routers: patterns(&f.routers)?,
                        routes: f.routes,
                        route_annotations: patterns(&f.route_annotations)?,
                        route_calls: patterns(&f.route_calls)?,
                        handlers: f.handlers,
                    })
                })
                .collect::<Result<_, String>>()?,
            writes: raw
                .write
                .into_iter()
                .map(|w| {
                    Ok(Write {
                        languages: languages(&w.language)?,
                        target: w.target,
                        calls: patterns(&w.calls)?,
                        field: w.field,
                    })
                })
                .collect::<Result<_, String>>()?,
            function_hosts: raw
                .function_host
                .into_iter()
                .map(|h| {
                    Ok(FunctionHost {
                        languages: languages(&h.language)?,
                        handlers: h.handlers,
                        entries: patterns(&h.entries)?,
                    })
                })
                .collect::<Result<_, String>>()?,
            run_once: raw
                .run_once
                .into_iter()
                .map(|r| {
                    Ok(RunOnce {
                        languages: languages(&r.language)?,
                        what: r.what,
                        calls: patterns(&r.calls)?,
                        handlers: r.handlers,
                        functions: r.functions,
                        reply_fields: r.reply_fields,
                    })
                })
                .collect::<Result<_, String>>()?,
            heavy_python: {
                let mut set = GlobSetBuilder::new();
                for pattern in &raw.heavy_init.python {
                    set.add(globset::Glob::new(pattern).map_err(|e| e.to_string())?);
                }
                set.build().map_err(|e| e.to_string())?
            },
            inferred_connection: raw.inferred_connection,
            every_pattern,
        })
    }

    /// The driver module a call seems to open a connection of, when the catalog has no entry
    /// for it: `aurora_dsql_psycopg2` for `aurora_dsql_psycopg2.connect(...)`.
    pub fn inferred_driver<'c>(&self, call: &'c Call) -> Option<&'c str> {
        let (module, method) = call.callee.rsplit_once('.')?;
        let inferred = &self.inferred_connection;
        let lower = module.to_ascii_lowercase();
        (inferred.calls.iter().any(|c| c == method)
            && inferred
                .module_words
                .iter()
                .any(|w| lower.contains(w.as_str())))
        .then_some(module)
    }

    /// Of `imports` (modules a Python handler imports), those that make its init heavy.
    pub fn heavy_imports<'m>(&self, imports: impl Iterator<Item = &'m str>) -> Vec<&'m str> {
        let mut heavy: Vec<&str> = imports
            .map(|module| module.split('.').next().unwrap_or(module))
            .filter(|first| !first.is_empty() && self.heavy_python.is_match(first))
            .collect();
        heavy.sort_unstable();
        heavy.dedup();
        heavy
    }

    /// What makes the code with these entry points run once per event that matters (a custom
    /// resource, a rotation step), if anything does.
    pub fn runs_once(&self, file: &CodeFile, handlers: &[FunctionId]) -> Option<&str> {
        self.run_once
            .iter()
            .find(|r| r.matches(file, handlers))
            .map(|r| r.what.as_str())
    }

    /// Whether any rule could care about `call`: it matches a pattern of the catalog, or it is
    /// an `.invoke` whose receiver `is_invoke` traces. A superset of what the rules report, so
    /// that front ends can drop every other call and memory stays small on large repositories.
    pub fn mentions(&self, call: &Call) -> bool {
        call.callee.ends_with(".invoke")
            || as_glob_path(&call.callee, |path| self.every_pattern.is_match(path))
            || self.run_once.iter().any(|r| r.replies(call))
            || self.inferred_driver(call).is_some()
    }

    /// The catalog entry a call matches in `entries`, if any.
    pub fn find<'a>(entries: &'a [Entry], language: Language, call: &Call) -> Option<&'a Entry> {
        entries.iter().find(|e| e.matches(language, call))
    }

    /// Whether `call` invokes a Lambda function: an invoke command, or `.invoke(...)` on a value
    /// built as a Lambda client.
    pub fn is_invoke(&self, file: &CodeFile, call: &Call) -> bool {
        self.invokes
            .iter()
            .filter(|s| s.languages.contains(&file.language))
            .any(|shape| {
                if shape.calls.iter().any(|p| p.matches(call)) {
                    return true;
                }
                let Some(receiver) = call.callee.strip_suffix(".invoke") else {
                    return false;
                };
                let name = receiver.rsplit('.').next().unwrap_or(receiver);
                file.calls
                    .iter()
                    .filter(|c| c.bound_to.as_deref() == Some(name))
                    .any(|built| shape.receivers.iter().any(|p| p.matches(built)))
            })
    }

    fn frameworks_of(&self, language: Language) -> impl Iterator<Item = &Framework> {
        self.frameworks
            .iter()
            .filter(move |f| f.languages.contains(&language))
    }

    /// The web framework app this file serves through an adapter, if it builds one, with the
    /// routes it registers.
    pub fn served_app<'f>(&self, file: &'f CodeFile) -> Option<ServedApp<'f>> {
        self.frameworks_of(file.language).find_map(|framework| {
            let apps: Vec<&Call> = file
                .calls
                .iter()
                .filter(|c| framework.apps.iter().any(|p| p.matches(c)))
                .collect();
            let adapter = file
                .calls
                .iter()
                .find(|c| framework.adapters.iter().any(|p| p.matches(c)))
                .filter(|_| !apps.is_empty())?;
            let receivers = route_receivers(framework, file.calls.iter());
            let registered = file
                .calls
                .iter()
                .filter(|call| registers_route(framework, &receivers, call))
                .count();
            let chained: usize = apps
                .iter()
                .map(|app| {
                    let routes = app.chain.iter();
                    routes.filter(|(m, _)| framework.routes.contains(m)).count()
                })
                .sum();
            Some(ServedApp {
                adapter,
                routes: registered + chained,
            })
        })
    }

    /// The adapter of a whole-application container in `file`: a call that builds one
    /// (`SpringBootLambdaContainerHandler.getAwsProxyHandler`, `AddAWSLambdaHosting`) or a base
    /// class that is one (`APIGatewayProxyFunction`).
    pub fn whole_app_adapter<'f>(&self, file: &'f CodeFile) -> Option<WholeAppAdapter<'f>> {
        let mut frameworks = self
            .frameworks_of(file.language)
            .filter(|f| f.serves_whole_app());
        frameworks.find_map(|framework| {
            let by_call = file
                .calls
                .iter()
                .find(|c| framework.adapters.iter().any(|p| p.matches(c)))
                .map(|c| WholeAppAdapter {
                    name: &c.callee,
                    span: c.span,
                });
            by_call.or_else(|| {
                file.annotations
                    .iter()
                    .find(|a| framework.adapters.iter().any(|p| p.matches_name(&a.name)))
                    .map(|a| WholeAppAdapter {
                        name: &a.name,
                        span: a.span,
                    })
            })
        })
    }

    /// What `call` writes to, if it is a write the catalog knows in `language`.
    pub fn write(&self, language: Language, call: &Call) -> Option<&Write> {
        self.writes
            .iter()
            .find(|w| w.languages.contains(&language) && w.calls.iter().any(|p| p.matches(call)))
    }

    /// Whether a template's handler is a library class that starts the application of the
    /// function's code (`SpringDelegatingLambdaContainerHandler`), in `language`.
    pub fn starts_whole_app(&self, language: Language, handler_class: &str) -> bool {
        self.frameworks_of(language)
            .any(|f| f.handlers.iter().any(|h| h == handler_class))
    }

    /// The routes `file` declares for a whole-application container, each with the functions
    /// that serve it: a method annotated as a route (`@GetMapping`), or the functions given
    /// to a call that registers one (`app.MapGet("/", () => ...)`).
    pub fn declared_routes(&self, file: &CodeFile) -> Vec<(crate::source::Span, Vec<FunctionId>)> {
        let frameworks: Vec<&Framework> = self
            .frameworks_of(file.language)
            .filter(|f| f.serves_whole_app())
            .collect();
        let annotated = file.annotations.iter().filter_map(|annotation| {
            let function = annotation.function?;
            frameworks
                .iter()
                .any(|f| {
                    f.route_annotations
                        .iter()
                        .any(|p| p.matches_name(&annotation.name))
                })
                .then(|| (annotation.span, vec![function]))
        });
        let registered = file
            .calls
            .iter()
            .filter(|call| {
                frameworks
                    .iter()
                    .any(|f| f.route_calls.iter().any(|p| p.matches(call)))
            })
            .map(|call| (call.span, functions_given_to(file, call)));
        annotated.chain(registered).collect()
    }

    /// Whether a front end should keep `annotation`: it names an adapter or a route.
    pub fn reads_annotation(
        &self,
        language: Language,
        annotation: &crate::model::Annotation,
    ) -> bool {
        let named = |p: &CallPattern| p.matches_name(&annotation.name);
        self.frameworks_of(language)
            .any(|f| f.adapters.iter().chain(&f.route_annotations).any(named))
            || self
                .function_hosts
                .iter()
                .any(|h| h.languages.contains(&language) && h.entries.iter().any(named))
    }

    /// The functions `file` declares for a library handler that hosts them (`FunctionInvoker`
    /// of Spring Cloud Function), when `handler_class` is one: the functions written inside an
    /// entry method (`@Bean Function<...> name() { return event -> ...; }`).
    pub fn hosted_functions(
        &self,
        file: &CodeFile,
        handler_class: &str,
    ) -> Option<Vec<FunctionId>> {
        let host = self.function_hosts.iter().find(|h| {
            h.languages.contains(&file.language) && h.handlers.iter().any(|c| c == handler_class)
        })?;
        let entries: Vec<FunctionId> = file
            .annotations
            .iter()
            .filter(|a| host.entries.iter().any(|p| p.matches_name(&a.name)))
            .filter_map(|a| a.function)
            .collect();
        Some(
            file.functions
                .iter_enumerated()
                .filter(|(_, f)| f.parent.is_some_and(|p| entries.contains(&p)))
                .map(|(id, _)| id)
                .collect(),
        )
    }

    /// Whether a front end should keep `call` for [`Catalog::served_app`]: a route registered on
    /// one of `receivers`, the names `route_values` found in the same file.
    pub fn registers_route(&self, language: Language, receivers: &[String], call: &Call) -> bool {
        !receivers.is_empty()
            && self
                .frameworks_of(language)
                .any(|framework| registers_route(framework, receivers, call))
    }

    /// The names apps and routers are bound to in a file, before its calls are pruned.
    pub fn route_values(&self, file: &CodeFile) -> Vec<String> {
        // Most calls bind nothing or match no pattern: one set lookup rules them out.
        let candidates: Vec<&Call> = file
            .calls
            .iter()
            .filter(|call| call.bound_to.is_some() && self.mentions(call))
            .collect();
        if candidates.is_empty() {
            return Vec::new();
        }
        self.frameworks_of(file.language)
            .flat_map(|framework| route_receivers(framework, candidates.iter().copied()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Arg;

    fn call(callee: &str) -> Call {
        Call {
            callee: callee.into(),
            display: String::new(),
            span: Default::default(),
            function: None,
            is_new: true,
            args: Vec::new(),
            chain: Vec::new(),
            result_used: true,
            lazily_cached: false,
            bound_to: None,
            from_invocation_data: false,
        }
    }

    #[test]
    fn the_catalog_loads() {
        assert!(CATALOG.connections.len() >= 3 && CATALOG.clients.len() >= 5);
    }

    #[test]
    fn patterns_match_segments_chains_and_arguments() {
        let js = Language::TypeScript;
        assert!(Catalog::find(&CATALOG.connections, js, &call("pg.Pool")).is_some());
        assert!(
            Catalog::find(&CATALOG.connections, js, &call("mysql2/promise.createPool")).is_some()
        );
        assert!(
            Catalog::find(&CATALOG.clients, js, &call("@aws-sdk/client-s3.S3Client")).is_some()
        );
        assert!(Catalog::find(
            &CATALOG.clients,
            js,
            &call("@aws-sdk/client-s3.GetObjectCommand")
        )
        .is_none());
        assert!(Catalog::find(
            &CATALOG.clients,
            js,
            &call("aws-sdk.DynamoDB.DocumentClient")
        )
        .is_some());
        assert!(Catalog::find(&CATALOG.connections, Language::Python, &call("pg.Pool")).is_none());
        // Datadog's traced `database/sql`, v1 (`gopkg.in/...dd-trace-go.v1`) and v2.
        for traced in [
            "DataDog/dd-trace-go.v1/contrib/database/sql.Open",
            "DataDog/dd-trace-go/contrib/database/sql.Open",
        ] {
            assert!(Catalog::find(&CATALOG.connections, Language::Go, &call(traced)).is_some());
        }

        let rust = Language::Rust;
        let mut builder = call("sqlx.postgres.PgPoolOptions.new");
        assert!(
            Catalog::find(&CATALOG.connections, rust, &builder).is_none(),
            "no connect yet"
        );
        builder.chain.push(("connect".into(), Vec::new()));
        assert!(Catalog::find(&CATALOG.connections, rust, &builder).is_some());
        assert!(Catalog::find(&CATALOG.connections, rust, &call("sqlx.PgPool.connect")).is_some());
        assert!(Catalog::find(
            &CATALOG.connections,
            rust,
            &call("sqlx.PgPool.connect_lazy")
        )
        .is_none());
        assert!(
            Catalog::find(&CATALOG.clients, rust, &call("aws_sdk_dynamodb.Client.new")).is_some()
        );

        let mut boto = call("boto3.client");
        boto.args.push(Arg {
            name: None,
            value: ArgValue::Str("lambda".into()),
        });
        let pattern = CallPattern::parse("boto3.client(lambda)").unwrap();
        assert!(pattern.matches(&boto));
        boto.args[0].value = ArgValue::Str("s3".into());
        assert!(!pattern.matches(&boto));
    }
}
