-- A recurring session may keep its own time zone ("16:00 Europe/London" for a Berlin
-- cohort); NULL follows the cohort's.
ALTER TABLE session_series ADD COLUMN timezone text;
