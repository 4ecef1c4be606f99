-- mentor_paused and member_away, unchanged in meaning, in PL/pgSQL instead of SQL. A SQL
-- function whose body has a subquery is never inlined, so PostgreSQL parsed and planned
-- its body again in every statement that called it: 118 µs of each `/checkin`, measured
-- (pg_stat_user_functions, scripts/bench -- checkin). PL/pgSQL keeps the plan for the
-- session.

-- Away entirely at `at`: no prompts, nudges, matches, pairings or at-risk flags.
CREATE OR REPLACE FUNCTION member_away(member uuid, at timestamptz) RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN EXISTS (SELECT 1 FROM absences a
                   WHERE a.member_id = member AND a.scope = 'all'
                     AND a.starts_at <= at AND (a.ends_at IS NULL OR a.ends_at > at));
END
$$;

-- Paused as a mentor at `at`: a mentoring pause, or away entirely. One definition for every
-- notice a paused mentor must not get: digests, escalations, flags.
CREATE OR REPLACE FUNCTION mentor_paused(mentor uuid, at timestamptz) RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN EXISTS (SELECT 1 FROM absences a
                   WHERE a.member_id = mentor
                     AND a.starts_at <= at AND (a.ends_at IS NULL OR a.ends_at > at));
END
$$;
