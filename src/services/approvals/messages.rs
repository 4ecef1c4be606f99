//! What approvals say.

use chrono::{DateTime, Utc};

use crate::commands::forms::FormId;
use crate::domain::approval::Rule;
use crate::render::{ActionKind, Message, count};
use crate::store::approvals::{Approver, Kind, Request, Status, Unanswered, Via};

fn when(at: DateTime<Utc>) -> String {
    at.format("%a %-d %b %Y %H:%M UTC").to_string()
}

/// What shows for words erased with their author's data (blanked by the data policy).
const ERASED_WORDS: &str = "(erased with its author's data)";

/// `text`, or [`ERASED_WORDS`] when erasure blanked it.
fn or_erased(text: &str) -> &str {
    if text.trim().is_empty() {
        ERASED_WORDS
    } else {
        text
    }
}

/// "#3 Share the flow (tool, confidential data)": the request as every message names it.
fn named(request: &Request) -> Message {
    Message::new()
        .strong(format!("#{}", request.number))
        .text(" ")
        .user(or_erased(&request.title))
        .text(format!(
            " ({}, {} data)",
            request.kind.label(),
            request.data_class
        ))
}

/// How a request is decided, in words: "2 approvers decide; 1 rejection rejects it".
fn how_decided(rule: Rule, max_rejections: i32) -> String {
    let rejections = if max_rejections <= 1 {
        "one rejection rejects it".to_owned()
    } else {
        format!("{max_rejections} rejections reject it")
    };
    format!("It needs {rule} to approve; {rejections}.")
}

/// The requester's reply: filed, and who was asked.
pub fn filed(request: &Request, asked: &[&str], skipped: &[&str], rule: Rule) -> Message {
    let mut msg = Message::new()
        .text("📨 Filed ")
        .push(named(request))
        .text(". I asked ")
        .user(crate::render::and_list(asked))
        .text(" to decide, by DM. ")
        .text(how_decided(rule, request.max_rejections));
    if !skipped.is_empty() {
        msg = msg
            .text(" Away with nobody standing in: ")
            .user(crate::render::and_list(skipped))
            .text(".");
    }
    msg.line()
        .text(format!(
            "You'll hear the outcome here. Unanswered, it expires on {}. Follow it with ",
            when(request.expires_at)
        ))
        .code(format!("/approve show {}", request.number))
        .text(" or withdraw it with ")
        .code(format!("/approve withdraw {}", request.number))
        .text(".")
}

pub fn already_requested(number: i32) -> Message {
    Message::new()
        .text(format!(
            "You already asked this: request #{number} is waiting for its approvers. Follow it with "
        ))
        .code(format!("/approve show {number}"))
        .text(".")
}

/// A one-word title typed without quotes may be the first word of a longer one.
pub fn title_may_be_cut(request: &Request, title: &str) -> Message {
    crate::services::messages::title_may_be_cut(title)
        .text(": withdraw this one with ")
        .code(format!("/approve withdraw {}", request.number))
        .text(" and file it again as ")
        .code(format!(
            "/approve request {} {} \"{title} …\" …",
            request.kind.as_str(),
            request.data_class
        ))
        .text(".")
}

/// Why an approver was asked, when it is not simply the policy.
pub enum Asked<'a> {
    ByPolicy,
    StandingInFor(&'a str),
    Escalated,
}

/// The DM asking an approver: the request, its justification, and the two buttons.
pub fn ask(request: &Request, rule: Rule, why: Asked<'_>) -> Message {
    let mut msg = Message::new()
        .text("🗳️ Approval request ")
        .push(named(request))
        .text(" from ")
        .user(&request.requester_name)
        .text(".");
    match why {
        Asked::ByPolicy => {}
        Asked::StandingInFor(name) => {
            msg = msg
                .text(" You decide in place of ")
                .user(name)
                .text(", who is away.");
        }
        Asked::Escalated => {
            msg = msg.text(format!(
                " It has waited since {} without a decision, so it comes to you too.",
                when(request.created_at)
            ));
        }
    }
    msg = msg
        .line()
        .text("Why: ")
        .user_indented(or_erased(&request.justification), "    ");
    if let Some(links) = request.links.as_deref().filter(|l| !l.trim().is_empty()) {
        msg = msg.line().text("Links: ").user(links);
    }
    msg.line()
        .text(how_decided(rule, request.max_rejections))
        .text(format!(
            " Open until {}. Or type ",
            when(request.expires_at)
        ))
        .code(format!("/approve yes {} [note]", request.number))
        .text(" or ")
        .code(format!("/approve no {} <reason>", request.number))
        .text(".")
        .action(
            "Approve",
            ActionKind::Run {
                command: "approve yes".into(),
                options: vec![("request".into(), request.number.to_string())],
            },
        )
        .action(
            "Reject",
            ActionKind::Form {
                form: FormId::ApprovalReject.code().to_owned(),
                context: vec![("request".into(), request.number.to_string())],
            },
        )
}

