//! Full-text search facts the knowledge base (issue 20) relies on, checked on both
//! databases: the server here, the embedded WASM build in `embedded.rs`.

use sqlx::PgPool;

/// The migrations' stemming configuration, from a snowball dictionary without a stop-word
/// list (pglite has no stop-word files), stems, parses web-search syntax, highlights and
/// ranks, and never errors on what a user may type.
pub(crate) async fn a_snowball_configuration_searches(pool: &PgPool) {
    let (vector, query, headline, rank): (String, String, String, f32) = sqlx::query_as(
        "SELECT to_tsvector('kb_english', 'The running dashboards were licensed')::text,
                websearch_to_tsquery('kb_english', 'licence -\"sandbox\" or env')::text,
                ts_headline('kb_english', 'We were running the flows',
                            websearch_to_tsquery('kb_english', 'run'), 'StartSel=<<,StopSel=>>'),
                ts_rank_cd(to_tsvector('kb_english', 'running flows'),
                           websearch_to_tsquery('kb_english', 'runs'))",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    // Stemmed, and with no stop-word list every word stays a lexeme.
    assert_eq!(vector, "'dashboard':3 'licens':5 'run':2 'the':1 'were':4");
    assert_eq!(query, "'licenc' & !'sandbox' | 'env'");
    assert_eq!(headline, "We were <<running>> the flows");
    assert!(rank > 0.0);
    // What a user may type never errors.
    let hostile: String = sqlx::query_scalar("SELECT websearch_to_tsquery('kb_english', $1)::text")
        .bind("\"unclosed & | ! ( ) :* <-> 'x")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(hostile, "'unclos' <-> 'x'");
}

#[sqlx::test]
async fn the_server_searches_with_the_same_snowball_configuration(pool: PgPool) {
    a_snowball_configuration_searches(&pool).await;
}
