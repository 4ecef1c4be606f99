-- The local window that counts as waking hours when matching mentors and proposing pairing
-- times, in minutes after midnight (default 09:00-18:00).
ALTER TABLE mentoring_settings
    ADD COLUMN waking_start_minute integer NOT NULL DEFAULT 540,
    ADD COLUMN waking_end_minute   integer NOT NULL DEFAULT 1080,
    ADD CONSTRAINT waking_window CHECK (
        waking_start_minute >= 0 AND waking_end_minute <= 1440
        AND waking_end_minute >= waking_start_minute + 60
        AND waking_start_minute % 15 = 0 AND waking_end_minute % 15 = 0);
