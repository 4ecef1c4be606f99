//! Reads the program back out of the database in the program file's format.

use std::collections::BTreeMap;

use anyhow::Result;
use sqlx::PgPool;

use super::model::{
    CircleDef, CohortDef, CommunityDef, MentorGroupDef, MentoringDef, ModuleDef, PersonDef,
    ProgramFile, TrackDef,
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
            cohort_defs.push(CohortDef {
                mentor_groups: q::mentor_groups(&mut conn, cohort.id)
                    .await?
                    .into_iter()
                    .map(|(name, lead)| MentorGroupDef { name, lead })
                    .collect(),
                sessions: super::sessions::export(&mut conn, cohort.id).await?,
                slug: cohort.slug,
                name: cohort.name,
                timezone: cohort.timezone,
                starts_on: cohort.starts_on,
                ends_on: cohort.ends_on,
                channel: cohort.channel,
                nudge_after_hours: (cohort.nudge_after_hours != q::DEFAULT_NUDGE_AFTER_HOURS)
                    .then_some(cohort.nudge_after_hours),
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
            people,
            circles,
            cohorts: cohort_defs,
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
