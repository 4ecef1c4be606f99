-- Wake-ups (src/outbox/wakeup.rs): each statement that adds outbox rows NOTIFYs
-- `cohortbot_outbox`, so a listening dispatcher sends within milliseconds instead of at
-- its next poll. Per statement, not per row: a fan-out of 1,000 prompts is one
-- notification, and PostgreSQL folds a transaction's identical ones into one at commit.
CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('cohortbot_outbox', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER outbox_inserted AFTER INSERT ON outbox
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();
