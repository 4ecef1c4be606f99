//! A member's own page: `/home` on every platform, and the Slack Home tab, published when
//! the member opens it and again after a change while they have it.
//!
//! Built from the same data and the same messages as the commands it stands in for (the
//! streak is `/streak`'s, the ladder `/progress`'s, the mentor part the weekly mentor
//! digest's), so the Home never says something a command would contradict.

pub mod messages;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::checkins::digest;
use super::events::when;
use super::{Caller, Invocation, Outcome, ServiceError, ServiceResult};
use crate::commands::catalog::{self, CommandId};
use crate::commands::value::Args;
use crate::domain::{Period, parse_timezone};
use crate::render::Message;
use crate::store::cohorts::{self, Cohort};
use crate::store::{self, sessions};

/// Sessions shown under "Next sessions"; `/event list` has the rest.
const SESSIONS_SHOWN: i64 = 3;
/// Reviews shown with a Claim button.
const REVIEWS_SHOWN: i64 = 5;

/// A member's Home: titled sections, each a message with its own buttons.
#[derive(Debug, Clone, PartialEq)]
pub struct Home {
    pub sections: Vec<Message>,
}

impl Home {
    /// The Home as one message (`/home`, the shell), sections apart by a blank line.
    pub fn as_message(&self) -> Message {
        let mut msg = Message::new();
        for (i, section) in self.sections.iter().enumerate() {
            if i > 0 {
                msg = msg.line().line();
            }
            msg = msg.push(section.clone());
        }
        msg
    }
}

/// `/home`.
pub async fn show(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let home = build(tx, now, &inv.caller).await?;
    Ok(Outcome::reply(home.as_message(), inv.spec.visibility))
}

/// What `caller`'s Home says at `now`.
pub async fn build(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    caller: &Caller,
) -> ServiceResult<Home> {
    let me = &caller.member;
    let zone = me.timezone.as_deref().and_then(|z| parse_timezone(z).ok());
    let mentor = matches!(
        store::mentoring::profile(&mut *tx, me.id).await?,
        Some(p) if p.status == store::mentoring::OfferStatus::Approved
    );
    // The cohorts the member takes part in, read once for every section.
    let enrolled = cohorts::enrolled(&mut *tx, me.id).await?;
    let mut sections = Vec::new();
    sections.extend(this_week(tx, now, caller, &enrolled, mentor).await?);
    if let Some(sessions) = next_sessions(tx, now, caller, &enrolled).await? {
        sections.push(sessions);
    }
    // The ladder of the cohort the learner is in; nothing for a member in none.
    if let Some(ladder) = answer_of(tx, now, caller, Borrowed::Progress).await? {
        sections.push(ladder);
    }
    sections.extend(mentoring(tx, now, caller, &enrolled, mentor).await?);
    sections.push(messages::knowledge());
    sections.push(messages::updated(
        now,
        zone.unwrap_or(Tz::UTC),
        zone.is_some(),
    ));
    Ok(Home { sections })
}

/// [`build`] for a member by id, in its own transaction (the Slack sender's publish).
pub async fn build_for(
    pool: &PgPool,
    member_id: Uuid,
    now: DateTime<Utc>,
) -> ServiceResult<Option<Home>> {
    let mut tx = pool.begin().await?;
    let Some(caller) = super::identity::caller_by_id(&mut tx, member_id).await? else {
        return Ok(None);
    };
    let home = build(&mut tx, now, &caller).await?;
    tx.commit().await?;
    Ok(Some(home))
}

/// Queues a publish of each member's Slack Home, who opened it just now (even if they
/// never had one before), joining one already queued. After a command, the command tail
/// queues the same publishes for the members it touched (`store::command_tail`).
pub async fn refresh(
    tx: &mut PgConnection,
    community_id: Uuid,
    members: &[Uuid],
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let owed = store::home::next_publishes(&mut *tx, community_id, members).await?;
    for (member_id, number) in owed {
        let key = format!("home:{member_id}:{number}");
        store::outbox::enqueue_action(
            &mut *tx,
            community_id,
            &key,
            member_id,
            store::outbox::PlatformAction::PublishHome,
            now,
        )
        .await?;
    }
    Ok(())
}

/// The commands whose replies the Home shows as they are.
#[derive(Debug, Clone, Copy)]
enum Borrowed {
    /// `/progress`: the ladder.
    Progress,
    /// `/streak`.
    Streak,
}

