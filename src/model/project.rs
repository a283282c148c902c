//! The project: every file read in one run and what the front ends found in them.

use super::iac::{Function, Template};
use crate::source::{FileId, SourceFile};

#[derive(Debug, Default)]
pub struct Project {
    pub files: Vec<SourceFile>,
    pub templates: Vec<(FileId, Template)>,
}

impl Project {
    pub fn functions(&self) -> impl Iterator<Item = &Function> {
        self.templates
            .iter()
            .flat_map(|(_, template)| template.functions.iter())
    }

    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id]
    }
}
