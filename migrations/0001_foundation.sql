-- Foundation: communities, members, roles, cohorts, tracks, modules, mentor groups,
-- enrollments, circles, schedules and the audit log. Every table is scoped by community.

CREATE TABLE communities (
    id               uuid PRIMARY KEY,
    slug             text NOT NULL UNIQUE,
    name             text NOT NULL,
    code_of_conduct  text NOT NULL,
    -- One community per Discord guild or Slack workspace; the shell finds it by slug.
    discord_guild_id text UNIQUE,
    slack_team_id    text UNIQUE,
    created_at       timestamptz NOT NULL
);

CREATE TABLE members (
    id                uuid PRIMARY KEY,
    community_id      uuid NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    platform          text NOT NULL CHECK (platform IN ('shell', 'discord', 'slack')),
    platform_user_id  text NOT NULL,
    display_name      text NOT NULL,
    timezone          text,
    skills            text[] NOT NULL DEFAULT '{}',
    coc_accepted_at   timestamptz,
    created_at        timestamptz NOT NULL,
    UNIQUE (community_id, platform, platform_user_id),
    -- Lets child tables prove their member belongs to the same community.
    UNIQUE (community_id, id)
);

CREATE TABLE cohorts (
    id            uuid PRIMARY KEY,
    community_id  uuid NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    slug          text NOT NULL,
    name          text NOT NULL,
    timezone      text NOT NULL,
    starts_on     date,
    ends_on       date,
    channel       text,
    created_at    timestamptz NOT NULL,
    UNIQUE (community_id, slug),
    UNIQUE (community_id, id)
);

CREATE TABLE tracks (
    id            uuid PRIMARY KEY,
    community_id  uuid NOT NULL,
    cohort_id     uuid NOT NULL,
    slug          text NOT NULL,
    name          text NOT NULL,
    kind          text NOT NULL CHECK (kind IN ('modules', 'project')),
    UNIQUE (cohort_id, slug),
    UNIQUE (community_id, id),
    FOREIGN KEY (community_id, cohort_id) REFERENCES cohorts (community_id, id) ON DELETE CASCADE
);

CREATE TABLE modules (
    id            uuid PRIMARY KEY,
    community_id  uuid NOT NULL,
    track_id      uuid NOT NULL,
    slug          text NOT NULL,
    name          text NOT NULL,
    position      integer NOT NULL,
    capstone      boolean NOT NULL DEFAULT false,
    badge         text,
    UNIQUE (track_id, slug),
    UNIQUE (community_id, id),
    FOREIGN KEY (community_id, track_id) REFERENCES tracks (community_id, id) ON DELETE CASCADE
);

CREATE TABLE module_prerequisites (
    community_id  uuid NOT NULL,
    module_id     uuid NOT NULL,
    requires_id   uuid NOT NULL,
    PRIMARY KEY (module_id, requires_id),
    CHECK (module_id <> requires_id),
    FOREIGN KEY (community_id, module_id) REFERENCES modules (community_id, id) ON DELETE CASCADE,
    FOREIGN KEY (community_id, requires_id) REFERENCES modules (community_id, id) ON DELETE CASCADE
);

CREATE TABLE cohort_schedules (
    community_id  uuid NOT NULL,
    cohort_id     uuid NOT NULL,
    kind          text NOT NULL,
    cron          text NOT NULL,
    PRIMARY KEY (cohort_id, kind),
    FOREIGN KEY (community_id, cohort_id) REFERENCES cohorts (community_id, id) ON DELETE CASCADE
);

CREATE TABLE circles (
    id            uuid PRIMARY KEY,
    community_id  uuid NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    slug          text NOT NULL,
    name          text NOT NULL,
    description   text NOT NULL DEFAULT '',
    UNIQUE (community_id, slug)
);

CREATE TABLE mentor_groups (
    id              uuid PRIMARY KEY,
    community_id    uuid NOT NULL,
    cohort_id       uuid NOT NULL,
    name            text NOT NULL,
    lead_member_id  uuid,
    UNIQUE (cohort_id, name),
    UNIQUE (community_id, id),
    FOREIGN KEY (community_id, cohort_id) REFERENCES cohorts (community_id, id) ON DELETE CASCADE,
    FOREIGN KEY (community_id, lead_member_id) REFERENCES members (community_id, id)
);

CREATE TABLE member_roles (
    id            uuid PRIMARY KEY,
    community_id  uuid NOT NULL,
    member_id     uuid NOT NULL,
    role          text NOT NULL CHECK (role IN
                    ('steward', 'sponsor', 'lead_mentor', 'community_mentor', 'learner', 'alumni')),
    -- NULL means community-wide; otherwise the role holds in one cohort.
    cohort_id     uuid,
    granted_at    timestamptz NOT NULL,
    granted_by    uuid,
    FOREIGN KEY (community_id, member_id) REFERENCES members (community_id, id) ON DELETE CASCADE,
    FOREIGN KEY (community_id, cohort_id) REFERENCES cohorts (community_id, id) ON DELETE CASCADE,
    UNIQUE NULLS NOT DISTINCT (member_id, role, cohort_id)
);

CREATE TABLE enrollments (
    id               uuid PRIMARY KEY,
    community_id     uuid NOT NULL,
    cohort_id        uuid NOT NULL,
    member_id        uuid NOT NULL,
    track_id         uuid,
    mentor_group_id  uuid,
    status           text NOT NULL CHECK (status IN ('active', 'left', 'completed')),
    joined_at        timestamptz NOT NULL,
    left_at          timestamptz,
    FOREIGN KEY (community_id, cohort_id) REFERENCES cohorts (community_id, id) ON DELETE CASCADE,
    FOREIGN KEY (community_id, member_id) REFERENCES members (community_id, id) ON DELETE CASCADE,
    FOREIGN KEY (community_id, track_id) REFERENCES tracks (community_id, id),
    FOREIGN KEY (community_id, mentor_group_id) REFERENCES mentor_groups (community_id, id)
);
-- History is kept (a member may leave and rejoin); only one enrollment per cohort is active.
CREATE UNIQUE INDEX enrollments_one_active ON enrollments (cohort_id, member_id) WHERE status = 'active';
CREATE INDEX enrollments_member ON enrollments (member_id);

-- A join waiting for the member to accept the code of conduct.
CREATE TABLE pending_joins (
    member_id     uuid PRIMARY KEY,
    community_id  uuid NOT NULL,
    cohort_id     uuid NOT NULL,
    track_id      uuid,
    requested_at  timestamptz NOT NULL,
    FOREIGN KEY (community_id, member_id) REFERENCES members (community_id, id) ON DELETE CASCADE,
    FOREIGN KEY (community_id, cohort_id) REFERENCES cohorts (community_id, id) ON DELETE CASCADE
);

CREATE TABLE audit_log (
    id               bigserial PRIMARY KEY,
    community_id     uuid NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    actor_member_id  uuid,
    action           text NOT NULL,
    detail           jsonb NOT NULL DEFAULT '{}',
    at               timestamptz NOT NULL
);
CREATE INDEX audit_log_community_at ON audit_log (community_id, at);
