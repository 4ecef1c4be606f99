-- The tool registry (issue 21): the apps, flows, bots, connectors, datasets and reports
-- citizen developers build, with an owner, a backup, the data they touch and who uses them.
-- Above the program file's thresholds a registration waits for an approval; every tool is
-- reviewed by its owner at an interval.

CREATE TABLE tool_settings (
    community_id         uuid PRIMARY KEY REFERENCES communities (id) ON DELETE CASCADE,
    review_days          integer NOT NULL DEFAULT 180 CHECK (review_days BETWEEN 30 AND 730),
    -- More estimated users than this, and the registration needs an approval.
    approval_over_users  integer NOT NULL DEFAULT 20 CHECK (approval_over_users >= 0),
    -- Data classes whose tools need an approval whatever their size.
    approval_data        text[] NOT NULL DEFAULT '{confidential,personal}'
);

CREATE TABLE tools (
    id                  uuid PRIMARY KEY,
    community_id        uuid NOT NULL,
    -- What people type: `/tool confirm 3`.
    number              integer NOT NULL,
    name                text NOT NULL,
    kind                text NOT NULL CHECK (kind IN ('app', 'flow', 'bot', 'connector', 'dataset', 'report')),
    owner_id            uuid NOT NULL,
    backup_owner_id     uuid,
    environment         text NOT NULL,
    data_class          text NOT NULL CHECK (data_class IN ('public', 'internal', 'confidential', 'personal')),
    users_estimate      integer NOT NULL CHECK (users_estimate >= 0),
    justification       text NOT NULL,
    links               text,
    status              text NOT NULL
                        CHECK (status IN ('pending_approval', 'active', 'not_approved', 'retired')),
    -- The approval a registration over the thresholds waits for.
    approval_request_id uuid REFERENCES approval_requests (id) ON DELETE SET NULL,
    registered_at       timestamptz NOT NULL,
    -- The owner's last "still in use, still as registered".
    confirmed_at        timestamptz NOT NULL,
    review_due_at       timestamptz NOT NULL,
    -- The review reminder, sent once per review; the stewards are told once when the
    -- owner leaves it unanswered.
    reminded_at         timestamptz,
    stewards_told_at    timestamptz,
    retired_at          timestamptz,
    UNIQUE (community_id, number),
    CHECK (backup_owner_id IS NULL OR backup_owner_id <> owner_id),
    FOREIGN KEY (community_id, owner_id) REFERENCES members (community_id, id) ON DELETE CASCADE,
    FOREIGN KEY (community_id, backup_owner_id) REFERENCES members (community_id, id) ON DELETE SET NULL (backup_owner_id)
);
-- One live tool per name in a community (a retired one frees its name).
CREATE UNIQUE INDEX tools_live_name ON tools (community_id, lower(name)) WHERE status <> 'retired';
CREATE INDEX tools_review_due ON tools (review_due_at) WHERE status = 'active';
CREATE INDEX tools_approval ON tools (approval_request_id) WHERE approval_request_id IS NOT NULL;
CREATE INDEX tools_owner ON tools (owner_id);
