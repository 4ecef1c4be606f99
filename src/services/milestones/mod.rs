//! The skill ladder and milestones: `/progress`, submissions with evidence, verification by
//! the learner's mentors or stewards, celebrations, badges and graduation.

mod messages;

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use super::lookup::{arg, find_cohort, find_member};
use super::{Destination, Invocation, Outcome, ServiceResult, refuse};
use crate::domain::{Role, suggest};
use crate::store::members::Member;
use crate::store::milestones::{
    self, Enrolled, LadderModule, Milestone, MilestoneStatus, Submission,
};
use crate::store::{audit, checkins, roles};

/// Where a module stands for one learner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    Completed,
    Submitted,
    ChangesRequested,
    Current,
    /// Locked until these prerequisites are verified.
    Locked(Vec<String>),
}

pub fn standing(module: &LadderModule, ladder: &[LadderModule]) -> Standing {
    match module.status {
        Some(MilestoneStatus::Verified) => return Standing::Completed,
        Some(MilestoneStatus::Submitted) => return Standing::Submitted,
        Some(MilestoneStatus::ChangesRequested) => return Standing::ChangesRequested,
        Some(MilestoneStatus::Withdrawn) | None => {}
    }
    let missing: Vec<String> = module
        .requires
        .iter()
        .filter(|slug| {
            !ladder
                .iter()
                .any(|m| &&m.slug == slug && m.status == Some(MilestoneStatus::Verified))
        })
        .cloned()
        .collect();
    if missing.is_empty() {
        Standing::Current
    } else {
        Standing::Locked(missing)
    }
}

pub async fn progress(tx: &mut PgConnection, inv: &Invocation) -> ServiceResult {
    let me = &inv.caller.member;
    let (enrolled, track_id) = my_track(tx, inv, me).await?;
    let ladder = milestones::ladder(&mut *tx, track_id, me.id).await?;
    let rows: Vec<(&LadderModule, Standing)> =
        ladder.iter().map(|m| (m, standing(m, &ladder))).collect();
    Ok(Outcome::reply(
        messages::ladder(&enrolled, &rows),
        inv.spec.visibility,
    ))
}

pub async fn submit(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let me = &inv.caller.member;
    let (enrolled, track_id) = my_track(tx, inv, me).await?;
    let ladder = milestones::ladder(&mut *tx, track_id, me.id).await?;
    let module = find_module(&ladder, arg(inv, "module")?)?;
    let evidence = evidence_url(arg(inv, "evidence")?)?;
    let impact = inv.args.text("impact");
    let number = |name: &str| inv.args.int(name).and_then(|n| i32::try_from(n).ok());
    let (hours, processes, users) = (number("hours_saved"), number("processes"), number("users"));
    let showcase = inv.args.bool("showcase");
    let any_impact = impact.is_some()
        || hours.is_some()
        || processes.is_some()
        || users.is_some()
        || showcase.is_some();
    if any_impact && !module.capstone {
        return refuse(messages::impact_only_for_capstones(&module.slug));
    }
    match standing(module, &ladder) {
        Standing::Completed => return refuse(messages::already_verified(&module.name)),
        Standing::Submitted => {
            return refuse(messages::already_submitted(&module.name, &module.slug));
        }
        Standing::Locked(missing) => return refuse(messages::locked(&module.name, &missing)),
        Standing::Current | Standing::ChangesRequested => {}
    }
    let submission = Submission {
        community_id: inv.caller.community_id,
        cohort_id: enrolled.cohort_id,
        module_id: module.id,
        member_id: me.id,
        evidence_url: &evidence,
        note: inv.args.text("note"),
        impact,
        hours_saved_per_month: hours,
        processes_replaced: processes,
        users_reached: users,
        showcase: showcase.unwrap_or(false),
    };
    milestones::submit(&mut *tx, &submission, now).await?;
    let detail = json!({ "cohort": enrolled.cohort_slug, "module": module.slug });
    crate::services::audit_caller(&mut *tx, inv, "milestone.submit", detail, now).await?;
    let mentors = checkins::lead_mentors(&mut *tx, enrolled.cohort_id, me.id, now).await?;
    let names: Vec<String> = mentors.iter().map(|m| m.display_name.clone()).collect();
    let mut outcome = Outcome::reply(
        messages::submitted(&module.name, &names),
        inv.spec.visibility,
    );
    for mentor in mentors {
        outcome = outcome.with_post(
            Destination::Direct {
                member_id: mentor.id,
                display_name: mentor.display_name,
            },
            messages::review_request(me, &enrolled.cohort_name, module, &submission),
        );
    }
    Ok(outcome)
}

pub async fn verify(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    inv: &Invocation,
    public_url: Option<&str>,
) -> ServiceResult {
    let review = Review::load(tx, inv).await?;
    verified(tx, now, inv, &review, None, public_url).await
}

