//! What the Home says.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::commands::forms::FormId;
use crate::render::{ActionKind, Message, count};
use crate::services::events::{messages::session_name, when};
use crate::store::absences::Absence;
use crate::store::reviews::Review;
use crate::store::sessions::{Selection, Session};

/// One cohort's check-in this week.
pub struct Week<'a> {
    pub cohort: &'a str,
    pub slug: &'a str,
    /// The member's own ISO week, as `/checkin` files it.
    pub period: String,
    pub done: bool,
    /// Why the cohort takes no check-in now (not started, or over), as `/checkin` says.
    pub closed: Option<Message>,
}

fn run(command: &str, options: &[(&str, String)]) -> ActionKind {
    ActionKind::Run {
        command: command.to_owned(),
        options: options
            .iter()
            .map(|(name, value)| ((*name).to_owned(), value.clone()))
            .collect(),
    }
}

pub fn this_week(away: Option<&Absence>, weeks: &[Week<'_>], streak: Option<Message>) -> Message {
    let mut msg = Message::new().text("🏠 ").strong("This week");
    if let Some(away) = away {
        msg = msg.line().text(match away.last_day {
            Some(last) => format!(
                "🌴 You're away until {} (your last day away): prompts and nudges wait for you. Back early? ",
                last.format("%a %-d %b")
            ),
            None => "🌴 You're away: prompts and nudges wait for you. Back? ".to_owned(),
        });
        msg = msg
            .code("/back")
            .text(".")
            .action("I'm back", run("back", &[]));
    }
    if weeks.is_empty() {
        return msg
            .line()
            .text("You're in no cohort yet. See them with ")
            .code("/cohort list")
            .text(" and join one with ")
            .code("/cohort join <cohort>")
            .text(".");
    }
    for week in weeks {
        if let Some(closed) = &week.closed {
            msg = msg.line().push(closed.clone());
            continue;
        }
        msg = msg.line().strong(week.cohort).text(": ");
        if week.done {
            msg = msg.text(format!("✅ checked in for {}.", week.period));
        } else {
            msg = msg
                .text(format!("⏳ no check-in for {} yet: ", week.period))
                .code("/checkin")
                .text(" or the button.")
                .action(
                    format!("Check in: {}", week.cohort),
                    ActionKind::CheckIn {
                        cohort: week.slug.to_owned(),
                        period: week.period.clone(),
                    },
                );
        }
    }
    match streak {
        Some(streak) => msg.line().push(streak),
        None => msg,
    }
}

/// Each shown session with the reader's zone and their sign-up: `Some(picked)` when
/// they signed up.
pub fn next_sessions(
    shown: &[(Session, Tz, Option<bool>)],
    total: i64,
    now: DateTime<Utc>,
) -> Message {
    let mut msg = Message::new().text("📅 ").strong("Next sessions");
    for (session, zone, signed_up) in shown {
        let running = if session.starts_at <= now {
            " (running now)"
        } else {
            ""
        };
        msg = msg
            .line()
            .text("• ")
            .push(session_name(session))
            .text(format!(
                ", {}{running}",
                when::for_reader(session.starts_at, *zone)
            ));
        let number = session.number.to_string();
        let host_picks = session.selection == Selection::HostPicks;
        let closed = session.rsvp_closes_at().is_some_and(|at| at <= now);
        msg = match signed_up {
            Some(picked) => {
                let state = match (host_picks, picked) {
                    (false, _) => ": you're going.",
                    (true, true) => ": the host picked you.",
                    (true, false) => ": you're signed up; the host picks who comes.",
                };
                msg.text(state).action(
                    format!("Withdraw from #{number}"),
                    run("event unrsvp", &[("session", number)]),
                )
            }
            None if closed || session.starts_at <= now => msg.text(": sign-ups are closed."),
            None => msg.text(".").action(
                format!("RSVP #{number}"),
                run("event rsvp", &[("session", number)]),
            ),
        };
    }
    let more = total - shown.len() as i64;
    if more > 0 {
        msg = msg
            .line()
            .text(format!("and {more} more: "))
            .code("/event list")
            .text(".");
    }
    msg
}

/// A mentor's learners in one cohort, as the weekly mentor digest shows them.
pub fn mentor_view(summary: Message) -> Message {
    Message::new().text("🧭 ").push(summary)
}

pub fn reviews(waiting: &[Review], total: i64) -> Message {
    let msg = Message::new().text("🔍 ").strong("Reviews waiting");
    if waiting.is_empty() {
        return msg
            .line()
            .text("None: every review request has a mentor. 🎉");
    }
    let mut msg = msg.text(format!(": {}", count(total, "request", "requests")));
    for review in waiting {
        msg = msg
            .line()
            .text(format!("• #{} ", review.number))
            .user(&review.learner_name);
        if let Some(topic) = &review.topic {
            msg = msg.text(": ").user(topic);
        }
        msg = msg.text(" · ").user(&review.url).action(
            format!("Claim #{}", review.number),
            ActionKind::ClaimReview {
                number: i64::from(review.number),
            },
        );
    }
    let more = total - waiting.len() as i64;
    if more > 0 {
        msg = msg
            .line()
            .text(format!("and {more} more, oldest first: claim one with "))
            .code("/review claim <number>")
            .text(".");
    }
    msg
}

/// A learner's mentors: (cohort, mentor, whether they lead the learner).
pub fn my_mentors(mentors: &[(String, String, bool)]) -> Message {
    let msg = Message::new().text("🧭 ").strong("Mentoring");
    let msg = if mentors.is_empty() {
        msg.line()
            .text("No mentor yet: the stewards match learners with mentors.")
    } else {
        let mut msg = msg;
        for (cohort, mentor, lead) in mentors {
            msg = msg
                .line()
                .text(if *lead {
                    "Your lead mentor in "
                } else {
                    "Your mentor in "
                })
                .strong(cohort)
                .text(": ")
                .user(mentor)
                .text(".");
        }
        msg
    };
    msg.line()
        .text("Want to build something with a peer? ")
        .code("/pair request <topic>")
        .text(" or the button.")
        .action(
            "Ask for a pairing",
            ActionKind::Form {
                form: FormId::PairRequest.code().to_owned(),
                context: Vec::new(),
            },
        )
}

pub fn knowledge() -> Message {
    Message::new()
        .text("📚 ")
        .strong("Knowledge base")
        .line()
        .text("FAQs, playbooks, decisions and clinic notes: ")
        .code("/kb search <words>")
        .text(", or ask the mentors with ")
        .code("/kb ask <question>")
        .text(".")
        .action(
            "Search the knowledge base",
            ActionKind::Form {
                form: FormId::KbSearch.code().to_owned(),
                context: Vec::new(),
            },
        )
}

/// The footer: when the Home was made, in the member's zone when they set one.
pub fn updated(now: DateTime<Utc>, zone: Tz, zone_known: bool) -> Message {
    let msg = Message::new().text(format!(
        "Last updated {}.",
        now.with_timezone(&zone).format("%a %-d %b %H:%M %Z")
    ));
    if zone_known {
        msg
    } else {
        msg.text(" Set your zone with ")
            .code("/me timezone <zone>")
            .text(" to see times in it.")
    }
}

/// The last line of a Home too long for Slack's Home tab.
pub fn cut(sections: usize) -> Message {
    Message::new()
        .text(format!(
            "…and {} more. The whole page: ",
            count(sections as i64, "section", "sections")
        ))
        .code("/home")
        .text(".")
}
