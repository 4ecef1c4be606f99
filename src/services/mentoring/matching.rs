//! `/mentor match`: propose optimal mentor groups for a cohort, then apply the proposal.

use std::collections::{BTreeMap, HashMap};

use anyhow::Context;
use chrono::{DateTime, Datelike, Duration, Utc};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use uuid::Uuid;

use super::super::lookup::{arg, find_cohort};
use super::super::{Destination, Invocation, Outcome, ServiceResult, refuse};
use super::{Tier, messages};
use crate::domain::parse_timezone;
use crate::matching::{self, Assignment, MentorSlot, Person, Placement, Problem, Scorer, Weights};
use crate::store::cohorts::Cohort;
use crate::store::mentoring::{self as store, Learner, Mentor};

/// One learner's outcome for one tier, as proposed and later applied.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PlanEntry {
    pub tier: Tier,
    pub learner_id: Uuid,
    pub learner_name: String,
    /// `None` when waitlisted.
    pub mentor_id: Option<Uuid>,
    pub mentor_name: Option<String>,
    /// Why this pair ("shares: sql; 6 h overlap"), or why waitlisted.
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct Plan {
    pub entries: Vec<PlanEntry>,
    /// Approved mentors skipped because they are paused.
    pub paused: Vec<String>,
}

/// One tier's solved problem, with the baseline.
pub struct TierResult {
    pub tier: Tier,
    pub optimal: i64,
    pub greedy: i64,
    pub slots: i64,
    pub learners: usize,
}

pub async fn run(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let target = arg(inv, "target")?;
    if target.eq_ignore_ascii_case("apply") {
        let Some(typed) = inv.args.text("cohort") else {
            return refuse(messages::apply_needs_cohort());
        };
        let cohort = find_cohort(&mut *tx, inv, typed).await?;
        return apply(tx, now, inv, &cohort).await;
    }
    let cohort = find_cohort(&mut *tx, inv, target).await?;
    propose(tx, now, inv, &cohort).await
}

/// The Monday 00:00 UTC of this week: waking hours are compared over it.
pub(crate) fn reference_week(now: DateTime<Utc>) -> DateTime<Utc> {
    let day = now.date_naive() - Duration::days(i64::from(now.weekday().num_days_from_monday()));
    day.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc()
}

/// Skills compared the same however they were typed ("Power-Automate" = "power automate").
pub(crate) fn normalise(skills: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(skills.len());
    for skill in skills {
        let skill = skill
            .to_lowercase()
            .replace(['-', '_'], " ")
            .trim()
            .to_owned();
        if !skill.is_empty() && !out.contains(&skill) {
            out.push(skill);
        }
    }
    out
}

fn person(
    key: Uuid,
    skills: &[String],
    timezone: Option<&str>,
    department: Option<&str>,
) -> Person {
    Person {
        key,
        skills: normalise(skills),
        zone: timezone.and_then(|z| parse_timezone(z).ok()),
        department: department.map(str::to_owned),
    }
}

pub fn learner_person(l: &Learner) -> Person {
    person(
        l.member_id,
        &l.skills,
        l.timezone.as_deref(),
        l.department.as_deref(),
    )
}

pub use super::messages::{pair_reasons as reasons, wait_reason};

/// Everything one run needs, loaded in a few queries.
pub struct Inputs {
    pub learners: Vec<Learner>,
    pub active: Vec<Mentor>,
    pub paused: Vec<Mentor>,
    pub problem_base: Problem,
    pub load: HashMap<(Uuid, String), i64>,
    pub group_size: i64,
    /// The community's scoring, with its waking-hours window.
    pub weights: Weights,
}

pub async fn load_inputs(
    tx: &mut PgConnection,
    community_id: Uuid,
    cohort: &Cohort,
    now: DateTime<Utc>,
) -> sqlx::Result<Inputs> {
    let learners = store::cohort_learners(&mut *tx, cohort.id, now).await?;
    let (paused, active): (Vec<Mentor>, Vec<Mentor>) =
        store::approved_mentors(&mut *tx, community_id, cohort.id, now)
            .await?
            .into_iter()
            .partition(|m| m.paused);
    let problem_base = Problem {
        learners: learners.iter().map(learner_person).collect(),
        mentors: Vec::new(),
        avoid: store::avoid_pairs(&mut *tx, community_id).await?,
        history: store::history_pairs(&mut *tx, community_id).await?,
    };
    let settings = store::settings(&mut *tx, community_id).await?;
    Ok(Inputs {
        learners,
        active,
        paused,
        problem_base,
        load: store::load_elsewhere(&mut *tx, community_id, cohort.id).await?,
        group_size: i64::from(settings.group_size),
        weights: Weights {
            waking: settings.waking(),
            ..Weights::default()
        },
    })
}

