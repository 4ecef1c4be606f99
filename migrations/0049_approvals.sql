-- Approvals (issue 21): a request for a project scope, a data usage, a tool, a connector, a
-- publish or anything else, voted on by the approvers its kind's policy names. The policy
-- comes from the program file; each request keeps a copy of the one it was filed under, so
-- editing the file never changes a vote already under way.

CREATE TABLE approval_policies (
    community_id          uuid NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    kind                  text NOT NULL
                          CHECK (kind IN ('scope', 'data_usage', 'tool', 'connector', 'publish', 'custom')),
    -- Roles (`steward`, `lead_mentor`…) and people (their `user_id` in the program file).
    approvers             text[] NOT NULL CHECK (cardinality(approvers) > 0),
    -- `any`, `all`, `majority` or `quorum:N` (domain::approval::Rule).
    rule                  text NOT NULL,
    max_rejections        integer NOT NULL CHECK (max_rejections >= 1),
    escalate_after_hours  integer CHECK (escalate_after_hours >= 1),
    escalate_to           text[] NOT NULL DEFAULT '{}',
    expires_after_days    integer NOT NULL CHECK (expires_after_days >= 1),
    PRIMARY KEY (community_id, kind)
);

-- Who votes in a member's place while they are away.
CREATE TABLE approval_delegates (
    member_id     uuid PRIMARY KEY,
    community_id  uuid NOT NULL,
    delegate_id   uuid NOT NULL,
    set_at        timestamptz NOT NULL,
    CHECK (delegate_id <> member_id),
    FOREIGN KEY (community_id, member_id) REFERENCES members (community_id, id) ON DELETE CASCADE,
    FOREIGN KEY (community_id, delegate_id) REFERENCES members (community_id, id) ON DELETE CASCADE
);

CREATE TABLE approval_requests (
    id                uuid PRIMARY KEY,
    community_id      uuid NOT NULL,
    -- What people type: `/approve yes 4`.
    number            integer NOT NULL,
    kind              text NOT NULL,
    title             text NOT NULL,
    justification     text NOT NULL,
    data_class        text NOT NULL CHECK (data_class IN ('public', 'internal', 'confidential', 'personal')),
    links             text,
    requester_id      uuid NOT NULL,
    -- The policy as it was when the request was filed.
    rule              text NOT NULL,
    max_rejections    integer NOT NULL,
    escalate_to       text[] NOT NULL,
    status            text NOT NULL DEFAULT 'pending'
                      CHECK (status IN ('pending', 'approved', 'rejected', 'expired', 'withdrawn')),
    created_at        timestamptz NOT NULL,
    escalate_at       timestamptz,
    escalated_at      timestamptz,
    expires_at        timestamptz NOT NULL,
    decided_at        timestamptz,
    UNIQUE (community_id, number),
    UNIQUE (community_id, id),
    CHECK ((status = 'pending') = (decided_at IS NULL)),
    FOREIGN KEY (community_id, requester_id) REFERENCES members (community_id, id) ON DELETE CASCADE
);
-- The scheduler's two scans: open requests due to escalate or expire.
CREATE INDEX approval_requests_expiring ON approval_requests (expires_at) WHERE status = 'pending';
CREATE INDEX approval_requests_escalating ON approval_requests (escalate_at)
    WHERE status = 'pending' AND escalated_at IS NULL;
CREATE INDEX approval_requests_requester ON approval_requests (requester_id, created_at);

-- Everyone asked to vote on a request, and why: named by the policy, standing in for an
-- approver who is away, or added when the request escalated.
CREATE TABLE approval_approvers (
    request_id      uuid NOT NULL REFERENCES approval_requests (id) ON DELETE CASCADE,
    member_id       uuid NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    via             text NOT NULL CHECK (via IN ('policy', 'delegate', 'escalation')),
    -- The away approver a delegate stands in for.
    standing_in_for uuid REFERENCES members (id) ON DELETE SET NULL,
    asked_at        timestamptz NOT NULL,
    PRIMARY KEY (request_id, member_id)
);
CREATE INDEX approval_approvers_member ON approval_approvers (member_id);

-- One vote per approver: only someone asked can vote (the foreign key), once (the key).
CREATE TABLE approval_votes (
    request_id  uuid NOT NULL,
    member_id   uuid NOT NULL,
    approve     boolean NOT NULL,
    -- A rejection's reason, an approval's optional note.
    comment     text,
    voted_at    timestamptz NOT NULL,
    PRIMARY KEY (request_id, member_id),
    FOREIGN KEY (request_id, member_id) REFERENCES approval_approvers (request_id, member_id) ON DELETE CASCADE
);
