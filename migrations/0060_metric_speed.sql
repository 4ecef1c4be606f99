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
--   learner_health       the cohort ~64 ms -> ~60 ms; one learner (`/mentor learners`
--                        asks once per learner) ~32 ms -> ~17 ms
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

-- Health: a learner's latest check-in comes from the eight weeks' check-ins already read
-- (and any for a later week), so only a learner without one probes further back; who is
-- away now is one read of their absences instead of a function call per learner; and the
-- prompts and check-ins read are only the learners asked about, when some are named.
CREATE OR REPLACE FUNCTION learner_health(p_cohort uuid, p_members uuid[], p_period text, p_at timestamptz)
RETURNS TABLE (member_id uuid, latest_period text, checked_in boolean, away boolean,
               missed_two boolean, latest_confidence smallint, low_confidence boolean,
               oldest_open_blocker timestamptz, old_blocker boolean, prompted bigint,
               health text)
LANGUAGE sql STABLE AS $$
    WITH learners AS MATERIALIZED (
        SELECT DISTINCT e.member_id FROM enrollments e
         WHERE e.cohort_id = p_cohort AND e.status = 'active'
           AND (p_members IS NULL OR e.member_id IN (SELECT unnest(p_members)))
    ), weeks AS MATERIALIZED (
        SELECT to_char(to_date(p_period, 'IYYY-"W"IW') - 7 * i, 'IYYY-"W"IW') AS period,
               1::bigint << i AS bit
          FROM generate_series(0, 7) i
    ), prompted AS (
        SELECT p.member_id, bit_or(w.bit) AS bits FROM checkin_prompts p
          JOIN weeks w ON w.period = p.period
         WHERE p.cohort_id = p_cohort AND p.period = ANY (ARRAY(SELECT period FROM weeks))
           AND (p_members IS NULL OR p.member_id IN (SELECT l.member_id FROM learners l))
         GROUP BY p.member_id
    ), recent AS MATERIALIZED (
        -- The learners' check-ins of the eight weeks, and any for a later week (early).
        SELECT k.member_id, k.period, k.confidence FROM checkins k
         WHERE k.cohort_id = p_cohort
           AND (k.period = ANY (ARRAY(SELECT period FROM weeks)) OR k.period > p_period)
           AND (p_members IS NULL OR k.member_id IN (SELECT l.member_id FROM learners l))
    ), answered AS (
        SELECT k.member_id, bit_or(w.bit) AS bits FROM recent k
          JOIN weeks w ON w.period = k.period
         GROUP BY k.member_id
    ), latest_recent AS (
        SELECT DISTINCT ON (k.member_id) k.member_id, k.period, k.confidence FROM recent k
         ORDER BY k.member_id, k.period DESC
    ), away_now AS (
        SELECT DISTINCT a.member_id FROM absences a
         WHERE a.member_id IN (SELECT l.member_id FROM learners l) AND a.scope = 'all'
           AND a.starts_at <= p_at AND (a.ends_at IS NULL OR a.ends_at > p_at)
    ), excused AS (
        SELECT x.member_id, bit_or(w.bit) AS bits
          FROM excused_weeks(p_cohort, (SELECT array_agg(l.member_id) FROM learners l),
                             ARRAY(SELECT period FROM weeks)) x
          JOIN weeks w ON w.period = x.period
         GROUP BY x.member_id
    ), blockers AS (
        SELECT k.member_id, min(k.created_at) AS oldest FROM checkins k
         WHERE k.cohort_id = p_cohort AND k.blockers IS NOT NULL AND k.blocker_resolved_at IS NULL
         GROUP BY k.member_id
    ), per_learner AS (
        SELECT l.member_id, lt.period AS latest_period,
               coalesce(a.bits & 1 <> 0, false) AS checked_in,
               coalesce(x.bits & 1 <> 0, false) AS excused_now,
               -- Prompted weeks that were not excused, bit 0 this week: the lowest two set
               -- bits are the latest two.
               coalesce(p.bits, 0) & ~coalesce(x.bits, 0) AS counted,
               coalesce(a.bits, 0) AS answered,
               lt.confidence AS latest_confidence,
               b.oldest AS oldest_open_blocker,
               an.member_id IS NOT NULL AS away_now
          FROM learners l
          LEFT JOIN prompted p ON p.member_id = l.member_id
          LEFT JOIN answered a ON a.member_id = l.member_id
          LEFT JOIN excused x ON x.member_id = l.member_id
          LEFT JOIN blockers b ON b.member_id = l.member_id
          LEFT JOIN away_now an ON an.member_id = l.member_id
          -- The latest check-in is among the recent ones when there are any (they hold
          -- every week from the eighth back on); only the others look further back.
          LEFT JOIN latest_recent r ON r.member_id = l.member_id
          LEFT JOIN LATERAL (SELECT r.period, r.confidence WHERE r.member_id IS NOT NULL
                             UNION ALL
                             (SELECT k.period, k.confidence FROM checkins k
                               WHERE r.member_id IS NULL
                                 AND k.cohort_id = p_cohort AND k.member_id = l.member_id
                               ORDER BY k.period DESC LIMIT 1)) lt ON true
    ), flagged AS (
        SELECT f.member_id, f.latest_period, f.checked_in, f.latest_confidence,
               f.oldest_open_blocker,
               NOT f.checked_in AND (f.excused_now OR f.away_now) AS away,
               f.counted & (f.counted - 1) <> 0
                   AND f.counted & -f.counted & f.answered = 0
                   AND (f.counted & (f.counted - 1)) & -(f.counted & (f.counted - 1)) & f.answered = 0
                   AS missed_two,
               length(replace(f.counted::bit(64)::text, '0', ''))::bigint AS prompted,
               coalesce(f.latest_confidence <= 2, false) AS low_confidence,
               coalesce(f.oldest_open_blocker <= p_at - interval '8 days', false) AS old_blocker
          FROM per_learner f
    )
    SELECT f.member_id, f.latest_period, f.checked_in, f.away, f.missed_two,
           f.latest_confidence, f.low_confidence, f.oldest_open_blocker, f.old_blocker,
           f.prompted,
           CASE WHEN NOT f.away AND (f.missed_two OR f.low_confidence OR f.old_blocker)
                THEN 'needs_checkin'
                WHEN f.prompted < 2 THEN 'too_early'
                ELSE 'on_track' END
      FROM flagged f
$$;
