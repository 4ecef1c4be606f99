//! Cohorts and enrollment: list, join (after the code of conduct), leave, create.

mod messages;

use anyhow::Context;
use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::PgConnection;

use super::lookup::{arg, caller_community, find_cohort};
use super::messages as shared;
use super::paging::Page;
use super::{Destination, Invocation, Outcome, ServiceError, ServiceResult, refuse};
use crate::commands::Visibility;
use crate::domain::{CocStanding, Slug, suggest};
use crate::store::cohorts::{self, Cohort, CohortChanges, Track};
use crate::store::{audit, enrollments, members};

/// Cohorts a page of `/cohort list` shows: a page of typical lines fits one Discord message
/// (2,000 characters); longer names and many tracks are split by the adapter.
const COHORTS_PER_PAGE: i64 = 10;

pub async fn list(tx: &mut PgConnection, inv: &Invocation) -> ServiceResult {
    let community = caller_community(tx, inv).await?.name;
    let (live, archived) = cohorts::counts(&mut *tx, inv.caller.community_id).await?;
    if live + archived == 0 {
        return Ok(Outcome::reply(messages::no_cohorts(), inv.spec.visibility));
    }
    let page = Page::of(inv, COHORTS_PER_PAGE);
    if page.past_end(live) {
        return refuse(shared::page_past_end(page.number, page.count(live)));
    }
    let shown =
        cohorts::live_page(&mut *tx, inv.caller.community_id, page.size, page.offset()).await?;
    let ids: Vec<_> = shown.iter().map(|c| c.id).collect();
    let tracks = cohorts::tracks_of(&mut *tx, &ids).await?;
    let enrolled = enrollments::active_for_member(&mut *tx, inv.caller.member.id).await?;
    let mut reply = shared::paged_header(
        messages::cohort_list_header(&community),
        page.number,
        page.count(live),
    );
    for cohort in &shown {
        let own: Vec<&Track> = tracks.iter().filter(|t| t.cohort_id == cohort.id).collect();
        let is_in = enrolled.iter().any(|e| e.cohort_id == cohort.id);
        reply = reply
            .line()
            .push(messages::cohort_line(cohort, &own, is_in));
    }
    if page.has_next(live) {
        reply = reply.push(shared::next_page(&format!(
            "/cohort list page:{}",
            page.number + 1
        )));
    }
    if archived > 0 {
        reply = reply.line().push(messages::archived_hidden(archived));
    }
    Ok(Outcome::reply(reply, inv.spec.visibility))
}

pub async fn join(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let cohort = find_cohort(&mut *tx, inv, arg(inv, "cohort")?).await?;
    if cohort.archived {
        return refuse(super::messages::cohort_archived(&cohort.name));
    }
    let member = &inv.caller.member;
    let active = enrollments::active_for_member(&mut *tx, member.id).await?;
    if active.iter().any(|e| e.cohort_id == cohort.id) {
        return refuse(messages::already_enrolled(&cohort));
    }
    let tracks: Vec<Track> = cohorts::tracks(&mut *tx, inv.caller.community_id)
        .await?
        .into_iter()
        .filter(|t| t.cohort_id == cohort.id)
        .collect();
    let track = choose_track(&cohort, &tracks, inv.args.text("track"))?;

    let community = caller_community(tx, inv).await?;
    let standing = CocStanding::of(
        member.coc_accepted_at,
        member.coc_version,
        community.coc_version,
    );
    if !standing.is_current() {
        // Nothing is enrolled until the member accepts; `/coc accept` finishes the join.
        enrollments::set_pending(
            &mut *tx,
            community.id,
            member.id,
            cohort.id,
            track.map(|t| t.id),
            now,
        )
        .await?;
        let reply = messages::accept_coc_first(
            &community.name,
            &community.code_of_conduct,
            &cohort,
            standing,
        );
        return Ok(Outcome::reply(reply, Visibility::Ephemeral));
    }
    let outcome = enroll(&mut *tx, inv, &cohort, track, now).await?;
    Ok(outcome)
}

/// Enrolls the caller and announces it in the cohort's channel.
async fn enroll(
    tx: &mut PgConnection,
    inv: &Invocation,
    cohort: &Cohort,
    track: Option<&Track>,
    now: DateTime<Utc>,
) -> ServiceResult {
    let member = &inv.caller.member;
    let track_id = track.map(|t| t.id);
    let created = enrollments::enroll(
        &mut *tx,
        inv.caller.community_id,
        cohort.id,
        member.id,
        track_id,
        now,
    )
    .await?;
    if !created {
        return refuse(messages::already_enrolled(cohort));
    }
    let detail = json!({ "cohort": cohort.slug, "track": track.map(|t| &t.slug) });
    audit::record(
        &mut *tx,
        inv.caller.community_id,
        Some(member.id),
        "enrollment.join",
        detail,
        now,
    )
    .await?;
    let mut outcome = Outcome::reply(
        messages::joined(cohort, track, member.timezone.as_deref()),
        Visibility::Ephemeral,
    );
    if let Some(channel) = &cohort.channel {
        outcome = outcome.with_post(
            Destination::Channel(channel.clone()),
            messages::welcome_post(&member.display_name, cohort, track),
        );
    }
    // A cohort that was already matched places a late joiner with the same scorer.
    let placed = crate::services::mentoring::matching::place_late_joiner(
        &mut *tx,
        inv.caller.community_id,
        cohort,
        member.id,
        now,
    )
    .await?;
    for (to, message) in placed {
        outcome = outcome.with_post(to, message);
    }
    Ok(outcome)
}

