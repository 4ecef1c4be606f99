//! Integration tests: conversations with the bot on a fresh PostgreSQL database each.

mod backlog;
mod checkins;
mod delivery;
mod delivery_slack;
mod discord_gateway;
mod discord_interactions;
mod discord_send;
mod discord_server;
mod discord_support;
#[cfg(feature = "embedded")]
mod embedded;
mod enrollment;
mod fake_discord;
mod fake_slack;
mod kudos;
mod mentoring;
mod mentoring_inactive;
mod mentoring_rotation;
mod migrations;
mod milestones;
mod outbox;
mod pairing;
mod parser_props;
mod profile;
mod program;
mod reviews;
mod roles;
mod scheduler;
mod slack;
mod slack_loop;
mod slack_sender;
mod slack_socket;
mod support;
mod talks;
mod tenancy;
mod web;
