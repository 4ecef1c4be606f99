-- A finished cohort is archived (`/cohort archive`), not deleted: its records stay, its
-- schedules stop, and nobody new can join.
ALTER TABLE cohorts ADD COLUMN archived_at timestamptz;
