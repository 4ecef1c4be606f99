-- Wake-ups (src/outbox/wakeup.rs) only from a transaction that added outbox rows. The
-- statement trigger of migration 0037 fired for every INSERT into the outbox, also one that
-- added nothing: each command's tail (`store::command_tail`) runs one for its posts and
-- Home publishes, so every command, even `/cohort list`, sent a NOTIFY. That woke every
-- dispatcher of every process for a claim that found nothing, and took PostgreSQL's
-- database-wide lock that serialises the commits of notifying transactions
-- (`PreCommit_Notify`).
--
-- The count is the one PostgreSQL keeps per backend for its statistics: the rows this
-- transaction inserted so far, the current statement's included, plus those of the
-- connection's earlier transactions that it has not yet flushed to the statistics (it
-- does so about once a second). A row a BEFORE trigger skipped (a tombstone, migration
-- 0052) or a conflict left out is not counted. So a transaction that added a row always
-- notifies (its notifications are folded into one at commit); one that added none stays
-- quiet, unless its connection added rows within about the last second, when it notifies
-- as every statement did before. Exact alternatives cost more: a transition table copies
-- every row a statement inserts (a due tick of 20,007 prompts took 77–113 ms longer, four
-- alternating pairs of `scripts/bench -- scheduler`), and a BEFORE STATEMENT trigger
-- saving the count doubles the trigger calls on the path of every command. Without
-- `track_counts` (off only by hand: autovacuum needs it) the count is always 0, so the
-- trigger notifies as before.
CREATE OR REPLACE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF pg_stat_get_xact_tuples_inserted(TG_RELID) > 0
       OR NOT current_setting('track_counts')::boolean THEN
        PERFORM pg_notify('cohortbot_outbox', '');
    END IF;
    RETURN NULL;
END
$$;
