//! What check-ins, prompts, nudges and digests say.

use crate::domain::Period;
use crate::domain::Timing;
use crate::render::{ActionKind, Message, count};
use crate::store::metrics::CheckinRate;

const CHECK_IN_BUTTON: &str = "Check in";
const REPLY_BUTTON: &str = "Reply";

pub fn not_in_a_cohort() -> Message {
    Message::new()
        .text("You're not in a cohort, so there is nothing to check in to. Type ")
        .code("/cohort list")
        .text(" to find one.")
}

pub fn which_cohort(slugs: &[String]) -> Message {
    let mut msg = Message::new()
        .text("You're in several cohorts. Say which one with ")
        .code("cohort:")
        .text(", e.g.:");
    for slug in slugs {
        msg = msg
            .line()
            .text("  ")
            .code(format!("/checkin 4 my progress cohort:{slug}"));
    }
    msg
}

pub fn confirm_replace(period: &str, confidence: i16) -> Message {
    Message::new().text(format!(
        "You already checked in for {period} (confidence {confidence}/5). Replace it with this one?"
    ))
}

pub fn confirm_early(current: &str, next: &str) -> Message {
    Message::new()
        .text(format!(
            "You already checked in for this week, {current}, and next week's check-in is open. Count this one for next week, {next}, as an early check-in? (Next week's prompt then won't come. To change this week's instead, add "
        ))
        .code(format!("week:{current}"))
        .text(".)")
}

/// Said after a check-in that came early or late; nothing for one on time.
pub fn timing_note(timing: Timing) -> Message {
    match timing {
        Timing::Early => Message::new().text(" It came early, so that week's prompt won't come."),
        Timing::Late => Message::new().text(" It came late, and still counts."),
        Timing::OnTime => Message::new(),
    }
}

/// In the thread of a digest a late check-in changed.
pub fn late_update() -> Message {
    Message::new().text("updated: +1 late check-in")
}

pub fn bad_week(typed: &str) -> Message {
    Message::new()
        .code(format!("week:{typed}"))
        .text(" is not a week: say ")
        .code("week:last")
        .text(", ")
        .code("week:next")
        .text(", or a week like ")
        .code("week:2027-W10")
        .text(".")
}

pub fn window_not_open(period: &str, opens: &str) -> Message {
    Message::new().text(format!(
        "The check-in for {period} opens on {opens} (your time). Until then, check in for this week."
    ))
}

pub fn week_after_cohort(period: &str, cohort: &str, ends: chrono::NaiveDate) -> Message {
    Message::new()
        .text(format!("{period} is after "))
        .strong(cohort)
        .text(format!(
            " ends on {ends}, so it takes no check-in. Check in for this week with "
        ))
        .code("/checkin")
        .text(" and no week.")
}

pub fn week_before_cohort(period: &str, cohort: &str, starts: chrono::NaiveDate) -> Message {
    Message::new()
        .text(format!("{period} is before "))
        .strong(cohort)
        .text(format!(
            " starts on {starts}, so it takes no check-in. Check in for this week with "
        ))
        .code("/checkin")
        .text(" and no week.")
}

pub fn window_closed(period: &str, closed: &str, current: &str) -> Message {
    Message::new().text(format!(
        "The check-in for {period} has closed: its window ended on {closed} (your time). This week is {current}: check in for it with "
    ))
    .code("/checkin")
    .text(".")
}

/// Who hears about a low-confidence or blocked check-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Heard {
    LeadMentor,
    CoveringMentor,
    Stewards,
    Nobody,
}

