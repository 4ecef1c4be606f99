-- Program metrics: one definition each. The digest, `/stats` and (later) the dashboard and
-- the CSV export read these functions, so they report the same number for the same week.
-- A week is the learner's own ISO week (`2027-W10`), as prompts and check-ins store it.

-- Excused weeks, set-based: the (member, week) pairs of `cohort`'s learners (`members`, or
-- every learner the cohort ever had when NULL) that are excused among `periods`. A week is
-- excused when its prompt was marked excused, when the learner is away (scope `all`) on at
-- least the community's `away_days_excuse` of its five weekdays (default 3), or when all
-- five weekdays are the cohort's days off. Set-based so a digest over 5,000 learners and a
-- month of weeks is three joins, not one function call per learner and week.
CREATE FUNCTION excused_weeks(cohort uuid, members uuid[], periods text[])
RETURNS TABLE (member_id uuid, period text)
LANGUAGE sql STABLE AS $$
    WITH learners AS (
        SELECT DISTINCT e.member_id FROM enrollments e
         WHERE e.cohort_id = $1 AND ($2 IS NULL OR e.member_id = ANY ($2))
    ), days AS (
        SELECT w.period, to_date(w.period, 'IYYY-"W"IW') + d AS day
          FROM unnest($3) w (period), generate_series(0, 4) d
    ), threshold AS (
        SELECT coalesce((SELECT s.away_days_excuse FROM continuity_settings s
                           JOIN cohorts c ON c.community_id = s.community_id
                          WHERE c.id = $1), 3) AS days
    )
    SELECT p.member_id, p.period FROM checkin_prompts p
     WHERE p.cohort_id = $1 AND p.period = ANY ($3) AND p.excused IS NOT NULL
       AND ($2 IS NULL OR p.member_id = ANY ($2))
    UNION
    SELECT a.member_id, days.period
      FROM learners l
      JOIN absences a ON a.member_id = l.member_id AND a.scope = 'all'
      JOIN days ON days.day BETWEEN a.first_day AND a.last_day
     GROUP BY a.member_id, days.period
    HAVING count(DISTINCT days.day) >= (SELECT threshold.days FROM threshold)
    UNION
    SELECT l.member_id, w.period
      FROM learners l, unnest($3) w (period)
     WHERE NOT EXISTS (SELECT 1 FROM days
                        WHERE days.period = w.period
                          AND NOT EXISTS (SELECT 1 FROM cohort_days_off o
                                           WHERE o.cohort_id = $1 AND o.day = days.day))
$$;

-- Excused prompts are few: the digests find them without reading every prompt of a week.
CREATE INDEX checkin_prompts_excused ON checkin_prompts (cohort_id, period)
    WHERE excused IS NOT NULL;

-- The per-learner question, answered by the same definition.
CREATE OR REPLACE FUNCTION week_excused(cohort uuid, member uuid, period text) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM excused_weeks($1, ARRAY[$2], ARRAY[$3]))
$$;

-- Check-in rate per week of `periods`: answered ÷ (prompted − excused).
--   prompted: learners prompted that week, or who checked in for it (an early check-in
--             answers the prompt before it is sent);
--   answered: of them, those with a check-in for the week, on time (early counts as on
--             time) or late;
--   excused:  of them, those without a check-in whose week is excused.
-- A learner who checks in during an excused week counts as answered, so the rate never
-- passes 100%. `rate` is a whole percent, rounded half up; NULL when nobody was expected.
CREATE FUNCTION metric_checkin_rate(cohort uuid, periods text[])
RETURNS TABLE (period text, prompted bigint, answered bigint, on_time bigint, late bigint,
               excused bigint, rate integer)
LANGUAGE sql STABLE AS $$
    WITH expected AS (
        SELECT coalesce(p.period, k.period) AS period,
               coalesce(p.member_id, k.member_id) AS member_id,
               k.timing
          FROM (SELECT p.member_id, p.period FROM checkin_prompts p
                 WHERE p.cohort_id = $1 AND p.period = ANY ($2)) p
          FULL JOIN (SELECT k.member_id, k.period, k.timing FROM checkins k
                      WHERE k.cohort_id = $1 AND k.period = ANY ($2)) k
                 ON k.member_id = p.member_id AND k.period = p.period
    ), counted AS (
        SELECT w.period,
               count(x.period) AS prompted,
               count(x.timing) AS answered,
               count(*) FILTER (WHERE x.timing IN ('early', 'on_time')) AS on_time,
               count(*) FILTER (WHERE x.timing = 'late') AS late,
               count(*) FILTER (WHERE x.timing IS NULL AND ex.member_id IS NOT NULL) AS excused
          FROM unnest($2) w (period)
          LEFT JOIN expected x ON x.period = w.period
          LEFT JOIN excused_weeks($1, NULL, $2) ex
                 ON ex.member_id = x.member_id AND ex.period = x.period
         GROUP BY w.period
    )
    SELECT c.period, c.prompted, c.answered, c.on_time, c.late, c.excused,
           CASE WHEN c.prompted - c.excused > 0
                THEN floor(100.0 * c.answered / (c.prompted - c.excused) + 0.5)::integer END
      FROM counted c
     ORDER BY c.period
