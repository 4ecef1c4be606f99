-- Sessions of a circle (a meetup, a circle's clinic) rather than of a cohort: the same
-- engine (announcements, RSVPs, reminders, clinic queues), posted to the circle's channel.
ALTER TABLE sessions ALTER COLUMN cohort_id DROP NOT NULL;
ALTER TABLE sessions ADD COLUMN circle_id uuid REFERENCES circles (id) ON DELETE CASCADE;
ALTER TABLE sessions ADD CONSTRAINT sessions_one_home
    CHECK ((cohort_id IS NULL) <> (circle_id IS NULL));
CREATE INDEX sessions_circle_starts ON sessions (circle_id, starts_at) WHERE circle_id IS NOT NULL;

-- A question asked of a circle (`/kb ask … circle:`): its members may answer it, and the
-- answer's entry is the circle's.
ALTER TABLE kb_questions ADD COLUMN circle_id uuid REFERENCES circles (id) ON DELETE SET NULL;

-- A circle's secret calendar feed, like a cohort's (`ical_feeds`).
CREATE TABLE circle_feeds (
    circle_id     uuid PRIMARY KEY REFERENCES circles (id) ON DELETE CASCADE,
    community_id  uuid NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    token         text NOT NULL UNIQUE,
    rotated_at    timestamptz NOT NULL
);
