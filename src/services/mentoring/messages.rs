//! What the mentoring commands say.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use uuid::Uuid;

use super::Tier;
use super::matching::{Plan, PlanEntry, TierResult};
use super::rotation::Move;
use crate::matching::{PairScore, Person, WaitReason, shared_skills};
use crate::render::{Message, count};
use crate::store::cohorts::Cohort;
use crate::store::inactive::Silent;
use crate::store::members::Member;
use crate::store::mentoring::MentorProfile;
use crate::store::recognition::Credit;

fn tier_label(tier: Tier) -> &'static str {
    match tier {
        Tier::Community => "community mentor",
        Tier::Lead => "lead mentor",
    }
}

fn capacity_label(tier: Tier, capacity: i32) -> String {
    let unit = match (tier, capacity) {
        (Tier::Community, 1) => "learner",
        (Tier::Community, _) => "learners",
        (Tier::Lead, 1) => "group",
        (Tier::Lead, _) => "groups",
    };
    format!("{capacity} {unit}")
}

fn terms(msg: Message, tier: Tier, capacity: i32, skills: &[String]) -> Message {
    msg.strong(tier_label(tier))
        .text(format!(
            ", up to {}; skills: ",
            capacity_label(tier, capacity)
        ))
        .user(skills.join(", "))
}

pub fn offer_needs_skills() -> Message {
    Message::new()
        .text("Tell me what you can help with, e.g. ")
        .code("/mentor offer community 3 power automate, sql")
        .text(", or set your skills first with ")
        .code("/me skills")
        .text(".")
}

pub fn offer_recorded(tier: Tier, capacity: i32, skills: &[String]) -> Message {
    terms(
        Message::new().text("Thank you! Your offer to mentor as a "),
        tier,
        capacity,
        skills,
    )
    .text(". A steward will look at it and you'll hear back here.")
}

pub fn offer_already_waiting(tier: Tier, capacity: i32, skills: &[String]) -> Message {
    terms(
        Message::new().text("Your offer to mentor as a "),
        tier,
        capacity,
        skills,
    )
    .text(" is already waiting for a steward; you'll hear back here.")
}

pub fn pending_offers(offers: &[crate::store::mentoring::PendingOffer]) -> Message {
    if offers.is_empty() {
        return Message::new().text("No offers to mentor are waiting for a decision.");
    }
    let mut msg = Message::new().text("Offers to mentor waiting for a decision:");
    for offer in offers {
        let tier = offer.tier;
        msg = msg
            .line()
            .text("• ")
            .user(&offer.display_name)
            .text(format!(", since {}: ", offer.offered_at.format("%Y-%m-%d")));
        msg = terms(msg, tier, offer.capacity, &offer.skills)
            .text(". ")
            .code(format!(
                "/mentor approve @{} {}",
                offer.platform_user_id,
                tier.as_str()
            ));
    }
    msg
}

/// Progress longer than this is cut in the list; `/checkin history @learner` has it whole.
const PROGRESS_SHOWN: usize = 80;

pub fn no_learners_of_mine() -> Message {
    Message::new()
        .text("You have no learners right now. A steward matches mentors with ")
        .code("/mentor match")
        .text(", or makes you a cohort's lead mentor with ")
        .code("/role grant @name lead_mentor <cohort>")
        .text(".")
}

/// The list's header; `paged_header` adds the page and the colon.
pub fn my_learners_header(total: i64) -> Message {
    Message::new().text(format!(
        "Your {}",
        crate::render::count(total, "learner", "learners")
    ))
}

