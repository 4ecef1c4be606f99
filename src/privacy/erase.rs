//! Erasure: the data policy applied to one member's rows. Rows that are only theirs are
//! deleted, their free text is blanked, and the member row stays as a tombstone ("Former
//! member"), so other people's records and the program's numbers stay whole.
//!
//! The policy says what happens to each table and column and which columns make a row a
//! member's (`member`); this module turns that into SQL, and adds what a tombstone needs
//! beyond the policy: posts not yet sent are cancelled, cohorts are left (so nothing is
//! prompted again), and credentials are revoked.

use std::collections::{HashMap, HashSet};

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::policy::{Action, MemberLink, Policy, TablePolicy};

/// What an erased member is called wherever their name was.
pub const TOMBSTONE_NAME: &str = "Former member";
/// Why an erased member's credentials are revoked, as the status list and the badge say.
pub const ERASED_REASON: &str = "erased at the holder's request";

/// What an erasure changed: rows per table, and the posts it cancelled.
#[derive(Debug, Default)]
pub struct Erased {
    pub rows: Vec<(String, u64)>,
    pub cancelled_posts: u64,
    pub blanked_posts: u64,
    pub cohorts_left: u64,
    pub badges_revoked: u64,
}

/// A column's type, as far as blanking and anonymising need it.
struct ColumnType {
    data_type: String,
    nullable: bool,
    unique: bool,
}

/// Erases `member` in the caller's transaction. The member row is marked `erased_at`.
pub async fn apply(
    tx: &mut PgConnection,
    policy: &Policy,
    member: Uuid,
    now: DateTime<Utc>,
) -> Result<Erased> {
    let types = column_types(&mut *tx)
        .await
        .context("reading the schema's column types")?;
    let (name, platform_user_id): (String, String) =
        sqlx::query_as("SELECT display_name, platform_user_id FROM members WHERE id = $1")
            .bind(member)
            .fetch_one(&mut *tx)
            .await
            .context("reading the member to erase")?;
    let mut erased = Erased {
        cancelled_posts: sqlx::query(
            "DELETE FROM outbox WHERE member_id = $1 AND status = 'pending'",
        )
        .bind(member)
        .execute(&mut *tx)
        .await
        .context("cancelling posts to the member")?
        .rows_affected(),
        ..Erased::default()
    };
    // Posts already sent to others keep the member's name or handle (a mentor's "Sam
    // submitted…" with its Verify button) until the sweep; their copies are blanked now.
    // Posts still queued for others go out as written.
    erased.blanked_posts = sqlx::query(
        "UPDATE outbox SET body = '{}'::jsonb
          WHERE community_id = (SELECT community_id FROM members WHERE id = $1)
            AND status <> 'pending'
            AND (strpos(body::text, $1::text) > 0 OR strpos(body::text, $2) > 0
                 OR strpos(body::text, $3) > 0)",
    )
    .bind(member)
    .bind(&name)
    .bind(format!("\"{platform_user_id}\""))
    .execute(&mut *tx)
    .await
    .context("blanking sent posts that name the member")?
    .rows_affected();
    let enrollments: Vec<Uuid> =
        sqlx::query_scalar("SELECT id FROM enrollments WHERE member_id = $1 AND status = 'active'")
            .bind(member)
            .fetch_all(&mut *tx)
            .await?;
    for enrollment in enrollments {
        if crate::store::enrollments::leave(&mut *tx, enrollment, now).await? {
            erased.cohorts_left += 1;
        }
    }
    erased.badges_revoked = sqlx::query(
        "UPDATE badges SET revoked_at = $2, revoked_reason = $3
          WHERE member_id = $1 AND revoked_at IS NULL",
    )
    .bind(member)
    .bind(now)
    .bind(ERASED_REASON)
    .execute(&mut *tx)
    .await
    .context("revoking the member's badges")?
    .rows_affected();

    // Rows linked through another table's row go first, while that row still says whose
    // it is; the member row goes last.
    let mut tables: Vec<(&String, &TablePolicy)> = policy
        .tables
        .iter()
        .filter(|(_, t)| !t.member.is_empty() && t.changes_on_request())
        .collect();
    tables.sort_by_key(|(name, t)| {
        let via = t
            .member_links()
            .any(|l| matches!(l, MemberLink::Via { .. }));
        (!via, name.as_str() == "members")
    });
    for (name, table) in tables {
        let sql = statement(policy, name, table, &types)?;
        let changed = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(member)
            .execute(&mut *tx)
            .await
            .with_context(|| format!("erasing the member's rows in {name}"))?
            .rows_affected();
        if changed > 0 {
            erased.rows.push((name.clone(), changed));
        }
    }
    sqlx::query("UPDATE members SET erased_at = $2 WHERE id = $1")
        .bind(member)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    // An erased member handles no concern: the open concerns' private spaces the bot put
    // them in are re-synced, which takes them out under the platform id recorded when they
    // were put in (theirs in `members` is anonymised by now), and forgets it.
    let in_spaces: Option<Uuid> = sqlx::query_scalar(
        "SELECT m.community_id FROM members m
          WHERE m.id = $1
            AND EXISTS (SELECT 1 FROM concern_space_members s WHERE s.member_id = m.id)",
    )
    .bind(member)
    .fetch_optional(&mut *tx)
    .await
    .context("reading whether the member is in a concern's private space")?;
    if let Some(community) = in_spaces {
        crate::services::concerns::sync_spaces(&mut *tx, community, now)
            .await
            .context("queueing the concern spaces' re-sync")?;
    }
    Ok(erased)
}

