//! What `/kb` says.

use chrono::{DateTime, Duration, Utc};

use crate::domain::text::preview;
use crate::render::Message;
use crate::store::knowledge::{Entry, HIT_END, HIT_START, Hit, Overdue, RANKED_AT_MOST};

fn kind_label(kind: &str) -> &'static str {
    match kind {
        "faq" => "FAQ",
        "playbook" => "Playbook",
        "decision" => "Decision",
        "clinic_note" => "Clinic note",
        _ => "Entry",
    }
}

fn day(at: DateTime<Utc>) -> String {
    at.format("%-d %b %Y").to_string()
}

/// Characters of a result's snippet: five results fit one Discord message.
const SNIPPET_MAX: usize = 240;

/// The snippet a result shows: the matched fragment, or the body's opening when there is
/// none, on one line and at most `SNIPPET_MAX` characters.
fn snippet_of(hit: &Hit) -> Message {
    let text = if hit.snippet.trim().is_empty() {
        &hit.opening
    } else {
        &hit.snippet
    };
    let flat = text.replace(['\n', '\t'], " ");
    let flat = flat.trim();
    if flat.chars().count() > SNIPPET_MAX {
        let cut: String = flat.chars().take(SNIPPET_MAX - 1).collect();
        snippet(&format!("{cut}…"))
    } else {
        snippet(flat)
    }
}

/// A snippet as user text, its matched words highlighted: the sentinels become bold only
/// here, after the text between them is kept as user text for the platform to escape. A
/// mark without its pair (cut off) is dropped.
fn snippet(flat: &str) -> Message {
    let mut msg = Message::new();
    for (i, part) in flat.split(HIT_START).enumerate() {
        let (hit, rest) = match part.split_once(HIT_END) {
            Some((hit, rest)) if i > 0 => (hit, rest),
            _ => ("", part),
        };
        if !hit.is_empty() {
            msg = msg.highlight(hit);
        }
        let rest: String = rest.chars().filter(|c| *c != HIT_END).collect();
        if !rest.is_empty() {
            msg = msg.user(rest);
        }
    }
    msg
}

pub fn results(typed: &str, hits: &[Hit]) -> Message {
    let mut msg = Message::new()
        .text("🔎 ")
        .strong(format!("Knowledge base: {}", preview(typed)));
    for (i, hit) in hits.iter().enumerate() {
        msg = msg
            .line()
            .text(format!("{}. ", i + 1))
            .user(&hit.title)
            .text(format!(" · {} · ", kind_label(&hit.kind)))
            .code(&hit.slug);
        if !hit.tags.is_empty() {
            msg = msg.text(" · ").user(hit.tags.join(", "));
        }
        let snippet = snippet_of(hit);
        if !snippet.0.is_empty() {
            msg = msg.line().text("    ").push(snippet);
        }
    }
    if hits.iter().any(|hit| hit.capped) {
        msg = msg.line().text(format!(
            "At least {RANKED_AT_MOST} entries match, so these are the best of the first {RANKED_AT_MOST} found: add a word to narrow the search."
        ));
    }
    msg.line()
        .text("Read one with ")
        .code("/kb show <id>")
        .text("; add ")
        .code("share:true")
        .text(" to post it in this channel.")
}

pub fn nothing_found(typed: &str, near: Option<(&str, &str)>) -> Message {
    let msg = Message::new()
        .text("Nothing in the knowledge base matches ")
        .code(preview(typed))
        .text(".");
    let msg = match near {
        Some((name, title)) => msg
            .text(" Did you mean ")
            .user(title)
            .text(" (")
            .code(format!("/kb show {name}"))
            .text(")?"),
        None => msg,
    };
    msg.line()
        .text("Try fewer or other words, or ask your mentor. Stewards see the searches that found nothing (")
        .code("/kb report")
        .text("), so the answer can be written down.")
}