/// One page of a mentor's learners, a line each, after the header.
pub fn my_learners(learners: &[crate::store::mentoring::LearnerCheckin]) -> Message {
    let mut msg = Message::new();
    for l in learners {
        let role = match l.tier {
            Tier::Lead => "lead mentor",
            Tier::Community => "community mentor",
        };
        msg = msg
            .line()
            .text("• ")
            .user(&l.display_name)
            .text(" (")
            .strong(&l.cohort_name)
            .text(format!(", you are their {role}): "));
        if let Some(health) = l.health {
            msg = msg.text(format!("{} · ", health_label(health)));
        }
        msg = match (&l.period, l.confidence, &l.progress) {
            (Some(period), Some(confidence), Some(progress)) => {
                let first_line = progress.lines().next().unwrap_or_default();
                let mut shown: String = first_line.chars().take(PROGRESS_SHOWN).collect();
                if shown.len() < progress.len() {
                    shown.push('…');
                }
                let msg = msg
                    .text(format!("{period}, confidence {confidence}/5: "))
                    .user(shown);
                match &l.blockers {
                    Some(b) => msg
                        .text(" · blocker: ")
                        .user(b.lines().next().unwrap_or_default()),
                    None => msg,
                }
            }
            _ => msg.text("no check-in yet"),
        };
    }
    msg
}

/// A learner's health as mentors read it (the labels of Together's mentoring reports).
pub fn health_label(health: crate::store::digests::Health) -> &'static str {
    use crate::store::digests::Health;
    match health {
        Health::OnTrack => "🟢 on track",
        Health::NeedsCheckin => "🟠 needs a check-in",
        Health::TooEarly => "⚪ too early to tell",
    }
}

pub fn offer_updated(tier: Tier, capacity: i32, skills: &[String]) -> Message {
    terms(
        Message::new().text("Updated: you mentor as a "),
        tier,
        capacity,
        skills,
    )
    .text(".")
}

pub fn offer_for_stewards(
    member: &Member,
    tier: Tier,
    capacity: i32,
    skills: &[String],
) -> Message {
    terms(
        Message::new()
            .user(&member.display_name)
            .text(" offers to mentor as a "),
        tier,
        capacity,
        skills,
    )
    .text(". Approve with ")
    .code(format!(
        "/mentor approve @{} {}",
        member.platform_user_id,
        tier.as_str()
    ))
    .text(" or decline with ")
    .code(format!(
        "/mentor decline @{} [reason]",
        member.platform_user_id
    ))
    .text(".")
}

pub fn no_offer(name: &str) -> Message {
    Message::new()
        .user(name)
        .text(" has not offered to mentor. They can with ")
        .code("/mentor offer")
        .text(".")
}

pub fn already_approved(name: &str, tier: Tier) -> Message {
    Message::new()
        .user(name)
        .text(" is already an approved ")
        .strong(tier_label(tier))
        .text(".")
}

pub fn nothing_pending(name: &str) -> Message {
    Message::new()
        .user(name)
        .text(" has no offer waiting for a decision.")
}

pub fn approved(name: &str, tier: Tier) -> Message {
    Message::new()
        .user(name)
        .text(" is now an approved ")
        .strong(tier_label(tier))
        .text(".")
}

pub fn approved_notice(steward: &str, tier: Tier) -> Message {
    Message::new()
        .user(steward)
        .text(" approved you as a ")
        .strong(tier_label(tier))
        .text(". Welcome aboard! Read ")
        .code("/mentor guide")
        .text(" before your first session.")
}

pub fn tier_changed(name: &str, was: Tier, tier: Tier) -> Message {
    Message::new()
        .user(name)
        .text(" is now a ")
        .strong(tier_label(tier))
        .text(format!(", no longer a {}.", tier_label(was)))
}

pub fn tier_changed_notice(steward: &str, tier: Tier) -> Message {
    Message::new()
        .user(steward)
        .text(" changed your mentor role: you are now a ")
        .strong(tier_label(tier))
        .text(". Your learners and offer stay as they are.")
}

pub fn declined(name: &str) -> Message {
    Message::new()
        .text("Declined ")
        .user(name)
        .text("'s offer; they have been told.")
}

pub fn declined_notice(reason: Option<&str>) -> Message {
    let msg =
        Message::new().text("Thank you for offering to mentor. A steward declined it for now");
    match reason {
        Some(r) => msg.text(": ").user(r),
        None => msg.text("."),
    }
}

pub fn not_a_mentor() -> Message {
    Message::new()
        .text("You are not an approved mentor yet. Offer with ")
        .code("/mentor offer")
        .text(".")
}

pub fn pause_in_past() -> Message {
    Message::new().text("That day has passed; give today or a later date, like `2027-04-30`.")
}

