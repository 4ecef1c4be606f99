//! Sessions (lightning talks, demo days, clinics, office hours): scheduling, moving and
//! cancelling, RSVPs, attendance, reminders, recurring series and the calendar link.

pub mod calendar;
pub mod digest;
pub mod interest;
pub(crate) mod messages;
pub mod mirror;
pub mod picks;
pub mod reminders;
pub mod series;
pub mod when;

use anyhow::Context;
use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::PgConnection;

use super::lookup::{arg, find_cohort, find_member};
use super::{Destination, Invocation, Outcome, ServiceResult, refuse};
use crate::commands::Value;
use crate::commands::catalog::{OptionKind, OptionSpec};
use crate::domain::Role;
use crate::program::sessions::RSVP_CLOSES_BEFORE_MAX_MINUTES;
use crate::store::cohorts;
use crate::store::members::Member;
use crate::store::sessions::{self, Home, NewSession, Person, RsvpVia, Selection, Session};
use crate::store::{audit, roles};
use chrono_tz::Tz;

/// Default session length.
const DEFAULT_MINUTES: i32 = 60;
/// Default talk slots of a lightning-talk session.
const DEFAULT_TALK_SLOTS: i32 = 5;
/// The kinds of session people give talks in; a clinic or office hours has a line of
/// people with questions instead (`/clinic join`).
pub const TALK_KINDS: [&str; 2] = ["lightning_talks", "demo_day"];
/// Sessions a page of `/talk list` shows: each comes with its lineup.
pub const LIST_PAGE: i64 = 5;
/// Sessions searched for the next one with talk slots.
pub const SEARCH_AHEAD: i64 = 10;
/// Self check-in codes avoid look-alike characters.
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const CODE_LEN: usize = 6;

pub fn new_code() -> String {
    (0..CODE_LEN)
        .map(|_| CODE_ALPHABET[fastrand::usize(..CODE_ALPHABET.len())] as char)
        .collect()
}

/// A long random secret for links that are keys (calendar feeds, exports), from the
/// operating system's generator: one link must not be guessable from another.
pub fn new_token() -> anyhow::Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|err| anyhow::anyhow!("{err}"))
        .context("drawing a link's secret from the OS random generator")?;
    Ok(hex::encode(bytes))
}

pub async fn schedule(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    inv: &Invocation,
) -> ServiceResult {
    let cohort = find_cohort(tx, inv, arg(inv, "cohort")?).await?;
    if !sessions::may_host(&mut *tx, inv.caller.member.id, cohort.id).await? {
        return refuse(messages::hosts_only());
    }
    if cohort.archived {
        return refuse(crate::services::messages::cohort_archived(&cohort.name));
    }
    // The announcement is the point of scheduling: without a channel nobody would see it.
    if cohort.channel.is_none() {
        return refuse(crate::services::messages::cohort_has_no_channel(
            &cohort.name,
            &cohort.slug,
        ));
    }
    schedule_for(tx, now, inv, &Home::of_cohort(&cohort)).await
}

