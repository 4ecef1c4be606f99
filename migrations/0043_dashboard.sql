-- The sponsor dashboard: its secret link, and the metrics it shows beyond those of 0041.
-- Each metric is one function here, read by the dashboard (and by the CSV export where it
-- has a dataset), so every report of it says the same number.

-- The secret in a community's dashboard link; rotating it breaks every old link.
CREATE TABLE dashboard_keys (
    community_id  uuid PRIMARY KEY REFERENCES communities (id) ON DELETE CASCADE,
    token         text NOT NULL UNIQUE,
    rotated_at    timestamptz NOT NULL
);

-- A whole percent of `part` in `whole`, rounded half up; NULL when `whole` is zero. Every
-- rate the program reports is rounded by this one rule.
CREATE FUNCTION metric_percent(part bigint, whole bigint) RETURNS integer
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN $2 > 0 THEN floor(100.0 * $1 / $2 + 0.5)::integer END
$$;

-- The check-in rate, as in 0041, rounded by metric_percent.
CREATE OR REPLACE FUNCTION metric_checkin_rate(cohort uuid, periods text[])
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
           metric_percent(c.answered, c.prompted - c.excused)
      FROM counted c
     ORDER BY c.period
$$;

-- Who was active in which week of `periods`: the cohort's learners with a check-in for
-- the week, or who that week (in their own zone, else the cohort's) attended one of its
-- sessions, submitted a milestone, or asked for a review or a pairing. Active learners
-- and the retention triangle both count these pairs. Only events within a day of the
-- weeks' span are read (a week's instants lie within a day of its dates in any zone), and
-- the cohort's learners are joined once rather than probed per event.
CREATE FUNCTION active_members(cohort uuid, periods text[])
RETURNS TABLE (member_id uuid, period text)
LANGUAGE sql STABLE AS $$
    WITH span AS (
        SELECT min(to_date(p, 'IYYY-"W"IW')) - 1 AS first_day,
               max(to_date(p, 'IYYY-"W"IW')) + 8 AS last_day
          FROM unnest($2) p
    ), learners AS (
        SELECT DISTINCT e.member_id, coalesce(m.timezone, c.timezone) AS zone
          FROM enrollments e
          JOIN members m ON m.id = e.member_id
          JOIN cohorts c ON c.id = e.cohort_id
         WHERE e.cohort_id = $1
    ), happened AS (
        SELECT a.member_id, s.starts_at AS at
          FROM session_attendance a JOIN sessions s ON s.id = a.session_id, span
         WHERE s.cohort_id = $1 AND s.starts_at >= span.first_day AND s.starts_at < span.last_day
        UNION ALL
        SELECT x.member_id, x.submitted_at FROM milestones x, span
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
    )
    -- A check-in is a learner's own, in their own week already.
    SELECT k.member_id, k.period FROM checkins k
     WHERE k.cohort_id = $1 AND k.period = ANY ($2)
    UNION
    -- Anything else happened at an instant: its week is the learner's, and only the
    -- cohort's learners count (a mentor attends too).
    SELECT h.member_id, w.period
      FROM happened h
      JOIN learners l ON l.member_id = h.member_id,
           LATERAL (SELECT to_char(h.at AT TIME ZONE l.zone, 'IYYY-"W"IW') AS period) w
     WHERE w.period = ANY ($2)
$$;

CREATE OR REPLACE FUNCTION metric_active_learners(cohort uuid, periods text[])
RETURNS TABLE (period text, active bigint)
LANGUAGE sql STABLE AS $$
    SELECT w.period, count(a.member_id)
      FROM unnest($2) w (period)
      LEFT JOIN active_members($1, $2) a ON a.period = w.period
     GROUP BY w.period
     ORDER BY w.period
$$;