impl Inputs {
    /// The mentors of one tier with the room they have left.
    pub fn mentors_of(&self, tier: Tier) -> Vec<&Mentor> {
        self.active.iter().filter(|m| m.tier == tier).collect()
    }

    pub fn room(&self, mentor: &Mentor, tier: Tier) -> u32 {
        let per_unit = match tier {
            Tier::Community => 1,
            Tier::Lead => self.group_size,
        };
        let used = self
            .load
            .get(&(mentor.member_id, tier.as_str().to_owned()))
            .copied()
            .unwrap_or(0);
        (i64::from(mentor.capacity) * per_unit - used).max(0) as u32
    }

    pub fn problem(&self, tier: Tier) -> Problem {
        let mut problem = self.problem_base.clone();
        problem.mentors = self
            .mentors_of(tier)
            .into_iter()
            .map(|m| MentorSlot {
                person: person(
                    m.member_id,
                    &m.skills,
                    m.timezone.as_deref(),
                    m.department.as_deref(),
                ),
                capacity: self.room(m, tier),
            })
            .collect();
        problem
    }
}

fn entries(
    tier: Tier,
    inputs: &Inputs,
    problem: &Problem,
    assignment: &Assignment,
) -> Vec<PlanEntry> {
    let mentors = inputs.mentors_of(tier);
    assignment
        .placements
        .iter()
        .enumerate()
        .map(|(l, placement)| {
            let learner = &inputs.learners[l];
            let (mentor_id, mentor_name, reason) = match placement {
                Placement::Matched { mentor, score } => (
                    Some(mentors[*mentor].member_id),
                    Some(mentors[*mentor].display_name.clone()),
                    reasons(
                        &problem.learners[l],
                        &problem.mentors[*mentor].person,
                        score,
                    ),
                ),
                Placement::Waitlisted(why) => (None, None, wait_reason(*why)),
            };
            PlanEntry {
                tier,
                learner_id: learner.member_id,
                learner_name: learner.display_name.clone(),
                mentor_id,
                mentor_name,
                reason,
            }
        })
        .collect()
}

async fn propose(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    inv: &Invocation,
    cohort: &Cohort,
) -> ServiceResult {
    let inputs = load_inputs(tx, inv.caller.community_id, cohort, now).await?;
    if inputs.learners.is_empty() {
        return refuse(messages::no_learners(&cohort.name));
    }
    if inputs.active.is_empty() {
        return refuse(messages::no_mentors(&cohort.name, inputs.paused.len()));
    }
    let mut plan = Plan {
        entries: Vec::new(),
        paused: inputs
            .paused
            .iter()
            .map(|m| m.display_name.clone())
            .collect(),
    };
    let mut results = Vec::new();
    let week = reference_week(now);
    for tier in [Tier::Lead, Tier::Community] {
        if inputs.mentors_of(tier).is_empty() {
            continue;
        }
        let problem = inputs.problem(tier);
        let scorer = Scorer::new(&problem, inputs.weights, week);
        let optimal = matching::solve(&problem, &scorer, matching::DEFAULT_PRUNE);
        let greedy = matching::greedy(&problem, &scorer);
        results.push(TierResult {
            tier,
            optimal: optimal.total(),
            greedy: greedy.total(),
            slots: problem.mentors.iter().map(|m| i64::from(m.capacity)).sum(),
            learners: problem.learners.len(),
        });
        plan.entries
            .extend(entries(tier, &inputs, &problem, &optimal));
    }
    let total: i64 = results.iter().map(|r| r.optimal).sum();
    let greedy: i64 = results.iter().map(|r| r.greedy).sum();
    let json = serde_json::to_value(&plan).context("serialising the match plan")?;
    store::insert_run(
        &mut *tx,
        inv.caller.community_id,
        cohort.id,
        inv.caller.member.id,
        total,
        greedy,
        &json,
        now,
    )
    .await?;
    Ok(Outcome::reply(
        messages::proposal(cohort, &plan, &results),
        inv.spec.visibility,
    ))
}

