-- metric_attendance, the same definition read set-wise: the bench's year of weekly
-- sessions spent 679 ms of a dashboard's 1.7 s probing, for each attendee, their RSVP and
-- their enrollment one at a time. Here the cohort's enrollments are read once and joined
-- to the attendees and to each session's start by hash and range joins.
CREATE OR REPLACE FUNCTION metric_attendance(cohort uuid, until timestamptz)
RETURNS TABLE (number integer, title text, kind text, starts_at timestamptz, rsvps bigint,
               attended bigint, attended_of_rsvps bigint, rsvp_rate integer,
               enrolled bigint, enrolled_rate integer)
LANGUAGE sql STABLE AS $$
    WITH held AS MATERIALIZED (
        SELECT s.id, s.number, s.title, s.kind, s.starts_at FROM sessions s
         WHERE s.cohort_id = $1 AND s.status = 'scheduled' AND s.starts_at <= $2
    ), stints AS MATERIALIZED (
        SELECT n.member_id, n.joined_at, n.left_at FROM enrollments n WHERE n.cohort_id = $1
    ), rsvped AS (
        SELECT v.session_id, count(*) AS rsvps FROM session_rsvps v
         WHERE v.session_id IN (SELECT id FROM held)
         GROUP BY v.session_id
    ), came AS (
        -- Each attendee once, with whether they had said they would come and whether they
        -- were enrolled when the session started (a rejoiner has several stints).
        SELECT t.session_id, t.member_id,
               bool_or(v.member_id IS NOT NULL) AS rsvped,
               bool_or(n.member_id IS NOT NULL) AS learner
          FROM session_attendance t
          JOIN held h ON h.id = t.session_id
          LEFT JOIN session_rsvps v ON v.session_id = t.session_id AND v.member_id = t.member_id
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
