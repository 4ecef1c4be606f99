-- Platform roles earned by achievements: the program file's rules, who the bot gave each
-- one to, and what the weekly reconciliation found on the platform.
CREATE TABLE earned_roles (
    id                uuid PRIMARY KEY,
    community_id      uuid NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    slug              text NOT NULL,
    name              text NOT NULL,
    achievement       text NOT NULL CHECK (achievement IN ('badge', 'module', 'graduated', 'streak', 'kudos')),
    -- The badge's name or the module's slug, for those two achievements.
    subject           text,
    -- Weeks of streak, or kudos received.
    threshold         integer,
    discord_role      text,
    slack_usergroup   text,
    remove_when_lost  boolean NOT NULL DEFAULT false,
    announce          boolean NOT NULL DEFAULT false,
    UNIQUE (community_id, slug),
    UNIQUE (community_id, id),
    CHECK ((achievement IN ('badge', 'module')) = (subject IS NOT NULL)),
    CHECK ((achievement IN ('streak', 'kudos')) = (threshold IS NOT NULL AND threshold > 0))
);

-- Who holds each earned role as far as the program is concerned. A row is the bot's intent:
-- the platform is made to match it by outbox actions.
CREATE TABLE earned_role_holders (
    rule_id       uuid NOT NULL,
    community_id  uuid NOT NULL,
    member_id     uuid NOT NULL,
    -- Fresh for each grant: the outbox keys of the grant's actions derive from it, so a
    -- role earned, lost and earned again is sent again.
    grant_id      uuid NOT NULL,
    earned_at     timestamptz NOT NULL,
    -- Reconciliation found the role removed on the platform and put it back.
    restored_at   timestamptz,
    -- Found removed again after that: someone means it, so it is reported and left off.
    left_off_at   timestamptz,
    PRIMARY KEY (rule_id, member_id),
    FOREIGN KEY (community_id, rule_id) REFERENCES earned_roles (community_id, id) ON DELETE CASCADE,
    FOREIGN KEY (community_id, member_id) REFERENCES members (community_id, id) ON DELETE CASCADE
);
CREATE INDEX earned_role_holders_member ON earned_role_holders (member_id);

-- When each community's earned roles were last re-derived and checked on the platform.
CREATE TABLE earned_role_reconciliations (
    community_id  uuid PRIMARY KEY REFERENCES communities (id) ON DELETE CASCADE,
    last_at       timestamptz NOT NULL
);

-- Whether `who` has the rule's achievement now: the one definition evaluation and the
-- weekly reconciliation both use.
CREATE FUNCTION earns_role(rule earned_roles, who uuid) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT CASE rule.achievement
        WHEN 'badge' THEN EXISTS (
            SELECT 1 FROM badges b
             WHERE b.member_id = who AND b.community_id = rule.community_id
               AND b.name = rule.subject AND b.revoked_at IS NULL)
        WHEN 'module' THEN EXISTS (
            SELECT 1 FROM milestones s JOIN modules m ON m.id = s.module_id
             WHERE s.member_id = who AND s.community_id = rule.community_id
               AND s.status = 'verified' AND m.slug = rule.subject)
        WHEN 'graduated' THEN EXISTS (
            SELECT 1 FROM milestones s JOIN modules m ON m.id = s.module_id
             WHERE s.member_id = who AND s.community_id = rule.community_id
               AND s.status = 'verified' AND m.capstone)
        WHEN 'streak' THEN EXISTS (
            SELECT 1 FROM streaks s
             WHERE s.member_id = who AND s.community_id = rule.community_id
               AND s.current >= rule.threshold)
        WHEN 'kudos' THEN (
            SELECT count(*) FROM kudos k
             WHERE k.receiver_id = who AND k.community_id = rule.community_id) >= rule.threshold
        ELSE false
    END
$$;