pub fn entry(entry: &Entry, now: DateTime<Utc>, shared: bool) -> Message {
    let mut msg = Message::new()
        .text("📘 ")
        .strong(kind_label(&entry.kind))
        .text(": ")
        .highlight(&entry.title)
        .line()
        .user(&entry.body)
        .line();
    if !entry.tags.is_empty() {
        msg = msg.text("Tags: ").user(entry.tags.join(", ")).text(" · ");
    }
    msg = msg.text("Id: ").code(&entry.slug);
    if !entry.aliases.is_empty() {
        msg = msg.text(" · also ");
        for (i, alias) in entry.aliases.iter().enumerate() {
            if i > 0 {
                msg = msg.text(", ");
            }
            msg = msg.code(alias);
        }
    }
    msg = msg.line();
    msg = match &entry.owner_name {
        Some(owner) => msg.text("Owner: ").user(owner),
        None => msg.text("Owner: the stewards"),
    };
    msg = msg.text(format!(
        " · verified {} · revision {}",
        day(entry.verified_at),
        entry.revision
    ));
    if let Some(cohort) = &entry.cohort_slug {
        msg = msg
            .line()
            .text("For the cohort ")
            .code(cohort)
            .text(" only.");
    }
    if let Some(circle) = &entry.circle_name {
        msg = msg.line().text("From the circle ").user(circle).text(".");
    }
    if entry.status == "draft" {
        msg = msg
            .line()
            .text("📝 A draft: only its owner and the stewards see it. Publish it with ")
            .code(format!("/kb publish {}", entry.slug))
            .text(".");
    } else if entry.status == "archived" {
        msg = msg.line().text("🗄️ Archived: search does not find it.");
    }
    if let Some(earlier) = &entry.supersedes {
        msg = msg
            .line()
            .text("Replaces the decision ")
            .code(earlier)
            .text(".");
    }
    if let Some(later) = &entry.superseded_by {
        msg = msg
            .line()
            .text("⚠️ Superseded by ")
            .code(later)
            .text(": read that one for what holds now.");
    }
    let due = entry.verified_at + Duration::days(i64::from(entry.verify_every_days));
    if due <= now {
        msg = msg.line().text(format!(
            "⚠️ Due for re-verification since {}: it may be out of date.",
            day(due)
        ));
    }
    // Only what everyone may read can be shared (`not_shareable`), so only that is offered.
    if !shared && entry.status == "published" && entry.visibility == "community" {
        msg = msg
            .line()
            .text("Post it in the channel with ")
            .code(format!("/kb show {} share:true", entry.slug))
            .text(".");
    }
    msg
}

/// What a message saved from chat ends with: where it came from.
pub fn saved_from(link: &str) -> String {
    format!("\n\nFrom the chat: {link}")
}

/// How a decision's three parts are stored as its body: labelled paragraphs, which search
/// indexes and `/kb show` shows as they are.
pub fn decision_body(context: &str, decision: &str, consequences: &str) -> String {
    format!("Context: {context}\n\nDecision: {decision}\n\nConsequences: {consequences}")
}

pub fn supersedes_only_decisions(slug: &str) -> Message {
    Message::new()
        .code(slug)
        .text(" is not a decision; ")
        .code("supersedes:")
        .text(" names an earlier decision, as ")
        .code("/kb search")
        .text(" lists it.")
}

pub fn decided(slug: &str, title: &str, channel: Option<&str>) -> Message {
    let msg = Message::new()
        .text("📜 Recorded the decision ")
        .user(title)
        .text(" as ")
        .code(slug)
        .text(".");
    match channel {
        Some(channel) => msg.text(" It is posted in ").channel(channel).text("."),
        None => msg
            .text(" It is not posted anywhere: the program file names no ")
            .code("governance_channel")
            .text(" for this community."),
    }
}

/// The post in the governance channel.
pub fn decision_post(
    by: uuid::Uuid,
    by_name: &str,
    slug: &str,
    title: &str,
    [context, decision, consequences]: [&str; 3],
    supersedes: Option<&str>,
) -> Message {
    let mut msg = Message::new()
        .text("📜 ")
        .strong("Decision")
        .text(": ")
        .highlight(title)
        .text(" (")
        .code(slug)
        .text(")");
    for (label, part) in [
        ("Context", context),
        ("Decision", decision),
        ("Consequences", consequences),
    ] {
        msg = msg
            .line()
            .strong(label)
            .text(": ")
            .user_indented(part, "  ");
    }
    msg = msg.line().text("Recorded by ").mention(by, by_name);
    if let Some(earlier) = supersedes {
        msg = msg.text(" · replaces ").code(earlier);
    }
    msg.text(" · ").code(format!("/kb show {slug}"))
}

pub fn ask_found(question: &str, hits: &[Hit]) -> Message {
    results(question, hits)
        .line()
        .text("None of these answers it? Ask the mentors with ")
        .code("/kb ask … anyway:true")
        .text(".")
}

pub fn nobody_to_ask() -> Message {
    Message::new().text(
        "There are no mentors or stewards here to ask yet, so I can't pass your question on. Try your cohort's channel.",
    )
}

