//! Recurring sessions in the program file (`[[community.cohorts.sessions]]`): the shape,
//! its checks, and the upsert. Occurrences are created by the scheduler
//! (`services::events::series`).

use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::commands::catalog::{LOCATION_MAX, NAME_MAX, SESSION_KINDS};
use crate::domain::{Slug, clean_line, parse_timezone};
use crate::store::pg_row;
use crate::store::program::Change;
use crate::store::sessions::Selection;

pg_row! {
    /// "Lightning talks every other Thursday 16:00": `cron = "0 16 * * THU"`, `every_weeks = 2`.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct SessionSeriesDef {
        pub slug: String,
        /// `lightning_talks`, `demo_day`, `clinic` or `office_hours`.
        pub kind: String,
        pub title: String,
        /// When it starts (5 fields), in `timezone`.
        pub cron: String,
        /// The zone the cron is read in (IANA); the cohort's when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub timezone: Option<String>,
        /// 2 = every other week, counted from the cohort's first week.
        #[serde(default = "one", skip_serializing_if = "is_one")]
        pub every_weeks: i32,
        #[serde(default = "sixty")]
        pub duration_minutes: i32,
        #[serde(default)]
        pub slots: i32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub location: Option<String>,
        /// `first_come` (each RSVP is a place) or `host_picks` (`/event pick` chooses
        /// attendees from the sign-ups).
        #[serde(default = "first_come", skip_serializing_if = "is_first_come")]
        pub selection: String,
        /// Sign-ups close this long before each start, like `2h` or `1d`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub rsvp_closes_before: Option<String>,
    }
}

fn first_come() -> String {
    Selection::FirstCome.as_str().to_owned()
}

fn is_first_come(selection: &String) -> bool {
    selection == Selection::FirstCome.as_str()
}

/// Longest `rsvp_closes_before`: two weeks, the Discord events' horizon.
pub const RSVP_CLOSES_BEFORE_MAX_MINUTES: i32 = 14 * 24 * 60;

/// `rsvp_closes_before` in whole minutes, or what is wrong with it.
pub fn closes_before_minutes(text: &str) -> Result<i32, String> {
    let minutes = humantime::parse_duration(text.trim())
        .map_err(|_| format!("`{text}` is not a duration like `2h`, `90m` or `1d`"))?
        .as_secs()
        / 60;
    i32::try_from(minutes)
        .ok()
        .filter(|m| *m <= RSVP_CLOSES_BEFORE_MAX_MINUTES)
        .ok_or_else(|| format!("`{text}` is longer than two weeks"))
}

fn one() -> i32 {
    1
}

fn is_one(n: &i32) -> bool {
    *n == 1
}

fn sixty() -> i32 {
    60
}

pub fn check(problems: &mut Vec<String>, at: &str, series: &[SessionSeriesDef]) {
    let mut seen = std::collections::HashSet::new();
    for s in series {
        let here = format!("{at}, session `{}`", s.slug);
        if Slug::parse(&s.slug).is_err() {
            problems.push(format!(
                "{here}: not a valid id (lowercase letters, digits and -)"
            ));
        }
        if !seen.insert(s.slug.as_str()) {
            problems.push(format!("{here}: listed twice"));
        }
        if !SESSION_KINDS.contains(&s.kind.as_str()) {
            problems.push(format!(
                "{here}: unknown kind `{}` (known: {})",
                s.kind,
                SESSION_KINDS.join(", ")
            ));
        }
        if let Err(err) = clean_line("title", &s.title, NAME_MAX) {
            problems.push(format!("{here}: {err}"));
        }
        if let Some(location) = &s.location
            && let Err(err) = clean_line("location", location, LOCATION_MAX)
        {
            problems.push(format!("{here}: {err}"));
        }
        if s.selection.parse::<Selection>().is_err() {
            problems.push(format!(
                "{here}: selection must be `first_come` or `host_picks`, not `{}`",
                s.selection
            ));
        }
        if let Some(text) = &s.rsvp_closes_before
            && let Err(err) = closes_before_minutes(text)
        {
            problems.push(format!("{here}: rsvp_closes_before {err}"));
        }
        if let Err(err) = crate::schedule::CronExpr::parse(&s.cron) {
            problems.push(format!("{here}: {err}"));
        }
        if let Some(zone) = &s.timezone
            && let Err(err) = parse_timezone(zone)
        {
            problems.push(format!("{here}: {err}"));
        }
        for (name, value, range) in [
            ("every_weeks", s.every_weeks, 1..=8),
            ("duration_minutes", s.duration_minutes, 5..=600),
            ("slots", s.slots, 0..=50),
        ] {
            if !range.contains(&value) {
                problems.push(format!(
                    "{here}: {name} must be {} to {}, not {value}",
                    range.start(),
                    range.end()
                ));
            }
        }
    }
}

