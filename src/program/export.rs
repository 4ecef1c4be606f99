//! Reads the program back out of the database in the program file's format.

use std::collections::BTreeMap;

use anyhow::Result;
use sqlx::PgPool;

use super::model::{
    CircleDef, CohortDef, CommunityDef, ContinuityDef, DayOffDef, EarnedRoleDef, InsightDef,
    KnowledgeDef, MentorGroupDef, MentoringDef, ModuleDef, PersonDef, ProgramFile, TrackDef,
};
use crate::store::{cohorts, program as q};

pub async fn export(pool: &PgPool) -> Result<ProgramFile> {
    let mut conn = pool.acquire().await?;
    let mut communities = Vec::new();
    for row in q::communities(&mut conn).await? {
        let people = q::people(&mut conn, row.id)
            .await?
            .into_iter()
            .map(|p| PersonDef {
                platform: p.platform,
                user_id: p.platform_user_id,
                name: p.display_name,
                timezone: p.timezone,
                skills: p.skills,
                roles: p.roles,
            })
            .collect();
        let circles = q::circles(&mut conn, row.id)
            .await?
            .into_iter()
            .map(CircleDef::from)
            .collect();
        let all_tracks = cohorts::tracks(&mut *conn, row.id).await?;
        let mut cohort_defs = Vec::new();
        for cohort in cohorts::list(&mut *conn, row.id).await? {
            let schedules: BTreeMap<String, String> = q::schedules(&mut conn, cohort.id)
                .await?
                .into_iter()
                .collect();
            let modules = q::modules(&mut conn, cohort.id).await?;
            let tracks = all_tracks
                .iter()
                .filter(|t| t.cohort_id == cohort.id)
                .map(|t| TrackDef {
                    slug: t.slug.clone(),
                    name: t.name.clone(),
                    kind: t.kind.clone(),
                    modules: modules
                        .iter()
                        .filter(|m| m.track_id == t.id)
                        .map(|m| ModuleDef {
                            slug: m.slug.clone(),
                            name: m.name.clone(),
                            requires: m.requires.clone(),
                            capstone: m.capstone,
                            badge: m.badge.clone(),
                        })
                        .collect(),
                })
                .collect();
            let (discord_events, interested_is_rsvp) =
                crate::store::cohorts::discord_event_options(&mut *conn, cohort.id).await?;
            cohort_defs.push(CohortDef {
                mentor_groups: q::mentor_groups(&mut conn, cohort.id)
                    .await?
                    .into_iter()
                    .map(|(name, lead)| MentorGroupDef { name, lead })
                    .collect(),
                sessions: super::sessions::export(&mut conn, cohort.id).await?,
                days_off: days_off_defs(
                    &crate::store::days_off::from_program(&mut *conn, cohort.id).await?,
                ),
                slug: cohort.slug,
                name: cohort.name,
                timezone: cohort.timezone,
                starts_on: cohort.starts_on,
                ends_on: cohort.ends_on,
                channel: cohort.channel,
                nudge_after_hours: (cohort.nudge_after_hours != q::DEFAULT_NUDGE_AFTER_HOURS)
                    .then_some(cohort.nudge_after_hours),
                discord_events,
                interested_is_rsvp,
                schedules,
                tracks,
            });
        }
        communities.push(CommunityDef {
            slug: row.slug,
            name: row.name,
            code_of_conduct: Some(row.code_of_conduct),
            discord_guild_id: row.discord_guild_id,
            slack_team_id: row.slack_team_id,
            governance_channel: row.governance_channel,
            concern_space_channel: row.concern_space_channel,
            people,
            circles,
            cohorts: cohort_defs,
            knowledge: crate::store::knowledge::seeds(&mut conn, row.id)
                .await?
                .into_iter()
                .map(KnowledgeDef::from)
                .collect(),
            earned_roles: q::earned_roles(&mut *conn, row.id)
                .await?
                .into_iter()
                .map(EarnedRoleDef::from)
                .collect(),
            continuity: crate::store::absences::stored_settings(&mut *conn, row.id)
                .await?
                .map(|s| ContinuityDef {
                    absence_max_days: s.absence_max_days,
                    away_days_excuse: s.away_days_excuse,
                    checkin_opens: s.window.opens_text(),
                    checkin_closes: s.window.closes_text(),
                }),
            insight: crate::store::surveys::stored_min_group(&mut *conn, row.id)
                .await?
                .map(|min_group| InsightDef { min_group }),
            approvals: crate::store::approvals::policies(&mut *conn, row.id)
                .await?
                .iter()
                .map(crate::program::model::ApprovalPolicyDef::from_policy)
                .collect(),
            tools: crate::store::tools::stored_settings(&mut *conn, row.id)
                .await?
                .map(crate::program::model::ToolsDef::from_settings),
            council: crate::store::council::settings(&mut *conn, row.id)
                .await?
                .map(crate::program::model::CouncilDef::from_settings),
            mentoring: crate::store::mentoring::stored_settings(&mut *conn, row.id)
                .await?
                .map(|s| MentoringDef {
                    waking_hours: s.waking().to_string(),
                    guide: s.guide,
                    rotation_weeks: s.rotation_weeks,
                    group_size: s.group_size,
                    review_channel: s.review_channel,
                    review_escalate_hours: s.review_escalate_hours,
                    inactive_days: s.inactive_days,
                }),
        });
    }
    Ok(ProgramFile { communities })
}

/// Days back as the file wrote them: a Monday-to-Sunday run with one label is its ISO week.
fn days_off_defs(days: &[(chrono::NaiveDate, String)]) -> Vec<DayOffDef> {
    use chrono::Datelike;
    let mut defs = Vec::new();
    let mut i = 0;
    while i < days.len() {
        let (day, label) = &days[i];
        let whole_week = day.weekday() == chrono::Weekday::Mon
            && days.len() >= i + 7
            && (1..7).all(|k| {
                let (d, l) = &days[i + k];
                *d == *day + chrono::Days::new(k as u64) && l == label
            });
        if whole_week {
            defs.push(DayOffDef {
                day: crate::domain::Period::of_day(*day).to_string(),
                label: label.clone(),
            });
            i += 7;
        } else {
            defs.push(DayOffDef {
                day: day.to_string(),
                label: label.clone(),
            });
            i += 1;
        }
    }
    defs
}
