-- Mentorship: mentor offers and pauses, do-not-match lists, match proposals and history,
-- rotation settings and kudos.

-- For the cross-department bonus in matching.
ALTER TABLE members ADD COLUMN department text;

-- One community's mentoring settings, from the program file.
CREATE TABLE mentoring_settings (
    community_id    uuid PRIMARY KEY REFERENCES communities (id) ON DELETE CASCADE,
    -- The mentor playbook shown by `/mentor guide`.
    guide           text NOT NULL DEFAULT '',
    rotation_weeks  integer NOT NULL DEFAULT 4 CHECK (rotation_weeks BETWEEN 1 AND 52),
    group_size      integer NOT NULL DEFAULT 8 CHECK (group_size BETWEEN 1 AND 50),
    -- Where review requests are announced.
    review_channel  text NOT NULL DEFAULT 'mentors',
    -- An unclaimed review is re-announced and escalated after this many hours.
    review_escalate_hours integer NOT NULL DEFAULT 24 CHECK (review_escalate_hours BETWEEN 1 AND 336),
    -- A mentor silent this many days while learners wait is flagged.
    inactive_days   integer NOT NULL DEFAULT 14 CHECK (inactive_days BETWEEN 1 AND 90)
);

-- A member's offer to mentor, and the steward's decision. One per member.
CREATE TABLE mentor_profiles (
    member_id       uuid PRIMARY KEY,
    community_id    uuid NOT NULL,
    tier            text NOT NULL CHECK (tier IN ('community', 'lead')),
    -- Learners for a community mentor, groups for a lead.
    capacity        integer NOT NULL CHECK (capacity BETWEEN 1 AND 50),
    skills          text[] NOT NULL DEFAULT '{}',
    status          text NOT NULL CHECK (status IN ('pending', 'approved', 'declined')),
    offered_at      timestamptz NOT NULL,
    decided_at      timestamptz,
    decided_by      uuid,
    decline_reason  text,
    paused          boolean NOT NULL DEFAULT false,
    -- Last day of a pause; NULL with `paused` means until `/mentor resume`.
    paused_until    date,
    recognition_opt_out boolean NOT NULL DEFAULT false,
    FOREIGN KEY (community_id, member_id) REFERENCES members (community_id, id) ON DELETE CASCADE
);
CREATE INDEX mentor_profiles_community ON mentor_profiles (community_id, status);

-- Private do-not-match lists: `member_id` never wants to be paired with `avoid_member_id`.
CREATE TABLE mentor_avoid (
    community_id     uuid NOT NULL,
    member_id        uuid NOT NULL,
    avoid_member_id  uuid NOT NULL,
    created_at       timestamptz NOT NULL,
    PRIMARY KEY (member_id, avoid_member_id),
    CHECK (member_id <> avoid_member_id),
    FOREIGN KEY (community_id, member_id) REFERENCES members (community_id, id) ON DELETE CASCADE,
    FOREIGN KEY (community_id, avoid_member_id) REFERENCES members (community_id, id) ON DELETE CASCADE
);

-- A proposed matching; `/mentor match apply` commits the cohort's latest unapplied one.
CREATE TABLE match_runs (
    id            uuid PRIMARY KEY,
    community_id  uuid NOT NULL,
    cohort_id     uuid NOT NULL,
    proposed_by   uuid,
    proposed_at   timestamptz NOT NULL,
    applied_at    timestamptz,
    total_score   bigint NOT NULL,
    greedy_score  bigint NOT NULL,
    plan          jsonb NOT NULL,
    FOREIGN KEY (community_id, cohort_id) REFERENCES cohorts (community_id, id) ON DELETE CASCADE
);
CREATE INDEX match_runs_cohort ON match_runs (cohort_id, proposed_at);

