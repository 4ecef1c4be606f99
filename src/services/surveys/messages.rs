//! What the surveys say.

use chrono::{DateTime, Utc};

use super::results::{SurveyResult, Tally};
use crate::commands::forms::FormId;
use crate::render::{ActionKind, Message, count};
use crate::store::sessions::Session;
use crate::store::surveys::{Survey, SurveyKind};

/// The promise every survey DM and reply makes, in the same words.
const ANONYMOUS: &str =
    "Answers are anonymous: nobody, stewards included, can see who gave which answer.";

pub fn session_cancelled(number: i32) -> Message {
    Message::new().text(format!(
        "Session #{number} was cancelled, so there is nothing to rate."
    ))
}

pub fn session_not_started(number: i32) -> Message {
    Message::new().text(format!(
        "Session #{number} has not started yet: rate it once you have been."
    ))
}

pub fn not_at_session(number: i32) -> Message {
    Message::new().text(format!(
        "Feedback on session #{number} comes from those who went: you are not recorded as attending, signed up or speaking. If you were there, ask its host to record you with "
    ))
    .code(format!("/event attended {number} @you"))
    .text(".")
}

pub fn not_asked(number: i32) -> Message {
    Message::new().text(format!(
        "Survey #{number} asks other people: the learners of its cohort, or those at its session."
    ))
}

pub fn score_out_of_scale(number: i32, min: i64, max: i64) -> Message {
    Message::new()
        .text(format!(
            "Survey #{number} takes a score from {min} to {max}, like "
        ))
        .code(format!("/survey answer {number} {max}"))
        .text(".")
}

// A session's survey is named by the session people rated (`/feedback 4`), not by the
// survey's own number, which they never typed.

pub fn closed(survey: &Survey) -> Message {
    let days = super::ANSWER_DAYS;
    Message::new().text(match survey.session_number {
        Some(session) => format!(
            "Ratings of session #{session} have closed: they are taken for {days} days after it."
        ),
        None => format!(
            "Survey #{} has closed: answers are taken for {days} days.",
            survey.number
        ),
    })
}

pub fn already_answered(survey: &Survey) -> Message {
    Message::new().text(match survey.session_number {
        Some(session) => format!(
            "You already rated session #{session}, and each person rates a session once. Ratings are anonymous, so they cannot be changed."
        ),
        None => format!(
            "You already answered survey #{}, and each person answers once. Answers are anonymous, so they cannot be changed.",
            survey.number
        ),
    })
}

pub fn thanks(survey: &Survey, with_comment: bool) -> Message {
    let thanks = match (survey.session_number, with_comment) {
        (Some(session), true) => {
            format!("✅ Thank you: your rating and comment on session #{session} are in. ")
        }
        (Some(session), false) => {
            format!("✅ Thank you: your rating of session #{session} is in. ")
        }
        (None, true) => format!(
            "✅ Thank you: your answer and comment are in for survey #{}. ",
            survey.number
        ),
        (None, false) => format!(
            "✅ Thank you: your answer is in for survey #{}. ",
            survey.number
        ),
    };
    Message::new().text(thanks).text(ANONYMOUS)
}

pub fn unknown_survey(number: i32) -> Message {
    Message::new().text(format!(
        "There is no survey #{number}. A survey's number is in the DM that asks it; stewards and sponsors see the recent ones with "
    ))
    .code("/survey results")
    .text(".")
}

pub fn cohort_archived(cohort: &str) -> Message {
    Message::new()
        .user(cohort)
        .text(" is archived: survey a live cohort.")
}

pub fn nps_has_its_question(cohort: &str) -> Message {
    Message::new()
        .text("An NPS asks its own question (how likely are you to recommend the program?). Send it without one: ")
        .code(format!("/survey send {cohort} nps"))
        .text(", or ask yours as a pulse.")
}

pub fn pulse_needs_a_question(cohort: &str) -> Message {
    Message::new()
        .text("A pulse asks your question. Write it after the kind, like ")
        .code(format!(
            "/survey send {cohort} pulse How clear was this week's module?"
        ))
        .text(": it is answered from 1 (not at all) to 5 (very much).")
}