pub async fn upsert(
    conn: &mut PgConnection,
    community_id: Uuid,
    cohort_id: Uuid,
    def: &SessionSeriesDef,
) -> sqlx::Result<Change> {
    let row: (String,) = sqlx::query_as(
        "WITH up AS (
            INSERT INTO session_series AS t (id, community_id, cohort_id, slug, kind, title, cron,
                every_weeks, duration_minutes, slots, location, timezone, selection,
                rsvp_closes_before_minutes)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
            ON CONFLICT (cohort_id, slug) DO UPDATE SET kind = EXCLUDED.kind, title = EXCLUDED.title,
                cron = EXCLUDED.cron, every_weeks = EXCLUDED.every_weeks,
                duration_minutes = EXCLUDED.duration_minutes, slots = EXCLUDED.slots,
                location = EXCLUDED.location, timezone = EXCLUDED.timezone,
                selection = EXCLUDED.selection,
                rsvp_closes_before_minutes = EXCLUDED.rsvp_closes_before_minutes
            WHERE (t.kind, t.title, t.cron, t.every_weeks, t.duration_minutes, t.slots, t.location,
                   t.timezone, t.selection, t.rsvp_closes_before_minutes)
                  IS DISTINCT FROM (EXCLUDED.kind, EXCLUDED.title, EXCLUDED.cron, EXCLUDED.every_weeks,
                                    EXCLUDED.duration_minutes, EXCLUDED.slots, EXCLUDED.location,
                                    EXCLUDED.timezone, EXCLUDED.selection,
                                    EXCLUDED.rsvp_closes_before_minutes)
            RETURNING (xmax = 0) AS inserted)
         SELECT CASE WHEN inserted THEN 'created' ELSE 'updated' END FROM up
         UNION ALL SELECT 'unchanged' WHERE NOT EXISTS (SELECT 1 FROM up)",
    )
    .bind(Uuid::new_v4())
    .bind(community_id)
    .bind(cohort_id)
    .bind(&def.slug)
    .bind(&def.kind)
    .bind(&def.title)
    .bind(&def.cron)
    .bind(def.every_weeks)
    .bind(def.duration_minutes)
    .bind(def.slots)
    .bind(&def.location)
    // Stored canonically (`Europe/London`), as the scheduler reads it.
    .bind(
        def.timezone
            .as_deref()
            .and_then(|z| parse_timezone(z).ok())
            .map(|tz| tz.name()),
    )
    .bind(&def.selection)
    .bind(
        def.rsvp_closes_before
            .as_deref()
            .and_then(|t| closes_before_minutes(t).ok()),
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(match row.0.as_str() {
        "created" => Change::Created,
        "updated" => Change::Updated,
        _ => Change::Unchanged,
    })
}

pub async fn export(
    conn: &mut PgConnection,
    cohort_id: Uuid,
) -> sqlx::Result<Vec<SessionSeriesDef>> {
    // The closing back as the file writes it: whole days, hours, or minutes.
    sqlx::query_as(
        "SELECT slug, kind, title, cron, timezone, every_weeks, duration_minutes, slots, location,
                selection,
                CASE WHEN m IS NULL THEN NULL
                     WHEN m > 0 AND m % 1440 = 0 THEN (m / 1440) || 'd'
                     WHEN m > 0 AND m % 60 = 0 THEN (m / 60) || 'h'
                     ELSE m || 'm' END AS rsvp_closes_before
         FROM session_series, LATERAL (SELECT rsvp_closes_before_minutes AS m) closing
         WHERE cohort_id = $1 ORDER BY slug",
    )
    .bind(cohort_id)
    .fetch_all(conn)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series() -> SessionSeriesDef {
        SessionSeriesDef {
            slug: "lightning-talks".into(),
            kind: "lightning_talks".into(),
            title: "Lightning talks".into(),
            cron: "0 16 * * THU".into(),
            timezone: None,
            every_weeks: 2,
            duration_minutes: 60,
            slots: 4,
            location: None,
            selection: "host_picks".into(),
            rsvp_closes_before: Some("2h".into()),
        }
    }

    #[test]
    fn a_good_series_passes_and_each_bad_field_is_named() {
        let mut problems = Vec::new();
        check(&mut problems, "c", &[series()]);
        assert!(problems.is_empty(), "{problems:?}");

        let bad = SessionSeriesDef {
            kind: "party".into(),
            cron: "0 25 * * THU".into(),
            timezone: Some("Europe/Londn".into()),
            every_weeks: 0,
            slots: 99,
            title: " ".into(),
            selection: "lottery".into(),
            rsvp_closes_before: Some("soon".into()),
            ..series()
        };
        check(&mut problems, "c", &[bad, series(), series()]);
        let text = problems.join("\n");
        for expected in [
            "unknown kind `party`",
            "every_weeks must be 1 to 8, not 0",
            "slots must be 0 to 50, not 99",
            "`title` can't be empty",
            "listed twice",
            "Europe/London",
            "selection must be `first_come` or `host_picks`, not `lottery`",
            "rsvp_closes_before `soon` is not a duration",
        ] {
            assert!(text.contains(expected), "{expected}: {text}");
        }
        assert!(
            problems
                .iter()
                .any(|p| p.contains("0 25 * * THU") || p.contains("hour")),
            "{text}"
        );
    }
}
