//! What badge lists and revocations say.

use uuid::Uuid;

use crate::domain::text::preview;
use crate::render::Message;
use crate::store::milestones::Badge;

/// The member's badges, each with its link: absolute under `public_url` when there is one.
pub fn list(member: &str, mine: bool, badges: &[Badge], public_url: Option<&str>) -> Message {
    if badges.is_empty() {
        return if mine {
            Message::new()
                .text("You have no badges yet. Verified modules with a badge earn one: see ")
                .code("/progress")
                .text(".")
        } else {
            Message::new().user(member).text(" has no badges yet.")
        };
    }
    let mut msg = if mine {
        Message::new().text("Your Open Badges:")
    } else {
        Message::new().user(member).text("'s Open Badges:")
    };
    for badge in badges {
        msg = msg
            .line()
            .text("  🏅 ")
            .strong(&badge.name)
            .text(format!(
                " — {} ({}), issued {}: ",
                badge.module_name,
                badge.cohort_name,
                badge.issued_at.format("%Y-%m-%d")
            ))
            .code(format!(
                "{}/badges/{}",
                public_url.unwrap_or_default(),
                badge.id
            ));
        if let Some(at) = badge.revoked_at {
            msg = msg.text(format!(" · revoked {}", at.format("%Y-%m-%d")));
        }
    }
    msg.line()
        .text("Each link serves the Open Badges 3.0 credential (JSON) and a page to share.")
}

pub fn not_a_badge_id(typed: &str) -> Message {
    Message::new()
        .text("There is no badge ")
        .code(preview(typed))
        .text(" in this community. ")
        .code("/badges @member")
        .text(" lists a member's badges with their ids.")
}

pub fn already_revoked(name: &str) -> Message {
    Message::new()
        .text("That ")
        .strong(name)
        .text(" badge is already revoked.")
}

/// Names where the revocation shows: the badge page and its status list, which verifiers
/// check.
pub fn revoked_reply(name: &str, member: &str, id: &Uuid, public_url: Option<&str>) -> Message {
    let msg = Message::new()
        .text("Revoked ")
        .user(member)
        .text("'s ")
        .strong(name)
        .text(" badge. ");
    match public_url {
        Some(url) => msg.text(format!(
            "Its page {url}/badges/{id} says so, and its status list {url}/badges/{id}/status, which verifiers check, marks it revoked."
        )),
        None => msg
            .text("Its page ")
            .code(format!("/badges/{id}"))
            .text(" and its status list say so once the bot has a public address (")
            .code("http.public_url")
            .text(")."),
    }
}

/// Where the keys of a rotation are published.
pub struct RotatedKeys {
    pub new: String,
    pub old: String,
    pub new_rsa: String,
}

pub fn rotated(version: i32, rsa_version: i32, keys: Option<RotatedKeys>) -> Message {
    let msg = Message::new().text(format!(
        "🔑 Credentials are signed with key {version} from now on. Those signed before still verify: "
    ));
    let msg = match &keys {
        Some(keys) => msg.text(format!(
            "key {} stays published at {}, and the new one is at {}.",
            version - 1,
            keys.old,
            keys.new
        )),
        None => msg.text(format!("key {} stays published.", version - 1)),
    };
    let msg = msg.text(format!(
        " The RS256 form is signed with RSA key {rsa_version} from now on"
    ));
    match &keys {
        Some(keys) => msg.text(format!(
            " ({}), and the earlier RSA keys stay published too.",
            keys.new_rsa
        )),
        None => msg.text(", and the earlier RSA keys stay published too."),
    }
}

pub fn no_key_yet() -> Message {
    Message::new().text(
        "This community has no signing key yet: it gets one with its first badge, so there is nothing to rotate.",
    )
}

pub fn revoked_dm(name: &str, reason: &str) -> Message {
    Message::new()
        .text("Your ")
        .strong(name)
        .text(" badge was revoked by a steward: ")
        .user(reason)
}

pub fn too_many(given: usize, most: usize) -> Message {
    Message::new().text(format!(
        "That names {given} people; one issue takes at most {most}. Split it in two."
    ))
}

pub fn entry_unreadable(number: usize, line: &str) -> Message {
    Message::new()
        .text(format!("Entry {number} ("))
        .user(preview(line))
        .text(") should be one person, a colon, then what they did: ")
        .code("Sam Carter: built the expenses flow")
        .text(". Nothing was issued.")
}

pub fn entry_without_narrative(number: usize, person: &str) -> Message {
    Message::new()
        .text(format!("Entry {number} names "))
        .user(person)
        .text(" but says nothing after the colon: write what they did, which their credential carries. Nothing was issued.")
}

pub fn entry_refused(number: usize, why: Message) -> Message {
    Message::new()
        .text(format!("Entry {number}: "))
        .push(why)
        .text(" Nothing was issued.")
}

pub fn listed_twice(number: usize, name: &str) -> Message {
    Message::new()
        .text(format!("Entry {number} names "))
        .user(name)
        .text(" again; each person once. Nothing was issued.")
}

pub fn issued_header(count: usize) -> Message {
    Message::new().text(if count == 1 {
        "🏅 Verified 1 milestone, its badge carrying your words about the work:".to_owned()
    } else {
        format!("🏅 Verified {count} milestones at once, each badge carrying your words about their work:")
    })
}

pub fn entry_ambiguous(number: usize, typed: &str, names: &[&str]) -> Message {
    let mut distinct = names.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    if let [name] = distinct.as_slice() {
        // The full name cannot tell them apart: only an account can.
        return Message::new()
            .text(format!("Entry {number}: {} people here are called ", names.len()))
            .user(*name)
            .text(". Write the one you mean as their user id instead (on Slack, *Copy member ID* in their profile; on Discord, *Copy User ID*). Nothing was issued.");
    }
    Message::new()
        .text(format!("Entry {number}: "))
        .user(typed)
        .text(" could be ")
        .user(distinct.join(" or "))
        .text("; write the full name. Nothing was issued.")
}