pub fn already_paused() -> Message {
    Message::new().text("You are already paused.")
}

pub fn paused(until: Option<NaiveDate>) -> Message {
    let msg = Message::new().text("Paused. You won't be matched or prompted");
    match until {
        Some(d) => msg
            .text(" through ")
            .strong(d.format("%a %-d %b %Y").to_string()),
        None => msg.text(" until you type ").code("/mentor resume"),
    }
    .text(". Your learners have been told who covers for you.")
}

pub fn cover_notice(
    mentor: &str,
    until: Option<NaiveDate>,
    cover: Option<&(Uuid, String)>,
) -> Message {
    let msg = Message::new().user(mentor).text(" is taking a break");
    let msg = match until {
        Some(d) => msg
            .text(" through ")
            .strong(d.format("%a %-d %b").to_string()),
        None => msg,
    };
    match cover {
        Some((id, name)) => msg
            .text(". Until then, ")
            .mention(*id, name)
            .text(" covers for them."),
        None => msg.text(". Until then, any steward can help you."),
    }
}

pub fn pause_extended(until: Option<NaiveDate>) -> Message {
    let msg = Message::new().text("Your break now runs");
    match until {
        Some(d) => msg
            .text(" through ")
            .strong(d.format("%a %-d %b %Y").to_string()),
        None => msg.text(" until you type ").code("/mentor resume"),
    }
    .text(". Your learners already know who covers, so they were not told again.")
}

/// To each learner of a mentor back from a break.
pub fn back_notice(mentor: &str) -> Message {
    Message::new()
        .user(mentor)
        .text(" is back from their break and mentoring you again.")
}

pub fn not_paused() -> Message {
    Message::new().text("You are not paused.")
}

pub fn resumed() -> Message {
    Message::new().text("Welcome back! You can be matched and prompted again.")
}

pub fn guide(text: &str) -> Message {
    if text.trim().is_empty() {
        return Message::new()
            .text("This community has no mentor playbook yet. Stewards add it to the program file under ")
            .code("[community.mentoring] guide")
            .text(".");
    }
    Message::new().strong("Mentor playbook").line().user(text)
}

pub fn avoid_self() -> Message {
    Message::new().text("You can't be matched with yourself anyway.")
}

pub fn avoided(name: &str, added: bool) -> Message {
    let msg = Message::new()
        .text("Noted privately: you won't be paired with ")
        .user(name);
    if added {
        msg.text(". Nobody else is told.")
    } else {
        msg.text(" (already on your list).")
    }
}

pub fn avoid_list(names: &[String]) -> Message {
    if names.is_empty() {
        return Message::new()
            .text("Your do-not-match list is empty. Add someone with ")
            .code("/mentor avoid @user")
            .text("; only you and stewards can see it.");
    }
    Message::new()
        .text("Your private do-not-match list: ")
        .user(names.join(", "))
        .text(".")
}

/// What a mentor did, for `/mentor stats`.
pub struct Activity {
    pub kudos: i64,
    pub reviews_done: i64,
    pub reviews_open: i64,
    pub mean_claim_hours: Option<f64>,
    pub pairings: i64,
}

pub fn avoid_list_private() -> Message {
    Message::new().text("A do-not-match list is private: only its owner and stewards can see it.")
}

pub fn avoid_list_of(owner: &str, names: &[String]) -> Message {
    let msg = Message::new().user(owner).text("'s do-not-match list: ");
    if names.is_empty() {
        msg.text("empty.")
    } else {
        msg.user(names.join(", ")).text(".")
    }
}

pub fn stats(
    profile: &MentorProfile,
    paused: bool,
    learners: &[(Uuid, Uuid, String, Tier)],
    activity: &Activity,
) -> Message {
    let tier = profile.tier;
    let mut msg = Message::new()
        .strong(tier_label(tier))
        .text(format!(
            ": {} active learners, capacity {}{}.",
            learners.len(),
            capacity_label(tier, profile.capacity),
            if paused { " (paused)" } else { "" }
        ))
        .line()
        .text(format!(
            "Reviews: {} done, {} open",
            activity.reviews_done, activity.reviews_open
        ));
    if let Some(h) = activity.mean_claim_hours {
        msg = msg.text(format!(", claimed after {h:.1} h on average"));
    }
    msg = msg.text(".").line().text(format!(
        "Pairing sessions: {}. Kudos received: {}.",
        activity.pairings, activity.kudos
    ));
    if !learners.is_empty() {
        let names: Vec<&str> = learners.iter().map(|l| l.2.as_str()).collect();
        msg = msg.line().text("Learners: ").user(names.join(", "));
    }
    msg
}