async fn apply(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    inv: &Invocation,
    cohort: &Cohort,
) -> ServiceResult {
    let Some((run_id, json)) = store::pending_run(&mut *tx, cohort.id).await? else {
        return refuse(messages::nothing_to_apply(cohort));
    };
    let plan: Plan = serde_json::from_value(json).context("reading a stored match plan")?;
    if !store::mark_applied(&mut *tx, run_id, now).await? {
        return refuse(messages::nothing_to_apply(cohort));
    }
    let community = inv.caller.community_id;
    let group_size = store::settings(&mut *tx, community)
        .await?
        .group_size
        .max(1) as usize;
    // Leads' learners are split into groups of the configured size, in plan order.
    let mut per_lead: BTreeMap<(String, Uuid), Vec<Uuid>> = BTreeMap::new();
    for entry in &plan.entries {
        store::end_mentorship(&mut *tx, cohort.id, entry.learner_id, entry.tier, now).await?;
        let Some(mentor) = entry.mentor_id else {
            if entry.tier == Tier::Lead {
                store::set_group(&mut *tx, cohort.id, entry.learner_id, None).await?;
            }
            continue;
        };
        store::start_mentorship(
            &mut *tx,
            community,
            cohort.id,
            entry.learner_id,
            mentor,
            entry.tier,
            Some(run_id),
            &entry.reason,
            now,
        )
        .await?;
        if entry.tier == Tier::Lead {
            let name = entry.mentor_name.clone().unwrap_or_default();
            per_lead
                .entry((name, mentor))
                .or_default()
                .push(entry.learner_id);
        }
    }
    let mut group_of: HashMap<Uuid, String> = HashMap::new();
    for ((lead_name, lead), learners) in &per_lead {
        for (i, chunk) in learners.chunks(group_size).enumerate() {
            let name = messages::group_name(lead_name, i);
            let group = store::ensure_group(&mut *tx, community, cohort.id, &name, *lead).await?;
            for learner in chunk {
                store::set_group(&mut *tx, cohort.id, *learner, Some(group)).await?;
                group_of.insert(*learner, name.clone());
            }
        }
    }
    crate::store::audit::record(
        &mut *tx,
        community,
        Some(inv.caller.member.id),
        "mentor.match.apply",
        serde_json::json!({ "cohort": cohort.slug, "run": run_id }),
        now,
    )
    .await?;
    let mut outcome = Outcome::reply(messages::applied(cohort, &plan), inv.spec.visibility);
    // One notice per learner and one per mentor, whatever the number of tiers.
    let mut by_learner: BTreeMap<(String, Uuid), Vec<&PlanEntry>> = BTreeMap::new();
    let mut by_mentor: BTreeMap<(String, Uuid), Vec<&PlanEntry>> = BTreeMap::new();
    for entry in &plan.entries {
        by_learner
            .entry((entry.learner_name.clone(), entry.learner_id))
            .or_default()
            .push(entry);
        if let (Some(id), Some(name)) = (entry.mentor_id, &entry.mentor_name) {
            by_mentor.entry((name.clone(), id)).or_default().push(entry);
        }
    }
    for ((name, id), entries) in by_learner {
        let group = group_of.get(&id).map(String::as_str);
        outcome = outcome.with_post(
            Destination::Direct {
                member_id: id,
                display_name: name,
            },
            messages::learner_notice(cohort, &entries, group),
        );
    }
    for ((name, id), entries) in by_mentor {
        outcome = outcome.with_post(
            Destination::Direct {
                member_id: id,
                display_name: name,
            },
            messages::mentor_notice(cohort, &entries),
        );
    }
    Ok(outcome)
}