pub fn recorded(
    cohort: &str,
    period: &str,
    confidence: i64,
    hours: Option<f64>,
    replaced: bool,
    heard: Heard,
) -> Message {
    let verb = if replaced { "updated" } else { "recorded" };
    let mut msg = Message::new()
        .text("Thanks! Your check-in for ")
        .strong(cohort)
        .text(format!(", {period}, is {verb}: confidence {confidence}/5"));
    if let Some(h) = hours {
        msg = msg.text(format!(", {h} h"));
    }
    msg = msg.text(".");
    match heard {
        Heard::LeadMentor => {
            msg.text(" Your lead mentor will get in touch about what's blocking you.")
        }
        Heard::CoveringMentor => msg.text(
            " Your lead mentor is away, so the mentor covering for them will get in touch.",
        ),
        Heard::Stewards => msg.text(
            " Your cohort has no lead mentor right now, so the stewards have been told and will get in touch.",
        ),
        Heard::Nobody => msg,
    }
}

/// To a steward when a cohort has no lead mentor to hear a learner's low confidence or
/// blocker: the facts, and what would fix it for next time.
pub fn escalation_to_steward(
    learner: &str,
    cohort: &str,
    cohort_slug: &str,
    period: &str,
    confidence: i64,
    blockers: Option<&str>,
) -> Message {
    checkin_facts(learner, cohort, period, confidence, blockers)
        .line()
        .text("Their cohort has no lead mentor, so this comes to you: please reach out to them. A lead mentor would hear it next time: ")
        .code(format!("/role grant @someone lead_mentor {cohort_slug}"))
        .text(".")
}

fn checkin_facts(
    learner: &str,
    cohort: &str,
    period: &str,
    confidence: i64,
    blockers: Option<&str>,
) -> Message {
    let msg = Message::new()
        .user(learner)
        .text(" (")
        .strong(cohort)
        .text(format!(
            ") checked in for {period} with confidence {confidence}/5"
        ));
    match blockers {
        Some(b) => msg.text(" and a blocker: ").user(b),
        None => msg.text("."),
    }
}

/// To the community mentor covering for a paused lead: the same facts, no Reply button
/// (replies on the record are the lead mentor's).
pub fn escalation_to_cover(
    learner: &str,
    cohort: &str,
    period: &str,
    confidence: i64,
    blockers: Option<&str>,
) -> Message {
    checkin_facts(learner, cohort, period, confidence, blockers)
        .line()
        .text("Their lead mentor is paused and you're covering: please reach out to them directly.")
}

pub fn escalation(
    learner: &str,
    handle: &str,
    cohort: &str,
    period: &str,
    confidence: i64,
    blockers: Option<&str>,
) -> Message {
    checkin_facts(learner, cohort, period, confidence, blockers)
        .line()
        .text("Reply with ")
        .code(format!("/checkin reply @{handle} …"))
        .action(
            REPLY_BUTTON,
            ActionKind::ReplyToCheckin {
                handle: handle.to_owned(),
                period: period.to_owned(),
            },
        )
}

pub fn not_your_learner(handle: &str) -> Message {
    Message::new()
        .text("You're not a mentor of ")
        .code(format!("@{handle}"))
        .text(". Check-ins are private to the learner and their mentors; stewards see the totals in the digest.")
}

pub fn nothing_to_reply_to(name: &str) -> Message {
    Message::new()
        .user(name)
        .text(" has not checked in yet, so there is nothing to reply to.")
}

pub fn reply_sent(name: &str, period: &str) -> Message {
    Message::new()
        .text("Sent to ")
        .user(name)
        .text(format!(", on their check-in for {period}."))
}

pub fn reply_delivered(mentor: &str, period: &str, text: &str) -> Message {
    Message::new()
        .user(mentor)
        .text(format!(" replied to your check-in for {period}:"))
        .line()
        .user(text)
}

/// Nothing to show: your own history says how to start, a learner's says only that.
pub fn no_history(learner: Option<&str>) -> Message {
    match learner {
        Some(name) => Message::new().user(name).text(" has not checked in yet."),
        None => Message::new()
            .text("You haven't checked in yet. Answer your weekly prompt, or type ")
            .code("/checkin 4 what you did this week")
            .text(". Mentors see a learner's check-ins with ")
            .code("/checkin history @name")
            .text("."),
    }
}

