//! The project: every file read in one run, what the front ends found in them, and which
//! template function runs which handler. The project assigns every id as it takes things in.

use super::code::{Call, CodeFile};
use super::iac::{Function, MetadataSuppression, Resource, Template};
use super::ids::{CodeId, FileId, FunctionId, IacFunctionId, IndexVec, LinkId};
use crate::source::{SourceFile, Span};

/// A call into a function of another code file (`saveOrder()` imported from `./db`).
#[derive(Debug, Clone, PartialEq)]
pub struct CrossCall {
    /// Index of the call in its file's calls.
    pub call: usize,
    pub target: CodeId,
    pub function: FunctionId,
}

/// A call that runs on every invocation of a handler, in the handler's file or in a file the
/// handler's calls lead to.
#[derive(Debug, Clone, Copy)]
pub struct InvocationSite<'p> {
    /// The file the call is written in, and the call's index in its calls.
    pub code: CodeId,
    pub index: usize,
    pub call: &'p Call,
    /// The function the call is in.
    pub function: FunctionId,
    /// The handler's file, and the handler.
    pub entry: CodeId,
    pub handler: FunctionId,
}

/// How many files deep the call graph is followed from a handler.
const MAX_FILE_DEPTH: usize = 8;

/// A template function linked to the handler it runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub function: IacFunctionId,
    pub code: CodeId,
    /// `None` when the handler is not a function of the file (`handler = Mangum(app)`).
    pub handler: Option<FunctionId>,
}

/// A web application a container serves whole from one function (Spring Boot through
/// aws-serverless-java-container, ASP.NET Core through `Amazon.Lambda.AspNetCoreServer`): where
/// it starts, and the routes its project declares.
#[derive(Debug, Clone, PartialEq)]
pub struct WholeApp {
    pub start: AppStart,
    /// Each declared route: the file and where it is declared.
    pub routes: Vec<(CodeId, Span)>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum AppStart {
    /// An adapter in code: a call that builds the container, or a base class that is one.
    Code {
        code: CodeId,
        span: Span,
        adapter: String,
    },
    /// A template function whose handler is the container's own class.
    Template {
        function: IacFunctionId,
        handler: String,
    },
}

#[derive(Debug, Default)]
pub struct Project {
    pub files: IndexVec<FileId, SourceFile>,
    /// Every function declared in infrastructure as code, template by template.
    pub functions: IndexVec<IacFunctionId, Function>,
    /// `Metadata: {faaslint: {ignore: [...]}}` entries, with the template they are written in.
    pub metadata_suppressions: Vec<(FileId, MetadataSuppression)>,
    pub code: IndexVec<CodeId, CodeFile>,
    links: IndexVec<LinkId, Link>,
    /// The links per code file, so that rules asking per file stay linear in files.
    links_by_code: IndexVec<CodeId, Vec<LinkId>>,
    /// The code each template function runs, when linked.
    code_by_function: IndexVec<IacFunctionId, Option<CodeId>>,
    /// The code files each code file imports (relative imports, Python modules, `mod`).
    imported: IndexVec<CodeId, Vec<CodeId>>,
    /// The calls of each code file into functions of other files, by call index.
    cross_calls: IndexVec<CodeId, Vec<CrossCall>>,
    /// Web applications served whole from one function, found when linking.
    pub whole_apps: Vec<WholeApp>,
    /// Queues, buckets, topics, tables, streams, state machines and buses the templates declare.
    pub resources: Vec<Resource>,
}

impl Project {
    pub fn add_file(&mut self, source: SourceFile) -> FileId {
        self.files.push(source)
    }

    /// Takes in what a template front end found in `file`: its functions get their ids here,
    /// and the files it includes become files of the project. A file several templates include
    /// (one `config/dev.yml` for every service) is one file, so its findings are reported once.
    /// Returns the files new to the project.
    pub fn add_template(&mut self, file: FileId, template: Template) -> Vec<FileId> {
        let mut new = Vec::new();
        let included: Vec<FileId> = template
            .includes
            .into_iter()
            .map(|include| {
                if let Some((id, _)) = self
                    .files
                    .iter_enumerated()
                    .find(|(_, known)| known.path == include.path)
                {
                    return id;
                }
                let id =
                    self.add_file(SourceFile::new(include.path, include.display, include.text));
                new.push(id);
                id
            })
            .collect();
        for mut function in template.functions {
            function.file = file;
            for var in &mut function.environment {
                if let Some(include) = &mut var.included {
                    include.file = included[include.file.index()];
                }
            }
            self.functions.push(function);
        }
        self.metadata_suppressions
            .extend(template.suppressions.into_iter().map(|s| (file, s)));
        for mut resource in template.resources {
            resource.file = file;
            self.resources.push(resource);
        }
        new
    }

    pub fn add_code(&mut self, file: FileId, mut code: CodeFile) -> CodeId {
        code.file = file;
        self.code.push(code)
    }

    pub fn functions(&self) -> impl Iterator<Item = &Function> {
        self.functions.iter()
    }

    pub fn set_links(&mut self, links: Vec<Link>) {
        self.links = IndexVec::from_vec(links);
        self.links_by_code = self.code.iter().map(|_| Vec::new()).collect();
        self.code_by_function = self.functions.iter().map(|_| None).collect();
        for (id, link) in self.links.iter_enumerated() {
            self.links_by_code[link.code].push(id);
            self.code_by_function[link.function].get_or_insert(link.code);
        }
    }