/// Schedules a session of `home` (a cohort, or a circle its lead named) and announces it
/// in the home's channel; the caller has checked who may.
pub(crate) async fn schedule_for(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    inv: &Invocation,
    home: &Home,
) -> ServiceResult {
    let zone = inv
        .args
        .timezone("timezone")
        .unwrap_or_else(|| when::cohort_zone(&home.timezone));
    let starts_at = start_time(inv, home, zone, now)?;
    let kind = arg(inv, "kind")?;
    let minutes = match inv.args.get("duration") {
        Some(Value::Duration(d)) => match i32::try_from(d.as_secs() / 60) {
            Ok(m @ 5..=600) => m,
            _ => return refuse(messages::bad_duration()),
        },
        _ => DEFAULT_MINUTES,
    };
    let slots = match inv.args.int("slots") {
        Some(n) if n > 0 && !TALK_KINDS.contains(&kind) => {
            return refuse(messages::no_talks_in(kind));
        }
        Some(n) => n as i32,
        None if kind == "lightning_talks" => DEFAULT_TALK_SLOTS,
        None => 0,
    };
    let location = inv.args.text("location").map(str::to_owned);
    let selection = match inv.args.text("selection") {
        Some(typed) => typed
            .parse::<Selection>()
            .map_err(|err| anyhow::anyhow!("{err} after parsing"))?,
        None => Selection::FirstCome,
    };
    let closes_before = closes_before(inv, starts_at, zone, now)?;
    let code = new_code();
    sessions::lock_numbering(&mut *tx, inv.caller.community_id).await?;
    let session = sessions::insert(
        &mut *tx,
        &NewSession {
            community_id: inv.caller.community_id,
            cohort_id: home.cohort_id,
            circle_id: home.circle_id,
            kind,
            title: arg(inv, "title")?,
            starts_at,
            duration_minutes: minutes,
            location: location.as_deref().or(home.channel.as_deref()),
            slots,
            checkin_code: &code,
            created_by: Some(inv.caller.member.id),
            series: None,
            selection,
            rsvp_closes_before_minutes: closes_before,
        },
        now,
    )
    .await?
    .context("a one-off session never conflicts")?;
    audit_session(tx, inv, "session.schedule", &session, now).await?;
    mirror::queue(tx, session.id, now).await?;
    let zone = when::cohort_zone(&home.timezone);
    let mut outcome = Outcome::reply(
        messages::scheduled(&session, &home.name, zone),
        inv.spec.visibility,
    );
    if let Some(channel) = &home.channel {
        outcome = outcome.with_post(
            Destination::Channel(channel.clone()),
            messages::announcement(&session, zone),
        );
    }
    Ok(outcome)
}

pub async fn reschedule(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    inv: &Invocation,
) -> ServiceResult {
    let (session, home) = hosted_session(tx, inv).await?;
    if session.is_cancelled() {
        return refuse(messages::already_cancelled(session.number));
    }
    let zone = inv
        .args
        .timezone("timezone")
        .unwrap_or_else(|| when::cohort_zone(&home.timezone));
    let starts_at = start_time(inv, &home, zone, now)?;
    if starts_at == session.starts_at {
        return refuse(messages::same_time(session.number));
    }
    let old = session.starts_at;
    sessions::reschedule(&mut *tx, session.id, starts_at).await?;
    let moved = Session {
        starts_at,
        ..session
    };
    audit_session(tx, inv, "session.move", &moved, now).await?;
    mirror::queue(tx, moved.id, now).await?;
    let cohort_zone = when::cohort_zone(&home.timezone);
    let involved = sessions::involved(&mut *tx, moved.id).await?;
    let mut outcome = Outcome::reply(
        messages::moved_reply(&moved, cohort_zone, involved.len()),
        inv.spec.visibility,
    );
    for person in involved {
        let zone = when::zone_or(person.timezone.as_deref(), cohort_zone);
        outcome = outcome.with_post(dm(&person), messages::moved_dm(&moved, old, zone));
    }
    if let Some(channel) = &home.channel {
        outcome = outcome.with_post(
            Destination::Channel(channel.clone()),
            messages::moved_channel(&moved, cohort_zone),
        );
    }
    Ok(outcome)
}