/// `circle`: the circle asked, whose members heard it, instead of the mentors.
pub fn asked_already(number: i64) -> Message {
    Message::new().text(format!(
        "You asked this already (question #{number}), and it is still open: the people I asked have it, and the answer comes to you by DM. I didn't ask them again."
    ))
}

pub fn asked(number: i64, hearers: usize, circle: Option<&str>) -> Message {
    let who = match (circle, hearers) {
        (Some(_), 1) => "a member of ".to_owned(),
        (Some(_), n) => format!("{n} members of "),
        (None, 1) => "a mentor".to_owned(),
        (None, n) => format!("{n} mentors"),
    };
    let msg = Message::new().text(format!(
        "❓ Nothing in the knowledge base answers that yet, so I asked {who}"
    ));
    let msg = match circle {
        Some(circle) => msg.strong(circle),
        None => msg,
    };
    msg.text(format!(
        " (question #{number}). The answer comes to you by DM."
    ))
}

/// The DM a mentor gets, with its **Answer** button.
pub fn question_dm(number: i64, asker: &str, question: &str, circle: Option<&str>) -> Message {
    let msg = Message::new()
        .text(format!("❓ Question #{number} from "))
        .user(asker);
    let msg = match circle {
        Some(circle) => msg.text(" to ").strong(circle),
        None => msg,
    };
    msg.text(": ")
        .user(question)
        .line()
        .text("Nothing in the knowledge base answers it. Answer with ")
        .code(format!("/kb answer {number} <text>"))
        .text(" or the button; your answer reaches them and becomes a draft FAQ you can publish.")
        .action(
            "Answer",
            crate::render::ActionKind::Form {
                form: crate::commands::forms::FormId::KbAnswer.code().to_owned(),
                context: vec![("question".to_owned(), number.to_string())],
            },
        )
}

pub fn only_mentors_answer() -> Message {
    Message::new().text("Questions are answered by mentors and stewards. If you know the answer, tell a mentor, or add it with ")
        .code("/kb add faq")
        .text(".")
}

pub fn unknown_question(number: i64) -> Message {
    Message::new().text(format!(
        "There is no question #{number} here. The number is in the question's DM."
    ))
}

pub fn already_answered(number: i64, by: Option<&str>, entry: Option<&str>) -> Message {
    let mut msg = Message::new().text(format!("Question #{number} is already answered"));
    if let Some(by) = by {
        msg = msg.text(" by ").user(by);
    }
    msg = msg.text(".");
    if let Some(entry) = entry {
        msg = msg
            .text(" Improve the answer in ")
            .code(format!("/kb edit {entry}"))
            .text(" if you are its owner, or tell them.");
    }
    msg
}

pub fn answer_saved(number: i64, slug: &str) -> Message {
    Message::new()
        .text(format!(
            "💡 Thanks! Your answer to #{number} is on its way, and saved as the draft "
        ))
        .code(slug)
        .text(". Check it with ")
        .code(format!("/kb show {slug}"))
        .text(", then ")
        .code(format!("/kb publish {slug}"))
        .text(" so the next person finds it.")
}

pub fn answered_dm(number: i64, question: &str, by: &str, answer: &str) -> Message {
    Message::new()
        .text(format!("💡 Your question #{number}, "))
        .user(question)
        .text(", has an answer from ")
        .user(by)
        .text(":")
        .line()
        .user(answer)
}

pub fn not_a_draft(slug: &str, status: &str) -> Message {
    let state = if status == "archived" {
        "archived"
    } else {
        "already published"
    };
    Message::new().code(slug).text(format!(" is {state}."))
}

pub fn published(slug: &str) -> Message {
    Message::new()
        .text("📘 Published ")
        .code(slug)
        .text(": search finds it now, and you'll re-verify it every 90 days.")
}

pub fn not_shareable(entry: &Entry) -> Message {
    match entry.status.as_str() {
        "draft" => {
            return Message::new()
                .code(&entry.slug)
                .text(" is a draft, so it can't be shared in a channel yet. Publish it first with ")
                .code(format!("/kb publish {}", entry.slug))
                .text(".");
        }
        "archived" => {
            return Message::new()
                .code(&entry.slug)
                .text(" is archived, so it can't be shared in a channel.");
        }
        _ => {}
    }
    let who = match entry.visibility.as_str() {
        "cohort" => "one cohort",
        _ => "mentors and stewards",
    };
    Message::new()
        .code(&entry.slug)
        .text(format!(
            " is only for {who}, so it can't be shared in a channel. Read it with "
        ))
        .code(format!("/kb show {}", entry.slug))
        .text(" and tell people what they need.")
}

