-- The dashboard's metrics, the same definitions read with less work (issue 19's speed
-- targets). Measured on the bench's cohort of 5,000 learners with a year of history, each
-- function alone, five runs' median in psql on a warm server without JIT, as the pages
-- read them (`store::metrics::begin_read`):
--   learner_health           ~190 ms -> ~95 ms
--   metric_active_learners   52 weeks ~620 ms -> ~310 ms
--   metric_retention         ~250 ms -> ~185 ms
--   metric_attendance        the charted 12 weeks instead of the year: ~300 ms -> ~80 ms
-- Every function returns the same rows as before on that data (compared with EXCEPT).

-- The member list is hashed once: `= ANY (array)` compared each enrollment with every
-- element, 25 million comparisons for the 5,000 learners a health read passes.
CREATE OR REPLACE FUNCTION excused_weeks(cohort uuid, members uuid[], periods text[])
RETURNS TABLE (member_id uuid, period text)
LANGUAGE sql STABLE AS $$
    WITH learners AS (
        SELECT DISTINCT e.member_id FROM enrollments e
         WHERE e.cohort_id = $1 AND ($2 IS NULL OR e.member_id IN (SELECT unnest($2)))
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
       AND ($2 IS NULL OR p.member_id IN (SELECT unnest($2)))
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

-- Health per learner, as in 0045, with each learner's last eight weeks as bit sets (bit 0
-- this week): prompted, answered and excused are each one aggregate per learner, and the
-- two latest prompted weeks that were not excused are the two lowest set bits of
-- prompted AND NOT excused. 0045 numbered every prompt with a window function and joined
-- three sorted sets of 40,000 rows.
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
         GROUP BY p.member_id
    ), answered AS (
        SELECT k.member_id, bit_or(w.bit) AS bits FROM checkins k
          JOIN weeks w ON w.period = k.period
         WHERE k.cohort_id = p_cohort AND k.period = ANY (ARRAY(SELECT period FROM weeks))
         GROUP BY k.member_id
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
               b.oldest AS oldest_open_blocker
          FROM learners l
          LEFT JOIN prompted p ON p.member_id = l.member_id
          LEFT JOIN answered a ON a.member_id = l.member_id
          LEFT JOIN excused x ON x.member_id = l.member_id
          LEFT JOIN blockers b ON b.member_id = l.member_id
          LEFT JOIN LATERAL (SELECT k.period, k.confidence FROM checkins k
                              WHERE k.cohort_id = p_cohort AND k.member_id = l.member_id
                              ORDER BY k.period DESC LIMIT 1) lt ON true
    ), flagged AS (
        SELECT f.member_id, f.latest_period, f.checked_in, f.latest_confidence,
               f.oldest_open_blocker,
               NOT f.checked_in AND (f.excused_now OR member_away(f.member_id, p_at)) AS away,
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

-- Who was active in which of `periods`, as in 0043 (a check-in for the week; or, in the
-- learner's own week, attending one of the cohort's sessions, submitting a milestone, or
-- asking for a review or a pairing), as one row per learner: bit (n - 1) % 64 of word
-- (n - 1) / 64 is set when they were active in the n-th of `periods`. A session's week is
-- worked out once per session and zone rather than once per attendee, and a learner's
-- weeks are OR-ed together instead of deduplicating (learner, week) pairs, of which a year
-- of a large cohort has hundreds of thousands.
CREATE FUNCTION active_weeks(cohort uuid, periods text[])
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
        -- OFFSET 0 keeps this join first: otherwise the planner paired every learner with
        -- every session's week before reading who attended (260,000 rows for a year).
        SELECT a.member_id, w.word, w.bit
          FROM (SELECT a.session_id, a.member_id, l.zone FROM session_attendance a
                  JOIN learners l ON l.member_id = a.member_id
                 WHERE a.session_id IN (SELECT s.id FROM session_weeks s) OFFSET 0) a
          JOIN session_weeks w ON w.id = a.session_id AND w.zone = a.zone
        UNION ALL
        SELECT h.member_id, w.word, w.bit
          FROM happened h
          JOIN learners l ON l.member_id = h.member_id
          JOIN weeks w ON w.period = to_char(h.at AT TIME ZONE l.zone, 'IYYY-"W"IW')
    )
    SELECT e.member_id, e.word, bit_or(e.bit) FROM events e GROUP BY e.member_id, e.word
$$;

-- active_members gave (learner, week) pairs; active_weeks replaces it.
DROP FUNCTION active_members(uuid, text[]);

CREATE OR REPLACE FUNCTION metric_active_learners(cohort uuid, periods text[])
RETURNS TABLE (period text, active bigint)
LANGUAGE sql STABLE AS $$
    SELECT w.period,
           count(a.member_id) FILTER (WHERE a.bits & (1::bigint << ((w.n - 1)::integer % 64)) <> 0)
      FROM unnest($2) WITH ORDINALITY w (period, n)
      LEFT JOIN active_weeks($1, $2) a ON a.word = (w.n - 1)::integer / 64
     GROUP BY w.period
     ORDER BY w.period
$$;

CREATE OR REPLACE FUNCTION metric_retention(cohort uuid, periods text[], horizon integer)
RETURNS TABLE (joined_week text, joined bigint, weeks_after integer, active bigint,
               rate integer)
