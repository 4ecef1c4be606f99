//! The circles' own schedules: the weekly conversation prompt in each circle's channel, and
//! intros between its members, each tick in the circle's zone claimed once like any trigger.

use std::collections::HashSet;

use anyhow::{Context, Result};
use chrono::{DateTime, Duration, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::messages;
use crate::domain::parse_timezone;
use crate::matching::intros::pair_up;
use crate::matching::{MentorSlot, Person, Problem, Scorer, Weights, shared_skills};
use crate::schedule::CronExpr;
use crate::services::mentoring::matching::{normalise, reference_week};
use crate::services::{Destination, enqueue};
use crate::store::circles::{self, Scheduled};
use crate::store::schedule as state;

/// A prompt or intro later than this (the bot was down) is skipped: a Monday prompt on
/// Wednesday reads oddly, and the next one comes next week.
const GRACE: Duration = Duration::hours(12);

/// Larger than any pair's score, so a repeat scores zero (see `intros`).
const REPEAT_PENALTY: i64 = 1_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Job {
    Prompt,
    Intros,
}

impl Job {
    fn key(self, circle: Uuid) -> String {
        match self {
            Job::Prompt => format!("circle_prompt:{circle}"),
            Job::Intros => format!("circle_intros:{circle}"),
        }
    }
}

/// Runs every circle tick in `(since, now]`; the posts written.
pub async fn run(pool: &PgPool, since: DateTime<Utc>, now: DateTime<Utc>) -> Result<u64> {
    let mut posts = 0;
    for circle in circles::scheduled(pool).await? {
        let Ok(zone) = parse_timezone(&circle.timezone) else {
            tracing::warn!(circle = %circle.slug, zone = %circle.timezone, "circle zone not understood; skipped");
            continue;
        };
        for (job, cron) in [
            (Job::Prompt, &circle.prompt_schedule),
            (Job::Intros, &circle.intro_schedule),
        ] {
            let Some(cron) = cron else { continue };
            let Ok(cron) = CronExpr::parse(cron) else {
                tracing::warn!(circle = %circle.slug, %cron, "circle schedule not understood; skipped");
                continue;
            };
            for tick in cron.ticks_between(zone, since, now) {
                if now - tick > GRACE {
                    tracing::info!(circle = %circle.slug, ?job, %tick, "circle tick too late; skipped");
                    continue;
                }
                posts += fire(pool, &circle, job, tick, now)
                    .await
                    .with_context(|| format!("circle `{}` {job:?} at {tick}", circle.slug))?;
            }
        }
    }
    Ok(posts)
}

/// Claims one tick and runs it in one transaction; nothing when another process had it.
async fn fire(
    pool: &PgPool,
    circle: &Scheduled,
    job: Job,
    tick: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<u64> {
    let mut tx = pool.begin().await?;
    let claimed = state::claim_many(
        &mut *tx,
        &[job.key(circle.id)],
        &[circle.community_id],
        tick,
        now,
    )
    .await?;
    if claimed.is_empty() {
        return Ok(0);
    }
    let posts = match job {
        Job::Prompt => prompt(&mut tx, circle, tick, now).await?,
        Job::Intros => intros(&mut tx, circle, tick, now).await?,
    };
    tx.commit().await?;
    tracing::info!(circle = %circle.slug, ?job, %tick, posts, "circle tick fired");
    Ok(posts)
}

async fn prompt(
    tx: &mut PgConnection,
    circle: &Scheduled,
    tick: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<u64> {
    let (Some(channel), Some(text)) = (
        &circle.channel,
        circles::next_prompt(&mut *tx, circle.id).await?,
    ) else {
        return Ok(0);
    };
    let key = format!("circle_prompt:{}:{}", circle.id, tick.timestamp());
    let message = messages::prompt_post(&circle.name, &text);
    let to = Destination::Channel(channel.clone());
    Ok(u64::from(
        enqueue(tx, circle.community_id, &key, &to, &message, now).await?,
    ))
}

/// Pairs the circle's members who are not away, preferring pairs that have not met, and
/// DMs both sides of each pair.
async fn intros(
    tx: &mut PgConnection,
    circle: &Scheduled,
    tick: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<u64> {
    let people = circles::intro_people(&mut *tx, circle.id, now).await?;
    if people.len() < 2 {
        return Ok(0);
    }
    let history: HashSet<(Uuid, Uuid)> = circles::intro_history(&mut *tx, circle.id)
        .await?
        .into_iter()
        .collect();
    let settings = crate::store::mentoring::settings(&mut *tx, circle.community_id).await?;
    let persons: Vec<Person> = people
        .iter()
        .map(|p| Person {
            key: p.member_id,
            skills: normalise(&p.skills),
            zone: p.timezone.as_deref().and_then(|z| parse_timezone(z).ok()),
            department: p.department.clone(),
        })
        .collect();
    let problem = Problem {
        learners: persons.clone(),
        mentors: persons
            .iter()
            .map(|person| MentorSlot {
                person: person.clone(),
                capacity: 1,
            })
            .collect(),
        avoid: crate::store::mentoring::avoid_pairs(&mut *tx, circle.community_id).await?,
        history,
    };
    // A pair that met before scores nothing: intros are for meeting new people, so a
    // repeat is made only when someone has nobody new left to meet.
    let weights = Weights {
        waking: settings.waking(),
        repeat_penalty: REPEAT_PENALTY,
        ..Weights::default()
    };
    let scorer = Scorer::new(&problem, weights, reference_week(tick));
    let pairs = pair_up(persons.len(), |a, b| scorer.pair(a, b).map(|s| s.total));
    let mut posts = 0;
    for (a, b) in pairs {
        let (first, second) = (&people[a], &people[b]);
        circles::record_intro(&mut *tx, circle.id, tick, first.member_id, second.member_id).await?;
        let overlap = scorer.pair(a, b).and_then(|s| s.overlap_hours);
        let shared = shared_skills(&persons[a].skills, &persons[b].skills);
        for (me, other) in [(first, second), (second, first)] {
            let message = messages::intro_dm(
                &circle.name,
                (other.member_id, &other.display_name),
                &shared,
                overlap,
            );
            let to = Destination::Direct {
                member_id: me.member_id,
                display_name: me.display_name.clone(),
            };
            let key = format!(
                "circle_intro:{}:{}:{}",
                circle.id,
                tick.timestamp(),
                me.member_id
            );
            posts += u64::from(enqueue(tx, circle.community_id, &key, &to, &message, now).await?);
        }
    }
    Ok(posts)
}
