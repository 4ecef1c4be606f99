-- Confidential concerns (issue 21): reports that go to the holders of a `concern_handler`
-- role, never to anyone the reporter excluded. An anonymous report stores no member id at
-- all: its reporter holds a relay code, and only the code's SHA-256 is kept here.
ALTER TABLE member_roles DROP CONSTRAINT member_roles_role_check;
ALTER TABLE member_roles ADD CONSTRAINT member_roles_role_check CHECK (role IN
    ('steward', 'sponsor', 'lead_mentor', 'community_mentor', 'learner', 'alumni',
     'concern_handler'));

CREATE TABLE concerns (
    id               uuid PRIMARY KEY,
    community_id     uuid NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    number           integer NOT NULL,
    category         text NOT NULL,
    mode             text NOT NULL CHECK (mode IN ('identified', 'confidential', 'anonymous')),
    body             text NOT NULL,
    reporter_id      uuid,
    -- SHA-256 of the anonymous reporter's relay code: the only way back to them.
    relay_hash       bytea UNIQUE,
    relay_blocked_at timestamptz,
    status           text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    -- The day only: an exact time would let anyone line an anonymous report up with the
    -- other rows its reporter's interaction wrote.
    opened_on        date NOT NULL,
    closed_at        timestamptz,
    closed_by        uuid,
    close_reason     text,
    UNIQUE (community_id, number),
    CHECK ((mode = 'anonymous') = (reporter_id IS NULL)),
    CHECK ((mode = 'anonymous') = (relay_hash IS NOT NULL)),
    CHECK ((status = 'closed') = (closed_at IS NOT NULL AND close_reason IS NOT NULL)),
    FOREIGN KEY (community_id, reporter_id) REFERENCES members (community_id, id),
    FOREIGN KEY (community_id, closed_by) REFERENCES members (community_id, id)
);

-- The people the reporter said must not see it.
CREATE TABLE concern_exclusions (
    concern_id  uuid NOT NULL REFERENCES concerns (id) ON DELETE CASCADE,
    member_id   uuid NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    PRIMARY KEY (concern_id, member_id)
);

-- The conversation: a handler's reply (author_id, shown to the reporter as the concerns
-- team), or the reporter's message (author_id NULL: never their id, whatever the mode).
CREATE TABLE concern_messages (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    concern_id  uuid NOT NULL REFERENCES concerns (id) ON DELETE CASCADE,
    author_id   uuid REFERENCES members (id),
    body        text NOT NULL,
    -- Like `opened_on`, a reporter's message keeps its day only.
    sent_on     date NOT NULL,
    sent_at     timestamptz
);
CREATE INDEX concern_messages_by_concern ON concern_messages (concern_id, id);