pub fn history_header(name: &str) -> Message {
    Message::new().text("Check-ins of ").user(name).text(":")
}

#[allow(clippy::too_many_arguments)]
pub fn history_line(row: &crate::store::checkins::HistoryRow) -> Message {
    let mut msg = Message::new()
        .text(format!("• {} ", row.period))
        .strong(&row.cohort_name)
        .text(format!(" · confidence {}/5", row.confidence));
    if let Some(h) = row.hours {
        msg = msg.text(format!(" · {h} h"));
    }
    match row.timing.as_str() {
        "early" => msg = msg.text(" · early"),
        "late" => msg = msg.text(" · late"),
        _ => {}
    }
    if row.revisions > 0 {
        msg = msg.text(format!(" · edited {}×", row.revisions));
    }
    msg = msg.line().text("  ").user_indented(&row.progress, "  ");
    if let Some(b) = &row.blockers {
        msg = msg.line().text("  Blocker: ").user_indented(b, "  ");
    }
    if let Some(plan) = &row.plan {
        msg = msg.line().text("  Next: ").user_indented(plan, "  ");
    }
    msg
}

pub fn history_reply(mentor: &str, text: &str) -> Message {
    Message::new()
        .line()
        .text("  ↳ ")
        .user(mentor)
        .text(": ")
        .user_indented(text, "    ")
}

pub fn prompt(cohort: &str, cohort_slug: &str, period: Period) -> Message {
    Message::new()
        .text("It's check-in time for ")
        .strong(cohort)
        .text(format!(" ({period})! How did your week go? Answer with "))
        .code("/checkin <confidence 1–5> <progress> [blockers:…] [hours:…]")
        .text(", for example ")
        .code("/checkin 4 automated the leave request hours:3")
        .text(".")
        .action(CHECK_IN_BUTTON, check_in(cohort_slug, period))
}

/// Before last week's "plan for next week", which each learner's prompt ends with.
pub fn prompt_plan_intro() -> Message {
    Message::new().line().text("Last week you planned: ")
}

/// Before the learner's open blocker, in their prompt.
pub fn prompt_blocker_intro() -> Message {
    Message::new().line().text("Still open from before: ")
}

pub fn prompt_blocker_outro() -> Message {
    Message::new()
        .text(" (sorted? ")
        .code("/checkin resolved")
        .text("; still stuck? ")
        .code("/checkin stuck")
        .text(" tells your lead mentor)")
}

const RESOLVED_BUTTON: &str = "Resolved";
const STILL_BLOCKED_BUTTON: &str = "Still blocked";

/// The buttons under an open blocker in a prompt for `cohort_slug`.
pub fn prompt_blocker_buttons(cohort_slug: &str) -> Message {
    let blocker = |resolved| ActionKind::Blocker {
        cohort: cohort_slug.to_owned(),
        resolved,
    };
    Message::new()
        .action(RESOLVED_BUTTON, blocker(true))
        .action(STILL_BLOCKED_BUTTON, blocker(false))
}

pub fn blocker_resolved(cohort: &str, blocker: &str) -> Message {
    Message::new()
        .text("🎉 Marked resolved in ")
        .strong(cohort)
        .text(": ")
        .user(blocker)
        .line()
        .text("Your mentors no longer see it as open. Stuck on something new? Say so in your next ")
        .code("/checkin")
        .text(".")
}

pub fn no_open_blocker(cohort: Option<&str>) -> Message {
    let msg = Message::new().text("You have no open blocker");
    match cohort {
        Some(cohort) => msg.text(" in ").strong(cohort),
        None => msg,
    }
    .text(". Stuck on something? Add it to your check-in: ")
    .code("/checkin 3 … blockers:…")
    .text(".")
}

pub fn which_blocker(slugs: &[String]) -> Message {
    let mut msg = Message::new().text("You have open blockers in several cohorts. Name one: ");
    for (i, slug) in slugs.iter().enumerate() {
        if i > 0 {
            msg = msg.text(", ");
        }
        msg = msg.code(format!("cohort:{slug}"));
    }
    msg.text(".")
}

