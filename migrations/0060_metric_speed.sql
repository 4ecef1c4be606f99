-- The metrics `/stats` and the dashboard read most, the same definitions read with less
-- work (issue 19's speed targets, after 0048). Measured on the bench's cohort of 5,000
-- learners with a year of history (`BENCH_KEEP_DB=1 scripts/bench -- digest`), each function
-- alone in psql without JIT, warm, as the pages read them:
--   metric_confidence    12 weeks ~36 ms -> ~11 ms
--   metric_checkin_rate  12 weeks ~54 ms -> ~43 ms; 4 weeks ~20 ms -> ~15 ms
--   metric_funnel        ~33 ms -> ~30 ms
--   active_weeks         15 weeks (the retention triangle's) ~99 ms -> ~69 ms;
--                        52 weeks ~201 ms -> ~186 ms
--   metric_retention     ~138 ms -> ~112 ms (through active_weeks)
--   metric_attendance    the charted 12 weeks ~56 ms -> ~46 ms
-- Each returns the same rows as before on that data (compared with EXCEPT), and the tests
-- that hold the digest, `/stats`, the dashboard and the exports to one number (excused
-- weeks included) hold these too.

-- Confidence: the week's check-ins are found by (cohort, week) and summed before they meet
-- the weeks, instead of every check-in of the cohort read and joined to them.
CREATE OR REPLACE FUNCTION metric_confidence(cohort uuid, periods text[])
RETURNS TABLE (period text, answers bigint, confidence double precision)
LANGUAGE sql STABLE AS $$
    SELECT w.period, coalesce(k.answers, 0), k.confidence
      FROM unnest($2) w (period)
      LEFT JOIN (SELECT k.period, count(*) AS answers, avg(k.confidence)::float8 AS confidence
                   FROM checkins k
                  WHERE k.cohort_id = $1 AND k.period = ANY ($2)
                  GROUP BY k.period) k ON k.period = w.period
     ORDER BY w.period
$$;

-- Check-in rate: each (prompt, check-in) pair is counted straight from the full join, and
-- the excused learners (few, usually none) are counted apart by two index probes each,
-- instead of every pair joined to the weeks and then to the excused set.
CREATE OR REPLACE FUNCTION metric_checkin_rate(cohort uuid, periods text[])
RETURNS TABLE (period text, prompted bigint, answered bigint, on_time bigint, late bigint,
               excused bigint, rate integer)
LANGUAGE sql STABLE AS $$
    WITH counted AS (
        SELECT coalesce(p.period, k.period) AS period,
               count(*) AS prompted,
               count(k.timing) AS answered,
               count(*) FILTER (WHERE k.timing IN ('early', 'on_time')) AS on_time,
               count(*) FILTER (WHERE k.timing = 'late') AS late
          FROM (SELECT p.member_id, p.period FROM checkin_prompts p
                 WHERE p.cohort_id = $1 AND p.period = ANY ($2)) p
          FULL JOIN (SELECT k.member_id, k.period, k.timing FROM checkins k
                      WHERE k.cohort_id = $1 AND k.period = ANY ($2)) k
                 ON k.member_id = p.member_id AND k.period = p.period
         GROUP BY 1
    ), excused AS (
        SELECT ex.period, count(*) AS excused
          FROM excused_weeks($1, NULL, $2) ex
         WHERE EXISTS (SELECT 1 FROM checkin_prompts p
                        WHERE p.cohort_id = $1 AND p.member_id = ex.member_id
                          AND p.period = ex.period)
           AND NOT EXISTS (SELECT 1 FROM checkins k
                            WHERE k.cohort_id = $1 AND k.member_id = ex.member_id
                              AND k.period = ex.period)
         GROUP BY ex.period
    )
    SELECT w.period, coalesce(c.prompted, 0), coalesce(c.answered, 0), coalesce(c.on_time, 0),
           coalesce(c.late, 0), coalesce(e.excused, 0),
           metric_percent(coalesce(c.answered, 0), coalesce(c.prompted, 0) - coalesce(e.excused, 0))
      FROM unnest($2) w (period)
      LEFT JOIN counted c ON c.period = w.period
      LEFT JOIN excused e ON e.period = w.period
     ORDER BY w.period
$$;

-- Funnel: each learner's milestones are summed once (verified, capstone, graduated) and
-- joined, instead of three hashed scans of all of them.
CREATE OR REPLACE FUNCTION metric_funnel(cohort uuid)
RETURNS TABLE (step text, ordinal integer, learners bigint)
LANGUAGE sql STABLE AS $$
    WITH joined AS (
        SELECT member_id FROM enrollments WHERE cohort_id = $1
        UNION
        SELECT member_id FROM pending_joins WHERE cohort_id = $1
    ), milestones_of AS (
        SELECT s.member_id,
               bool_or(s.status = 'verified') AS verified,
               bool_or(d.capstone) AS capstone,
               bool_or(d.capstone AND s.status = 'verified') AS graduated
          FROM milestones s JOIN modules d ON d.id = s.module_id
         WHERE s.cohort_id = $1
         GROUP BY s.member_id
    ), reached AS (
        SELECT m.coc_accepted_at IS NOT NULL AS coc_accepted,
               EXISTS (SELECT 1 FROM checkins k
                        WHERE k.cohort_id = $1 AND k.member_id = j.member_id) AS first_checkin,
               coalesce(s.verified, false) AS first_module,
               coalesce(s.capstone, false) AS capstone_submitted,
               coalesce(s.graduated, false) AS graduated,
               j.member_id IN (SELECT member_id FROM mentor_profiles) AS offered_to_mentor
          FROM joined j
          JOIN members m ON m.id = j.member_id
          LEFT JOIN milestones_of s ON s.member_id = j.member_id
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

-- Active weeks: the held sessions' attendance is read by its primary key, then paired
-- with each attendee's zone, instead of all of it (a year of sessions) hashed first. The
-- rest is as in 0048.
CREATE OR REPLACE FUNCTION active_weeks(cohort uuid, periods text[])
RETURNS TABLE (member_id uuid, word integer, bits bigint)
LANGUAGE sql STABLE AS $$
    WITH weeks AS MATERIALIZED (
        SELECT w.period, (w.n - 1)::integer / 64 AS word,
               1::bigint << ((w.n - 1)::integer % 64) AS bit
          FROM unnest($2) WITH ORDINALITY w (period, n)
    ), span AS (
        SELECT min(to_date(w.period, 'IYYY-"W"IW')) - 1 AS first_day,
               max(to_date(w.period, 'IYYY-"W"IW')) + 8 AS last_day
          FROM weeks w
    ), learners AS MATERIALIZED (
        SELECT DISTINCT e.member_id, coalesce(m.timezone, c.timezone) AS zone
          FROM enrollments e
          JOIN members m ON m.id = e.member_id
          JOIN cohorts c ON c.id = e.cohort_id
         WHERE e.cohort_id = $1
    ), session_weeks AS MATERIALIZED (
        SELECT s.id, z.zone, w.word, w.bit
          FROM sessions s, span, (SELECT DISTINCT l.zone FROM learners l) z
          JOIN weeks w ON true
         WHERE s.cohort_id = $1 AND s.starts_at >= span.first_day AND s.starts_at < span.last_day
           AND w.period = to_char(s.starts_at AT TIME ZONE z.zone, 'IYYY-"W"IW')
    ), attended AS MATERIALIZED (
        -- The held sessions' attendance by its primary key: a year of sessions has
        -- hundreds of thousands of rows, which a join hashed whole.
        SELECT a.session_id, a.member_id FROM session_attendance a
         WHERE a.session_id = ANY (ARRAY(SELECT s.id FROM session_weeks s))
    ), happened AS (
        SELECT x.member_id, x.submitted_at AS at FROM milestones x, span
         WHERE x.cohort_id = $1
           AND x.submitted_at >= span.first_day AND x.submitted_at < span.last_day
        UNION ALL
        SELECT r.learner_id, r.requested_at FROM reviews r, span
         WHERE r.cohort_id = $1
           AND r.requested_at >= span.first_day AND r.requested_at < span.last_day
        UNION ALL
        SELECT q.learner_id, q.created_at FROM pairings q, span
         WHERE q.cohort_id = $1
           AND q.created_at >= span.first_day AND q.created_at < span.last_day
    ), events AS (
        SELECT k.member_id, w.word, w.bit
          FROM checkins k JOIN weeks w ON w.period = k.period
         WHERE k.cohort_id = $1 AND k.period = ANY ($2)
        UNION ALL
        -- OFFSET 0 keeps each attendee paired with their zone first: otherwise the planner
        -- paired every learner with every session's week (75,000 rows for 15 weeks) and
        -- sorted them on disk.
        SELECT a.member_id, w.word, w.bit
          FROM (SELECT a.session_id, a.member_id, l.zone FROM attended a
                  JOIN learners l ON l.member_id = a.member_id OFFSET 0) a
          JOIN session_weeks w ON w.id = a.session_id AND w.zone = a.zone
        UNION ALL
        SELECT h.member_id, w.word, w.bit
          FROM happened h
          JOIN learners l ON l.member_id = h.member_id
          JOIN weeks w ON w.period = to_char(h.at AT TIME ZONE l.zone, 'IYYY-"W"IW')
    )
    SELECT e.member_id, e.word, bit_or(e.bit) FROM events e GROUP BY e.member_id, e.word
$$;

-- Attendance: each learner's enrollments are one set of spans (`range_agg`), so an
-- attendee meets one row and needs no grouping; the learners enrolled when a session
-- started are counted only for the sessions the whole cohort is asked to, by a scan of
-- those spans, instead of sorting every (session, enrollment) pair.
CREATE OR REPLACE FUNCTION metric_attendance(cohort uuid, since timestamptz, until timestamptz)
RETURNS TABLE (number integer, title text, kind text, starts_at timestamptz, rsvps bigint,
               attended bigint, attended_of_rsvps bigint, rsvp_rate integer,
               enrolled bigint, enrolled_rate integer)
LANGUAGE sql STABLE AS $$
    WITH held AS MATERIALIZED (
        SELECT s.id, s.number, s.title, s.kind, s.starts_at FROM sessions s
         WHERE s.cohort_id = $1 AND s.status = 'scheduled'
           AND s.starts_at >= $2 AND s.starts_at <= $3
    ), stints AS MATERIALIZED (
        -- Each learner's enrollments as one set of spans (a rejoiner has several), so a
        -- session meets each attendee once.
        SELECT n.member_id, range_agg(tstzrange(n.joined_at, n.left_at)) AS spans
          FROM enrollments n
         WHERE n.cohort_id = $1 AND (n.left_at IS NULL OR n.left_at >= n.joined_at)
         GROUP BY n.member_id
    ), rsvps AS MATERIALIZED (
        -- Only the held sessions' rows, by their primary key: a year of sessions has
        -- hundreds of thousands.
        SELECT v.session_id, v.member_id FROM held h JOIN session_rsvps v ON v.session_id = h.id
    ), rsvped AS (
        SELECT v.session_id, count(*) AS rsvps FROM rsvps v GROUP BY v.session_id
    ), attended AS (
        -- Each attendee once (a session's attendance and RSVPs are keyed by member), with
        -- whether they had said they would come and whether they were enrolled when the
        -- session started.
        SELECT t.session_id, count(*) AS attended,
               count(v.member_id) AS of_rsvps,
               count(*) FILTER (WHERE n.spans @> h.starts_at) AS learners
          FROM held h
          JOIN session_attendance t ON t.session_id = h.id
          LEFT JOIN rsvps v ON v.session_id = t.session_id AND v.member_id = t.member_id
          LEFT JOIN stints n ON n.member_id = t.member_id
         GROUP BY t.session_id
    )
    SELECT h.number, h.title, h.kind, h.starts_at, coalesce(r.rsvps, 0),
           coalesce(a.attended, 0), coalesce(a.of_rsvps, 0),
           metric_percent(coalesce(a.of_rsvps, 0), coalesce(r.rsvps, 0)),
           e.enrolled, metric_percent(coalesce(a.learners, 0), e.enrolled)
      FROM held h
      LEFT JOIN rsvped r ON r.session_id = h.id
      LEFT JOIN attended a ON a.session_id = h.id
      -- Learners enrolled when it started, for the sessions the whole cohort is asked to.
      LEFT JOIN LATERAL (SELECT count(*) AS enrolled FROM stints n
                          WHERE n.spans @> h.starts_at) e
             ON h.kind IN ('lightning_talks', 'demo_day')
     ORDER BY h.starts_at, h.number
$$;