pub fn unknown_entry(typed: &str, near: Option<(&str, &str)>) -> Message {
    let msg = Message::new()
        .text("I don't know a knowledge-base entry called ")
        .code(preview(typed))
        .text(".");
    match near {
        Some((name, title)) => msg
            .text(" Did you mean ")
            .code(name)
            .text(" (")
            .user(title)
            .text(")?"),
        None => msg
            .text(" Find one with ")
            .code("/kb search <words>")
            .text("."),
    }
}

pub fn not_owner(entry: &Entry, command: &str) -> Message {
    let msg = Message::new()
        .text("Only the owner of ")
        .code(&entry.slug)
        .text(" or a steward can use ")
        .code(format!("/{command}"))
        .text(" on it.");
    match &entry.owner_name {
        Some(owner) => msg.text(" Its owner is ").user(owner).text("."),
        None => msg,
    }
}

pub fn name_taken(name: &str, holder: &str, holder_title: &str) -> Message {
    let msg = Message::new().code(name).text(" is already taken by ");
    let msg = if holder == name {
        msg.text("the entry ")
    } else {
        msg.text("an alias of ").code(holder).text(", ")
    };
    msg.user(holder_title)
        .text(". Pick another with ")
        .code("id:")
        .text(", or improve that entry with ")
        .code(format!("/kb edit {holder}"))
        .text(".")
}

pub fn name_just_taken(name: &str) -> Message {
    Message::new()
        .code(name)
        .text(" was taken by another entry a moment ago. Pick another with ")
        .code("id:")
        .text(", or look at that one with ")
        .code(format!("/kb show {name}"))
        .text(".")
}

pub fn bad_name(typed: &str, max: usize) -> Message {
    Message::new()
        .code(preview(typed))
        .text(format!(
            " can't be an id or alias: use 2–{max} lowercase letters, digits and hyphens, like "
        ))
        .code("vpn-access")
        .text(".")
}

pub fn give_an_id() -> Message {
    Message::new()
        .text("Every id made from that title is taken. Give one with ")
        .code("id:")
        .text(".")
}

pub fn tag_too_long(tag: &str, max: usize) -> Message {
    Message::new()
        .text("The tag ")
        .code(preview(tag))
        .text(format!(
            " is longer than {max} characters; tags are short words like "
        ))
        .code("licences")
        .text(".")
}

pub fn too_many_tags(count: usize, max: usize) -> Message {
    Message::new().text(format!(
        "That is {count} tags; an entry has at most {max}. Keep the ones people would search for."
    ))
}

pub fn cohort_needed() -> Message {
    Message::new()
        .text("An entry for one cohort needs ")
        .code("cohort:")
        .text(", like ")
        .code("visibility:cohort cohort:spring-makers")
        .text(".")
}

pub fn cohort_only_with_cohort() -> Message {
    Message::new()
        .code("cohort:")
        .text(" goes with ")
        .code("visibility:cohort")
        .text("; leave it out for an entry everyone (or every mentor) may read.")
}

pub fn mentors_only_visibility() -> Message {
    Message::new()
        .text("Only mentors and stewards can add entries for mentors only. Add it for everyone, or ask a mentor to add it.")
}

/// `title_may_be_cut`: see [`crate::services::Invocation::title_may_be_cut`].
pub fn added(slug: &str, title: &str, every: i32, title_may_be_cut: bool) -> Message {
    let msg = Message::new()
        .text("📘 Added ")
        .user(title)
        .text(" as ")
        .code(slug)
        .text(format!(
            ". You own it: I'll ask you to re-verify it every {every} days. Share it with "
        ))
        .code(format!("/kb show {slug} share:true"))
        .text(".");
    // `/kb add faq How to share a flow …` makes the title `How`: the parser cannot know
    // where an unquoted title ends, so a one-word title is read back with the way out.
    if !title_may_be_cut {
        return msg;
    }
    msg.push(crate::services::messages::title_may_be_cut(title))
        .text(". Change this one with ")
        .code(format!("/kb edit {slug} title:\"{title} …\""))
        .text(".")
}

pub fn nothing_to_change(slug: &str) -> Message {
    Message::new()
        .text("Say what to change, like ")
        .code(format!("/kb edit {slug} title:\"New title\""))
        .text(", new text after the id, ")
        .code("tags:")
        .text(" or ")
        .code("every:")
        .text(".")
}

pub fn edited(slug: &str, revision: i32) -> Message {
    Message::new().text("✏️ Updated ").code(slug).text(format!(
        " (revision {revision}); the earlier text is kept as a revision."
    ))
}

