-- The scheduler's claims and watermark, and weekly check-ins with their prompts, history
-- and mentor replies.

-- Up to when the scheduler has evaluated triggers; ticks after it are caught up on start.
CREATE TABLE scheduler_state (
    id           boolean PRIMARY KEY DEFAULT true CHECK (id),
    last_run_at  timestamptz NOT NULL
);

-- Each (trigger, tick) is claimed once, however many processes run.
CREATE TABLE trigger_ticks (
    trigger_key   text NOT NULL,
    tick          timestamptz NOT NULL,
    community_id  uuid NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    status        text NOT NULL CHECK (status IN ('fired', 'skipped')),
    recorded_at   timestamptz NOT NULL,
    PRIMARY KEY (trigger_key, tick)
);

ALTER TABLE cohorts ADD COLUMN nudge_after_hours integer NOT NULL DEFAULT 24
    CHECK (nudge_after_hours BETWEEN 1 AND 168);

-- A prompt sent for one period (ISO week in the member's time zone).
CREATE TABLE checkin_prompts (
    community_id  uuid NOT NULL,
    cohort_id     uuid NOT NULL,
    member_id     uuid NOT NULL,
    period        text NOT NULL,
    sent_at       timestamptz NOT NULL,
    nudged_at     timestamptz,
    PRIMARY KEY (cohort_id, member_id, period),
    FOREIGN KEY (community_id, cohort_id) REFERENCES cohorts (community_id, id) ON DELETE CASCADE,
    FOREIGN KEY (community_id, member_id) REFERENCES members (community_id, id) ON DELETE CASCADE
);
-- The digests read one cohort's weeks.
CREATE INDEX checkin_prompts_cohort_period ON checkin_prompts (cohort_id, period);

CREATE TABLE checkins (
    id                   uuid PRIMARY KEY,
    community_id         uuid NOT NULL,
    cohort_id            uuid NOT NULL,
    member_id            uuid NOT NULL,
    period               text NOT NULL,
    progress             text NOT NULL,
    blockers             text,
    confidence           smallint NOT NULL CHECK (confidence BETWEEN 1 AND 5),
    hours                real CHECK (hours >= 0 AND hours <= 168),
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL,
    -- Set when a later check-in by the same member reports no blockers.
    blocker_resolved_at  timestamptz,
    UNIQUE (cohort_id, member_id, period),
    UNIQUE (community_id, id),
    FOREIGN KEY (community_id, cohort_id) REFERENCES cohorts (community_id, id) ON DELETE CASCADE,
    FOREIGN KEY (community_id, member_id) REFERENCES members (community_id, id) ON DELETE CASCADE
);
CREATE INDEX checkins_cohort_period ON checkins (cohort_id, period);
-- Open blockers are few; the digest counts them without reading the whole history.
CREATE INDEX checkins_open_blockers ON checkins (cohort_id, member_id)
    WHERE blockers IS NOT NULL AND blocker_resolved_at IS NULL;

-- Every earlier version of an edited check-in.
CREATE TABLE checkin_revisions (
    id           bigserial PRIMARY KEY,
    checkin_id   uuid NOT NULL REFERENCES checkins (id) ON DELETE CASCADE,
    progress     text NOT NULL,
    blockers     text,
    confidence   smallint NOT NULL,
    hours        real,
    recorded_at  timestamptz NOT NULL
);

CREATE TABLE checkin_replies (
    id                uuid PRIMARY KEY,
    community_id      uuid NOT NULL,
    checkin_id        uuid NOT NULL,
    mentor_member_id  uuid NOT NULL,
    body              text NOT NULL,
    created_at        timestamptz NOT NULL,
    FOREIGN KEY (community_id, checkin_id) REFERENCES checkins (community_id, id) ON DELETE CASCADE,
    FOREIGN KEY (community_id, mentor_member_id) REFERENCES members (community_id, id) ON DELETE CASCADE
);

-- The cohorts in which `mentor` mentors `learner`: as lead of the learner's mentor group,
-- or, for a learner without a group, as a lead mentor of the cohort. One definition, used
-- by privacy checks, escalation and the mentor digest.
CREATE FUNCTION mentored_cohorts(mentor uuid, learner uuid) RETURNS TABLE (cohort_id uuid)
LANGUAGE sql STABLE AS $$
    SELECT e.cohort_id FROM enrollments e
    LEFT JOIN mentor_groups g ON g.id = e.mentor_group_id
    WHERE e.member_id = learner AND e.status = 'active' AND learner <> mentor
      AND (g.lead_member_id = mentor
           OR (e.mentor_group_id IS NULL AND EXISTS (
                 SELECT 1 FROM member_roles r
                 WHERE r.member_id = mentor AND r.role = 'lead_mentor' AND r.cohort_id = e.cohort_id)))
$$;

-- A cohort's lead mentors: the leads of its mentor groups and holders of its lead mentor role.
CREATE FUNCTION cohort_lead_mentors(cohort uuid) RETURNS TABLE (member_id uuid)
LANGUAGE sql STABLE AS $$
    SELECT lead_member_id FROM mentor_groups WHERE cohort_id = cohort AND lead_member_id IS NOT NULL
    UNION
    SELECT member_id FROM member_roles WHERE cohort_id = cohort AND role = 'lead_mentor'
$$;
