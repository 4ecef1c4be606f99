-- Whether a mentor is paused at `at` (a pause runs through its last day, UTC). One
-- definition for every notice a paused mentor must not get: digests, escalations, flags.
CREATE FUNCTION mentor_paused(mentor uuid, at timestamptz) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM mentor_profiles p
                   WHERE p.member_id = mentor AND p.paused
                     AND (p.paused_until IS NULL OR p.paused_until >= (at AT TIME ZONE 'UTC')::date))
$$;

-- Who covers a learner's check-in notices while every lead mentor they have is paused:
-- their active community mentor in the cohort. Empty while a lead is active, or when the
-- learner has no lead at all.
CREATE FUNCTION paused_lead_cover(cohort uuid, learner uuid, at timestamptz)
RETURNS TABLE (member_id uuid)
LANGUAGE sql STABLE AS $$
    WITH leads AS (
        SELECT l.member_id FROM cohort_lead_mentors(cohort) l
        WHERE EXISTS (SELECT 1 FROM mentored_cohorts(l.member_id, learner) x WHERE x.cohort_id = cohort)
    )
    SELECT s.mentor_id FROM mentorships s
    WHERE s.cohort_id = cohort AND s.learner_id = learner AND s.tier = 'community'
      AND s.ended_at IS NULL AND NOT mentor_paused(s.mentor_id, at)
      AND EXISTS (SELECT 1 FROM leads)
      AND NOT EXISTS (SELECT 1 FROM leads WHERE NOT mentor_paused(leads.member_id, at))
$$;
