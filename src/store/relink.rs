//! Moving a member's history to their new platform account: what already refers to the
//! new account's own row, and the move itself.

use sqlx::PgConnection;
use uuid::Uuid;

/// Tables that only cache what a platform said about an account (a DM channel, the roles
/// last seen, the Home last published, an open yes/no question): rows here are not
/// history, and are dropped rather than moved.
pub const CACHES: [&str; 4] = [
    "discord_dm_channels",
    "discord_member_roles",
    "home_views",
    "questions",
];

/// The tables, other than [`CACHES`], holding rows that refer to `member`: a history of
/// its own. Read from the schema's foreign keys, so a new table is never missed.
pub async fn history_of(conn: &mut PgConnection, member: Uuid) -> sqlx::Result<Vec<String>> {
    let references: Vec<(String, String)> = sqlx::query_as(
        "SELECT DISTINCT c.conrelid::regclass::text, a.attname::text
           FROM pg_constraint c
           JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
          WHERE c.contype = 'f' AND c.confrelid = 'members'::regclass
            AND a.attname <> 'community_id'
          ORDER BY 1, 2",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut tables = Vec::new();
    for (table, column) in references {
        if CACHES.contains(&table.as_str()) || tables.contains(&table) {
            continue;
        }
        // Names from the catalog, quoted; the id is bound.
        let found: bool = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT EXISTS (SELECT 1 FROM {} WHERE {} = $1)",
            quote(&table),
            quote(&column)
        )))
        .bind(member)
        .fetch_one(&mut *conn)
        .await?;
        if found {
            tables.push(table);
        }
    }
    Ok(tables)
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Gives `member` the platform account `account`: the row `unused` (the new account's own
/// row, with no history) goes first, and the caches about the old account with it.
pub async fn relink(
    conn: &mut PgConnection,
    member: Uuid,
    account: &str,
    unused: Option<Uuid>,
) -> sqlx::Result<()> {
    for table in CACHES {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM {} WHERE member_id = ANY ($1)",
            quote(table)
        )))
        .bind(
            [Some(member), unused]
                .into_iter()
                .flatten()
                .collect::<Vec<Uuid>>(),
        )
        .execute(&mut *conn)
        .await?;
    }
    if let Some(unused) = unused {
        sqlx::query("DELETE FROM members WHERE id = $1")
            .bind(unused)
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query("UPDATE members SET platform_user_id = $2 WHERE id = $1")
        .bind(member)
        .bind(account)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