$$;

-- Active learners per week of `periods`: the cohort's learners with a check-in for the
-- week, or who that week (in their own zone, else the cohort's) attended one of its
-- sessions, submitted a milestone, or asked for a review or a pairing.
CREATE FUNCTION metric_active_learners(cohort uuid, periods text[])
RETURNS TABLE (period text, active bigint)
LANGUAGE sql STABLE AS $$
    WITH happened AS (
        SELECT a.member_id, s.starts_at AS at
          FROM session_attendance a JOIN sessions s ON s.id = a.session_id
         WHERE s.cohort_id = $1
        UNION ALL
        SELECT member_id, submitted_at FROM milestones WHERE cohort_id = $1
        UNION ALL
        SELECT learner_id, requested_at FROM reviews WHERE cohort_id = $1
        UNION ALL
        SELECT learner_id, created_at FROM pairings WHERE cohort_id = $1
    ), activity AS (
        -- A check-in is a learner's own, in their own week already.
        SELECT k.member_id, k.period FROM checkins k
         WHERE k.cohort_id = $1 AND k.period = ANY ($2)
        UNION ALL
        -- Anything else happened at an instant: its week is the learner's (their zone, else
        -- the cohort's), and only the cohort's learners count (a mentor attends too).
        SELECT h.member_id, to_char(h.at AT TIME ZONE coalesce(m.timezone, c.timezone),
                                    'IYYY-"W"IW')
          FROM happened h
          JOIN members m ON m.id = h.member_id
          JOIN cohorts c ON c.id = $1
         WHERE EXISTS (SELECT 1 FROM enrollments e
                        WHERE e.cohort_id = $1 AND e.member_id = h.member_id)
    )
    SELECT w.period, count(DISTINCT a.member_id)
      FROM unnest($2) w (period)
      LEFT JOIN activity a ON a.period = w.period
     GROUP BY w.period
     ORDER BY w.period
$$;

-- The cohort's funnel, one row per step in order. Each step counts the learners who
-- joined (enrolled, or waiting to accept the code of conduct) and reached it:
--   joined → coc_accepted → first_checkin → first_module (a verified module) →
--   capstone_submitted → graduated (a verified capstone) → offered_to_mentor.
CREATE FUNCTION metric_funnel(cohort uuid)
RETURNS TABLE (step text, ordinal integer, learners bigint)
LANGUAGE sql STABLE AS $$
    WITH joined AS (
        SELECT member_id FROM enrollments WHERE cohort_id = $1
        UNION
        SELECT member_id FROM pending_joins WHERE cohort_id = $1
    ), milestones_of AS (
        SELECT s.member_id, s.status = 'verified' AS verified, d.capstone
          FROM milestones s JOIN modules d ON d.id = s.module_id
         WHERE s.cohort_id = $1
    ), reached AS (
        -- Milestones and mentor offers are few: each is read once and hashed. Check-ins
        -- are many: each learner's is found by one index probe.
        SELECT m.coc_accepted_at IS NOT NULL AS coc_accepted,
               EXISTS (SELECT 1 FROM checkins k
                        WHERE k.cohort_id = $1 AND k.member_id = j.member_id) AS first_checkin,
               j.member_id IN (SELECT member_id FROM milestones_of WHERE verified)
                   AS first_module,
               j.member_id IN (SELECT member_id FROM milestones_of WHERE capstone)
                   AS capstone_submitted,
               j.member_id IN (SELECT member_id FROM milestones_of WHERE capstone AND verified)
                   AS graduated,
               j.member_id IN (SELECT member_id FROM mentor_profiles) AS offered_to_mentor
          FROM joined j JOIN members m ON m.id = j.member_id
    )
    SELECT s.step, s.ordinal::integer, s.learners
      FROM (SELECT count(*) AS joined,
                   count(*) FILTER (WHERE coc_accepted) AS coc_accepted,
                   count(*) FILTER (WHERE first_checkin) AS first_checkin,
                   count(*) FILTER (WHERE first_module) AS first_module,
                   count(*) FILTER (WHERE capstone_submitted) AS capstone_submitted,
                   count(*) FILTER (WHERE graduated) AS graduated,
                   count(*) FILTER (WHERE offered_to_mentor) AS offered_to_mentor
              FROM reached) r,
           LATERAL (VALUES ('joined', 1, r.joined),
                           ('coc_accepted', 2, r.coc_accepted),
                           ('first_checkin', 3, r.first_checkin),
                           ('first_module', 4, r.first_module),
                           ('capstone_submitted', 5, r.capstone_submitted),
                           ('graduated', 6, r.graduated),
                           ('offered_to_mentor', 7, r.offered_to_mentor))
               AS s (step, ordinal, learners)
     ORDER BY s.ordinal
$$;
