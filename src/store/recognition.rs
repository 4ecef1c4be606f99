//! Monthly mentor recognition: what each of a cohort's mentors did in a window.

use crate::store::pg_row;
use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

pg_row! {
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Credit {
        pub member_id: Uuid,
        pub display_name: String,
        pub opt_out: bool,
        pub checkin_replies: i64,
        pub reviews: i64,
        pub pairings: i64,
        pub kudos: i64,
    }
}

/// Mentors who mentored in the cohort during `[from, to)`, with their activity there.
pub async fn credits(
    ex: impl PgExecutor<'_>,
    cohort_id: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> sqlx::Result<Vec<Credit>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "WITH mentors AS (
             SELECT DISTINCT mentor_id FROM mentorships
             WHERE cohort_id = $1 AND started_at < $3 AND (ended_at IS NULL OR ended_at >= $2))
         SELECT m.id AS member_id, m.display_name,
                coalesce(p.recognition_opt_out, false) AS opt_out,
                (SELECT count(*) FROM checkin_replies r JOIN checkins c ON c.id = r.checkin_id
                  WHERE r.mentor_member_id = m.id AND c.cohort_id = $1
                    AND r.created_at >= $2 AND r.created_at < $3) AS checkin_replies,
                (SELECT count(*) FROM reviews v
                  WHERE v.claimed_by = m.id AND v.cohort_id = $1 AND v.status = 'done'
                    AND v.done_at >= $2 AND v.done_at < $3) AS reviews,
                (SELECT count(*) FROM pairings p
                  WHERE p.mentor_id = m.id AND p.cohort_id = $1 AND {MET}
                    AND p.proposed_at >= $2 AND p.proposed_at < $3) AS pairings,
                (SELECT count(*) FROM kudos k
                  WHERE k.receiver_id = m.id AND k.given_at >= $2 AND k.given_at < $3) AS kudos
         FROM mentors x JOIN members m ON m.id = x.mentor_id
         LEFT JOIN mentor_profiles p ON p.member_id = m.id
         ORDER BY m.display_name, m.id",
        MET = super::pairings::MET
    )))
    .bind(cohort_id)
    .bind(from)
    .bind(to)
    .fetch_all(ex)
    .await
}
