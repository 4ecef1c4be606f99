//! Stewards' view of posts the bot gave up on, and the way to queue them again.

mod messages;

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::PgConnection;

use super::messages as shared;
use super::paging::Page;
use super::{Invocation, Outcome, ServiceResult, refuse};
use crate::store::audit;
use crate::store::outbox::{self, DeadFilter, DeadReason};

/// Dead posts per page of `/outbox failed`: short enough for one chat message.
const PAGE: i64 = 15;

fn filter(inv: &Invocation) -> DeadFilter {
    DeadFilter {
        kind: inv.args.text("kind").map(str::to_owned),
        reason: inv.args.text("reason").and_then(DeadReason::parse),
    }
}

pub async fn failed(tx: &mut PgConnection, inv: &Invocation) -> ServiceResult {
    let filter = filter(inv);
    let page = Page::of(inv, PAGE);
    let rows = outbox::dead(
        &mut *tx,
        inv.caller.community_id,
        &filter,
        page.size,
        page.offset(),
    )
    .await?;
    let Some(first) = rows.first() else {
        let total = outbox::dead_count(&mut *tx, inv.caller.community_id, &filter).await?;
        let reply = match (total, filter.kind.is_some() || filter.reason.is_some()) {
            (0, false) => messages::none(),
            (0, true) => messages::none_matching(),
            (total, _) => shared::page_past_end(page.number, page.count(total)),
        };
        return Ok(Outcome::reply(reply, inv.spec.visibility));
    };
    let total = first.total;
    let mut reply = shared::paged_header(messages::header(total), page.number, page.count(total));
    for row in &rows {
        let to = match (&row.channel, &row.display_name) {
            (Some(channel), _) => format!("#{channel}"),
            (None, Some(name)) => format!("DM to {name}"),
            (None, None) => "DM".to_owned(),
        };
        reply = reply.push(messages::row(
            row.id,
            &row.kind,
            &to,
            &row.dead_reason,
            row.attempts,
            row.created_at,
            row.last_error.as_deref().unwrap_or_default(),
        ));
    }
    if page.has_next(total) {
        reply = reply.push(shared::next_page(&format!(
            "/outbox failed page:{}",
            page.number + 1
        )));
    }
    Ok(Outcome::reply(
        reply.push(messages::retry_hint()),
        inv.spec.visibility,
    ))
}

/// `/outbox retry <number|all> [reason] [kind:]`
pub async fn retry(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let typed = inv.args.text("post").unwrap_or_default().trim();
    let filter = filter(inv);
    let id = if typed.eq_ignore_ascii_case("all") {
        None
    } else {
        let Ok(id) = typed.trim_start_matches('#').parse::<i64>() else {
            return refuse(messages::bad_target(typed));
        };
        if filter.kind.is_some() || filter.reason.is_some() {
            return refuse(messages::filter_needs_all());
        }
        Some(id)
    };
    let done = outbox::requeue_dead(&mut *tx, inv.caller.community_id, id, &filter, now).await?;
    if done.requeued + done.expired == 0 {
        let nothing = match (id, filter.kind.is_some() || filter.reason.is_some()) {
            (Some(id), _) => messages::unknown_post(id),
            (None, true) => messages::none_matching(),
            (None, false) => messages::none(),
        };
        return refuse(nothing);
    }
    audit::record(
        &mut *tx,
        inv.caller.community_id,
        Some(inv.caller.member.id),
        "outbox.retry",
        json!({
            "post": id,
            "kind": filter.kind,
            "reason": filter.reason.map(DeadReason::as_str),
            "requeued": done.requeued,
            "expired": done.expired,
        }),
        now,
    )
    .await?;
    tracing::info!(
        requeued = done.requeued,
        expired = done.expired,
        "dead posts queued again"
    );
    Ok(Outcome::reply(
        messages::requeued(done.requeued, done.expired),
        inv.spec.visibility,
    ))
}
