//! The command catalog, declared once, and the parser every adapter shares.

pub mod actions;
pub mod bind;
pub mod catalog;
pub mod forms;
pub mod help;
pub mod messages;
pub mod parse;
pub mod value;

pub use catalog::{
    CATALOG, CommandId, CommandSpec, OptionKind, OptionSpec, Permission, Visibility,
};
pub use parse::{ParseError, ParsedCommand, parse};
pub use value::{Args, Value};
