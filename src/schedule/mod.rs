//! The scheduler: cron triggers evaluated in IANA time zones, each tick claimed once.

pub mod cron;
pub mod kinds;
pub mod listing;
pub mod runner;

pub use cron::{CronError, CronExpr};
pub use kinds::TriggerKind;
pub use runner::{Scheduler, TickReport};
