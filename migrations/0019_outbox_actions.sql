-- Platform actions ride the outbox like posts: written in the service's transaction, sent
-- once, retried and dead-lettered the same way. A row with an action is addressed to its
-- member and has an empty body; the platform that delivers the member carries it out.
ALTER TABLE outbox ADD COLUMN action jsonb;
