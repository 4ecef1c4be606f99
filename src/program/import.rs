//! Applies a program file to the database in one transaction, idempotently.

use std::collections::HashMap;
use std::fmt;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use super::model::{CommunityDef, ProgramFile, parse_role_entry};
use crate::commands::catalog::{KB_BODY_MAX, KB_TITLE_MAX};
use crate::domain::DayOrWeek;
use crate::domain::clean_line;
use crate::domain::text::clean_paragraph;
use crate::matching::waking::WakingHours;
use crate::store::days_off::{self, Source};
use crate::store::knowledge::{self, NewEntry};
use crate::store::program::{self as q, Change};
use crate::store::{audit, roles};

/// How many rows the import created, updated or found already right.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ImportReport {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
}

impl ImportReport {
    fn count(&mut self, change: Change) {
        match change {
            Change::Created => self.created += 1,
            Change::Updated => self.updated += 1,
            Change::Unchanged => self.unchanged += 1,
        }
    }

    pub fn changed_nothing(&self) -> bool {
        self.created == 0 && self.updated == 0
    }
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} created, {} updated, {} unchanged",
            self.created, self.updated, self.unchanged
        )
    }
}

/// Upserts everything in `program`. Nothing is deleted: rows the file no longer lists stay.
pub async fn import(
    pool: &PgPool,
    program: &ProgramFile,
    now: DateTime<Utc>,
) -> Result<ImportReport> {
    let mut tx = pool.begin().await?;
    let mut report = ImportReport::default();
    for community in &program.communities {
        import_community(&mut tx, community, now, &mut report)
            .await
            .with_context(|| format!("importing community `{}`", community.slug))?;
    }
    tx.commit().await?;
    Ok(report)
}

