-- `/me data export` (issue 21): a member's own data as JSON behind a one-hour link. Rows
-- stay a day after they are made, for the one-export-a-day limit, then the data policy's
-- sweep removes them.

CREATE TABLE data_exports (
    token         text PRIMARY KEY,
    community_id  uuid NOT NULL,
    member_id     uuid NOT NULL,
    created_at    timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL,
    FOREIGN KEY (community_id, member_id) REFERENCES members (community_id, id) ON DELETE CASCADE
);
CREATE INDEX data_exports_member ON data_exports (member_id, created_at);
