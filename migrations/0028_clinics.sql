-- Clinic queues: learners wait in line at a running clinic (or office-hours) session, a
-- mentor calls the next one, and the time each was helped estimates the wait.
CREATE TABLE clinic_queue (
    id                bigserial PRIMARY KEY,
    community_id      uuid NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    session_id        uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    member_id         uuid NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    topic             text NOT NULL,
    status            text NOT NULL DEFAULT 'waiting'
        CHECK (status IN ('waiting', 'helping', 'done', 'noshow', 'left')),
    joined_at         timestamptz NOT NULL,
    called_at         timestamptz,
    helper_id         uuid REFERENCES members (id) ON DELETE SET NULL,
    finished_at       timestamptz,
    note              text,
    -- When the learner was told they are next, so they are told once.
    next_notice_at    timestamptz
);
-- A learner is in one session's queue at most once at a time.
CREATE UNIQUE INDEX clinic_queue_once ON clinic_queue (session_id, member_id)
    WHERE status IN ('waiting', 'helping');
CREATE INDEX clinic_queue_line ON clinic_queue (session_id, joined_at, id) WHERE status = 'waiting';
CREATE INDEX clinic_queue_helper ON clinic_queue (helper_id) WHERE status = 'helping';
