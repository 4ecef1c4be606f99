-- The Slack Home tab of each member who opened it (services/home).
--
-- `started` counts publishes begun. A change queues the publish numbered `started + 1`
-- (outbox key `home:<member>:<n>`), so every change made before that publish begins joins
-- the one queued row: ten changes, one publish. A publish bumps `started` before it reads
-- what to show; a change locks this row in its own transaction, so the bump waits for it
-- and the read sees it, and a change after the bump queues the next number.
CREATE TABLE home_views (
    member_id       uuid PRIMARY KEY REFERENCES members (id) ON DELETE CASCADE,
    community_id    uuid NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    started         integer NOT NULL DEFAULT 0,
    -- A hash of the view last published: an unchanged Home is not published again.
    published_hash  text,
    published_at    timestamptz
);