async fn import_community(
    conn: &mut sqlx::PgConnection,
    def: &CommunityDef,
    now: DateTime<Utc>,
    report: &mut ImportReport,
) -> Result<()> {
    if def.code_of_conduct.is_none()
        && crate::store::communities::by_slug(&mut *conn, &def.slug)
            .await?
            .is_none()
    {
        anyhow::bail!(
            "community `{}` is new, so it needs a code_of_conduct",
            def.slug
        );
    }
    let (community_id, change) = q::upsert_community(conn, &def.seed(), now).await?;
    report.count(change);

    let mut people: HashMap<&str, Uuid> = HashMap::new();
    for person in &def.people {
        let (id, change) = q::insert_person(conn, community_id, &person.seed(), now).await?;
        report.count(change);
        people.insert(person.user_id.as_str(), id);
    }
    for circle in &def.circles {
        let (circle_id, change) = q::upsert_circle(conn, community_id, &circle.row(), now).await?;
        report.count(change);
        for lead in &circle.leads {
            // Validated: every lead is one of `people`.
            let Some(member_id) = people.get(lead.as_str()) else {
                continue;
            };
            if crate::store::circles::make_lead(&mut *conn, circle_id, *member_id, now).await? {
                report.updated += 1;
            }
        }
    }
    if let Some(mentoring) = &def.mentoring {
        // Validated with the rest of the file before any write.
        let waking = WakingHours::parse(&mentoring.waking_hours).unwrap_or_default();
        let settings = crate::store::mentoring::Settings {
            guide: mentoring.guide.clone(),
            rotation_weeks: mentoring.rotation_weeks,
            group_size: mentoring.group_size,
            review_channel: mentoring.review_channel.clone(),
            review_escalate_hours: mentoring.review_escalate_hours,
            inactive_days: mentoring.inactive_days,
            waking_start_minute: waking.start_minute as i32,
            waking_end_minute: waking.end_minute as i32,
        };
        if crate::store::mentoring::save_settings(&mut *conn, community_id, &settings).await? {
            report.updated += 1;
        } else {
            report.unchanged += 1;
        }
    }

    if let Some(settings) = def.continuity.as_ref().and_then(|c| c.settings()) {
        if crate::store::absences::save_settings(&mut *conn, community_id, settings).await? {
            report.updated += 1;
        } else {
            report.unchanged += 1;
        }
    }

    if let Some(insight) = &def.insight {
        if crate::store::surveys::save_min_group(&mut *conn, community_id, insight.min_group)
            .await?
        {
            report.updated += 1;
        } else {
            report.unchanged += 1;
        }
    }

    // Validated with the rest of the file before any write.
    for policy in def.approvals.iter().filter_map(|a| a.policy()) {
        if crate::store::approvals::save_policy(&mut *conn, community_id, &policy).await? {
            report.updated += 1;
        } else {
            report.unchanged += 1;
        }
    }

    if let Some(tools) = &def.tools {
        if crate::store::tools::save_settings(&mut *conn, community_id, &tools.settings()).await? {
            report.updated += 1;
        } else {
            report.unchanged += 1;
        }
    }

    if let Some(council) = &def.council {
        let before = crate::store::council::settings(&mut *conn, community_id).await?;
        let after = council.settings();
        if crate::store::council::save_settings(&mut *conn, community_id, &after).await? {
            if let Some(before) = before {
                crate::services::council::terms_changed(conn, community_id, &before, &after, now)
                    .await?;
            }
            report.updated += 1;
        } else {
            report.unchanged += 1;
        }
    }

    let mut cohorts: HashMap<&str, Uuid> = HashMap::new();
    for cohort in &def.cohorts {
        let (cohort_id, change) = q::upsert_cohort(conn, community_id, &cohort.seed(), now).await?;
        report.count(change);
        cohorts.insert(cohort.slug.as_str(), cohort_id);
        for (kind, cron) in &cohort.schedules {
            report.count(q::upsert_schedule(conn, community_id, cohort_id, kind, cron).await?);
        }
        for track in &cohort.tracks {
            let (track_id, change) =
                q::upsert_track(conn, community_id, cohort_id, &track.seed()).await?;
            report.count(change);
            let mut module_ids = Vec::with_capacity(track.modules.len());
            for (position, module) in (1..).zip(&track.modules) {
                let (module_id, change) =
                    q::upsert_module(conn, community_id, track_id, position, &module.seed())
                        .await?;
                report.count(change);
                module_ids.push(module_id);
            }
            // Links need every module of the track to exist first.
            for (module, module_id) in track.modules.iter().zip(module_ids) {
                let (added, removed) =
                    q::set_prerequisites(conn, community_id, track_id, module_id, &module.requires)
                        .await?;
                report.created += added;
                report.updated += removed;
            }
        }
        for series in &cohort.sessions {
            report.count(super::sessions::upsert(conn, community_id, cohort_id, series).await?);
        }
        // The file's days off replace those it set before; `/cohort dayoff` ones stay.
        days_off::clear_program(&mut *conn, cohort_id).await?;
        for day_off in &cohort.days_off {
            // Validated with the rest of the file before any write.
            let days = DayOrWeek::parse(&day_off.day).map(DayOrWeek::days);
            let days = days.unwrap_or_default();
            let label = day_off.label.as_str();
            days_off::add(
                &mut *conn,
                community_id,
                cohort_id,
                &days,
                label,
                Source::Program,
            )
            .await?;
        }
        for group in &cohort.mentor_groups {
            let lead = group.lead.as_deref().and_then(|l| people.get(l).copied());
            report.count(
                q::upsert_mentor_group(conn, community_id, cohort_id, &group.name, lead)
                    .await?
                    .1,
            );
        }
    }

    for rule in &def.earned_roles {
        // Validated with the rest of the file before any write.
        if let Some(seed) = rule.seed() {
            report.count(q::upsert_earned_role(conn, community_id, &seed).await?.1);
        }
    }

    for entry in &def.knowledge {
        // Validated with the rest of the file before any write; cleaned as typed text is.
        let at = || format!("knowledge entry `{}`", entry.id);
        let title = clean_line("title", &entry.title, KB_TITLE_MAX).with_context(at)?;
        let body = clean_paragraph("body", &entry.body, KB_BODY_MAX).with_context(at)?;
        let tags =
            crate::domain::tags::tags(entry.tags.iter().map(String::as_str)).with_context(at)?;
        let owner = match &entry.owner {
            Some(owner) => Some(*people.get(owner.as_str()).with_context(at)?),
            None => None,
        };
        let cohort_id = match &entry.cohort {
            Some(slug) => Some(*cohorts.get(slug.as_str()).with_context(at)?),
            None => None,
        };
        let seed = NewEntry {
            community_id,
            slug: &entry.id,
            kind: &entry.kind,
            title: &title,
            body: &body,
            tags: &tags,
            owner_id: owner,
            visibility: &entry.visibility,
            cohort_id,
            circle_id: None,
            verify_every_days: entry.verify_every_days,
            draft: false,
        };
        report.count(knowledge::upsert_seed(conn, &seed, &entry.aliases, now).await?);
    }

    for person in &def.people {
        let member_id = *people
            .get(person.user_id.as_str())
            .context("person was imported above")?;
        for entry in &person.roles {
            let (role, cohort) = parse_role_entry(entry).context("role entry was validated")?;
            let cohort_id = match cohort {
                Some(slug) => Some(
                    *cohorts
                        .get(slug)
                        .with_context(|| format!("role `{entry}` names an unknown cohort"))?,
                ),
                None => None,
            };
            let granted = roles::grant(
                &mut *conn,
                community_id,
                member_id,
                role,
                cohort_id,
                None,
                now,
            )
            .await?;
            report.count(if granted {
                Change::Created
            } else {
                Change::Unchanged
            });
        }
    }

    if !report.changed_nothing() {
        let detail = serde_json::json!({ "created": report.created, "updated": report.updated });
        audit::record(
            &mut *conn,
            community_id,
            None,
            "program.import",
            detail,
            now,
        )
        .await?;
    }
    Ok(())
}
