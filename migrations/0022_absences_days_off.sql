-- Continuity: members away for a while, and cohort days off.

-- A member's absence. `first_day`..`last_day` are the member's local dates as they typed
-- them (kept for display and for counting a week's working days); `starts_at`/`ends_at`
-- are the same days as UTC instants in the member's zone when it was set, so "away now?"
-- is one indexed comparison. `/back` moves `ends_at` to the moment they came back.
-- Scope `mentoring` is a mentor's pause: no matches, prompts or notices as a mentor, but
-- the member is still a learner. An open-ended pause has no last day and no end.
CREATE TABLE absences (
    id            uuid PRIMARY KEY,
    community_id  uuid NOT NULL,
    member_id     uuid NOT NULL,
    scope         text NOT NULL CHECK (scope IN ('all', 'mentoring')),
    first_day     date NOT NULL,
    last_day      date,
    zone          text NOT NULL,
    starts_at     timestamptz NOT NULL,
    ends_at       timestamptz,
    note          text,
    set_by        uuid NOT NULL,
    created_at    timestamptz NOT NULL,
    -- When the member was told what they missed (by `/back`, or the first morning back).
    welcomed_at   timestamptz,
    CHECK (last_day IS NULL OR last_day >= first_day),
    CHECK ((last_day IS NULL) = (ends_at IS NULL)),
    CHECK (scope = 'mentoring' OR last_day IS NOT NULL),
    FOREIGN KEY (community_id, member_id) REFERENCES members (community_id, id) ON DELETE CASCADE
);
CREATE INDEX absences_member ON absences (member_id, starts_at);
-- The welcome-back pass reads only absences not yet welcomed.
CREATE INDEX absences_to_welcome ON absences (ends_at) WHERE welcomed_at IS NULL AND scope = 'all';

-- Away entirely at `at`: no prompts, nudges, matches, pairings or at-risk flags.
CREATE FUNCTION member_away(member uuid, at timestamptz) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM absences a
                   WHERE a.member_id = member AND a.scope = 'all'
                     AND a.starts_at <= at AND (a.ends_at IS NULL OR a.ends_at > at))
$$;

-- Existing pauses become absences of scope `mentoring`, from today (the pause's start was
-- never recorded) through their last day, which ran through the end of that day in UTC.
INSERT INTO absences (id, community_id, member_id, scope, first_day, last_day, zone,
                      starts_at, ends_at, note, set_by, created_at)
SELECT gen_random_uuid(), p.community_id, p.member_id, 'mentoring',
       least(current_date, coalesce(p.paused_until, current_date)), p.paused_until, 'UTC',
       now(), (p.paused_until + 1)::timestamp AT TIME ZONE 'UTC', NULL, p.member_id, now()
FROM mentor_profiles p
WHERE p.paused AND (p.paused_until IS NULL OR p.paused_until >= current_date);

ALTER TABLE mentor_profiles DROP COLUMN paused, DROP COLUMN paused_until;

-- Paused as a mentor at `at`: a mentoring pause, or away entirely. One definition for every
-- notice a paused mentor must not get: digests, escalations, flags.
CREATE OR REPLACE FUNCTION mentor_paused(mentor uuid, at timestamptz) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM absences a
                   WHERE a.member_id = mentor
                     AND a.starts_at <= at AND (a.ends_at IS NULL OR a.ends_at > at))
$$;

-- Why a prompt went out without a message: the member was away when it was due. The row
-- still records the week, so the week counts as excused rather than missed.
ALTER TABLE checkin_prompts ADD COLUMN excused text CHECK (excused IN ('away'));

-- Why a tick was skipped: too late to run, or a day off (with its label).
ALTER TABLE trigger_ticks ADD COLUMN reason text;

-- The community's continuity settings; without a row, the defaults here apply.
CREATE TABLE continuity_settings (
    community_id         uuid PRIMARY KEY REFERENCES communities (id) ON DELETE CASCADE,
    -- The longest absence a member may set in one go.
    absence_max_days     integer NOT NULL DEFAULT 90 CHECK (absence_max_days BETWEEN 1 AND 366),
    -- Away this many of a week's five working days (Monday to Friday) excuses the week.
    away_days_excuse     integer NOT NULL DEFAULT 3 CHECK (away_days_excuse BETWEEN 1 AND 5)
);

-- A cohort's days off: a date, or every day of a listed ISO week. Triggers on a day off are
-- skipped with its label; a week whose five working days are all off is excused for all.
CREATE TABLE cohort_days_off (
    community_id  uuid NOT NULL,
    cohort_id     uuid NOT NULL,
    day           date NOT NULL,
    label         text NOT NULL,
    -- `program` rows are replaced by each import; `command` rows are kept.
    source        text NOT NULL CHECK (source IN ('program', 'command')),
    PRIMARY KEY (cohort_id, day),
    FOREIGN KEY (community_id, cohort_id) REFERENCES cohorts (community_id, id) ON DELETE CASCADE
);

-- Whether a member's week (`period`, an ISO week like `2026-W49` in their zone) is excused
-- in a cohort: its prompt found them away, or they were away most of its working days, or
-- the cohort took all its working days off. Excused weeks leave the check-in rate's
-- denominator and are neutral for streaks.
CREATE FUNCTION week_excused(cohort uuid, member uuid, period text) RETURNS boolean
LANGUAGE sql STABLE AS $$
    -- Positional parameters: `period` alone would name the prompts' column.
    WITH days AS (
        SELECT to_date($3, 'IYYY-"W"IW') + d AS day FROM generate_series(0, 4) d
    )
    SELECT EXISTS (SELECT 1 FROM checkin_prompts p
                   WHERE p.cohort_id = $1 AND p.member_id = $2 AND p.period = $3
                     AND p.excused IS NOT NULL)
        OR (SELECT count(*) FROM days
            WHERE EXISTS (SELECT 1 FROM absences a
                          WHERE a.member_id = $2 AND a.scope = 'all'
                            AND days.day BETWEEN a.first_day AND a.last_day))
           >= coalesce((SELECT s.away_days_excuse FROM continuity_settings s
                          JOIN cohorts c ON c.community_id = s.community_id
                         WHERE c.id = $1), 3)
        OR NOT EXISTS (SELECT 1 FROM days
                       WHERE NOT EXISTS (SELECT 1 FROM cohort_days_off o
                                         WHERE o.cohort_id = $1 AND o.day = days.day))
$$;
