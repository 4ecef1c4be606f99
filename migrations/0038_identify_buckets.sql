-- IDENTIFY pacing across processes (src/chat/discord/identify.rs). Discord allows one
-- IDENTIFY per 5 s in each bucket (shard id % max_concurrency); serenity spaces them only
-- within one process. Before its gateway starts, a process reserves its shards' slots
-- here, on the database's clock: `next_at` is when the bucket's next IDENTIFY may go.
CREATE TABLE identify_buckets (
    bucket   integer PRIMARY KEY,
    next_at  timestamptz NOT NULL
);
