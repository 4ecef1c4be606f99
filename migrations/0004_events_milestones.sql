-- Sessions (lightning talks, demo days, clinics, office hours) with talks, RSVPs and
-- attendance; per-cohort iCalendar feed tokens; milestone submissions and Open Badges.

-- A recurring session rule from the program file; its occurrences become `sessions`.
CREATE TABLE session_series (
    id                uuid PRIMARY KEY,
    community_id      uuid NOT NULL,
    cohort_id         uuid NOT NULL,
    slug              text NOT NULL,
    kind              text NOT NULL,
    title             text NOT NULL,
    cron              text NOT NULL,
    -- 2 = every other week (counted from the cohort's first occurrence).
    every_weeks       integer NOT NULL DEFAULT 1 CHECK (every_weeks BETWEEN 1 AND 8),
    duration_minutes  integer NOT NULL CHECK (duration_minutes BETWEEN 5 AND 600),
    slots             integer NOT NULL CHECK (slots BETWEEN 0 AND 50),
    location          text,
    UNIQUE (cohort_id, slug),
    UNIQUE (community_id, id),
    FOREIGN KEY (community_id, cohort_id) REFERENCES cohorts (community_id, id) ON DELETE CASCADE
);

CREATE TABLE sessions (
    id                uuid PRIMARY KEY,
    community_id      uuid NOT NULL,
    cohort_id         uuid NOT NULL,
    -- What people type: `/event rsvp 3`.
    number            integer NOT NULL,
    kind              text NOT NULL CHECK (kind IN ('lightning_talks', 'demo_day', 'clinic', 'office_hours')),
    title             text NOT NULL,
    starts_at         timestamptz NOT NULL,
    duration_minutes  integer NOT NULL CHECK (duration_minutes BETWEEN 5 AND 600),
    location          text,
    slots             integer NOT NULL CHECK (slots BETWEEN 0 AND 50),
    status            text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
    checkin_code      text NOT NULL,
    created_by        uuid,
    series_id         uuid REFERENCES session_series (id) ON DELETE SET NULL,
    -- The series tick this occurrence came from; kept when the session is moved.
    occurrence_at     timestamptz,
    created_at        timestamptz NOT NULL,
    UNIQUE (community_id, number),
    UNIQUE (community_id, id),
    UNIQUE (series_id, occurrence_at),
    FOREIGN KEY (community_id, cohort_id) REFERENCES cohorts (community_id, id) ON DELETE CASCADE
);
CREATE INDEX sessions_cohort_starts ON sessions (cohort_id, starts_at);
CREATE INDEX sessions_starts ON sessions (starts_at) WHERE status = 'scheduled';

CREATE SEQUENCE talk_queue;
CREATE TABLE talks (
    id            uuid PRIMARY KEY,
    community_id  uuid NOT NULL,
    session_id    uuid NOT NULL,
    speaker_id    uuid NOT NULL,
    title         text NOT NULL,
    abstract      text,
    status        text NOT NULL CHECK (status IN ('active', 'waitlisted', 'withdrawn')),
    -- Slot order among active talks, waitlist order among waitlisted ones; a promotion
    -- takes a fresh number, so the promoted talk comes last in the lineup.
    queue_position bigint NOT NULL DEFAULT nextval('talk_queue'),
    created_at    timestamptz NOT NULL,
    FOREIGN KEY (community_id, session_id) REFERENCES sessions (community_id, id) ON DELETE CASCADE,
    FOREIGN KEY (community_id, speaker_id) REFERENCES members (community_id, id) ON DELETE CASCADE
);
-- One active (or waitlisted) talk per speaker per session.
CREATE UNIQUE INDEX talks_one_per_speaker ON talks (session_id, speaker_id) WHERE status <> 'withdrawn';

CREATE TABLE session_rsvps (
    community_id  uuid NOT NULL,
    session_id    uuid NOT NULL,
    member_id     uuid NOT NULL,
    created_at    timestamptz NOT NULL,
    PRIMARY KEY (session_id, member_id),
    FOREIGN KEY (community_id, session_id) REFERENCES sessions (community_id, id) ON DELETE CASCADE,
    FOREIGN KEY (community_id, member_id) REFERENCES members (community_id, id) ON DELETE CASCADE
);

CREATE TABLE session_attendance (
    community_id  uuid NOT NULL,
    session_id    uuid NOT NULL,
    member_id     uuid NOT NULL,
    via           text NOT NULL CHECK (via IN ('host', 'code')),
    recorded_by   uuid,
    recorded_at   timestamptz NOT NULL,
    PRIMARY KEY (session_id, member_id),
    FOREIGN KEY (community_id, session_id) REFERENCES sessions (community_id, id) ON DELETE CASCADE,
    FOREIGN KEY (community_id, member_id) REFERENCES members (community_id, id) ON DELETE CASCADE
);

-- The secret in a cohort's calendar link; rotating it breaks the old link.
CREATE TABLE ical_feeds (
    cohort_id     uuid PRIMARY KEY,
    community_id  uuid NOT NULL,
    token         text NOT NULL UNIQUE,
    rotated_at    timestamptz NOT NULL,
    FOREIGN KEY (community_id, cohort_id) REFERENCES cohorts (community_id, id) ON DELETE CASCADE
);

CREATE TABLE milestones (
    id            uuid PRIMARY KEY,
    community_id  uuid NOT NULL,
    cohort_id     uuid NOT NULL,
    module_id     uuid NOT NULL,
    member_id     uuid NOT NULL,
    evidence_url  text NOT NULL,
    note          text,
    -- Capstones: time saved, process replaced; read by the program's metrics.
    impact        text,
    status        text NOT NULL CHECK (status IN ('submitted', 'changes_requested', 'verified')),
    submitted_at  timestamptz NOT NULL,
    reviewed_by   uuid,
    reviewed_at   timestamptz,
    review_note   text,
    UNIQUE (member_id, module_id),
    UNIQUE (community_id, id),
    FOREIGN KEY (community_id, cohort_id) REFERENCES cohorts (community_id, id) ON DELETE CASCADE,
    FOREIGN KEY (community_id, module_id) REFERENCES modules (community_id, id) ON DELETE CASCADE,
    FOREIGN KEY (community_id, member_id) REFERENCES members (community_id, id) ON DELETE CASCADE
);
CREATE INDEX milestones_cohort_reviewed ON milestones (cohort_id, reviewed_at) WHERE status = 'verified';

-- An Open Badges credential for a verified module that carries a badge.
CREATE TABLE badges (
    id              uuid PRIMARY KEY,
    community_id    uuid NOT NULL,
    member_id       uuid NOT NULL,
    milestone_id    uuid NOT NULL UNIQUE,
    name            text NOT NULL,
    issued_at       timestamptz NOT NULL,
    revoked_at      timestamptz,
    revoked_reason  text,
    FOREIGN KEY (community_id, member_id) REFERENCES members (community_id, id) ON DELETE CASCADE,
    FOREIGN KEY (community_id, milestone_id) REFERENCES milestones (community_id, id) ON DELETE CASCADE
);
CREATE INDEX badges_member ON badges (member_id);