pub async fn cancel(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let (session, home) = hosted_session(tx, inv).await?;
    if session.is_cancelled() {
        return refuse(messages::already_cancelled(session.number));
    }
    if session.starts_at <= now {
        return refuse(messages::already_started(session.number));
    }
    sessions::cancel(&mut *tx, session.id).await?;
    audit_session(tx, inv, "session.cancel", &session, now).await?;
    mirror::queue(tx, session.id, now).await?;
    let cohort_zone = when::cohort_zone(&home.timezone);
    let involved = sessions::involved(&mut *tx, session.id).await?;
    let mut outcome = Outcome::reply(
        messages::cancelled_reply(&session, involved.len()),
        inv.spec.visibility,
    );
    for person in involved {
        let zone = when::zone_or(person.timezone.as_deref(), cohort_zone);
        outcome = outcome.with_post(dm(&person), messages::cancelled_dm(&session, zone));
    }
    if let Some(channel) = &home.channel {
        outcome = outcome.with_post(
            Destination::Channel(channel.clone()),
            messages::cancelled_channel(&session, cohort_zone),
        );
    }
    Ok(outcome)
}

pub async fn rsvp(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let session = session_arg(tx, inv).await?;
    let me = &inv.caller.member;
    let home = home_of(tx, &session).await?;
    let zone = when::zone_or(me.timezone.as_deref(), when::cohort_zone(&home.timezone));
    open_for_rsvp(&session, now, zone)?;
    if !sessions::rsvp(
        &mut *tx,
        inv.caller.community_id,
        session.id,
        me.id,
        RsvpVia::Typed,
        now,
    )
    .await?
    {
        return refuse(messages::already_rsvped(session.number));
    }
    audit_session(tx, inv, "session.rsvp", &session, now).await?;
    Ok(Outcome::reply(
        messages::rsvped(&session, zone),
        inv.spec.visibility,
    ))
}

pub async fn unrsvp(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let session = session_arg(tx, inv).await?;
    if session.starts_at <= now {
        return refuse(messages::unrsvp_too_late(session.number));
    }
    let me = &inv.caller.member;
    let Some(picked_by) = sessions::unrsvp(&mut *tx, session.id, me.id, RsvpVia::Typed).await?
    else {
        return refuse(messages::not_rsvped(session.number));
    };
    audit_session(tx, inv, "session.unrsvp", &session, now).await?;
    let mut outcome = Outcome::reply(messages::unrsvped(&session), inv.spec.visibility);
    // A picked attendee who drops out frees a place: the host who picked them hears so
    // (unless they picked themselves).
    if let Some(host) = picked_by.filter(|host| *host != me.id)
        && let Some(host) = crate::store::members::by_id(&mut *tx, host).await?
    {
        outcome = outcome.with_post(
            Destination::Direct {
                member_id: host.id,
                display_name: host.display_name.clone(),
            },
            messages::picked_dropped_out(&session, &me.display_name),
        );
    }
    Ok(outcome)
}

pub async fn attended(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    inv: &Invocation,
) -> ServiceResult {
    let (session, _) = hosted_session(tx, inv).await?;
    if session.starts_at > now {
        return refuse(messages::not_started_yet(session.number));
    }
    let people = named_members(tx, inv, arg(inv, "users")?).await?;
    let mut recorded = Vec::new();
    let mut already = Vec::new();
    for person in &people {
        let added = sessions::attend(
            &mut *tx,
            inv.caller.community_id,
            session.id,
            person.id,
            "host",
            Some(inv.caller.member.id),
            now,
        )
        .await?;
        if added {
            recorded.push(person.display_name.clone());
        } else {
            already.push(person.display_name.clone());
        }
    }
    audit_session(tx, inv, "session.attended", &session, now).await?;
    Ok(Outcome::reply(
        messages::attendance_recorded(session.number, &recorded, &already),
        inv.spec.visibility,
    ))
}

/// The distinct members named in `typed` (`@sam @lee`, or with commas), in order. Every
/// name must resolve before anything is written, so one unknown name refuses them all.
pub(crate) async fn named_members(
    tx: &mut PgConnection,
    inv: &Invocation,
    typed: &str,
) -> ServiceResult<Vec<Member>> {
    let mut people: Vec<Member> = Vec::new();
    for word in typed.split([' ', ',']).filter(|w| !w.is_empty()) {
        let handle = match crate::commands::value::convert(&USER_OPTION, word) {
            Ok(Value::User(handle)) => handle,
            _ => return refuse(messages::not_a_member_name(word)),
        };
        let member = find_member(tx, &inv.caller, &handle).await?;
        if !people.iter().any(|p| p.id == member.id) {
            people.push(member);
        }
    }
    Ok(people)
}