pub fn department_set(department: &str) -> Message {
    Message::new()
        .text("Your department is now ")
        .user(department)
        .text(". Matching favours mentors from other departments.")
}

// ---- matching ----

pub fn apply_needs_cohort() -> Message {
    Message::new()
        .text("Say which cohort's proposal to apply: ")
        .code("/mentor match apply <cohort>")
        .text(".")
}

pub fn no_learners(cohort: &str) -> Message {
    Message::new()
        .strong(cohort)
        .text(" has no active learners to match yet.")
}

pub fn no_mentors(cohort: &str, paused: usize) -> Message {
    let msg = Message::new()
        .text("There are no approved mentors to match ")
        .strong(cohort)
        .text(" with");
    match paused {
        0 => msg
            .text(". Members offer with ")
            .code("/mentor offer")
            .text(" and stewards approve with ")
            .code("/mentor approve")
            .text("."),
        n => msg.text(format!(": all {n} are paused.")),
    }
}

fn tier_heading(result: &TierResult) -> String {
    let what = match result.tier {
        Tier::Community => "Community mentors",
        Tier::Lead => "Lead mentor groups",
    };
    format!(
        "{what}: score {} (greedy baseline {})",
        result.optimal, result.greedy
    )
}

pub fn proposal(cohort: &Cohort, plan: &Plan, results: &[TierResult]) -> Message {
    let mut msg = Message::new()
        .text("Proposed mentor matching for ")
        .strong(&cohort.name)
        .text(":");
    for result in results {
        msg = msg.line().strong(tier_heading(result));
        let short = result.learners as i64 - result.slots;
        if short > 0 {
            msg = msg.line().text(format!(
                "  {short} slot{} missing: {} learners, {} places. As many as possible are placed.",
                if short == 1 { "" } else { "s" },
                result.learners,
                result.slots
            ));
        }
        let mut by_mentor: BTreeMap<&str, Vec<&PlanEntry>> = BTreeMap::new();
        let mut waiting = Vec::new();
        for entry in plan.entries.iter().filter(|e| e.tier == result.tier) {
            match &entry.mentor_name {
                Some(name) => by_mentor.entry(name).or_default().push(entry),
                None => waiting.push(entry),
            }
        }
        for (mentor, entries) in by_mentor {
            msg = msg.line().text("• ").user(mentor).text(": ");
            for (i, e) in entries.iter().enumerate() {
                if i > 0 {
                    msg = msg.text(", ");
                }
                msg = msg.user(&e.learner_name).text(format!(" ({})", e.reason));
            }
        }
        for e in waiting {
            msg = msg
                .line()
                .text("• waitlisted: ")
                .user(&e.learner_name)
                .text(format!(" ({})", e.reason));
        }
    }
    if !plan.paused.is_empty() {
        msg = msg
            .line()
            .text("Skipped, paused: ")
            .user(plan.paused.join(", "))
            .text(".");
    }
    msg.line()
        .text("Commit it with ")
        .code(format!("/mentor match apply {}", cohort.slug))
        .text("; everyone is told once.")
}

pub fn nothing_to_apply(cohort: &Cohort) -> Message {
    Message::new()
        .text("There is no new proposal for ")
        .strong(&cohort.name)
        .text(". Make one with ")
        .code(format!("/mentor match {}", cohort.slug))
        .text(".")
}

pub fn group_name(lead: &str, index: usize) -> String {
    match index {
        0 => format!("{lead}'s group"),
        n => format!("{lead}'s group {}", n + 1),
    }
}

