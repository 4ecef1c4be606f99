//! Knowledge-base entries, their names (id and aliases), revisions, and missed searches.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use super::pg_row;

/// Whether the member `$2` may read entry `e`: published, and either for everyone, for a
/// cohort they are in, or for mentors and stewards, who may read every entry. One
/// definition for search, show, autocomplete and "did you mean".
const VISIBLE_TO_MEMBER: &str = "e.status = 'published' AND (
      e.visibility = 'community'
   OR EXISTS (SELECT 1 FROM member_roles r WHERE r.member_id = $2
                 AND r.role IN ('steward', 'lead_mentor', 'community_mentor'))
   OR (e.visibility = 'cohort' AND EXISTS (
         SELECT 1 FROM enrollments en WHERE en.member_id = $2
            AND en.cohort_id = e.cohort_id AND en.status = 'active')))";

pg_row! {
    #[derive(Debug, Clone)]
    pub struct Entry {
        pub id: Uuid,
        pub slug: String,
        pub kind: String,
        pub title: String,
        pub body: String,
        pub tags: Vec<String>,
        pub owner_id: Option<Uuid>,
        pub owner_name: Option<String>,
        pub visibility: String,
        pub cohort_slug: Option<String>,
        /// The circle the entry came from (a circle's question, a circle clinic).
        pub circle_name: Option<String>,
        pub verify_every_days: i32,
        pub verified_at: DateTime<Utc>,
        pub status: String,
        pub uses: i32,
        pub revision: i32,
        pub updated_at: DateTime<Utc>,
        pub aliases: Vec<String>,
        /// The id of the decision this one replaces.
        pub supersedes: Option<String>,
        /// The id of the decision that replaced this one.
        pub superseded_by: Option<String>,
    }
}

const ENTRY_COLUMNS: &str = "e.id, e.slug, e.kind, e.title, e.body, e.tags, e.owner_id,
       o.display_name AS owner_name, e.visibility, c.slug AS cohort_slug,
       (SELECT ci.name FROM circles ci WHERE ci.id = e.circle_id) AS circle_name,
       e.verify_every_days,
       e.verified_at, e.status, e.uses, e.revision, e.updated_at,
       ARRAY(SELECT n.name FROM kb_names n WHERE n.entry_id = e.id AND n.is_alias
             ORDER BY n.name) AS aliases,
       (SELECT s.slug FROM kb_entries s WHERE s.id = e.supersedes_id) AS supersedes,
       (SELECT s.slug FROM kb_entries s WHERE s.supersedes_id = e.id AND s.status = 'published'
         ORDER BY s.created_at DESC LIMIT 1) AS superseded_by
  FROM kb_entries e
  LEFT JOIN members o ON o.id = e.owner_id
  LEFT JOIN cohorts c ON c.id = e.cohort_id";

/// A new entry, as the service checked it.
#[derive(Debug)]
pub struct NewEntry<'a> {
    pub community_id: Uuid,
    pub slug: &'a str,
    pub kind: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub tags: &'a [String],
    /// `None` for a program-file entry without an owner: the stewards'.
    pub owner_id: Option<Uuid>,
    pub visibility: &'a str,
    pub cohort_id: Option<Uuid>,
    /// The circle it belongs to: an answer to a circle's question, a note from a circle's
    /// clinic.
    pub circle_id: Option<Uuid>,
    pub verify_every_days: i32,
    /// A draft (an answer to a question) is seen by its owner and the stewards until
    /// published.
    pub draft: bool,
}

