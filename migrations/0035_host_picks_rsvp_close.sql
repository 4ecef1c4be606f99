-- Who comes to a session, and until when one may sign up (services/events/picks.rs).
--
-- `selection`: `first_come` (every RSVP is a place, as before) or `host_picks` (an RSVP is
-- a sign-up; the host picks attendees with `/event pick`, and the rest are on standby).
-- `rsvp_closes_before_minutes`: sign-ups close this long before the start. Kept relative,
-- so a moved session's closing moves with it. A series gives both to its occurrences.
ALTER TABLE session_series
    ADD COLUMN selection text NOT NULL DEFAULT 'first_come'
        CHECK (selection IN ('first_come', 'host_picks')),
    ADD COLUMN rsvp_closes_before_minutes integer
        CHECK (rsvp_closes_before_minutes BETWEEN 0 AND 20160);
ALTER TABLE sessions
    ADD COLUMN selection text NOT NULL DEFAULT 'first_come'
        CHECK (selection IN ('first_come', 'host_picks')),
    ADD COLUMN rsvp_closes_before_minutes integer
        CHECK (rsvp_closes_before_minutes BETWEEN 0 AND 20160);
-- When the host picked this sign-up, and who did; NULL is standby.
ALTER TABLE session_rsvps
    ADD COLUMN picked_at timestamptz,
    ADD COLUMN picked_by uuid;