pub fn applied(cohort: &Cohort, plan: &Plan) -> Message {
    let matched = plan
        .entries
        .iter()
        .filter(|e| e.mentor_id.is_some())
        .count();
    let waiting = plan.entries.len() - matched;
    Message::new()
        .text("Applied the matching for ")
        .strong(&cohort.name)
        .text(format!(
            ": {matched} placements, {waiting} waitlisted. Everyone has been told."
        ))
}

pub fn learner_notice(cohort: &Cohort, entries: &[&PlanEntry], group: Option<&str>) -> Message {
    let mut msg = Message::new()
        .text("Your mentors in ")
        .strong(&cohort.name)
        .text(":");
    for e in entries {
        let role = match e.tier {
            Tier::Lead => "Lead mentor",
            Tier::Community => "Community mentor",
        };
        msg = msg.line().text(format!("• {role}: "));
        msg = match (&e.mentor_id, &e.mentor_name) {
            (Some(id), Some(name)) => {
                let m = msg.mention(*id, name);
                match (e.tier, group) {
                    (Tier::Lead, Some(g)) => m.text(", in ").user(g),
                    _ => m,
                }
                .text(format!(" ({})", e.reason))
            }
            _ => msg.text(format!("none yet, you are on the waitlist ({}).", e.reason)),
        };
    }
    msg
}

pub fn mentor_notice(cohort: &Cohort, entries: &[&PlanEntry]) -> Message {
    let mut msg = Message::new()
        .text("Your learners in ")
        .strong(&cohort.name)
        .text(":");
    for e in entries {
        msg = msg
            .line()
            .text("• ")
            .mention(e.learner_id, &e.learner_name)
            .text(format!(" ({})", e.reason));
    }
    msg.line()
        .text("See ")
        .code("/mentor guide")
        .text(" for the playbook.")
}

// ---- rotation ----

pub fn rotation_preview(cohort: &Cohort, moves: &[Move]) -> Message {
    if moves.is_empty() {
        return Message::new()
            .strong(&cohort.name)
            .text(" has no community-mentor groups to rotate yet. Match it first with ")
            .code(format!("/mentor match {}", cohort.slug))
            .text(".");
    }
    let mut msg = Message::new()
        .text("Next rotation for ")
        .strong(&cohort.name)
        .text(":");
    for m in moves {
        msg = msg
            .line()
            .text("• ")
            .user(&m.outgoing.1)
            .text(format!("'s group ({}) → ", learner_count(m.learners.len())));
        msg = match &m.incoming {
            Some((id, _)) if *id == m.outgoing.0 => msg
                .text("stays with ")
                .user(&m.outgoing.1)
                .text(" (no other choice)"),
            Some((_, name)) if m.repeat => msg.user(name).text(" (met before; no new choice)"),
            Some((_, name)) => msg.user(name).text(" (new pair)"),
            None => msg.text("nobody available"),
        };
    }
    msg
}

pub fn rotation_learner_notice(cohort: &Cohort, mentor: Uuid, name: &str) -> Message {
    Message::new()
        .text("Mentor rotation in ")
        .strong(&cohort.name)
        .text(": your community mentor is now ")
        .mention(mentor, name)
        .text(". Say hello!")
}

pub fn rotation_unplaced_notice(cohort: &Cohort) -> Message {
    Message::new()
        .text("Mentor rotation in ")
        .strong(&cohort.name)
        .text(": no community mentor could take you this time. A steward will match you soon; your lead mentor is there meanwhile.")
}

/// At the rotation, to the outgoing mentor: thanks, and the ask for a handover note unless
/// they were asked a week ago (`asked`).
pub fn rotation_outgoing_notice(
    cohort: &Cohort,
    incoming: &str,
    learners: &[String],
    asked: bool,
) -> Message {
    let msg = Message::new()
        .text("Mentor rotation in ")
        .strong(&cohort.name)
        .text(": ")
        .user(crate::render::and_list(learners))
        .text(if learners.len() == 1 {
            " now goes to "
        } else {
            " now go to "
        })
        .user(incoming)
        .text(". Thank you for your time with them!");
    if asked {
        msg
    } else {
        handover_ask(msg.text(" Please write a short handover with "), incoming)
    }
}

