-- iCalendar SEQUENCE: a moved or cancelled session is a new revision of its event, so
-- calendar clients replace the old one instead of keeping both.
ALTER TABLE sessions ADD COLUMN sequence integer NOT NULL DEFAULT 0;
