-- The outbox: every post is a row written in the same transaction as the state that causes
-- it, then delivered by the dispatcher. Plus the record of processed platform deliveries.

CREATE TABLE outbox (
    id                   bigserial PRIMARY KEY,
    community_id         uuid NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    -- One logical post, one row: a re-run trigger or a redelivered command adds nothing.
    idempotency_key      text NOT NULL UNIQUE,
    channel              text,
    member_id            uuid REFERENCES members (id) ON DELETE CASCADE,
    body                 jsonb NOT NULL,
    status               text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'dead')),
    attempts             integer NOT NULL DEFAULT 0,
    next_attempt_at      timestamptz NOT NULL,
    lease_until          timestamptz,
    last_error           text,
    platform_message_id  text,
    created_at           timestamptz NOT NULL,
    sent_at              timestamptz,
    CHECK ((channel IS NULL) <> (member_id IS NULL))
);
CREATE INDEX outbox_ready ON outbox (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX outbox_dead ON outbox (community_id, id) WHERE status = 'dead';

-- Platform deliveries already handled (Discord interaction id, Slack trigger id), so a
-- redelivery replays the first reply instead of running again.
CREATE TABLE invocations (
    community_id  uuid NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    delivery_id   text NOT NULL,
    received_at   timestamptz NOT NULL,
    reply         jsonb,
    PRIMARY KEY (community_id, delivery_id)
);