    pub fn set_imports(&mut self, imported: IndexVec<CodeId, Vec<CodeId>>) {
        self.imported = imported;
    }

    pub fn set_cross_calls(&mut self, cross_calls: IndexVec<CodeId, Vec<CrossCall>>) {
        self.cross_calls = cross_calls;
    }

    /// The handler code a template function runs, when it is linked.
    pub fn code_of(&self, function: IacFunctionId) -> Option<CodeId> {
        self.code_by_function.get(function).copied().flatten()
    }

    /// The modules `code` imports, and those the project files it imports import, transitively.
    pub fn imports_reached(&self, code: CodeId) -> Vec<&str> {
        self.files_reached(code)
            .into_iter()
            .flat_map(|file| self.code[file].imports.iter().map(|i| i.module.as_str()))
            .collect()
    }

    /// `code` and the project files it imports, transitively: what its init loads.
    pub fn files_reached(&self, code: CodeId) -> Vec<CodeId> {
        let mut seen = vec![code];
        let mut work = vec![code];
        while let Some(next) = work.pop() {
            for &imported in self.imported.get(next).into_iter().flatten() {
                if !seen.contains(&imported) {
                    seen.push(imported);
                    work.push(imported);
                }
            }
        }
        seen
    }

    /// Handler code: the files that hold a handler (named by a template or found by
    /// convention), and the files they import, transitively. Front-end, infrastructure and
    /// test code is not.
    pub fn handler_code(&self) -> IndexVec<CodeId, bool> {
        let mut reached: IndexVec<CodeId, bool> = self.code.iter().map(|_| false).collect();
        let mut work: Vec<CodeId> = self
            .code
            .iter_enumerated()
            .filter(|(id, file)| {
                !file.is_test
                    && (self.links_of(*id).next().is_some()
                        || !file.conventional_handlers.is_empty())
            })
            .map(|(id, _)| id)
            .collect();
        while let Some(code) = work.pop() {
            if std::mem::replace(&mut reached[code], true) {
                continue;
            }
            let imports = self.imported.get(code).into_iter().flatten();
            work.extend(imports.filter(|&&next| !self.code[next].is_test));
        }
        reached
    }

    /// Whether call `index` of code file `code` goes into a function of another file of the
    /// project.
    pub fn calls_project_code(&self, code: CodeId, index: usize) -> bool {
        self.cross_calls
            .get(code)
            .into_iter()
            .flatten()
            .any(|cross| cross.call == index)
    }

    /// The links whose handler lives in code file `code`.
    fn links_of(&self, code: CodeId) -> impl Iterator<Item = &Link> {
        self.links_by_code
            .get(code)
            .into_iter()
            .flatten()
            .map(|&id| &self.links[id])
    }

    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id]
    }

    /// The entry points of a code file: the handlers templates name in it, else the ones found
    /// by convention.
    pub fn handlers(&self, code: CodeId) -> Vec<FunctionId> {
        let linked: Vec<FunctionId> = self.links_of(code).filter_map(|l| l.handler).collect();
        if linked.is_empty() {
            self.code[code].conventional_handlers.clone()
        } else {
            linked
        }
    }

    /// The calls that run on every invocation of the handlers of `entry`: inside a handler, in
    /// a function it calls in the same file, or in a function of another file its calls lead to
    /// (to a bounded depth; cycles are followed once). Each call comes once, with the handler
    /// that reaches it first. Test files and Cloudflare Workers have none: they do not run per
    /// Lambda invocation.
    pub fn per_invocation_sites(&self, entry: CodeId) -> Vec<InvocationSite<'_>> {
        let file = &self.code[entry];
        if file.is_test || file.is_worker {
            return Vec::new();
        }
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        for handler in self.handlers(entry) {
            let mut visited = std::collections::HashSet::new();
            let mut work = vec![(entry, handler, 0)];
            while let Some((code, start, depth)) = work.pop() {
                let file = &self.code[code];
                if file.is_test || !visited.insert((code, start)) {
                    continue;
                }
                let reached = file.per_invocation(&[start]);
                for (index, call) in file.calls.iter().enumerate() {
                    let Some(function) = call.function.filter(|&f| reached[f]) else {
                        continue;
                    };
                    if seen.insert((code, index)) {
                        out.push(InvocationSite {
                            code,
                            index,
                            call,
                            function,
                            entry,
                            handler,
                        });
                    }
                    if depth < MAX_FILE_DEPTH {
                        let into = self.cross_calls.get(code).into_iter().flatten();
                        work.extend(
                            into.filter(|c| c.call == index)
                                .map(|c| (c.target, c.function, depth + 1)),
                        );
                    }
                }
            }
        }
        out
    }

    /// The resource `logical_id` that template `file` declares, or for a Terraform address
    /// (`aws_sqs_queue.jobs`), a file of the same module (folder) declares.
    pub fn resource(&self, file: FileId, logical_id: &str) -> Option<&Resource> {
        let same_file = self
            .resources
            .iter()
            .find(|r| r.file == file && r.logical_id == logical_id);
        let folder = |id: FileId| self.files[id].path.parent();
        same_file.or_else(|| {
            self.resources.iter().find(|r| {
                r.logical_id == logical_id
                    && logical_id.starts_with("aws_")
                    && folder(r.file) == folder(file)
            })
        })
    }

    /// The template functions that run this code file.
    pub fn functions_running(&self, code: CodeId) -> impl Iterator<Item = &Function> {
        self.links_of(code).map(|l| &self.functions[l.function])
    }
}