pub fn nobody_to_tell(cohort: &str) -> Message {
    Message::new()
        .strong(cohort)
        .text(" has no lead mentor or steward to tell yet. Ask in the cohort channel: someone there may have solved it.")
}

pub fn already_told_today() -> Message {
    Message::new()
        .text("Your mentors already heard today that you're still blocked. They'll reply with ")
        .code("/checkin reply")
        .text("; if it's urgent, ask in the cohort channel.")
}

pub fn told_still_blocked(mentors: &[String]) -> Message {
    let mut msg = Message::new().text("Told ");
    for (i, name) in mentors.iter().enumerate() {
        if i > 0 {
            msg = msg.text(if i + 1 == mentors.len() {
                " and "
            } else {
                ", "
            });
        }
        msg = msg.user(name);
    }
    msg.text(" that you're still blocked; their reply comes to you here. Once it's sorted, ")
        .code("/checkin resolved")
        .text(".")
}

/// To the lead mentor: a learner pressed Still blocked.
pub fn still_blocked(
    learner: &str,
    handle: &str,
    cohort: &str,
    period: &str,
    blocker: &str,
) -> Message {
    Message::new()
        .text("🚧 ")
        .user(learner)
        .text(" (")
        .strong(cohort)
        .text(format!(") is still blocked, since {period}: "))
        .user(blocker)
        .line()
        .text("Reply with ")
        .code(format!("/checkin reply @{handle} …"))
        .action(
            REPLY_BUTTON,
            ActionKind::ReplyToCheckin {
                handle: handle.to_owned(),
                period: period.to_owned(),
            },
        )
}

fn check_in(cohort_slug: &str, period: Period) -> ActionKind {
    ActionKind::CheckIn {
        cohort: cohort_slug.to_owned(),
        period: period.to_string(),
    }
}

pub fn nudge(cohort: &str, cohort_slug: &str, period: Period) -> Message {
    Message::new()
        .text("A gentle reminder: your ")
        .strong(cohort)
        .text(format!(
            " check-in for {period} is still open. Two lines are plenty: "
        ))
        .code("/checkin 3 what I did")
        .text(".")
        .action(CHECK_IN_BUTTON, check_in(cohort_slug, period))
}

/// Names listed in the digest's shout-out line.
const SHOUT_OUTS_SHOWN: usize = 25;

pub struct DigestFigures {
    /// The week's check-in rate; its excused learners are counted, never named, in the
    /// channel.
    pub checkins: CheckinRate,
    pub open_blockers: i64,
    pub confidence: Option<f64>,
    pub previous_confidence: Option<f64>,
    /// Weeks of this month so far in which the cohort's prompts went out.
    pub weeks_run: i64,
    pub every_week: Vec<String>,
}

/// "Every week this month" says little before the month's second week.
const EVERY_WEEK_FROM: i64 = 2;

pub fn cohort_digest(cohort: &str, period: Period, f: &DigestFigures) -> Message {
    // Excused weeks leave the denominator: being away is not missing a check-in.
    let checkins = &f.checkins;
    let mut msg = Message::new()
        .text("📊 ")
        .strong(cohort)
        .text(format!(" — {period}"))
        .line()
        .text(format!(
            "Check-ins: {} of {} ({}%)",
            checkins.answered,
            count(checkins.expected(), "learner", "learners"),
            checkins.rate.unwrap_or(0)
        ));
    if checkins.excused > 0 {
        msg = msg.text(format!(" · {} away", checkins.excused));
    }
    msg = msg
        .line()
        .text(format!("Open blockers: {}", f.open_blockers))
        .line();
    msg = match (f.confidence, f.previous_confidence) {
        (Some(now), Some(before)) => {
            let trend = if now > before + 0.05 {
                "up"
            } else if now < before - 0.05 {
                "down"
            } else {
                "level"
            };
            msg.text(format!(
                "Confidence: {now:.1} average, {trend} from {before:.1} last week"
            ))
        }
        (Some(now), None) => msg.text(format!("Confidence: {now:.1} average")),
        (None, _) => msg.text("Confidence: no check-ins yet this week"),
    };
    if !f.every_week.is_empty() && f.weeks_run >= EVERY_WEEK_FROM {
        // A big cohort's list is shortened, so the digest stays one readable post.
        let shown = &f.every_week[..f.every_week.len().min(SHOUT_OUTS_SHOWN)];
        msg = msg
            .line()
            .text(format!(
                "🙌 Checked in every week this month ({} so far): ",
                count(f.weeks_run, "week", "weeks")
            ))
            .user(shown.join(", "));
        let more = f.every_week.len() - shown.len();
        if more > 0 {
            msg = msg.text(format!(" and {more} more"));
        }
    }
    msg
}

