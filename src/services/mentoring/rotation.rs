//! Community-mentor rotation: the preview, and the scheduled rotation with handovers.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::super::lookup::arg;
use super::super::lookup::find_cohort;
use super::super::{Destination, Invocation, Outcome, ServiceResult, enqueue, refuse};
use super::matching::load_inputs;
use super::{Tier, messages};
use crate::matching::rotation::{self, RotationGroup, RotationInput};
use crate::render::Message;
use crate::store::cohorts::Cohort;
use crate::store::mentoring as store;

/// One group's move: the learners of `outgoing`, who get `incoming`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    pub outgoing: (Uuid, String),
    pub incoming: Option<(Uuid, String)>,
    pub learners: Vec<Uuid>,
    pub repeat: bool,
}

/// The rotation the cohort would get now.
pub async fn plan(
    tx: &mut PgConnection,
    community_id: Uuid,
    cohort: &Cohort,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<Move>> {
    let inputs = load_inputs(tx, community_id, cohort, now).await?;
    let mentors = inputs.mentors_of(Tier::Community);
    // A paused mentor's group stays with them (and their cover) until they resume.
    let mut pods: BTreeMap<Uuid, Vec<Uuid>> = BTreeMap::new();
    for (learner, mentor) in store::community_pairs(&mut *tx, cohort.id).await? {
        if mentors.iter().any(|m| m.member_id == mentor) {
            pods.entry(mentor).or_default().push(learner);
        }
    }
    let names: BTreeMap<Uuid, String> = store::mentor_names(&mut *tx, community_id).await?;
    let history: HashSet<(Uuid, Uuid)> = inputs
        .problem_base
        .history
        .iter()
        .map(|(learner, mentor)| (*mentor, *learner))
        .collect();
    let input = RotationInput {
        groups: pods
            .iter()
            .map(|(mentor, learners)| RotationGroup {
                key: *mentor,
                current: Some(*mentor),
                members: learners.clone(),
            })
            .collect(),
        mentors: mentors.iter().map(|m| m.member_id).collect(),
        capacity: mentors
            .iter()
            .map(|m| inputs.room(m, Tier::Community))
            .collect(),
        history,
        avoid: inputs.problem_base.avoid.clone(),
    };
    let incoming = rotation::rotate(&input);
    let mut moves: Vec<Move> = input
        .groups
        .iter()
        .zip(incoming)
        .map(|(group, choice)| {
            let name = |id: Uuid| names.get(&id).cloned().unwrap_or_default();
            let incoming = choice.map(|m| input.mentors[m]);
            Move {
                outgoing: (group.key, name(group.key)),
                incoming: incoming.map(|id| (id, name(id))),
                repeat: incoming.is_some_and(|id| {
                    id != group.key
                        && group
                            .members
                            .iter()
                            .any(|l| input.history.contains(&(id, *l)))
                }),
                learners: group.members.clone(),
            }
        })
        .collect();
    moves.sort_by(|a, b| a.outgoing.1.cmp(&b.outgoing.1));
    Ok(moves)
}

pub async fn preview(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let typed = arg(inv, "cohort")?;
    let cohort = find_cohort(&mut *tx, inv, typed).await?;
    let moves = plan(tx, inv.caller.community_id, &cohort, now).await?;
    Ok(Outcome::reply(
        messages::rotation_preview(&cohort, &moves),
        inv.spec.visibility,
    ))
}

/// The scheduled rotation: runs the configured number of weeks after the cohort's last
/// rotation or applied match (late joiners do not move that clock). A week before, each
/// outgoing mentor is asked for a handover note, which goes to the incoming mentor only.
/// Returns the posts queued.
pub async fn run_scheduled(
    tx: &mut PgConnection,
    community_id: Uuid,
    cohort: &Cohort,
    tick: DateTime<Utc>,
    now: DateTime<Utc>,
) -> sqlx::Result<u64> {
    let Some(last) = store::rotation_anchor(&mut *tx, cohort.id).await? else {
        return Ok(0);
    };
    let weeks = store::settings(&mut *tx, community_id)
        .await?
        .rotation_weeks;
    // A day's slack, so a weekly trigger at a slightly earlier hour still rotates on time.
    let due = last + Duration::weeks(i64::from(weeks)) - Duration::days(1);
    if tick < due {
        if tick >= due - Duration::weeks(1)
            && store::record_notice(&mut *tx, cohort.id, last, tick).await?
        {
            return ask_for_handovers(tx, community_id, cohort, tick, now).await;
        }
        return Ok(0);
    }
    let moves = plan(tx, community_id, cohort, now).await?;
    store::record_rotation(&mut *tx, cohort.id, tick).await?;
    let mut posts: Vec<(Destination, Message)> = Vec::new();
    let taken: HashSet<Uuid> = moves
        .iter()
        .filter_map(|m| m.incoming.as_ref().map(|(id, _)| *id))
        .collect();
    for m in &moves {
        let Some((incoming, incoming_name)) = &m.incoming else {
            // Nobody could take this group and its mentor moved on: the learners wait
            // for a steward's match rather than overfilling that mentor.
            if taken.contains(&m.outgoing.0) {
                for learner in &m.learners {
                    store::end_mentorship(&mut *tx, cohort.id, *learner, Tier::Community, now)
                        .await?;
                    let name = store::display_name(&mut *tx, *learner).await?;
                    posts.push((
                        Destination::Direct {
                            member_id: *learner,
                            display_name: name,
                        },
                        messages::rotation_unplaced_notice(cohort),
                    ));
                }
            }
            continue;
        };
        let (outgoing, outgoing_name) = &m.outgoing;
        if incoming == outgoing {
            continue;
        }
        let mut names = Vec::new();
        for learner in &m.learners {
            store::end_mentorship(&mut *tx, cohort.id, *learner, Tier::Community, now).await?;
            store::start_mentorship(
                &mut *tx,
                community_id,
                cohort.id,
                *learner,
                *incoming,
                Tier::Community,
                None,
                "rotation",
                now,
            )
            .await?;
            let name = store::display_name(&mut *tx, *learner).await?;
            posts.push((
                Destination::Direct {
                    member_id: *learner,
                    display_name: name.clone(),
                },
                messages::rotation_learner_notice(cohort, *incoming, incoming_name),
            ));
            names.push(name);
        }
        // Asked a week ago for this very move: thanks only. Otherwise (the plan changed,
        // or the rotation came without a notice) ask now.
        let asked = store::handover_asked(&mut *tx, cohort.id, *outgoing, *incoming, last).await?;
        posts.push((
            Destination::Direct {
                member_id: *incoming,
                display_name: incoming_name.clone(),
            },
            messages::rotation_incoming_notice(cohort, outgoing_name, &names, asked),
        ));
        if !asked {
            store::insert_handover(&mut *tx, community_id, cohort.id, *outgoing, *incoming, now)
                .await?;
        }
        posts.push((
            Destination::Direct {
                member_id: *outgoing,
                display_name: outgoing_name.clone(),
            },
            messages::rotation_outgoing_notice(cohort, incoming_name, &names, asked),
        ));
    }
    enqueue_all(tx, community_id, cohort, "rotation", tick, &posts, now).await
}

/// A week before the rotation: each outgoing mentor hears where their learners go and is
/// asked for a handover note now, while they still mentor them.
async fn ask_for_handovers(
    tx: &mut PgConnection,
    community_id: Uuid,
    cohort: &Cohort,
    tick: DateTime<Utc>,
    now: DateTime<Utc>,
) -> sqlx::Result<u64> {
    let mut posts: Vec<(Destination, Message)> = Vec::new();
    for m in plan(tx, community_id, cohort, now).await? {
        let (outgoing, outgoing_name) = &m.outgoing;
        let Some((incoming, incoming_name)) = &m.incoming else {
            continue;
        };
        if incoming == outgoing {
            continue;
        }
        let mut names = Vec::new();
        for learner in &m.learners {
            names.push(store::display_name(&mut *tx, *learner).await?);
        }
        store::insert_handover(&mut *tx, community_id, cohort.id, *outgoing, *incoming, now)
            .await?;
        posts.push((
            Destination::Direct {
                member_id: *outgoing,
                display_name: outgoing_name.clone(),
            },
            messages::handover_notice(cohort, incoming_name, &names),
        ));
    }
    enqueue_all(
        tx,
        community_id,
        cohort,
        "rotation-notice",
        tick,
        &posts,
        now,
    )
    .await
}

async fn enqueue_all(
    tx: &mut PgConnection,
    community_id: Uuid,
    cohort: &Cohort,
    kind: &str,
    tick: DateTime<Utc>,
    posts: &[(Destination, Message)],
    now: DateTime<Utc>,
) -> sqlx::Result<u64> {
    let mut queued = 0;
    for (i, (to, message)) in posts.iter().enumerate() {
        let key = format!("{kind}:{}:{}:{i}", cohort.id, tick.timestamp());
        queued += u64::from(enqueue(tx, community_id, &key, to, message, now).await?);
    }
    Ok(queued)
}

/// `/mentor handover <note>`: the outgoing mentor's note, delivered to the incoming mentor.
pub async fn handover(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    inv: &Invocation,
) -> ServiceResult {
    let note = arg(inv, "note")?;
    let me = &inv.caller.member;
    let Some((id, incoming, incoming_name, cohort_name)) =
        store::open_handover(&mut *tx, me.id).await?
    else {
        return refuse(messages::no_handover());
    };
    store::save_handover_note(&mut *tx, id, note, now).await?;
    Ok(
        Outcome::reply(messages::handover_sent(&incoming_name), inv.spec.visibility).with_post(
            Destination::Direct {
                member_id: incoming,
                display_name: incoming_name.clone(),
            },
            messages::handover_note(&me.display_name, &cohort_name, note),
        ),
    )
}