pub async fn leave(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let active = enrollments::active_for_member(&mut *tx, inv.caller.member.id).await?;
    let enrollment = match inv.args.text("cohort") {
        Some(typed) => {
            let cohort = find_cohort(&mut *tx, inv, typed).await?;
            match active.into_iter().find(|e| e.cohort_id == cohort.id) {
                Some(e) => e,
                None => return refuse(messages::not_enrolled_in(&cohort)),
            }
        }
        None => match active.len() {
            0 => return refuse(messages::not_enrolled_anywhere()),
            1 => active.into_iter().next().context("one enrollment")?,
            _ => {
                let slugs: Vec<String> = active.into_iter().map(|e| e.cohort_slug).collect();
                return refuse(messages::which_cohort_to_leave(&slugs));
            }
        },
    };
    enrollments::leave(&mut *tx, enrollment.id, now).await?;
    let detail = json!({ "cohort": enrollment.cohort_slug });
    crate::services::audit_caller(&mut *tx, inv, "enrollment.leave", detail, now).await?;
    Ok(Outcome::reply(
        messages::left(&enrollment.cohort_name, enrollment.cohort_archived),
        inv.spec.visibility,
    ))
}

pub async fn create(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let slug = Slug::parse(arg(inv, "id")?)
        .map_err(|e| ServiceError::User(messages::invalid_cohort_id(&e)))?;
    let timezone = inv
        .args
        .timezone("timezone")
        .context("timezone is required")?;
    let name = arg(inv, "name")?;
    let Some(cohort) = cohorts::create(
        &mut *tx,
        inv.caller.community_id,
        slug.as_str(),
        name,
        timezone.name(),
        now,
    )
    .await?
    else {
        return refuse(messages::cohort_exists(slug.as_str()));
    };
    let detail = json!({ "cohort": cohort.slug, "name": cohort.name, "timezone": cohort.timezone });
    crate::services::audit_caller(&mut *tx, inv, "cohort.create", detail, now).await?;
    Ok(Outcome::reply(
        messages::cohort_created(&cohort),
        inv.spec.visibility,
    ))
}

/// The longest a cohort may run: a typo in a year is refused, not scheduled for a decade.
const COHORT_MAX_DAYS: i64 = 2 * 366;

/// `/cohort set`: finishes or changes a cohort made in chat (or from the program file).
pub async fn update(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let cohort = find_cohort(&mut *tx, inv, arg(inv, "cohort")?).await?;
    if cohort.archived {
        return refuse(super::messages::cohort_archived(&cohort.name));
    }
    let changes = CohortChanges {
        name: inv.args.text("name"),
        timezone: inv.args.timezone("timezone").map(|tz| tz.name()),
        starts_on: inv.args.date("starts"),
        ends_on: inv.args.date("ends"),
        channel: inv.args.text("channel"),
    };
    let unchanged = changes.name.is_none()
        && changes.timezone.is_none()
        && changes.starts_on.is_none()
        && changes.ends_on.is_none()
        && changes.channel.is_none();
    if unchanged {
        return refuse(messages::nothing_to_change(&cohort.slug));
    }
    if let (Some(starts), Some(ends)) = (
        changes.starts_on.or(cohort.starts_on),
        changes.ends_on.or(cohort.ends_on),
    ) {
        if ends < starts {
            return refuse(messages::ends_before_start(starts, ends));
        }
        if (ends - starts).num_days() > COHORT_MAX_DAYS {
            return refuse(messages::too_long(starts, ends, COHORT_MAX_DAYS));
        }
    }
    let updated = cohorts::update(&mut *tx, cohort.id, &changes).await?;
    let detail = json!({
        "cohort": updated.slug, "name": changes.name, "timezone": changes.timezone,
        "starts_on": changes.starts_on, "ends_on": changes.ends_on, "channel": changes.channel,
    });
    crate::services::audit_caller(&mut *tx, inv, "cohort.update", detail, now).await?;
    let (tracks, schedules) = cohorts::setup_counts(&mut *tx, updated.id).await?;
    Ok(Outcome::reply(
        messages::cohort_updated(&updated)
            .line()
            .push(messages::still_missing(&updated, tracks, schedules)),
        inv.spec.visibility,
    ))
}

