//! The catalog of what handler code does (`rules/catalog.toml`): which calls open connections,
//! build SDK clients, invoke Lambda functions, or serve a web framework through an adapter.

use crate::model::{ArgValue, Call, CodeFile, Language};
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
}

#[derive(Debug)]
pub struct Catalog {
    pub connections: Vec<Entry>,
    pub clients: Vec<Entry>,
    invokes: Vec<InvokeShape>,
    frameworks: Vec<Framework>,
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
        .map(|e| &e.calls)
        .chain(raw.invoke.iter().flat_map(|i| [&i.calls, &i.receivers]))
        .chain(raw.framework.iter().flat_map(|f| [&f.apps, &f.adapters]));
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
        other => Err(format!(
            "unknown language `{other}` (javascript, python, rust)"
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
                    })
                })
                .collect::<Result<_, String>>()?,
            every_pattern,
        })
    }

    /// Whether any rule could care about `call`: it matches a pattern of the catalog, or it is
    /// an `.invoke` whose receiver `is_invoke` traces. A superset of what the rules report, so
    /// that front ends can drop every other call and memory stays small on large repositories.
    pub fn mentions(&self, call: &Call) -> bool {
        call.callee.ends_with(".invoke")
            || as_glob_path(&call.callee, |path| self.every_pattern.is_match(path))
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

    /// The adapter call serving a web framework app in this file, if the file builds one.
    pub fn framework_adapter<'f>(&self, file: &'f CodeFile) -> Option<&'f Call> {
        self.frameworks
            .iter()
            .filter(|f| f.languages.contains(&file.language))
            .find_map(|framework| {
                let has_app = file
                    .calls
                    .iter()
                    .any(|c| framework.apps.iter().any(|p| p.matches(c)));
                let adapter = file
                    .calls
                    .iter()
                    .find(|c| framework.adapters.iter().any(|p| p.matches(c)));
                adapter.filter(|_| has_app)
            })
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
