//! What the review commands say.

use uuid::Uuid;

use crate::render::{ActionKind, Message};
use crate::store::reviews::ReviewStatus;

const CLAIM_BUTTON: &str = "Claim";

pub fn bad_url(url: &str) -> Message {
    Message::new()
        .text("A review needs a link starting with ")
        .code("https://")
        .text(" or ")
        .code("http://")
        .text(", not ")
        .code(crate::domain::text::preview(url))
        .text(".")
}

pub fn not_enrolled() -> Message {
    Message::new()
        .text("Reviews are for learners in a cohort. Join one with ")
        .code("/cohort join")
        .text(".")
}

pub fn too_many_open(max: i64) -> Message {
    Message::new().text(format!(
        "You already have {max} open review requests. Once one is done you can ask again."
    ))
}

pub fn requested(number: i32, channel: &str) -> Message {
    Message::new()
        .text(format!("Review #{number} requested and posted in "))
        .channel(channel)
        .text(". You'll hear here when a mentor claims it.")
}

pub fn announcement(
    number: i32,
    learner: &str,
    url: &str,
    topic: Option<&str>,
    note: Option<&str>,
    mentors: &[(Uuid, String)],
) -> Message {
    let mut msg = Message::new();
    // The learner's own mentors are named first, so they see it before anyone else.
    for (id, name) in mentors {
        msg = msg.mention(*id, name).text(" ");
    }
    msg = msg
        .strong(format!("Review #{number}"))
        .text(" for ")
        .user(learner)
        .text(": ")
        .user(url);
    if let Some(t) = topic {
        msg = msg.text(" (").user(t).text(")");
    }
    if let Some(n) = note {
        msg = msg.text(" — ").user(n);
    }
    msg.text(". Claim it with ")
        .code(format!("/review claim {number}"))
        .text(".")
        .action(
            CLAIM_BUTTON,
            ActionKind::ClaimReview {
                number: number.into(),
            },
        )
}

pub fn unknown_review(number: i64) -> Message {
    Message::new().text(format!("There is no review #{number} here."))
}

pub fn own_review() -> Message {
    Message::new().text("You can't claim your own review; a mentor will pick it up.")
}

pub fn mentors_only() -> Message {
    Message::new()
        .text("Only approved mentors claim reviews. Offer with ")
        .code("/mentor offer")
        .text(".")
}

pub fn already_claimed(number: i64) -> Message {
    Message::new().text(format!("Review #{number} is already claimed."))
}

pub fn claimed(number: i64) -> Message {
    Message::new()
        .text(format!(
            "Review #{number} is yours. When you're done, send "
        ))
        .code(format!(
            "/review done {number} works:\"…\" improve:\"…\" next:\"…\""
        ))
        .text(".")
}

pub fn claimed_notice(number: i64, mentor: Uuid, name: &str) -> Message {
    Message::new()
        .mention(mentor, name)
        .text(format!(" claimed your review #{number}."))
}

pub fn not_your_request(number: i64) -> Message {
    Message::new().text(format!(
        "Review #{number} is someone else's request; only they can cancel it."
    ))
}

pub fn nothing_to_cancel(number: i64, status: ReviewStatus) -> Message {
    let state = if status == ReviewStatus::Done {
        "is already done"
    } else {
        "is already cancelled"
    };
    Message::new().text(format!(
        "Review #{number} {state}, so there is nothing to cancel."
    ))
}

pub fn cancelled(number: i64, was_claimed: bool) -> Message {
    let msg = Message::new().text(format!("Cancelled review #{number}."));
    if was_claimed {
        msg.text(" The mentor who claimed it has been told.")
    } else {
        msg.text(" Mentors won't be asked about it again.")
    }
}

pub fn cancelled_notice(number: i64, learner: &str) -> Message {
    Message::new().user(learner).text(format!(
        " cancelled review #{number}; there is nothing more to do for it. Thank you!"
    ))
}

pub fn was_cancelled(number: i64) -> Message {
    Message::new().text(format!(
        "Review #{number} was cancelled by the learner; there is nothing to do."
    ))
}

pub fn already_done(number: i64) -> Message {
    Message::new().text(format!("Review #{number} is already done."))
}

pub fn not_yours(number: i64) -> Message {
    Message::new()
        .text(format!(
            "Review #{number} isn't claimed by you. Claim it first with "
        ))
        .code(format!("/review claim {number}"))
        .text(".")
}

pub fn template(number: i64) -> Message {
    Message::new()
        .strong("Feedback template")
        .line()
        .text("• works: what works well (be specific)")
        .line()
        .text("• improve: one or two things to improve")
        .line()
        .text("• next: one next step the learner can take this week")
        .line()
        .text("Send all three: ")
        .code(format!(
            "/review done {number} works:\"…\" improve:\"…\" next:\"…\""
        ))
}

pub fn done(number: i64, learner: &str) -> Message {
    Message::new()
        .text(format!(
            "Thanks! Your feedback on review #{number} went to "
        ))
        .user(learner)
        .text(".")
}

pub fn feedback(
    number: i64,
    mentor: &str,
    url: &str,
    works: &str,
    improve: &str,
    next: &str,
) -> Message {
    Message::new()
        .text(format!("Feedback on review #{number} ("))
        .user(url)
        .text(") from ")
        .user(mentor)
        .text(":")
        .line()
        .strong("What works: ")
        .user(works)
        .line()
        .strong("To improve: ")
        .user(improve)
        .line()
        .strong("Next step: ")
        .user(next)
}

pub fn reannouncement(number: i32, learner: &str, url: &str, hours: i32) -> Message {
    Message::new()
        .text(format!("Still waiting after {hours} h: "))
        .strong(format!("review #{number}"))
        .text(" for ")
        .user(learner)
        .text(": ")
        .user(url)
        .text(". Claim it with ")
        .code(format!("/review claim {number}"))
        .text(".")
        .action(
            CLAIM_BUTTON,
            ActionKind::ClaimReview {
                number: number.into(),
            },
        )
}

pub fn escalation(number: i32, learner: &str, url: &str, hours: i32) -> Message {
    Message::new()
        .text(format!(
            "Nobody has claimed review #{number} in {hours} h: "
        ))
        .user(learner)
        .text(" asked about ")
        .user(url)
        .text(". Could you pick it up or find someone?")
}
