-- Either side can call off a pairing before it happens (`/pair cancel`): it is kept, with
-- who called it off, and is neither followed up nor counted.
ALTER TABLE pairings ADD COLUMN cancelled_at timestamptz;
ALTER TABLE pairings ADD COLUMN cancelled_by uuid;

-- A learner can take back a submission no mentor has looked at yet (`/milestone withdraw`);
-- the row stays, so a later submission reuses it.
ALTER TABLE milestones DROP CONSTRAINT milestones_status_check;
ALTER TABLE milestones ADD CONSTRAINT milestones_status_check
    CHECK (status IN ('submitted', 'changes_requested', 'verified', 'withdrawn'));
