//! What the yes/no mechanism says.

use crate::render::Message;

pub const YES: &str = "Yes";
pub const NO: &str = "No";

/// After a question: the typed answer works where there are no buttons.
pub fn how_to_answer() -> Message {
    Message::new()
        .text(" Answer ")
        .code("/yes")
        .text(" or ")
        .code("/no")
        .text(".")
}

pub fn kept() -> Message {
    Message::new().text("OK, nothing changed.")
}

pub fn nothing_asked() -> Message {
    Message::new().text("I haven't asked you anything, so there is nothing to answer.")
}

pub fn expired() -> Message {
    Message::new().text(
        "That question has expired or was already answered, so nothing changed. Run the command again if you still want to.",
    )
}

/// Another command arrived while a question was open.
pub fn dropped(command: &str) -> Message {
    Message::new()
        .text("(I dropped my unanswered question about ")
        .code(format!("/{command}"))
        .text(".)")
}
