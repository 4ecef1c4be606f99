-- Bulk issue (issue 21, credentials upkeep): a mentor verifying several milestones at once
-- writes a narrative for each person, which the credential carries as its evidence's
-- narrative (Open Badges 3.0 `Evidence.narrative`).
ALTER TABLE badges ADD COLUMN narrative text;