pub fn nobody_to_ask(cohort: &str) -> Message {
    Message::new()
        .user(cohort)
        .text(" has no learners to ask yet.")
}

/// The words of a survey's question.
fn question(survey: &Survey, cohort: &str) -> Message {
    match (survey.kind, &survey.question) {
        (SurveyKind::Pulse, Some(question)) => Message::new().user(question),
        _ => Message::new()
            .text("How likely are you to recommend ")
            .user(cohort)
            .text(" to a colleague?"),
    }
}

/// What a survey's scale means, in words.
fn scale(kind: SurveyKind) -> &'static str {
    match kind {
        SurveyKind::Nps => "0 (not at all likely) to 10 (extremely likely)",
        SurveyKind::Pulse => "1 (not at all) to 5 (very much)",
        SurveyKind::Session => "1 (poor) to 5 (great)",
    }
}

/// The DM asking a cohort's learners: the question, a button per score (each opens a form
/// for an optional comment), and the command that does the same.
pub fn ask(survey: &Survey, cohort: &str) -> Message {
    let (min, max) = survey.kind.scale();
    let mut msg = Message::new()
        .text(format!("🗳️ Survey #{}: ", survey.number))
        .push(question(survey, cohort))
        .line()
        .text(format!(
            "Answer from {}; you can add a comment. {ANONYMOUS} Or type ",
            scale(survey.kind)
        ))
        .code(format!(
            "/survey answer {} <{min}–{max}> [comment]",
            survey.number
        ))
        .text(format!(". Open for {} days.", super::ANSWER_DAYS));
    for score in min..=max {
        msg = msg.action(
            score.to_string(),
            ActionKind::Form {
                form: FormId::SurveyAnswer.code().to_owned(),
                context: vec![
                    ("survey".to_owned(), survey.number.to_string()),
                    ("score".to_owned(), score.to_string()),
                ],
            },
        );
    }
    msg
}

/// The DM after a session: how was it, 1–5.
pub fn ask_session(session: &Session, survey: &Survey) -> Message {
    let mut msg = Message::new()
        .text("🗳️ How was ")
        .push(crate::services::events::messages::session_name(session))
        .text("?")
        .line()
        .text(format!(
            "Rate it from {}; you can add a comment for the hosts. {ANONYMOUS} Or type ",
            scale(SurveyKind::Session)
        ))
        .code(format!("/feedback {} <1–5> [comment]", session.number))
        .text(format!(". Open for {} days.", super::ANSWER_DAYS));
    let (min, max) = survey.kind.scale();
    for rating in min..=max {
        msg = msg.action(
            rating.to_string(),
            ActionKind::Form {
                form: FormId::Feedback.code().to_owned(),
                context: vec![
                    ("session".to_owned(), session.number.to_string()),
                    ("rating".to_owned(), rating.to_string()),
                ],
            },
        );
    }
    msg
}

pub fn sent(survey: &Survey, cohort: &str, asked: usize, min_group: i64) -> Message {
    let msg = Message::new()
        .text(format!("🗳️ Survey #{} went to ", survey.number))
        .text(count(asked as i64, "learner", "learners"))
        .text(" of ")
        .user(cohort)
        .text(format!(
            " by DM, open for {} days. Results: ",
            super::ANSWER_DAYS
        ))
        .code(format!("/survey results {}", survey.number))
        .text(format!(
            ", shown once {min_group} have answered; smaller groups stay hidden."
        ));
    // Said now, not found out in two weeks: too few were asked for it ever to show.
    if (asked as i64) < min_group {
        return msg.line().text(format!(
            "⚠️ Only {} can answer, fewer than the {min_group} it takes, so its results will stay hidden.",
            count(asked as i64, "learner", "learners")
        ));
    }
    msg
}