/// "1 learner", "3 learners".
fn learner_count(n: usize) -> String {
    count(n as i64, "learner", "learners")
}

/// "`/mentor handover <note>`: it goes to X only, never to the learners."
fn handover_ask(msg: Message, incoming: &str) -> Message {
    msg.code("/mentor handover <note>")
        .text(": it goes to ")
        .user(incoming)
        .text(" only, never to the learners.")
}

/// `asked`: the outgoing mentor was asked for a handover note a week ago.
pub fn rotation_incoming_notice(
    cohort: &Cohort,
    outgoing: &str,
    learners: &[String],
    asked: bool,
) -> Message {
    Message::new()
        .text("Mentor rotation in ")
        .strong(&cohort.name)
        .text(": you now mentor ")
        .user(crate::render::and_list(learners))
        .text(", until now with ")
        .user(outgoing)
        .text(if asked {
            ". Their handover note comes here, if it hasn't already."
        } else {
            ". Their handover note will follow here."
        })
}

/// A week ahead: where the learners go, and the ask for a handover note.
pub fn handover_notice(cohort: &Cohort, incoming: &str, learners: &[String]) -> Message {
    let msg = Message::new()
        .text("Mentor rotation in ")
        .strong(&cohort.name)
        .text(" next week: ")
        .user(crate::render::and_list(learners))
        .text(" will go to ")
        .user(incoming)
        .text(". Please write a short handover now with ");
    handover_ask(msg, incoming)
}

pub fn no_handover() -> Message {
    Message::new().text("You have no rotation waiting for a handover note.")
}

pub fn handover_sent(incoming: &str) -> Message {
    Message::new()
        .text("Thanks! Your note went to ")
        .user(incoming)
        .text(" only.")
}

pub fn handover_note(outgoing: &str, cohort: &str, note: &str) -> Message {
    Message::new()
        .text("Handover from ")
        .user(outgoing)
        .text(" (")
        .strong(cohort)
        .text("): ")
        .user(note)
}

// ---- recognition ----

pub fn recognition(cohort: &Cohort, month: NaiveDate, credits: &[Credit]) -> Message {
    let mut msg = Message::new()
        .text("🌟 Thank you, mentors of ")
        .strong(&cohort.name)
        .text(format!(", for {}:", month.format("%B %Y")));
    let hidden = credits.iter().filter(|c| c.opt_out).count();
    for c in credits.iter().filter(|c| !c.opt_out) {
        msg = msg.line().text("• ").user(&c.display_name).text(format!(
            ": {}, {}, {}, {} kudos received",
            count(c.checkin_replies, "check-in reply", "check-in replies"),
            count(c.reviews, "review", "reviews"),
            count(c.pairings, "pairing session", "pairing sessions"),
            c.kudos
        ));
    }
    if hidden > 0 {
        msg = msg.line().text(format!(
            "…and {} not to be named.",
            if hidden == 1 {
                "1 more mentor who prefers".to_owned()
            } else {
                format!("{hidden} more mentors who prefer")
            }
        ));
    }
    msg
}

pub fn recognition_set(named: bool) -> Message {
    if named {
        Message::new().text("The monthly recognition post will name you. Thank you!")
    } else {
        Message::new().text("The monthly recognition post won't name you; your work still counts.")
    }
}

// ---- inactive mentors ----

pub fn no_mentor_to_report() -> Message {
    Message::new().text("You have no mentor right now, so there is nobody to report.")
}

pub fn unreachable_noted() -> Message {
    Message::new().text(
        "Thanks for telling me. It stays private: your mentor is not told, and stewards will make sure you get help.",
    )
}

pub fn inactive_flag(cohort: &Cohort, silent: &Silent, days: i32) -> Message {
    Message::new()
        .user(&silent.display_name)
        .text(" has not responded in ")
        .strong(&cohort.name)
        .text(format!(
            " for over {days} days: {} unanswered, {} unclaimed, {}. Move their learners to the best mentors with room: ",
            count(silent.unanswered_checkins, "check-in", "check-ins"),
            count(silent.unclaimed_reviews, "review", "reviews"),
            count(silent.reports, "unreachable report", "unreachable reports")
        ))
        .code(format!(
            "/mentor rematch @{} {}",
            silent.platform_user_id, cohort.slug
        ))
}

