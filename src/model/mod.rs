//! Language-neutral models the rules read: functions declared in infrastructure as code, and the
//! project that holds them.

pub mod code;
pub mod iac;
pub mod ids;
pub mod project;

pub use code::*;
pub use iac::*;
pub use ids::{CodeId, FileId, FunctionId, IacFunctionId, IndexVec, LinkId};
pub use project::{AppStart, CrossCall, InvocationSite, Link, Project, WholeApp};
