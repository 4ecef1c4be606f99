//! `/audit [member] [since] [page:]`: the community's audit log for stewards, newest
//! first, a page at a time.

pub mod messages;

use chrono::NaiveTime;
use sqlx::PgConnection;

use super::lookup::find_member;
use super::paging::Page;
use super::{Invocation, Outcome, ServiceResult, refuse};
use crate::store::audit;

/// Rows a page: each is one line, well inside a message.
const PER_PAGE: i64 = 15;

pub async fn show(tx: &mut PgConnection, inv: &Invocation) -> ServiceResult {
    let member = match inv.args.text("member") {
        Some(typed) => Some(find_member(&mut *tx, &inv.caller, typed).await?),
        None => None,
    };
    let since = inv
        .args
        .date("since")
        .map(|day| day.and_time(NaiveTime::MIN).and_utc());
    let page = Page::of(inv, PER_PAGE);
    let (entries, total) = audit::page(
        &mut *tx,
        inv.caller.community_id,
        member.as_ref().map(|m| m.id),
        since,
        page.size,
        page.offset(),
    )
    .await?;
    if page.past_end(total) {
        return refuse(super::messages::page_past_end(
            page.number,
            page.count(total),
        ));
    }
    let who = member.as_ref().map(|m| m.display_name.as_str());
    let mut reply = if entries.is_empty() {
        messages::empty(who)
    } else {
        let mut reply = super::messages::paged_header(
            messages::header(who, inv.args.date("since")),
            page.number,
            page.count(total),
        );
        for entry in &entries {
            reply = reply.line().push(messages::entry(entry));
        }
        reply
    };
    if page.has_next(total) {
        let mut next = "/audit".to_owned();
        if let Some(typed) = inv.args.text("member") {
            next.push_str(&format!(" member:{typed}"));
        }
        if let Some(day) = inv.args.date("since") {
            next.push_str(&format!(" since:{day}"));
        }
        next.push_str(&format!(" page:{}", page.number + 1));
        reply = reply.push(super::messages::next_page(&next));
    }
    Ok(Outcome::reply(reply, inv.spec.visibility))
}