pub enum Risk {
    MissedTwo,
    LowConfidence(i16),
    /// A blocker still open, reported this many whole days ago.
    Blocker(i64),
}

/// A learner in the mentor digest, with why they look at risk.
pub struct AtRisk {
    pub name: String,
    pub handle: String,
    /// Their latest check-in's week: a Reply button answers that check-in.
    pub latest_period: Option<String>,
    pub risks: Vec<Risk>,
}

/// Reply buttons under a mentor digest, at most: the rest reply by command.
const DIGEST_REPLY_BUTTONS: usize = 10;
/// Characters of a learner's name kept in a button label (platforms cap labels at 75–80).
const LABEL_NAME_MAX: usize = 60;

/// A learner's plan for the week, and what their check-in says they did.
#[derive(Debug, Clone)]
pub struct PlanDone {
    pub name: String,
    pub planned: String,
    pub done: Option<String>,
}

/// Longest plan or progress quoted in a lead's digest.
const QUOTE_MAX: usize = 120;

fn quote(text: &str) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= QUOTE_MAX {
        return one_line;
    }
    let mut cut: String = one_line.chars().take(QUOTE_MAX - 1).collect();
    cut.push('…');
    cut
}

/// The lead's view of plans against what was done (empty when nobody planned).
pub fn plan_against_done(plans: &[PlanDone]) -> Message {
    if plans.is_empty() {
        return Message::new();
    }
    let mut msg = Message::new().line().text("Plan against done:");
    for p in plans {
        msg = msg
            .line()
            .text("• ")
            .user(&p.name)
            .text(": planned “")
            .user(quote(&p.planned))
            .text("”");
        msg = match &p.done {
            Some(done) => msg.text(" → did “").user(quote(done)).text("”"),
            None => msg.text(" → no check-in yet"),
        };
    }
    msg
}

/// How many of a lead's learners checked in.
#[derive(Debug, Clone, Copy)]
pub struct MentorCounts {
    pub learners: usize,
    pub checked_in: usize,
}

pub fn mentor_digest(
    cohort: &str,
    period: Period,
    counts: MentorCounts,
    away: &[String],
    at_risk: &[AtRisk],
) -> Message {
    let expected = counts.learners - away.len();
    let mut msg = Message::new()
        .text("Your learners in ")
        .strong(cohort)
        .text(format!(
            ", {period}: {} of {expected} checked in.",
            counts.checked_in
        ));
    if !away.is_empty() {
        msg = msg.line().text("Away: ").user(away.join(", "));
    }
    if at_risk.is_empty() {
        return msg.line().text("Nobody looks at risk this week. 🎉");
    }
    msg = msg.line().text("Worth a conversation:");
    for AtRisk { name, risks, .. } in at_risk {
        let reasons: Vec<String> = risks
            .iter()
            .map(|r| match r {
                Risk::MissedTwo => "missed 2 check-ins in a row".to_owned(),
                Risk::LowConfidence(c) => format!("confidence {c}/5"),
                Risk::Blocker(0) => "blocker reported today".to_owned(),
                Risk::Blocker(1) => "blocker open 1 day".to_owned(),
                Risk::Blocker(days) => format!("blocker open {days} days"),
            })
            .collect();
        msg = msg
            .line()
            .text("• ")
            .user(name)
            .text(format!(" — {}", reasons.join(", ")));
    }
    let answerable = at_risk
        .iter()
        .filter_map(|l| Some((l, l.latest_period.as_ref()?)));
    for (learner, latest) in answerable.take(DIGEST_REPLY_BUTTONS) {
        let name: String = learner.name.chars().take(LABEL_NAME_MAX).collect();
        msg = msg.action(
            format!("{REPLY_BUTTON} to {name}"),
            ActionKind::ReplyToCheckin {
                handle: learner.handle.clone(),
                period: latest.clone(),
            },
        );
    }
    msg
}

