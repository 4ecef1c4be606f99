//! `/me data export`: a member's own data as `cohortbot-export-v1.json`, behind a random
//! link on the web listener that works for an hour; one export a day. The document is
//! built when the link is opened ([`document`]), so it is as fresh as the download.

pub mod document;
pub mod messages;

use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use sqlx::PgConnection;

use super::{Invocation, Outcome, ServiceResult, audit_caller, refuse};
use crate::store::data_exports;

/// How long an export link works.
pub const LINK_MINUTES: i64 = 60;
/// One export in this many hours.
const EVERY_HOURS: i64 = 24;

/// `/me data export`.
pub async fn export(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    inv: &Invocation,
    public_url: Option<&str>,
) -> ServiceResult {
    let Some(public_url) = public_url else {
        return refuse(messages::no_public_url());
    };
    let me = inv.caller.member.id;
    if let Some((made, expires)) =
        data_exports::latest_since(&mut *tx, me, now - Duration::hours(EVERY_HOURS)).await?
    {
        return refuse(messages::once_a_day(
            made,
            expires,
            made + Duration::hours(EVERY_HOURS),
            now,
        ));
    }
    let token = crate::services::events::new_token().context("making an export link")?;
    let expires = now + Duration::minutes(LINK_MINUTES);
    data_exports::create(&mut *tx, &token, inv.caller.community_id, me, now, expires).await?;
    audit_caller(tx, inv, "data.export", json!({}), now).await?;
    Ok(Outcome::reply(
        messages::link(&format!("{public_url}/me/export/{token}"), expires),
        inv.spec.visibility,
    ))
}