/// Adds an entry with its id as its first name and its text as revision 1. The caller has
/// checked the id is free; a concurrent add of the same id fails on the names' key.
pub async fn insert(
    tx: &mut PgConnection,
    new: &NewEntry<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<Uuid> {
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO kb_entries (id, community_id, slug, kind, title, body, tags, owner_id,
                                 visibility, cohort_id, verify_every_days, verified_at,
                                 created_at, updated_at, status, circle_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $12,
                 CASE WHEN $13 THEN 'draft' ELSE 'published' END, $14)",
    )
    .bind(id)
    .bind(new.community_id)
    .bind(new.slug)
    .bind(new.kind)
    .bind(new.title)
    .bind(new.body)
    .bind(new.tags)
    .bind(new.owner_id)
    .bind(new.visibility)
    .bind(new.cohort_id)
    .bind(new.verify_every_days)
    .bind(now)
    .bind(new.draft)
    .bind(new.circle_id)
    .execute(&mut *tx)
    .await?;
    add_name(&mut *tx, new.community_id, new.slug, id, false).await?;
    record_revision(&mut *tx, id, new.owner_id, now).await?;
    Ok(id)
}

/// Gives entry `entry_id` the name `name` (its id, or an alias).
pub async fn add_name(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    name: &str,
    entry_id: Uuid,
    is_alias: bool,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO kb_names (community_id, name, entry_id, is_alias) VALUES ($1, $2, $3, $4)",
    )
    .bind(community_id)
    .bind(name)
    .bind(entry_id)
    .bind(is_alias)
    .execute(ex)
    .await?;
    Ok(())
}

/// Copies the entry's current text into its revisions.
async fn record_revision(
    ex: impl PgExecutor<'_>,
    entry_id: Uuid,
    editor: Option<Uuid>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO kb_revisions (entry_id, revision, title, body, tags, edited_by, edited_at)
         SELECT id, revision, title, body, tags, $2, $3 FROM kb_entries WHERE id = $1",
    )
    .bind(entry_id)
    .bind(editor)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

/// The entry that answers to `name` (its id or an alias), in any state, with the title of
/// the entry holding it: what a duplicate id or alias is refused with.
pub async fn holder_of(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    name: &str,
) -> sqlx::Result<Option<(String, String)>> {
    sqlx::query_as(
        "SELECT e.slug, e.title FROM kb_names n JOIN kb_entries e ON e.id = n.entry_id
          WHERE n.community_id = $1 AND n.name = $2",
    )
    .bind(community_id)
    .bind(name)
    .fetch_optional(ex)
    .await
}