pub fn not_enough_approvers(
    kind: Kind,
    needed: u32,
    available: usize,
    skipped: &[&str],
) -> Message {
    let mut msg = Message::new().text(format!(
        "A {} request needs {} to decide, and {} can right now: you can't approve your own request",
        kind.label(),
        count(i64::from(needed), "approver", "approvers"),
        available
    ));
    if skipped.is_empty() {
        msg = msg.text(".");
    } else {
        msg = msg
            .text(", and ")
            .user(crate::render::and_list(skipped))
            .text(if skipped.len() == 1 {
                " is away with nobody standing in."
            } else {
                " are away with nobody standing in."
            });
    }
    msg.text(" Nothing was filed. Ask a steward to change the approvers in the program file, or try again when they are back.")
}

pub fn unknown_request(number: i64) -> Message {
    Message::new()
        .text(format!("There is no approval request #{number}. "))
        .code("/approve list mine")
        .text(" shows yours, ")
        .code("/approve list")
        .text(" those waiting for you.")
}

pub fn own_request(number: i32) -> Message {
    Message::new().text(format!(
        "Request #{number} is yours, and nobody approves their own request. Its approvers have it."
    ))
}

pub fn not_an_approver(number: i32) -> Message {
    Message::new().text(format!(
        "You're not one of the approvers of request #{number}, so your vote can't count. Its approvers got a DM."
    ))
}

fn status_word(status: Status) -> &'static str {
    match status {
        Status::Pending => "open",
        Status::Approved => "approved",
        Status::Rejected => "rejected",
        Status::Expired => "expired",
        Status::Withdrawn => "withdrawn",
    }
}

/// A vote or withdrawal on a request already closed: its outcome.
pub fn closed(request: &Request) -> Message {
    let mut msg = Message::new().text(format!(
        "Request #{} is already {}",
        request.number,
        status_word(request.status)
    ));
    if let Some(at) = request.decided_at {
        msg = msg.text(format!(" (since {})", when(at)));
    }
    msg.text(", so nothing changed.")
}

pub fn already_voted(number: i32, approved: bool) -> Message {
    Message::new().text(format!(
        "You already {} request #{number}, and each approver votes once.",
        if approved { "approved" } else { "rejected" }
    ))
}

/// The voter's reply while the request stays open.
pub fn voted(number: i32, approve: bool, approvals: u32, needed: u32) -> Message {
    let verb = if approve {
        "✅ You approved"
    } else {
        "❌ You rejected"
    };
    Message::new().text(format!(
        "{verb} request #{number}. It stays open: {approvals} of the {} it needs so far.",
        count(i64::from(needed), "approval", "approvals")
    ))
}

/// The voter's reply when their vote decided it.
pub fn decided_by_vote(request: &Request, approve: bool) -> Message {
    let verb = if approve {
        "✅ You approved"
    } else {
        "❌ You rejected"
    };
    Message::new().text(format!(
        "{verb} request #{}, which makes it {}. I told {}.",
        request.number,
        status_word(if approve {
            Status::Approved
        } else {
            Status::Rejected
        }),
        request.requester_name
    ))
}

/// The votes with their notes, one line each.
fn votes(mut msg: Message, approvers: &[Approver]) -> Message {
    for approver in approvers {
        let Some(approve) = approver.approve else {
            continue;
        };
        msg = msg
            .line()
            .text(if approve { "✅ " } else { "❌ " })
            .user(&approver.display_name);
        // An erased approver's note is blanked: no colon before nothing.
        if let Some(comment) = approver.comment.as_deref().filter(|c| !c.trim().is_empty()) {
            msg = msg.text(": ").user_indented(comment, "    ");
        }
    }
    msg
}

/// The requester's DM with the outcome.
pub fn outcome(
    request: &Request,
    approved: bool,
    approvers: &[Approver],
    tool: Option<i32>,
) -> Message {
    let msg = Message::new()
        .text(if approved {
            "✅ Your request "
        } else {
            "❌ Your request "
        })
        .push(named(request))
        .text(if approved {
            " is approved."
        } else {
            " is rejected."
        });
    let mut msg = votes(msg, approvers);
    if let Some(number) = tool {
        msg = msg.line().text(if approved {
            format!("Tool #{number} is registered and active now.")
        } else {
            format!("Tool #{number} stays unregistered.")
        });
    }
    if approved {
        msg
    } else {
        msg.line()
            .text("Change what they asked, then ask again with ")
            .code("/approve request")
            .text(".")
    }
}

pub fn expired(request: &Request, approvals: usize) -> Message {
    Message::new()
        .text("⌛ Your request ")
        .push(named(request))
        .text(format!(
            " expired without a decision ({} by then). If it is still needed, ask again with ",
            count(approvals as i64, "approval", "approvals")
        ))
        .code("/approve request")
        .text(".")
}

pub fn escalated(request: &Request, to: &[&str]) -> Message {
    let msg = Message::new().text("⏫ Your request ").push(named(request));
    if to.is_empty() {
        return msg.text(" has waited long enough to escalate, but nobody more can decide it now. It stays with its approvers.");
    }
    msg.text(" has waited long enough without a decision, so I asked ")
        .user(crate::render::and_list(to))
        .text(" too.")
}

pub fn withdrawn(number: i32) -> Message {
    Message::new().text(format!(
        "↩️ You withdrew request #{number}. I told the approvers who had not voted."
    ))
}

