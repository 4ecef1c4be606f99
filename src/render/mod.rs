//! Messages the bot says, kept structured until the edge renders them for a platform.

pub mod plain;

use serde::{Deserialize, Serialize};

/// One piece of a message. User-supplied text is kept apart so each platform can escape it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Fragment {
    /// The bot's own words.
    Text(String),
    /// The bot's own words, emphasised.
    Strong(String),
    /// A command, id or value shown as code.
    Code(String),
    /// Text a person typed: never trusted, always escaped.
    User(String),
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message(pub Vec<Fragment>);

impl Message {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn text(mut self, s: impl Into<String>) -> Self {
        self.0.push(Fragment::Text(s.into()));
        self
    }

    pub fn strong(mut self, s: impl Into<String>) -> Self {
        self.0.push(Fragment::Strong(s.into()));
        self
    }

    pub fn code(mut self, s: impl Into<String>) -> Self {
        self.0.push(Fragment::Code(s.into()));
        self
    }

    pub fn user(mut self, s: impl Into<String>) -> Self {
        self.0.push(Fragment::User(s.into()));
        self
    }

    pub fn line(self) -> Self {
        self.text("\n")
    }

    /// Appends another message.
    pub fn push(mut self, other: Message) -> Self {
        self.0.extend(other.0);
        self
    }
}

impl From<&str> for Message {
    fn from(s: &str) -> Self {
        Message::new().text(s)
    }
}

impl From<String> for Message {
    fn from(s: String) -> Self {
        Message::new().text(s)
    }
}
