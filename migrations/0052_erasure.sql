-- Erasure (issue 21, privacy): a member's request to erase their data, or a steward's on
-- their behalf, waits 7 days (cancellable), then the erasure job applies the data policy
-- and the member stays as a tombstone (`erased_at`), so other people's records and the
-- program's numbers stay whole.

ALTER TABLE members ADD COLUMN erased_at timestamptz;

CREATE TABLE erasure_requests (
    id            uuid PRIMARY KEY,
    community_id  uuid NOT NULL,
    number        integer NOT NULL,
    member_id     uuid NOT NULL,
    -- The member themself, or the steward who asked on their behalf.
    requested_by  uuid NOT NULL,
    requested_at  timestamptz NOT NULL,
    -- When the erasure runs (after the grace period), and the legal deadline (one month).
    due_at        timestamptz NOT NULL,
    deadline      timestamptz NOT NULL,
    status        text NOT NULL CHECK (status IN ('waiting', 'cancelled', 'done')),
    settled_at    timestamptz,
    settled_by    uuid,
    UNIQUE (community_id, number),
    FOREIGN KEY (community_id, member_id) REFERENCES members (community_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX erasure_requests_one_waiting ON erasure_requests (member_id) WHERE status = 'waiting';
CREATE INDEX erasure_requests_due ON erasure_requests (due_at) WHERE status = 'waiting';

-- A tombstone has no platform identity left, so a post to it could never arrive: every
-- way a post is queued (one at a time, fan-outs, a command's tail) skips erased members.
CREATE FUNCTION outbox_skip_erased() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.member_id IS NOT NULL
       AND EXISTS (SELECT 1 FROM members WHERE id = NEW.member_id AND erased_at IS NOT NULL) THEN
        RETURN NULL;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER outbox_skip_erased BEFORE INSERT ON outbox
    FOR EACH ROW EXECUTE FUNCTION outbox_skip_erased();

-- A badge revoked because its holder's data was erased (at the same moment) was still
-- earned: the program's outcome numbers keep counting it. One revoked for cause does not.
CREATE OR REPLACE FUNCTION metric_badges_issued(cohort uuid) RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT count(*) FROM badges b JOIN milestones s ON s.id = b.milestone_id
      JOIN members m ON m.id = b.member_id
     WHERE s.cohort_id = $1
       AND (b.revoked_at IS NULL OR b.revoked_at = m.erased_at)
$$;

-- The bot removed from the community's Discord server or Slack workspace: when, and when
-- its data is deleted for good unless the bot is added back first.
ALTER TABLE communities ADD COLUMN removed_at timestamptz, ADD COLUMN purge_after timestamptz;
CREATE INDEX communities_purge_due ON communities (purge_after) WHERE purge_after IS NOT NULL;
