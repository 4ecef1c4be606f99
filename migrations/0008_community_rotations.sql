-- When each cohort's community mentors last rotated. With the last applied match, it is
-- the rotation clock: late joiners and re-matches start mentorships of their own and must
-- not push the whole cohort's rotation back.
CREATE TABLE community_rotations (
    cohort_id   uuid PRIMARY KEY REFERENCES cohorts (id) ON DELETE CASCADE,
    rotated_at  timestamptz NOT NULL
);
