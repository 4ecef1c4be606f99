//! The migrations embedded in the bot are the ones sqlx itself reads from `migrations/`.

use cohortbot::store::{Database, MIGRATOR};
use sqlx::PgPool;

/// `#[sqlx::test]` has applied `migrations/` through sqlx's own file reader. The bot's list
/// must name, number and checksum every one the same way, or a database migrated by one
/// would be refused by the other.
#[sqlx::test]
async fn the_embedded_list_matches_what_sqlx_applied_from_the_directory(pool: PgPool) {
    let applied: Vec<(i64, String, Vec<u8>)> = sqlx::query_as(
        "SELECT version, description, checksum FROM _sqlx_migrations ORDER BY version",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let embedded: Vec<(i64, String, Vec<u8>)> = MIGRATOR
        .iter()
        .map(|m| (m.version, m.description.to_string(), m.checksum.to_vec()))
        .collect();
    assert_eq!(applied, embedded);

    // Running the bot's migrator on top validates every checksum and applies nothing.
    Database::from_pool(pool.clone()).migrate().await.unwrap();
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(rows, embedded.len() as i64);
}

/// Mentors paused before absences existed are paused after: an open pause and one with a
/// last day to come become absences of scope `mentoring`; a pause already over does not.
#[sqlx::test(migrations = false)]
async fn existing_mentor_pauses_become_mentoring_absences(pool: PgPool) {
    use sqlx::migrate::Migrator;
    let before = Migrator::with_migrations(
        MIGRATOR
            .iter()
            .filter(|m| m.version < 22)
            .cloned()
            .collect(),
    );
    before.run(&pool).await.unwrap();
    sqlx::raw_sql(
        "INSERT INTO communities (id, slug, name, code_of_conduct, created_at)
         VALUES ('00000000-0000-0000-0000-000000000001', 'c', 'C', 'Be kind.', now());
         INSERT INTO members (id, community_id, platform, platform_user_id, display_name, created_at)
         SELECT ('00000000-0000-0000-0000-00000000010' || n)::uuid,
                '00000000-0000-0000-0000-000000000001', 'shell', 'm' || n, 'M' || n, now()
         FROM generate_series(1, 4) n;
         INSERT INTO mentor_profiles (member_id, community_id, tier, capacity, status, offered_at, paused, paused_until)
         VALUES ('00000000-0000-0000-0000-000000000101', '00000000-0000-0000-0000-000000000001', 'community', 3, 'approved', now(), true, NULL),
                ('00000000-0000-0000-0000-000000000102', '00000000-0000-0000-0000-000000000001', 'community', 3, 'approved', now(), true, current_date + 30),
                ('00000000-0000-0000-0000-000000000103', '00000000-0000-0000-0000-000000000001', 'community', 3, 'approved', now(), true, current_date - 1),
                ('00000000-0000-0000-0000-000000000104', '00000000-0000-0000-0000-000000000001', 'community', 3, 'approved', now(), false, NULL)",
    )
    .execute(&pool)
    .await
    .unwrap();
    MIGRATOR.run(&pool).await.unwrap();

    let paused: Vec<(String, bool, String)> = sqlx::query_as(
        "SELECT m.platform_user_id, mentor_paused(m.id, now() + interval '1 day'), coalesce(a.scope, '-')
         FROM members m LEFT JOIN absences a ON a.member_id = m.id ORDER BY 1",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let expected = [
        ("m1", true, "mentoring"),
        ("m2", true, "mentoring"),
        ("m3", false, "-"),
        ("m4", false, "-"),
    ];
    let expected: Vec<(String, bool, String)> = expected
        .iter()
        .map(|(m, p, s)| (m.to_string(), *p, s.to_string()))
        .collect();
    assert_eq!(paused, expected);
    // The dated pause still ends after its last day.
    let ends_after_last_day: bool = sqlx::query_scalar(
        "SELECT NOT mentor_paused(member_id, (current_date + 31)::timestamp AT TIME ZONE 'UTC')
         FROM absences WHERE last_day IS NOT NULL",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(ends_after_last_day);
}
