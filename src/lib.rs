//! cohortbot: runs citizen-developer cohorts and mentorship programs from chat.

pub mod app;
pub mod chat;
pub mod clock;
pub mod cluster;
pub mod commands;
pub mod config;
pub mod domain;
pub mod matching;
pub mod memory;
pub mod outbox;
pub mod privacy;
pub mod program;
pub mod render;
pub mod schedule;
pub mod server;
pub mod services;
pub mod store;
pub mod telemetry;
pub mod web;