static USER_OPTION: OptionSpec = OptionSpec {
    name: "users",
    kind: OptionKind::User,
    required: true,
    rest: false,
    named_only: false,
    help: "",
};

pub async fn code(tx: &mut PgConnection, inv: &Invocation) -> ServiceResult {
    let (session, _) = hosted_session(tx, inv).await?;
    Ok(Outcome::reply(
        messages::code_for_host(&session),
        inv.spec.visibility,
    ))
}

pub async fn self_checkin(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    inv: &Invocation,
) -> ServiceResult {
    let typed = arg(inv, "code")?.trim().to_uppercase();
    let Some(session) = sessions::by_code(&mut *tx, inv.caller.community_id, &typed).await? else {
        return refuse(messages::unknown_code());
    };
    if session.is_cancelled() || now >= session.ends_at() {
        return refuse(messages::code_expired(session.number));
    }
    if now < session.starts_at {
        return refuse(messages::not_started_yet(session.number));
    }
    let me = &inv.caller.member;
    let added = sessions::attend(
        &mut *tx,
        inv.caller.community_id,
        session.id,
        me.id,
        "code",
        None,
        now,
    )
    .await?;
    if !added {
        return refuse(messages::already_checked_in(session.number));
    }
    audit_session(tx, inv, "session.checkin", &session, now).await?;
    Ok(Outcome::reply(
        messages::checked_in(&session),
        inv.spec.visibility,
    ))
}

/// `/event ical [link|rotate] [cohort]`.
/// `/event ical`: the secret link of a cohort's (or a circle's) calendar feed, absolute
/// under `public_url` when there is one, so it pastes into a calendar app as it is.
pub async fn ical(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    inv: &Invocation,
    public_url: Option<&str>,
) -> ServiceResult {
    let rotate = inv.args.text("action") == Some("rotate");
    let me = &inv.caller.member;
    if let Some(typed) = inv.args.text("circle") {
        return circle_ical(tx, now, inv, typed, rotate, public_url).await;
    }
    let cohort = match inv.args.text("cohort") {
        Some(typed) => find_cohort(tx, inv, typed).await?,
        None => {
            let mut mine = cohorts::enrolled(&mut *tx, me.id).await?;
            if mine.len() != 1 {
                return refuse(messages::say_which_cohort());
            }
            mine.remove(0)
        }
    };
    let community = inv.caller.community_id;
    if rotate {
        if !roles::holds_community_role(&mut *tx, me.id, Role::Steward).await? {
            return refuse(super::messages::stewards_only("event ical rotate"));
        }
        sessions::rotate_feed_token(&mut *tx, community, cohort.id, &new_token()?, now).await?;
        let detail = json!({ "cohort": cohort.slug });
        audit::record(&mut *tx, community, Some(me.id), "ical.rotate", detail, now).await?;
    } else {
        let enrolled = cohorts::enrolled(&mut *tx, me.id).await?;
        let allowed = enrolled.iter().any(|c| c.id == cohort.id)
            || sessions::may_host(&mut *tx, me.id, cohort.id).await?;
        if !allowed {
            return refuse(messages::not_your_cohort(&cohort.name));
        }
    }
    let token = sessions::feed_token(&mut *tx, community, cohort.id, &new_token()?, now).await?;
    let path = format!(
        "/ical/{}/{}.ics?key={token}",
        inv.caller.community_slug, cohort.slug
    );
    Ok(Outcome::reply(
        messages::ical_link(&cohort.name, &path, rotate, public_url),
        inv.spec.visibility,
    ))
}