pub fn withdrawn_notice(request: &Request) -> Message {
    Message::new()
        .user(&request.requester_name)
        .text(" withdrew request ")
        .push(named(request))
        .text(": nothing to decide.")
}

pub fn not_yours_to_withdraw(number: i32) -> Message {
    Message::new().text(format!(
        "Only the person who filed request #{number} can withdraw it."
    ))
}

pub fn not_yours_to_see(number: i32) -> Message {
    Message::new().text(format!(
        "Request #{number} is shown to its requester, its approvers and stewards only."
    ))
}

/// `/approve show`: the request, who decides, and each vote.
pub fn show(request: &Request, rule: Rule, approvers: &[Approver]) -> Message {
    let mut msg = Message::new()
        .text("🗳️ ")
        .push(named(request))
        .text(" from ")
        .user(&request.requester_name)
        .text(format!(
            ", filed {}: {}.",
            when(request.created_at),
            status_word(request.status)
        ))
        .line()
        .text("Why: ")
        .user_indented(or_erased(&request.justification), "    ");
    if let Some(links) = request.links.as_deref().filter(|l| !l.trim().is_empty()) {
        msg = msg.line().text("Links: ").user(links);
    }
    msg = msg.line().text(how_decided(rule, request.max_rejections));
    for approver in approvers {
        msg = msg.line().text(match approver.approve {
            Some(true) => "✅ ",
            Some(false) => "❌ ",
            None => "⏳ ",
        });
        msg = msg.user(&approver.display_name);
        match (&approver.via, &approver.standing_in_for) {
            (Via::Delegate, Some(name)) => msg = msg.text(" (for ").user(name).text(")"),
            (Via::Escalation, _) => msg = msg.text(" (escalation)"),
            _ => {}
        }
        // An erased approver's note is blanked: no colon before nothing.
        if let Some(comment) = approver.comment.as_deref().filter(|c| !c.trim().is_empty()) {
            msg = msg.text(": ").user_indented(comment, "    ");
        }
    }
    msg
}

/// What `/approve list` shows, by listing.
#[derive(Debug, Clone, Copy)]
pub enum Listed {
    Pending,
    Mine,
    Open,
}

pub fn list(which: Listed, requests: &[Request]) -> Message {
    let (header, empty) = match which {
        Listed::Pending => (
            "🗳️ Waiting for your vote:",
            "Nothing is waiting for your vote.",
        ),
        Listed::Mine => (
            "🗳️ Your requests:",
            "You have not asked for any approval. Ask with `/approve request <kind> <data>`.",
        ),
        Listed::Open => ("🗳️ Open requests:", "No request is open."),
    };
    if requests.is_empty() {
        return Message::marked(empty);
    }
    let mut msg = Message::new().text(header);
    for request in requests {
        msg = msg
            .line()
            .text("• ")
            .push(named(request))
            .text(" from ")
            .user(&request.requester_name)
            .text(format!(": {}", status_word(request.status)));
        if request.status == Status::Pending {
            msg = msg.text(format!(", until {}", when(request.expires_at)));
        }
    }
    msg.line()
        .text("Details: ")
        .code("/approve show <number>")
        .text(".")
}

pub fn stewards_list_all() -> Message {
    Message::new()
        .text("Only stewards see every open request. ")
        .code("/approve list")
        .text(" shows those waiting for you, ")
        .code("/approve list mine")
        .text(" yours.")
}

pub fn delegate_already(name: &str) -> Message {
    Message::new()
        .user(name)
        .text(" is your delegate already, and was told so when you chose them. Stop with ")
        .code("/approve delegate")
        .text(".")
}

pub fn delegate_set(name: &str) -> Message {
    Message::new()
        .text("🤝 While you are away, ")
        .user(name)
        .text(" decides the approvals that would come to you. Stop with ")
        .code("/approve delegate")
        .text(".")
}

pub fn delegate_cleared() -> Message {
    Message::marked(
        "🤝 Nobody stands in for you now: while you are away, your approvals go to the other approvers.",
    )
}

pub fn delegate_is_you() -> Message {
    Message::marked("You can't stand in for yourself. Name someone else, or leave it out to stop.")
}

pub fn told_delegate(who: &str) -> Message {
    Message::new().text("🤝 ").user(who).text(
        " named you to decide their approvals while they are away. You'll get a DM when one comes.",
    )
}

/// The weekly DM to approvers' leads: requests some approver has not answered.
pub fn unanswered(requests: &[&Unanswered]) -> Message {
    let mut msg = Message::new().text("⏳ Approval requests still waiting for an answer:");
    for request in requests {
        let waiting: Vec<&str> = request.waiting_on.iter().map(String::as_str).collect();
        msg = msg
            .line()
            .text(format!("• #{} ", request.number))
            .user(or_erased(&request.title))
            .text(format!(
                ", since {}: no answer from ",
                when(request.created_at)
            ))
            .user(crate::render::and_list(&waiting));
    }
    msg.line()
        .text("A word from you may help. Details: ")
        .code("/approve show <number>")
        .text(".")
}
