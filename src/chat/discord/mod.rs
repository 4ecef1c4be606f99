//! The Discord adapter: outbox sender, interactions (gateway and HTTP), command registration.

pub mod autocomplete;
pub mod commands;
pub mod custom_id;
pub mod handler;
pub mod messages;
pub mod modals;
pub mod rest;
pub mod sender;

pub use custom_id::{CustomIds, Target};
pub use handler::{Answer, Handler, Reply};
pub use rest::{Rest, RestError};
pub use sender::{Channels, DiscordSender};
