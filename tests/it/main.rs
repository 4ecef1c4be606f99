//! Integration tests: conversations with the bot on a fresh PostgreSQL database each.

mod checkins;
mod discord_gateway;
mod discord_interactions;
mod discord_send;
mod discord_server;
mod discord_support;
#[cfg(feature = "embedded")]
mod embedded;
mod enrollment;
mod outbox;
mod parser_props;
mod profile;
mod program;
mod roles;
mod scheduler;
mod support;
mod tenancy;
