//! The program as code: communities, cohorts, tracks, modules, schedules and circles.

pub mod export;
pub mod import;
pub mod model;
pub mod sessions;

pub use import::{ImportReport, import};
pub use model::ProgramFile;
