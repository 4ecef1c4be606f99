-- Weekly check-in streaks, per cohort, settled once each week's check-in window closes.

-- The stored streak; `settled_through` is the last week (ISO, in the member's zone) whose
-- outcome is counted. Recomputing from `streak_events` gives the same numbers.
CREATE TABLE streaks (
    community_id     uuid NOT NULL,
    cohort_id        uuid NOT NULL,
    member_id        uuid NOT NULL,
    current          integer NOT NULL DEFAULT 0 CHECK (current >= 0),
    best             integer NOT NULL DEFAULT 0 CHECK (best >= current),
    freezes          integer NOT NULL DEFAULT 0 CHECK (freezes BETWEEN 0 AND 2),
    settled_through  text,
    -- When the next week to settle has closed its check-in window (UTC): the scheduler
    -- reads only rows due, so an idle pass costs one index probe. NULL once the member
    -- has left the cohort.
    settle_after     timestamptz,
    PRIMARY KEY (cohort_id, member_id),
    FOREIGN KEY (community_id, cohort_id) REFERENCES cohorts (community_id, id) ON DELETE CASCADE,
    FOREIGN KEY (community_id, member_id) REFERENCES members (community_id, id) ON DELETE CASCADE
);

-- The audit trail: every change to a streak, with the numbers after it.
CREATE TABLE streak_events (
    id            bigserial PRIMARY KEY,
    community_id  uuid NOT NULL,
    cohort_id     uuid NOT NULL,
    member_id     uuid NOT NULL,
    period        text NOT NULL,
    kind          text NOT NULL CHECK (kind IN ('checked_in', 'excused', 'freeze_used', 'freeze_earned', 'broken')),
    streak        integer NOT NULL,
    freezes       integer NOT NULL,
    created_at    timestamptz NOT NULL,
    FOREIGN KEY (cohort_id, member_id) REFERENCES streaks (cohort_id, member_id) ON DELETE CASCADE
);
CREATE INDEX streak_events_member ON streak_events (cohort_id, member_id, id);
CREATE INDEX streaks_due ON streaks (settle_after) WHERE settle_after IS NOT NULL;

-- Every active learner gets a streak row when they join; those enrolled before streaks
-- existed get theirs now, due at once.
INSERT INTO streaks (community_id, cohort_id, member_id, settle_after)
SELECT community_id, cohort_id, member_id, now() FROM enrollments WHERE status = 'active'
ON CONFLICT DO NOTHING;

-- A member who would rather see a streak break than spend a freeze on a missed week.
ALTER TABLE members ADD COLUMN streak_freezes_off boolean NOT NULL DEFAULT false;