/// `/event ical circle:…`: the circle's feed, for its members and leads (and stewards,
/// who alone rotate it).
async fn circle_ical(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    inv: &Invocation,
    typed: &str,
    rotate: bool,
    public_url: Option<&str>,
) -> ServiceResult {
    let me = inv.caller.member.id;
    let community = inv.caller.community_id;
    let circle = match crate::store::circles::find(&mut *tx, community, me, typed).await? {
        Some(circle) if circle.known => circle,
        _ => return refuse(super::circles::messages::unknown_circle(typed, None)),
    };
    let steward = roles::holds_community_role(&mut *tx, me, Role::Steward).await?;
    if rotate && !steward {
        return refuse(super::messages::stewards_only("event ical rotate"));
    }
    if !circle.is_member() && !steward {
        return refuse(messages::not_your_cohort(&circle.name));
    }
    let token =
        sessions::circle_feed_token(&mut *tx, community, circle.id, &new_token()?, rotate, now)
            .await?;
    if rotate {
        let detail = json!({ "circle": circle.slug });
        audit::record(&mut *tx, community, Some(me), "ical.rotate", detail, now).await?;
    }
    let path = format!(
        "/ical/{}/circles/{}.ics?key={token}",
        inv.caller.community_slug, circle.slug
    );
    Ok(Outcome::reply(
        messages::ical_link(&circle.name, &path, rotate, public_url),
        inv.spec.visibility,
    ))
}

/// The `when` option in `zone`, which must be in the future.
/// How far ahead a session may be set: further is almost always a mistyped year.
const SCHEDULE_HORIZON_DAYS: i64 = 366;

/// The `when` option as an instant, refused when it has passed, is a year or more away,
/// or falls outside the cohort's dates (in the cohort's zone; a circle has none).
fn start_time(
    inv: &Invocation,
    cohort: &Home,
    zone: chrono_tz::Tz,
    now: DateTime<Utc>,
) -> ServiceResult<DateTime<Utc>> {
    let Some(Value::DateTime(naive)) = inv.args.get("when") else {
        return Err(anyhow::anyhow!("`when` missing after parsing").into());
    };
    let Some(at) = when::from_local(*naive, zone) else {
        return refuse(messages::time_in_gap(&naive.to_string(), zone.name()));
    };
    if at <= now {
        return refuse(messages::time_in_past(&when::for_reader(at, zone)));
    }
    if at - now > chrono::Duration::days(SCHEDULE_HORIZON_DAYS) {
        return refuse(messages::too_far_ahead(&when::for_reader(at, zone)));
    }
    let day = at
        .with_timezone(&when::cohort_zone(&cohort.timezone))
        .date_naive();
    let before = cohort.starts_on.is_some_and(|starts| day < starts);
    let after = cohort.ends_on.is_some_and(|ends| day > ends);
    if before || after {
        return refuse(messages::outside_cohort_dates(
            &when::for_reader(at, zone),
            &cohort.name,
            cohort.starts_on,
            cohort.ends_on,
        ));
    }
    Ok(at)
}

/// The `session` option's session, locked.
pub(crate) async fn session_arg(tx: &mut PgConnection, inv: &Invocation) -> ServiceResult<Session> {
    let number = inv.args.int("session").context("session is required")?;
    find_session(tx, inv, number).await
}

pub(crate) async fn find_session(
    tx: &mut PgConnection,
    inv: &Invocation,
    number: i64,
) -> ServiceResult<Session> {
    let number = i32::try_from(number).unwrap_or(i32::MAX);
    match sessions::by_number_locked(&mut *tx, inv.caller.community_id, number).await? {
        Some(session) => Ok(session),
        None => refuse(messages::unknown_session(number)),
    }
}

