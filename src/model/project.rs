//! The project: every file read in one run, what the front ends found in them, and which
//! template function runs which handler.

use super::code::{Call, CodeFile, FunctionId};
use super::iac::{Function, Template};
use crate::source::{FileId, SourceFile};

/// A template function linked to the handler it runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    /// Index in [`Project::templates`], then in that template's functions.
    pub template: usize,
    pub function: usize,
    /// Index in [`Project::code`].
    pub code: usize,
    /// `None` when the handler is not a function of the file (`handler = Mangum(app)`).
    pub handler: Option<FunctionId>,
}

#[derive(Debug, Default)]
pub struct Project {
    pub files: Vec<SourceFile>,
    pub templates: Vec<(FileId, Template)>,
    pub code: Vec<CodeFile>,
    links: Vec<Link>,
    /// Indexes in `links` per code file, so that rules asking per file stay linear in files.
    links_by_code: Vec<Vec<usize>>,
}

impl Project {
    pub fn functions(&self) -> impl Iterator<Item = &Function> {
        self.templates
            .iter()
            .flat_map(|(_, template)| template.functions.iter())
    }

    pub fn set_links(&mut self, links: Vec<Link>) {
        self.links_by_code = vec![Vec::new(); self.code.len()];
        for (index, link) in links.iter().enumerate() {
            self.links_by_code[link.code].push(index);
        }
        self.links = links;
    }

    /// The links whose handler lives in code file `code`.
    fn links_of(&self, code: usize) -> impl Iterator<Item = &Link> {
        self.links_by_code
            .get(code)
            .into_iter()
            .flatten()
            .map(|&index| &self.links[index])
    }

    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id]
    }

    pub fn linked_function(&self, link: &Link) -> &Function {
        &self.templates[link.template].1.functions[link.function]
    }

    /// The entry points of a code file: the handlers templates name in it, else the ones found
    /// by convention.
    pub fn handlers(&self, code: usize) -> Vec<FunctionId> {
        let linked: Vec<FunctionId> = self.links_of(code).filter_map(|l| l.handler).collect();
        if linked.is_empty() {
            self.code[code].conventional_handlers.clone()
        } else {
            linked
        }
    }

    /// The calls that run on every invocation (inside a handler or a function it calls in the
    /// same file), each with the handler that reaches it first. Test files and Cloudflare
    /// Workers have none: they do not run per Lambda invocation.
    pub fn per_invocation_calls(&self, code: usize) -> Vec<(&Call, FunctionId)> {
        let file = &self.code[code];
        if file.is_test || file.is_worker {
            return Vec::new();
        }
        let mut seen = vec![false; file.calls.len()];
        let mut out = Vec::new();
        for handler in self.handlers(code) {
            let reached = file.per_invocation(&[handler]);
            for (index, call) in file.calls.iter().enumerate() {
                if call.function.is_some_and(|f| reached[f])
                    && !std::mem::replace(&mut seen[index], true)
                {
                    out.push((call, handler));
                }
            }
        }
        out
    }

    /// The template functions that run this code file.
    pub fn functions_running(&self, code: usize) -> impl Iterator<Item = &Function> {
        self.links_of(code).map(|l| self.linked_function(l))
    }
}
