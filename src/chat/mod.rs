//! Chat adapters: each turns platform events into invocations and delivers outcomes.

pub mod discord;
pub mod shell;
pub mod slack;
