//! Typed ids: an index into one of the project's lists, which cannot be used for another list.
//! The project assigns them as it takes in what the front ends made.

oxc_index::define_index_type! {
    /// A file read in this run: an index in [`Project::files`](super::Project).
    pub struct FileId = u32;
}

oxc_index::define_index_type! {
    /// A handler code file: an index in [`Project::code`](super::Project).
    pub struct CodeId = u32;
}

oxc_index::define_index_type! {
    /// A function in one code file: an index in [`CodeFile::functions`](super::CodeFile).
    pub struct FunctionId = u32;
}

oxc_index::define_index_type! {
    /// A function declared in infrastructure as code: an index in
    /// [`Project::functions`](super::Project).
    pub struct IacFunctionId = u32;
}

oxc_index::define_index_type! {
    /// A template function linked to its handler: an index in the project's links.
    pub struct LinkId = u32;
}

pub use oxc_index::IndexVec;