/// Verifies the milestone `review` found, issuing its badge (with `narrative`, from a bulk
/// issue), and says so to the learner and their cohort.
pub(crate) async fn verified(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    inv: &Invocation,
    review: &Review,
    narrative: Option<&str>,
    public_url: Option<&str>,
) -> ServiceResult {
    let (learner, module, enrolled) = (&review.learner, &review.module, &review.enrolled);
    milestones::review(
        &mut *tx,
        review.milestone.id,
        MilestoneStatus::Verified,
        inv.caller.member.id,
        None,
        now,
    )
    .await?;
    let community = inv.caller.community_id;
    let detail = json!({ "learner": learner.platform_user_id, "module": module.slug });
    audit::record(
        &mut *tx,
        community,
        Some(inv.caller.member.id),
        "milestone.verify",
        detail,
        now,
    )
    .await?;
    let badge = match &module.badge {
        Some(name) => Some({
            // The key that will sign it exists from the first badge on: a request for a
            // credential only reads it.
            crate::services::badges::ensure_keys(&mut *tx, community).await?;
            milestones::issue(
                &mut *tx,
                community,
                learner.id,
                review.milestone.id,
                name,
                narrative,
                now,
            )
            .await?
        }),
        None => None,
    };
    let graduated = module.capstone
        && roles::grant(
            &mut *tx,
            community,
            learner.id,
            Role::Alumni,
            Some(enrolled.cohort_id),
            Some(inv.caller.member.id),
            now,
        )
        .await?;
    let to_learner = Destination::Direct {
        member_id: learner.id,
        display_name: learner.display_name.clone(),
    };
    let mut outcome = Outcome::reply(
        messages::verified_reply(&learner.display_name, &module.name, graduated),
        inv.spec.visibility,
    )
    .with_post(
        to_learner.clone(),
        messages::verified_dm(
            &module.name,
            badge.as_ref().zip(module.badge.as_deref()),
            public_url,
        ),
    );
    if let Some(channel) = &enrolled.channel {
        let channel = Destination::Channel(channel.clone());
        outcome = outcome.with_post(
            channel.clone(),
            messages::celebration(learner, &module.name, &enrolled.cohort_name),
        );
        if graduated {
            outcome = outcome.with_post(
                channel,
                messages::graduation(learner, &enrolled.cohort_name, review.milestone.impact()),
            );
        }
    }
    outcome = outcome.with_achievement(learner.id, enrolled.channel.as_deref());
    if graduated {
        crate::services::alumni::on_graduation(tx, community, learner, now).await?;
        outcome = outcome
            .with_post(
                to_learner,
                messages::mentor_invitation(&enrolled.cohort_name),
            )
            .with_role_changed(learner.id, Role::Alumni);
    }
    Ok(outcome)
}

pub async fn request_changes(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    inv: &Invocation,
) -> ServiceResult {
    let review = Review::load(tx, inv).await?;
    let note = arg(inv, "note")?;
    milestones::review(
        &mut *tx,
        review.milestone.id,
        MilestoneStatus::ChangesRequested,
        inv.caller.member.id,
        Some(note),
        now,
    )
    .await?;
    let detail =
        json!({ "learner": review.learner.platform_user_id, "module": review.module.slug });
    crate::services::audit_caller(&mut *tx, inv, "milestone.changes", detail, now).await?;
    Ok(Outcome::reply(
        messages::changes_reply(&review.learner.display_name, &review.module.name),
        inv.spec.visibility,
    )
    .with_post(
        Destination::Direct {
            member_id: review.learner.id,
            display_name: review.learner.display_name.clone(),
        },
        messages::changes_dm(&inv.caller.member.display_name, &review.module, note),
    ))
}

/// `/milestone withdraw`: the learner takes back a submission nobody has reviewed yet; the
/// mentors who were asked are told.
pub async fn withdraw(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    inv: &Invocation,
) -> ServiceResult {
    let me = &inv.caller.member;
    let (enrolled, track_id) = my_track(tx, inv, me).await?;
    let ladder = milestones::ladder(&mut *tx, track_id, me.id).await?;
    let module = find_module(&ladder, arg(inv, "module")?)?;
    let pending = match milestones::find(&mut *tx, me.id, module.id).await? {
        Some(m) => milestones::withdraw(&mut *tx, m.id).await?,
        None => false,
    };
    if !pending {
        return refuse(messages::nothing_to_withdraw(&module.name));
    }
    let detail = json!({ "cohort": enrolled.cohort_slug, "module": module.slug });
    crate::services::audit_caller(&mut *tx, inv, "milestone.withdraw", detail, now).await?;
    let mut outcome = Outcome::reply(messages::withdrawn(&module.name), inv.spec.visibility);
    for mentor in checkins::lead_mentors(&mut *tx, enrolled.cohort_id, me.id, now).await? {
        outcome = outcome.with_post(
            Destination::Direct {
                member_id: mentor.id,
                display_name: mentor.display_name,
            },
            messages::withdrawn_notice(&me.display_name, &module.name),
        );
    }
    Ok(outcome)
}