/// `/cohort track`: a project track; module ladders need the program file.
pub async fn add_track(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    inv: &Invocation,
) -> ServiceResult {
    let cohort = find_cohort(&mut *tx, inv, arg(inv, "cohort")?).await?;
    if cohort.archived {
        return refuse(super::messages::cohort_archived(&cohort.name));
    }
    let slug = Slug::parse(arg(inv, "id")?)
        .map_err(|e| ServiceError::User(messages::invalid_cohort_id(&e)))?;
    let name = arg(inv, "name")?;
    let Some(track) = cohorts::add_track(
        &mut *tx,
        inv.caller.community_id,
        cohort.id,
        slug.as_str(),
        name,
        "project",
    )
    .await?
    else {
        return refuse(messages::track_exists(&cohort, slug.as_str()));
    };
    let detail = json!({ "cohort": cohort.slug, "track": track.slug, "name": track.name });
    crate::services::audit_caller(&mut *tx, inv, "cohort.track", detail, now).await?;
    Ok(Outcome::reply(
        messages::track_added(&cohort, &track),
        inv.spec.visibility,
    ))
}

/// `/cohort archive`: the schedules stop and joins are refused; every record stays.
pub async fn archive(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let cohort = find_cohort(&mut *tx, inv, arg(inv, "cohort")?).await?;
    if !cohorts::archive(&mut *tx, cohort.id, now).await? {
        return refuse(messages::already_archived(&cohort));
    }
    let (_, schedules) = cohorts::setup_counts(&mut *tx, cohort.id).await?;
    let learners = enrollments::active_count(&mut *tx, cohort.id).await?;
    crate::services::audit_caller(
        &mut *tx,
        inv,
        "cohort.archive",
        json!({ "cohort": cohort.slug }),
        now,
    )
    .await?;
    Ok(Outcome::reply(
        messages::archived(&cohort, schedules, learners),
        inv.spec.visibility,
    ))
}

pub async fn show_coc(tx: &mut PgConnection, inv: &Invocation) -> ServiceResult {
    let community = caller_community(tx, inv).await?;
    let member = &inv.caller.member;
    let reply = messages::coc(
        &community.name,
        &community.code_of_conduct,
        CocStanding::of(
            member.coc_accepted_at,
            member.coc_version,
            community.coc_version,
        ),
    );
    Ok(Outcome::reply(reply, inv.spec.visibility))
}

/// Records acceptance of the code of conduct and finishes a join that was waiting for it.
pub async fn accept_coc(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    inv: &Invocation,
) -> ServiceResult {
    let member = &inv.caller.member;
    let community = caller_community(tx, inv).await?;
    let version = community.coc_version;
    let pending = enrollments::take_pending(&mut *tx, member.id).await?;
    let standing = CocStanding::of(member.coc_accepted_at, member.coc_version, version);
    if let (CocStanding::Current { at }, None) = (standing, &pending) {
        return refuse(messages::coc_already_accepted(at));
    }
    members::accept_coc(&mut *tx, member.id, version, now).await?;
    audit::record(
        &mut *tx,
        inv.caller.community_id,
        Some(member.id),
        "coc.accept",
        json!({ "version": version }),
        now,
    )
    .await?;
    let outcome = match pending {
        None => Outcome::reply(messages::coc_accepted_next(), inv.spec.visibility),
        Some(pending) => {
            let all = cohorts::list(&mut *tx, inv.caller.community_id).await?;
            let cohort = all
                .into_iter()
                .find(|c| c.id == pending.cohort_id)
                .context("pending cohort exists (FK)")?;
            let tracks = cohorts::tracks(&mut *tx, inv.caller.community_id).await?;
            let track = tracks.iter().find(|t| Some(t.id) == pending.track_id);
            let joined = enroll(&mut *tx, inv, &cohort, track, now).await?;
            Outcome {
                reply: messages::coc_accepted().text(" ").push(joined.reply),
                ..joined
            }
        }
    };
    Ok(outcome)
}

fn choose_track<'t>(
    cohort: &Cohort,
    tracks: &'t [Track],
    typed: Option<&str>,
) -> ServiceResult<Option<&'t Track>> {
    match (typed, tracks) {
        (None, []) => Ok(None),
        (None, [only]) => Ok(Some(only)),
        (None, _) => refuse(messages::choose_track(cohort, tracks)),
        (Some(_), []) => refuse(messages::no_tracks(cohort)),
        (Some(typed), _) => {
            let typed = typed.to_lowercase();
            match tracks
                .iter()
                .find(|t| t.slug == typed || t.name.to_lowercase() == typed)
            {
                Some(track) => Ok(Some(track)),
                None => {
                    let suggestion = suggest(&typed, tracks.iter().map(|t| t.slug.as_str()));
                    refuse(messages::unknown_track(cohort, &typed, suggestion))
                }
            }
        }
    }
}