pub fn aliased(slug: &str, alias: &str) -> Message {
    Message::new()
        .code(alias)
        .text(" now finds ")
        .code(slug)
        .text(" too.")
}

pub fn archived(slug: &str) -> Message {
    Message::new()
        .text("🗄️ Archived ")
        .code(slug)
        .text(": search no longer finds it. Its text and revisions are kept.")
}

pub fn already_archived(slug: &str) -> Message {
    Message::new().code(slug).text(" is already archived.")
}

pub fn verified(slug: &str, due: DateTime<Utc>) -> Message {
    Message::new()
        .text("✅ Verified ")
        .code(slug)
        .text(format!(". It is next due on {}.", day(due)))
}

pub fn stale(stale: &[Overdue], shown: usize, steward: bool, now: DateTime<Utc>) -> Message {
    if stale.is_empty() {
        let whose = if steward {
            "No entry"
        } else {
            "None of your entries"
        };
        return Message::new().text(format!("{whose} is due for re-verification. 👍"));
    }
    let heading = if steward {
        "Entries due for re-verification"
    } else {
        "Your entries due for re-verification"
    };
    let mut msg = Message::new().strong(format!("{heading} ({})", stale.len()));
    for entry in stale.iter().take(shown) {
        let days = (now - entry.due_at).num_days();
        msg = due_line(msg, entry).text(format!(" ({days} days ago)"));
        if steward {
            msg = match &entry.owner_name {
                Some(owner) => msg.text(", owner ").user(owner),
                None => msg.text(", no owner: yours to verify"),
            };
        }
    }
    if stale.len() > shown {
        msg = msg
            .line()
            .text(format!("…and {} more.", stale.len() - shown));
    }
    msg.line()
        .text("Check each, then ")
        .code("/kb verify <id>")
        .text(", or ")
        .code("/kb edit <id>")
        .text(" to fix it.")
}

/// "• `id` Title — due 16 May 2027", on a line of its own.
fn due_line(msg: Message, entry: &Overdue) -> Message {
    msg.line()
        .text("• ")
        .code(&entry.slug)
        .text(" ")
        .user(&entry.title)
        .text(format!(" — due {}", day(entry.due_at)))
}

fn overdue_list(mut msg: Message, entries: &[Overdue]) -> Message {
    for entry in entries {
        msg = due_line(msg, entry);
    }
    msg.line()
        .text("Check each is still right, then ")
        .code("/kb verify <id>")
        .text(", or ")
        .code("/kb edit <id>")
        .text(" to fix it. ")
        .code("/kb stale")
        .text(" lists them any time.")
}

/// The weekly DM to an owner whose entries are due.
pub fn stale_reminder(entries: &[Overdue]) -> Message {
    overdue_list(
        Message::new().text("🗓️ Knowledge-base entries you own are due for re-verification:"),
        entries,
    )
}

/// The weekly DM to stewards about due entries whose owner left.
pub fn unowned_reminder(entries: &[Overdue]) -> Message {
    overdue_list(
        Message::new().text(
            "🗓️ These knowledge-base entries are due for re-verification and their owner has left, so they are the stewards':",
        ),
        entries,
    )
}

pub fn report(missed: &[(String, i64, DateTime<Utc>)], days: i64) -> Message {
    if missed.is_empty() {
        return Message::new().text(format!(
            "Every search of the last {days} days found something."
        ));
    }
    let mut msg = Message::new().strong(format!("Searches that found nothing, last {days} days"));
    for (query, times, last) in missed {
        let times = if *times == 1 {
            "once".to_owned()
        } else {
            format!("{times} times")
        };
        msg = msg
            .line()
            .text("• ")
            .user(query)
            .text(format!(" — {times}, last on {}", day(*last)));
    }
    msg.line()
        .text("Answer the common ones with ")
        .code("/kb add faq \"Title\" the answer…")
        .text(".")
}

pub fn members_ask_this_circle(circle: &str) -> Message {
    Message::new()
        .strong(circle)
        .text(" is private: join it to ask its members, or ask the mentors without `circle:`.")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::Fragment;

    #[test]
    fn snippet_sentinels_become_highlights_and_nothing_else() {
        let text = format!("use {HIT_START}VPN{HIT_END} then <b>x</b> {HIT_END}stray");
        let msg = snippet(&text);
        assert_eq!(
            msg.0,
            vec![
                Fragment::User("use ".into()),
                Fragment::Highlight("VPN".into()),
                Fragment::User(" then <b>x</b> stray".into()),
            ]
        );
    }
}