/// A submission waiting for the caller's review, after every check.
pub(crate) struct Review {
    pub learner: Member,
    module: LadderModule,
    enrolled: Enrolled,
    milestone: Milestone,
}

impl Review {
    async fn load(tx: &mut PgConnection, inv: &Invocation) -> ServiceResult<Self> {
        Self::load_for(tx, inv, arg(inv, "learner")?, arg(inv, "module")?).await
    }

    /// The submitted milestone of `learner` (as typed) for the module `slug`, which the
    /// caller may review.
    pub(crate) async fn load_for(
        tx: &mut PgConnection,
        inv: &Invocation,
        learner: &str,
        slug: &str,
    ) -> ServiceResult<Self> {
        let me = &inv.caller.member;
        let learner = find_member(tx, &inv.caller, learner).await?;
        if learner.id == me.id {
            return refuse(messages::not_your_own());
        }
        let mut found = None;
        let mut known = Vec::new();
        for enrolled in milestones::enrollments(&mut *tx, learner.id).await? {
            let Some(track) = enrolled.track_id else {
                continue;
            };
            let ladder = milestones::ladder(&mut *tx, track, learner.id).await?;
            known.extend(ladder.iter().map(|m| m.slug.clone()));
            if let Some(module) = ladder.into_iter().find(|m| m.slug == slug) {
                found = Some((module, enrolled));
                break;
            }
        }
        let Some((module, enrolled)) = found else {
            let suggestion = suggest(slug, known.iter().map(String::as_str));
            return refuse(messages::unknown_module(slug, suggestion));
        };
        let steward = roles::holds_community_role(&mut *tx, me.id, Role::Steward).await?;
        if !steward
            && !milestones::mentors_in(&mut *tx, me.id, learner.id, enrolled.cohort_id).await?
        {
            return refuse(messages::not_their_mentor(&learner.display_name));
        }
        let Some(milestone) = milestones::find(&mut *tx, learner.id, module.id).await? else {
            return refuse(messages::nothing_submitted(
                &learner.display_name,
                &module.name,
            ));
        };
        match milestone.status {
            MilestoneStatus::Submitted => {}
            MilestoneStatus::Verified => return refuse(messages::already_verified(&module.name)),
            MilestoneStatus::ChangesRequested | MilestoneStatus::Withdrawn => {
                return refuse(messages::nothing_submitted(
                    &learner.display_name,
                    &module.name,
                ));
            }
        }
        Ok(Self {
            learner,
            module,
            enrolled,
            milestone,
        })
    }
}

/// The caller's enrollment (the `cohort` option, or their only one) and its track.
async fn my_track(
    tx: &mut PgConnection,
    inv: &Invocation,
    me: &Member,
) -> ServiceResult<(Enrolled, Uuid)> {
    let mut mine = milestones::enrollments(&mut *tx, me.id).await?;
    let enrolled = match inv.args.text("cohort") {
        Some(typed) => {
            let cohort = find_cohort(tx, inv, typed).await?;
            match mine.into_iter().find(|e| e.cohort_id == cohort.id) {
                Some(e) => e,
                None => return refuse(messages::not_enrolled_in(&cohort.name)),
            }
        }
        None => match mine.len() {
            0 => return refuse(messages::not_enrolled()),
            1 => mine.remove(0),
            _ => {
                let slugs: Vec<String> = mine.iter().map(|e| e.cohort_slug.clone()).collect();
                return refuse(messages::which_cohort(inv.spec.path, &slugs));
            }
        },
    };
    match enrolled.track_id {
        Some(track) => Ok((enrolled, track)),
        None => refuse(messages::no_track(&enrolled.cohort_name)),
    }
}

fn find_module<'a>(ladder: &'a [LadderModule], slug: &str) -> ServiceResult<&'a LadderModule> {
    let slug = slug.to_lowercase();
    match ladder.iter().find(|m| m.slug == slug) {
        Some(module) => Ok(module),
        None => {
            let suggestion = suggest(&slug, ladder.iter().map(|m| m.slug.as_str()));
            refuse(messages::unknown_module(&slug, suggestion))
        }
    }
}

/// Evidence is an absolute http(s) link with a host.
pub fn evidence_url(typed: &str) -> ServiceResult<String> {
    match url::Url::parse(typed.trim()) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => {
            Ok(url.to_string())
        }
        _ => refuse(messages::not_a_link(typed)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_links_with_a_host_are_evidence() {
        assert!(evidence_url("https://example.org/flow").is_ok());
        assert!(evidence_url("http://intranet.local/x?y=1").is_ok());
        for bad in [
            "javascript:alert(1)",
            "ftp://example.org/x",
            "example.org/flow",
            "https://",
            "file:///etc/passwd",
        ] {
            assert!(evidence_url(bad).is_err(), "{bad}");
        }
    }
}
