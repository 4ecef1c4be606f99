-- `/stats export`: a short-lived link to a CSV. The link is a random 256-bit token that
-- names what was asked, by whom, and until when: nothing in the URL can be edited into
-- another export, every export is on record, and a link can be taken back by deleting
-- its row (no signing key to keep or rotate).
CREATE TABLE export_links (
    token         text PRIMARY KEY,
    community_id  uuid NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    member_id     uuid NOT NULL,
    dataset       text NOT NULL CHECK (dataset IN ('weekly', 'funnel', 'checkins')),
    cohort_ids    uuid[] NOT NULL,
    -- The weeks exported: learner-local ISO weeks, as prompts and check-ins store them.
    first_period  text NOT NULL,
    last_period   text NOT NULL,
    expires_at    timestamptz NOT NULL,
    created_at    timestamptz NOT NULL,
    FOREIGN KEY (community_id, member_id) REFERENCES members (community_id, id) ON DELETE CASCADE
);
-- Expired links are swept by age.
CREATE INDEX export_links_expiry ON export_links (expires_at);
