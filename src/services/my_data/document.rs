//! `cohortbot-export-v1.json`: everything the bot keeps about one member, and none of what
//! other members wrote (a mentor's reply, a kudos received, a reviewer's notes, a vote's
//! comment on their request are counted or named, never quoted).
//!
//! Each section is one query that builds its JSON in PostgreSQL; the schema version is in
//! the document, and a new field is added, never renamed, within a version.

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};
use sqlx::PgPool;
use uuid::Uuid;

/// The document's schema, named in it and in its file name.
pub const SCHEMA: &str = "cohortbot-export-v1";

/// (section, query over `$1` = the member's id returning one JSON value).
const SECTIONS: &[(&str, &str)] = &[
    (
        "member",
        "SELECT jsonb_build_object('platform', m.platform, 'user_id', m.platform_user_id,
                'name', m.display_name, 'time_zone', m.timezone, 'skills', m.skills,
                'department', m.department, 'first_seen', m.created_at,
                'code_of_conduct_accepted', m.coc_accepted_at,
                'code_of_conduct_version', m.coc_version,
                'community', jsonb_build_object('slug', c.slug, 'name', c.name))
           FROM members m JOIN communities c ON c.id = m.community_id WHERE m.id = $1",
    ),
    (
        "roles",
        "SELECT coalesce(jsonb_agg(jsonb_build_object('role', r.role, 'cohort', k.slug,
                'granted', r.granted_at) ORDER BY r.granted_at), '[]')
           FROM member_roles r LEFT JOIN cohorts k ON k.id = r.cohort_id WHERE r.member_id = $1",
    ),
    (
        "enrollments",
        "SELECT coalesce(jsonb_agg(jsonb_build_object('cohort', k.slug, 'track', t.slug,
                'status', e.status, 'joined', e.joined_at, 'left', e.left_at)
                ORDER BY e.joined_at), '[]')
           FROM enrollments e JOIN cohorts k ON k.id = e.cohort_id
           LEFT JOIN tracks t ON t.id = e.track_id WHERE e.member_id = $1",
    ),
    (
        "checkins",
        "SELECT coalesce(jsonb_agg(jsonb_build_object('cohort', k.slug, 'week', c.period,
                'progress', c.progress, 'blockers', c.blockers, 'confidence', c.confidence,
                'hours', c.hours, 'plan', c.plan, 'timing', c.timing,
                'recorded', c.created_at, 'updated', c.updated_at,
                'blocker_resolved', c.blocker_resolved_at,
                'mentor_replies', (SELECT count(*) FROM checkin_replies r WHERE r.checkin_id = c.id))
                ORDER BY c.period, k.slug), '[]')
           FROM checkins c JOIN cohorts k ON k.id = c.cohort_id WHERE c.member_id = $1",
    ),
    (
        "absences",
        "SELECT coalesce(jsonb_agg(jsonb_build_object('scope', a.scope, 'first_day', a.first_day,
                'last_day', a.last_day, 'note', CASE WHEN a.set_by = $1 THEN a.note END,
                'recorded', a.created_at) ORDER BY a.starts_at), '[]')
           FROM absences a WHERE a.member_id = $1",
    ),
    (
        "sessions",
        "SELECT coalesce(jsonb_agg(jsonb_build_object('session', s.number, 'title', s.title,
                'starts', s.starts_at, 'signed_up', r.created_at,
                'attended', EXISTS (SELECT 1 FROM session_attendance a
                                     WHERE a.session_id = s.id AND a.member_id = $1))
                ORDER BY s.starts_at), '[]')
           FROM session_rsvps r JOIN sessions s ON s.id = r.session_id WHERE r.member_id = $1",
    ),
    (
        "talks",
        "SELECT coalesce(jsonb_agg(jsonb_build_object('title', t.title, 'abstract', t.abstract,
                'status', t.status, 'proposed', t.created_at) ORDER BY t.created_at), '[]')
           FROM talks t WHERE t.speaker_id = $1",
    ),
    (
        "milestones",
        "SELECT coalesce(jsonb_agg(jsonb_build_object('module', d.slug, 'status', m.status,
                'evidence', m.evidence_url, 'note', m.note, 'impact', m.impact,
                'hours_saved_per_month', m.hours_saved_per_month,
                'processes_replaced', m.processes_replaced, 'users_reached', m.users_reached,
                'shown_on_dashboard', m.showcase, 'submitted', m.submitted_at,
                'reviewed', m.reviewed_at) ORDER BY m.submitted_at), '[]')
           FROM milestones m JOIN modules d ON d.id = m.module_id WHERE m.member_id = $1",
    ),
    (
        "badges",
        "SELECT coalesce(jsonb_agg(jsonb_build_object('badge', b.name, 'id', b.id,
                'issued', b.issued_at, 'revoked', b.revoked_at) ORDER BY b.issued_at), '[]')
           FROM badges b WHERE b.member_id = $1",
    ),
    (
        "kudos_given",
        "SELECT coalesce(jsonb_agg(jsonb_build_object('to', m.display_name, 'text', k.body,
                'given', k.given_at) ORDER BY k.given_at), '[]')
           FROM kudos k JOIN members m ON m.id = k.receiver_id WHERE k.giver_id = $1",
    ),
    (
        "kudos_received",
        "SELECT coalesce(jsonb_agg(jsonb_build_object('from', m.display_name,
                'given', k.given_at) ORDER BY k.given_at), '[]')
           FROM kudos k JOIN members m ON m.id = k.giver_id WHERE k.receiver_id = $1",
    ),
    (
        "reviews_requested",
        "SELECT coalesce(jsonb_agg(jsonb_build_object('review', r.number, 'url', r.url,
                'topic', r.topic, 'note', r.note, 'status', r.status,
                'requested', r.requested_at, 'done', r.done_at) ORDER BY r.requested_at), '[]')
           FROM reviews r WHERE r.learner_id = $1",
    ),
    (
        "pairings",
        "SELECT coalesce(jsonb_agg(jsonb_build_object('pairing', p.number,
                'as', CASE WHEN p.learner_id = $1 THEN 'learner' ELSE 'mentor' END,
                'topic', CASE WHEN p.learner_id = $1 THEN p.topic END,
                'proposed', p.proposed_at, 'cancelled', p.cancelled_at) ORDER BY p.created_at), '[]')
           FROM pairings p WHERE p.learner_id = $1 OR p.mentor_id = $1",
    ),
    (
        "mentoring",
        "SELECT jsonb_build_object(
                'profile', (SELECT jsonb_build_object('tier', p.tier, 'capacity', p.capacity,
                    'skills', p.skills, 'status', p.status, 'offered', p.offered_at)
                    FROM mentor_profiles p WHERE p.member_id = $1),
                'mentors', (SELECT coalesce(jsonb_agg(jsonb_build_object('mentor', m.display_name,
                    'started', s.started_at, 'ended', s.ended_at) ORDER BY s.started_at), '[]')
                    FROM mentorships s JOIN members m ON m.id = s.mentor_id WHERE s.learner_id = $1),
                'learners', (SELECT coalesce(jsonb_agg(jsonb_build_object('learner', m.display_name,
                    'started', s.started_at, 'ended', s.ended_at) ORDER BY s.started_at), '[]')
                    FROM mentorships s JOIN members m ON m.id = s.learner_id WHERE s.mentor_id = $1),
                'avoid_list', (SELECT coalesce(jsonb_agg(m.display_name ORDER BY m.display_name), '[]')
                    FROM mentor_avoid a JOIN members m ON m.id = a.avoid_member_id WHERE a.member_id = $1))",
    ),
    (
        "circles",
        "SELECT coalesce(jsonb_agg(jsonb_build_object('circle', c.slug, 'role', m.role,
                'joined', m.joined_at) ORDER BY m.joined_at), '[]')
           FROM circle_members m JOIN circles c ON c.id = m.circle_id WHERE m.member_id = $1",
    ),
    (
        "approval_requests",
        "SELECT coalesce(jsonb_agg(jsonb_build_object('request', r.number, 'kind', r.kind,
                'title', r.title, 'justification', r.justification, 'data_class', r.data_class,
                'links', r.links, 'status', r.status, 'filed', r.created_at,
                'decided', r.decided_at,
                'votes', (SELECT coalesce(jsonb_agg(jsonb_build_object('by', m.display_name,
                            'approve', v.approve) ORDER BY v.voted_at), '[]')
                            FROM approval_votes v JOIN members m ON m.id = v.member_id
                           WHERE v.request_id = r.id)) ORDER BY r.created_at), '[]')
           FROM approval_requests r WHERE r.requester_id = $1",
    ),
    (
        "approval_votes",
        "SELECT coalesce(jsonb_agg(jsonb_build_object('request', r.number, 'approve', v.approve,
                'comment', v.comment, 'voted', v.voted_at) ORDER BY v.voted_at), '[]')
           FROM approval_votes v JOIN approval_requests r ON r.id = v.request_id
          WHERE v.member_id = $1",
    ),
    (
        "tools",
        "SELECT coalesce(jsonb_agg(jsonb_build_object('tool', t.number, 'name', t.name,
                'kind', t.kind, 'as', CASE WHEN t.owner_id = $1 THEN 'owner' ELSE 'backup' END,
                'environment', t.environment, 'data_class', t.data_class,
                'users', t.users_estimate,
                'justification', CASE WHEN t.owner_id = $1 THEN t.justification END,
                'status', t.status, 'registered', t.registered_at) ORDER BY t.number), '[]')
           FROM tools t WHERE t.owner_id = $1 OR t.backup_owner_id = $1",
    ),
    // Concerns reported under the member's name: their text and messages, and how many
    // answers the handlers wrote, not what. Anonymous reports are nobody's, so none here.
    (
        "concerns",
        "SELECT coalesce(jsonb_agg(jsonb_build_object('concern', c.number,
                'category', c.category, 'mode', c.mode, 'text', c.body, 'opened', c.opened_on,
                'status', c.status, 'closed', c.closed_at, 'close_reason', c.close_reason,
                'your_messages', (SELECT coalesce(jsonb_agg(jsonb_build_object('text', m.body,
                            'sent', m.sent_on) ORDER BY m.id), '[]')
                            FROM concern_messages m
                           WHERE m.concern_id = c.id AND m.author_id IS NULL),
                'answers_from_the_team', (SELECT count(*) FROM concern_messages m
                           WHERE m.concern_id = c.id AND m.author_id IS NOT NULL))
                ORDER BY c.number), '[]')
           FROM concerns c WHERE c.reporter_id = $1",
    ),
    (
        "streaks",
        "SELECT coalesce(jsonb_agg(jsonb_build_object('cohort', k.slug, 'current', s.current,
                'best', s.best, 'freezes', s.freezes) ORDER BY k.slug), '[]')
           FROM streaks s JOIN cohorts k ON k.id = s.cohort_id WHERE s.member_id = $1",
    ),
    (
        "audit",
        "SELECT coalesce(jsonb_agg(jsonb_build_object('action', a.action, 'at', a.at)
                ORDER BY a.at, a.id), '[]')
           FROM audit_log a WHERE a.actor_member_id = $1",
    ),
];

/// The member's document, read in one snapshot.
pub async fn build(pool: &PgPool, member_id: Uuid, now: DateTime<Utc>) -> Result<Value> {
    let mut tx = pool.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *tx)
        .await?;
    let mut document = Map::new();
    document.insert("schema".into(), json!(SCHEMA));
    document.insert("generated".into(), json!(now));
    for (section, query) in SECTIONS {
        let value: Option<Value> = sqlx::query_scalar(sqlx::AssertSqlSafe(*query))
            .bind(member_id)
            .fetch_optional(&mut *tx)
            .await
            .with_context(|| format!("reading the export's {section}"))?;
        document.insert((*section).into(), value.unwrap_or(Value::Null));
    }
    document.insert(
        "survey_answers".into(),
        json!("Survey answers are anonymous: stored under a key that cannot be traced to you, so they cannot be exported."),
    );
    tx.commit().await?;
    Ok(Value::Object(document))
}