/// A session the caller may host: its creator, a steward, and a lead mentor of its cohort
/// or a lead of its circle.
pub(crate) async fn hosted_session(
    tx: &mut PgConnection,
    inv: &Invocation,
) -> ServiceResult<(Session, Home)> {
    let session = session_arg(tx, inv).await?;
    let me = inv.caller.member.id;
    let home = home_of(tx, &session).await?;
    let host = session.created_by == Some(me)
        || match (home.cohort_id, home.circle_id) {
            (Some(cohort), _) => sessions::may_host(&mut *tx, me, cohort).await?,
            (None, Some(circle)) => {
                crate::store::circles::is_lead(&mut *tx, circle, me).await?
                    || roles::holds_community_role(&mut *tx, me, Role::Steward).await?
            }
            (None, None) => false,
        };
    if !host {
        return refuse(messages::hosts_only());
    }
    Ok((session, home))
}

/// Signing up (RSVP, talks) needs a scheduled session that has not started.
pub(crate) fn open_for_signup(session: &Session, now: DateTime<Utc>) -> ServiceResult<()> {
    if session.is_cancelled() {
        return refuse(messages::already_cancelled(session.number));
    }
    if session.starts_at <= now {
        return refuse(messages::session_in_past(session.number));
    }
    Ok(())
}

/// An RSVP needs a session open for sign-up whose sign-ups have not closed; `zone` is the
/// reader's, for the closing time.
pub(crate) fn open_for_rsvp(session: &Session, now: DateTime<Utc>, zone: Tz) -> ServiceResult<()> {
    open_for_signup(session, now)?;
    match session.rsvp_closes_at() {
        Some(closed) if closed <= now => refuse(messages::rsvp_closed(session, closed, zone)),
        _ => Ok(()),
    }
}

/// The `closes:` option in minutes before `starts_at`: refused when longer than the
/// longest allowed, or when sign-ups would already be closed.
fn closes_before(
    inv: &Invocation,
    starts_at: DateTime<Utc>,
    zone: Tz,
    now: DateTime<Utc>,
) -> ServiceResult<Option<i32>> {
    let Some(Value::Duration(before)) = inv.args.get("closes") else {
        return Ok(None);
    };
    let minutes = i32::try_from(before.as_secs() / 60)
        .ok()
        .filter(|m| *m <= RSVP_CLOSES_BEFORE_MAX_MINUTES);
    let Some(minutes) = minutes else {
        return refuse(messages::closes_too_long());
    };
    let closes_at = starts_at - chrono::Duration::minutes(i64::from(minutes));
    if closes_at <= now {
        return refuse(messages::closes_already(&when::for_reader(closes_at, zone)));
    }
    Ok(Some(minutes))
}

/// The zone of a listed session's home, among the cohorts and circles (id, zone) a
/// listing read; `None` when the session belongs to neither.
pub(crate) fn listed_zone<'a>(
    session: &Session,
    cohorts: &'a [crate::store::cohorts::Cohort],
    circles: &'a [(uuid::Uuid, String)],
) -> Option<&'a str> {
    cohorts
        .iter()
        .find(|c| Some(c.id) == session.cohort_id)
        .map(|c| c.timezone.as_str())
        .or_else(|| {
            circles
                .iter()
                .find(|(id, _)| Some(*id) == session.circle_id)
                .map(|(_, zone)| zone.as_str())
        })
}

/// The session's cohort or circle.
pub(crate) async fn home_of(tx: &mut PgConnection, session: &Session) -> ServiceResult<Home> {
    Ok(sessions::home(&mut *tx, session)
        .await?
        .context("a session's cohort or circle")?)
}

pub(crate) fn dm(person: &Person) -> Destination {
    Destination::Direct {
        member_id: person.id,
        display_name: person.display_name.clone(),
    }
}

pub(crate) async fn audit_session(
    tx: &mut PgConnection,
    inv: &Invocation,
    action: &str,
    session: &Session,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    let detail = json!({ "session": session.number, "starts_at": session.starts_at });
    super::audit_caller(tx, inv, action, detail, now).await
}
