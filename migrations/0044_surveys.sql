-- Surveys (issue 19): a rating after each session, an NPS at a cohort's end, and a pulse
-- question a steward writes. Answers are anonymous: each is keyed by an HMAC of the member
-- and the survey under the community's survey secret, so a person answers once and no row
-- names who answered what.

CREATE TABLE survey_settings (
    community_id  uuid PRIMARY KEY REFERENCES communities (id) ON DELETE CASCADE,
    -- The HMAC key, made on first use and never shown. NULL until then, so the program file
    -- can set `min_group` before any survey exists.
    secret        bytea,
    -- A result is shown only when at least this many people answered (the program file's
    -- `insight.min_group`); below 3 a group is a person.
    min_group     integer NOT NULL DEFAULT 5 CHECK (min_group >= 3)
);

CREATE TABLE surveys (
    id            uuid PRIMARY KEY,
    community_id  uuid NOT NULL,
    -- What people type: `/survey results 4`.
    number        integer NOT NULL,
    kind          text NOT NULL CHECK (kind IN ('session', 'nps', 'pulse')),
    -- The cohort asked; a session's survey has its session's (none for a circle's).
    cohort_id     uuid,
    session_id    uuid UNIQUE,
    -- A pulse's question, as the steward wrote it.
    question      text,
    created_by    uuid,
    created_at    timestamptz NOT NULL,
    closes_at     timestamptz NOT NULL,
    UNIQUE (community_id, number),
    CHECK ((kind = 'session') = (session_id IS NOT NULL)),
    CHECK (kind = 'session' OR cohort_id IS NOT NULL),
    CHECK ((kind = 'pulse') = (question IS NOT NULL)),
    FOREIGN KEY (community_id, cohort_id) REFERENCES cohorts (community_id, id) ON DELETE CASCADE,
    FOREIGN KEY (community_id, session_id) REFERENCES sessions (community_id, id) ON DELETE CASCADE
);
CREATE INDEX surveys_cohort_created ON surveys (cohort_id, created_at);

CREATE TABLE survey_responses (
    survey_id   uuid NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    -- HMAC-SHA256(secret, survey id ‖ member id): the same person twice collides here.
    respondent  bytea NOT NULL,
    score       smallint NOT NULL CHECK (score BETWEEN 0 AND 10),
    comment     text,
    -- The answerer's department at the time, for results by department. No time is kept,
    -- so an answer cannot be matched to a log line or a command by when it came.
    department  text,
    PRIMARY KEY (survey_id, respondent)
);

-- Satisfaction: each survey's answers by department: how many, their sum, and how many
-- were unhappy, neutral and happy (1–2, 3, 4–5 on a five-point survey; NPS's detractors
-- 0–6, passives 7–8 and promoters 9–10). Hiding small groups is done on these rows by
-- their one reader (`domain::suppress`), so every report hides the same cells.
CREATE FUNCTION metric_satisfaction(p_surveys uuid[])
RETURNS TABLE (survey_id uuid, department text, answers bigint, score_sum bigint,
               unhappy bigint, neutral bigint, happy bigint)
LANGUAGE sql STABLE AS $$
    SELECT r.survey_id, r.department, count(*), sum(r.score),
           count(*) FILTER (WHERE r.score <= CASE WHEN s.kind = 'nps' THEN 6 ELSE 2 END),
           count(*) FILTER (WHERE r.score > CASE WHEN s.kind = 'nps' THEN 6 ELSE 2 END
                              AND r.score <= CASE WHEN s.kind = 'nps' THEN 8 ELSE 3 END),
           count(*) FILTER (WHERE r.score > CASE WHEN s.kind = 'nps' THEN 8 ELSE 3 END)
      FROM survey_responses r JOIN surveys s ON s.id = r.survey_id
     WHERE r.survey_id = ANY (p_surveys)
     GROUP BY r.survey_id, r.department
$$;
