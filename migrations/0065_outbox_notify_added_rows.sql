-- Wake-ups (src/outbox/wakeup.rs) only from a transaction that added outbox rows. The
-- statement trigger of migration 0037 fired for every INSERT into the outbox, also one that
-- added nothing: each command's tail (`store::command_tail`) runs one for its posts and
-- Home publishes, so every command, even `/cohort list`, sent a NOTIFY. That woke every
-- dispatcher of every process for a claim that found nothing, and took PostgreSQL's
-- database-wide lock that serialises the commits of notifying transactions
-- (`PreCommit_Notify`).
--
-- The count is the transaction's rows inserted so far, the current statement's included,
-- which PostgreSQL keeps per backend for its statistics: a row a BEFORE trigger skipped (a
-- tombstone, migration 0052) or a conflict left out is not counted. A transaction's
-- notifications are folded into one at commit, so notifying once it has added any row is
-- what a dispatcher needs. Not a transition table, which would hold a copy of every row a
-- statement inserts: a due tick of 20,007 prompts took 77–113 ms longer with one (four
-- alternating pairs of `scripts/bench -- scheduler`). Without `track_counts` (off only by
-- hand, since autovacuum needs it) the count is always 0, so the trigger notifies as before.
CREATE OR REPLACE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF pg_stat_get_xact_tuples_inserted(TG_RELID) > 0
       OR NOT current_setting('track_counts')::boolean THEN
        PERFORM pg_notify('cohortbot_outbox', '');
    END IF;
    RETURN NULL;
END
$$;