-- Who mentors whom, with history: ended rows stay so later runs can prefer new pairs.
CREATE TABLE mentorships (
    id            uuid PRIMARY KEY,
    community_id  uuid NOT NULL,
    cohort_id     uuid NOT NULL,
    learner_id    uuid NOT NULL,
    mentor_id     uuid NOT NULL,
    tier          text NOT NULL CHECK (tier IN ('community', 'lead')),
    run_id        uuid REFERENCES match_runs (id) ON DELETE SET NULL,
    reasons       text NOT NULL DEFAULT '',
    started_at    timestamptz NOT NULL,
    ended_at      timestamptz,
    CHECK (learner_id <> mentor_id),
    FOREIGN KEY (community_id, cohort_id) REFERENCES cohorts (community_id, id) ON DELETE CASCADE,
    FOREIGN KEY (community_id, learner_id) REFERENCES members (community_id, id) ON DELETE CASCADE,
    FOREIGN KEY (community_id, mentor_id) REFERENCES members (community_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX mentorships_one_active ON mentorships (cohort_id, learner_id, tier)
    WHERE ended_at IS NULL;
CREATE INDEX mentorships_mentor ON mentorships (mentor_id) WHERE ended_at IS NULL;

-- A handover note from an outgoing community mentor, for the incoming one only.
CREATE TABLE mentor_handovers (
    id             uuid PRIMARY KEY,
    community_id   uuid NOT NULL,
    cohort_id      uuid NOT NULL,
    outgoing_id    uuid NOT NULL,
    incoming_id    uuid NOT NULL,
    prompted_at    timestamptz NOT NULL,
    note           text,
    noted_at       timestamptz,
    FOREIGN KEY (community_id, cohort_id) REFERENCES cohorts (community_id, id) ON DELETE CASCADE,
    FOREIGN KEY (community_id, outgoing_id) REFERENCES members (community_id, id) ON DELETE CASCADE,
    FOREIGN KEY (community_id, incoming_id) REFERENCES members (community_id, id) ON DELETE CASCADE
);

CREATE TABLE kudos (
    id            uuid PRIMARY KEY,
    community_id  uuid NOT NULL,
    giver_id      uuid NOT NULL,
    receiver_id   uuid NOT NULL,
    body          text NOT NULL,
    given_at      timestamptz NOT NULL,
    CHECK (giver_id <> receiver_id),
    FOREIGN KEY (community_id, giver_id) REFERENCES members (community_id, id) ON DELETE CASCADE,
    FOREIGN KEY (community_id, receiver_id) REFERENCES members (community_id, id) ON DELETE CASCADE
);
CREATE INDEX kudos_giver_at ON kudos (giver_id, given_at);
CREATE INDEX kudos_receiver_at ON kudos (receiver_id, given_at);

-- Lightweight reviews: a learner asks, a mentor claims and gives structured feedback.
CREATE TABLE reviews (
    id            uuid PRIMARY KEY,
    community_id  uuid NOT NULL,
    -- The number people type: `/review claim 7`.
    number        integer NOT NULL,
    cohort_id     uuid NOT NULL,
    learner_id    uuid NOT NULL,
    url           text NOT NULL,
    topic         text,
    note          text,
    status        text NOT NULL CHECK (status IN ('open', 'claimed', 'done')),
    requested_at  timestamptz NOT NULL,
    claimed_by    uuid,
    claimed_at    timestamptz,
    escalated_at  timestamptz,
    done_at       timestamptz,
    works         text,
    improve       text,
    next_step     text,
    UNIQUE (community_id, number),
    CHECK (claimed_by IS NULL OR claimed_by <> learner_id),
    FOREIGN KEY (community_id, cohort_id) REFERENCES cohorts (community_id, id) ON DELETE CASCADE,
    FOREIGN KEY (community_id, learner_id) REFERENCES members (community_id, id) ON DELETE CASCADE,
    FOREIGN KEY (community_id, claimed_by) REFERENCES members (community_id, id) ON DELETE CASCADE
);
CREATE INDEX reviews_open ON reviews (cohort_id, requested_at) WHERE status = 'open';
CREATE INDEX reviews_learner_open ON reviews (learner_id) WHERE status <> 'done';

-- "My mentor is unreachable", said privately by a learner.
CREATE TABLE mentor_reports (
    id            uuid PRIMARY KEY,
    community_id  uuid NOT NULL,
    cohort_id     uuid NOT NULL,
    learner_id    uuid NOT NULL,
    mentor_id     uuid NOT NULL,
    reported_at   timestamptz NOT NULL,
    FOREIGN KEY (community_id, cohort_id) REFERENCES cohorts (community_id, id) ON DELETE CASCADE,
    FOREIGN KEY (community_id, learner_id) REFERENCES members (community_id, id) ON DELETE CASCADE,
    FOREIGN KEY (community_id, mentor_id) REFERENCES members (community_id, id) ON DELETE CASCADE
);
CREATE INDEX mentor_reports_mentor ON mentor_reports (mentor_id, reported_at);

-- A mentor flagged as inactive in a cohort; resolved when their learners are re-matched.
CREATE TABLE mentor_flags (
    id            uuid PRIMARY KEY,
    community_id  uuid NOT NULL,
    cohort_id     uuid NOT NULL,
    mentor_id     uuid NOT NULL,
    flagged_at    timestamptz NOT NULL,
    resolved_at   timestamptz,
    FOREIGN KEY (community_id, cohort_id) REFERENCES cohorts (community_id, id) ON DELETE CASCADE,
    FOREIGN KEY (community_id, mentor_id) REFERENCES members (community_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX mentor_flags_open ON mentor_flags (cohort_id, mentor_id) WHERE resolved_at IS NULL;

-- Pair-programming sessions: a learner asks, a community mentor is matched, both confirm.
CREATE TABLE pairings (
    id            uuid PRIMARY KEY,
    community_id  uuid NOT NULL,
    number        integer NOT NULL,
    cohort_id     uuid NOT NULL,
    learner_id    uuid NOT NULL,
    mentor_id     uuid NOT NULL,
    topic         text NOT NULL,
    proposed_at   timestamptz NOT NULL,
    created_at    timestamptz NOT NULL,
    -- When both were asked "did you meet?" (once, a day after the proposed time).
    prompted_at   timestamptz,
    learner_met   boolean,
    mentor_met    boolean,
    UNIQUE (community_id, number),
    CHECK (learner_id <> mentor_id),
    FOREIGN KEY (community_id, cohort_id) REFERENCES cohorts (community_id, id) ON DELETE CASCADE,
    FOREIGN KEY (community_id, learner_id) REFERENCES members (community_id, id) ON DELETE CASCADE,
    FOREIGN KEY (community_id, mentor_id) REFERENCES members (community_id, id) ON DELETE CASCADE
);
CREATE INDEX pairings_follow_up ON pairings (cohort_id, proposed_at) WHERE prompted_at IS NULL;