/// The statement that applies `table`'s entry to the member `$1`'s rows.
fn statement(
    policy: &Policy,
    name: &str,
    table: &TablePolicy,
    types: &HashMap<(String, String), ColumnType>,
) -> Result<String> {
    let rows = whose(policy, table);
    if table.on_request == Action::Delete {
        return Ok(format!("DELETE FROM {} WHERE {rows}", quoted(name)));
    }
    let mut sets = Vec::new();
    for (column, action) in &table.columns {
        if !matches!(action, Action::Blank | Action::Anonymise) {
            continue;
        }
        let ty = types
            .get(&(name.to_owned(), column.clone()))
            .with_context(|| format!("{name}.{column} is not in the schema"))?;
        let value = emptied(ty, *action).with_context(|| {
            format!(
                "{name}.{column} ({}) cannot be {}ed",
                ty.data_type,
                action.as_str()
            )
        })?;
        sets.push(format!("{} = {value}", quoted(column)));
    }
    Ok(format!(
        "UPDATE {} SET {} WHERE {rows}",
        quoted(name),
        sets.join(", ")
    ))
}

/// The condition that picks the member `$1`'s rows of `table`.
fn whose(policy: &Policy, table: &TablePolicy) -> String {
    let conditions: Vec<String> = table
        .member_links()
        .map(|link| match link {
            MemberLink::Column(column) => format!("{} = $1", quoted(column)),
            MemberLink::Via { column, table: via } => format!(
                "{} IN (SELECT id FROM {} WHERE {})",
                quoted(column),
                quoted(via),
                whose(policy, &policy.tables[via])
            ),
        })
        .collect();
    format!("({})", conditions.join(" OR "))
}

/// The value a column takes when blanked or anonymised; None for a type that has none.
fn emptied(ty: &ColumnType, action: Action) -> Option<&'static str> {
    let text = matches!(ty.data_type.as_str(), "text" | "character varying");
    match (action, text) {
        // A unique column (a platform id) needs a value of its own: the member's row id,
        // which says nothing about the person.
        (Action::Anonymise, true) if ty.unique => Some("'former-' || $1::text"),
        // A tombstone has no time zone or department.
        (Action::Anonymise, _) if ty.nullable => Some("NULL"),
        (Action::Anonymise, true) => Some("'Former member'"),
        // Blanked text is empty, not NULL: "there was a blocker" stays true for the
        // metrics that count it, without the words.
        (Action::Blank, true) => Some("''"),
        (Action::Blank, false) if ty.data_type == "ARRAY" => Some("'{}'"),
        (Action::Blank, false) if ty.nullable => Some("NULL"),
        (Action::Blank, false) if ty.data_type == "jsonb" => Some("'{}'::jsonb"),
        _ => None,
    }
}

fn quoted(name: &str) -> String {
    // Names come from the policy, checked against the schema at start; quoted all the
    // same, so a name can only ever be a name.
    format!("\"{}\"", name.replace('"', ""))
}

async fn column_types(
    tx: &mut PgConnection,
) -> sqlx::Result<HashMap<(String, String), ColumnType>> {
    let unique: HashSet<(String, String)> = sqlx::query_as(
        "SELECT t.relname::text, a.attname::text
           FROM pg_index i
           JOIN pg_class t ON t.oid = i.indrelid
           JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY (i.indkey)
          WHERE i.indisunique AND t.relnamespace = 'public'::regnamespace",
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .collect();
    let rows: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text, data_type::text, is_nullable::text
           FROM information_schema.columns WHERE table_schema = 'public'",
    )
    .fetch_all(&mut *tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(table, column, data_type, nullable)| {
            let unique = unique.contains(&(table.clone(), column.clone()));
            (
                (table, column),
                ColumnType {
                    data_type,
                    nullable: nullable == "YES",
                    unique,
                },
            )
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_an_erasure_changes_gets_a_statement_for_its_types() {
        let policy = super::super::policy().unwrap();
        let members = &policy.tables["members"];
        let mut types = HashMap::new();
        for column in members.columns.keys() {
            let (data_type, nullable, unique) = match column.as_str() {
                "skills" => ("ARRAY", false, false),
                "platform_user_id" => ("text", false, true),
                "timezone" | "department" => ("text", true, false),
                _ => ("text", false, false),
            };
            types.insert(
                ("members".to_owned(), column.clone()),
                ColumnType {
                    data_type: data_type.into(),
                    nullable,
                    unique,
                },
            );
        }
        let sql = statement(policy, "members", members, &types).unwrap();
        assert!(sql.contains("\"display_name\" = 'Former member'"), "{sql}");
        assert!(
            sql.contains("\"platform_user_id\" = 'former-' || $1::text"),
            "{sql}"
        );
        assert!(sql.contains("\"skills\" = '{}'"), "{sql}");
        assert!(sql.contains("\"timezone\" = NULL"), "{sql}");
        assert!(sql.contains("\"department\" = NULL"), "{sql}");
        assert!(sql.ends_with("WHERE (\"id\" = $1)"), "{sql}");
        let replies = whose(policy, &policy.tables["checkin_replies"]);
        assert_eq!(
            replies,
            "(\"mentor_member_id\" = $1 OR \"checkin_id\" IN (SELECT id FROM \"checkins\" WHERE (\"member_id\" = $1)))"
        );
    }
}