pub fn not_allowed_results(number: i32) -> Message {
    Message::new().text(format!(
        "Survey #{number}'s results are for stewards, the cohort's sponsors and lead mentors, and a session's host."
    ))
}

pub fn not_allowed_list() -> Message {
    Message::new().text(
        "Survey results are for stewards, sponsors and lead mentors. A session's host finds its feedback listed here once the session is over and its people have been asked.",
    )
}

/// "4.2 of 5 from 12 answers (happy 9 · neutral 2 · unhappy 1)".
fn tally(kind: SurveyKind, tally: &Tally) -> String {
    let score = tally.score(kind).unwrap_or_default();
    let headline = match kind {
        SurveyKind::Nps => format!("NPS {score}"),
        SurveyKind::Session | SurveyKind::Pulse => format!("{score} of 5"),
    };
    let (happy, unhappy) = match kind {
        SurveyKind::Nps => ("promoters", "detractors"),
        SurveyKind::Session | SurveyKind::Pulse => ("happy", "unhappy"),
    };
    let neutral = match kind {
        SurveyKind::Nps => "passives",
        SurveyKind::Session | SurveyKind::Pulse => "neutral",
    };
    format!(
        "{headline} from {} ({happy} {} · {neutral} {} · {unhappy} {})",
        count(tally.answers, "answer", "answers"),
        tally.happy,
        tally.neutral,
        tally.unhappy
    )
}

/// A result's first line: its name and state.
fn heading(result: &SurveyResult, now: DateTime<Utc>) -> Message {
    let survey = &result.survey;
    let state = if now > survey.closes_at {
        "closed"
    } else {
        "open"
    };
    Message::new().strong(result.label()).text(format!(
        " ({state}, from {}): ",
        survey.created_at.format("%-d %b %Y")
    ))
}

/// The headline, or why it is hidden.
fn headline(result: &SurveyResult) -> Message {
    match result.shown_total() {
        Some(total) => Message::new().text(tally(result.survey.kind, &total)),
        None => Message::new().text(format!(
            "{} so far; results show from {}.",
            count(result.total.answers, "answer", "answers"),
            result.min_group
        )),
    }
}

/// One survey, with its departments and, for stewards and hosts, its comments.
pub fn result(result: &SurveyResult, now: DateTime<Utc>, comments: &[String]) -> Message {
    let mut msg = heading(result, now).push(headline(result));
    if let Some(question) = &result.survey.question {
        msg = msg.line().text("Question: ").user(question);
    }
    if result.shown() && result.departments.len() > 1 {
        msg = msg.line().text("By department:");
        let mut hidden = 0;
        for department in &result.departments {
            let Some(group) = &department.tally else {
                hidden += 1;
                continue;
            };
            msg = msg.line().text("• ");
            msg = match &department.name {
                Some(name) => msg.user(name),
                None => msg.text("no department set"),
            };
            msg = msg.text(format!(": {}", tally(result.survey.kind, group)));
        }
        if hidden > 0 {
            msg = msg.line().text(format!(
                "• {} hidden: under {} answers, or hidden with one that was, so no group's answers can be worked out from the total.",
                count(hidden, "department", "departments"),
                result.min_group
            ));
        }
    }
    if !comments.is_empty() {
        msg = msg.line().text("Comments, in no particular order:");
        for comment in comments {
            msg = msg.line().text("› ").user_indented(comment, "  ");
        }
    }
    msg
}

/// The recent surveys, one line each.
pub fn list(results: &[SurveyResult], now: DateTime<Utc>) -> Message {
    if results.is_empty() {
        return Message::new()
            .text("No surveys in the last 26 weeks. Stewards send one with ")
            .code("/survey send <cohort> nps")
            .text("; sessions ask for feedback when they end.");
    }
    let mut msg = Message::new().text("🗳️ Recent surveys:");
    for result in results {
        msg = msg
            .line()
            .text("• ")
            .push(heading(result, now))
            .push(headline(result));
    }
    msg.line()
        .text("One survey, by department: ")
        .code("/survey results <number>")
        .text(".")
}
