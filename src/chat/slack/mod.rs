//! The Slack edge: slash commands, interactivity and events (HTTP or Socket Mode) in, the
//! Web API out. All program logic stays in the services.

pub mod api;
mod app;
mod commands;
mod events;
pub mod http;
mod interactive;
mod messages;
pub mod run;
pub mod sender;
pub mod socket;
mod text;
pub mod verify;
mod views;

pub use app::{ACK_BUDGET, SlackApp};
pub use commands::SlashCommand;
pub use http::routes;
pub use sender::SlackSender;
