-- Platform budgets shared by every process (src/store/outbox.rs `claim`). The claim that
-- leases a post also reserves its slot here, on the database's clock, and advances
-- `next_at` in the same statement; the dispatcher sends no sooner than the slot. Keys:
-- 'discord' (the bot's global 50 requests a second) and 'slack <channel or member>' (one
-- message a second per channel).
CREATE TABLE send_pacing (
    key      text PRIMARY KEY,
    next_at  timestamptz NOT NULL
);

-- Seeded so that the very first claims already serialize on the row's lock.
INSERT INTO send_pacing (key, next_at) VALUES ('discord', '-infinity');

-- Which process holds a post's lease (`bot_processes.id`; NULL outside server mode), so
-- the leases of a process that stopped beating are handed back at once instead of
-- when they expire (src/cluster/registry.rs).
ALTER TABLE outbox ADD COLUMN leased_by uuid;
CREATE INDEX outbox_leased_by ON outbox (leased_by) WHERE status = 'pending' AND leased_by IS NOT NULL;
