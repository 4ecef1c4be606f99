-- Whom the bot put in each concern's private space, with their user id on the space's
-- platform. A re-sync takes out those recorded here who are no longer handlers the
-- concern leaves in (a revoked role, an erased member), and never anyone a moderator
-- added by hand. The platform id is kept here, not read from `members`, because an
-- erasure anonymises that one before the bot can take them out; a row goes once they are
-- out, or when the space is archived. Written before the bot asks the platform to add
-- someone, so a crash between the two leaves a record of someone perhaps not in the space
-- (taking them out is then a no-op), never the reverse.

CREATE TABLE concern_space_members (
    concern_id uuid NOT NULL REFERENCES concerns(id) ON DELETE CASCADE,
    member_id uuid NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    platform_user_id text NOT NULL,
    PRIMARY KEY (concern_id, member_id)
);