/// The entry `name` stands for, if `member` may read it (owners and stewards may also
/// reach their archived ones through `include_hidden`).
pub async fn find(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    member: Uuid,
    name: &str,
    include_hidden: bool,
) -> sqlx::Result<Option<Entry>> {
    let sql = format!(
        "SELECT {ENTRY_COLUMNS}
          WHERE e.id = (SELECT entry_id FROM kb_names WHERE community_id = $1 AND name = $3)
            AND ($4 OR ({VISIBLE_TO_MEMBER}))"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(community_id)
        .bind(member)
        .bind(name)
        .bind(include_hidden)
        .fetch_optional(ex)
        .await
}

pg_row! {
    #[derive(Debug, Clone)]
    pub struct Hit {
        pub slug: String,
        pub kind: String,
        pub title: String,
        pub tags: Vec<String>,
        /// A fragment of the body, matched words between the `HIT_START` and `HIT_END`
        /// sentinels.
        pub snippet: String,
        /// The body's first characters, for when the snippet is empty: a script without
        /// spaces (Chinese, Japanese) is one long "word" to the parser, which a snippet of
        /// a few words leaves out.
        pub opening: String,
        pub rank: f32,
        /// At least `RANKED_AT_MOST` entries matched, so these are the best of those.
        pub capped: bool,
    }
}

/// Marks around a matched word in a snippet. Stored text never holds control characters
/// (`domain::text` refuses them), so these cannot come from an entry's own text, and the
/// snippet's markup is never PostgreSQL's `<b>`, which a renderer would have to trust.
pub const HIT_START: char = '\u{2}';
pub const HIT_END: char = '\u{3}';

/// The most matches a search ranks. Ranking reads each matching row, so a word in most
/// of 10,000 entries took 10-30 ms to rank in full; with this cap the slowest searches
/// take a few (`scripts/bench -- kb`). A search that reaches it is too broad for its order
/// past the first few results to help, and the reply says to narrow it.
pub const RANKED_AT_MOST: i64 = 1_000;

/// Entries `member` may read that match `query` (web-search syntax), best first: an entry
/// named exactly `name` (when given), then title and tag matches, then body-only matches,
/// each by cover density over the weighted fields. At most `RANKED_AT_MOST` matches are
/// ranked, title and tag matches taken first, so a title hit is never crowded out by body
/// hits. `websearch_to_tsquery` parses any text without error, so hostile syntax finds
/// nothing rather than failing.
pub async fn search(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    member: Uuid,
    query: &str,
    name: Option<&str>,
    limit: i64,
) -> sqlx::Result<Vec<Hit>> {
    // Each tier is MATERIALIZED so its LIMIT stops its scan early, and the body tier only
    // fills what the head tier left. Snippets are made only for the few shown, as
    // `ts_headline` re-parses each body it is given.
    let sql = format!(
        "WITH q AS (SELECT websearch_to_tsquery('kb_english', $3) AS q),
              named AS MATERIALIZED (
                  SELECT e.id, e.title, ts_rank_cd(e.search, q.q) AS rank, 2 AS tier
                    FROM kb_entries e, q
                   WHERE e.id = (SELECT entry_id FROM kb_names WHERE community_id = $1 AND name = $4)
                     AND ({VISIBLE_TO_MEMBER})),
              head AS MATERIALIZED (
                  SELECT e.id, e.title, ts_rank_cd(e.search, q.q) AS rank, 1 AS tier
                    FROM kb_entries e, q
                   WHERE e.community_id = $1 AND ({VISIBLE_TO_MEMBER}) AND e.head @@ q.q
                     AND e.id NOT IN (SELECT id FROM named)
                   LIMIT $6),
              body AS MATERIALIZED (
                  SELECT e.id, e.title, ts_rank_cd(e.search, q.q) AS rank, 0 AS tier
                    FROM kb_entries e, q
                   WHERE e.community_id = $1 AND ({VISIBLE_TO_MEMBER}) AND e.search @@ q.q
                     AND NOT e.head @@ q.q AND e.id NOT IN (SELECT id FROM named)
                   LIMIT greatest(0, $6 - (SELECT count(*) FROM head))),
              found AS (SELECT * FROM named UNION ALL SELECT * FROM head
                        UNION ALL SELECT * FROM body),
              top AS (SELECT id, rank, tier FROM found
                       ORDER BY tier DESC, rank DESC, title LIMIT $5)
         SELECT e.slug, e.kind, e.title, e.tags,
                ts_headline('kb_english', e.body, q.q,
                  'StartSel=\"' || chr(2) || '\", StopSel=\"' || chr(3) || '\", '
                  || 'MaxWords=24, MinWords=10, MaxFragments=2, FragmentDelimiter=\" … \"')
                  AS snippet,
                -- One more than a snippet shows, so a longer body is seen to go on.
                left(e.body, 241) AS opening,
                top.rank,
                (SELECT count(*) FROM head) + (SELECT count(*) FROM body) >= $6 AS capped
           FROM top JOIN kb_entries e ON e.id = top.id, q
          ORDER BY top.tier DESC, top.rank DESC, e.title"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(community_id)
        .bind(member)
        .bind(query)
        .bind(name)
        .bind(limit)
        .bind(RANKED_AT_MOST)
        .fetch_all(ex)
        .await
}

/// The names and titles of entries `member` may read that could be a typo of `typed`, for
/// "did you mean": (name, title), ids before aliases. A suggestion needs a Jaro-Winkler
/// score of 0.8 (`domain::suggest`), which a name of a very different length or with
/// another first letter rarely reaches; filtering on both here keeps a miss in a large
/// knowledge base from scoring every title. The entries near by a name or by their title
/// are found first, through the indexes of migration 0062, so a miss reads only those.
pub async fn names_like(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    member: Uuid,
    typed: &str,
) -> sqlx::Result<Vec<(String, String)>> {
    let sql = format!(
        "WITH t AS (SELECT lower(btrim($3)) AS typed),
         bounds AS (SELECT left(t.typed, 1) AS first,
                      length(t.typed) - greatest(3, length(t.typed) / 3) AS shortest,
                      length(t.typed) + greatest(3, length(t.typed) / 3) AS longest FROM t),
         near AS (
           SELECT n.entry_id FROM kb_names n, bounds
            WHERE n.community_id = $1 AND left(n.name, 1) = bounds.first
              AND length(n.name) BETWEEN bounds.shortest AND bounds.longest
           UNION
           SELECT e.id FROM kb_entries e, bounds
            WHERE e.community_id = $1 AND lower(left(e.title, 1)) = bounds.first
              AND length(e.title) BETWEEN bounds.shortest AND bounds.longest)
         SELECT n.name, e.title FROM near JOIN kb_entries e ON e.id = near.entry_id
           JOIN kb_names n ON n.entry_id = e.id, bounds
          WHERE e.community_id = $1 AND ({VISIBLE_TO_MEMBER})
            AND ((left(n.name, 1) = bounds.first AND length(n.name) BETWEEN bounds.shortest AND bounds.longest)
              OR (lower(left(e.title, 1)) = bounds.first
                  AND length(e.title) BETWEEN bounds.shortest AND bounds.longest))
          ORDER BY n.is_alias, n.name LIMIT 2000"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(community_id)
        .bind(member)
        .bind(typed)
        .fetch_all(ex)
        .await
}

/// Names (ids and aliases) of entries `member` may read whose name or title contains
/// `typed` (any case), for autocomplete: (name, title), ids first.
pub async fn suggestions(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    member: Uuid,
    typed: &str,
    limit: i64,
) -> sqlx::Result<Vec<(String, String)>> {
    let sql = format!(
        "SELECT n.name, e.title FROM kb_names n JOIN kb_entries e ON e.id = n.entry_id
          WHERE n.community_id = $1 AND ({VISIBLE_TO_MEMBER})
            AND (strpos(n.name, lower($3)) > 0 OR strpos(lower(e.title), lower($3)) > 0)
          ORDER BY n.is_alias, e.uses DESC, n.name LIMIT $4"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(community_id)
        .bind(member)
        .bind(typed)
        .bind(limit)
        .fetch_all(ex)
        .await
}

/// New text for an entry: each `Some` replaces its field, and the result is the next
/// revision.
#[derive(Debug, Default)]
pub struct Change<'a> {
    pub title: Option<&'a str>,
    pub body: Option<&'a str>,
    pub tags: Option<&'a [String]>,
    pub verify_every_days: Option<i32>,
}

/// Applies `change` and records the new revision; returns its number. Row-locked by the
/// update, so two concurrent edits become two revisions, neither lost.
pub async fn update(
    tx: &mut PgConnection,
    entry_id: Uuid,
    change: &Change<'_>,
    editor: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<i32> {
    let text_changes = change.title.is_some() || change.body.is_some() || change.tags.is_some();
    let revision: i32 = sqlx::query_scalar(
        "UPDATE kb_entries SET title = coalesce($2, title), body = coalesce($3, body),
                tags = coalesce($4, tags),
                verify_every_days = coalesce($5, verify_every_days),
                revision = revision + CASE WHEN $6 THEN 1 ELSE 0 END, updated_at = $7
          WHERE id = $1 RETURNING revision",
    )
    .bind(entry_id)
    .bind(change.title)
    .bind(change.body)
    .bind(change.tags)
    .bind(change.verify_every_days)
    .bind(text_changes)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    if text_changes {
        record_revision(&mut *tx, entry_id, Some(editor), now).await?;
    }
    Ok(revision)
}

/// Records that decision `entry_id` replaces decision `earlier`.
pub async fn supersede(ex: impl PgExecutor<'_>, entry_id: Uuid, earlier: Uuid) -> sqlx::Result<()> {
    sqlx::query("UPDATE kb_entries SET supersedes_id = $2 WHERE id = $1")
        .bind(entry_id)
        .bind(earlier)
        .execute(ex)
        .await?;
    Ok(())
}

/// Where the community's decisions are posted, if the program file says.
pub async fn governance_channel(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT governance_channel FROM communities WHERE id = $1")
        .bind(community_id)
        .fetch_one(ex)
        .await
}

/// A draft becomes searchable; its verification interval starts now.
pub async fn publish(
    ex: impl PgExecutor<'_>,
    entry_id: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE kb_entries SET status = 'published', verified_at = $2, updated_at = $2 WHERE id = $1",
    )
    .bind(entry_id)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

/// Records a question nobody's entry answered; returns its number.
/// The asker's unanswered question with this wording (ignoring case and runs of spaces),
/// asked of the same circle or of the mentors: its number. Takes a lock for the asker
/// until the transaction ends, so of the same question sent twice at once the second sees
/// the first.
pub async fn open_question_like(
    conn: &mut sqlx::PgConnection,
    asker: Uuid,
    question: &str,
    circle_id: Option<Uuid>,
) -> sqlx::Result<Option<i64>> {
    super::lock_until_commit(&mut *conn, &format!("kb_ask:{asker}")).await?;
    sqlx::query_scalar(
        "SELECT number FROM kb_questions
          WHERE asker_id = $1 AND answered_at IS NULL
            AND circle_id IS NOT DISTINCT FROM $3
            AND same_words(question, $2)
          ORDER BY number LIMIT 1",
    )
    .bind(asker)
    .bind(question)
    .bind(circle_id)
    .fetch_optional(&mut *conn)
    .await
}

pub async fn insert_question(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    asker: Uuid,
    question: &str,
    circle_id: Option<Uuid>,
    now: DateTime<Utc>,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO kb_questions (community_id, asker_id, question, asked_at, circle_id)
         VALUES ($1, $2, $3, $4, $5) RETURNING number",
    )
    .bind(community_id)
    .bind(asker)
    .bind(question)
    .bind(now)
    .bind(circle_id)
    .fetch_one(ex)
    .await
}

pg_row! {
    #[derive(Debug, Clone)]
    pub struct Question {
        pub number: i64,
        pub question: String,
        pub asker_id: Option<Uuid>,
        pub asker_name: Option<String>,
        pub answerer_name: Option<String>,
        pub entry_slug: Option<String>,
        pub answered: bool,
        /// The circle it was asked of, if any.
        pub circle_id: Option<Uuid>,
    }
}

/// The community's question `number`, locked until the transaction ends: two mentors
/// answering at once get one answer recorded and one refusal.
pub async fn question_for_update(
    conn: &mut PgConnection,
    community_id: Uuid,
    number: i64,
) -> sqlx::Result<Option<Question>> {
    sqlx::query_as(
        "SELECT q.number, q.question, q.asker_id, a.display_name AS asker_name,
                b.display_name AS answerer_name, e.slug AS entry_slug,
                q.answered_at IS NOT NULL AS answered, q.circle_id
           FROM kb_questions q
           LEFT JOIN members a ON a.id = q.asker_id
           LEFT JOIN members b ON b.id = q.answered_by
           LEFT JOIN kb_entries e ON e.id = q.entry_id
          WHERE q.community_id = $1 AND q.number = $2
          FOR UPDATE OF q",
    )
    .bind(community_id)
    .bind(number)
    .fetch_optional(conn)
    .await
}

pub async fn mark_answered(
    ex: impl PgExecutor<'_>,
    number: i64,
    answerer: Uuid,
    entry_id: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE kb_questions SET answered_by = $2, answered_at = $3, entry_id = $4 WHERE number = $1",
    )
    .bind(number)
    .bind(answerer)
    .bind(now)
    .bind(entry_id)
    .execute(ex)
    .await?;
    Ok(())
}

/// Who hears a question: the community's mentors (lead and community), or, when it has
/// none, its stewards; never the asker. (id, display name).
/// Who hears a question asked of a circle: its leads first, then its members, never the
/// asker; at most `limit`, so a large circle is not flooded.
pub async fn circle_hearers(
    ex: impl PgExecutor<'_>,
    circle_id: Uuid,
    asker: Uuid,
    limit: i64,
) -> sqlx::Result<Vec<(Uuid, String)>> {
    sqlx::query_as(
        "SELECT m.id, m.display_name FROM circle_members cm JOIN members m ON m.id = cm.member_id
          WHERE cm.circle_id = $1 AND m.id <> $2
          ORDER BY cm.role = 'lead' DESC, cm.joined_at, lower(m.display_name), m.id LIMIT $3",
    )
    .bind(circle_id)
    .bind(asker)
    .bind(limit)
    .fetch_all(ex)
    .await
}

pub async fn question_hearers(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    asker: Uuid,
) -> sqlx::Result<Vec<(Uuid, String)>> {
    sqlx::query_as(
        "WITH mentors AS (
             SELECT DISTINCT m.id, m.display_name FROM member_roles r JOIN members m ON m.id = r.member_id
              WHERE r.community_id = $1 AND r.role IN ('lead_mentor', 'community_mentor')
                AND m.id <> $2
         ), stewards AS (
             SELECT DISTINCT m.id, m.display_name FROM member_roles r JOIN members m ON m.id = r.member_id
              WHERE r.community_id = $1 AND r.role = 'steward' AND r.cohort_id IS NULL
                AND m.id <> $2
         )
         SELECT * FROM mentors
         UNION ALL
         SELECT * FROM stewards WHERE NOT EXISTS (SELECT 1 FROM mentors)
         ORDER BY 2",
    )
    .bind(community_id)
    .bind(asker)
    .fetch_all(ex)
    .await
}

pub async fn archive(
    ex: impl PgExecutor<'_>,
    entry_id: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE kb_entries SET status = 'archived', updated_at = $2 WHERE id = $1")
        .bind(entry_id)
        .bind(now)
        .execute(ex)
        .await?;
    Ok(())
}

pub async fn verify(
    ex: impl PgExecutor<'_>,
    entry_id: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE kb_entries SET verified_at = $2 WHERE id = $1")
        .bind(entry_id)
        .bind(now)
        .execute(ex)
        .await?;
    Ok(())
}

/// Counts one share of the entry into a channel.
pub async fn count_use(ex: impl PgExecutor<'_>, entry_id: Uuid) -> sqlx::Result<()> {
    sqlx::query("UPDATE kb_entries SET uses = uses + 1 WHERE id = $1")
        .bind(entry_id)
        .execute(ex)
        .await?;
    Ok(())
}

/// The community's (`$1`) published entries past their interval at `$2`, with their owner
/// (`owner_name` is `None` when the owner left): one definition of "due" for `/kb stale` and
/// the weekly reminder.
const DUE: &str = "SELECT e.id, e.slug, e.title, e.owner_id, o.display_name AS owner_name,
                          e.verified_at,
                          e.verified_at + make_interval(days => e.verify_every_days) AS due_at
                     FROM kb_entries e LEFT JOIN members o ON o.id = e.owner_id
                    WHERE e.community_id = $1 AND e.status = 'published'
                      AND e.verified_at + make_interval(days => e.verify_every_days) <= $2";

/// Published entries past their verification interval, longest overdue first: those
/// `owner` owns, or every one when `owner` is `None`. Entries whose owner left count as the
/// stewards' (`owner_name` is `None`).
pub async fn stale(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    owner: Option<Uuid>,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<Overdue>> {
    let sql = format!(
        "SELECT * FROM ({DUE}) due WHERE $3::uuid IS NULL OR due.owner_id = $3
          ORDER BY due.due_at, due.slug"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(community_id)
        .bind(now)
        .bind(owner)
        .fetch_all(ex)
        .await
}

/// How often each community's stale entries are swept.
const SWEEP_EVERY: &str = "7 days";

/// Communities with published entries whose weekly stale sweep is due, claimed in `conn`'s
/// transaction so that one process sweeps each.
pub async fn claim_stale_sweeps(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar(
        "INSERT INTO kb_stale_sweeps AS done (community_id, last_at)
         SELECT DISTINCT community_id, $1 FROM kb_entries WHERE status = 'published'
         ON CONFLICT (community_id) DO UPDATE SET last_at = EXCLUDED.last_at
         WHERE done.last_at <= $1 - $2::interval
         RETURNING community_id",
    )
    .bind(now)
    .bind(SWEEP_EVERY)
    .fetch_all(conn)
    .await
}

pg_row! {
    #[derive(Debug, Clone)]
    pub struct Overdue {
        pub id: Uuid,
        pub slug: String,
        pub title: String,
        pub owner_id: Option<Uuid>,
        pub owner_name: Option<String>,
        pub verified_at: DateTime<Utc>,
        pub due_at: DateTime<Utc>,
    }
}

/// The community's published entries past their interval whose owner has not yet been
/// reminded in this interval, marked reminded as they are read: (owner or `None`, entry).
pub async fn take_unreminded(
    conn: &mut PgConnection,
    community_id: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<Overdue>> {
    let sql = format!(
        "WITH due AS ({DUE}), marked AS (
             INSERT INTO kb_stale_reminders (entry_id, verified_at, reminded_at)
             SELECT id, verified_at, $2 FROM due
             ON CONFLICT DO NOTHING
             RETURNING entry_id
         )
         SELECT due.* FROM due JOIN marked ON marked.entry_id = due.id
          ORDER BY due.owner_name NULLS LAST, due.due_at, due.slug"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(community_id)
        .bind(now)
        .fetch_all(conn)
        .await
}

/// Writes a program file's entry: added when its id is free, otherwise brought in line with
/// the file (a changed title, text or tags is a new revision, by nobody), and given the
/// file's aliases. An id or alias held by another entry is an error naming it.
pub async fn upsert_seed(
    tx: &mut PgConnection,
    seed: &NewEntry<'_>,
    aliases: &[String],
    now: DateTime<Utc>,
) -> anyhow::Result<super::program::Change> {
    use super::program::Change;
    let holder: Option<(Uuid, bool)> = sqlx::query_as(
        "SELECT entry_id, is_alias FROM kb_names WHERE community_id = $1 AND name = $2",
    )
    .bind(seed.community_id)
    .bind(seed.slug)
    .fetch_optional(&mut *tx)
    .await?;
    let (id, mut change) = match holder {
        None => (insert(&mut *tx, seed, now).await?, Change::Created),
        Some((_, true)) => anyhow::bail!(
            "knowledge entry `{}`: that id is an alias of another entry",
            seed.slug
        ),
        Some((id, false)) => {
            let current: (String, String, Vec<String>) =
                sqlx::query_as("SELECT title, body, tags FROM kb_entries WHERE id = $1")
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?;
            let text_changed = (current.0.as_str(), current.1.as_str(), current.2.as_slice())
                != (seed.title, seed.body, seed.tags);
            let updated: Option<Uuid> = sqlx::query_scalar(
                "UPDATE kb_entries SET kind = $2, title = $3, body = $4, tags = $5,
                        owner_id = $6, visibility = $7, cohort_id = $8, verify_every_days = $9,
                        revision = revision + $11, updated_at = $10
                  WHERE id = $1
                    AND (kind, title, body, tags, owner_id, visibility, cohort_id, verify_every_days)
                        IS DISTINCT FROM ($2, $3, $4, $5, $6, $7, $8, $9)
                  RETURNING id",
            )
            .bind(id)
            .bind(seed.kind)
            .bind(seed.title)
            .bind(seed.body)
            .bind(seed.tags)
            .bind(seed.owner_id)
            .bind(seed.visibility)
            .bind(seed.cohort_id)
            .bind(seed.verify_every_days)
            .bind(now)
            .bind(i32::from(text_changed))
            .fetch_optional(&mut *tx)
            .await?;
            if text_changed {
                record_revision(&mut *tx, id, None, now).await?;
            }
            let change = if updated.is_some() {
                Change::Updated
            } else {
                Change::Unchanged
            };
            (id, change)
        }
    };
    for alias in aliases {
        match holder_id(&mut *tx, seed.community_id, alias).await? {
            None => {
                add_name(&mut *tx, seed.community_id, alias, id, true).await?;
                if matches!(change, Change::Unchanged) {
                    change = Change::Updated;
                }
            }
            Some(holder) if holder == id => {}
            Some(_) => anyhow::bail!(
                "knowledge entry `{}`: the alias `{alias}` belongs to another entry",
                seed.slug
            ),
        }
    }
    Ok(change)
}

async fn holder_id(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    name: &str,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar("SELECT entry_id FROM kb_names WHERE community_id = $1 AND name = $2")
        .bind(community_id)
        .bind(name)
        .fetch_optional(ex)
        .await
}

pg_row! {
    /// An entry as the program file writes it.
    #[derive(Debug, Clone)]
    pub struct SeedRow {
        pub slug: String,
        pub kind: String,
        pub title: String,
        pub body: String,
        pub tags: Vec<String>,
        pub aliases: Vec<String>,
        pub owner: Option<String>,
        pub visibility: String,
        pub cohort: Option<String>,
        pub verify_every_days: i32,
    }
}

/// The community's published entries, for the program file.
pub async fn seeds(conn: &mut PgConnection, community_id: Uuid) -> sqlx::Result<Vec<SeedRow>> {
    sqlx::query_as(
        "SELECT e.slug, e.kind, e.title, e.body, e.tags,
                ARRAY(SELECT n.name FROM kb_names n WHERE n.entry_id = e.id AND n.is_alias
                      ORDER BY n.name) AS aliases,
                o.platform_user_id AS owner, e.visibility, c.slug AS cohort, e.verify_every_days
           FROM kb_entries e
           LEFT JOIN members o ON o.id = e.owner_id
           LEFT JOIN cohorts c ON c.id = e.cohort_id
          WHERE e.community_id = $1 AND e.status = 'published'
          ORDER BY e.slug",
    )
    .bind(community_id)
    .fetch_all(conn)
    .await
}

/// Remembers a search that found nothing, without who searched.
pub async fn record_miss(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    query: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO kb_missed_searches (community_id, query, searched_at) VALUES ($1, $2, $3)",
    )
    .bind(community_id)
    .bind(query)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

/// The searches since `since` that found nothing, most frequent first: (query, times, last).
pub async fn missed(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    since: DateTime<Utc>,
    limit: i64,
) -> sqlx::Result<Vec<(String, i64, DateTime<Utc>)>> {
    sqlx::query_as(
        "SELECT query, count(*), max(searched_at) FROM kb_missed_searches
          WHERE community_id = $1 AND searched_at >= $2
          GROUP BY query ORDER BY count(*) DESC, max(searched_at) DESC, query LIMIT $3",
    )
    .bind(community_id)
    .bind(since)
    .bind(limit)
    .fetch_all(ex)
    .await
}