/// Places a learner who joined a cohort after its matching was applied: the same scorer
/// picks their best community mentor and lead with room. Returns the notices to send.
pub async fn place_late_joiner(
    tx: &mut PgConnection,
    community_id: Uuid,
    cohort: &Cohort,
    learner_id: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<(Destination, crate::render::Message)>> {
    if !store::cohort_was_matched(&mut *tx, cohort.id).await? {
        return Ok(Vec::new());
    }
    let tiers = [Tier::Lead, Tier::Community];
    place(tx, community_id, cohort, learner_id, &tiers, &[], now).await
}

/// Places one learner of the cohort for `tiers` with the best mentor who has room (never
/// `exclude`), starting the mentorships; returns the notices to send.
pub async fn place(
    tx: &mut PgConnection,
    community_id: Uuid,
    cohort: &Cohort,
    learner_id: Uuid,
    tiers: &[Tier],
    exclude: &[Uuid],
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<(Destination, crate::render::Message)>> {
    let mut inputs = load_inputs(tx, community_id, cohort, now).await?;
    inputs.active.retain(|m| !exclude.contains(&m.member_id));
    let Some(at) = inputs
        .learners
        .iter()
        .position(|l| l.member_id == learner_id)
    else {
        return Ok(Vec::new());
    };
    // Room here counts this cohort's load as well as other cohorts'.
    for (key, n) in store::load_in_cohort(&mut *tx, cohort.id).await? {
        *inputs.load.entry(key).or_default() += n;
    }
    let learner = inputs.learners[at].clone();
    inputs.problem_base.learners = vec![inputs.problem_base.learners[at].clone()];
    let mut entries = Vec::new();
    let mut group = None;
    for &tier in tiers {
        if inputs.mentors_of(tier).is_empty() {
            continue;
        }
        let problem = inputs.problem(tier);
        let scorer = Scorer::new(&problem, inputs.weights, reference_week(now));
        let placed = matching::solve(&problem, &scorer, matching::DEFAULT_PRUNE);
        let mentors = inputs.mentors_of(tier);
        let (mentor_id, mentor_name, reason) = match &placed.placements[0] {
            Placement::Matched { mentor, score } => {
                let m = mentors[*mentor];
                let reason = reasons(
                    &problem.learners[0],
                    &problem.mentors[*mentor].person,
                    score,
                );
                store::start_mentorship(
                    &mut *tx,
                    community_id,
                    cohort.id,
                    learner_id,
                    m.member_id,
                    tier,
                    None,
                    &reason,
                    now,
                )
                .await?;
                if tier == Tier::Lead {
                    group = Some(
                        join_lead_group(tx, &inputs, community_id, cohort, m, learner_id).await?,
                    );
                }
                (Some(m.member_id), Some(m.display_name.clone()), reason)
            }
            Placement::Waitlisted(why) => (None, None, wait_reason(*why)),
        };
        entries.push(PlanEntry {
            tier,
            learner_id,
            learner_name: learner.display_name.clone(),
            mentor_id,
            mentor_name,
            reason,
        });
    }
    // Nobody of any asked tier is left: the learner still hears where they stand.
    if entries.is_empty()
        && let Some(tier) = tiers.first()
    {
        entries.push(PlanEntry {
            tier: *tier,
            learner_id,
            learner_name: learner.display_name.clone(),
            mentor_id: None,
            mentor_name: None,
            reason: messages::no_mentor_left(),
        });
    }
    let refs: Vec<&PlanEntry> = entries.iter().collect();
    let mut posts = vec![(
        Destination::Direct {
            member_id: learner_id,
            display_name: learner.display_name.clone(),
        },
        messages::learner_notice(cohort, &refs, group.as_deref()),
    )];
    for entry in &entries {
        if let (Some(id), Some(name)) = (entry.mentor_id, &entry.mentor_name) {
            posts.push((
                Destination::Direct {
                    member_id: id,
                    display_name: name.clone(),
                },
                messages::mentor_notice(cohort, &[entry]),
            ));
        }
    }
    Ok(posts)
}

/// The lead's fullest group that still has room, or a new one; returns its name.
async fn join_lead_group(
    tx: &mut PgConnection,
    inputs: &Inputs,
    community_id: Uuid,
    cohort: &Cohort,
    lead: &Mentor,
    learner_id: Uuid,
) -> sqlx::Result<String> {
    let groups = store::lead_groups(&mut *tx, cohort.id, lead.member_id).await?;
    let open = groups
        .iter()
        .filter(|g| g.2 < inputs.group_size)
        .max_by_key(|g| g.2);
    let (id, name) = match open {
        Some((id, name, _)) => (*id, name.clone()),
        None => {
            let name = messages::group_name(&lead.display_name, groups.len());
            let id = store::ensure_group(&mut *tx, community_id, cohort.id, &name, lead.member_id)
                .await?;
            (id, name)
        }
    };
    store::set_group(&mut *tx, cohort.id, learner_id, Some(id)).await?;
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_reference_week_starts_on_monday() {
        let wed = Utc.with_ymd_and_hms(2027, 3, 3, 15, 0, 0).unwrap();
        assert_eq!(
            reference_week(wed),
            Utc.with_ymd_and_hms(2027, 3, 1, 0, 0, 0).unwrap()
        );
    }

    #[test]
    fn skills_compare_however_typed() {
        let typed = vec!["Power-Automate".to_owned(), "power automate".to_owned()];
        assert_eq!(normalise(&typed), ["power automate"]);
    }
}
