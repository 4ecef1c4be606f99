-- Early and late check-ins, and the plan carried over to next week.

-- When a check-in came, against its week in the member's zone: before the week began
-- (early, after the member confirmed), during it, or after it ended (late, still counted).
ALTER TABLE checkins ADD COLUMN timing text NOT NULL DEFAULT 'on_time'
    CHECK (timing IN ('early', 'on_time', 'late'));
-- "Plan for next week": shown in next week's prompt, pre-filled in its form, and set
-- against what was done in the lead's digest.
ALTER TABLE checkins ADD COLUMN plan text;
ALTER TABLE checkin_revisions ADD COLUMN plan text;

-- A week's check-in window, around the week in the member's zone: it opens this many
-- minutes before the week's Monday 00:00 (default Friday 12:00 of the week before) and
-- closes this many minutes after its end (default Wednesday 23:59 of the week after).
ALTER TABLE continuity_settings
    ADD COLUMN opens_before_minutes integer NOT NULL DEFAULT 3600
        CHECK (opens_before_minutes BETWEEN 0 AND 10080),
    ADD COLUMN closes_after_minutes integer NOT NULL DEFAULT 4319
        CHECK (closes_after_minutes BETWEEN 0 AND 10080);
