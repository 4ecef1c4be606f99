-- The dashboard's three costliest reads, the same definitions read with less work (issue
-- 19's 200 ms page, after 0060). Measured on the bench's cohort of 5,000 learners with a
-- year of history (`BENCH_KEEP_DB=1 scripts/bench -- digest`), each function alone in psql
-- without JIT, warm, every column selected (an inlined function whose columns go unused
-- skips their joins), median of 9-15 runs, before -> after in the same session:
--   active_weeks         15 weeks (the retention triangle's) ~75-86 ms -> ~59 ms;
--                        52 weeks ~218 ms -> ~165 ms
--   metric_retention     ~123 ms -> ~77 ms
--   metric_attendance    the charted 12 weeks ~51 ms -> ~31 ms
-- Each returns the same rows as before (compared with EXCEPT both ways) on that data, and
-- again with its learners spread over three to six zones, sessions moved to a week's turn,
-- a fifth of the learners gone and a seventh of the RSVPs removed.

-- Active weeks, as in 0060, with three changes:
-- - A session whose week is the same in every zone its cohort's learners are in (any
--   session not within a day of a week's turn) needs no attendee paired with a zone: its
--   attendance is only checked to be a learner's, by a hashed probe.
-- - A milestone, review or pairing finds its week by a binary search of the weeks' starts
--   in its learner's zone (`width_bucket`) instead of each instant formatted in that zone.
-- - Attendance is read once per path by the sessions' primary key, not materialized.
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
    ), zones AS MATERIALIZED (
        SELECT DISTINCT l.zone FROM learners l
    ), zone_weeks AS MATERIALIZED (
        -- Each week from its local Monday to the next, in each zone a learner is in.
        SELECT z.zone, w.word, w.bit,
               to_date(w.period, 'IYYY-"W"IW')::timestamp AT TIME ZONE z.zone AS starts,
               (to_date(w.period, 'IYYY-"W"IW') + 7)::timestamp AT TIME ZONE z.zone AS ends
          FROM zones z, weeks w
    ), zone_bounds AS MATERIALIZED (
        -- The same, one row per zone: the weeks' starts in order, for `width_bucket`. The
        -- weeks asked for need not follow each other, so an instant is also checked to be
        -- before its week's end.
        SELECT w.zone, array_agg(w.starts ORDER BY w.starts) AS starts,
               array_agg(w.ends ORDER BY w.starts) AS ends,
               array_agg(w.word ORDER BY w.starts) AS words,
               array_agg(w.bit ORDER BY w.starts) AS bits
          FROM zone_weeks w GROUP BY w.zone
    ), session_weeks AS MATERIALIZED (
        SELECT s.id, w.zone, w.word, w.bit
          FROM sessions s, span, zone_weeks w
         WHERE s.cohort_id = $1 AND s.starts_at >= span.first_day AND s.starts_at < span.last_day
           AND s.starts_at >= w.starts AND s.starts_at < w.ends
    ), uniform AS MATERIALIZED (
        -- The sessions in one asked-for week in every zone.
        SELECT s.id, min(s.word) AS word, min(s.bit) AS bit FROM session_weeks s
         GROUP BY s.id
        HAVING count(*) = (SELECT count(*) FROM zones)
           AND min(s.word) = max(s.word) AND min(s.bit) = max(s.bit)
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
        SELECT a.member_id, u.word, u.bit
          FROM session_attendance a JOIN uniform u ON u.id = a.session_id
         WHERE a.session_id = ANY (ARRAY(SELECT u.id FROM uniform u))
           AND a.member_id IN (SELECT l.member_id FROM learners l)
        UNION ALL
        -- The other sessions: each attendee in their own zone's week. OFFSET 0 keeps each
        -- attendee paired with their zone first, as in 0060.
        SELECT a.member_id, w.word, w.bit
          FROM (SELECT a.session_id, a.member_id, l.zone FROM session_attendance a
                  JOIN learners l ON l.member_id = a.member_id
                 WHERE a.session_id = ANY (ARRAY(SELECT s.id FROM session_weeks s
                                                 EXCEPT SELECT u.id FROM uniform u))
                OFFSET 0) a
          JOIN session_weeks w ON w.id = a.session_id AND w.zone = a.zone
        UNION ALL
        SELECT h.member_id, b.words[i.i], b.bits[i.i]
          FROM happened h
          JOIN learners l ON l.member_id = h.member_id
          JOIN zone_bounds b ON b.zone = l.zone,
               LATERAL (SELECT width_bucket(h.at, b.starts) AS i) i
         WHERE i.i > 0 AND h.at < b.ends[i.i]
    )
    SELECT e.member_id, e.word, bit_or(e.bit) FROM events e GROUP BY e.member_id, e.word
$$;

-- Retention, as in 0048, with the learners who joined the same week and were active the
-- same weeks counted once before they are tested week by week: on the bench's cohort,
-- 5,000 learners make fewer than 3,000 such groups.
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
    ), patterns AS (
        SELECT j.n, a.word, a.bits, count(*) AS learners
          FROM joiners j JOIN activity a ON a.member_id = j.member_id
         GROUP BY j.n, a.word, a.bits
    ), retained AS (
        SELECT p.n AS joined_n, p.n + k.k AS active_n, sum(p.learners)::bigint AS active
          FROM patterns p, followed f, generate_series(0, $3) k (k)
         WHERE p.word = (p.n + k.k - f.first_n) / 64
           AND p.bits & (1::bigint << ((p.n + k.k - f.first_n) % 64)) <> 0
         GROUP BY p.n, p.n + k.k
    )
    SELECT g_week.period, g.joined, later.n - g.n, coalesce(r.active, 0),
           metric_percent(coalesce(r.active, 0), g.joined)
      FROM cohorts_of_week g
      JOIN weeks g_week ON g_week.n = g.n
      JOIN weeks later ON later.n BETWEEN g.n AND g.n + $3
      LEFT JOIN retained r ON r.joined_n = g.n AND r.active_n = later.n
     ORDER BY g_week.period, later.n
$$;

-- Attendance, as in 0060, read one session at a time: its RSVPs counted by its primary
-- key, and its attendees matched with its RSVPs and their enrollments in a join of its own
-- few thousand rows, instead of every RSVP of the sessions gathered (36,000 rows for the
-- charted 12 weeks) and hashed against every attendee of them.
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
    )
    SELECT h.number, h.title, h.kind, h.starts_at, coalesce(r.rsvps, 0),
           coalesce(a.attended, 0), coalesce(a.of_rsvps, 0),
           metric_percent(coalesce(a.of_rsvps, 0), coalesce(r.rsvps, 0)),
           e.enrolled, metric_percent(coalesce(a.learners, 0), e.enrolled)
      FROM held h
      CROSS JOIN LATERAL (SELECT count(*) AS rsvps FROM session_rsvps v
                           WHERE v.session_id = h.id) r
      CROSS JOIN LATERAL (
          SELECT count(*) AS attended, count(v.member_id) AS of_rsvps,
                 count(*) FILTER (WHERE n.spans @> h.starts_at) AS learners
            FROM session_attendance t
            LEFT JOIN session_rsvps v ON v.session_id = h.id AND v.member_id = t.member_id
            LEFT JOIN stints n ON n.member_id = t.member_id
           WHERE t.session_id = h.id) a
      -- Learners enrolled when it started, for the sessions the whole cohort is asked to.
      LEFT JOIN LATERAL (SELECT count(*) AS enrolled FROM stints n
                          WHERE n.spans @> h.starts_at) e
             ON h.kind IN ('lightning_talks', 'demo_day')
     ORDER BY h.starts_at, h.number
$$;
