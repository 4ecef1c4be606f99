-- "Interested" on a session's Discord event as an RSVP, for cohorts that say so
-- (`interested_is_rsvp`). An RSVP made that way is marked, so taking the interest back
-- withdraws only it, never an RSVP the member typed.
ALTER TABLE cohorts ADD COLUMN interested_is_rsvp boolean NOT NULL DEFAULT false;
ALTER TABLE session_rsvps ADD COLUMN via_interest boolean NOT NULL DEFAULT false;
