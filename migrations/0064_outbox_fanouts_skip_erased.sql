-- The weekly fan-outs (prompts and nudges, keys `checkin-prompt:` and `checkin-nudge:`)
-- build their rows from `members` and leave tombstones out in the same statement
-- (`store::checkins`), so the per-row check of migration 0052 is not run again for them.
-- It was the largest single cost of a due tick after the foreign keys: 20,007 prompts
-- paid 101 ms for a PL/pgSQL call and a lookup each. Every other insert is still checked
-- row by row. A WHEN condition is evaluated without calling the function.
DROP TRIGGER outbox_skip_erased ON outbox;
CREATE TRIGGER outbox_skip_erased BEFORE INSERT ON outbox
    FOR EACH ROW
    WHEN (NEW.member_id IS NOT NULL
          AND NEW.idempotency_key NOT LIKE 'checkin-prompt:%'
          AND NEW.idempotency_key NOT LIKE 'checkin-nudge:%')
    EXECUTE FUNCTION outbox_skip_erased();
