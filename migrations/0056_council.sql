-- The council (issue 21): a rotating leadership council. Seats and terms come from the
-- program file; elections have a nomination window and an approval-voting window; the
-- terms are staggered, so each election fills about half the seats. A council seat is an
-- achievement for earned roles, so the council's Discord role or Slack user group follows
-- the seats through the outbox like any earned role.
ALTER TABLE earned_roles DROP CONSTRAINT earned_roles_achievement_check;
ALTER TABLE earned_roles ADD CONSTRAINT earned_roles_achievement_check
    CHECK (achievement IN ('badge', 'module', 'graduated', 'streak', 'kudos', 'council'));

-- The program file's `[community.council]`.
CREATE TABLE council_settings (
    community_id     uuid PRIMARY KEY REFERENCES communities (id) ON DELETE CASCADE,
    name             text NOT NULL,
    seats            integer NOT NULL CHECK (seats BETWEEN 2 AND 25),
    term_days        integer NOT NULL CHECK (term_days BETWEEN 28 AND 1461),
    nomination_days  integer NOT NULL CHECK (nomination_days BETWEEN 1 AND 60),
    voting_days      integer NOT NULL CHECK (voting_days BETWEEN 1 AND 60),
    channel          text NOT NULL
);

CREATE TABLE council_elections (
    id                   uuid PRIMARY KEY,
    community_id         uuid NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    number               integer NOT NULL,
    -- How many seats it fills.
    seats                integer NOT NULL CHECK (seats > 0),
    -- The first election fills every seat, half of them for half a term.
    founding             boolean NOT NULL,
    nominations_open_at  timestamptz NOT NULL,
    voting_opens_at      timestamptz NOT NULL,
    voting_closes_at     timestamptz NOT NULL,
    -- When the terms it fills start: its close for the first election, else when the
    -- terms it refills end.
    term_starts_at       timestamptz NOT NULL,
    status               text NOT NULL CHECK (status IN ('nominating', 'voting', 'decided')),
    UNIQUE (community_id, number),
    CHECK (nominations_open_at < voting_opens_at AND voting_opens_at < voting_closes_at
           AND voting_closes_at <= term_starts_at)
);

-- Who stands: nominated by someone else, they stand once they accept.
CREATE TABLE council_candidates (
    election_id   uuid NOT NULL REFERENCES council_elections (id) ON DELETE CASCADE,
    member_id     uuid NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    statement     text NOT NULL DEFAULT '',
    nominated_by  uuid REFERENCES members (id) ON DELETE SET NULL,
    nominated_at  timestamptz NOT NULL,
    accepted_at   timestamptz,
    PRIMARY KEY (election_id, member_id)
);

-- Approval voting: a voter approves any number of candidates; a new ballot replaces theirs.
CREATE TABLE council_ballots (
    election_id   uuid NOT NULL REFERENCES council_elections (id) ON DELETE CASCADE,
    voter_id      uuid NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    candidate_id  uuid NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    cast_at       timestamptz NOT NULL,
    PRIMARY KEY (election_id, voter_id, candidate_id)
);

CREATE TABLE council_seats (
    id            uuid PRIMARY KEY,
    community_id  uuid NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    member_id     uuid NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    election_id   uuid NOT NULL REFERENCES council_elections (id) ON DELETE CASCADE,
    starts_at     timestamptz NOT NULL,
    ends_at       timestamptz NOT NULL,
    -- Set by the rotation when the term starts, cleared when it ends: the earned role
    -- follows this, not the clock.
    seated        boolean NOT NULL DEFAULT false,
    left_at       timestamptz,
    CHECK (starts_at < ends_at)
);
CREATE INDEX council_seats_by_community ON council_seats (community_id, ends_at);

-- After the tables: a SQL function's body is checked against them when it is created.
CREATE OR REPLACE FUNCTION earns_role(rule earned_roles, who uuid) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT CASE rule.achievement
        WHEN 'badge' THEN EXISTS (
            SELECT 1 FROM badges b
             WHERE b.member_id = who AND b.community_id = rule.community_id
               AND b.name = rule.subject AND b.revoked_at IS NULL)
        WHEN 'module' THEN EXISTS (
            SELECT 1 FROM milestones s JOIN modules m ON m.id = s.module_id
             WHERE s.member_id = who AND s.community_id = rule.community_id
               AND s.status = 'verified' AND m.slug = rule.subject)
        WHEN 'graduated' THEN EXISTS (
            SELECT 1 FROM milestones s JOIN modules m ON m.id = s.module_id
             WHERE s.member_id = who AND s.community_id = rule.community_id
               AND s.status = 'verified' AND m.capstone)
        WHEN 'streak' THEN EXISTS (
            SELECT 1 FROM streaks s
             WHERE s.member_id = who AND s.community_id = rule.community_id
               AND s.current >= rule.threshold)
        WHEN 'kudos' THEN (
            SELECT count(*) FROM kudos k
             WHERE k.receiver_id = who AND k.community_id = rule.community_id) >= rule.threshold
        WHEN 'council' THEN EXISTS (
            SELECT 1 FROM council_seats s
             WHERE s.member_id = who AND s.community_id = rule.community_id AND s.seated)
        ELSE false
    END
$$;