/// The reply `part`'s command (without options) gives the caller, or `None` when it
/// refuses them (`/progress` for a member in no cohort).
async fn answer_of(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    caller: &Caller,
    part: Borrowed,
) -> ServiceResult<Option<Message>> {
    let command = match part {
        Borrowed::Progress => CommandId::Progress,
        Borrowed::Streak => CommandId::Streak,
    };
    let inv = Invocation::new(caller.clone(), catalog::spec(command), Args::default());
    let answer = match part {
        Borrowed::Progress => super::milestones::progress(tx, &inv).await,
        Borrowed::Streak => super::streaks::show(tx, now, &inv).await,
    };
    match answer {
        Ok(outcome) => Ok(Some(outcome.reply)),
        Err(ServiceError::User(_)) => Ok(None),
        Err(err) => Err(err),
    }
}

/// Away banner, this week's check-in in each cohort, and the streak; `None` for a mentor
/// who takes part in no cohort and is not away (nothing to do here).
async fn this_week(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    caller: &Caller,
    enrolled: &[Cohort],
    mentor: bool,
) -> ServiceResult<Option<Message>> {
    let me = &caller.member;
    let away = store::absences::open(&mut *tx, me.id, None, now)
        .await?
        .into_iter()
        .find(|a| a.starts_at <= now);
    if enrolled.is_empty() && away.is_none() && mentor {
        return Ok(None);
    }
    let mut weeks = Vec::new();
    for cohort in enrolled {
        let zone = super::checkins::member_zone(me, cohort);
        let period = Period::containing(now, zone).to_string();
        let done = store::checkins::find(&mut *tx, cohort.id, me.id, &period)
            .await?
            .is_some();
        weeks.push(messages::Week {
            cohort: &cohort.name,
            slug: &cohort.slug,
            period,
            done,
            closed: super::checkins::not_open(cohort, zone, now),
        });
    }
    let streak = if enrolled.is_empty() {
        None
    } else {
        answer_of(tx, now, caller, Borrowed::Streak).await?
    };
    Ok(Some(messages::this_week(away.as_ref(), &weeks, streak)))
}

/// The next few sessions of the member's cohorts and circles, in their zone, with RSVP or
/// withdraw buttons; `None` when nothing is coming.
async fn next_sessions(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    caller: &Caller,
    cohorts: &[Cohort],
) -> ServiceResult<Option<Message>> {
    let me = &caller.member;
    let circles = store::circles::of_member(&mut *tx, me.id).await?;
    let cohort_ids: Vec<Uuid> = cohorts.iter().map(|c| c.id).collect();
    let circle_ids: Vec<Uuid> = circles.iter().map(|(id, _)| *id).collect();
    let homes = sessions::Homes {
        cohorts: &cohort_ids,
        circles: &circle_ids,
    };
    let total = sessions::upcoming_count(&mut *tx, homes, now).await?;
    if total == 0 {
        return Ok(None);
    }
    let mut shown = Vec::new();
    for session in sessions::upcoming(&mut *tx, homes, now, SESSIONS_SHOWN, 0).await? {
        let home_zone = super::events::listed_zone(&session, cohorts, &circles).unwrap_or_default();
        let zone = when::zone_or(me.timezone.as_deref(), when::cohort_zone(home_zone));
        let signed_up = sessions::sign_up_of(&mut *tx, session.id, me.id).await?;
        shown.push((session, zone, signed_up));
    }
    Ok(Some(messages::next_sessions(&shown, total, now)))
}

/// For a mentor: each cohort's learners as the weekly digest shows them, and reviews
/// waiting for someone to claim. For a learner: who mentors them.
async fn mentoring(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    caller: &Caller,
    enrolled: &[Cohort],
    mentor: bool,
) -> ServiceResult<Vec<Message>> {
    let me = &caller.member;
    let mut sections = Vec::new();
    if mentor {
        for (cohort_id, cohort) in store::mentoring::cohorts_mentored(&mut *tx, me.id).await? {
            if let Some(view) = digest::mentor_view(tx, cohort_id, me.id, now, true).await? {
                sections.push(messages::mentor_view(view.summary(&cohort)));
            }
        }
        let (reviews, total) =
            store::reviews::claimable(&mut *tx, caller.community_id, me.id, REVIEWS_SHOWN).await?;
        sections.push(messages::reviews(&reviews, total));
    }
    // Whoever leads the learner (by group or by the cohort's lead mentor role) reviews their
    // milestones and hears their blockers, matched or not: they are named first.
    let mut mentors = Vec::new();
    for cohort in enrolled {
        let leads = store::checkins::lead_mentors_of(&mut *tx, cohort.id, me.id).await?;
        for lead in &leads {
            mentors.push((cohort.name.clone(), lead.display_name.clone(), true));
        }
        for (id, name) in store::reviews::learner_mentors(&mut *tx, cohort.id, me.id).await? {
            if !leads.iter().any(|lead| lead.id == id) {
                mentors.push((cohort.name.clone(), name, false));
            }
        }
    }
    if !enrolled.is_empty() {
        sections.push(messages::my_mentors(&mentors));
    }
    Ok(sections)
}