-- The retention triangle over `periods` (consecutive weeks, oldest first): of the
-- learners who joined the cohort in week w (their first enrollment, in their zone, else
-- the cohort's), how many were active (active_members) in week w + k, for every k up to
-- `horizon` that has happened by the last of `periods`.
CREATE FUNCTION metric_retention(cohort uuid, periods text[], horizon integer)
RETURNS TABLE (joined_week text, joined bigint, weeks_after integer, active bigint,
               rate integer)
LANGUAGE sql STABLE AS $$
    WITH weeks AS (
        SELECT w.period, w.n::integer AS n FROM unnest($2) WITH ORDINALITY w (period, n)
    ), joiners AS (
        SELECT e.member_id,
               to_char(min(e.joined_at) AT TIME ZONE coalesce(min(m.timezone), min(c.timezone)),
                       'IYYY-"W"IW') AS period
          FROM enrollments e
          JOIN members m ON m.id = e.member_id
          JOIN cohorts c ON c.id = e.cohort_id
         WHERE e.cohort_id = $1
         GROUP BY e.member_id
    ), cohorts_of_week AS (
        SELECT w.period, w.n, count(j.member_id) AS joined
          FROM weeks w JOIN joiners j ON j.period = w.period
         GROUP BY w.period, w.n
    ), followed AS (
        -- Only the weeks some row of the triangle reads: from the first joining week to
        -- `horizon` weeks after the last.
        SELECT coalesce(array_agg(w.period ORDER BY w.n), '{}') AS periods FROM weeks w
         WHERE w.n BETWEEN (SELECT min(g.n) FROM cohorts_of_week g)
                       AND (SELECT max(g.n) FROM cohorts_of_week g) + $3
    ), active AS (
        SELECT a.member_id, w.n
          FROM followed, active_members($1, followed.periods) a
          JOIN weeks w ON w.period = a.period
    )
    SELECT g.period, g.joined, later.n - g.n,
           count(a.member_id),
           metric_percent(count(a.member_id), g.joined)
      FROM cohorts_of_week g
      JOIN weeks later ON later.n BETWEEN g.n AND g.n + $3
      LEFT JOIN joiners j ON j.period = g.period
      LEFT JOIN active a ON a.member_id = j.member_id AND a.n = later.n
     GROUP BY g.period, g.n, g.joined, later.n
     ORDER BY g.period, later.n
$$;

-- When the cohort's first learner joined: where its retention triangle starts.
CREATE FUNCTION first_joined(cohort uuid) RETURNS timestamptz
LANGUAGE sql STABLE AS $$
    SELECT min(joined_at) FROM enrollments WHERE cohort_id = $1
$$;

-- Days from enrollment to each verified module, per module in track order: how many
-- learners had it verified, and the median and 75th percentile of their days (from their
-- first enrollment in the cohort to the verification).
CREATE FUNCTION metric_time_to_milestone(cohort uuid)
RETURNS TABLE (module text, capstone boolean, verified bigint, median_days double precision,
               p75_days double precision)
LANGUAGE sql STABLE AS $$
    WITH enrolled AS (
        SELECT member_id, min(joined_at) AS joined_at FROM enrollments
         WHERE cohort_id = $1 GROUP BY member_id
    ), took AS (
        SELECT d.id, d.name, d.capstone, d.position, d.track_id,
               extract(epoch FROM s.reviewed_at - e.joined_at) / 86400.0 AS days
          FROM milestones s
          JOIN modules d ON d.id = s.module_id
          JOIN enrolled e ON e.member_id = s.member_id
         WHERE s.cohort_id = $1 AND s.status = 'verified'
    )
    SELECT t.name, t.capstone, count(*),
           percentile_cont(0.5) WITHIN GROUP (ORDER BY greatest(t.days, 0)),
           percentile_cont(0.75) WITHIN GROUP (ORDER BY greatest(t.days, 0))
      FROM took t
     GROUP BY t.id, t.name, t.capstone, t.position, t.track_id
     ORDER BY t.track_id, t.position
$$;

-- Confidence per week of `periods`: the mean of the week's check-ins (1–5) and how many
-- answered; NULL without check-ins.
CREATE FUNCTION metric_confidence(cohort uuid, periods text[])
RETURNS TABLE (period text, answers bigint, confidence double precision)
LANGUAGE sql STABLE AS $$
    SELECT w.period, count(k.confidence), avg(k.confidence)::float8
      FROM unnest($2) w (period)
      LEFT JOIN checkins k ON k.cohort_id = $1 AND k.period = w.period
     GROUP BY w.period
     ORDER BY w.period
$$;

-- Attendance of the cohort's sessions that started by `until` (cancelled ones left out):
-- attended ÷ RSVP'd (of those who said they would come, how many did), and, for the
-- sessions the whole cohort is asked to (lightning talks and demo days), attended ÷
-- enrolled, with the learners enrolled when it started. Clinics and office hours are
-- drop-in, so they have no cohort-wide rate.
CREATE FUNCTION metric_attendance(cohort uuid, until timestamptz)
RETURNS TABLE (number integer, title text, kind text, starts_at timestamptz, rsvps bigint,
               attended bigint, attended_of_rsvps bigint, rsvp_rate integer,
               enrolled bigint, enrolled_rate integer)
LANGUAGE sql STABLE AS $$
    SELECT s.number, s.title, s.kind, s.starts_at, r.rsvps, a.attended, a.of_rsvps,
           metric_percent(a.of_rsvps, r.rsvps),
           CASE WHEN s.kind IN ('lightning_talks', 'demo_day') THEN e.enrolled END,
           CASE WHEN s.kind IN ('lightning_talks', 'demo_day')
                THEN metric_percent(a.learners, e.enrolled) END
      FROM sessions s,
           LATERAL (SELECT count(*) AS rsvps FROM session_rsvps v WHERE v.session_id = s.id) r,
           LATERAL (SELECT count(*) AS attended,
                           count(*) FILTER (WHERE EXISTS (
                               SELECT 1 FROM session_rsvps v
                                WHERE v.session_id = s.id AND v.member_id = t.member_id))
                               AS of_rsvps,
                           count(*) FILTER (WHERE EXISTS (
                               SELECT 1 FROM enrollments n
                                WHERE n.cohort_id = s.cohort_id AND n.member_id = t.member_id
                                  AND n.joined_at <= s.starts_at
                                  AND (n.left_at IS NULL OR n.left_at > s.starts_at)))
                               AS learners
                      FROM session_attendance t WHERE t.session_id = s.id) a,
           LATERAL (SELECT count(*) AS enrolled FROM enrollments n
                     WHERE n.cohort_id = s.cohort_id AND n.joined_at <= s.starts_at
                       AND (n.left_at IS NULL OR n.left_at > s.starts_at)) e
     WHERE s.cohort_id = $1 AND s.status = 'scheduled' AND s.starts_at <= $2
     ORDER BY s.starts_at, s.number
$$;

-- Mentor load in the cohort as of `until`: each mentor with learners there (one to one,
-- or as the lead of a mentor group), with what they carry against their capacity (learners
-- for a community mentor, groups for a lead, as their profile counts it), the reviews of
-- the cohort they claimed and the median hours from request to claim, the median hours
-- from a learner's check-in with a blocker to the mentor's first reply to it, and whether
-- the mentor is flagged inactive in the cohort.
CREATE FUNCTION metric_mentor_load(cohort uuid, until timestamptz)
RETURNS TABLE (mentor_id uuid, tier text, assigned bigint, capacity integer, load integer,
               reviews_claimed bigint, median_hours_to_claim double precision,
               median_hours_to_blocker_reply double precision, flagged boolean)
LANGUAGE sql STABLE AS $$
    WITH one_to_one AS (
        SELECT s.mentor_id, count(*) AS learners FROM mentorships s
         WHERE s.cohort_id = $1 AND s.tier = 'community'
           AND s.started_at <= $2 AND (s.ended_at IS NULL OR s.ended_at > $2)
         GROUP BY s.mentor_id
    ), led_groups AS (
        SELECT g.lead_member_id AS mentor_id, count(*) AS groups FROM mentor_groups g
         WHERE g.cohort_id = $1 AND g.lead_member_id IS NOT NULL
         GROUP BY g.lead_member_id
    ), mentors AS (
        SELECT o.mentor_id, 'community' AS tier, o.learners AS assigned FROM one_to_one o
        UNION ALL
        SELECT l.mentor_id, 'lead', l.groups FROM led_groups l
    )
    SELECT m.mentor_id, m.tier, m.assigned, p.capacity,
           metric_percent(m.assigned, p.capacity),
           (SELECT count(*) FROM reviews r
             WHERE r.cohort_id = $1 AND r.claimed_by = m.mentor_id AND r.claimed_at <= $2),
           (SELECT percentile_cont(0.5) WITHIN GROUP (
                       ORDER BY extract(epoch FROM r.claimed_at - r.requested_at) / 3600.0)
              FROM reviews r
             WHERE r.cohort_id = $1 AND r.claimed_by = m.mentor_id AND r.claimed_at <= $2),
           (SELECT percentile_cont(0.5) WITHIN GROUP (
                       ORDER BY extract(epoch FROM f.first_reply - f.created_at) / 3600.0)
              FROM (SELECT k.created_at, min(y.created_at) AS first_reply
                      FROM checkins k JOIN checkin_replies y ON y.checkin_id = k.id
                     WHERE k.cohort_id = $1 AND k.blockers IS NOT NULL
                       AND y.mentor_member_id = m.mentor_id AND y.created_at <= $2
                     GROUP BY k.id, k.created_at) f),
           EXISTS (SELECT 1 FROM mentor_flags x
                    WHERE x.cohort_id = $1 AND x.mentor_id = m.mentor_id
                      AND x.flagged_at <= $2 AND (x.resolved_at IS NULL OR x.resolved_at > $2))
      FROM mentors m
      LEFT JOIN mentor_profiles p ON p.member_id = m.mentor_id
     ORDER BY metric_percent(m.assigned, p.capacity) DESC NULLS LAST, m.assigned DESC, m.tier
$$;

-- `/stats export` gains the attendance and time-to-milestone files.
ALTER TABLE export_links DROP CONSTRAINT export_links_dataset_check,
    ADD CONSTRAINT export_links_dataset_check
        CHECK (dataset IN ('weekly', 'funnel', 'checkins', 'attendance', 'milestones'));

-- Badges issued for the cohort's verified modules and not revoked: an outcome the
-- dashboard shows beside its graduates.
CREATE FUNCTION metric_badges_issued(cohort uuid) RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT count(*) FROM badges b JOIN milestones s ON s.id = b.milestone_id
     WHERE s.cohort_id = $1 AND b.revoked_at IS NULL
$$;
