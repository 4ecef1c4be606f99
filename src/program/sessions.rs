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
    }
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
                every_weeks, duration_minutes, slots, location, timezone)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
            ON CONFLICT (cohort_id, slug) DO UPDATE SET kind = EXCLUDED.kind, title = EXCLUDED.title,
                cron = EXCLUDED.cron, every_weeks = EXCLUDED.every_weeks,
                duration_minutes = EXCLUDED.duration_minutes, slots = EXCLUDED.slots,
                location = EXCLUDED.location, timezone = EXCLUDED.timezone
            WHERE (t.kind, t.title, t.cron, t.every_weeks, t.duration_minutes, t.slots, t.location,
                   t.timezone)
                  IS DISTINCT FROM (EXCLUDED.kind, EXCLUDED.title, EXCLUDED.cron, EXCLUDED.every_weeks,
                                    EXCLUDED.duration_minutes, EXCLUDED.slots, EXCLUDED.location,
                                    EXCLUDED.timezone)
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
    sqlx::query_as(
        "SELECT slug, kind, title, cron, timezone, every_weeks, duration_minutes, slots, location
         FROM session_series WHERE cohort_id = $1 ORDER BY slug",
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
