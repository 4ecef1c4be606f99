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
