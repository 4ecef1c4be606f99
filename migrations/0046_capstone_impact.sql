-- Structured capstone impact (issue 19): what a capstone's tool does for the business, as
-- numbers a sponsor can add up, next to the note. `showcase` is the learner's opt-in to
-- show their name and note with it on the dashboard and in the `impact` export; without
-- it a capstone is a row of numbers.
ALTER TABLE milestones
    ADD COLUMN hours_saved_per_month integer CHECK (hours_saved_per_month BETWEEN 0 AND 10000),
    ADD COLUMN processes_replaced integer CHECK (processes_replaced BETWEEN 0 AND 1000),
    ADD COLUMN users_reached integer CHECK (users_reached BETWEEN 0 AND 1000000),
    ADD COLUMN showcase boolean NOT NULL DEFAULT false;

ALTER TABLE export_links DROP CONSTRAINT export_links_dataset_check,
    ADD CONSTRAINT export_links_dataset_check
        CHECK (dataset IN ('weekly', 'funnel', 'checkins', 'attendance', 'milestones', 'impact'));

-- Capstone impact: each verified capstone of the cohort, in the order verified, with its
-- numbers; the learner's name and note only when they opted in (`showcase`). The
-- dashboard's tile and section and the `impact` export all read it.
CREATE FUNCTION metric_impact(p_cohort uuid)
RETURNS TABLE (ordinal bigint, verified_at timestamptz, hours_saved_per_month integer,
               processes_replaced integer, users_reached integer, learner text, note text)
LANGUAGE sql STABLE AS $$
    SELECT row_number() OVER (ORDER BY ms.reviewed_at, ms.id), ms.reviewed_at,
           ms.hours_saved_per_month, ms.processes_replaced, ms.users_reached,
           CASE WHEN ms.showcase THEN m.display_name END,
           CASE WHEN ms.showcase THEN ms.impact END
      FROM milestones ms
      JOIN modules mo ON mo.id = ms.module_id
      JOIN members m ON m.id = ms.member_id
     WHERE ms.cohort_id = p_cohort AND ms.status = 'verified' AND mo.capstone
     ORDER BY 1
$$;
