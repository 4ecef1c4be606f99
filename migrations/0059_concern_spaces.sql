-- Concerns' private spaces (issue 21): a handler may open one per concern, on the
-- community's platform (a Discord private thread in `concern_space_channel`, a Slack
-- private channel), for the handlers the concern does not exclude. `space_requested_at`
-- makes a second request a no-op; `space_ref` is the platform's id of the thread or
-- channel once made, so a close archives that one and a retry never makes a second.

ALTER TABLE communities ADD COLUMN concern_space_channel text;
ALTER TABLE concerns
    ADD COLUMN space_requested_at timestamptz,
    ADD COLUMN space_ref text;
