//! The data policy against the real schema: complete, checked at start, swept daily, and
//! the README's "Privacy" tables made from it.

use chrono::Duration;
use cohortbot::clock::Clock;
use sqlx::PgPool;

use cohortbot::privacy::{Policy, policy};

#[sqlx::test]
async fn every_column_of_the_schema_has_a_policy_and_every_entry_exists(pool: PgPool) {
    let gaps = policy().unwrap().gaps(&pool).await.unwrap();
    assert!(
        gaps.missing.is_empty(),
        "columns with no entry in config/data_policy.toml: {:?}",
        gaps.missing
    );
    assert!(
        gaps.unknown.is_empty(),
        "entries for what the schema lacks: {:?}",
        gaps.unknown
    );
    policy().unwrap().verify(&pool).await.unwrap();
}

/// An erasure finds a member's rows by the policy's `member` columns: every column that
/// refers to a member must be one of them, or the erasure would miss its rows.
#[sqlx::test]
async fn every_reference_to_a_member_says_whose_rows_it_marks(pool: PgPool) {
    let references: Vec<(String, String)> = sqlx::query_as(
        "SELECT c.conrelid::regclass::text, a.attname::text
           FROM pg_constraint c
           JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
          WHERE c.contype = 'f' AND c.confrelid = 'members'::regclass
            AND a.attname <> 'community_id'
          ORDER BY 1, 2",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(references.len() > 40, "{references:?}");
    // Columns naming someone who acted on another member's row (who granted a role, who
    // recorded attendance) do not make the row theirs.
    let actors = [
        "approval_approvers.standing_in_for",
        "circle_invites.by_member",
        "clinic_queue.helper_id",
        "concern_messages.author_id",
        "concerns.closed_by",
        "council_candidates.nominated_by",
        "kb_questions.answered_by",
        "pairings.mentor_id",
        "reviews.claimed_by",
        "tools.backup_owner_id",
    ];
    let policy = policy().unwrap();
    let mut unmarked = Vec::new();
    for (table, column) in &references {
        let marked = policy.tables[table.as_str()]
            .member_links()
            .any(|link| link == cohortbot::privacy::MemberLink::Column(column));
        if !marked && !actors.contains(&format!("{table}.{column}").as_str()) {
            unmarked.push(format!("{table}.{column}"));
        }
    }
    assert!(unmarked.is_empty(), "no `member` entry for {unmarked:?}");
}

#[sqlx::test]
async fn a_new_column_without_a_policy_is_caught_and_an_unknown_one_refused(pool: PgPool) {
    sqlx::query("ALTER TABLE members ADD COLUMN nickname text")
        .execute(&pool)
        .await
        .unwrap();
    let gaps = policy().unwrap().gaps(&pool).await.unwrap();
    assert_eq!(gaps.missing, ["members.nickname"]);
    assert!(gaps.unknown.is_empty());

    // A policy naming a column the schema lacks stops the start, naming it.
    let stale = cohortbot::privacy::policy::POLICY_TOML.replace(
        "[tables.kudos.columns]\n",
        "[tables.kudos.columns]\nemoji = \"blank\"\n",
    );
    let stale = Policy::parse(&stale).unwrap();
    let err = stale.verify(&pool).await.unwrap_err();
    assert_eq!(
        format!("{err:#}"),
        "config/data_policy.toml names `kudos.emoji`, which the database schema does not have: fix or remove the entry"
    );
}

#[sqlx::test]
async fn the_daily_sweep_deletes_only_what_is_past_its_time(pool: PgPool) {
    let bot = super::support::TestBot::new(pool).await;
    let now = bot.clock.now();
    let community: uuid::Uuid = sqlx::query_scalar("SELECT id FROM communities")
        .fetch_one(&bot.pool)
        .await
        .unwrap();
    for (id, days) in [("old", 8), ("new", 6)] {
        sqlx::query(
            "INSERT INTO invocations (community_id, delivery_id, received_at) VALUES ($1, $2, $3)",
        )
        .bind(community)
        .bind(id)
        .bind(now - Duration::days(days))
        .execute(&bot.pool)
        .await
        .unwrap();
    }
    for (key, status, days) in [
        ("sent-old", "sent", 91),
        ("sent-new", "sent", 89),
        ("dead-old", "dead", 91),
    ] {
        sqlx::query(
            "INSERT INTO outbox (community_id, idempotency_key, channel, body, status, created_at, sent_at, next_attempt_at, dead_reason)
             VALUES ($1, $2, 'general', '[]', $3, $4, $4, $4, CASE WHEN $3 = 'dead' THEN 'attempts' END)",
        )
        .bind(community)
        .bind(key)
        .bind(status)
        .bind(now - Duration::days(days))
        .execute(&bot.pool)
        .await
        .unwrap();
    }
    sqlx::query("INSERT INTO kb_missed_searches (community_id, query, searched_at) VALUES ($1, 'old', $2), ($1, 'new', $3)")
        .bind(community)
        .bind(now - Duration::days(91))
        .bind(now - Duration::days(1))
        .execute(&bot.pool)
        .await
        .unwrap();

    let swept = cohortbot::privacy::sweep::run(&bot.pool, policy().unwrap(), now)
        .await
        .unwrap();
    assert_eq!(
        swept,
        [
            ("data_exports".to_owned(), 0),
            ("invocations".to_owned(), 1),
            ("kb_missed_searches".to_owned(), 1),
            ("outbox".to_owned(), 1)
        ]
    );
    let invocations: Vec<String> = sqlx::query_scalar("SELECT delivery_id FROM invocations")
        .fetch_all(&bot.pool)
        .await
        .unwrap();
    assert_eq!(invocations, ["new"]);
    let outbox: Vec<String> =
        sqlx::query_scalar("SELECT idempotency_key FROM outbox ORDER BY idempotency_key")
            .fetch_all(&bot.pool)
            .await
            .unwrap();
    // A dead message stays for `/outbox failed`, however old.
    assert_eq!(outbox, ["dead-old", "sent-new"]);
}

#[test]
fn the_readme_privacy_tables_are_the_policy() {
    let readme = include_str!("../../README.md");
    let start = readme
        .find("<!-- privacy-policy:start -->\n")
        .expect("the README marks its privacy tables");
    let end = readme.find("<!-- privacy-policy:end -->").unwrap();
    let shown = &readme[start + "<!-- privacy-policy:start -->\n".len()..end];
    assert_eq!(
        shown,
        policy().unwrap().markdown(),
        "the README's privacy tables are stale: paste in `cargo run -- privacy policy`"
    );
}
