-- Each cohort's community-mentor rotation clock. `rotated_at` with the last applied match
-- is when the clock started: late joiners and re-matches start mentorships of their own and
-- must not push the whole cohort's rotation back. `noticed_at` is when the outgoing mentors
-- were last asked for their handover notes, a week before the rotation.
CREATE TABLE community_rotations (
    cohort_id   uuid PRIMARY KEY REFERENCES cohorts (id) ON DELETE CASCADE,
    rotated_at  timestamptz,
    noticed_at  timestamptz
);