pub fn not_started(cohort: &str, starts: chrono::NaiveDate, opens: chrono::NaiveDate) -> Message {
    Message::new()
        .strong(cohort)
        .text(format!(
            " starts on {starts}, and check-ins open on {opens}. Your first prompt comes in its first week."
        ))
}

pub fn archived(cohort: &str) -> Message {
    Message::new()
        .strong(cohort)
        .text(" is archived, so it takes no more check-ins. Thank you for taking part!")
}

pub fn ended(cohort: &str, ends: chrono::NaiveDate) -> Message {
    Message::new().strong(cohort).text(format!(
        " ended on {ends}, so it takes no more check-ins. Thank you for taking part!"
    ))
}

pub fn stale_button(period: &str, current: &str) -> Message {
    Message::new()
        .text(format!(
            "That button was for {period}, which has closed. This week is {current}: use the newest prompt or "
        ))
        .code("/checkin")
        .text(".")
}

/// Replaces an answered prompt, so its button cannot be pressed again by mistake.
pub fn prompt_answered(cohort: &str, period: &str) -> Message {
    Message::new()
        .text("✅ You checked in to ")
        .strong(cohort)
        .text(format!(" for {period}. Thanks! To change it, type "))
        .code("/checkin")
        .text(" again.")
}

#[cfg(test)]
mod tests {

    /// `ENQUEUE_PROMPTS` writes each prompt's cohort into the blocker buttons at these
    /// JSON paths: the serialised shape must keep them there.
    #[test]
    fn the_blocker_buttons_keep_their_cohort_where_the_prompt_statement_sets_it() {
        let buttons = serde_json::to_value(prompt_blocker_buttons("spring")).unwrap();
        assert_eq!(buttons[0]["Action"]["kind"]["cohort"], "spring");
        assert_eq!(buttons[0]["Action"]["kind"]["resolved"], true);
        assert_eq!(buttons[1]["Action"]["kind"]["cohort"], "spring");
        assert_eq!(buttons[1]["Action"]["kind"]["resolved"], false);
    }
    use super::*;
    use crate::render::plain::render;

    #[test]
    fn a_long_shout_out_list_is_shortened() {
        let figures = DigestFigures {
            checkins: CheckinRate {
                period: "2027-W10".into(),
                prompted: 40,
                answered: 30,
                on_time: 28,
                late: 2,
                excused: 2,
                rate: Some(79),
            },
            open_blockers: 0,
            confidence: Some(4.0),
            previous_confidence: Some(3.0),
            weeks_run: 3,
            every_week: (0..30).map(|i| format!("L{i}")).collect(),
        };
        let text = render(&cohort_digest(
            "C",
            Period::parse("2027-W10").unwrap(),
            &figures,
        ));
        assert!(
            text.contains("Confidence: 4.0 average, up from 3.0 last week"),
            "{text}"
        );
        // Two away leave the denominator: 30 of 38, counted but never named.
        assert!(
            text.contains("Check-ins: 30 of 38 learners (79%) · 2 away"),
            "{text}"
        );
        assert!(text.ends_with("L23, L24 and 5 more"), "{text}");
    }
}
