//! Privacy: the data policy (retention as code, `config/data_policy.toml`), checked
//! against the schema, applied by the daily sweep, and written out for the README.

pub mod erase;
pub mod policy;
pub mod sweep;

pub use policy::{Action, Gaps, MemberLink, Policy, policy};
