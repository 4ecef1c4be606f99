-- Alumni: a directory graduates opt into, the quarterly invitation to mentor (one a quarter
-- at most, the graduation's own included), and the circle the program makes for them.
CREATE TABLE alumni_directory (
    member_id       uuid PRIMARY KEY REFERENCES members (id) ON DELETE CASCADE,
    community_id    uuid NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    -- What they built, as they name it (else their capstone's note opens the line).
    capstone_title  text,
    listed_at       timestamptz NOT NULL
);
CREATE INDEX alumni_directory_community ON alumni_directory (community_id);

CREATE TABLE alumni_invitations (
    member_id   uuid NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    -- `2027-Q2`, in UTC.
    quarter     text NOT NULL,
    sent_at     timestamptz NOT NULL,
    PRIMARY KEY (member_id, quarter)
);

ALTER TABLE communities ADD COLUMN alumni_circle_id uuid REFERENCES circles (id) ON DELETE SET NULL;
