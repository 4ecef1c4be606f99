//! Integration tests: conversations with the bot on a fresh PostgreSQL database each.

mod checkins;
#[cfg(feature = "embedded")]
mod embedded;
mod enrollment;
mod kudos;
mod mentoring;
mod mentoring_inactive;
mod mentoring_rotation;
mod outbox;
mod pairing;
mod parser_props;
mod profile;
mod program;
mod reviews;
mod roles;
mod scheduler;
mod support;
mod tenancy;
