//! Community-mentor rotation: the preview, and the scheduled rotation with handovers.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::super::lookup::find_cohort;
use super::super::{Invocation, Outcome, ServiceResult};
use super::matching::load_inputs;
use super::{Tier, messages};
use crate::matching::rotation::{self, RotationGroup, RotationInput};
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
) -> ServiceResult<Vec<Move>> {
    let inputs = load_inputs(tx, community_id, cohort, now).await?;
    let mentors = inputs.mentors_of(Tier::Community);
    let mut pods: BTreeMap<Uuid, Vec<Uuid>> = BTreeMap::new();
    for (learner, mentor) in store::community_pairs(&mut *tx, cohort.id).await? {
        pods.entry(mentor).or_default().push(learner);
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
    let typed = super::super::lookup::arg(inv, "cohort")?;
    let cohort = find_cohort(&mut *tx, inv, typed).await?;
    let moves = plan(tx, inv.caller.community_id, &cohort, now).await?;
    Ok(Outcome::reply(
        messages::rotation_preview(&cohort, &moves),
        inv.spec.visibility,
    ))
}
