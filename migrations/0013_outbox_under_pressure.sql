-- Delivery under pressure: a post may carry a deadline after which it is pointless (a
-- check-in prompt after its week), and a dead post records why it died, so stewards can
-- filter and retry dead letters.

ALTER TABLE outbox ADD COLUMN deadline timestamptz;
-- The dispatcher's sweep of posts past their deadline reads only those.
CREATE INDEX outbox_pending_deadline ON outbox (deadline) WHERE status = 'pending' AND deadline IS NOT NULL;
ALTER TABLE outbox ADD COLUMN dead_reason text
    CHECK (dead_reason IN ('rejected', 'attempts', 'deadline', 'unknown'));
UPDATE outbox SET dead_reason = 'unknown' WHERE status = 'dead';
ALTER TABLE outbox ADD CONSTRAINT outbox_dead_has_reason
    CHECK ((status = 'dead') = (dead_reason IS NOT NULL));
-- The kind of post is the idempotency key's first part (`checkin-prompt:…`).
CREATE INDEX outbox_dead_kind ON outbox (community_id, split_part(idempotency_key, ':', 1), id)
    WHERE status = 'dead';

-- A recipient's posts go out one at a time and in order: the claim skips a post while an
-- earlier one to the same member or channel is pending. These make that check a probe.
CREATE INDEX outbox_pending_member ON outbox (member_id, id) WHERE status = 'pending';
CREATE INDEX outbox_pending_channel ON outbox (channel, id) WHERE status = 'pending';