pub fn no_learners_to_move(name: &str, cohort: &Cohort) -> Message {
    Message::new()
        .user(name)
        .text(" mentors no learners in ")
        .strong(&cohort.name)
        .text(".")
}

pub fn rematched(name: &str, cohort: &Cohort, moved: usize, total: usize) -> Message {
    let msg = Message::new()
        .text(format!(
            "Moved {moved} of {} of ",
            count(total as i64, "learner", "learners")
        ))
        .user(name)
        .text(" in ")
        .strong(&cohort.name)
        .text(" to other mentors");
    if moved < total {
        let waiting = total - moved;
        msg.text(format!(
            "; {} could not be placed and {} waitlisted (they have been told).",
            count(waiting as i64, "learner", "learners"),
            if waiting == 1 { "is" } else { "are" }
        ))
    } else {
        msg.text("; everyone has been told.")
    }
}

pub fn rematch_notice(cohort: &Cohort) -> Message {
    Message::new()
        .text("Your learners in ")
        .strong(&cohort.name)
        .text(" have moved to other mentors for now. Thank you for your help so far; when you're ready for learners again, tell a steward, who can match you with ")
        .code("/mentor match")
        .text(".")
}

// ---- match reasons ----

/// "shares: power automate, sql; 6 h overlap; other department"
pub fn pair_reasons(learner: &Person, mentor: &Person, score: &PairScore) -> String {
    let mut parts = Vec::new();
    let shared = shared_skills(&learner.skills, &mentor.skills);
    if !shared.is_empty() {
        parts.push(format!("shares: {}", shared.join(", ")));
    }
    // Said about whom: the learner and the mentor both read this line.
    match (score.overlap_hours, learner.zone, mentor.zone) {
        (Some(h), _, _) => parts.push(format!("{h} h overlap")),
        (None, None, None) => parts.push("no time zone set for either of you".to_owned()),
        (None, None, Some(_)) => parts.push("no time zone set for the learner".to_owned()),
        (None, _, _) => parts.push("no time zone set for the mentor".to_owned()),
    }
    if score.cross_department {
        parts.push("other department".to_owned());
    }
    // Plain words: learners read this, and "repeat" is the scorer's term.
    if score.repeat {
        parts.push("you've worked together before".to_owned());
    }
    parts.join("; ")
}

/// Why a learner waits when no mentor of the kind is left at all (every one excluded,
/// paused or gone).
pub fn no_mentor_left() -> String {
    "no other mentor of this kind is available right now; a steward has been told".to_owned()
}

pub fn wait_reason(reason: WaitReason) -> String {
    match reason {
        WaitReason::NoSuitableMentor => {
            "no mentor shares 2 or more waking hours, or all are excluded".to_owned()
        }
        WaitReason::NoRoom => "every suitable mentor is full".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(zone: Option<chrono_tz::Tz>, skills: &[&str]) -> Person {
        Person {
            key: Uuid::nil(),
            skills: skills.iter().map(|s| s.to_string()).collect(),
            zone,
            department: None,
        }
    }

    #[test]
    fn match_reasons_say_whose_zone_is_missing_in_plain_words() {
        let score = |overlap, repeat| PairScore {
            total: 0,
            shared_skills: 1,
            overlap_hours: overlap,
            cross_department: false,
            repeat,
        };
        let berlin = Some(chrono_tz::Europe::Berlin);
        let (learner, mentor) = (person(None, &["sql"]), person(berlin, &["sql"]));
        assert_eq!(
            pair_reasons(&learner, &mentor, &score(None, true)),
            "shares: sql; no time zone set for the learner; you've worked together before"
        );
        assert_eq!(
            pair_reasons(&mentor, &learner, &score(None, false)),
            "shares: sql; no time zone set for the mentor"
        );
        assert_eq!(
            pair_reasons(&learner, &learner, &score(None, false)),
            "shares: sql; no time zone set for either of you"
        );
    }
}
