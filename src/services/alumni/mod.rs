//! Alumni: graduates opt into a directory others search by skill, are invited to mentor
//! once a quarter at most, and meet in the alumni circle the program makes at the first
//! graduation.

pub(crate) mod messages;

use chrono::{DateTime, Datelike, Timelike, Utc, Weekday};
use serde_json::json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::paging::Page;
use super::{Destination, Invocation, Outcome, ServiceResult, audit_caller, enqueue, refuse};
use crate::domain::parse_timezone;
use crate::store::alumni;
use crate::store::circles;
use crate::store::members::Member;

/// Graduates a page of `/alumni list` shows.
const PER_PAGE: i64 = 10;
/// The alumni circle's id, when the program makes it.
const CIRCLE_SLUG: &str = "alumni";
/// Local hours in which a quarter's invitation may arrive, on a working day.
const INVITE_HOURS: std::ops::Range<u32> = 10..17;

/// `2027-Q2`: quarters are counted in UTC, so one process and every zone agree.
pub fn quarter(at: DateTime<Utc>) -> String {
    format!("{}-Q{}", at.year(), at.month0() / 3 + 1)
}

pub async fn list(tx: &mut PgConnection, inv: &Invocation) -> ServiceResult {
    let skill = inv.args.text("skill").map(|s| s.trim().to_lowercase());
    let page = Page::of(inv, PER_PAGE);
    let (shown, total) = alumni::directory(
        &mut *tx,
        inv.caller.community_id,
        skill.as_deref(),
        page.size,
        page.offset(),
    )
    .await?;
    if total == 0 {
        return Ok(Outcome::reply(
            messages::nobody_listed(skill.as_deref()),
            inv.spec.visibility,
        ));
    }
    if page.past_end(total) {
        return refuse(super::messages::page_past_end(
            page.number,
            page.count(total),
        ));
    }
    let mut reply = super::messages::paged_header(
        messages::header(skill.as_deref()),
        page.number,
        page.count(total),
    );
    for alum in &shown {
        reply = reply.line().push(messages::alum_line(alum));
    }
    if page.has_next(total) {
        let skill = skill
            .as_deref()
            .map(|s| format!(" \"{s}\""))
            .unwrap_or_default();
        reply = reply.push(super::messages::next_page(&format!(
            "/alumni list{skill} page:{}",
            page.number + 1
        )));
    }
    Ok(Outcome::reply(reply, inv.spec.visibility))
}

pub async fn join(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let me = &inv.caller.member;
    if !alumni::is_alum(&mut *tx, me.id).await? {
        return refuse(messages::graduates_only());
    }
    let title = inv.args.text("capstone");
    let was_listed = alumni::list_me(&mut *tx, inv.caller.community_id, me.id, title, now).await?;
    audit_caller(tx, inv, "alumni.list", json!({ "listed": true }), now).await?;
    Ok(Outcome::reply(
        messages::listed(was_listed),
        inv.spec.visibility,
    ))
}

pub async fn leave(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    if !alumni::unlist_me(&mut *tx, inv.caller.member.id).await? {
        return refuse(messages::not_listed());
    }
    audit_caller(tx, inv, "alumni.list", json!({ "listed": false }), now).await?;
    Ok(Outcome::reply(messages::unlisted(), inv.spec.visibility))
}

/// A member graduated: they join the alumni circle (made now, at the community's first
/// graduation), and the invitation to mentor they get at graduation is this quarter's.
pub async fn on_graduation(
    tx: &mut PgConnection,
    community_id: Uuid,
    graduate: &Member,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    let circle = match alumni::circle_of(&mut *tx, community_id).await? {
        Some(circle) => circle,
        None => {
            let made = circles::insert(
                &mut *tx,
                community_id,
                CIRCLE_SLUG,
                messages::CIRCLE_NAME,
                messages::CIRCLE_DESCRIPTION,
                None,
                "private",
                now,
            )
            .await?;
            // A circle the program file already calls `alumni` becomes the alumni circle.
            let circle = match made {
                Some(id) => id,
                None => circles::find(&mut *tx, community_id, graduate.id, CIRCLE_SLUG)
                    .await?
                    .map(|c| c.id)
                    .ok_or_else(|| anyhow::anyhow!("the alumni circle's id is taken and gone"))?,
            };
            alumni::set_circle(&mut *tx, community_id, circle).await?;
            circle
        }
    };
    circles::add_member(&mut *tx, circle, graduate.id, "member", now).await?;
    alumni::claim_invitation(&mut *tx, graduate.id, &quarter(now), now).await?;
    Ok(())
}

/// Whether `now` is a working-day hour in the member's zone (UTC without one).
fn good_time(timezone: Option<&str>, now: DateTime<Utc>) -> bool {
    let zone = timezone
        .and_then(|z| parse_timezone(z).ok())
        .unwrap_or(chrono_tz::UTC);
    let local = now.with_timezone(&zone);
    !matches!(local.weekday(), Weekday::Sat | Weekday::Sun) && INVITE_HOURS.contains(&local.hour())
}

/// The quarter's invitations to mentor, each graduate's once, at a working hour of theirs:
/// asked on the scheduler's hourly probe. The posts written.
pub async fn invite_due(pool: &PgPool, now: DateTime<Utc>) -> anyhow::Result<u64> {
    let quarter = quarter(now);
    let mut posts = 0;
    for invitee in alumni::uninvited(pool, &quarter, now).await? {
        if !good_time(invitee.timezone.as_deref(), now) {
            continue;
        }
        let mut tx = pool.begin().await?;
        if alumni::claim_invitation(&mut *tx, invitee.member_id, &quarter, now).await? {
            let key = format!("alumni_invitation:{}:{quarter}", invitee.member_id);
            let to = Destination::Direct {
                member_id: invitee.member_id,
                display_name: invitee.display_name.clone(),
            };
            let message = messages::quarterly_invitation(&quarter);
            posts +=
                u64::from(enqueue(&mut tx, invitee.community_id, &key, &to, &message, now).await?);
        }
        tx.commit().await?;
    }
    Ok(posts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn quarters_are_counted_in_utc() {
        let at = |m, d| Utc.with_ymd_and_hms(2027, m, d, 12, 0, 0).unwrap();
        assert_eq!(quarter(at(1, 1)), "2027-Q1");
        assert_eq!(quarter(at(3, 31)), "2027-Q1");
        assert_eq!(quarter(at(4, 1)), "2027-Q2");
        assert_eq!(quarter(at(12, 31)), "2027-Q4");
    }

    #[test]
    fn invitations_come_on_working_hours_in_the_members_zone() {
        // Monday 5 April 2027, 08:00 UTC: 10:00 in Berlin, 17:00 in Tokyo, 02:00 in Denver.
        let now = Utc.with_ymd_and_hms(2027, 4, 5, 8, 0, 0).unwrap();
        assert!(good_time(Some("Europe/Berlin"), now));
        assert!(!good_time(Some("Asia/Tokyo"), now));
        assert!(!good_time(Some("America/Denver"), now));
        // Saturday.
        let saturday = Utc.with_ymd_and_hms(2027, 4, 10, 11, 0, 0).unwrap();
        assert!(!good_time(None, saturday));
    }
}