LANGUAGE sql STABLE AS $$
    WITH weeks AS (
        SELECT w.period, w.n::integer AS n FROM unnest($2) WITH ORDINALITY w (period, n)
    ), joiners AS MATERIALIZED (
        SELECT j.member_id, w.n
          FROM (SELECT e.member_id,
                       to_char(min(e.joined_at) AT TIME ZONE coalesce(min(m.timezone), min(c.timezone)),
                               'IYYY-"W"IW') AS period
                  FROM enrollments e
                  JOIN members m ON m.id = e.member_id
                  JOIN cohorts c ON c.id = e.cohort_id
                 WHERE e.cohort_id = $1
                 GROUP BY e.member_id) j
          JOIN weeks w ON w.period = j.period
    ), cohorts_of_week AS (
        SELECT j.n, count(*) AS joined FROM joiners j GROUP BY j.n
    ), followed AS (
        SELECT min(g.n) AS first_n, max(g.n) + $3 AS last_n FROM cohorts_of_week g
    ), activity AS MATERIALIZED (
        SELECT a.* FROM followed,
               active_weeks($1, ARRAY(SELECT w.period FROM weeks w
                                       WHERE w.n BETWEEN followed.first_n AND followed.last_n
                                       ORDER BY w.n)) a
    ), retained AS (
        SELECT j.n AS joined_n, j.n + k.k AS active_n, count(*) AS active
          FROM joiners j
          JOIN activity a ON a.member_id = j.member_id, followed f, generate_series(0, $3) k (k)
         WHERE a.word = (j.n + k.k - f.first_n) / 64
           AND a.bits & (1::bigint << ((j.n + k.k - f.first_n) % 64)) <> 0
         GROUP BY j.n, j.n + k.k
    )
    SELECT g_week.period, g.joined, later.n - g.n, coalesce(r.active, 0),
           metric_percent(coalesce(r.active, 0), g.joined)
      FROM cohorts_of_week g
      JOIN weeks g_week ON g_week.n = g.n
      JOIN weeks later ON later.n BETWEEN g.n AND g.n + $3
      LEFT JOIN retained r ON r.joined_n = g.n AND r.active_n = later.n
     ORDER BY g_week.period, later.n
$$;

-- Attendance, as in 0047, of the sessions that started between `since` and `until`: the
-- dashboard charts its last 12 weeks and the export reads its weeks, where the year was
-- read for both. RSVPs are read by the sessions' primary key, not scanned.
DROP FUNCTION metric_attendance(uuid, timestamptz);
CREATE FUNCTION metric_attendance(cohort uuid, since timestamptz, until timestamptz)
RETURNS TABLE (number integer, title text, kind text, starts_at timestamptz, rsvps bigint,
               attended bigint, attended_of_rsvps bigint, rsvp_rate integer,
               enrolled bigint, enrolled_rate integer)
LANGUAGE sql STABLE AS $$
    WITH held AS MATERIALIZED (
        SELECT s.id, s.number, s.title, s.kind, s.starts_at FROM sessions s
         WHERE s.cohort_id = $1 AND s.status = 'scheduled'
           AND s.starts_at >= $2 AND s.starts_at <= $3
    ), stints AS MATERIALIZED (
        SELECT n.member_id, n.joined_at, n.left_at FROM enrollments n WHERE n.cohort_id = $1
    ), rsvps AS MATERIALIZED (
        -- Only the held sessions' rows, by their primary key: a year of sessions has
        -- hundreds of thousands.
        SELECT v.session_id, v.member_id FROM held h JOIN session_rsvps v ON v.session_id = h.id
    ), rsvped AS (
        SELECT v.session_id, count(*) AS rsvps FROM rsvps v GROUP BY v.session_id
    ), came AS (
        -- Each attendee once, with whether they had said they would come and whether they
        -- were enrolled when the session started (a rejoiner has several stints).
        SELECT t.session_id, t.member_id,
               bool_or(v.member_id IS NOT NULL) AS rsvped,
               bool_or(n.member_id IS NOT NULL) AS learner
          FROM held h
          JOIN session_attendance t ON t.session_id = h.id
          LEFT JOIN rsvps v ON v.session_id = t.session_id AND v.member_id = t.member_id
          LEFT JOIN stints n ON n.member_id = t.member_id AND n.joined_at <= h.starts_at
                            AND (n.left_at IS NULL OR n.left_at > h.starts_at)
         GROUP BY t.session_id, t.member_id
    ), attended AS (
        SELECT c.session_id, count(*) AS attended,
               count(*) FILTER (WHERE c.rsvped) AS of_rsvps,
               count(*) FILTER (WHERE c.learner) AS learners
          FROM came c GROUP BY c.session_id
    ), enrolled AS (
        SELECT h.id AS session_id, count(n.member_id) AS enrolled
          FROM held h
          LEFT JOIN stints n ON n.joined_at <= h.starts_at
                            AND (n.left_at IS NULL OR n.left_at > h.starts_at)
         GROUP BY h.id
    )
    SELECT h.number, h.title, h.kind, h.starts_at, coalesce(r.rsvps, 0),
           coalesce(a.attended, 0), coalesce(a.of_rsvps, 0),
           metric_percent(coalesce(a.of_rsvps, 0), coalesce(r.rsvps, 0)),
           CASE WHEN h.kind IN ('lightning_talks', 'demo_day') THEN e.enrolled END,
           CASE WHEN h.kind IN ('lightning_talks', 'demo_day')
                THEN metric_percent(coalesce(a.learners, 0), e.enrolled) END
      FROM held h
      LEFT JOIN rsvped r ON r.session_id = h.id
      LEFT JOIN attended a ON a.session_id = h.id
      JOIN enrolled e ON e.session_id = h.id
     ORDER BY h.starts_at, h.number
$$;
